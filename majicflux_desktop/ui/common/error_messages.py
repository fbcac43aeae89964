"""Short messages in the UI language for what went wrong, each naming the fix.

The details (the exception and its traceback) go to the log file; these words go on the screen.
"""

from __future__ import annotations

import errno
from enum import Enum

from PySide6.QtCore import QCoreApplication

from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.request import RequestError

translate = QCoreApplication.translate


def log_hint() -> str:
    return translate("failures", "Details are in the log file (Help ▸ Open log folder).")


def failure_message(exc: BaseException) -> str:
    """Why a job failed."""
    known = _known(exc)
    if known is not None:
        return known
    if _is_out_of_gpu_memory(exc):
        return translate(
            "failures",
            "Out of GPU memory, even with the leanest memory plan. Choose a smaller size, close "
            "other programs that use the GPU, or lower the VRAM budget in Settings.",
        )
    text = translate("failures", "The image could not be made: something unexpected went wrong.")
    return _with_reason(text, exc)


def load_failure_message(exc: BaseException) -> str:
    """Why the models could not be loaded."""
    known = _known(exc)
    if known is not None:
        return known
    if _is_out_of_gpu_memory(exc):
        return translate(
            "failures",
            "Out of GPU memory while loading the models. Choose the fp8-stream memory plan in "
            "Settings, or close other programs that use the GPU.",
        )
    text = translate(
        "failures",
        "The models could not be loaded: something unexpected went wrong. Check the files with "
        "Models ▸ Check model files.",
    )
    return _with_reason(text, exc)


class SetupStep(Enum):
    SCANNING_FOLDER = "scanning-folder"  # "Use existing files": the chosen folder
    CHECKING_MODELS = "checking-models"  # the start page: the models folder, the chosen files
    CHECKING_DOWNLOAD = "checking-download"  # the file list from the source, the free space
    DOWNLOADING = "downloading"


def setup_failure_message(exc: BaseException, step: SetupStep) -> str:
    """Why a step of Model setup failed, naming the step (not an image: failure_message)."""
    if isinstance(exc, UserError):
        return exc.text()
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return translate(
            "failures",
            "The disk is full. Free some space, or choose a models folder on another drive.",
        )
    if isinstance(exc, PermissionError):
        return translate(
            "failures",
            "MajicFlux may not open “{path}”. Check its permissions, or choose another folder.",
        ).format(path=exc.filename or "")
    text = {
        SetupStep.SCANNING_FOLDER: translate(
            "failures", "The folder could not be scanned: something unexpected went wrong."
        ),
        SetupStep.CHECKING_MODELS: translate(
            "failures", "The model files could not be checked: something unexpected went wrong."
        ),
        SetupStep.CHECKING_DOWNLOAD: translate(
            "failures",
            "The download could not be prepared: asking the source for the file list or "
            "reading the free space of the drive failed.",
        ),
        SetupStep.DOWNLOADING: translate(
            "failures",
            "The download stopped. Finished files are kept; start it again to continue.",
        ),
    }[step]
    return _with_reason(text, exc)


def _with_reason(text: str, exc: BaseException) -> str:
    """The sentence, the system's own words for an OS error if there are any, and where the
    details are; never a Python class name (the log has the traceback)."""
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else ""
    return f"{text} ({reason}) {log_hint()}" if reason else f"{text} {log_hint()}"


def _known(exc: BaseException) -> str | None:
    if isinstance(exc, UserError):
        return exc.text()
    if isinstance(exc, RequestError):
        return " ".join(problem.message.text() for problem in exc.problems)
    if isinstance(exc, MemoryError):
        return translate(
            "failures",
            "The computer ran out of memory (RAM). Close other programs, choose a smaller size, "
            "or choose the fp8-stream memory plan in Settings.",
        )
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return translate(
            "failures", "The disk is full. Free some space, or choose another output folder."
        )
    if isinstance(exc, PermissionError):
        return translate(
            "failures",
            "MajicFlux may not write to “{path}”. Choose another output folder in Settings.",
        ).format(path=exc.filename or "")
    return None


def _is_out_of_gpu_memory(exc: BaseException) -> bool:
    # torch.OutOfMemoryError, recognised without importing torch in the UI thread
    return type(exc).__name__ == "OutOfMemoryError" or "out of memory" in str(exc).lower()
