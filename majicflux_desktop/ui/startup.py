"""What the window says at start-up: settings and library notices, interrupted and waiting jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from majicflux_desktop.ui.queue_panel import short

if TYPE_CHECKING:
    from majicflux_desktop.app import DesktopApp
    from majicflux_desktop.ui.main_window import MainWindow

translate = QCoreApplication.translate


def announce_start(app: DesktopApp, window: MainWindow) -> None:
    if app.settings_notes:  # one notice: a hand-edited file can have many, and notices are few
        window.notices.add("\n".join(note.text() for note in app.settings_notes), "warning")
    for note in app.library_notes:
        window.notices.add(note.text(), "warning")
    if app.demo:
        window.notices.add(
            translate(
                "startup",
                "Demo mode: a tiny model with random weights makes noise, not pictures. Everything "
                "else works as it will with the real model.",
            ),
            "info",
        )
    elif not app.probe.has_gpu:
        window.notices.add(
            translate(
                "startup",
                "No NVIDIA GPU was found: images would be made on the CPU, which takes many "
                "minutes each. Check the graphics driver, or try the demo.",
            ),
            "warning",
        )
    if app.interrupted:
        _announce_interrupted(app, window)
    if app.left_in_queue and window.worker.paused:
        window.notices.add(
            translate(
                "startup",
                "{count} job(s) from last time are waiting in the queue. The queue is paused so "
                "nothing starts without you.",
            ).format(count=len(app.left_in_queue)),
            "info",
            (translate("startup", "Start the queue"), lambda: window.queue.set_paused(False)),
        )


def _announce_interrupted(app: DesktopApp, window: MainWindow) -> None:
    jobs = app.interrupted
    prompts = ", ".join(f"“{short(job.request.prompt, 40)}”" for job in jobs[:3])
    more = len(jobs) - 3
    if more > 0:
        prompts += " " + translate("startup", "and {count} more").format(count=more)
    text = translate(
        "startup",
        "{count} job(s) did not finish last time (MajicFlux was closed, crashed or was stopped): "
        "{prompts}. Resume makes only the images still missing.",
    ).format(count=len(jobs), prompts=prompts)

    def resume() -> None:
        for job in jobs:
            app.library.resume(job.id)
        window.queue.refresh()
        window.queue.set_paused(False)
        window.worker.wake()

    window.notices.add(text, "warning", (translate("startup", "Resume"), resume))
