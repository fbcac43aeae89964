"""The app's one LoRA index as the window sees it: scanned off the UI thread, scanned again when a
LoRA folder changes (debounced) or on demand, and asked only cheap questions on the UI thread.

The same `LoraIndex` goes to the engine's worker, so the picker, the prompt and the engine agree on
which files exist, and a hash computed by one is known to the other (one hash cache). Nothing here
reads a whole file on the UI thread: hashing (a favourite's, a dropped image's LoRAs) runs in the
background, and what the widgets ask synchronously is answered from the last scan and the hashes
already known.
"""

from __future__ import annotations

import logging
import os
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QFileSystemWatcher, QObject, QTimer, Signal

from majicflux_desktop.core.i18n import Message, UserError
from majicflux_desktop.core.request import LoraUse
from majicflux_desktop.engine import loras
from majicflux_desktop.engine.lora_files import LoraFile
from majicflux_desktop.engine.loras import LoraIndex
from majicflux_desktop.ui.common.background import run_in_background

log = logging.getLogger("majicflux.ui.loras")

PRIMARY_FOLDER = "loras"  # where new LoRA files go: `<models folder>/loras`, as ComfyUI names it
RESCAN_DELAY_MS = 500  # a copy of many files lands as one rescan
SETTLE_S = 5.0  # a file written this recently may still be copying: look at it again
MAX_WATCHED = 256


@dataclass(frozen=True)
class LoraListing:
    """What the last scan found."""

    files: tuple[LoraFile, ...] = ()
    folders: tuple[Path, ...] = ()  # the LoRA folders that exist and were looked in
    primary: Path | None = None  # `<models folder>/loras`, whether or not it exists yet
    scanned: bool = False  # False until the first scan ends: nothing is "missing" before that
    stopped_early: bool = False  # a folder held more entries than a scan reads

    @property
    def usable(self) -> tuple[LoraFile, ...]:
        return tuple(f for f in self.files if f.ok)

    def named(self, name: str) -> LoraFile | None:
        """The file `<lora:name>` means (its stem, any case): a usable one before a refused one."""
        key = name.strip().casefold()
        same = [f for f in self.files if f.name.casefold() == key]
        return next((f for f in same if f.ok), same[0] if same else None)

    def folders_text(self) -> str:
        shown = self.folders or ((self.primary,) if self.primary is not None else ())
        return "; ".join(str(folder) for folder in shown) or "—"


@dataclass(frozen=True)
class MissingLora:
    use: LoraUse
    problem: Message | None = None  # None: no such file; else why the file found cannot be used


@dataclass(frozen=True)
class FoundLora:
    asked: LoraUse
    file: LoraFile
    sha256: str

    @property
    def use(self) -> LoraUse:
        """The LoRA under the name its file has now, with the file's full hash."""
        return LoraUse(self.file.name, self.asked.weight, self.sha256, self.asked.enabled)


@dataclass(frozen=True)
class LoraResolution:
    """A request's LoRAs looked up in the folders (hash first, then name)."""

    found: tuple[FoundLora, ...] = ()
    missing: tuple[MissingLora, ...] = ()

    @property
    def uses(self) -> tuple[LoraUse, ...]:
        return tuple(found.use for found in self.found)


@dataclass(frozen=True)
class _Scan:
    listing: LoraListing
    hashes: dict[Path, str]  # those known when it ran (cheap: the hash cache, by size and time)
    watch: tuple[str, ...]


