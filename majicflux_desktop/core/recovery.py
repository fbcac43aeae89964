"""Start-up after a session that did not end cleanly (killed, crashed, power cut).

The instance lock file left behind says so (`core.instance`). Every write is atomic and every
image is on disk before its row, so what such an end can leave is known and is put right here:

- hidden temp files of writes that never finished (a half-written image, half a settings file):
  removed, they were never anything the user was told about;
- images written whose row was never committed: adopted into the library, with a notice;
- a trash or restore move cut between moving the file and committing: finished.

Jobs left running are turned into interrupted ones by `reconcile_after_crash`, separately, because
that also runs after a close mid-job (which ends cleanly but leaves its job to resume).
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message
from majicflux_desktop.core.library import ImageRecord, JobState, Library
from majicflux_desktop.core.paths import is_stale_temp_file

log = logging.getLogger("majicflux.recovery")


@dataclass
class RecoveryReport:
    removed_temp_files: list[Path] = field(default_factory=list)
    adopted: list[ImageRecord] = field(default_factory=list)
    missing: list[ImageRecord] = field(default_factory=list)  # rows whose file is gone

    def notes(self) -> list[Message]:
        notes = []
        if self.adopted:
            notes.append(
                Message(
                    "recovery",
                    QT_TRANSLATE_NOOP(
                        "recovery",
                        "MajicFlux stopped while saving: {count} image(s) it had written were "
                        "added back to the gallery.",
                    ),
                    {"count": len(self.adopted)},
                )
            )
        if self.missing:
            notes.append(
                Message(
                    "recovery",
                    QT_TRANSLATE_NOOP(
                        "recovery",
                        "{count} image(s) in the library have no file any more (moved or deleted "
                        "outside MajicFlux), for example “{example}”.",
                    ),
                    {"count": len(self.missing), "example": self.missing[0].path},
                )
            )
        return notes


def recover(library: Library, data_dir: Path) -> RecoveryReport:
    """Put right what an unclean end left in the data folder and the output folder."""
    report = RecoveryReport()
    for folder, recursive in (
        (data_dir, False),
        (library.trash_dir, False),
        (library.output_dir, True),
    ):
        report.removed_temp_files += remove_stale_temp_files(folder, recursive)
    report.adopted = library.adopt_orphans().adopted
    _count_for_running_jobs(library, report.adopted)
    report.missing = library.missing_files()
    log.info(
        "recovered after an unclean end: %d temp files removed, %d images adopted, %d missing",
        len(report.removed_temp_files),
        len(report.adopted),
        len(report.missing),
    )
    return report


def _count_for_running_jobs(library: Library, adopted: list[ImageRecord]) -> None:
    """An adopted image that is exactly the next image of a job left running was being saved
    when the process died: count it for that job, so that Resume does not make it again."""
    counted: set[int] = set()
    for job in library.jobs.jobs(JobState.RUNNING):
        expected = next(job.pending_requests(), None)
        if expected is None:
            continue
        seed_known = job.request.seed is not None  # else each image had a random seed
        for record in adopted:
            made = record.request
            if record.id in counted or record.job_id is not None:
                continue
            if made == (expected if seed_known else expected.with_seed(made.seed)):
                library.attach_to_job(record.id, job.id)
                counted.add(record.id)
                break


def remove_stale_temp_files(folder: Path, recursive: bool) -> list[Path]:
    """Delete the hidden temp files our atomic writes leave when killed (`core.paths`), no others."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for root, dirs, files in os.walk(folder):
        if not recursive:
            dirs.clear()
        for name in files:
            if is_stale_temp_file(name):
                path = Path(root) / name
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path)
    return removed
