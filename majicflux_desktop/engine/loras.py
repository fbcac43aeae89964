"""Find LoRA files in folders, know them again by hash, and resolve a request's LoRAs to files.

Headers only and no torch: listing a folder of LoRAs takes as long as Model setup's scan. Each file
is identified by lora_files.py (its layout, not its name) and the result is kept until its size or
modification time changes, so a rescan only reads what is new. SHA-256 hashes (the whole file,
streamed) are kept the same way, in memory and optionally in a small JSON file that survives
restarts. The engine applies what `LoraIndex.find` returns (lora_apply.py); the window lists
`LoraIndex.files()`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.core.paths import atomic_write_bytes
from majicflux_desktop.core.request import LoraUse
from majicflux_desktop.engine import lora_files, lora_keys, scan
from majicflux_desktop.engine.lora_files import LoraFile

log = logging.getLogger("majicflux.loras")

# Where LoRAs live inside a models folder: ours and ComfyUI's `loras`, A1111's and Forge's `Lora`.
LORA_FOLDER_NAMES = ("loras", "Lora", "lora", "LoRA")
HASH_CACHE_FILE = "lora-hashes.json"
HASH_CHUNK = 1 << 20
MAX_DEPTH = 6
MAX_ENTRIES = 20_000


def lora_folders(models_dir: str | os.PathLike[str], extra: Iterable[Path] = ()) -> list[Path]:
    """The LoRA folders of a models folder that exist, then `extra`, each real folder once."""
    models_dir = Path(models_dir)
    found: list[Path] = []
    seen: set[str] = set()
    for folder in [*(models_dir / name for name in LORA_FOLDER_NAMES), *map(Path, extra)]:
        real = os.path.normcase(os.path.realpath(folder))
        if folder.is_dir() and real not in seen:
            seen.add(real)
            found.append(folder)
    return found


def autov2(sha256: str) -> str:
    """The short hash A1111, Forge and Civitai show: the SHA-256's first 10 hex digits."""
    return sha256[:10]


class HashCache:
    """SHA-256 of whole files, kept by (path, size, mtime); saved to `folder` if one is given."""

    def __init__(self, folder: Path | None = None):
        self._file = None if folder is None else Path(folder) / HASH_CACHE_FILE
        self._lock = threading.Lock()
        self._known: dict[str, tuple[int, int, str]] = self._saved()

    def _saved(self) -> dict[str, tuple[int, int, str]]:
        found: dict[str, tuple[int, int, str]] = {}
        if self._file is not None:
            with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
                data = json.loads(self._file.read_text("utf-8"))
                for path, (size, mtime, digest) in data.get("files", {}).items():
                    found[str(path)] = (int(size), int(mtime), str(digest))
        return found

    def known(self, path: Path) -> str | None:
        """The hash if it is known for the file as it is now, without reading it."""
        try:
            stat = path.stat()
        except OSError:
            return None
        with self._lock:
            entry = self._known.get(str(path.absolute()))
        if entry is not None and entry[:2] == (stat.st_size, stat.st_mtime_ns):
            return entry[2]
        return None

    def sha256(self, path: Path) -> str:
        digest = self.known(path)
        if digest is not None:
            return digest
        stat = path.stat()
        hasher = hashlib.sha256()
        buffer = bytearray(HASH_CHUNK)
        view = memoryview(buffer)
        with open(path, "rb") as handle:
            while count := handle.readinto(buffer):
                hasher.update(view[:count])
        digest = hasher.hexdigest()
        with self._lock:
            self._known[str(path.absolute())] = (stat.st_size, stat.st_mtime_ns, digest)
        self._save()
        return digest

    def _save(self) -> None:
        if self._file is None:
            return
        saved = self._saved()  # another process (the CLI, the app) may have added some
        with self._lock:
            merged = {**saved, **self._known}
            entries = {p: list(e) for p, e in merged.items() if os.path.exists(p)}
        data = json.dumps({"version": 1, "files": entries}, indent=0, sort_keys=True)
        try:
            atomic_write_bytes(self._file, data.encode("utf-8"))
        except OSError as exc:  # a read-only data folder costs a re-hash next time, no more
            log.warning("could not save LoRA hashes to %s: %s", self._file, exc)


