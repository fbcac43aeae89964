"""The model download, on its own thread (ui/common/download_thread.py), for the whole session.

Owned by the app, not by a window: a download goes on while the window is rebuilt in another
language, and the new window's setup wizard picks it up (`phase`, `last_summary`,
`last_progress`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from majicflux_desktop.core.i18n import Message, UserError
from majicflux_desktop.engine.download import Downloader, DownloadPlan, fetch_plan
from majicflux_desktop.engine.hub import Source, token_from_environment
from majicflux_desktop.engine.transfer import part_size
from majicflux_desktop.ui.common.download_thread import (
    CHUNK_BYTES,
    SHUTDOWN_WAIT_MS,
    DownloadThread,
    Phase,
)

__all__ = ["SHUTDOWN_WAIT_MS", "DownloadRequest", "DownloadService", "Phase", "PlanSummary"]


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


class DownloadService(DownloadThread):
    planned = Signal(object)  # PlanSummary
    finished = Signal(object)  # DownloadRequest: every file is there and verified

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.request: DownloadRequest | None = None  # the latest check or download asked for
        self.last_summary: PlanSummary | None = None

    def check(self, request: DownloadRequest) -> None:
        """Ask the hub what is needed and look at the disk; the answer comes as `planned`."""
        self.refuse_if_busy()
        self.request = request
        self._begin(Phase.CHECKING, lambda: self._plan(request))

    def start(self, request: DownloadRequest) -> None:
        """Plan afresh (files finished meanwhile count as there) and download what is missing."""
        self.refuse_if_busy()
        self.last_progress = None
        self.request = request
        self._begin(Phase.DOWNLOADING, lambda: self._download(request))

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
