"""Fault injection for the reliability tests: the process dies at a named point, or the engine
runs out of GPU memory under a named plan.

`MAJICFLUX_CRASH_AT=<point>[:<n>]` makes the n-th pass (default the first) through `point(name)`
end the process at once with SIGKILL (TerminateProcess on Windows): no `finally`, no atexit, no
flush, exactly what a power cut, the OOM killer or the task manager leaves behind. Tests use it to
stop the real app at a precise moment instead of racing a timer (tests/reliability/).

The points, where they are and what a kill there leaves:

- `generation-step` (engine/pipeline.py): before a denoising step; the job is still "running".
- `png-write` (core/image_files.py): half of an image's bytes are in its hidden temp file.
- `db-commit` (core/library.py): the image file is in place, its row not yet committed.
- `settings-save` (core/settings.py): half of the new settings are in a hidden temp file.
- `download-chunk` (engine/download.py): a chunk of a model file was written to its `.part`.

`MAJICFLUX_INJECT_OOM=<plan>[,<plan>…]` makes the engine raise torch's out-of-memory error for an
image made under one of these memory plans, as a card too small for it would (the fallback to a
leaner plan and the messages are then tested on any machine); `load:<plan>` does the same while the
models load with that plan. It is read each time, so a test can clear it to stand for another
program letting go of the GPU.

Unset (always, for users) a point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import NoReturn

ENV = "MAJICFLUX_CRASH_AT"
OOM_ENV = "MAJICFLUX_INJECT_OOM"
POINTS = ("generation-step", "png-write", "db-commit", "settings-save", "download-chunk")

_passes: dict[str, int] = {}
_lock = threading.Lock()


def point(name: str) -> None:
    """Kill the process here if MAJICFLUX_CRASH_AT names this point and this pass."""
    if reached(name):
        crash()


def reached(name: str) -> bool:
    """Count a pass through `name`; True if the process is to die at this one.

    For a point inside a write: the caller writes half, then calls `crash()`.
    """
    wanted = _wanted(name)
    if wanted is None:
        return False
    with _lock:
        _passes[name] = _passes.get(name, 0) + 1
        return _passes[name] == wanted


def out_of_memory(plan: str, loading: bool = False) -> bool:
    """True if MAJICFLUX_INJECT_OOM names this memory plan (`load:<plan>` while loading)."""
    setting = os.environ.get(OOM_ENV, "")
    wanted = f"load:{plan}" if loading else plan
    return wanted in setting.split(",")


def crash() -> NoReturn:
    os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
    while True:  # the signal may take a moment to arrive: never run on past it
        threading.Event().wait()


def _wanted(name: str) -> int | None:
    setting = os.environ.get(ENV)
    if not setting:
        return None
    where, _, count = setting.partition(":")
    if where != name:
        return None
    if name not in POINTS:
        raise ValueError(f"{ENV}: unknown point {name!r}")
    return int(count) if count else 1