class LoraCatalog(QObject):
    scanned = Signal(LoraListing)  # after every scan, the first included
    file_hashed = Signal(str, str)  # a file's path and its SHA-256, once known
    hash_failed = Signal(str, str)  # a file's path and why it could not be read

    def __init__(
        self,
        index: LoraIndex,
        models_dir: Path | None,
        extra: Sequence[Path] = (),
        parent: QObject | None = None,
    ):
        """`models_dir`: the models folder whose `loras` (and `Lora`) folders are looked in; None
        looks only in `extra`."""
        super().__init__(parent)
        self.index = index
        self._models_dir = models_dir
        self._extra = tuple(Path(p) for p in extra)
        self._listing = LoraListing(primary=self._primary())
        self._hashes: dict[Path, str] = {}
        self._resolving: dict[str, int] = {}  # hashes being looked for, and by how many asks
        self._waiting: dict[int, Callable[[], Callable[[LoraResolution], None] | None]] = {}
        self._asks = 0
        self._scanning = False
        self._again = False
        self._stopped = False
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._folder_changed)
        self._delay = QTimer(self, singleShot=True, interval=RESCAN_DELAY_MS)
        self._delay.timeout.connect(self.rescan)
        self._settle = QTimer(self, singleShot=True, interval=int(SETTLE_S * 1000))
        self._settle.timeout.connect(self.rescan)

    # -- the folders ------------------------------------------------------------------------------
    @property
    def listing(self) -> LoraListing:
        return self._listing

    @property
    def scanning(self) -> bool:
        return self._scanning

    def set_folders(self, models_dir: Path | None, extra: Sequence[Path], tiny: bool) -> None:
        """Other folders (Settings changed, the demo began or ended): scan them."""
        extra = tuple(Path(p) for p in extra)
        if (models_dir, extra, tiny) == (self._models_dir, self._extra, self.index.tiny):
            return
        self._models_dir, self._extra = models_dir, extra
        self.index.tiny = tiny
        self._listing = LoraListing(
            self._listing.files, self._listing.folders, self._primary(), self._listing.scanned
        )
        self.rescan()

    def ensure_primary_folder(self) -> Path:
        """Create `<models folder>/loras` if it is not there (raises OSError), and look in it."""
        primary = self._primary()
        if primary is None:
            raise FileNotFoundError("no models folder")
        primary.mkdir(parents=True, exist_ok=True)
        if primary not in self._listing.folders:
            self.rescan()
        return primary

    def _primary(self) -> Path | None:
        return None if self._models_dir is None else self._models_dir / PRIMARY_FOLDER

    # -- scanning ---------------------------------------------------------------------------------
    def rescan(self) -> None:
        """Look at the folders again in the background; `scanned` tells when it is done."""
        if self._stopped:
            return
        self._delay.stop()
        if self._scanning:
            self._again = True  # what changed meanwhile may have been missed: once more after
            return
        self._scanning = True
        self._again = False
        index, models_dir, extra, primary = (
            self.index,
            self._models_dir,
            self._extra,
            self._primary(),
        )

        def work() -> _Scan:
            folders = (
                loras.lora_folders(models_dir, extra)
                if models_dir is not None
                else [f for f in extra if f.is_dir()]
            )
            if folders != index.folders:
                index.set_folders(folders)
            files = index.scan()
            # "" for a file not hashed yet: asked again at the next scan, not at every keystroke
            hashes = {f.path: index.hashes.known(f.path) or "" for f in files}
            listing = LoraListing(tuple(files), tuple(folders), primary, True, index.stopped_early)
            return _Scan(listing, hashes, _folders_to_watch(folders, files, models_dir))

        run_in_background(work, self._scan_done, self._scan_failed)

    def _scan_done(self, scan: _Scan) -> None:
        self._scanning = False
        if self._stopped:
            return
        self._listing = scan.listing
        self._hashes = dict(scan.hashes)
        self._watch(scan.watch)
        self.scanned.emit(scan.listing)
        if self._again:
            self.rescan()
        elif _still_copying(scan.listing.files):
            self._settle.start()

    def _scan_failed(self, exc: Exception) -> None:
        log.warning("could not look at the LoRA folders: %s", exc)
        self._scanning = False
        self._listing = LoraListing(
            self._listing.files, self._listing.folders, self._primary(), True
        )
        self.scanned.emit(self._listing)
        if self._again:
            self.rescan()

    def _watch(self, wanted: Iterable[str]) -> None:
        if self._stopped:
            return
        wanted_set = set(wanted)
        current = set(self._watcher.directories())
        if current - wanted_set:
            self._watcher.removePaths(sorted(current - wanted_set))
        if wanted_set - current:
            self._watcher.addPaths(sorted(wanted_set - current))

    def watched(self) -> list[str]:
        return [] if self._stopped else self._watcher.directories()

    def _folder_changed(self, _path: str) -> None:
        self._delay.start()

    def stop(self) -> None:
        """The app is closing: watch nothing more. The watcher and the timers go now, on this
        thread; left to the garbage collector they could go on a background thread, which Qt
        does not allow."""
        if self._stopped:
            return
        self._stopped = True
        for part in (self._delay, self._settle, self._watcher):
            shiboken6.delete(part)

    # -- cheap questions (UI thread) --------------------------------------------------------------
    def known_hash(self, file: LoraFile) -> str:
        """The file's SHA-256 if some earlier look computed it ("" if not): a stat, no read."""
        known = self._hashes.get(file.path)
        if known is None:  # a file the last scan did not list: ask the hash cache once
            known = self._hashes[file.path] = self.index.hashes.known(file.path) or ""
        return known

    def find_known(self, use: LoraUse) -> LoraFile | None:
        """The file a request's LoRA means, from what is known without reading any file: by its
        hash (full or AutoV2 prefix) among hashed files, then by name."""
        wanted = use.sha256.strip().lower()
        if wanted:
            for file in self._listing.files:
                if file.ok and self.known_hash(file).startswith(wanted):
                    return file
        return self._listing.named(use.name)

    def resolving(self, sha256: str) -> bool:
        """Whether a file with this hash is being looked for (`resolve`)."""
        return sha256 in self._resolving

    # -- work in the background -------------------------------------------------------------------
    def request_hash(self, file: LoraFile) -> None:
        """Hash the file (reading all of it) off the UI thread; `file_hashed` says the result."""
        known = self.known_hash(file)
        if known:
            self.file_hashed.emit(str(file.path), known)
            return
        index = self.index

        def work() -> tuple[str, str]:
            try:
                return str(file.path), index.sha256(file)
            except OSError as exc:
                return str(file.path), "!" + (exc.strerror or str(exc))

        run_in_background(work, self._hashed, _log_failure)

    def _hashed(self, outcome: tuple[str, str]) -> None:
        path, digest = outcome
        if digest.startswith("!"):
            self.hash_failed.emit(path, digest[1:])
            return
        self._hashes[Path(path)] = digest
        self.file_hashed.emit(path, digest)

    def resolve(self, uses: Sequence[LoraUse], on_done: Callable[[LoraResolution], None]) -> None:
        """Find each LoRA's file as the engine would (hash first, full or AutoV2; then name),
        hashing files whose hash is not known yet, off the UI thread; then `on_done` on the UI
        thread (skipped if its widget is gone by then)."""
        index = self.index
        uses = tuple(uses)
        for use in uses:
            if use.sha256:
                self._resolving[use.sha256] = self._resolving.get(use.sha256, 0) + 1

        self._asks += 1
        token = self._asks
        # Kept here, not in the work: the background thread must hold no widget (background.py)
        owner = getattr(on_done, "__self__", None)
        self._waiting[token] = (
            weakref.WeakMethod(on_done) if isinstance(owner, QObject) else lambda: on_done
        )

        def work() -> tuple[int, LoraResolution]:
            found: list[FoundLora] = []
            missing: list[MissingLora] = []
            for use in uses:
                try:
                    file = index.find(use)
                    found.append(FoundLora(use, file, index.sha256(file)))
                except UserError as exc:
                    named = [f for f in index.files() if f.name.casefold() == use.name.casefold()]
                    missing.append(MissingLora(use, exc.message if named else None))
                except Exception as exc:  # gone or unreadable between the scan and now
                    log.info("LoRA %s: %s", use.name, exc)
                    missing.append(MissingLora(use))
            return token, LoraResolution(tuple(found), tuple(missing))

        run_in_background(work, self._resolution_done, _log_failure)

    def _resolution_done(self, outcome: tuple[int, LoraResolution]) -> None:
        token, resolution = outcome
        for found in resolution.found:
            self._hashes[found.file.path] = found.sha256
        for asked in (*(f.asked for f in resolution.found), *(m.use for m in resolution.missing)):
            if asked.sha256 in self._resolving:
                self._resolving[asked.sha256] -= 1
                if not self._resolving[asked.sha256]:
                    del self._resolving[asked.sha256]
        on_done = self._waiting.pop(token)()
        owner = getattr(on_done, "__self__", None)
        if on_done is None or (isinstance(owner, QObject) and not shiboken6.isValid(owner)):
            return  # the widget that asked is gone (the window was rebuilt meanwhile)
        on_done(resolution)


