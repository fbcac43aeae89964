"""The main window's reactions to the worker's news: engine state, progress, results, failures.

The slots are methods of a QObject that lives in the UI thread, so Qt queues every call from the
worker's thread into it (a lambda would run in the worker's thread and touch widgets from there).
After `detach` the news still on its way is dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QImage

from majicflux_desktop.core.library import ImageRecord
from majicflux_desktop.engine.scan import CheckReport
from majicflux_desktop.ui import theme
from majicflux_desktop.ui.eta import format_clock
from majicflux_desktop.ui.worker import EngineState, EngineWorker, StepTiming

if TYPE_CHECKING:
    from majicflux_desktop.ui.main_window import MainWindow

LOADING_STATES = (EngineState.STARTING, EngineState.CHECKING, EngineState.LOADING)


class WorkerNews(QObject):
    def __init__(self, window: MainWindow, worker: EngineWorker):
        super().__init__(window)
        self.window = window
        self.attached = True
        self._connections = [
            (worker.engine_state_changed, self.on_engine_state),
            (worker.models_checked, self.on_models_checked),
            (worker.models_loaded, self.on_models_loaded),
            (worker.job_started, self.on_job_started),
            (worker.step_progressed, self.on_step),
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

    def on_engine_state(self, state: str, message: str) -> None:
        if not self.attached:
            return
        w = self.window
        w.engine_state = EngineState(state)
        w.setup_wizard.set_engine_state(w.engine_state)
        w.show_page_for_engine()
        loading = w.engine_state in LOADING_STATES
        failed = w.engine_state is EngineState.FAILED
        if loading:
            hint = self.tr("You can write a prompt and queue it meanwhile.")
            w.engine_banner.setText(f"{message} {hint}".strip())
            w.engine_banner.setStyleSheet("")
        elif failed:
            w.engine_banner.setText(message)
            w.engine_banner.setStyleSheet(f"color: {theme.DANGER};")
        w.engine_banner.setVisible(loading or failed)
        w.engine_busy.setVisible(loading)
        w.engine_status.setText(self.state_text(w.engine_state))

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
            self.window.setup_wizard.show_report(report)

    def on_models_loaded(self, report: object) -> None:
        if not self.attached:
            return
        reason = getattr(report, "reason", None)
        plan = str(getattr(report, "plan", ""))
        self.window.gauge.set_plan(
            plan, getattr(report, "budget_bytes", None), "" if reason is None else reason.text()
        )
        self.window.statusBar().showMessage(
            self.tr("Models loaded in {seconds:.1f} s (plan {plan}, {device}).").format(
                seconds=getattr(report, "seconds", 0.0),
                plan=plan,
                device=getattr(report, "device", ""),
            ),
            8000,
        )

    def on_job_started(self, job_id: int) -> None:
        if self.attached:
            self.window.queue.on_job_started(job_id)
            self.window.gauge.job_started()

    def on_step(self, job_id: int, step: int, total: int, eta_s: float) -> None:
        if self.attached:
            self.window.queue.on_step(job_id, step, total, eta_s)

    def on_timing(self, timing: StepTiming) -> None:
        if self.attached:
            self.window.queue.on_timing(timing)

    def on_notice(self, text: str) -> None:
        if self.attached:
            self.window.notices.add(text, "warning")

    def on_preview(self, job_id: int, image: QImage) -> None:
        if self.attached:
            self.window.details.show_preview(image)

    def on_image_saved(self, record: ImageRecord) -> None:
        if not self.attached:
            return
        w = self.window
        w.gallery.add_record(record)
        w.gallery.select_image(record.id)  # the newest result, as it arrives
        w.queue.on_image_saved()
        w.gauge.job_ended(record.peak_vram_bytes)
        w.gauge.job_started()  # the next image of the job: a fresh peak

    def on_job_finished(self, job_id: int, record: ImageRecord | None) -> None:
        if not self.attached:
            return
        w = self.window
        w.queue.on_job_ended(job_id)
        w.gauge.job_ended(None if record is None else record.peak_vram_bytes)
        if record is not None:
            text = self.tr("Done: seed {seed} · {seconds}").format(
                seed=record.seed, seconds=format_clock(record.duration_s)
            )
            w.statusBar().showMessage(text, 8000)

    def on_job_failed(self, job_id: int, message: str) -> None:
        if not self.attached:
            return
        w = self.window
        w.queue.on_job_ended(job_id)
        w.gauge.job_ended()
        w.notices.add(message, "error", (self.tr("Open log folder"), w.open_log_folder))

    def on_job_cancelled(self, job_id: int) -> None:
        if not self.attached:
            return
        w = self.window
        w.queue.on_job_ended(job_id)
        w.gauge.job_ended()
        w.details.show_record(w.gallery.current_record())
        w.statusBar().showMessage(self.tr("Cancelled."), 5000)
