"""The queue: every job with its state; cancel, reorder, clear, pause; progress with elapsed and ETA.

A view of `QueueModel`, which the worker's job snapshots keep current: the database is read at
start-up and after the user's own edits, never on a step or a timer.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.library import Job, JobState, JobStore
from majicflux_desktop.core.results import Phase, Progress, StepTiming
from majicflux_desktop.ui.common.durations import format_clock
from majicflux_desktop.ui.common.plain_text import plain_tooltip
from majicflux_desktop.ui.edit.panel_text import edit_summary, mode_name
from majicflux_desktop.ui.generate.eta import EtaEstimator
from majicflux_desktop.ui.generate.queue_model import QueueModel

PROMPT_CHARS = 28
GLYPHS = {
    JobState.RUNNING: "▶",
    JobState.QUEUED: "·",
    JobState.FINISHED: "✓",
    JobState.FAILED: "✕",
    JobState.CANCELLED: "–",
    JobState.INTERRUPTED: "⏸",
}


def short(text: str, limit: int = PROMPT_CHARS) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class QueuePanel(QWidget):
    cancel_running_requested = Signal()
    pause_toggled = Signal(bool)
    status_changed = Signal(str)  # for the status bar: step, elapsed, ETA

    def __init__(self, jobs: JobStore, parent: QWidget | None = None):
        super().__init__(parent)
        self._store = jobs
        self.eta = EtaEstimator()
        self.model = QueueModel(self, self)
        self._started_at = 0.0
        self._running: int | None = None
        self._build()
        self._clock = QTimer(self)  # elapsed time only: it reads nothing
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._show_progress)
        self.model.modelReset.connect(self._after_change)
        self.model.dataChanged.connect(self._after_change)
        self.model.reset(jobs.jobs(JobState.RUNNING) + jobs.queued())

    def _build(self) -> None:
        self.title = QLabel(self.tr("Queue"))
        self.title.setStyleSheet("font-weight: bold;")
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setAlternatingRowColors(True)
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.selectionModel().currentChanged.connect(self._update_buttons)
        self.up_button = QPushButton("↑")
        self.up_button.setToolTip(self.tr("Move up (Alt+Up)"))
        self.down_button = QPushButton("↓")
        self.down_button.setToolTip(self.tr("Move down (Alt+Down)"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setToolTip(
            self.tr("Cancel the selected job, or the running one if none is selected (Esc)")
        )
        self.clear_button = QPushButton(self.tr("Clear"))
        self.clear_button.setToolTip(self.tr("Cancel every waiting job (not the running one)"))
        self.clear_finished_button = QPushButton(self.tr("Clear finished"))
        self.clear_finished_button.setToolTip(
            self.tr("Take ended jobs off this list; their images stay in the gallery")
        )
        self.pause_button = QPushButton(self.tr("Pause"))
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip(
            self.tr("Paused: the running job finishes, the next one waits")
        )
        for button in (self.up_button, self.down_button):
            button.setFixedWidth(32)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.clear_button.clicked.connect(self.clear)
        self.clear_finished_button.clicked.connect(self.clear_finished)
        self.pause_button.toggled.connect(self._pause_toggled)
        for keys, action in (
            ("Alt+Up", lambda: self.move_selected(-1)),
            ("Alt+Down", lambda: self.move_selected(1)),
            ("Delete", self.cancel_selected),
        ):
            shortcut = QShortcut(QKeySequence(keys), self.list)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(action)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.progress_label = QLabel()
        self.progress_label.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.up_button, self.down_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        whole_queue = QHBoxLayout()
        whole_queue.addWidget(self.clear_button, 1)
        whole_queue.addWidget(self.clear_finished_button, 1)
        whole_queue.addWidget(self.pause_button, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addLayout(whole_queue)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_label)

    # -- rows ----------------------------------------------------------------------------------
    def jobs(self) -> list[Job]:
        """What the list shows: running, then queued in order, then this session's ended jobs."""
        return self.model.jobs()

    def row_texts(self) -> list[str]:
        return [self.row_text(job) for job in self.model.jobs()]

    def row_text(self, job: Job) -> str:
        r = job.request
        glyph = GLYPHS[job.state]
        if job.state is JobState.RUNNING:
            detail = self._running_detail(job)
        elif job.state is JobState.QUEUED:
            detail = self.tr("{count}× {width}×{height} · {steps} steps").format(
                count=job.remaining, width=r.width, height=r.height, steps=r.steps
            )
            if r.edit is not None:
                detail += " · " + edit_summary(r.edit)
        else:
            detail = self._state_name(job.state)
        return f"{glyph} {short(r.prompt)}\n    {detail}"

    def _running_detail(self, job: Job) -> str:
        progress = self.model.progress.get(job.id)
        image = self.tr("image {i} of {n}").format(
            i=min(job.images_done + 1, job.request.count), n=job.request.count
        )
        if progress is None or progress.phase is Phase.ENCODING:
            what = self.tr("reading the prompt")
        elif progress.phase is Phase.DECODING:
            what = self.tr("finishing the image")
        elif progress.phase is Phase.COMPILING:
            # the first time on this PC: tens of seconds (engine/compiled.py)
            what = self.tr("compiling this size (once)")
        elif progress.phase is Phase.PREPARING:
            what = self.tr("loading compiled maths")
        else:
            what = self.tr("step {step}/{total}").format(
                step=progress.step + 1, total=progress.total
            )
        if job.request.edit is not None:
            image += " · " + mode_name(job.request.edit.mode)
        return f"{image} · {what}"

    def _state_name(self, state: JobState) -> str:
        return {
            JobState.QUEUED: self.tr("waiting"),
            JobState.RUNNING: self.tr("running"),
            JobState.FINISHED: self.tr("finished"),
            JobState.CANCELLED: self.tr("cancelled"),
            JobState.FAILED: self.tr("failed"),
            JobState.INTERRUPTED: self.tr("interrupted"),
        }[state]

    def muted(self) -> QBrush:
        return self.palette().placeholderText()

    def tooltip(self, job: Job) -> str:
        lines = [job.request.prompt, self._state_name(job.state)]
        if job.error:
            lines.append(job.error)
        return plain_tooltip("\n".join(lines))

    def selected_job_id(self) -> int | None:
        job = self._selected()
        return None if job is None else job.id

    def select_job(self, job_id: int) -> None:
        row = self.model.row_of(job_id)
        if row is not None:
            self.list.setCurrentIndex(self.model.index(row))

    def _selected(self) -> Job | None:
        index = self.list.currentIndex()
        if not index.isValid() or not self.list.selectionModel().isSelected(index):
            return None
        return self.model.job(index.row())

    def _update_buttons(self, *_: object) -> None:
        selected = self._selected()
        state = None if selected is None else selected.state
        self.up_button.setEnabled(state is JobState.QUEUED)
        self.down_button.setEnabled(state is JobState.QUEUED)
        running = self.model.running()
        self.cancel_button.setEnabled(
            state in (JobState.QUEUED, JobState.RUNNING)
            or (selected is None and running is not None)
        )
        self.clear_button.setEnabled(bool(self.model.queued()))
        self.clear_finished_button.setEnabled(bool(self.model.ended))

    # -- the user's edits ----------------------------------------------------------------------
    def move_selected(self, delta: int) -> None:
        job_id = self.selected_job_id()
        if job_id is not None and self._store.move(job_id, delta):
            self.model.replace_queued(self._store.queued())
            self.select_job(job_id)

    def cancel_selected(self) -> None:
        job = self._selected() or self.model.running()
        if job is None:
            return
        if job.state is JobState.RUNNING:
            self.cancel_running_requested.emit()
            return
        cancelled = self._store.cancel_queued(job.id) if job.state is JobState.QUEUED else None
        if cancelled is not None:
            self.model.update(cancelled)

    def clear(self) -> None:
        waiting = self.model.queued()
        self._store.clear_queue()
        for job in waiting:
            now = self._store.job(job.id)
            if now is not None:
                self.model.update(now)

    def clear_finished(self) -> None:
        self.model.forget_ended()

    def enqueued(self, job: Job) -> None:
        self.model.update(job)

    def set_paused(self, paused: bool) -> None:
        self.pause_button.setChecked(paused)

    def _pause_toggled(self, paused: bool) -> None:
        self.pause_button.setText(self.tr("Resume queue") if paused else self.tr("Pause"))
        self.pause_toggled.emit(paused)

    # -- the worker's news ---------------------------------------------------------------------
    def on_job_changed(self, job: Job) -> None:
        if job.state is JobState.RUNNING and self._running != job.id:
            self._running = job.id
            self._started_at = time.monotonic()
            self._clock.start()
        elif job.state is not JobState.RUNNING and self._running == job.id:
            self._running = None
            self._clock.stop()
        self.model.update(job)

    def on_progress(self, job_id: int, progress: Progress) -> None:
        self.model.set_progress(job_id, progress)

    def on_timing(self, timing: StepTiming) -> None:
        self.eta.learn(timing)

    @property
    def ended_jobs(self) -> list[int]:
        return self.model.ended

    def carry_over(self, jobs: Sequence[Job], ended: Sequence[int]) -> None:
        """Show what a window being replaced (another language) showed."""
        self.model.reset(jobs, ended)
        running = self.model.running()
        if running is not None:
            self.on_job_changed(running)

    def stop(self) -> None:
        """The window is closing: no more clock ticks."""
        self._clock.stop()
        self._running = None

    # -- progress ------------------------------------------------------------------------------
    def _after_change(self, *_: object) -> None:
        self._update_buttons()
        self._show_progress()

    def _show_progress(self) -> None:
        running = self.model.running()
        queued = self.model.queued()
        if running is None:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress.setFormat(self.tr("idle"))
            waiting = self.tr("{count} waiting").format(count=len(queued)) if queued else ""
            self.progress_label.setText(waiting)
            self.status_changed.emit(waiting)
            return
        progress = self.model.progress.get(running.id)
        total = progress.total if progress else running.request.steps
        done = 0 if progress is None else progress.step
        if progress is not None and progress.phase is Phase.DECODING:
            done = total
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        self.progress.setFormat(self._running_detail(running))
        elapsed = time.monotonic() - self._started_at
        image_eta = None if progress is None else progress.eta_s
        queue_eta = self.eta.queue_seconds(running, image_eta, queued)
        text = self.tr("{what} · elapsed {elapsed} · ETA {eta}").format(
            what=self._running_detail(running),
            elapsed=format_clock(elapsed),
            eta=format_clock(image_eta),
        )
        if queue_eta is not None and (queued or running.remaining > 1):
            text += " " + self.tr("(queue {eta})").format(eta=format_clock(queue_eta))
        self.progress_label.setText(text)
        self.status_changed.emit(text)
