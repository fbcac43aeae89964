"""Logging and console hygiene for a windowed or frozen app.

A Windows GUI app starts with `sys.stdout is None`; a console may use cp936/cp1252. Libraries that
print (diffsynth prints boxes of `┌ │ √`) would crash on either. `make_stdio_safe` fixes both at
start-up, and `prints_to_log` sends a library's chatter to the log file instead of the console.
"""

from __future__ import annotations

import contextlib
import io
import logging
import logging.handlers
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

log = logging.getLogger("majicflux")


def make_stdio_safe() -> None:
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
            continue
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8", errors="replace")
            except (OSError, ValueError, io.UnsupportedOperation):
                stream.reconfigure(errors="replace")


def setup_logging(log_file: Path | None, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
        handler.setFormatter(formatter)
        root.addHandler(handler)


class _LineLogger(io.TextIOBase):
    def __init__(self, logger: logging.Logger):
        self._logger = logger
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._pending += text
        while "\n" in self._pending:
            line, self._pending = self._pending.split("\n", 1)
            if line.strip():
                self._logger.debug(line.rstrip())
        return len(text)

    def flush(self) -> None:
        if self._pending.strip():
            self._logger.debug(self._pending.rstrip())
        self._pending = ""


_redirect_lock = threading.RLock()


@contextlib.contextmanager
def prints_to_log(logger_name: str) -> Iterator[None]:
    """Route print() output of the code inside to the log (debug level) instead of the console."""
    writer = _LineLogger(logging.getLogger(logger_name))
    with _redirect_lock:
        saved: tuple[TextIO, TextIO] = (sys.stdout, sys.stderr)
        sys.stdout = sys.stderr = writer
        try:
            yield
        finally:
            writer.flush()
            sys.stdout, sys.stderr = saved
