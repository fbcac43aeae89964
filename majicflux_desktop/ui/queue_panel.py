"""The queue: every job with its state; cancel, reorder, clear, pause; progress with elapsed and ETA.

Jobs live in the library (written when queued), so this panel is a view of the database plus the
running job's progress, which the worker pushes.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.jobs import Job, JobState
from majicflux_desktop.core.library import Library
from majicflux_desktop.ui.eta import EtaEstimator, format_clock
from majicflux_desktop.ui.plain_text import plain_tooltip
from majicflux_desktop.ui.worker import StepTiming

ENDED_SHOWN = 20
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

    def __init__(self, library: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self._library = library
        self.eta = EtaEstimator()
        self._ended: list[int] = []  # jobs that ended in this session, newest last
        self._running: int | None = None
        self._step = (0, 0)
        self._step_eta: float | None = None
        self._started_at = 0.0
        self._build()
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._show_progress)
        self.refresh()

    def _build(self) -> None:
        self.title = QLabel(self.tr("Queue"))
        self.title.setStyleSheet("font-weight: bold;")
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.list.setWordWrap(True)
        self.list.currentItemChanged.connect(self._update_buttons)
        self.up_button = QPushButton("↑")
        self.up_button.setToolTip(self.tr("Move up (Alt+Up)"))
        self.down_button = QPushButton("↓")
        self.down_button.setToolTip(self.tr("Move down (Alt+Down)"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Cancel the selected job (Esc: the running one)"))
        self.clear_button = QPushButton(self.tr("Clear"))
        self.clear_button.setToolTip(self.tr("Cancel every waiting job (not the running one)"))
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
        whole_queue.addWidget(self.pause_button, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addLayout(whole_queue)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_label)

    # -- the list ------------------------------------------------------------------------------
    def jobs(self) -> list[Job]:
        """What the list shows: running, then queued in order, then this session's ended jobs."""
        shown = self._library.jobs(JobState.RUNNING) + self._library.queued()
        for job_id in reversed(self._ended[-ENDED_SHOWN:]):
            job = self._library.job(job_id)
            if job is not None and job.state not in (JobState.RUNNING, JobState.QUEUED):
                shown.append(job)
        return shown

    def refresh(self) -> None:
        selected = self.selected_job_id()
        self.list.clear()
        for job in self.jobs():
            item = QListWidgetItem(self._row_text(job))
            item.setData(Qt.ItemDataRole.UserRole, job.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, job.state.value)
            item.setToolTip(self._row_tooltip(job))
            if job.state not in (JobState.RUNNING, JobState.QUEUED):
                item.setForeground(self.palette().placeholderText())
            self.list.addItem(item)
            if job.id == selected:
                self.list.setCurrentItem(item)
        self._update_buttons()
        self._show_progress()

    def _row_text(self, job: Job) -> str:
        r = job.request
        glyph = GLYPHS[job.state]
        if job.state is JobState.RUNNING:
            step, total = self._step if job.id == self._running else (0, r.steps)
            detail = self.tr("image {i}/{n} · step {step}/{total}").format(
                i=min(job.images_done + 1, r.count), n=r.count, step=step, total=total
            )
        elif job.state is JobState.QUEUED:
            detail = self.tr("{count}× {width}×{height} · {steps} steps").format(
                count=job.remaining, width=r.width, height=r.height, steps=r.steps
            )
        else:
            detail = self._state_name(job.state)
        return f"{glyph} {short(r.prompt)}\n    {detail}"

    def _row_tooltip(self, job: Job) -> str:
        lines = [job.request.prompt, self._state_name(job.state)]
        if job.error:
            lines.append(job.error)
        return plain_tooltip("\n".join(lines))

    def _state_name(self, state: JobState) -> str:
        return {
            JobState.QUEUED: self.tr("waiting"),
            JobState.RUNNING: self.tr("running"),
            JobState.FINISHED: self.tr("finished"),
            JobState.CANCELLED: self.tr("cancelled"),
            JobState.FAILED: self.tr("failed"),
            JobState.INTERRUPTED: self.tr("interrupted"),
        }[state]

    def selected_job_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def select_job(self, job_id: int) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == job_id:
                self.list.setCurrentRow(row)
                return

    def _selected_state(self) -> JobState | None:
        item = self.list.currentItem()
        return None if item is None else JobState(item.data(Qt.ItemDataRole.UserRole + 1))

    def _update_buttons(self) -> None:
        state = self._selected_state()
        self.up_button.setEnabled(state is JobState.QUEUED)
        self.down_button.setEnabled(state is JobState.QUEUED)
        self.cancel_button.setEnabled(state in (JobState.QUEUED, JobState.RUNNING))
        self.clear_button.setEnabled(bool(self._library.queued()))

    # -- actions -------------------------------------------------------------------------------
    def move_selected(self, delta: int) -> None:
        job_id = self.selected_job_id()
        if job_id is not None and self._library.move(job_id, delta):
            self.refresh()

    def cancel_selected(self) -> None:
        job_id, state = self.selected_job_id(), self._selected_state()
        if job_id is None:
            return
        if state is JobState.RUNNING:
            self.cancel_running_requested.emit()
        elif state is JobState.QUEUED and self._library.cancel_queued(job_id):
            self._ended.append(job_id)
            self.refresh()

    def clear(self) -> None:
        queued = [job.id for job in self._library.queued()]
        self._library.clear_queue()
        self._ended.extend(queued)
        self.refresh()

    def set_paused(self, paused: bool) -> None:
        self.pause_button.setChecked(paused)

    def _pause_toggled(self, paused: bool) -> None:
        self.pause_button.setText(self.tr("Resume queue") if paused else self.tr("Pause"))
        self.pause_toggled.emit(paused)

    # -- the worker's news ---------------------------------------------------------------------
    def on_job_started(self, job_id: int) -> None:
        self._running, self._step, self._step_eta = job_id, (0, 0), None
        self._started_at = time.monotonic()
        self._clock.start()
        self.refresh()

    def on_step(self, job_id: int, step: int, total: int, eta_s: float) -> None:
        if job_id != self._running:
            return
        self._step, self._step_eta = (step, total), (None if eta_s < 0 else eta_s)
        item = self._item(job_id)
        job = self._library.job(job_id) if item is not None else None
        if item is not None and job is not None:
            item.setText(self._row_text(job))
        self._show_progress()

    def on_image_saved(self) -> None:
        self.refresh()

    def on_timing(self, timing: StepTiming) -> None:
        self.eta.learn(timing)

    def on_job_ended(self, job_id: int) -> None:
        if job_id not in self._ended:
            self._ended.append(job_id)
        if job_id == self._running:
            self._running = None
            self._clock.stop()
        self.refresh()

    @property
    def ended_jobs(self) -> list[int]:
        return list(self._ended)

    def show_ended(self, job_ids: list[int]) -> None:
        """Carry this session's ended jobs over into a rebuilt window."""
        self._ended = list(job_ids)
        self.refresh()

    def stop(self) -> None:
        """The window is closing: no more clock ticks (they read the library)."""
        self._clock.stop()
        self._running = None

    def _item(self, job_id: int) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == job_id:
                return item
        return None

    def _show_progress(self) -> None:
        running = None if self._running is None else self._library.job(self._running)
        queued = self._library.queued()
        if running is None:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress.setFormat(self.tr("idle"))
            waiting = self.tr("{count} waiting").format(count=len(queued)) if queued else ""
            self.progress_label.setText(waiting)
            self.status_changed.emit(waiting)
            return
        step, total = self._step
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(step)
        self.progress.setFormat(self.tr("step {step} / {total}").format(step=step, total=total))
        elapsed = time.monotonic() - self._started_at
        queue_eta = self.eta.queue_seconds(running, self._step_eta, queued)
        text = self.tr("step {step} / {total} · elapsed {elapsed} · ETA {eta}").format(
            step=step,
            total=total,
            elapsed=format_clock(elapsed),
            eta=format_clock(self._step_eta),
        )
        if queue_eta is not None and (queued or running.remaining > 1):
            text += " " + self.tr("(queue {eta})").format(eta=format_clock(queue_eta))
        self.progress_label.setText(text)
        self.status_changed.emit(text)