class LoraIndex:
    """The LoRA files of some folders (and single files), identified and ready to resolve.

    Thread-safe: the window lists while the engine's thread resolves and hashes.
    """

    def __init__(
        self,
        folders: Sequence[Path] = (),
        files: Sequence[Path] = (),
        *,
        tiny: bool = False,
        hash_cache: HashCache | None = None,
    ):
        self._lock = threading.RLock()
        self._folders = [Path(f) for f in folders]
        self._files = [Path(f) for f in files]
        self._target = lora_keys.target_for(tiny)
        self._identified: dict[Path, LoraFile] = {}
        self._listing: list[LoraFile] | None = None
        self.hashes = hash_cache or HashCache()
        self.stopped_early = False  # a folder held more entries than a scan looks at

    @classmethod
    def for_models_folder(
        cls,
        models_dir: str | os.PathLike[str],
        extra_folders: Iterable[Path] = (),
        *,
        tiny: bool = False,
        hash_cache_dir: Path | None = None,
    ) -> LoraIndex:
        return cls(
            lora_folders(models_dir, extra_folders),
            tiny=tiny,
            hash_cache=HashCache(hash_cache_dir),
        )

    @property
    def folders(self) -> list[Path]:
        return list(self._folders)

    @property
    def tiny(self) -> bool:
        return self._target is lora_keys.TINY

    @tiny.setter
    def tiny(self, value: bool) -> None:
        """Match against the tiny test transformer instead of FLUX.1 (the engine sets this)."""
        with self._lock:
            if self._target is not lora_keys.target_for(value):
                self._target = lora_keys.target_for(value)
                self._identified.clear()
                self._listing = None

    def set_folders(self, folders: Sequence[Path], files: Sequence[Path] = ()) -> None:
        with self._lock:
            self._folders = [Path(f) for f in folders]
            self._files = [Path(f) for f in files]
            self._listing = None

    def add_file(self, path: Path) -> LoraFile:
        """Use this one file too (`majicflux generate --lora PATH`), wherever it is."""
        path = Path(path)
        with self._lock:
            if path not in self._files:
                self._files.append(path)
                self._listing = None
        return self._identify(path, None)

    # -- listing ----------------------------------------------------------------------------------
    def scan(self) -> list[LoraFile]:
        """Look at the folders again; unchanged files are not read again."""
        with self._lock:
            folders, singles = list(self._folders), list(self._files)
        # Files named one by one come first: asked for by name, they win over a namesake.
        candidates: list[tuple[Path, frozenset[str]]] = [(path, frozenset()) for path in singles]
        stopped = False
        for folder in folders:
            walked = scan.walk(folder, MAX_DEPTH, MAX_ENTRIES) if folder.is_dir() else None
            if walked is None:
                continue
            stopped = stopped or walked.stopped_early
            # The walk keeps only model files: the previews beside them are listed here, once a
            # folder.
            siblings: dict[Path, frozenset[str]] = {}
            for path in walked.files:
                if path.suffix.lower() in scan.MODEL_SUFFIXES:
                    if path.parent not in siblings:
                        siblings[path.parent] = _names_in(path.parent)
                    candidates.append((path, siblings[path.parent]))
        listing: list[LoraFile] = []
        seen: set[object] = set()
        for path, names in candidates:
            identity = _real_identity(path)
            if identity in seen:
                continue
            seen.add(identity)
            listing.append(self._identify(path, names or None))
        with self._lock:
            self._listing = listing
            self.stopped_early = stopped
            present = {f.path for f in listing}
            for gone in [p for p in self._identified if p not in present]:
                del self._identified[gone]
        return list(listing)

    def files(self) -> list[LoraFile]:
        """The last scan's files, usable and refused (scans once if never done)."""
        with self._lock:
            listing = self._listing
        return list(listing) if listing is not None else self.scan()

    def usable(self) -> list[LoraFile]:
        return [f for f in self.files() if f.ok]

    def refused(self) -> list[LoraFile]:
        return [f for f in self.files() if not f.ok]

    def _identify(self, path: Path, siblings: frozenset[str] | None) -> LoraFile:
        try:
            stat = path.stat()
            stamp = (stat.st_size, stat.st_mtime_ns)
        except OSError:
            stamp = (-1, -1)
        with self._lock:
            cached = self._identified.get(path)
            target = self._target
        if cached is not None and (cached.size, cached.mtime_ns) == stamp:
            preview = lora_files.find_preview(path, siblings)
            if preview != cached.preview:  # a picture added later: the header is still read
                cached = _with_preview(cached, preview)
            return cached
        found = lora_files.identify(path, target, siblings)
        with self._lock:
            self._identified[path] = found
        return found

    # -- hashes and resolving ---------------------------------------------------------------------
    def sha256(self, file: LoraFile | Path) -> str:
        return self.hashes.sha256(file.path if isinstance(file, LoraFile) else Path(file))

    def find(self, use: LoraUse) -> LoraFile:
        """The file a request's LoRA means: by its hash first (full, or A1111's short AutoV2
        prefix), then by name (the file's stem, any case). Raises UserError naming the LoRA and
        the fix when none is found, or when the one found cannot be used."""
        files = self.files()
        wanted = use.sha256.strip().lower()
        by_name = [f for f in files if f.name.casefold() == use.name.strip().casefold()]
        found = self._by_hash(wanted, by_name, files) if wanted else None
        if found is None and by_name:
            found = next((f for f in by_name if f.ok), by_name[0])
        if found is None:
            raise UserError(self._missing(use))
        current = self._identify(found.path, None)  # changed since the scan? read it again
        if current.problem is not None:
            raise UserError(current.problem)
        return current

    def _by_hash(
        self, wanted: str, by_name: list[LoraFile], files: list[LoraFile]
    ) -> LoraFile | None:
        usable = [f for f in files if f.ok]
        # Known hashes cost nothing; then the file of the same name (most likely the one), then
        # the others (read once: the hash cache remembers them).
        for file in usable:
            known = self.hashes.known(file.path)
            if known is not None and known.startswith(wanted):
                return file
        ordered = [f for f in by_name if f.ok] + [f for f in usable if f not in by_name]
        for file in ordered:
            if self.hashes.known(file.path) is not None:
                continue
            try:
                if self.sha256(file).startswith(wanted):
                    return file
            except OSError:
                continue
        return None

    def _missing(self, use: LoraUse) -> Message:
        folders = ", ".join(str(f) for f in self._folders) or "-"
        if use.sha256:
            return Message(
                "loras",
                QT_TRANSLATE_NOOP(
                    "loras",
                    "The LoRA “{name}” (hash {hash}) is not in the LoRA folders ({folders}). Put "
                    "the file in one of them, or remove the LoRA from the list.",
                ),
                {"name": use.name, "hash": use.sha256[:10], "folders": folders},
            )
        return Message(
            "loras",
            QT_TRANSLATE_NOOP(
                "loras",
                "The LoRA “{name}” is not in the LoRA folders ({folders}). Put the file "
                "{name}.safetensors in one of them, or remove the LoRA from the list.",
            ),
            {"name": use.name, "folders": folders},
        )


def _names_in(folder: Path) -> frozenset[str]:
    try:
        return frozenset(os.listdir(folder))
    except OSError:
        return frozenset()


def _with_preview(file: LoraFile, preview: Path | None) -> LoraFile:
    return dataclasses.replace(file, preview=preview)


def _real_identity(path: Path) -> object:
    try:
        stat = path.stat()
    except OSError:
        return str(path)
    return (stat.st_dev, stat.st_ino) if stat.st_ino else os.path.realpath(path)
