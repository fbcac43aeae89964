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
│ LoRA folders: …                               [Open LoRA folder] [Close]  │
└───────────────────────────────────────────────────────────────────────────┘
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QCursor,
    QDesktopServices,
    QFont,
    QKeyEvent,
    QPainter,
    QPalette,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.units import format_bytes
from majicflux_desktop.engine.lora_files import LoraFile
from majicflux_desktop.ui.common import theme
from majicflux_desktop.ui.common.lora_catalog import LoraCatalog, LoraListing, refusal
from majicflux_desktop.ui.common.plain_text import plain_tooltip
from majicflux_desktop.ui.generate import lora_previews

FILE_ROLE = Qt.ItemDataRole.UserRole + 1  # the LoraFile of a row; None on a section's title
SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 2
STAR_ROLE = Qt.ItemDataRole.UserRole + 3  # "on", "off", "pending" (hashing) or "" (refused)
ICON_SIDE = 44
DETAIL_SIDE = 176
STAR_WIDTH = 28

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class LoraPreferences:
    """The user's favourite and recently used LoRAs, by SHA-256 (Settings)."""

    favourites: tuple[str, ...] = ()
    recent: tuple[str, ...] = ()


def matches(file: LoraFile, search: str) -> bool:
    """Every word of `search` in the name, title, trigger words or tags (any case, any script)."""
    haystack = "\n".join((file.name, file.title, *file.trigger_words, *file.frequent_tags))
    haystack = haystack.casefold()
    return all(word in haystack for word in search.casefold().split())


