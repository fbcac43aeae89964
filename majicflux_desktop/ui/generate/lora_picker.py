"""The LoRA picker: find a LoRA file by its name, title, trigger words or training tags; see what
it is and why one is refused; star favourites; add one to the prompt panel's stack.

┌ Add LoRA ─────────────────────────────────────────────────────────────────┐
│ [search names, trigger words, tags…                          ] [Rescan]   │
│ ┌ list ─────────────────────────────┐ ┌ details ──────────────────────┐   │
│ │ Favourites                        │ │ [preview]  name               │   │
│ │  ▣ name / trigger words       ★   │ │ trigger words, base model,    │   │
│ │ Recently used                     │ │ rank, size, layout, layers    │   │
│ │ All LoRA files (n)                │ │ [☆ Favourite] [Add]           │   │
│ │  ▣ sdxl-style / cannot be used    │ └───────────────────────────────┘   │
│ └───────────────────────────────────┘                                     │
│ LoRA folders: …                  [Download…] [Open LoRA folder] [Close]   │
└───────────────────────────────────────────────────────────────────────────┘
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QDesktopServices,
    QKeyEvent,
    QMouseEvent,
    QPalette,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.units import format_bytes
from majicflux_desktop.engine.lora_files import LoraFile
from majicflux_desktop.ui.common.lora_catalog import LoraCatalog, LoraListing, refusal
from majicflux_desktop.ui.common.plain_text import plain_tooltip
from majicflux_desktop.ui.generate import lora_previews
from majicflux_desktop.ui.generate.lora_details import DETAIL_SIDE, LoraDetails
from majicflux_desktop.ui.generate.lora_download import LoraDownloadDialog
from majicflux_desktop.ui.generate.lora_list import (
    FILE_ROLE,
    ICON_SIDE,
    STAR_ROLE,
    SUBTITLE_ROLE,
    LoraItemDelegate,
    matches,
)


@dataclass(frozen=True)
class LoraPreferences:
    """The user's favourite and recently used LoRAs, by SHA-256 (Settings)."""

    favourites: tuple[str, ...] = ()
    recent: tuple[str, ...] = ()


