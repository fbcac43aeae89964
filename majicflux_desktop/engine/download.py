"""Download the required model files from ModelScope (default), Hugging Face or a mirror of it.

Two steps: `fetch_plan` asks the hub what the files are (sizes, hashes) and what is on disk
already; the `Downloader` fetches the rest, one file after another, and checks each before it gets
its real name. The hub's URL shapes, listings and errors are in hub.py; progress, pause / cancel,
retries and the resumable `.part` file in transfer.py.

Network is touched only by `fetch_plan` and `Downloader.run`, never at import.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.client
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from majicflux_desktop.core import faults
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.core.paths import replace_file
from majicflux_desktop.engine import catalog, layouts
from majicflux_desktop.engine.hub import (
    CTX,
    HUGGINGFACE,
    HubClient,
    RangeRefused,
    RemoteFile,
    Source,
    Transient,
    failure_reason,
    modelscope,
)
from majicflux_desktop.engine.planned import PART, STATE, PlannedFile, beside, target_path
from majicflux_desktop.engine.transfer import (
    DownloadCancelled,
    DownloadControl,
    FileProgress,
    FileState,
    Meter,
    PartFile,
    Progress,
    ProgressCallback,
    Received,
    RetryPolicy,
    disk_problem,
    format_bytes,
    part_size,
    unreachable,
    with_retries,
)

# majicflus_v1 is published on ModelScope only; from a Hugging Face source it still comes from there
ON_HUGGINGFACE = frozenset({catalog.FLUX_DEV})
SPACE_MARGIN = 256 * 1024 * 1024  # headroom beyond the files themselves


def _msg(template: str, **params: Any) -> Message:
    return Message(CTX, template, params)


# -- the plan: what comes from where, and where it goes -----------------------------------------------


@dataclass(frozen=True)
class DownloadPlan:
    models_dir: Path
    source: Source  # the one the user chose; a token is sent to it only
    files: tuple[PlannedFile, ...]
    notes: tuple[Message, ...] = ()

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def remaining_bytes(self) -> int:
        """Still to transfer: parts already on disk count as had."""
        return sum(f.size - part_size(f) for f in self.files if not f.present)

    def free_bytes(self) -> int:
        try:
            return shutil.disk_usage(_existing_ancestor(self.models_dir)).free
        except OSError as exc:  # a drive letter with no drive behind it, a network share gone
            raise UserError(
                _msg(
                    QT_TRANSLATE_NOOP(
                        "download",
                        "Cannot read the free space of the drive for {folder} ({reason}). Check "
                        "that the drive is connected, or choose a models folder on another drive.",
                    ),
                    folder=str(self.models_dir),
                    reason=exc.strerror or str(exc),
                )
            ) from exc

    def check_space(self) -> None:
        free, needed = self.free_bytes(), self.remaining_bytes
        if needed and needed + SPACE_MARGIN > free:
            raise UserError(
                _msg(
                    QT_TRANSLATE_NOOP(
                        "download",
                        "Not enough free space: the download needs {need} more, and the drive "
                        "holding {folder} has {free} free. Free up {short}, or choose a models "
                        "folder on another drive.",
                    ),
                    need=format_bytes(needed),
                    free=format_bytes(free),
                    short=format_bytes(needed + SPACE_MARGIN - free),
                    folder=str(self.models_dir),
                )
            )


def _existing_ancestor(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def fetch_plan(
    models_dir: str | os.PathLike[str],
    source: Source | None = None,
    token: str | None = None,
    roles: Iterable[str] | None = None,
    fallback: Source | None = None,
    retry: RetryPolicy | None = None,
    control: DownloadControl | None = None,
    sleep: Callable[[float], None] | None = None,
) -> DownloadPlan:
    """Ask the hub(s) what the required files are (sizes, hashes) and see what is on disk already.

    `roles` limits the plan (e.g. only the tokenizers a ComfyUI folder lacks). Files of a
    repository the source does not carry come from `fallback` (ModelScope), with a note.
    `control` lets the UI cancel while the listing is being retried.
    """
    control = control or DownloadControl()
    sleep = sleep or control.sleep
    models_dir = Path(models_dir)
    source = source or modelscope()
    fallback = fallback or modelscope()
    wanted = set(roles) if roles is not None else {spec.role for spec in catalog.REQUIRED}
    unknown = wanted - set(catalog.SPECS)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    clients = {source: HubClient(source, token, connections=control.connections)}
    listings: dict[tuple[Source, str], dict[str, RemoteFile]] = {}
    files: list[PlannedFile] = []
    notes: list[Message] = []
    for spec in catalog.REQUIRED:
        if spec.role not in wanted:
            continue
        origin = source
        if source.api == HUGGINGFACE and spec.repo not in ON_HUGGINGFACE:
            origin = fallback
            notes.append(_fallback_note(spec, source, fallback))
        if origin not in clients:
            clients[origin] = HubClient(origin, connections=control.connections)
        client = clients[origin]
        key = (origin, spec.repo)
        if key not in listings:
            listing = functools.partial(client.list_files, spec.repo)
            listings[key] = with_retries(listing, retry or RetryPolicy(), sleep, origin.host)
        for path in spec.files:
            remote = listings[key].get(path)
            if remote is None:
                raise UserError(
                    _msg(
                        QT_TRANSLATE_NOOP(
                            "download",
                            "{path} is not in {repo} on {source} any more. The repository has "
                            "changed; try another source or update MajicFlux.",
                        ),
                        path=path,
                        repo=spec.repo,
                        source=origin.name,
                    )
                )
            target = target_path(models_dir, spec, path)
            planned = PlannedFile(spec.role, spec.repo, path, origin, remote, target)
            files.append(replace(planned, present=_already_there(planned)))
    return DownloadPlan(models_dir, source, tuple(files), tuple(notes))


def interrupted_bytes(models_dir: str | os.PathLike[str]) -> int:
    """What an earlier download left in `.part` files under `models_dir`: continued, not redone."""
    total = 0
    for spec in catalog.REQUIRED:
        for path in spec.files:
            target = target_path(Path(models_dir), spec, path)
            part, sidecar = beside(target, PART), beside(target, STATE)
            with contextlib.suppress(OSError):
                if sidecar.is_file():
                    total += part.stat().st_size
    return total


def _fallback_note(spec: catalog.FileSpec, source: Source, fallback: Source) -> Message:
    return _msg(
        QT_TRANSLATE_NOOP(
            "download", "{repo} is not published on {source}; its files come from {fallback}."
        ),
        repo=spec.repo,
        source=source.name,
        fallback=fallback.name,
    )


SMALL_FILE = 16 << 20  # re-hashed when found on disk; weights are only size- and layout-checked


def _already_there(file: PlannedFile) -> bool:
    """Complete on disk: right size and layout; small files also the right hash."""
    try:
        if file.target.stat().st_size != file.size:
            return False
        if file.role in catalog.WEIGHT_ROLES:
            return catalog.identify(file.target).role == file.role
        if file.size <= SMALL_FILE:
            return _hashes_match(file, file.target.read_bytes())
    except (OSError, UserError):
        return False
    return True


def _hashes_match(file: PlannedFile, data: bytes) -> bool:
    remote = file.remote
    if remote.sha256 and hashlib.sha256(data).hexdigest() != remote.sha256.lower():
        return False
    if remote.git_sha1:
        blob = hashlib.sha1(f"blob {len(data)}\0".encode() + data, usedforsecurity=False)
        return blob.hexdigest() == remote.git_sha1.lower()
    return True


class _Rejected(Exception):
    """The received file is not the published one (size, hash or layout)."""

    def __init__(self, message: Message):
        super().__init__(message.english())
        self.message = message


# -- the downloader ---------------------------------------------------------------------------------


class Downloader:
    """Fetches a plan's files one after another into `<models_dir>/<repo>/<path>`.

    A file is streamed into `<name>.part` (resumed with HTTP Range, also after a restart), checked
    (size, the hub's hash, the tensor layout) and only then renamed. A file that fails its check is
    set aside as `<name>.corrupt` and fetched once more; it is never given its real name.
    `run` blocks; `control` pauses, resumes or cancels it from another thread, and `on_progress`
    is called in the downloading thread.
    """

    def __init__(
        self,
        plan: DownloadPlan,
        *,
        token: str | None = None,
        on_progress: ProgressCallback | None = None,
        control: DownloadControl | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        chunk_bytes: int = 1 << 20,
        timeout_s: float = 30.0,
        report_every_s: float = 0.25,
    ):
        self.plan = plan
        self.control = control or DownloadControl()
        self.on_progress = on_progress
        self.retry = retry or RetryPolicy()
        self.sleep = sleep or self.control.sleep
        self.clock = clock
        self.chunk_bytes = chunk_bytes
        self.report_every_s = report_every_s
        self._clients: dict[Source, HubClient] = {}
        self._token, self._timeout_s = token, timeout_s
        self._states = [FileState.PRESENT if f.present else FileState.WAITING for f in plan.files]
        self._done = [f.size if f.present else part_size(f) for f in plan.files]
        self._current: int | None = None
        self._meter = Meter(clock)
        self._last_report = float("-inf")
        self._note: Message | None = None

    def run(self) -> list[Path]:
        """Download every file not yet complete; returns the final paths of all files."""
        self.plan.check_space()
        for index, file in enumerate(self.plan.files):
            if self._states[index] is not FileState.PRESENT:
                self._fetch_verified(index, file)
        self._current = None
        self._check_multi_file_roles()
        self._emit(force=True)
        return [file.target for file in self.plan.files]

    def _client(self, source: Source) -> HubClient:
        if source not in self._clients:
            token = self._token if source == self.plan.source else None
            self._clients[source] = HubClient(
                source, token, self._timeout_s, self.control.connections
            )
        return self._clients[source]

    # one file, checked, with one more try after a failed check
    def _fetch_verified(self, index: int, file: PlannedFile) -> None:
        self._current = index
        for attempt in (1, 2):
            try:
                received = self._transfer(index, file)
                self._set_state(index, FileState.VERIFYING)
                self._verify(file, received)
                self._promote(file)
            except _Rejected as exc:
                self._set_aside(file)
                self._done[index] = 0
                if attempt == 2:
                    self._set_state(index, FileState.FAILED)
                    raise UserError(_twice_failed(file, exc.message)) from None
                self._note = exc.message
                self._set_state(index, FileState.WAITING)
                continue
            except (DownloadCancelled, KeyboardInterrupt):
                self._set_state(index, FileState.WAITING)  # resumable, not failed
                raise
            except BaseException:
                self._set_state(index, FileState.FAILED)
                raise
            self._set_state(index, FileState.DONE)
            return

    def _transfer(self, index: int, file: PlannedFile) -> Received:
        part = PartFile(file)
        try:
            part.open(self.control)
            self._done[index] = part.size
            failures = 0
            while part.size < file.size:
                self._pause_point(index)
                before = part.size
                try:
                    self._stream(index, file, part)
                except Transient as exc:
                    self.control.check()  # a cancel cuts the connection: not a failure to retry
                    failures = 1 if part.size > before else failures + 1
                    if failures >= self.retry.attempts:
                        raise unreachable(file.source.host, str(exc), failures) from exc
                    self._retry_wait(index, file, str(exc), failures)
            return part.finish()
        finally:
            part.close()

    def _pause_point(self, index: int) -> None:
        if self.control.paused:
            self._set_state(index, FileState.PAUSED)
            self.control.wait_while_paused()
            self._meter.restart()
        self.control.check()
        self._set_state(index, FileState.DOWNLOADING)

    def _retry_wait(self, index: int, file: PlannedFile, reason: str, failures: int) -> None:
        delay = self.retry.delay(failures)
        self._note = _msg(
            QT_TRANSLATE_NOOP(
                "download", "{file}: {reason}. Trying again in {delay:.0f} s ({tries} of {limit})."
            ),
            file=file.path,
            reason=reason,
            delay=delay,
            tries=failures,
            limit=self.retry.attempts - 1,
        )
        self._set_state(index, FileState.RETRYING)
        self.sleep(delay)
        self._meter.restart()

    def _stream(self, index: int, file: PlannedFile, part: PartFile) -> None:
        """One HTTP response into the part; returns when it ends or a pause asks to stop."""
        client = self._client(file.source)
        headers = {"Range": f"bytes={part.size}-"} if part.size else {}
        url = file.url or client.file_url(file.repo, file.path)
        try:
            response = client.open(url, headers, repo=file.repo, path=file.path)
        except RangeRefused:
            raise _Rejected(_wrong_size(file, part.size, None)) from None
        with response:
            self._start_body(response, file, part)
            self._done[index] = part.size
            while part.size < file.size:
                if self.control.paused:
                    return  # closes the connection; the next request continues with Range
                self.control.check()
                try:
                    chunk = response.read(self.chunk_bytes)
                except (OSError, http.client.HTTPException) as exc:
                    raise Transient(failure_reason(exc)) from exc
                if not chunk:
                    raise Transient(f"connection closed at {part.size} of {file.size} bytes")
                if part.size + len(chunk) > file.size:
                    raise _Rejected(_wrong_size(file, part.size + len(chunk), None))
                part.write(chunk)
                faults.point("download-chunk")
                self._advance(index, part.size)
            if response.read(1):
                raise _Rejected(_wrong_size(file, file.size + 1, None))

    def _start_body(
        self, response: http.client.HTTPResponse, file: PlannedFile, part: PartFile
    ) -> None:
        """Match the response to the part: continue, start over, or refuse a wrong size."""
        content_range = _content_range(response.headers.get("Content-Range"))
        if response.status == 206 and content_range is not None:
            start, total = content_range
            if start != part.size:
                part.restart()
                raise Transient(f"the server resumed at byte {start}, not {part.size}")
            announced = total
        else:
            if part.size:
                part.restart()  # the server ignored Range: this body is the whole file
            length = response.headers.get("Content-Length")
            announced = int(length) if length and length.isdigit() else None
        if announced is not None and announced != file.size:
            raise _Rejected(_wrong_size(file, announced, file.source))

    def _verify(self, file: PlannedFile, received: Received) -> None:
        remote = file.remote
        if received.size != remote.size:
            raise _Rejected(_wrong_size(file, received.size, None))
        if remote.sha256 and received.sha256 != remote.sha256.lower():
            raise _Rejected(_bad_hash(file, "SHA-256"))
        if remote.git_sha1 and received.git_sha1 != remote.git_sha1.lower():
            raise _Rejected(_bad_hash(file, "git SHA-1"))
        if file.role in catalog.WEIGHT_ROLES:
            self._verify_layout(file)
        elif file.path.endswith(".json"):
            try:
                json.loads(file.part.read_bytes().decode("utf-8"))
            except (ValueError, OSError):
                raise _Rejected(_not_layout(file, "not valid JSON")) from None

    def _verify_layout(self, file: PlannedFile) -> None:
        try:
            identity = catalog.identify(file.part, check_suffix=False)
        except UserError as exc:
            raise _Rejected(
                _msg(
                    QT_TRANSLATE_NOOP("download", "{file} failed the layout check: {reason}"),
                    file=file.path,
                    reason=exc.message,  # a Message: translated when shown
                )
            ) from None
        if identity.role != file.role:
            found: Message | str = f"layout {identity.layout_hash[:12]}"
            if identity.name:
                found = catalog.model_name(identity.name)
            elif identity.family:
                found = Message("catalog", identity.family)
            raise _Rejected(_not_layout(file, found))

    def _promote(self, file: PlannedFile) -> None:
        try:
            replace_file(file.part, file.target)
            file.state_file.unlink(missing_ok=True)
            file.corrupt.unlink(missing_ok=True)  # the earlier bad copy is no longer needed
        except OSError as exc:
            raise disk_problem(exc, file, file.size) from exc
        _fsync_folder(file.target.parent)

    def _set_aside(self, file: PlannedFile) -> None:
        with contextlib.suppress(OSError):
            if file.part.stat().st_size:
                replace_file(file.part, file.corrupt)
            else:
                file.part.unlink()  # refused from the headers: nothing worth keeping
        with contextlib.suppress(OSError):
            file.state_file.unlink()

    def _check_multi_file_roles(self) -> None:
        """The T5 parts, each checked alone, must also make the whole model together."""
        for spec in catalog.REQUIRED:
            targets = [f.target for f in self.plan.files if f.role == spec.role]
            if len(targets) < 2 or spec.role not in catalog.WEIGHT_ROLES:
                continue
            union: layouts.Layout = {}
            for target in targets:
                union.update(catalog.read_header(target).layout)
            known = catalog.KNOWN.get(layouts.layout_hash(union))
            if known is None or known.role != spec.role:
                raise UserError(
                    _msg(
                        QT_TRANSLATE_NOOP(
                            "download",
                            "The parts of the {title} do not fit together (files: {files}). "
                            "Delete them and download again.",
                        ),
                        title=spec.label,
                        files=", ".join(str(t) for t in targets),
                    )
                )

    # progress
    def _advance(self, index: int, done: int) -> None:
        self._meter.add(done - self._done[index])
        self._done[index] = done
        self._emit()

    def _set_state(self, index: int, state: FileState) -> None:
        changed = self._states[index] is not state
        self._states[index] = state
        if state in (FileState.DONE, FileState.PRESENT):
            self._done[index] = self.plan.files[index].size
        if changed:
            self._emit(force=True)

    def snapshot(self) -> Progress:
        files = tuple(
            FileProgress(f, s, d)
            for f, s, d in zip(self.plan.files, self._states, self._done, strict=True)
        )
        done, total = sum(self._done), self.plan.total_bytes
        rate = self._meter.rate()
        current = None if self._current is None else files[self._current]
        return Progress(
            files=files,
            current=self._current,
            done_bytes=done,
            total_bytes=total,
            bytes_per_second=rate,
            eta_s=(total - done) / rate if rate else None,
            file_eta_s=(current.file.size - current.done_bytes) / rate
            if rate and current
            else None,
            paused=self.control.paused,
            note=self._note,
        )

    def _emit(self, force: bool = False) -> None:
        if self.on_progress is None:
            return
        now = self.clock()
        if force or now - self._last_report >= self.report_every_s:
            self._last_report = now
            self.on_progress(self.snapshot())


def _content_range(value: str | None) -> tuple[int, int | None] | None:
    match = re.fullmatch(r"\s*bytes\s+(\d+)-\d+/(\d+|\*)\s*", value or "")
    if match is None:
        return None
    return int(match.group(1)), None if match.group(2) == "*" else int(match.group(2))


def _wrong_size(file: PlannedFile, got: int, source: Source | None) -> Message:
    return _msg(
        QT_TRANSLATE_NOOP(
            "download",
            "{file}: the server sent {got} bytes where {source} lists {want}. Its copy may be "
            "changing or damaged; try again later or choose another source.",
        ),
        file=file.path,
        got=got,
        want=file.size,
        source=(source or file.source).name,
    )


def _bad_hash(file: PlannedFile, kind: str) -> Message:
    return _msg(
        QT_TRANSLATE_NOOP(
            "download",
            "{file} failed its {kind} check: the downloaded bytes are not the published file "
            "(damaged on the way).",
        ),
        file=file.path,
        kind=kind,
    )


def _not_layout(file: PlannedFile, found: Message | str) -> Message:
    return _msg(
        QT_TRANSLATE_NOOP("download", "{file} is not the {expected}: its content is {found}."),
        file=file.path,
        expected=catalog.SPECS[file.role].label,
        found=found,
    )


def _twice_failed(file: PlannedFile, reason: Message) -> Message:
    return _msg(
        QT_TRANSLATE_NOOP(
            "download",
            "{reason} It failed again after a second download, so it was not used; the last "
            "copy was set aside as {corrupt}. Try another source, or try again later.",
        ),
        reason=reason,  # a Message: translated when shown
        corrupt=str(file.corrupt),
    )


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a folder for fsync; NTFS journals the rename
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def download(
    models_dir: str | os.PathLike[str],
    source: Source | None = None,
    token: str | None = None,
    roles: Sequence[str] | None = None,
    on_progress: ProgressCallback | None = None,
    control: DownloadControl | None = None,
) -> list[Path]:
    """Plan and download in one call (the CLI and the setup page use the two steps)."""
    plan = fetch_plan(models_dir, source, token, roles, control=control)
    return Downloader(plan, token=token, on_progress=on_progress, control=control).run()