class _Delegate(QStyledItemDelegate):
    """A section title, or a LoRA: picture, name, a line under it, a star at the right."""

    star_clicked = Signal(QPersistentModelIndex)

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        line = option.fontMetrics.height()
        if index.data(FILE_ROLE) is None:
            return QSize(200, line + 14)
        return QSize(200, max(ICON_SIDE, 2 * line + 4) + 10)

    def star_rect(self, rect: QRect) -> QRect:
        return QRect(rect.right() - STAR_WIDTH - 4, rect.top(), STAR_WIDTH, rect.height())

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        file: LoraFile | None = index.data(FILE_ROLE)
        palette = option.palette
        rect = QRect(option.rect)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        painter.save()
        if file is None:
            font = QFont(option.font)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(muted)
            text_rect = rect.adjusted(8, 6, -8, 0)
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             str(index.data(Qt.ItemDataRole.DisplayRole)))  # fmt: skip
            painter.setPen(palette.color(QPalette.ColorRole.Mid))
            painter.drawLine(rect.left() + 8, rect.bottom(), rect.right() - 8, rect.bottom())
            painter.restore()
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        top = rect.top() + (rect.height() - ICON_SIDE) // 2
        if isinstance(icon, QPixmap):
            if not file.ok:
                painter.setOpacity(0.4)
            painter.drawPixmap(QRect(rect.left() + 8, top, ICON_SIDE, ICON_SIDE), icon)
            painter.setOpacity(1.0)
        text_left = rect.left() + 8 + ICON_SIDE + 10
        text_right = self.star_rect(rect).left() - 4
        text = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        if not file.ok:
            text = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        line = option.fontMetrics.height()
        middle = rect.top() + rect.height() // 2
        name_font = QFont(option.font)
        name_font.setBold(True)
        painter.setFont(name_font)
        painter.setPen(text)
        name_rect = QRect(text_left, middle - line - 1, text_right - text_left, line)
        name = painter.fontMetrics().elidedText(
            str(index.data(Qt.ItemDataRole.DisplayRole)),
            Qt.TextElideMode.ElideRight,
            name_rect.width(),
        )
        painter.drawText(
            name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name
        )
        painter.setFont(option.font)
        sub_colour = QColor(theme.DANGER) if not file.ok else (text if selected else muted)
        if not file.ok:
            sub_colour.setAlpha(190)
        painter.setPen(sub_colour)
        sub_rect = QRect(text_left, middle + 1, text_right - text_left, line)
        subtitle = option.fontMetrics.elidedText(
            str(index.data(SUBTITLE_ROLE) or ""), Qt.TextElideMode.ElideRight, sub_rect.width()
        )
        painter.drawText(
            sub_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, subtitle
        )
        star = index.data(STAR_ROLE)
        if star:
            star_font = QFont(option.font)
            star_font.setPointSizeF(option.font.pointSizeF() * 1.35)
            painter.setFont(star_font)
            colour = QColor(theme.ACCENT) if star == "on" else muted
            if selected:
                colour = palette.color(QPalette.ColorRole.HighlightedText)
            painter.setPen(colour)
            glyph = {"on": "★", "off": "☆", "pending": "…"}[star]
            painter.drawText(self.star_rect(rect), Qt.AlignmentFlag.AlignCenter, glyph)
        painter.restore()

    def editorEvent(
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: AnyIndex,
    ) -> bool:
        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and index.data(STAR_ROLE)
            and self.star_rect(option.rect).contains(event.position().toPoint())  # type: ignore[attr-defined]
        ):
            self.star_clicked.emit(QPersistentModelIndex(index))
            return True
        return super().editorEvent(event, model, option, index)


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
        self.delegate = _Delegate(self.list)
        self.delegate.star_clicked.connect(self._star_clicked)
        self.list.setItemDelegate(self.delegate)
        self.list.setMouseTracking(True)
        self.list.setUniformItemSizes(False)
        self.list.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.list.selectionModel().currentChanged.connect(lambda *_: self._show_current())
        self.list.doubleClicked.connect(self._double_clicked)
        self.list.installEventFilter(self)
        self._build_details()
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
        self.empty_open = QPushButton(self.tr("Open LoRA folder"))
        self.empty_open.clicked.connect(self.open_lora_folder)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        for button in (self.rescan_button, self.open_folder, self.empty_open, self.close_button):
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
        bottom.addWidget(self.open_folder, 0, Qt.AlignmentFlag.AlignBottom)
        bottom.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        layout.addLayout(bottom)
        self.search.setFocus()

    def _build_details(self) -> None:
        self.details = QFrame()
        self.details.setFrameShape(QFrame.Shape.StyledPanel)
        self.preview = QLabel()
        self.preview.setFixedSize(DETAIL_SIDE, DETAIL_SIDE)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setStyleSheet(f"color: {theme.DANGER};")
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QFormLayout()
        self.facts.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.facts.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self._fact_labels: dict[str, QLabel] = {}
        for key, label in (
            ("trigger", self.tr("Trigger words")),
            ("tags", self.tr("Frequent tags")),
            ("base", self.tr("Base model")),
            ("rank", self.tr("Rank")),
            ("size", self.tr("Size")),
            ("layout", self.tr("Layout")),
            ("layers", self.tr("Layers matched")),
            ("file", self.tr("File")),
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._fact_labels[key] = value
            self.facts.addRow(label, value)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.PlainText)
        self.notes.setStyleSheet(f"color: {theme.WARNING};")
        self.star_button = QToolButton()
        self.star_button.setCheckable(True)
        self.star_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.star_button.clicked.connect(lambda: self._toggle_star(self.current_file()))
        self.add_button = QPushButton(self.tr("Add to the prompt"))
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_current)
        head = QVBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.subtitle)
        head.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(head, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.star_button)
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        layout = QVBoxLayout(self.details)
        layout.addLayout(top)
        layout.addWidget(self.problem)
        layout.addLayout(self.facts)
        layout.addWidget(self.notes)
        layout.addStretch(1)
        layout.addLayout(buttons)

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
        self.list.scrollTo(self.model.index(wanted, 0))
        self._show_current()

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
        for row in range(self.model.rowCount()):
            file = self.model.item(row).data(FILE_ROLE)
            if file is not None and file.name == name:
                self.list.setCurrentIndex(self.model.index(row, 0))
                self.list.scrollTo(self.model.index(row, 0))
                return True
        return False

    def current_file(self) -> LoraFile | None:
        index = self.list.currentIndex() if hasattr(self, "list") else QModelIndex()
        return index.data(FILE_ROLE) if index.isValid() else None

    # -- details ----------------------------------------------------------------------------------
    def _show_current(self) -> None:
        self.show_file(self.current_file())

    def show_file(self, file: LoraFile | None) -> None:
        self.details.setEnabled(file is not None)
        if file is None:
            self.title.setText("")
            self.subtitle.setText("")
            self.problem.hide()
            self.preview.clear()
            for value in self._fact_labels.values():
                value.setText("")
            self.add_button.setEnabled(False)
            self.star_button.setEnabled(False)
            return
        self.preview.setPixmap(self._icon(file, DETAIL_SIDE))
        self.title.setText(file.name)
        self.subtitle.setText(file.title if file.title and file.title != file.name else "")
        self.subtitle.setVisible(bool(self.subtitle.text()))
        self.problem.setText(
            ""
            if file.problem is None
            else self.tr("Cannot be used: {reason}").format(reason=refusal(file))
        )
        self.problem.setVisible(file.problem is not None)
        facts = self._fact_labels
        none = "—"
        facts["trigger"].setText(", ".join(file.trigger_words) or none)
        facts["tags"].setText(", ".join(file.frequent_tags) or none)
        facts["base"].setText(file.base_model or none)
        facts["rank"].setText(str(file.rank) if file.rank else none)
        facts["size"].setText(format_bytes(file.size))
        facts["layout"].setText(file.layout or none)
        facts["layers"].setText(
            self.tr("{matched} of {total}").format(
                matched=file.layers_matched, total=file.layers_total
            )
        )
        facts["file"].setText(str(file.path))
        self.notes.setText("\n".join(note.text() for note in file.notes))
        self.notes.setVisible(bool(file.notes))
        star = self._star(file)
        self.star_button.setEnabled(star in ("on", "off"))
        self.star_button.setChecked(star == "on")
        self.star_button.setText(
            ("★ " if star == "on" else "☆ ") + self.tr("Favourite")
            if star != "pending"
            else self.tr("Reading the file…")
        )
        self.star_button.setToolTip(
            self.tr("Keep this LoRA at the top of the list")
            if file.ok
            else self.tr("A LoRA that cannot be used cannot be a favourite")
        )
        in_stack = self._in_stack.get(file.name.casefold())
        self.add_button.setEnabled(file.ok and in_stack is not True)
        self.add_button.setText(
            self.tr("Add to the prompt")
            if in_stack is None
            else self.tr("Turn on in the prompt")
            if in_stack is False
            else self.tr("Already in the prompt")
        )

    # -- reactions --------------------------------------------------------------------------------
    def add_current(self) -> None:
        file = self.current_file()
        if file is None or not file.ok or self._added or self._in_stack.get(file.name.casefold()):
            return
        self._added = True  # Enter and a double-click on the same row: once
        self.chosen.emit(file)
        self.accept()

    def _double_clicked(self, index: QModelIndex) -> None:
        point = self.list.viewport().mapFromGlobal(QCursor.pos())
        if index.data(STAR_ROLE) and self.delegate.star_rect(self.list.visualRect(index)).contains(
            point
        ):
            return  # a quick double click on the star: two toggles, no add
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
        self.problem.setText(
            self.tr(
                "“{path}” could not be read ({reason}). Check that the file is still there."
            ).format(path=path, reason=reason)
        )
        self.problem.show()
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

    def _preview_loaded(self, path: Path) -> None:
        for row in range(self.model.rowCount()):
            item = self.model.item(row)
            file = item.data(FILE_ROLE)
            if file is not None and file.preview == path:
                item.setData(self._icon(file, ICON_SIDE), Qt.ItemDataRole.DecorationRole)
        current = self.current_file()
        if current is not None and current.preview == path:
            self.preview.setPixmap(self._icon(current, DETAIL_SIDE))

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
            self.list.scrollTo(self.model.index(target, 0))


def _order(file: LoraFile) -> tuple[str, str]:
    return file.name.casefold(), file.name


def star_point(picker: LoraPicker, row: int) -> QPoint:
    """Where a row's star is drawn, in the list's viewport (tests click it)."""
    return picker.delegate.star_rect(picker.list.visualRect(picker.model.index(row, 0))).center()
