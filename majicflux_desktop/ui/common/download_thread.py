"""A download on its own thread: the model download (ui/setup) and a LoRA's (ui/generate).

It has its own thread, never the engine's: 22 GB must not hold up a model load or a generation,
and neither may hold up the download. Pause, resume and cancel go straight to the
`DownloadControl`: pause is seen between chunks, and cancel also cuts the connection, so a read
blocked on a stalled server ends at once and `shutdown` does not wait for its timeout. Progress
and failures come back as signals, queued to whoever listens on the UI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from enum import Enum
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, SignalInstance

from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.engine.transfer import DownloadControl, Progress

log = logging.getLogger("majicflux.ui.downloads")

# Pause and cancel act between chunks: 64 KiB is under a second even on a slow line
CHUNK_BYTES = 64 * 1024
SHUTDOWN_WAIT_MS = 10_000


class Phase(str, Enum):
    IDLE = "idle"
    CHECKING = "checking"  # asking the hub for the file list
    DOWNLOADING = "downloading"


class DownloadThread(QObject):
    phase_changed = Signal(str)  # Phase value
    progressed = Signal(object)  # transfer.Progress
    # the exception and the Phase value it stopped in; UserError (DownloadCancelled too) names
    # the fix
    failed = Signal(object, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.setExpiryTimeout(-1)
        self._emitting = threading.RLock()
        self._shut_down = False  # after `shutdown` the download thread says nothing more
        self.phase = Phase.IDLE
        self.control = DownloadControl()
        self.last_progress: Progress | None = None

    @property
    def busy(self) -> bool:
        return self.phase is not Phase.IDLE

    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def cancel(self) -> None:
        self.control.cancel()

    @property
    def paused(self) -> bool:
        return self.control.paused

    def shutdown(self, wait_ms: int = SHUTDOWN_WAIT_MS) -> bool:
        """Stop the transfer (its `.part` stays for next time) and wait.

        From here on no signal is emitted: the windows listening may be gone. False if the
        thread was still busy after `wait_ms` (-1: no limit); only a name lookup or a connection
        being made can hold it that long, and its files must be left alone until it ends.
        """
        with self._emitting:
            self._shut_down = True
        self.control.cancel()
        done = self._pool.waitForDone(wait_ms)
        if not done:
            log.warning("the download thread did not stop in time")
        return done

    # -- the download thread -----------------------------------------------------------------------
    def refuse_if_busy(self) -> None:
        if self.busy or self._shut_down:
            raise RuntimeError("a download or check is already running, or the app is closing")

    def _begin(self, phase: Phase, work: Callable[[], object]) -> None:
        self.refuse_if_busy()
        self.control = DownloadControl()
        self._set_phase(phase)
        self._pool.start(lambda: self._guarded(work))

    def _guarded(self, work: Callable[[], object]) -> None:
        try:
            work()
        except Exception as exc:
            if not isinstance(exc, UserError):
                log.exception("the download stopped")
            stopped_in = self.phase
            self._set_phase(Phase.IDLE)
            self._emit(self.failed, exc, stopped_in.value)
        else:
            self._set_phase(Phase.IDLE)

    def _emit(self, signal: SignalInstance, *args: Any) -> None:
        with self._emitting:  # `shutdown` cannot slip in between the test and the emit
            if not self._shut_down:
                signal.emit(*args)

    def _progress(self, progress: Progress) -> None:
        self.last_progress = progress
        self._emit(self.progressed, progress)

    def _set_phase(self, phase: Phase) -> None:
        self.phase = phase
        self._emit(self.phase_changed, phase.value)
