"""What the window says at start-up: settings and library notices, interrupted and waiting jobs.

Everything is a `Message`, so a language switch words the open notices again; the actions call
back into the app, never into one window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message
from majicflux_desktop.core.library import Job
from majicflux_desktop.ui.common.notices import NoticeBar
from majicflux_desktop.ui.generate.queue_panel import short


@dataclass(frozen=True)
class StartupNews:
    settings_notes: Sequence[Message] = ()
    library_notes: Sequence[Message] = ()
    demo: bool = False
    has_gpu: bool = True
    interrupted: Sequence[Job] = ()
    waiting: int = 0  # jobs left in the queue, paused until the user starts them
    resume: Callable[[], None] = field(default=lambda: None)
    start_queue: Callable[[], None] = field(default=lambda: None)


def _message(text: str, **params: object) -> Message:
    return Message("startup", text, params)


def announce_start(news: StartupNews, notices: NoticeBar) -> None:
    if news.settings_notes:  # one notice: a hand-edited file can have many, and notices are few
        notices.add("\n".join(note.text() for note in news.settings_notes), "warning")
    for note in news.library_notes:
        notices.add(note, "warning")
    if news.demo:
        notices.add(demo_notice(), "info")
    elif not news.has_gpu:
        notices.add(
            _message(
                QT_TRANSLATE_NOOP(
                    "startup",
                    "No NVIDIA GPU was found: images would be made on the CPU, which takes many "
                    "minutes each. Check the graphics driver, or try the demo.",
                )
            ),
            "warning",
        )
    if news.interrupted:
        notices.add(
            _interrupted(news.interrupted),
            "warning",
            (_message(QT_TRANSLATE_NOOP("startup", "Resume")), news.resume),
        )
    if news.waiting:
        notices.add(
            _message(
                QT_TRANSLATE_NOOP(
                    "startup",
                    "{count} job(s) from last time are waiting in the queue. The queue is paused "
                    "so nothing starts without you.",
                ),
                count=news.waiting,
            ),
            "info",
            (_message(QT_TRANSLATE_NOOP("startup", "Start the queue")), news.start_queue),
        )


def demo_notice() -> Message:
    return _message(
        QT_TRANSLATE_NOOP(
            "startup",
            "Demo mode: a tiny model with random weights makes noise, not pictures. Everything "
            "else works as it will with the real model.",
        )
    )


def _interrupted(jobs: Sequence[Job]) -> Message:
    prompts = ", ".join(f"“{short(job.request.prompt, 40)}”" for job in jobs[:3])
    more = len(jobs) - 3
    return _message(
        QT_TRANSLATE_NOOP(
            "startup",
            "{count} job(s) did not finish last time (MajicFlux was closed, crashed or was "
            "stopped): {prompts}{more}. Resume makes only the images still missing.",
        ),
        count=len(jobs),
        prompts=prompts,
        more=_message(QT_TRANSLATE_NOOP("startup", " and {count} more"), count=more)
        if more > 0
        else "",
    )
