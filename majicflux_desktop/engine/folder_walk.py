"""Walking a folder the user points at (a ComfyUI or Forge install, a hub cache, a drive) for the files
that may be model files or tokenizers, in bounded time, saying what was not looked at.

The bound is per folder, not per tree: a folder with 60,000 images beside the models must not use up
the walk before the models are reached. A crowded folder's own files are still looked at; only its
subfolders are left out, and the report names it.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message

MODEL_SUFFIXES = (".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".sft", ".gguf")
TOKENIZER_FILES = frozenset({"vocab.json", "merges.txt", "tokenizer.json"})
MAX_DEPTH = 8
FOLDER_ENTRIES = 10_000  # a folder with more entries is not descended into (its files are read)
TOTAL_ENTRIES = 2_000_000  # the whole walk stops here: a drive's root, say
# Folders that hold program files, never models: a portable ComfyUI's python_embeded alone has
# tens of thousands of them. Hidden folders (.git, .venv, .locks) are left out too, but for .cache,
# where the hub caches live.
NEVER_MODELS = frozenset(
    {"site-packages", "dist-packages", "node_modules", "__pycache__", "$recycle.bin"}
)


@dataclass
class FolderWalk:
    files: list[Path] = field(default_factory=list)  # possible model and tokenizer files
    # folders named like a model file (`ae.safetensors/`): where a file was expected
    folders_like_files: list[Path] = field(default_factory=list)
    crowded: list[tuple[Path, int]] = field(default_factory=list)  # (folder, entries): not entered
    too_deep: int = 0  # folders below the depth limit, not entered
    stopped_early: bool = False  # the entries the walk may read ran out
    entry_limit: int = TOTAL_ENTRIES


def worth_a_look(name: str) -> bool:
    return name in TOKENIZER_FILES or os.path.splitext(name)[1].lower() in MODEL_SUFFIXES


def walk(
    folder: Path,
    max_depth: int = MAX_DEPTH,
    max_folder_entries: int = FOLDER_ENTRIES,
    max_entries: int = TOTAL_ENTRIES,
) -> FolderWalk:
    """Files under `folder` that may be model files or tokenizer files, breadth-first and bounded.

    Symlinked folders are followed (model folders often live on another drive), each real folder
    once, so a link loop ends. Symlinked files keep their link name: in a Hugging Face cache the
    name carries the `.safetensors` suffix while the blob it points to has none.
    """
    result = FolderWalk(entry_limit=max_entries)
    queue: deque[tuple[Path, int]] = deque([(Path(folder), 0)])
    visited: set[object] = set()
    seen = 0
    while queue:
        current, depth = queue.popleft()
        key = real_identity(current)
        if key is None or key in visited:
            continue
        visited.add(key)
        try:
            with os.scandir(current) as listing:
                entries = []
                for entry in listing:
                    entries.append(entry)
                    seen += 1
                    if seen > max_entries:
                        result.stopped_early = True
                        break
        except OSError:
            continue
        subfolders = _take_entries(entries, result)
        if len(entries) > max_folder_entries and subfolders:
            result.crowded.append((current, len(entries)))
        elif depth >= max_depth:
            result.too_deep += len(subfolders)
        else:
            queue.extend((sub, depth + 1) for sub in subfolders)
        if result.stopped_early:
            break
    return result


def _take_entries(entries: list[os.DirEntry[str]], result: FolderWalk) -> list[Path]:
    """Keep the folder's files worth a look; return its subfolders worth entering."""
    subfolders = []
    for entry in sorted(entries, key=lambda e: e.name):
        name = entry.name
        if name.startswith(".") and name != ".cache":
            continue  # .git, .locks, ModelScope's ._____temp: nothing finished lives there
        try:
            if entry.is_dir():
                if os.path.splitext(name)[1].lower() in MODEL_SUFFIXES:
                    result.folders_like_files.append(Path(entry.path))
                if name.lower() not in NEVER_MODELS:
                    subfolders.append(Path(entry.path))
            elif worth_a_look(name) and entry.is_file():
                result.files.append(Path(entry.path))
        except OSError:
            continue
    return subfolders


def real_identity(path: Path) -> object | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    # some file systems (FAT, network shares on Windows) report no inode numbers
    return (stat.st_dev, stat.st_ino) if stat.st_ino else os.path.realpath(path)


def what_was_skipped(
    walked: FolderWalk, folder: Path, max_depth: int
) -> list[tuple[Path, Message]]:
    """A message for each part of the folder the walk did not look at, naming what to do."""
    notes: list[tuple[Path, Message]] = []
    for crowded, count in walked.crowded:
        notes.append(
            (
                crowded,
                Message(
                    "catalog",
                    QT_TRANSLATE_NOOP(
                        "catalog",
                        "{folder} holds {count} entries: the files directly in it were looked "
                        "at, but not its subfolders. If model files are in one of them, choose "
                        "that subfolder.",
                    ),
                    {"folder": str(crowded), "count": count},
                ),
            )
        )
    if walked.too_deep:
        notes.append(
            (
                folder,
                Message(
                    "catalog",
                    QT_TRANSLATE_NOOP(
                        "catalog",
                        "{count} folder(s) more than {depth} levels below {folder} were not looked "
                        "at. If model files are that deep, choose a folder nearer to them.",
                    ),
                    {"folder": str(folder), "count": walked.too_deep, "depth": max_depth},
                ),
            )
        )
    if walked.stopped_early:
        notes.append(
            (
                folder,
                Message(
                    "catalog",
                    QT_TRANSLATE_NOOP(
                        "catalog",
                        "{folder} holds more than {count} files and folders: the search stopped "
                        "there, and files it did not reach are not listed. Choose the folder "
                        "that holds the model files (a ComfyUI or Forge folder, say).",
                    ),
                    {"folder": str(folder), "count": walked.entry_limit},
                ),
            )
        )
    return notes
