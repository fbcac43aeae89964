"""The picker's list: a section's title, or a LoRA drawn as its picture, its name, a line under
it (trigger words, or why it cannot be used) and a star that toggles it as a favourite."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from majicflux_desktop.engine.lora_files import LoraFile
from majicflux_desktop.ui.common import theme

FILE_ROLE = Qt.ItemDataRole.UserRole + 1  # the LoraFile of a row; None on a section's title
SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 2
STAR_ROLE = Qt.ItemDataRole.UserRole + 3  # "on", "off", "pending" (hashing) or "" (refused)
ICON_SIDE = 44
STAR_WIDTH = 28

AnyIndex = QModelIndex | QPersistentModelIndex


def matches(file: LoraFile, search: str) -> bool:
    """Every word of `search` in the name, title, trigger words or tags (any case, any script)."""
    haystack = "\n".join((file.name, file.title, *file.trigger_words, *file.frequent_tags))
    haystack = haystack.casefold()
    return all(word in haystack for word in search.casefold().split())


class LoraItemDelegate(QStyledItemDelegate):
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
        if not file.ok and not selected:  # greyed; on the highlight it must stay readable
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
        sub_colour = text if selected else QColor(theme.DANGER) if not file.ok else muted
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
