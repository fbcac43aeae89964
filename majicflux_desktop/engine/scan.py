"""Find the model files the app needs anywhere under a folder, by what they are, never their names.

Each candidate is identified by catalog.py from its header alone; here the folder is walked, the
best file for each role is chosen and what is missing or unusable is reported with the fix.
Imports no torch: `majicflux models check` and the setup page answer in milliseconds.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.engine import layouts
from majicflux_desktop.engine.catalog import (
    CLIP,
    DIT,
    KNOWN,
    REQUIRED,
    SPECS,
    T5,
    TOKENIZER_CLIP,
    TOKENIZER_T5,
    VAE,
    WEIGHT_ROLES,
    FileSpec,
    Identity,
    identify,
    identity_problem,
    model_name,
    read_header,
)

# Messages here use the "catalog" translation context: it is the one their translations are under.


@dataclass(frozen=True)
class ModelPaths:
    dit: Path
    clip: Path
    t5: tuple[Path, ...]
    vae: Path
    tokenizer_clip: Path
    tokenizer_t5: Path
    tiny: bool = False

    def weights_by_role(self) -> dict[str, tuple[Path, ...]]:
        return {DIT: (self.dit,), CLIP: (self.clip,), T5: self.t5, VAE: (self.vae,)}

    def weight_files(self) -> list[Path]:
        return [path for files in self.weights_by_role().values() for path in files]


@dataclass
class RoleStatus:
    spec: FileSpec
    paths: list[Path] = field(default_factory=list)
    problems: list[Message] = field(default_factory=list)
    tiny: bool = False
    found_as: str = ""  # what the chosen file is ("T5-XXL text encoder (single file)", ...)

    @property
    def ok(self) -> bool:
        return bool(self.paths) and not self.problems


@dataclass
class CheckReport:
    folder: Path
    roles: dict[str, RoleStatus]
    rejected: list[tuple[Path, Message]] = field(default_factory=list)
    files_examined: int = 0
    stopped_early: bool = False  # the scan hit its bound before seeing everything

    @property
    def complete(self) -> bool:
        return all(status.ok for status in self.roles.values())

    def paths(self) -> ModelPaths:
        if not self.complete:
            raise UserError(
                Message(
                    "catalog",
                    QT_TRANSLATE_NOOP(
                        "catalog",
                        "Model files are missing or wrong in {folder}. Open Model setup, or run "
                        "`majicflux models check` to see which.",
                    ),
                    {"folder": str(self.folder)},
                )
            )
        r = self.roles
        return ModelPaths(
            dit=r[DIT].paths[0],
            clip=r[CLIP].paths[0],
            t5=tuple(r[T5].paths),
            vae=r[VAE].paths[0],
            tokenizer_clip=r[TOKENIZER_CLIP].paths[0],
            tokenizer_t5=r[TOKENIZER_T5].paths[0],
            tiny=all(r[role].tiny for role in WEIGHT_ROLES),
        )


@dataclass
class FolderWalk:
    files: list[Path] = field(default_factory=list)
    stopped_early: bool = False  # the entry budget ran out: a narrower folder finds more
    # folders named like a model file (`ae.safetensors/`): where a file was expected
    folders_like_files: list[Path] = field(default_factory=list)


def walk(folder: Path, max_depth: int = 8, max_entries: int = 50_000) -> FolderWalk:
    """Files under `folder`, breadth-first and bounded.

    Symlinked folders are followed (model folders often live on another drive), each real folder
    once, so a link loop ends. Symlinked files keep their link name: in a Hugging Face cache the
    name carries the `.safetensors` suffix while the blob it points to has none.
    """
    result = FolderWalk()
    queue: deque[tuple[Path, int]] = deque([(folder, 0)])
    visited: set[object] = set()
    seen = 0
    while queue:
        current, depth = queue.popleft()
        key = _real_identity(current)
        if key is None or key in visited:
            continue
        visited.add(key)
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > max_entries:
                result.stopped_early = True
                return result
            if entry.name.startswith(".") and entry.name != ".cache":
                continue  # .git, .locks, ModelScope's ._____temp: nothing finished lives there
            try:
                if entry.is_dir():
                    if Path(entry.name).suffix.lower() in MODEL_SUFFIXES:
                        result.folders_like_files.append(Path(entry.path))
                    if depth < max_depth:
                        queue.append((Path(entry.path), depth + 1))
                elif entry.is_file():
                    result.files.append(Path(entry.path))
            except OSError:
                continue
    return result


def _real_identity(path: Path) -> object | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    # some file systems (FAT, network shares on Windows) report no inode numbers
    return (stat.st_dev, stat.st_ino) if stat.st_ino else os.path.realpath(path)


MODEL_SUFFIXES = (".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".sft", ".gguf")
_FAMILY_ROLE = {"T5": T5, "CLIP": CLIP, "VAE": VAE}


def check(folder: str | os.PathLike[str]) -> CheckReport:
    """Which required files are in `folder` (searched recursively), identified by layout."""
    return scan(folder)


def scan(
    folder: str | os.PathLike[str], max_depth: int = 8, max_entries: int = 50_000
) -> CheckReport:
    """Use existing files: find the required files anywhere under `folder`, by tensor layout.

    Works the same on a ComfyUI or Forge `models` folder, a ModelScope or Hugging Face cache,
    a DiffSynth `models` folder or a plain one; file names are never trusted. Files are used
    where they are. Files that look meant for a role but cannot serve it are listed in
    `rejected` with the fix.
    """
    folder = Path(folder)
    report = CheckReport(folder, {spec.role: RoleStatus(spec) for spec in REQUIRED})
    walked = walk(folder, max_depth, max_entries) if folder.is_dir() else FolderWalk()
    report.stopped_early = walked.stopped_early
    found: dict[str, list[Identity]] = {role: [] for role in WEIGHT_ROLES}
    seen_files: set[object] = set()
    for path in walked.files:
        if path.suffix.lower() not in MODEL_SUFFIXES:
            continue
        key = _real_identity(path)
        if key in seen_files:
            continue  # one blob behind two links (two snapshots of a Hugging Face cache)
        seen_files.add(key)
        report.files_examined += 1
        identity, problem = _examine(path)
        if problem is not None:
            report.rejected.append((path, problem))
        elif identity is not None and identity.role is not None:
            found[identity.role].append(identity)
    _reject_folders_like_files(walked, found, report)
    for role in (DIT, CLIP, VAE):
        spec_hash = SPECS[role].layout_hash
        choices = sorted(
            found[role],
            key=lambda i: (i.tiny, i.layout_hash != spec_hash, len(i.path.parts), str(i.path)),
        )
        if choices:
            _take(report.roles[role], [choices[0].path], choices[0])
    _choose_t5(found[T5], report.roles[T5])
    for role, test in ((TOKENIZER_CLIP, is_clip_tokenizer), (TOKENIZER_T5, is_t5_tokenizer)):
        folders = sorted(
            {p.parent for p in walked.files if test(p.parent)},
            key=lambda p: (len(p.parts), str(p)),
        )
        if folders:
            report.roles[role].paths = [folders[0]]
    for status in report.roles.values():
        if not status.paths:
            status.problems.append(
                Message(
                    "catalog",
                    QT_TRANSLATE_NOOP("catalog", "Missing: {title} ({files} from {repo})."),
                    {
                        "title": status.spec.label,
                        "files": ", ".join(status.spec.files),
                        "repo": status.spec.repo,
                    },
                )
            )
    return report


def _examine(path: Path) -> tuple[Identity | None, Message | None]:
    """The file's identity, or why it cannot be used (None for files unrelated to ours)."""
    suffix = path.suffix.lower()
    if suffix == ".gguf":
        return None, Message(
            "catalog",
            QT_TRANSLATE_NOOP(
                "catalog",
                "{file} is a GGUF file (a quantized model for ComfyUI-GGUF or stable-diffusion.cpp). "
                "MajicFlux cannot use GGUF files; it needs the .safetensors files.",
            ),
            {"file": str(path)},
        )
    try:
        identity = identify(path, check_suffix=suffix != ".sft")
    except UserError as exc:
        return None, exc.message
    if suffix == ".sft":
        return None, _renamed_sft_problem(identity)
    if identity.role is None and identity.family:
        role = next((r for word, r in _FAMILY_ROLE.items() if word in identity.family), DIT)
        return identity, identity_problem(identity, SPECS[role])
    return identity, None


