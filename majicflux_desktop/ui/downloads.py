"""The model download, on its own thread, for the whole session.

Owned by the app, not by a window: a download goes on while the window is rebuilt in another
language, and the new window's setup wizard picks it up (`phase`, `last_summary`,
`last_progress`). It has its own thread, never the engine's: 22 GB must not hold up a model load
or a generation, and neither may hold up the download. Pause, resume and cancel go straight to
the `DownloadControl`, which the downloading thread checks between chunks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal

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
    failed = Signal(object)  # the exception; UserError (DownloadCancelled too) names the fix

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.setExpiryTimeout(-1)
        self.phase = Phase.IDLE
        self.control = DownloadControl()
        self.last_summary: PlanSummary | None = None
        self.last_progress: Progress | None = None

    @property
    def busy(self) -> bool:
        return self.phase is not Phase.IDLE

    def check(self, request: DownloadRequest) -> None:
        """Ask the hub what is needed and look at the disk; the answer comes as `planned`."""
        self._begin(Phase.CHECKING, lambda: self._plan(request))

    def start(self, request: DownloadRequest) -> None:
        """Plan afresh (files finished meanwhile count as there) and download what is missing."""
        self.last_progress = None
        self._begin(Phase.DOWNLOADING, lambda: self._download(request))

    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def cancel(self) -> None:
        self.control.cancel()

    @property
    def paused(self) -> bool:
        return self.control.paused

    def shutdown(self) -> None:
        """The app is closing: stop the transfer (its `.part` stays for next time) and wait."""
        self.control.cancel()
        if not self._pool.waitForDone(SHUTDOWN_WAIT_MS):
            log.warning("the download thread did not stop in time")

    # -- the download thread -----------------------------------------------------------------------
    def _begin(self, phase: Phase, work: Callable[[], object]) -> None:
        if self.busy:
            raise RuntimeError("a download or check is already running")
        self.control = DownloadControl()
        self._set_phase(phase)
        self._pool.start(lambda: self._guarded(work))

    def _guarded(self, work: Callable[[], object]) -> None:
        try:
            work()
        except Exception as exc:
            if not isinstance(exc, UserError):
                log.exception("the download stopped")
            self._set_phase(Phase.IDLE)
            self.failed.emit(exc)
        else:
            self._set_phase(Phase.IDLE)

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
        self.planned.emit(summary)
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
        self.finished.emit(request)

    def _progress(self, progress: Progress) -> None:
        self.last_progress = progress
        self.progressed.emit(progress)

    def _set_phase(self, phase: Phase) -> None:
        self.phase = phase
        self.phase_changed.emit(phase.value)
