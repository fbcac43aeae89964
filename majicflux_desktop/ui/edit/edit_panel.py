"""The edit panel: a source picture, what to do with it, and the `Edit` a request carries.

With no source the panel stands aside (`edit()` is None: text to image). A source comes from a
file, the clipboard, a drop, the gallery ("Use as source") or a reused edit (`restore`); it is
read off the UI thread, and a bad file keeps whatever source was there before. The panel shows
only the controls of the chosen mode, the sizes the edit works at and delivers, and what must be
fixed, all in the UI language; the lead's prompt panel reads `work_size`, `problems` and `edit`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog, QLabel, QVBoxLayout, QWidget

from majicflux_desktop.core.edit import Edit, EditMode, InpaintArea, StoredImage
from majicflux_desktop.core.edit_sizes import Size, fit_work_size
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, user_error
from majicflux_desktop.core.request import DEFAULT_SIZE
from majicflux_desktop.core.store.sources import SourceStore
from majicflux_desktop.engine import masks
from majicflux_desktop.ui.common.background import run_in_background
from majicflux_desktop.ui.edit import edit_draft
from majicflux_desktop.ui.edit.edit_draft import EditSizing
from majicflux_desktop.ui.edit.edit_options import EditOptions, EditOptionsForm
from majicflux_desktop.ui.edit.mask_dialog import MaskDialog
from majicflux_desktop.ui.edit.mask_image import (
    mask_from_pil,
    mask_to_pil,
    picture_from_pil,
    repainted,
)
from majicflux_desktop.ui.edit.mask_row import MaskRow
from majicflux_desktop.ui.edit.panel_text import message_html, sizes_text
from majicflux_desktop.ui.edit.picture_files import LoadedPicture, Picture, image_filter, picture_in
from majicflux_desktop.ui.edit.source_box import SourceBox
from majicflux_desktop.ui.edit.source_loader import LoadedSource, LoadFailure, SourceLoader


@dataclass(frozen=True)
class SourceInfo:
    name: str
    width: int
    height: int
    parent_image: int | None  # the gallery image it came from, if it did


@dataclass(frozen=True)
class EditState:
    """What `changed` carries: enough for the prompt panel to re-check its request."""

    active: bool  # a source is set: the request is an edit
    mode: EditMode
    sizing: EditSizing | None
    problems: tuple[str, ...]


@dataclass(frozen=True)
class EditSnapshot:
    """Everything the panel holds, in memory (a language switch rebuilds the panel; a drop that
    set the source can be undone)."""

    loaded: LoadedPicture | None
    mask: QImage | None
    options: EditOptions
    strength_set_by_user: bool
    note: tuple[str, str] | None
    stored: dict[tuple[str, Path], tuple[int, StoredImage]]
    revisions: dict[str, int]


class EditPanel(QWidget):
    changed = Signal(EditState)
    size_changed = Signal(EditSizing)  # the work and output sizes changed (only when active)
    source_changed = Signal(SourceInfo)  # a source was read and is shown
    source_removed = Signal()
    load_failed = Signal(str)  # why a picture could not be used, in the UI language
    source_stored = Signal(StoredImage)  # `prepare` has stored the source

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._loaded: LoadedPicture | None = None
        self._mask: QImage | None = None
        self._repainted: np.ndarray | None = None  # where the engine repaints, from the mask
        self._share = 0.0  # … as a share of the picture
        self._chosen: Size = (DEFAULT_SIZE, DEFAULT_SIZE)
        self._note: tuple[str, str] | None = None  # (text, level) under the problems
        self._stored: dict[tuple[str, Path], tuple[int, StoredImage]] = {}
        self._revisions = {"source": 0, "mask": 0}
        self._last_sizing: EditSizing | None = None
        self.mask_dialog: MaskDialog | None = None
        self.loader = SourceLoader(self)
        self.loader.loaded.connect(self._source_read)
        self.loader.failed.connect(self._source_failed)
        self.source_box = SourceBox()
        self.form = EditOptionsForm()
        self.mask_row = MaskRow()
        self.form.mask_slot_layout.addWidget(self.mask_row)
        self.sizes_label = QLabel()
        self.sizes_label.setWordWrap(True)
        self.messages = QLabel()
        self.messages.setWordWrap(True)
        self.messages.setTextFormat(Qt.TextFormat.RichText)  # escaped in `message_html`
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.source_box)
        layout.addWidget(self.form)
        layout.addWidget(self.sizes_label)
        layout.addWidget(self.messages)
        self.source_box.open_button.clicked.connect(self.open_file)
        self.source_box.paste_button.clicked.connect(self.paste)
        self.source_box.remove_button.clicked.connect(self.clear)
        self.source_box.thumbnail.file_dropped.connect(self.set_source)
        self.source_box.thumbnail.image_dropped.connect(self.set_source)
        self.mask_row.paint_button.clicked.connect(self.paint_mask)
        self.form.options_changed.connect(self._refresh)
        self._refresh()

    # -- the source -----------------------------------------------------------------------------

    def set_source(self, picture: Picture, parent_image: int | None = None, name: str = "") -> None:
        """Use a picture (a file path, a QImage, a PIL image) as the source; it is read off the
        UI thread and `source_changed` or `load_failed` follows. `parent_image`: the gallery
        image it is, for the new image's lineage."""
        if not name:
            name = Path(picture).name if isinstance(picture, (str, Path)) else self.tr("Picture")
        self.loader.load(picture, name, parent_image)
        self._show_loading(name)

    def open_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose the source picture"), "", image_filter()
        )
        if chosen:
            self.set_source(Path(chosen))

    def paste(self) -> None:
        picture = picture_in(QGuiApplication.clipboard().mimeData())
        if picture is None:
            self._fail(self.tr("The clipboard holds no picture. Copy a picture, then paste."))
            return
        self.set_source(
            picture, name="" if isinstance(picture, Path) else self.tr("Pasted picture")
        )

    def clear(self) -> None:
        """Remove the source and its mask: the panel stands aside (text to image)."""
        had = self._loaded is not None
        self.loader.cancel()  # a read still under way is no longer wanted
        self._loaded = None
        self._set_mask_now(None)
        self._note = None
        self._show_source()
        self._refresh()
        if had:
            self.source_removed.emit()

    def has_source(self) -> bool:
        return self._loaded is not None

    def loading(self) -> bool:
        return self.loader.busy() is not None

    def source_info(self) -> SourceInfo | None:
        loaded = self._loaded
        if loaded is None:
            return None
        return SourceInfo(loaded.name, loaded.image.width, loaded.image.height, loaded.parent_image)

    # -- the mask -------------------------------------------------------------------------------

    def mask_image(self) -> QImage | None:
        """The mask at the source's size (Alpha8, 255 repaints), or None."""
        return None if self._mask is None else self._mask.copy()

    def set_mask(self, mask: QImage | Image.Image | None) -> None:
        """Use this mask (white or opaque repaints); one of another size is scaled, and said."""
        if mask is None or self._loaded is None:
            self._set_mask_now(None)
            self._refresh()
            return
        image = mask if isinstance(mask, Image.Image) else mask_to_pil(mask)
        scaled_mask, scaled = mask_from_pil(image, self._loaded.image.size)
        self._set_mask_now(scaled_mask)
        self._note = (self._scaled_note(image.size), "warning") if scaled else None
        self._refresh()

    def paint_mask(self) -> MaskDialog | None:
        """Open the mask painter on the source (window-modal); OK takes its mask."""
        if self._loaded is None:
            return None
        options = self.form.options()
        padding = options.padding if options.area is InpaintArea.MASKED else None
        dialog = MaskDialog(
            picture_from_pil(self._loaded.image), self._mask, options.feather, padding, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._take_painted_mask)
        dialog.finished.connect(self._dialog_closed)
        self.mask_dialog = dialog
        dialog.open()
        return dialog

    def _take_painted_mask(self) -> None:
        if self.mask_dialog is None:
            return
        self._set_mask_now(self.mask_dialog.mask_image())
        self.form.set_feather(self.mask_dialog.feather())
        self._note = None
        self._refresh()

    def _dialog_closed(self) -> None:
        self.mask_dialog = None

    def _set_mask_now(self, mask: QImage | None) -> None:
        self._mask = mask
        self._repainted = None if mask is None else repainted(mask)
        self._share = 0.0 if self._repainted is None else float(self._repainted.mean())
        if self._share == 0.0:
            self._mask, self._repainted = None, None  # an empty mask is no mask
        self._revisions["mask"] += 1

    # -- the edit -------------------------------------------------------------------------------

    def options(self) -> EditOptions:
        return self.form.options()

    def set_options(self, options: EditOptions) -> None:
        self.form.set_options(options)

    def set_chosen_size(self, width: int, height: int) -> None:
        """The size chosen in the prompt panel: image to image with Fit or Fill works at it."""
        self._chosen = (width, height)
        self._refresh()

    def suggested_size(self) -> Size | None:
        """The source's shape near its own size, within 256–2048: a good size to choose when a
        source arrives for image to image."""
        info = self.source_info()
        if info is None:
            return None
        return fit_work_size(info.width, info.height)

    def work_size(self, chosen: Size | None = None) -> Size:
        """The request's width × height: `chosen` (the prompt panel's size) unless the edit sets
        it; `chosen` also when there is no source."""
        chosen = self._chosen if chosen is None else chosen
        draft = self._draft()
        return chosen if draft is None else edit_draft.work_size(draft, chosen)

    def sizing(self) -> EditSizing | None:
        draft = self._draft()
        if draft is None:
            return None
        return edit_draft.sizing(draft, self._chosen, self._repainted)

    def problems(self) -> list[str]:
        """What must change before the edit can be queued (empty with no source)."""
        if self.loading():
            return [self.tr("The source picture is still being read. Wait a moment.")]
        draft = self._draft()
        return [] if draft is None else edit_draft.problems(draft, self._chosen)

    def edit(self, sources: SourceStore) -> Edit | None:
        """The edit for a request, its pictures kept in `sources` (None: no source, text to
        image). Check `problems()` first: an edit with problems is returned as it is, and the
        request's own checks refuse it with the same words."""
        if self.loading():
            raise user_error(
                "EditPanel",
                QT_TRANSLATE_NOOP(
                    "EditPanel", "The source picture is still being read. Wait a moment."
                ),
            )
        loaded = self._loaded
        if loaded is None:
            return None
        options = self.form.options()
        source = self._store(sources, "source", lambda: sources.put(loaded.image))
        mask = None
        if options.mode is EditMode.INPAINT and self._mask is not None:
            layer = masks.mask_layer(mask_to_pil(self._mask))
            mask = self._store(sources, "mask", lambda: sources.put(layer, mode="L"))
        return edit_draft.to_edit(options, source, mask, loaded.parent_image)

    def prepare(self, sources: SourceStore) -> None:
        """Store the source now, off the UI thread, so that `edit()` finds it stored: encoding a
        large photo takes seconds. A source stored so and never used stays in `sources`."""
        loaded = self._loaded
        if loaded is None or self._cached(sources, "source") is not None:
            return
        revision = self._revisions["source"]
        run_in_background(
            lambda: (sources.folder, revision, sources.put(loaded.image)),
            self._prepared,
            lambda _exc: None,  # edit() stores it then, and says what went wrong
        )

    def _prepared(self, outcome: tuple[Path, int, StoredImage]) -> None:
        folder, revision, stored = outcome
        self._stored[("source", folder)] = (revision, stored)
        self.source_stored.emit(stored)

    def _cached(self, sources: SourceStore, kind: str) -> StoredImage | None:
        cached = self._stored.get((kind, sources.folder))
        if cached is None or cached[0] != self._revisions[kind] or not sources.has(cached[1]):
            return None
        return cached[1]

    def _store(
        self, sources: SourceStore, kind: str, put: Callable[[], StoredImage]
    ) -> StoredImage:
        # The same pixels are stored once; an unchanged picture is not even encoded again.
        stored = self._cached(sources, kind)
        if stored is None:
            stored = put()
            self._stored[(kind, sources.folder)] = (self._revisions[kind], stored)
        return stored

    def restore(self, edit: Edit, sources: SourceStore) -> None:
        """Reuse all parameters of an edit: its options now, its source and mask from `sources`
        once read (`source_changed`), or `load_failed` saying the picture is gone."""
        self.form.set_options(edit_draft.options_of(edit, self.form.options()))
        name = self.tr("Source of the reused image")
        self.loader.restore(edit, sources, name)
        self._show_loading(name)

    def snapshot(self) -> EditSnapshot:
        return EditSnapshot(
            self._loaded,
            self.mask_image(),
            self.form.options(),
            self.form.strength_set_by_user(),
            self._note,
            dict(self._stored),
            dict(self._revisions),
        )

    def restore_snapshot(self, snapshot: EditSnapshot) -> None:
        """Hold exactly what `snapshot` held (a read under way is dropped)."""
        self.loader.cancel()
        had = self._loaded is not None
        self._loaded = snapshot.loaded
        self.form.set_options(snapshot.options, snapshot.strength_set_by_user)
        self._set_mask_now(snapshot.mask)
        self._stored = dict(snapshot.stored)
        self._revisions = dict(snapshot.revisions)
        self._note = snapshot.note
        self._show_source()
        self._refresh()
        if snapshot.loaded is not None:
            info = self.source_info()
            assert info is not None
            self.source_changed.emit(info)
        elif had:
            self.source_removed.emit()

    # -- a picture read ---------------------------------------------------------------------------

    def _show_loading(self, name: str) -> None:
        self.source_box.show_loading(name)
        self._refresh()

    def _source_read(self, result: LoadedSource) -> None:
        if result.restored is not None:
            self._use(result.picture, keep_mask=False)
            self._set_mask_now(result.mask)
            if result.mask_size is not None:
                self._note = (self._scaled_note(result.mask_size), "warning")
        else:
            self._use(result.picture, keep_mask=True)
        self._refresh()
        info = self.source_info()
        assert info is not None
        self.source_changed.emit(info)

    def _source_failed(self, failure: LoadFailure) -> None:
        if failure.restoring:
            self.clear()  # the reused edit's source is gone: an unrelated one must not stay
        self._fail(failure.message)

    def _use(self, picture: LoadedPicture, keep_mask: bool) -> None:
        old = self._loaded
        self._loaded = picture
        self._revisions["source"] += 1
        self._note = None
        self._show_source()
        if self._mask is None or not keep_mask:
            self._set_mask_now(None)
        elif old is not None and old.image.size == picture.image.size:
            self._note = (self.tr("The mask was kept for the new picture."), "info")
        else:
            self._set_mask_now(None)
            self._note = (
                self.tr("The mask was removed: the new picture has another size. Paint it again."),
                "warning",
            )

    def _fail(self, text: str) -> None:
        self._note = (text, "error")
        self._show_source()
        self._refresh()
        self.load_failed.emit(text)

    def _show_source(self) -> None:
        """The source box shows the picture held (or that there is none)."""
        loaded = self._loaded
        if loaded is None:
            self.source_box.show_empty()
        else:
            self.source_box.show_picture(
                loaded.thumbnail, loaded.name, loaded.image.width, loaded.image.height
            )

    def _scaled_note(self, mask_size: Size) -> str:
        assert self._loaded is not None
        return self.tr(
            "The mask was {mask_width}×{mask_height} pixels and the picture is {width}×{height}; "
            "the mask was scaled to the picture."
        ).format(
            mask_width=mask_size[0],
            mask_height=mask_size[1],
            width=self._loaded.image.width,
            height=self._loaded.image.height,
        )

    # -- what is shown --------------------------------------------------------------------------

    def _draft(self) -> Edit | None:
        loaded = self._loaded
        if loaded is None:
            return None
        has_mask = self._mask is not None
        return edit_draft.draft(
            self.form.options(), loaded.image.size, has_mask, loaded.parent_image
        )

    def _refresh(self) -> None:
        active = self._loaded is not None
        self.form.setVisible(active)
        sizing = self.sizing()
        problems = self.problems()
        if self._loaded is not None:
            self.mask_row.show_mask(self._loaded.thumbnail, self._mask, self._share)
        mode = self.form.options().mode
        self.sizes_label.setText(sizes_text(sizing) if sizing is not None else "")
        self.sizes_label.setVisible(bool(self.sizes_label.text()))
        self.messages.setText(message_html(problems, self._note))
        self.messages.setVisible(bool(problems or self._note))
        if sizing is not None and sizing != self._last_sizing:
            self.size_changed.emit(sizing)
        self._last_sizing = sizing
        self.changed.emit(EditState(active, mode, sizing, tuple(problems)))
