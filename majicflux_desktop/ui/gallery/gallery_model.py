"""The gallery's list model: library rows fetched a page at a time, in the order the user chose.

The model holds the records it has fetched, in exactly the order the library returns them, so the
offset of the next page is the number of rows held. Changes made through the gallery (a new image,
trash, restore, favourite) update both the library and these rows, which keeps that true; a record
seen twice (the worker saved an image whose `add_record` is still on its way) is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QUrl,
)

from majicflux_desktop.core.library import ImageQuery, ImageRecord
from majicflux_desktop.core.store.records import ImageRecordStore
from majicflux_desktop.ui.common.plain_text import plain_tooltip
from majicflux_desktop.ui.gallery.thumbnails import ThumbnailCache

PAGE_SIZE = 240  # a full screen of tiles on a 4K monitor, several on a laptop

RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
THUMBNAIL_ROLE = Qt.ItemDataRole.UserRole + 2

AnyIndex = QModelIndex | QPersistentModelIndex


class GalleryModel(QAbstractListModel):
    def __init__(
        self,
        records: ImageRecordStore,
        thumbnails: ThumbnailCache,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(parent)
        self.store = records
        self.thumbnails = thumbnails
        self.page_size = page_size
        self.query = ImageQuery()
        self.total = 0  # rows matching the query in the library, fetched or not
        self._records: list[ImageRecord] = []
        self._ids: set[int] = set()
        self._row_of: dict[int, int] | None = None
        self._exhausted = False
        thumbnails.changed.connect(self._thumbnail_changed)

    # -- Qt's model interface --------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        record = self._records[index.row()]
        if role == RECORD_ROLE:
            return record
        if role == THUMBNAIL_ROLE:
            return self.thumbnails.get(record.id, record.file)
        if role == Qt.ItemDataRole.DisplayRole:
            return caption(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(record)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{record.seed} {record.prompt[:80]}"
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return
        page = self._page(len(self._records))
        fresh = [r for r in page if r.id not in self._ids]
        if fresh:
            first = len(self._records)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._records.extend(fresh)
            self._ids.update(r.id for r in fresh)
            self._row_of = None
            self.endInsertRows()
        self._exhausted = self._last_page(page)

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list"]

    def mimeData(self, indexes: Iterable[QModelIndex]) -> QMimeData:
        mime = QMimeData()
        files = [self._records[i.row()].file for i in indexes if i.isValid()]
        urls = [QUrl.fromLocalFile(str(f)) for f in files if f.exists()]
        if urls:
            mime.setUrls(urls)
        return mime

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    # -- the gallery's operations ----------------------------------------------------------------

    def set_query(self, query: ImageQuery) -> None:
        self.query = query
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._records, self._ids, self._row_of = [], set(), None
        self._exhausted = False
        self.total = self.store.count(self.query)
        page = self._page(0)
        self._records = page
        self._ids = {r.id for r in page}
        self._exhausted = self._last_page(page)
        self.endResetModel()

    def record(self, row: int) -> ImageRecord | None:
        return self._records[row] if 0 <= row < len(self._records) else None

    def row_of(self, image_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {r.id: row for row, r in enumerate(self._records)}
        return self._row_of.get(image_id)

    def find_row(self, image_id: int) -> int | None:
        """The row of the image, fetching further pages until it is found or all are fetched."""
        row = self.row_of(image_id)
        while row is None and self.canFetchMore():
            self.fetchMore()
            row = self.row_of(image_id)
        return row

    def insert(self, record: ImageRecord) -> int | None:
        """Put a record where the query's order places it; None if it does not belong here.

        A record that sorts after every fetched row waits for its page instead, unless every
        page is already here.
        """
        if record.id in self._ids or not self.query.matches(record, self._ids.__contains__):
            return None
        row = next(
            (i for i, r in enumerate(self._records) if self.query.comes_before(record, r)),
            len(self._records),
        )
        if row == len(self._records) and not self._exhausted:
            self.total += 1
            return None
        self.beginInsertRows(QModelIndex(), row, row)
        self._records.insert(row, record)
        self._ids.add(record.id)
        self._row_of = None
        self.total += 1
        self.endInsertRows()
        return row

    def remove(self, image_id: int) -> int | None:
        row = self.row_of(image_id)
        if row is None:
            return None
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._records[row]
        self._ids.discard(image_id)
        self._row_of = None
        self.total = max(0, self.total - 1)
        self.endRemoveRows()
        return row

    def replace(self, record: ImageRecord) -> None:
        """Show a changed record (favourite, moved file); drop it if it no longer matches."""
        row = self.row_of(record.id)
        if row is None:
            return
        if not self.query.matches(record, self._ids.__contains__):
            self.remove(record.id)
            return
        self._records[row] = record
        index = self.index(row)
        self.dataChanged.emit(index, index)

    def records(self) -> list[ImageRecord]:
        return list(self._records)

    def _last_page(self, page: list[ImageRecord]) -> bool:
        # The count saves the query for an empty page after the last full one.
        return len(page) < self.page_size or len(self._records) >= self.total

    def _page(self, offset: int) -> list[ImageRecord]:
        return self.store.images(self.query, limit=self.page_size, offset=offset)

    def _thumbnail_changed(self, image_id: int) -> None:
        row = self.row_of(image_id)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, [THUMBNAIL_ROLE])


def caption(record: ImageRecord, prompt_chars: int = 14) -> str:
    """The seed and the prompt's start: two prompts with the same seed must not look alike."""
    prompt = " ".join(record.prompt.split())
    if len(prompt) > prompt_chars:
        prompt = prompt[: prompt_chars - 1] + "…"
    return f"{record.seed} · {prompt}" if prompt else str(record.seed)


def _tooltip(record: ImageRecord) -> str:
    prompt = record.prompt if len(record.prompt) <= 300 else record.prompt[:300] + "…"
    when = record.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
    return plain_tooltip(f"{prompt}\n\n{record.seed} · {record.width}×{record.height} · {when}")