class LoraPicker(QDialog):
    chosen = Signal(LoraFile)  # add this one to the stack
    favourite_toggled = Signal(str, bool)  # SHA-256, favourite or not

    def __init__(
        self,
        catalog: LoraCatalog,
        preferences: LoraPreferences,
        in_stack: Mapping[str, bool] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add LoRA"))
        self.catalog = catalog
        self.preferences = preferences
        # the stack's LoRAs by name, and whether each is on
        self._in_stack = {name.casefold(): on for name, on in (in_stack or {}).items()}
        self._pending: set[Path] = set()  # being hashed to become favourites
        self._added = False
        self._reveal_when_listed: Path | None = None  # just downloaded: select it once scanned
        self.download_dialog: LoraDownloadDialog | None = None
        self.previews = lora_previews.PreviewLoader(self)
        self.previews.loaded.connect(self._preview_loaded)
        self._build()
        catalog.scanned.connect(self._listing_changed)
        catalog.file_hashed.connect(self._hashed)
        catalog.hash_failed.connect(self._hash_failed)
        self.resize(920, 620)
        self.rebuild()
        catalog.rescan()  # files copied in since the last look (a network drive sends no news)

    # -- building ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.tr("Search names, trigger words and tags…"))
        self.search.textChanged.connect(lambda _: self.rebuild())
        self.search.installEventFilter(self)  # Up, Down and Enter: see eventFilter
        self.rescan_button = QPushButton(self.tr("Rescan"))
        self.rescan_button.setToolTip(self.tr("Look in the LoRA folders again"))
        self.rescan_button.clicked.connect(self.catalog.rescan)
        self.model = QStandardItemModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.delegate = LoraItemDelegate(self.list)
        self.delegate.star_clicked.connect(self._star_clicked)
        self.list.setItemDelegate(self.delegate)
        self.list.setMouseTracking(True)
        self.list.setUniformItemSizes(False)
        self.list.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.list.selectionModel().currentChanged.connect(lambda *_: self._show_current())
        self.list.doubleClicked.connect(self._double_clicked)
        self.list.installEventFilter(self)
        self.list.viewport().installEventFilter(self)
        self.details = LoraDetails()
        self.details.add_requested.connect(self.add_current)
        self.details.star_requested.connect(lambda: self._toggle_star(self.current_file()))
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setMargin(24)
        self.folders = QLabel()
        self.folders.setWordWrap(True)
        self.folders.setTextFormat(Qt.TextFormat.PlainText)
        self.folders.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder = QPushButton(self.tr("Open LoRA folder"))
        self.open_folder.setToolTip(
            self.tr("Open the folder where LoRA files go (it is created if it is not there)")
        )
        self.open_folder.clicked.connect(self.open_lora_folder)
        self.download_button = QPushButton(self.tr("Download…"))
        self.download_button.setToolTip(
            self.tr(
                "Download a LoRA by its ModelScope model id or the link of its .safetensors file"
            )
        )
        self.download_button.clicked.connect(self.open_download)
        self.empty_open = QPushButton(self.tr("Open LoRA folder"))
        self.empty_open.clicked.connect(self.open_lora_folder)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        for button in (self.rescan_button, self.download_button, self.open_folder,
                       self.empty_open, self.close_button):  # fmt: skip
            button.setAutoDefault(False)  # Enter means "add the selected LoRA" (eventFilter)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        empty_page = QWidget()
        empty_layout = QVBoxLayout(empty_page)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty)
        empty_layout.addWidget(self.empty_open, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(1)
        self.pages = QStackedWidget()
        self.pages.addWidget(splitter)
        self.pages.addWidget(empty_page)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.rescan_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.folders, 1)
        bottom.addWidget(self.download_button, 0, Qt.AlignmentFlag.AlignBottom)
        bottom.addWidget(self.open_folder, 0, Qt.AlignmentFlag.AlignBottom)
        bottom.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        layout.addLayout(bottom)
        self.search.setFocus()

    # -- the list ---------------------------------------------------------------------------------
    def rebuild(self) -> None:
        listing = self.catalog.listing
        current = self.current_file()
        self.model.clear()
        files = [f for f in listing.files if matches(f, self.search.text())]
        by_hash = {self.catalog.known_hash(f): f for f in files if f.ok}
        by_hash.pop("", None)
        favourites = sorted(
            (f for h, f in by_hash.items() if h in self.preferences.favourites), key=_order
        )
        recent = [by_hash[h] for h in self.preferences.recent if h in by_hash]
        everything = sorted(files, key=lambda f: (not f.ok, *_order(f)))
        for title, section in (
            (self.tr("Favourites"), favourites),
            (self.tr("Recently used"), recent),
            (self.tr("All LoRA files ({count})").format(count=len(everything)), everything),
        ):
            if not section:
                continue
            header = QStandardItem(title)
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            header.setData(None, FILE_ROLE)
            self.model.appendRow(header)
            for file in section:
                self.model.appendRow(self._item(file))
        self._show_folders(listing)
        self._show_page(listing, bool(files))
        self._select(current)

    def _item(self, file: LoraFile) -> QStandardItem:
        item = QStandardItem(file.name)
        item.setData(file, FILE_ROLE)
        item.setData(self._subtitle(file), SUBTITLE_ROLE)
        item.setData(self._star(file), STAR_ROLE)
        item.setData(self._icon(file, ICON_SIDE), Qt.ItemDataRole.DecorationRole)
        item.setData(plain_tooltip(self._tooltip(file)), Qt.ItemDataRole.ToolTipRole)
        item.setEditable(False)
        return item

    def _subtitle(self, file: LoraFile) -> str:
        if file.problem is not None:
            return self.tr("Cannot be used: {reason}").format(reason=refusal(file))
        if file.trigger_words:
            return self.tr("Trigger words: {words}").format(words=", ".join(file.trigger_words))
        parts = [file.title] if file.title and file.title != file.name else []
        parts.append(format_bytes(file.size))
        return " · ".join(parts)

    def _tooltip(self, file: LoraFile) -> str:
        return file.problem.text() if file.problem is not None else str(file.path)

    def _star(self, file: LoraFile) -> str:
        if not file.ok:
            return ""
        if file.path in self._pending:
            return "pending"
        known = self.catalog.known_hash(file)
        return "on" if known and known in self.preferences.favourites else "off"

    def _icon(self, file: LoraFile, side: int) -> QPixmap:
        if file.preview is not None:
            known, image = lora_previews.cached(file.preview)
            if image is not None:
                return lora_previews.rounded(image, side)
            if not known:
                self.previews.request([file.preview])
        palette = self.palette()
        return lora_previews.placeholder(
            side,
            palette.color(QPalette.ColorRole.Mid),
            palette.color(QPalette.ColorRole.PlaceholderText),
        )

    def _show_folders(self, listing: LoraListing) -> None:
        self.folders.setText(
            self.tr("LoRA folders: {folders}").format(folders=listing.folders_text())
        )
        self.open_folder.setEnabled(listing.primary is not None)
        self.empty_open.setEnabled(listing.primary is not None)

    def _show_page(self, listing: LoraListing, any_shown: bool) -> None:
        if any_shown:
            self.pages.setCurrentIndex(0)
            return
        search = self.search.text().strip()
        self.empty_open.setVisible(not search and listing.scanned)
        if not listing.scanned:
            text = self.tr("Looking for LoRA files…")
        elif search:
            text = self.tr(
                "No LoRA matches “{search}”.\nSearch looks in names, titles, trigger words and "
                "training tags, in any language."
            ).format(search=search)
        else:
            where = listing.primary or (listing.folders[0] if listing.folders else "—")
            text = self.tr(
                "No LoRA files yet.\n\nPut LoRA files made for FLUX.1 (.safetensors) in\n{folder}\n"
                "and they appear here at once.\n\nLoRAs you keep for ComfyUI (models/loras) or "
                "Forge (models/Lora) can be used where they are: add their folder in "
                "Settings ▸ LoRA folders."
            ).format(folder=where)
        self.empty.setText(text)
        self.pages.setCurrentIndex(1)

    def _select(self, previous: LoraFile | None) -> None:
        rows = [
            row
            for row in range(self.model.rowCount())
            if self.model.item(row).data(FILE_ROLE) is not None
        ]
        if not rows:
            self.show_file(None)
            return
        wanted = next(
            (
                r
                for r in rows
                if previous and self.model.item(r).data(FILE_ROLE).path == previous.path
            ),
            rows[0],
        )
        self.list.setCurrentIndex(self.model.index(wanted, 0))
        self._reveal(self.model.index(wanted, 0))
        self._show_current()

    def _reveal(self, index: QModelIndex) -> None:
        self.list.doItemsLayout()  # rows just added are laid out later: scroll to where it will be
        self.list.scrollTo(index)

    def file_rows(self) -> list[LoraFile]:
        """The LoRAs listed, in order (a favourite shows in its section and in "All")."""
        found = []
        for row in range(self.model.rowCount()):
            file = self.model.item(row).data(FILE_ROLE)
            if file is not None:
                found.append(file)
        return found

    def section_titles(self) -> list[str]:
        return [
            self.model.item(row).text()
            for row in range(self.model.rowCount())
            if self.model.item(row).data(FILE_ROLE) is None
        ]

    def select_file(self, name: str) -> bool:
        return self._select_first(lambda file: file.name == name)

    def select_path(self, path: Path) -> bool:
        return self._select_first(lambda file: file.path == path)

    def _select_first(self, wanted: Callable[[LoraFile], bool]) -> bool:
        for row in range(self.model.rowCount()):
            file = self.model.item(row).data(FILE_ROLE)
            if file is not None and wanted(file):
                self.list.setCurrentIndex(self.model.index(row, 0))
                self._reveal(self.model.index(row, 0))
                return True
        return False

    def current_file(self) -> LoraFile | None:
        index = self.list.currentIndex() if hasattr(self, "list") else QModelIndex()
        return index.data(FILE_ROLE) if index.isValid() else None

    # -- details ----------------------------------------------------------------------------------
    def _show_current(self) -> None:
        self.show_file(self.current_file())

    def show_file(self, file: LoraFile | None) -> None:
        if file is None:
            self.details.show_file(None)
            return
        self.details.show_file(
            file,
            self._icon(file, DETAIL_SIDE),
            self._star(file),
            self._in_stack.get(file.name.casefold()),
        )

    # -- reactions --------------------------------------------------------------------------------
    def add_current(self) -> None:
        file = self.current_file()
        if file is None or not file.ok or self._added or self._in_stack.get(file.name.casefold()):
            return
        self._added = True  # Enter and a double-click on the same row: once
        self.chosen.emit(file)
        self.accept()

    def _double_clicked(self, _index: QModelIndex) -> None:
        self.add_current()

    def _star_clicked(self, index: QPersistentModelIndex) -> None:
        self._toggle_star(index.data(FILE_ROLE))

    def _toggle_star(self, file: LoraFile | None) -> None:
        if file is None or not file.ok or file.path in self._pending:
            return
        known = self.catalog.known_hash(file)
        if known:
            self._set_favourite(known, known not in self.preferences.favourites)
            return
        # Favourites are kept by hash, so that a renamed or moved file stays one; the first
        # hash of a large file takes a moment: off the UI thread, the star shows it is busy.
        self._pending.add(file.path)
        self._refresh_rows()
        self.catalog.request_hash(file)

    def _hashed(self, path: str, sha256: str) -> None:
        if Path(path) in self._pending:
            self._pending.discard(Path(path))
            if sha256 not in self.preferences.favourites:
                self._set_favourite(sha256, True)
                return
        self._refresh_rows()

    def _hash_failed(self, path: str, reason: str) -> None:
        self._pending.discard(Path(path))
        self.details.show_error(
            self.tr(
                "“{path}” could not be read ({reason}). Check that the file is still there."
            ).format(path=path, reason=reason)
        )
        self._refresh_rows()

    def _set_favourite(self, sha256: str, on: bool) -> None:
        favourites = tuple(h for h in self.preferences.favourites if h != sha256)
        self.preferences = replace(
            self.preferences, favourites=(sha256, *favourites) if on else favourites
        )
        self.favourite_toggled.emit(sha256, on)
        self.rebuild()

    def set_preferences(self, preferences: LoraPreferences) -> None:
        if preferences != self.preferences:
            self.preferences = preferences
            self.rebuild()

    def _refresh_rows(self) -> None:
        for row in range(self.model.rowCount()):
            item = self.model.item(row)
            file = item.data(FILE_ROLE)
            if file is not None:
                item.setData(self._star(file), STAR_ROLE)
        self._show_current()

    def _listing_changed(self, _listing: LoraListing) -> None:
        self.rebuild()
        if self._reveal_when_listed is not None and self.select_path(self._reveal_when_listed):
            self._reveal_when_listed = None

    # -- downloading ------------------------------------------------------------------------------
    def open_download(self) -> LoraDownloadDialog:
        """The download dialog, into the models folder's `loras` or another LoRA folder."""
        listing = self.catalog.listing
        primary = [listing.primary] if listing.primary is not None else []
        folders = primary + [f for f in listing.folders if f not in primary]
        dialog = LoraDownloadDialog(folders, self.catalog.index.tiny, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.downloaded.connect(self._downloaded)
        dialog.destroyed.connect(lambda: setattr(self, "download_dialog", None))
        self.download_dialog = dialog
        dialog.open()
        return dialog

    def _downloaded(self, path: Path) -> None:
        self._reveal_when_listed = path
        self.search.clear()  # the new LoRA must not hide behind an old search
        self.catalog.rescan()

    def _preview_loaded(self, path: Path) -> None:
        for row in range(self.model.rowCount()):
            item = self.model.item(row)
            file = item.data(FILE_ROLE)
            if file is not None and file.preview == path:
                item.setData(self._icon(file, ICON_SIDE), Qt.ItemDataRole.DecorationRole)
        current = self.current_file()
        if current is not None and current.preview == path:
            self.details.preview.setPixmap(self._icon(current, DETAIL_SIDE))

    def open_lora_folder(self) -> None:
        try:
            folder = self.catalog.ensure_primary_folder()
        except OSError as exc:
            self.empty.setText(
                self.tr(
                    "The LoRA folder could not be created ({reason}). Choose another models "
                    "folder in Settings, or add a LoRA folder there."
                ).format(reason=exc.strerror or exc)
            )
            self.pages.setCurrentIndex(1)
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Up and Down in the search field move through the list, so typing and choosing
        # need no mouse.
        if watched in (self.search, self.list) and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if watched is self.search and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self._step(1 if event.key() == Qt.Key.Key_Down else -1)
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.add_current()
                return True
        if watched is self.list.viewport() and event.type() == QEvent.Type.MouseButtonDblClick:
            assert isinstance(event, QMouseEvent)
            index = self.list.indexAt(event.position().toPoint())
            star = self.delegate.star_rect(self.list.visualRect(index))
            if index.data(STAR_ROLE) and star.contains(event.position().toPoint()):
                return True  # a quick second click on the star toggles it; it does not add
        return super().eventFilter(watched, event)

    def _step(self, delta: int) -> None:
        rows = [
            r
            for r in range(self.model.rowCount())
            if self.model.item(r).data(FILE_ROLE) is not None
        ]
        if not rows:
            return
        current = self.list.currentIndex().row()
        later = [r for r in rows if (r > current if delta > 0 else r < current)]
        target = (later[0] if delta > 0 else later[-1]) if later else current
        if target >= 0:
            self.list.setCurrentIndex(self.model.index(target, 0))
            self._reveal(self.model.index(target, 0))


def _order(file: LoraFile) -> tuple[str, str]:
    return file.name.casefold(), file.name


def star_point(picker: LoraPicker, row: int) -> QPoint:
    """Where a row's star is drawn, in the list's viewport (tests click it)."""
    return picker.delegate.star_rect(picker.list.visualRect(picker.model.index(row, 0))).center()