def refusal(file: LoraFile) -> str:
    """Why the file cannot be used, naming it "this file" (where its name or path shows beside
    the reason already); "" if it can be used."""
    if file.problem is None:
        return ""
    this_file = QCoreApplication.translate("LoraCatalog", "This file")
    problem = file.problem
    return Message(problem.context, problem.template, {**problem.params, "file": this_file}).text()


def _log_failure(exc: Exception) -> None:
    log.warning("LoRA work in the background failed: %s", exc)


def _still_copying(files: Iterable[LoraFile]) -> bool:
    now = time.time_ns()
    return any(0 <= now - f.mtime_ns < SETTLE_S * 1e9 for f in files)


def _folders_to_watch(
    folders: Sequence[Path], files: Sequence[LoraFile], models_dir: Path | None
) -> tuple[str, ...]:
    """The LoRA folders, their subfolders and those holding files; and the models folder while
    it has no LoRA folder, so that creating `loras` in it is noticed."""
    wanted: dict[str, None] = {}
    for folder in folders:
        wanted[str(folder)] = None
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_dir():
                        wanted[entry.path] = None
        except OSError:
            continue
    for file in files:
        wanted[str(file.path.parent)] = None
    has_own = any(folder.parent == models_dir for folder in folders)
    if models_dir is not None and not has_own and models_dir.is_dir():
        wanted[str(models_dir)] = None
    return tuple(list(wanted)[:MAX_WATCHED])
