"""Logging and console hygiene for a windowed or frozen app.

A Windows GUI app starts with `sys.stdout is None`; a console may use cp936/cp1252. Libraries that
print (diffsynth prints boxes of `┌ │ √`) would crash on either. `make_stdio_safe` fixes both at
start-up, and `prints_to_log` sends a library's chatter to the log file instead of the console.
"""

from __future__ import annotations

import codecs
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


NAME_BYTES = "majicflux-name-bytes"


def _name_bytes(error: UnicodeError) -> tuple[str | bytes, int]:
    """Encoding error handler: a file name that is not valid Unicode (GBK bytes on Linux, which
    Python keeps as surrogates U+DC80..U+DCFF) is written back as its own bytes, so a printed path
    is the path; any other character that cannot be written becomes "?"."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start : error.end]
    if all(0xDC80 <= ord(char) <= 0xDCFF for char in chunk):
        return bytes(ord(char) - 0xDC00 for char in chunk), error.end
    return "?" * len(chunk), error.end


codecs.register_error(NAME_BYTES, _name_bytes)


def make_stdio_safe() -> None:
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
            continue
        if not hasattr(stream, "reconfigure"):
            continue
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        try:
            if encoding != "utf8":
                stream.reconfigure(encoding="utf-8", errors=NAME_BYTES)
            else:
                stream.reconfigure(errors=NAME_BYTES)
        except (OSError, ValueError, io.UnsupportedOperation):
            stream.reconfigure(errors="replace")


def setup_logging(log_file: Path | None, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        # a file name that is not valid Unicode must not turn a log line into an error
        handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8", errors="backslashreplace"
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
