"""Short work off the UI thread (scanning a folder, sizing files), its outcome back on the UI thread.

The work runs on a daemon thread of its own, never on the engine's thread: a scan must not wait
behind a model load, and a slow disk must not hold up the window. Nor Qt's global thread pool:
the application object waits for that pool when it goes, so a scan of a network drive that
stopped answering would keep the app from ever closing; a daemon thread is left behind. The
outcome is handed to the UI thread by one long-lived dispatcher; a callback whose widget is gone
by then (the window was rebuilt in another language) is skipped.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import weakref
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

from majicflux_desktop.core.i18n import UserError

log = logging.getLogger("majicflux.ui.background")


class _Dispatcher(QObject):
    deliver = Signal(object)  # (callback, value)

    def __init__(self) -> None:
        super().__init__()
        self.deliver.connect(self._call, Qt.ConnectionType.QueuedConnection)

    def _call(self, item: tuple[Callable[[], Callable[[Any], None] | None], Any]) -> None:
        held, value = item
        callback = held()
        if callback is None:
            return
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, QObject) and not shiboken6.isValid(owner):
            return
        callback(value)


def _held(callback: Callable[[Any], None]) -> Callable[[], Callable[[Any], None] | None]:
    """A way back to `callback`: weak for a QObject's method, strong for anything else (a lambda
    or a function has no one else holding it)."""
    if isinstance(getattr(callback, "__self__", None), QObject):
        return weakref.WeakMethod(callback)
    return lambda: callback


_dispatcher: _Dispatcher | None = None


def run_in_background(
    work: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[Exception], None],
) -> None:
    """Run `work` on a daemon thread; then `on_success(result)` or `on_failure(exception)` on
    the UI thread. Call from the UI thread."""
    global _dispatcher
    if _dispatcher is None:
        _dispatcher = _Dispatcher()  # here, so it belongs to the UI thread
    dispatcher = _dispatcher
    # A QObject's bound method is held weakly: the worker thread must never hold the last
    # reference to a QObject, or it would be destroyed on that thread (a file watcher or a
    # timer destroyed off its thread crashes the process). One that is gone is skipped.
    success, failure = _held(on_success), _held(on_failure)

    def hand_over(callback: Callable[[], Callable[[Any], None] | None], value: Any) -> None:
        # Work can outlive the window, the application and even the interpreter (a daemon
        # thread): then there is no one left to tell, and touching Qt could crash the exit.
        if sys.is_finalizing() or not shiboken6.isValid(dispatcher):
            return
        with contextlib.suppress(RuntimeError):  # deleted between the check and the emit
            dispatcher.deliver.emit((callback, value))

    def task() -> None:
        try:
            result = work()
        except Exception as exc:
            log.info("background work failed: %s", exc, exc_info=not isinstance(exc, UserError))
            hand_over(failure, exc)
        else:
            hand_over(success, result)

    threading.Thread(target=task, name="majicflux-background", daemon=True).start()