def _reject_folders_like_files(
    walked: FolderWalk, found: dict[str, list[Identity]], report: CheckReport
) -> None:
    """A folder named like a model file holding no usable file is reported (unzipped, say, into
    a folder of the file's name); one that holds the file is a layout like any other."""
    used = [i.path for identities in found.values() for i in identities]
    for folder in walked.folders_like_files:
        if any(folder in path.parents for path in used):
            continue
        try:
            read_header(folder)
        except UserError as exc:
            report.rejected.append((folder, exc.message))


def _renamed_sft_problem(identity: Identity) -> Message:
    if identity.role is None:
        return identity_problem(identity, SPECS[DIT]) or Message("catalog", "")
    # the loader opens every name that does not end in .safetensors as a pickle
    return Message(
        "catalog",
        QT_TRANSLATE_NOOP(
            "catalog",
            "{file} is the {found} under the old .sft name. MajicFlux opens only files named "
            ".safetensors: rename it to {name} (the content is the same) and scan again.",
        ),
        {
            "file": str(identity.path),
            "found": model_name(identity.name),
            "name": identity.path.with_suffix(".safetensors").name,
        },
    )


def _take(status: RoleStatus, paths: list[Path], identity: Identity) -> None:
    status.paths, status.tiny, status.found_as = paths, identity.tiny, identity.name


