"""The worker's news, shown: engine state, progress, results and failures, each on its panel.

The presenter is a QObject living in the UI thread, so Qt queues every call from the worker's
thread into it (a lambda would run in the worker's thread and touch widgets from there). It is
handed the panels it updates, not the window; after `detach` the news still on its way is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from majicflux_desktop.core.library import ImageRecord, Job
from majicflux_desktop.core.results import LoadReport, Progress, StepTiming
from majicflux_desktop.engine.scan import CheckReport
from majicflux_desktop.ui.common.durations import format_clock
from majicflux_desktop.ui.common.notices import NoticeBar
from majicflux_desktop.ui.gallery.gallery_panel import GalleryPanel
from majicflux_desktop.ui.gallery.image_details import ImageDetails
from majicflux_desktop.ui.generate.queue_panel import QueuePanel
from majicflux_desktop.ui.setup.wizard import SetupWizard
from majicflux_desktop.ui.window.status import StatusLine
from majicflux_desktop.ui.window.vram_gauge import VramGauge
from majicflux_desktop.ui.worker import EngineState, EngineWorker

LOADING_STATES = (EngineState.STARTING, EngineState.CHECKING, EngineState.LOADING)


@dataclass(frozen=True)
class Panels:
    """What the worker's news updates."""

    queue: QueuePanel
    gallery: GalleryPanel
    details: ImageDetails
    gauge: VramGauge
    notices: NoticeBar
    status: StatusLine
    setup: SetupWizard


class WorkerPresenter(QObject):
    engine_state_changed = Signal(EngineState)  # the window shows Model setup or the workspace
    log_folder_requested = Signal()

    def __init__(self, worker: EngineWorker, panels: Panels, parent: QObject | None = None):
        super().__init__(parent)
        self.panels = panels
        self.engine_state = EngineState.STARTING
        self.attached = True
        self._connections = [
            (worker.engine_state_changed, self.on_engine_state),
            (worker.models_checked, self.on_models_checked),
            (worker.models_loaded, self.on_models_loaded),
            (worker.job_changed, self.on_job_changed),
            (worker.job_started, self.on_job_started),
            (worker.progressed, self.on_progress),
            (worker.preview_ready, self.on_preview),
            (worker.image_saved, self.on_image_saved),
            (worker.timing_measured, self.on_timing),
            (worker.job_finished, self.on_job_finished),
            (worker.job_failed, self.on_job_failed),
            (worker.job_cancelled, self.on_job_cancelled),
            (worker.notice, self.on_notice),
        ]
        for signal, slot in self._connections:
            signal.connect(slot)

    def detach(self) -> None:
        self.attached = False
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []

    def on_engine_state(self, state: EngineState, message: str) -> None:
        if not self.attached:
            return
        self.engine_state = state
        p = self.panels
        p.setup.set_engine_state(state)
        if state in LOADING_STATES:
            hint = self.tr("You can write a prompt and queue it meanwhile.")
            p.status.show_engine_banner(f"{message} {hint}".strip(), busy=True)
        elif state is EngineState.FAILED:
            p.status.show_engine_banner(message, failed=True)
        else:
            p.status.hide_engine_banner()
        p.status.set_engine_state(self.state_text(state))
        self.engine_state_changed.emit(state)

    def state_text(self, state: EngineState) -> str:
        return {
            EngineState.STARTING: self.tr("Starting…"),
            EngineState.CHECKING: self.tr("Checking the model files…"),
            EngineState.MISSING: self.tr("Model files missing"),
            EngineState.LOADING: self.tr("Loading models…"),
            EngineState.READY: self.tr("Ready"),
            EngineState.BUSY: self.tr("Generating…"),
            EngineState.FAILED: self.tr("Models not loaded"),
        }[state]

    def on_models_checked(self, report: CheckReport) -> None:
        if self.attached:
            self.panels.setup.show_report(report)

    def on_models_loaded(self, report: LoadReport) -> None:
        if not self.attached:
            return
        reason = "" if report.reason is None else report.reason.text()
        if report.compiled:
            compiled = self.tr("on: each new image size compiles once on this PC")
        elif report.compile_note is not None:
            compiled = self.tr("off: {why}").format(why=report.compile_note.text())
        else:
            compiled = ""
        self.panels.gauge.set_plan(
            report.plan, report.budget_bytes, reason, report.host_bytes, compiled
        )
        self.panels.status.show_message(
            self.tr("Models loaded in {seconds:.1f} s (plan {plan}, {device}).").format(
                seconds=report.seconds, plan=report.plan, device=report.device
            ),
            8000,
        )

    def on_job_changed(self, job: Job) -> None:
        if self.attached:
            self.panels.queue.on_job_changed(job)

    def on_job_started(self, job: Job) -> None:
        if self.attached:
            self.panels.gauge.job_started()

    def on_progress(self, job_id: int, progress: Progress) -> None:
        if self.attached:
            self.panels.queue.on_progress(job_id, progress)

    def on_timing(self, timing: StepTiming) -> None:
        if self.attached:
            self.panels.queue.on_timing(timing)

    def on_notice(self, text: str) -> None:
        if self.attached:
            self.panels.notices.add(text, "warning")

    def on_preview(self, job_id: int, image: QImage) -> None:
        if self.attached:
            self.panels.details.show_preview(image)

    def on_image_saved(self, record: ImageRecord) -> None:
        if not self.attached:
            return
        p = self.panels
        # The gallery selects the new image itself unless the user is looking at another one.
        p.gallery.add_record(record)
        p.gauge.job_ended(record.peak_vram_bytes)
        p.gauge.job_started()  # the next image of the job: a fresh peak

    def on_job_finished(self, job: Job, record: ImageRecord | None) -> None:
        if not self.attached:
            return
        p = self.panels
        p.gauge.job_ended(None if record is None else record.peak_vram_bytes)
        self._end_preview(record)
        if record is not None:
            text = self.tr("Done: seed {seed} · {seconds}").format(
                seed=record.seed, seconds=format_clock(record.duration_s)
            )
            p.status.show_message(text, 8000)

    def on_job_failed(self, job: Job, message: str) -> None:
        if not self.attached:
            return
        p = self.panels
        p.gauge.job_ended()
        self._end_preview(None)
        p.notices.add(
            message, "error", (self.tr("Open log folder"), self.log_folder_requested.emit)
        )

    def on_job_cancelled(self, job: Job) -> None:
        if not self.attached:
            return
        p = self.panels
        p.gauge.job_ended()
        self._end_preview(None)
        p.status.show_message(self.tr("Cancelled."), 5000)

    def _end_preview(self, made: ImageRecord | None) -> None:
        """The live preview gives way to the selected image, or to the one just made when the
        gallery does not show it (a search hides it): never a stale "Generating…"."""
        details = self.panels.details
        if not details.showing_preview:
            return
        details.show_record(self.panels.gallery.current_record() or made)

    def cancel_text(self, job_id: int | None) -> str:
        """What Esc does now: cancel before the next step, or nothing left to cancel."""
        if job_id is not None and self.panels.queue.model.decoding(job_id):
            return self.tr("Finishing: the image is already made and will be saved.")
        return self.tr("Cancelling after this step…")
