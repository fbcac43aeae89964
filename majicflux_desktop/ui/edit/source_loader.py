"""Reading the edit's pictures off the UI thread; only the latest request's answer counts.

A source is read with `read_picture` (files) or checked against the same limits (pictures in
memory); a reused edit's source and mask come back from the `SourceStore`, whose `open` says
clearly when a stored picture is gone or damaged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from majicflux_desktop.core.edit import Edit
from majicflux_desktop.core.edit_sizes import Size
from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.store.sources import SourceStore
from majicflux_desktop.ui.common.background import run_in_background
from majicflux_desktop.ui.edit.mask_image import mask_from_pil
from majicflux_desktop.ui.edit.picture_files import LoadedPicture, Picture, error_text, load_picture

log = logging.getLogger("majicflux.ui.edit")


@dataclass(frozen=True)
class LoadedSource:
    picture: LoadedPicture
    restored: Edit | None = None  # the reused edit this came from
    mask: QImage | None = None  # its mask at the picture's size (Alpha8)
    mask_size: Size | None = None  # the stored mask's own size, when it had to be scaled


@dataclass(frozen=True)
class LoadFailure:
    message: str  # in the UI language, naming the fix
    restoring: bool  # the source of a reused edit: no other source may stay in its place


@dataclass(frozen=True)
class _Outcome:
    token: int
    restoring: bool
    result: LoadedSource | None
    error: Exception | None


class SourceLoader(QObject):
    loaded = Signal(LoadedSource)
    failed = Signal(LoadFailure)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._token = 0
        self._busy: str | None = None

    def busy(self) -> str | None:
        """The name of the picture being read, if one is."""
        return self._busy

    def cancel(self) -> None:
        self._token += 1
        self._busy = None

    def load(self, picture: Picture, name: str, parent_image: int | None) -> None:
        self._start(name, lambda: LoadedSource(load_picture(picture, name, parent_image)), False)

    def restore(self, edit: Edit, sources: SourceStore, name: str) -> None:
        def read() -> LoadedSource:
            picture = load_picture(sources.open(edit.source), name, edit.parent_image)
            if edit.mask is None:
                return LoadedSource(picture, edit)
            stored_mask = sources.open(edit.mask)
            mask, scaled = mask_from_pil(stored_mask, picture.image.size)
            return LoadedSource(picture, edit, mask, stored_mask.size if scaled else None)

        self._start(name, read, True)

    def _start(self, name: str, job: Callable[[], LoadedSource], restoring: bool) -> None:
        self._token += 1
        token = self._token
        self._busy = name

        def work() -> _Outcome:
            try:
                return _Outcome(token, restoring, job(), None)
            except Exception as exc:
                log.info("picture not used: %s", exc, exc_info=not isinstance(exc, UserError))
                return _Outcome(token, restoring, None, exc)

        run_in_background(work, self._finish, self._finish_unexpectedly)

    def _finish(self, outcome: _Outcome) -> None:
        if outcome.token != self._token:
            return  # another picture was asked for meanwhile
        self._busy = None
        if outcome.result is not None:
            self.loaded.emit(outcome.result)
        else:
            error = outcome.error or RuntimeError("no picture")
            self.failed.emit(LoadFailure(error_text(error), outcome.restoring))

    def _finish_unexpectedly(self, exc: Exception) -> None:
        self._busy = None
        self.failed.emit(LoadFailure(error_text(exc), False))
