"""The queue as a list model fed by job snapshots, never by polling the database.

The worker emits each job as it now is whenever it changes (`EngineWorker.job_changed`); the
queue panel's own edits (reorder, cancel, clear) return snapshots from the job store. The model
keeps the running job, the queued ones in queue order, then the jobs that ended in this session.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush

from majicflux_desktop.core.library import Job, JobState
from majicflux_desktop.core.results import Phase, Progress

ENDED_SHOWN = 20
JOB_ROLE = Qt.ItemDataRole.UserRole + 1

AnyIndex = QModelIndex | QPersistentModelIndex


class RowWords(Protocol):
    """How a job reads in the list (the panel, which speaks the UI language)."""

    def row_text(self, job: Job) -> str: ...

    def tooltip(self, job: Job) -> str: ...

    def muted(self) -> QBrush: ...


def display_order(jobs: dict[int, Job], ended: list[int]) -> list[Job]:
    running = [job for job in jobs.values() if job.state is JobState.RUNNING]
    queued = sorted(
        (job for job in jobs.values() if job.state is JobState.QUEUED),
        key=lambda job: (job.position or 0, job.id),
    )
    finished = [
        jobs[job_id]
        for job_id in reversed(ended[-ENDED_SHOWN:])
        if job_id in jobs and jobs[job_id].state not in (JobState.RUNNING, JobState.QUEUED)
    ]
    return running + queued + finished


class QueueModel(QAbstractListModel):
    def __init__(self, words: RowWords, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words = words
        self._jobs: dict[int, Job] = {}
        self._ended: list[int] = []  # jobs that ended in this session, oldest first
        self._rows: list[Job] = []
        self.progress: dict[int, Progress] = {}  # the running job's current image

    # -- Qt's model interface --------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        job = self._rows[index.row()]
        if role == JOB_ROLE:
            return job
        if role == Qt.ItemDataRole.DisplayRole:
            return self._words.row_text(job)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._words.tooltip(job)
        if role == Qt.ItemDataRole.ForegroundRole and job.state not in (
            JobState.RUNNING,
            JobState.QUEUED,
        ):
            return self._words.muted()
        return None

    # -- snapshots in ----------------------------------------------------------------------------

    def reset(self, jobs: Sequence[Job], ended: Sequence[int] = ()) -> None:
        """Start from these jobs (start-up, or the jobs of a window being replaced)."""
        self.beginResetModel()
        self._jobs = {job.id: job for job in jobs}
        self._ended = [job_id for job_id in ended if job_id in self._jobs]
        self._rows = display_order(self._jobs, self._ended)
        self.endResetModel()

    def replace_queued(self, queued: Sequence[Job]) -> None:
        """The queue as the store now has it, after the user reordered, cancelled or cleared."""
        self.beginResetModel()
        for job in [j for j in self._jobs.values() if j.state is JobState.QUEUED]:
            del self._jobs[job.id]
        self._jobs.update({job.id: job for job in queued})
        self._rows = display_order(self._jobs, self._ended)
        self.endResetModel()

    def update(self, job: Job) -> None:
        """A job as it now is; the row moves where its state puts it."""
        known = self._jobs.get(job.id)
        if known is not None and _older(job, known):
            return  # a snapshot overtaken by a newer one
        self._jobs[job.id] = job
        if job.state not in (JobState.RUNNING, JobState.QUEUED) and job.id not in self._ended:
            self._ended.append(job.id)
        if job.state is not JobState.RUNNING:
            self.progress.pop(job.id, None)
        order = display_order(self._jobs, self._ended)
        if [j.id for j in order] == [j.id for j in self._rows]:
            self._rows = order
            row = self.row_of(job.id)
            if row is not None:
                self.dataChanged.emit(self.index(row), self.index(row))
            return
        self.beginResetModel()
        self._rows = order
        self.endResetModel()

    def set_progress(self, job_id: int, progress: Progress) -> None:
        self.progress[job_id] = progress
        row = self.row_of(job_id)
        if row is not None:
            self.dataChanged.emit(self.index(row), self.index(row))

    def forget_ended(self) -> int:
        """Take the ended jobs off the list (they stay in the history); returns how many."""
        gone = [j for j in self._ended if j in self._jobs]
        self.beginResetModel()
        for job_id in gone:
            self._jobs.pop(job_id, None)
        self._ended = []
        self._rows = display_order(self._jobs, self._ended)
        self.endResetModel()
        return len(gone)

    # -- reading ---------------------------------------------------------------------------------

    def job(self, row: int) -> Job | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def job_by_id(self, job_id: int) -> Job | None:
        return self._jobs.get(job_id)

    def row_of(self, job_id: int) -> int | None:
        return next((i for i, job in enumerate(self._rows) if job.id == job_id), None)

    def running(self) -> Job | None:
        return next((job for job in self._rows if job.state is JobState.RUNNING), None)

    def queued(self) -> list[Job]:
        return [job for job in self._rows if job.state is JobState.QUEUED]

    def jobs(self) -> list[Job]:
        return list(self._rows)

    @property
    def ended(self) -> list[int]:
        return list(self._ended)

    def decoding(self, job_id: int) -> bool:
        progress = self.progress.get(job_id)
        return progress is not None and progress.phase is Phase.DECODING


def _older(new: Job, known: Job) -> bool:
    """True if `new` describes an earlier moment than `known` (signals can cross a store read)."""
    if new.state is JobState.RUNNING and known.state not in (JobState.QUEUED, JobState.RUNNING):
        return new.started_at is not None and known.started_at == new.started_at
    return new.state is known.state and new.images_done < known.images_done
