"""Jobs: one GenerationRequest each, stored when queued so that the queue survives a restart.

queued → running → finished / cancelled / failed; a crash leaves "running", which the next start
turns into interrupted (`reconcile_after_crash`). Interrupted, failed and cancelled jobs can be
resumed: they go back to the end of the queue and make only the images they still lack.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from majicflux_desktop.core import codec
from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.core.store.database import Database, from_db, row_id


class JobState(str, Enum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    CANCELLED = "cancelled"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


RESUMABLE = (JobState.INTERRUPTED, JobState.FAILED, JobState.CANCELLED)
_NEXT_POSITION = "SELECT COALESCE(MAX(position), 0) + 1 FROM jobs WHERE state = 'queued'"
_QUEUE_ORDER = "SELECT id FROM jobs WHERE state = 'queued' ORDER BY position, id"


@dataclass(frozen=True)
class Job:
    id: int
    created_at: datetime
    request: GenerationRequest  # as queued: seed None means a random seed per image
    state: JobState
    position: int | None  # place in the queue; None unless queued
    error: str
    started_at: datetime | None
    finished_at: datetime | None
    images_done: int

    @property
    def remaining(self) -> int:
        return max(0, self.request.count - self.images_done)

    def pending_requests(self) -> Iterator[GenerationRequest]:
        """The single-image requests still to make: a resumed job skips the images it has.

        With a fixed seed image i uses seed + i, so the resumed images are the same ones the
        first run would have made.
        """
        return itertools.islice(self.request.single_images(), self.images_done, None)


class JobStore:
    """The queue and the history of jobs. Every change returns the job as it now is (an immutable
    snapshot), which is what the window shows: it never has to read the database to stay current.

    `enqueue` is where a request is validated: nothing unchecked reaches the queue or the engine.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def enqueue(self, request: GenerationRequest) -> Job:
        request = request.checked()
        with self._db.write() as db:
            position = db.execute(_NEXT_POSITION).fetchone()[0]
            cursor = db.execute(
                "INSERT INTO jobs (created_at, request, state, position) VALUES (?, ?, ?, ?)",
                (self._db.now(), _request_json(request), JobState.QUEUED.value, position),
            )
            return _job_by_id(db, row_id(cursor))

    def job(self, job_id: int) -> Job | None:
        with self._db.read() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else _job(row)

    def jobs(self, *states: JobState, limit: int = 1000) -> list[Job]:
        """Jobs in these states (all if none): queued ones in queue order, then newest first."""
        where = f"WHERE state IN ({', '.join('?' * len(states))})" if states else ""
        with self._db.read() as db:
            rows = db.execute(
                f"SELECT * FROM jobs {where} ORDER BY position IS NULL, position, id DESC LIMIT ?",
                (*(s.value for s in states), limit),
            ).fetchall()
        return [_job(row) for row in rows]

    def queued(self) -> list[Job]:
        return self.jobs(JobState.QUEUED)

    def claim_next(self) -> Job | None:
        """The first queued job, already marked running, in one transaction."""
        with self._db.write() as db:
            row = db.execute(_QUEUE_ORDER + " LIMIT 1").fetchone()
            if row is None:
                return None
            _set_state(db, row["id"], JobState.RUNNING, (JobState.QUEUED,), **self._started())
            return _job_by_id(db, row["id"])

    def mark_running(self, job_id: int) -> Job | None:
        """None if the job is no longer queued (cancelled from the UI meanwhile, say)."""
        return self._transition(job_id, JobState.RUNNING, (JobState.QUEUED,), **self._started())

    def mark_finished(self, job_id: int) -> Job | None:
        return self._transition(
            job_id, JobState.FINISHED, (JobState.RUNNING,), finished_at=self._db.now()
        )

    def mark_failed(self, job_id: int, message: str) -> Job | None:
        return self._transition(
            job_id, JobState.FAILED, (JobState.RUNNING, JobState.QUEUED), **self._ended(message)
        )

    def mark_cancelled(self, job_id: int) -> Job | None:
        return self._transition(
            job_id, JobState.CANCELLED, (JobState.RUNNING, JobState.QUEUED), **self._ended()
        )

    def cancel_queued(self, job_id: int) -> Job | None:
        return self._transition(job_id, JobState.CANCELLED, (JobState.QUEUED,), **self._ended())

    def clear_queue(self) -> int:
        """Cancel every queued job (not the running one); returns how many."""
        with self._db.write() as db:
            cursor = db.execute(
                "UPDATE jobs SET state = 'cancelled', position = NULL, finished_at = ? "
                "WHERE state = 'queued'",
                (self._db.now(),),
            )
            return cursor.rowcount

    def move(self, job_id: int, delta: int) -> bool:
        """Move a queued job `delta` places (negative: towards the front). False if not queued."""
        with self._db.write() as db:
            order = [row["id"] for row in db.execute(_QUEUE_ORDER)]
            if job_id not in order:
                return False
            index = order.index(job_id)
            order.insert(max(0, min(len(order) - 1, index + delta)), order.pop(index))
            db.executemany(
                "UPDATE jobs SET position = ? WHERE id = ?",
                [(position, queued_id) for position, queued_id in enumerate(order, start=1)],
            )
            return True

    def reconcile_after_crash(self) -> list[Job]:
        """Jobs left running by a crash or a kill become interrupted; returns them.

        A job whose every image was saved before the crash is finished instead. Call it once at
        start-up, before the worker runs (the instance lock keeps other app instances out).
        """
        with self._db.write() as db:
            running = [
                _job(row) for row in db.execute("SELECT * FROM jobs WHERE state = 'running'")
            ]
            interrupted = []
            for job in running:
                to = JobState.INTERRUPTED if job.remaining else JobState.FINISHED
                _set_state(db, job.id, to, (JobState.RUNNING,), finished_at=self._db.now())
                if to is JobState.INTERRUPTED:
                    interrupted.append(_job_by_id(db, job.id))
            return interrupted

    def resume(self, job_id: int) -> Job | None:
        """Put an interrupted, failed or cancelled job back at the end of the queue.

        It keeps `images_done`, so only the missing images are made (`Job.pending_requests`).
        None if there is no such job or it cannot be resumed (queued, running, finished).
        """
        with self._db.write() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None or JobState(row["state"]) not in RESUMABLE:
                return None
            if _job(row).remaining == 0:
                _set_state(db, job_id, JobState.FINISHED, RESUMABLE)
            else:
                position = db.execute(_NEXT_POSITION).fetchone()[0]
                _set_state(
                    db,
                    job_id,
                    JobState.QUEUED,
                    RESUMABLE,
                    position=position,
                    error="",
                    started_at=None,
                    finished_at=None,
                )
            return _job_by_id(db, job_id)

    def _transition(
        self, job_id: int, to: JobState, sources: tuple[JobState, ...], **values: Any
    ) -> Job | None:
        """The job after the change, or None if it was in none of `sources` (nothing changed)."""
        with self._db.write() as db:
            if not _set_state(db, job_id, to, sources, **values):
                return None
            return _job_by_id(db, job_id)

    @staticmethod
    def count_image(db: sqlite3.Connection, job_id: int) -> None:
        """One more image of the job is saved: inside the caller's transaction, with its row."""
        db.execute("UPDATE jobs SET images_done = images_done + 1 WHERE id = ?", (job_id,))

    def _started(self) -> dict[str, Any]:
        return {"started_at": self._db.now(), "position": None, "error": ""}

    def _ended(self, error: str = "") -> dict[str, Any]:
        return {"finished_at": self._db.now(), "position": None, "error": error}


def _set_state(
    db: sqlite3.Connection,
    job_id: int,
    to: JobState,
    sources: tuple[JobState, ...],
    **values: Any,
) -> bool:
    # Column names come from this module, never from data; values are bound parameters.
    sets = "".join(f", {name} = ?" for name in values)
    cursor = db.execute(
        f"UPDATE jobs SET state = ?{sets} WHERE id = ? AND state IN "
        f"({', '.join('?' * len(sources))})",
        (to.value, *values.values(), job_id, *(s.value for s in sources)),
    )
    return cursor.rowcount == 1


def _request_json(request: GenerationRequest) -> str:
    return codec.dumps(request)


def _job(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"],
        created_at=datetime.fromisoformat(row["created_at"]),
        request=codec.loads(GenerationRequest, row["request"]),
        state=JobState(row["state"]),
        position=row["position"],
        error=row["error"],
        started_at=from_db(row["started_at"]),
        finished_at=from_db(row["finished_at"]),
        images_done=row["images_done"],
    )


def _job_by_id(db: sqlite3.Connection, job_id: int) -> Job:
    return _job(db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone())