def _choose_t5(candidates: list[Identity], status: RoleStatus) -> None:
    """The best complete T5: one file or a folder of shards. Prefers full-size, not float8."""
    options: list[tuple[list[Path], Identity]] = [([i.path], i) for i in candidates if not i.shard]
    by_folder: dict[Path, list[Identity]] = {}
    for identity in candidates:
        if identity.shard:
            by_folder.setdefault(identity.path.parent, []).append(identity)
    for parts in by_folder.values():
        union: dict[str, tuple[int, ...]] = {}
        for part in parts:
            union.update(read_header(part.path).layout)
        known = KNOWN.get(layouts.layout_hash(union))
        if known is not None and known.role == T5:
            folder_paths = sorted(p.path for p in parts)
            options.append((folder_paths, replace(parts[0], name=known.name, tiny=known.tiny)))
    if options:
        paths, best = min(
            options,
            key=lambda o: (o[1].tiny, any(d.startswith("F8") for d in o[1].dtypes), str(o[0][0])),
        )
        _take(status, paths, best)
        return
    lone_parts = [i for i in candidates if i.shard]
    if lone_parts:
        status.paths = sorted(i.path for i in lone_parts)
        status.problems.append(
            Message(
                "catalog",
                QT_TRANSLATE_NOOP(
                    "catalog",
                    "The T5 text encoder is incomplete: found {count} part(s) in {folder}, but not "
                    "all of them. Download the missing part.",
                ),
                {"count": len(lone_parts), "folder": str(lone_parts[0].path.parent)},
            )
        )


def is_clip_tokenizer(folder: Path) -> bool:
    return (folder / "vocab.json").is_file() and (folder / "merges.txt").is_file()


def is_t5_tokenizer(folder: Path) -> bool:
    if (folder / "spiece.model").is_file():
        return True
    config = folder / "tokenizer_config.json"
    if (folder / "tokenizer.json").is_file() and config.is_file():
        try:
            return "T5" in str(json.loads(config.read_text("utf-8")).get("tokenizer_class", ""))
        except (OSError, ValueError):
            return False
    return False


def describe_missing(report: CheckReport) -> Iterable[Message]:
    for status in report.roles.values():
        yield from status.problems
