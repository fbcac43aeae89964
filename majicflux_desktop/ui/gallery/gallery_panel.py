"""The gallery: every image in the library as a thumbnail with its seed, newest first.

Search, favourites and sort choose what the model fetches from the library, a page at a time
(`gallery_model`); thumbnails are made off the UI thread and cached (`thumbnails`). The panel turns
the user's gestures into the signals the main window wires to the prompt panel and image view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.library import ImageQuery, ImageRecord, Library
from majicflux_desktop.core.store.records import ImageRecordStore
from majicflux_desktop.ui.common import theme
from majicflux_desktop.ui.gallery import image_actions
from majicflux_desktop.ui.gallery.gallery_model import RECORD_ROLE, GalleryModel
from majicflux_desktop.ui.gallery.gallery_view import ThumbnailDelegate, ThumbnailView
from majicflux_desktop.ui.gallery.thumbnails import ThumbnailCache

SEARCH_DELAY_MS = 250  # typing pauses longer than this run the search
UNDO_DEPTH = 50
REROLL_VARIANTS = 4


@dataclass(frozen=True)
class GalleryActions:
    """The gallery's own actions, with their shortcuts; the window's menus show these same ones."""

    reroll: QAction
    reuse_seed: QAction
    search: QAction
    trash: QAction
    undo_trash: QAction
    favourite: QAction
    use_as_source: QAction


class GalleryPanel(QWidget):
    selection_changed = Signal(ImageRecord)  # or None
    reroll_requested = Signal(ImageRecord, int)  # record, number of variants
    reuse_seed_requested = Signal(ImageRecord)
    reuse_all_requested = Signal(ImageRecord)
    use_as_source_requested = Signal(ImageRecord)
    viewer_requested = Signal(ImageRecord)
    favourite_toggled = Signal(ImageRecord, bool)  # the updated record, favourite or not
    status_message = Signal(str)

    def __init__(
        self,
        records: ImageRecordStore,
        library: Library,
        thumbnail_dir: Path,
        parent: QWidget | None = None,
    ):
        """`records` answers the gallery's queries; `library` moves files to the trash and back."""
        super().__init__(parent)
        self.records = records
        self.library = library
        self.delegate = ThumbnailDelegate(self)
        self.thumbnails = ThumbnailCache(thumbnail_dir, self.delegate.device_side(1.0), self)
        self.model = GalleryModel(records, self.thumbnails, self)
        self._undo: list[int] = []
        self._shown: ImageRecord | None = None
        self._family: int | None = None  # only this image's lineage is shown
        self._build()
        self._make_actions()
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_query)
        self.search.textChanged.connect(self._search_timer.start)
        self.search.returnPressed.connect(self._apply_query)
        self.favourites.toggled.connect(self._apply_query)
        self.lora_filter.currentIndexChanged.connect(self._apply_query)
        self.family_filter.clicked.connect(lambda: self.show_family(None))
        self.sort.currentIndexChanged.connect(self._apply_query)
        self.view.setModel(self.model)
        self.view.selectionModel().selectionChanged.connect(self._selection_moved)
        self.view.doubleClicked.connect(self._open)
        self.view.open_requested.connect(self._open)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.model.rowsInserted.connect(self._update_state)
        self.model.rowsRemoved.connect(self._update_state)
        self.model.modelReset.connect(self._update_state)
        thumbnails = self.thumbnails
        self.destroyed.connect(lambda *_: thumbnails.shutdown())
        self.model.reload()
        self.refresh_lora_names()

    # -- public ---------------------------------------------------------------------------------

    def current_record(self) -> ImageRecord | None:
        index = self.view.currentIndex()
        selected = self.view.selectionModel().isSelected(index) if index.isValid() else False
        return index.data(RECORD_ROLE) if selected else None

    def add_record(self, record: ImageRecord) -> None:
        """Show a newly made image first; select it unless the user is looking at another one."""
        browsing = self._browsing()
        row = self.model.insert(record)
        if any(self.lora_filter.findData(lora.name) < 0 for lora in record.loras):
            self.refresh_lora_names()
        self._update_state()
        if row is None or browsing:
            return
        self._select_row(row)

    def refresh(self) -> None:
        """Read the library again, keeping the selection, and look again at missing files."""
        current = self.current_record()
        self.thumbnails.forget_failures()
        self.model.reload()
        self.refresh_lora_names()
        self._reselect(current)

    def select_image(self, image_id: int) -> bool:
        row = self.model.find_row(image_id)
        if row is None:
            return False
        self._select_row(row)
        return True

    def show_family(self, image_id: int | None) -> None:
        """Show only this image's lineage: the pictures it was made from and those made from
        it (None: every image again)."""
        self._family = image_id
        self.family_filter.setText(
            "" if image_id is None else self.tr("Family of #{id} ✕").format(id=image_id)
        )
        self.family_filter.setVisible(image_id is not None)
        self._apply_query()
        if image_id is not None:
            self.select_image(image_id)

    def reveal_image(self, image_id: int) -> bool:
        """Select this image, clearing the search and filters if they hide it; False when it
        is not in the gallery at all (in the trash, or deleted)."""
        if self.select_image(image_id):
            return True
        record = self.records.image(image_id)
        if record is None or record.trashed:
            return False
        self.search.clear()
        self.favourites.setChecked(False)
        self.lora_filter.setCurrentIndex(0)
        self._family = None
        self.family_filter.hide()
        self._apply_query()
        return self.select_image(image_id)

    def neighbour(self, image_id: int, delta: int) -> ImageRecord | None:
        """The image `delta` places from this one in the gallery's order (the viewer's arrows)."""
        row = self.model.find_row(image_id)
        if row is None:
            return None
        target = row + delta
        while target >= self.model.rowCount() and self.model.canFetchMore():
            self.model.fetchMore()
        return self.model.record(target) if target >= 0 else None

    def set_favourite(self, image_id: int, favourite: bool) -> ImageRecord | None:
        record = self.records.set_favourite(image_id, favourite)
        if record is None:
            return None
        self.model.replace(record)
        self.favourite_toggled.emit(record, favourite)
        self._selection_moved()
        return record

    def toggle_favourite(self) -> None:
        record = self.current_record()
        if record is not None:
            self.set_favourite(record.id, not record.favourite)

    def trash_current(self) -> None:
        record = self.current_record()
        if record is None:
            return
        try:
            self.library.trash(record.id)
        except (OSError, UserError, KeyError) as exc:
            self.status_message.emit(
                self.tr("Could not move the image to the trash: {reason}").format(reason=exc)
            )
            return
        self._undo = [*self._undo[-UNDO_DEPTH + 1 :], record.id]
        row = self.model.remove(record.id)
        self.thumbnails.forget(record.id)
        if record.loras:
            self.refresh_lora_names()
        if row is not None and self.model.rowCount():
            self._select_row(min(row, self.model.rowCount() - 1))
        self.status_message.emit(self.tr("Moved to trash — Ctrl+Z to undo"))

    def undo_trash(self) -> None:
        if not self._undo:
            self.status_message.emit(self.tr("Nothing to undo"))
            return
        image_id = self._undo.pop()
        try:
            record = self.library.restore(image_id)
        except (OSError, UserError, KeyError) as exc:
            self.status_message.emit(
                self.tr("Could not restore the image: {reason}").format(reason=exc)
            )
            return
        row = self.model.insert(record)
        if record.loras:
            self.refresh_lora_names()
        if row is not None:
            self._select_row(row)
        self.status_message.emit(self.tr("Restored from the trash"))

    def refresh_lora_names(self) -> None:
        """The LoRA filter's choices: every LoRA an image outside the trash was made with, the
        most used first. Hidden while there is none (most people start without LoRAs)."""
        chosen = str(self.lora_filter.currentData() or "")
        names = self.records.lora_names()
        self.lora_filter.blockSignals(True)
        self.lora_filter.clear()
        self.lora_filter.addItem(self.tr("All LoRAs"), "")
        for name, count in names:
            self.lora_filter.addItem(f"{name} ({count})", name)
        if chosen and self.lora_filter.findData(chosen) < 0:
            self.lora_filter.addItem(f"{chosen} (0)", chosen)  # keep the user's choice shown
        self.lora_filter.setCurrentIndex(max(0, self.lora_filter.findData(chosen)))
        self.lora_filter.blockSignals(False)
        self.lora_filter.setVisible(bool(names) or bool(chosen))
        # The box keeps a modest width in the bar; its list is as wide as the longest name.
        metrics = self.lora_filter.view().fontMetrics()
        widest = max(
            metrics.horizontalAdvance(self.lora_filter.itemText(i))
            for i in range(self.lora_filter.count())
        )
        self.lora_filter.view().setMinimumWidth(widest + 40)

    def set_lora_filter(self, name: str) -> None:
        index = self.lora_filter.findData(name)
        if index >= 0:
            self.lora_filter.setCurrentIndex(index)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def shutdown(self) -> None:
        """Stop the thumbnail threads (the main window calls this when it closes)."""
        self.thumbnails.shutdown()

    def context_menu(self, record: ImageRecord) -> QMenu:
        menu = QMenu(self)
        menu.addAction(self.commands.reroll)
        self._menu_action(
            menu,
            "reroll_many",
            self.tr("Re-roll ×{n}").format(n=REROLL_VARIANTS),
            lambda: self.reroll_requested.emit(record, REROLL_VARIANTS),
        )
        menu.addAction(self.commands.reuse_seed)
        self._menu_action(
            menu,
            "reuse_all",
            self.tr("Reuse all parameters"),
            lambda: self.reuse_all_requested.emit(record),
        )
        menu.addAction(self.commands.use_as_source)
        if record.parent_id is not None or self.records.has_children(record.id):
            self._menu_action(
                menu, "family", self.tr("Show its family"), lambda: self.show_family(record.id)
            )
        menu.addSeparator()
        self._menu_action(
            menu,
            "copy_seed",
            self.tr("Copy seed"),
            lambda: self.status_message.emit(image_actions.copy_seed(record)),
        )
        self._menu_action(
            menu,
            "copy_prompt",
            self.tr("Copy prompt"),
            lambda: self.status_message.emit(image_actions.copy_prompt(record)),
        )
        favourite = self._menu_action(
            menu,
            "favourite",
            self.tr("Favourite"),
            lambda: self.set_favourite(record.id, not record.favourite),
        )
        favourite.setCheckable(True)
        favourite.setChecked(record.favourite)
        menu.addSeparator()
        self._menu_action(menu, "open_folder", self.tr("Open folder"), lambda: self._reveal(record))
        self._menu_action(
            menu, "export", self.tr("Export without metadata…"), lambda: self._export(record)
        )
        menu.addSeparator()
        menu.addAction(self.commands.trash)
        return menu

    # -- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.tr("Search prompts…"))
        self.favourites = QToolButton(self)
        self.favourites.setCheckable(True)
        self.favourites.setObjectName("favouritesFilter")
        self.favourites.setToolTip(self.tr("Show only favourite images"))
        # On and off must look different at a glance: the star fills and the button lights up.
        self.favourites.toggled.connect(self._show_favourites_filter)
        self._show_favourites_filter(False)
        self.lora_filter = QComboBox(self)
        self.lora_filter.setObjectName("loraFilter")
        self.lora_filter.setToolTip(self.tr("Show only images made with this LoRA"))
        self.lora_filter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.lora_filter.setMinimumContentsLength(14)
        self.family_filter = QToolButton(self)
        self.family_filter.setObjectName("familyFilter")
        self.family_filter.setToolTip(
            self.tr("Showing one picture's family. Click to show every image.")
        )
        self.family_filter.setStyleSheet(
            f"#familyFilter {{ background: {theme.ACCENT}; color: #1a1a1a; border-radius: 3px; }}"
        )
        self.family_filter.hide()
        self.sort = QComboBox(self)
        self.sort.addItem(self.tr("Newest first"), True)
        self.sort.addItem(self.tr("Oldest first"), False)
        self.count = QLabel(self)
        self.view = ThumbnailView(self.delegate, self)
        self.empty = QLabel(self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setMargin(24)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.view)
        self.pages.addWidget(self.empty)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.favourites)
        bar.addWidget(self.lora_filter)
        bar.addWidget(self.family_filter)
        bar.addWidget(self.sort)
        bar.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)

    def _make_actions(self) -> None:
        window = Qt.ShortcutContext.WindowShortcut
        here = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.commands = GalleryActions(
            search=self._action(
                self.tr("Search prompts"), QKeySequence.StandardKey.Find, window, self.focus_search
            ),
            reroll=self._action(
                self.tr("Re-roll"), QKeySequence("Ctrl+R"), window, lambda: self._emit_for(1)
            ),
            reuse_seed=self._action(
                self.tr("Reuse seed"), QKeySequence("Ctrl+Shift+R"), window, self._reuse_seed
            ),
            # Delete and Ctrl+Z act only while the gallery has focus: elsewhere they edit text.
            trash=self._action(
                self.tr("Move to trash"), QKeySequence.StandardKey.Delete, here, self.trash_current
            ),
            undo_trash=self._action(
                self.tr("Undo move to trash"), QKeySequence.StandardKey.Undo, here, self.undo_trash
            ),
            favourite=self._action(
                self.tr("Favourite"), QKeySequence("Ctrl+D"), window, self.toggle_favourite
            ),
            use_as_source=self._action(
                self.tr("Use as source"), QKeySequence("Ctrl+I"), window, self._use_as_source
            ),
        )

    def _action(
        self,
        text: str,
        keys: QKeySequence | QKeySequence.StandardKey,
        context: Qt.ShortcutContext,
        slot: Callable[[], object],
    ) -> QAction:
        action = QAction(text, self)
        action.setShortcut(keys)
        action.setShortcutContext(context)
        action.triggered.connect(lambda: slot())
        self.addAction(action)
        return action

    def _menu_action(
        self, menu: QMenu, name: str, text: str, slot: Callable[[], object]
    ) -> QAction:
        action = menu.addAction(text)
        action.setObjectName(name)
        action.triggered.connect(lambda: slot())
        return action

    # -- reactions ------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        self.thumbnails.set_tile_side(self.delegate.device_side(self.devicePixelRatioF()))
        super().showEvent(event)

    def _show_favourites_filter(self, on: bool) -> None:
        self.favourites.setText(("★ " if on else "☆ ") + self.tr("Favourites"))
        self.favourites.setStyleSheet(
            f"#favouritesFilter {{ background: {theme.ACCENT}; color: #1a1a1a; border-radius: 3px; }}"
            if on
            else ""
        )

    def _apply_query(self) -> None:
        self._search_timer.stop()
        # Like the favourites button: a filter that hides images must show that it is on.
        self.lora_filter.setStyleSheet(
            f"#loraFilter {{ border: 1px solid {theme.ACCENT}; border-radius: 3px; }}"
            if self.lora_filter.currentData()
            else ""
        )
        query = ImageQuery(
            search=self.search.text(),
            favourites_only=self.favourites.isChecked(),
            lora=str(self.lora_filter.currentData() or ""),
            newest_first=bool(self.sort.currentData()),
            family_of=self._family,
        )
        if query == self.model.query:
            return
        current = self.current_record()
        self.model.set_query(query)
        self._reselect(current)

    def _reselect(self, previous: ImageRecord | None) -> None:
        row = self.model.row_of(previous.id) if previous else None
        if row is not None:
            self._select_row(row)
        else:
            self.view.scrollToTop()
            self._selection_moved()

    def _select_row(self, row: int) -> None:
        index = self.model.index(row)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        self._selection_moved()

    def _selection_moved(self, *_: object) -> None:
        record = self.current_record()
        if record != self._shown:
            self._shown = record
            self.selection_changed.emit(record)

    def _browsing(self) -> bool:
        current = self.current_record()
        if current is None:
            return False
        newest = 0 if self.model.query.newest_first else self.model.rowCount() - 1
        return self.model.row_of(current.id) != newest

    def _update_state(self, *_: object) -> None:
        total = self.model.total
        self.count.setText(self.tr("%n image(s)", "", total))
        if self.model.rowCount():
            self.pages.setCurrentWidget(self.view)
            return
        query = self.model.query
        if query.search.strip():
            text = self.tr(
                "No image matches “{search}”.\nSearch looks in prompts and negative prompts, in any language."
            ).format(search=query.search.strip())
        elif query.family_of is not None:
            text = self.tr(
                "No image of this family matches.\nClick “Family of #{id}” above to see every image."
            ).format(id=query.family_of)
        elif query.lora:
            text = self.tr(
                "No image made with the LoRA “{name}” matches.\nChoose “All LoRAs” to see every image."
            ).format(name=query.lora)
        elif query.favourites_only:
            text = self.tr(
                "No favourites yet.\nRight-click an image and choose Favourite to keep it here."
            )
        else:
            text = self.tr(
                "No images yet.\nWrite a prompt and press Ctrl+Enter to make your first image: it will appear here with its seed."
            )
        self.empty.setText(text)
        self.pages.setCurrentWidget(self.empty)

    def _open(self, index: QModelIndex) -> None:
        record = index.data(RECORD_ROLE)
        if record is not None:
            self.viewer_requested.emit(record)

    def _emit_for(self, variants: int) -> None:
        record = self.current_record()
        if record is not None:
            self.reroll_requested.emit(record, variants)

    def _use_as_source(self) -> None:
        record = self.current_record()
        if record is not None:
            self.use_as_source_requested.emit(record)

    def _reuse_seed(self) -> None:
        record = self.current_record()
        if record is not None:
            self.reuse_seed_requested.emit(record)

    def _context_menu(self, position: QPoint) -> None:
        index = self.view.indexAt(position)
        record = index.data(RECORD_ROLE) if index.isValid() else None
        if record is None:
            return
        self._select_row(index.row())
        menu = self.context_menu(record)
        menu.exec(self.view.viewport().mapToGlobal(position))
        menu.deleteLater()

    def _reveal(self, record: ImageRecord) -> None:
        message = image_actions.open_folder_message(record)
        if message:
            self.status_message.emit(message)

    def _export(self, record: ImageRecord) -> None:
        message = image_actions.export_without_metadata(self, record)
        if message:
            self.status_message.emit(message)
