"""The model download, on its own thread, for the whole session.

Owned by the app, not by a window: a download goes on while the window is rebuilt in another
language, and the new window's setup wizard picks it up (`phase`, `last_summary`,
`last_progress`). It has its own thread, never the engine's: 22 GB must not hold up a model load
or a generation, and neither may hold up the download. Pause, resume and cancel go straight to
the `DownloadControl`: pause is seen between chunks, and cancel also cuts the connection, so a
read blocked on a stalled server ends at once and `shutdown` does not wait for its timeout.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, SignalInstance

from majicflux_desktop.core.i18n import Message, UserError
from majicflux_desktop.engine.download import Downloader, DownloadPlan, fetch_plan
from majicflux_desktop.engine.hub import Source, token_from_environment
from majicflux_desktop.engine.transfer import DownloadControl, Progress, part_size

log = logging.getLogger("majicflux.ui.downloads")

# Pause and cancel act between chunks: 64 KiB is under a second even on a slow line
CHUNK_BYTES = 64 * 1024
SHUTDOWN_WAIT_MS = 10_000


@dataclass(frozen=True)
class DownloadRequest:
    models_dir: Path
    source: Source
    source_setting: str  # as the settings keep it: "modelscope", "huggingface" or the mirror's URL
    token: str | None = None
    roles: tuple[str, ...] | None = None  # None: every required file
    # the other roles, served by files elsewhere (settings.model_files to store after): kept with
    # the request so a window rebuilt during the download still knows them
    keep: Mapping[str, tuple[Path, ...]] = field(default_factory=dict)

    def token_to_use(self) -> str | None:
        return (self.token or "").strip() or token_from_environment(self.source)


@dataclass(frozen=True)
class PlanSummary:
    """What `Check` tells before a byte is fetched."""

    request: DownloadRequest
    plan: DownloadPlan
    free_bytes: int
    resumed_bytes: int  # in `.part` files from an earlier run: continued, not fetched again
    space_problem: Message | None  # not enough room on that drive, with the fix

    @property
    def present_bytes(self) -> int:
        return sum(f.size for f in self.plan.files if f.present)


def summarize(request: DownloadRequest, plan: DownloadPlan) -> PlanSummary:
    try:
        plan.check_space()
        problem = None
    except UserError as exc:
        problem = exc.message
    resumed = sum(part_size(f) for f in plan.files if not f.present)
    return PlanSummary(request, plan, plan.free_bytes(), resumed, problem)


class Phase(str, Enum):
    IDLE = "idle"
    CHECKING = "checking"  # asking the hub for the file list
    DOWNLOADING = "downloading"


class DownloadService(QObject):
    phase_changed = Signal(str)  # Phase value
    planned = Signal(object)  # PlanSummary
    progressed = Signal(object)  # transfer.Progress
    finished = Signal(object)  # DownloadRequest: every file is there and verified
    # the exception and the Phase value it stopped in; UserError (DownloadCancelled too) names
    # the fix
    failed = Signal(object, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.setExpiryTimeout(-1)
        self._emitting = threading.RLock()
        self._shut_down = False  # after `shutdown` the download thread says nothing more
        self.phase = Phase.IDLE
        self.control = DownloadControl()
        self.request: DownloadRequest | None = None  # the latest check or download asked for
        self.last_summary: PlanSummary | None = None
        self.last_progress: Progress | None = None

    @property
    def busy(self) -> bool:
        return self.phase is not Phase.IDLE

    def check(self, request: DownloadRequest) -> None:
        """Ask the hub what is needed and look at the disk; the answer comes as `planned`."""
        self._begin(Phase.CHECKING, request, lambda: self._plan(request))

    def start(self, request: DownloadRequest) -> None:
        """Plan afresh (files finished meanwhile count as there) and download what is missing."""
        self.last_progress = None
        self._begin(Phase.DOWNLOADING, request, lambda: self._download(request))

    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def cancel(self) -> None:
        self.control.cancel()

    @property
    def paused(self) -> bool:
        return self.control.paused

    def shutdown(self, wait_ms: int = SHUTDOWN_WAIT_MS) -> bool:
        """The app is closing: stop the transfer (its `.part` stays for next time) and wait.

        From here on no signal is emitted: the windows listening may be gone. False if the
        thread was still busy after `wait_ms` (-1: no limit); only a name lookup or a connection
        being made can hold it that long, and its files must be left alone until it ends.
        """
        with self._emitting:
            self._shut_down = True
        self.control.cancel()
        done = self._pool.waitForDone(wait_ms)
        if not done:
            log.warning("the download thread did not stop in time")
        return done

    # -- the download thread -----------------------------------------------------------------------
    def _begin(self, phase: Phase, request: DownloadRequest, work: Callable[[], object]) -> None:
        if self.busy or self._shut_down:
            raise RuntimeError("a download or check is already running, or the app is closing")
        self.control = DownloadControl()
        self.request = request
        self._set_phase(phase)
        self._pool.start(lambda: self._guarded(phase, work))

    def _guarded(self, phase: Phase, work: Callable[[], object]) -> None:
        try:
            work()
        except Exception as exc:
            if not isinstance(exc, UserError):
                log.exception("the download stopped")
            self._set_phase(Phase.IDLE)
            self._emit(self.failed, exc, phase.value)
        else:
            self._set_phase(Phase.IDLE)

    def _emit(self, signal: SignalInstance, *args: Any) -> None:
        with self._emitting:  # `shutdown` cannot slip in between the test and the emit
            if not self._shut_down:
                signal.emit(*args)

    def _plan(self, request: DownloadRequest) -> PlanSummary:
        plan = fetch_plan(
            request.models_dir,
            request.source,
            request.token_to_use(),
            request.roles,
            control=self.control,
        )
        summary = summarize(request, plan)
        self.last_summary = summary
        self._emit(self.planned, summary)
        return summary

    def _download(self, request: DownloadRequest) -> None:
        summary = self._plan(request)
        if summary.space_problem is not None:
            raise UserError(summary.space_problem)
        downloader = Downloader(
            summary.plan,
            token=request.token_to_use(),
            on_progress=self._progress,
            control=self.control,
            chunk_bytes=CHUNK_BYTES,
        )
        downloader.run()
        self._emit(self.finished, request)

    def _progress(self, progress: Progress) -> None:
        self.last_progress = progress
        self._emit(self.progressed, progress)

    def _set_phase(self, phase: Phase) -> None:
        self.phase = phase
        self._emit(self.phase_changed, phase.value)
