"""`<lora:name:weight>` typed in the prompt, shown as chips: a LoRA found in the LoRA folders in
the accent colour, one that is not there (or cannot be used) in the danger colour.

A1111 and Forge users type LoRAs into the prompt; the prompt panel takes the tags out of the text
when it builds the request (`metadata.split_lora_tags`) and merges them with the stack. Here they
are only shown: the highlighter colours the text, the editor draws a rounded chip behind it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRectF
from PySide6.QtGui import (
    QColor,
    QPainter,
    QPaintEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextLine,
)
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from majicflux_desktop.core import metadata
from majicflux_desktop.ui.common import theme


class TagState(str, enum.Enum):
    KNOWN = "known"  # a usable LoRA of the folders
    UNKNOWN = "unknown"  # not in the folders, or refused there
    UNCHECKED = "unchecked"  # the folders are still being read


TagStatus = Callable[[str], TagState]


def _x(line: QTextLine, position: int) -> float:
    x: Any = line.cursorToX(position)  # PySide6 gives (x, position): C++ fills an int pointer
    return float(x[0] if isinstance(x, tuple) else x)


class LoraTagHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument, status: TagStatus):
        super().__init__(document)
        self._status = status
        self._formats = {state: self._format(state) for state in TagState}

    def _format(self, state: TagState) -> QTextCharFormat:
        format = QTextCharFormat()
        if state is TagState.UNKNOWN:
            format.setForeground(QColor(theme.DANGER))
            format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            format.setUnderlineColor(QColor(theme.DANGER))
        elif state is TagState.KNOWN:
            format.setForeground(QColor(theme.ACCENT))
        else:
            format.setForeground(QColor(theme.ACCENT).darker(130))
        return format

    def highlightBlock(self, text: str) -> None:
        for tag in metadata.lora_tags(text):
            state = self._status(tag.use.name)
            self.setFormat(tag.start, tag.end - tag.start, self._formats[state])

    def tag_states(self) -> dict[str, TagState]:
        """Each tag's name and how it is shown (tests; the hint says the same in words)."""
        text = self.document().toPlainText()
        return {tag.use.name: self._status(tag.use.name) for tag in metadata.lora_tags(text)}


class PromptEditor(QPlainTextEdit):
    """The prompt field: plain text, with LoRA tags drawn as chips."""

    def __init__(self, status: TagStatus, parent: QWidget | None = None):
        super().__init__(parent)
        self.highlighter = LoraTagHighlighter(self.document(), status)
        self._status = status

    def put_first(self, words: str) -> None:
        """Put a LoRA's trigger words first in the prompt (where the model weighs words most),
        leaving out those already in it; one step of the editor's undo (Ctrl+Z)."""
        text = self.toPlainText()
        wanted = [w.strip() for w in words.split(",") if w.strip()]
        missing = [w for w in wanted if w.casefold() not in text.casefold()]
        if not missing:
            return
        cursor = self.textCursor()
        cursor.beginEditBlock()
        cursor.movePosition(QTextCursor.MoveOperation.Start)
        cursor.insertText(", ".join(missing) + (", " if text.strip() else ""))
        cursor.endEditBlock()

    def recheck_tags(self) -> None:
        """The LoRA folders changed: colour the tags again."""
        self.highlighter.rehighlight()
        self.viewport().update()

    def chip_rects(self) -> list[tuple[QRectF, TagState]]:
        """Where each visible tag's chip is drawn, in the viewport's coordinates."""
        chips: list[tuple[QRectF, TagState]] = []
        offset = self.contentOffset()
        bottom = self.viewport().rect().bottom()
        block = self.firstVisibleBlock()
        while block.isValid():
            geometry = self.blockBoundingGeometry(block).translated(offset)
            if geometry.top() > bottom:
                break
            layout = block.layout()
            for tag in metadata.lora_tags(block.text()) if block.isVisible() else ():
                state = self._status(tag.use.name)
                for i in range(layout.lineCount()):
                    line = layout.lineAt(i)
                    start = max(tag.start, line.textStart())
                    end = min(tag.end, line.textStart() + line.textLength())
                    if start >= end:
                        continue
                    left, right = _x(line, start), _x(line, end)
                    rect = QRectF(left, line.y(), right - left, line.height())
                    chips.append((rect.translated(geometry.topLeft()), state))
            block = block.next()
        return chips

    def paintEvent(self, event: QPaintEvent) -> None:
        # The chips first, under the text the editor paints next (it fills no background of its
        # own: the viewport's is already there).
        chips = self.chip_rects()
        if chips:
            painter = QPainter(self.viewport())
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            for rect, state in chips:
                colour = QColor(theme.DANGER if state is TagState.UNKNOWN else theme.ACCENT)
                fill = QColor(colour)
                fill.setAlpha(48 if state is not TagState.UNCHECKED else 24)
                border = QColor(colour)
                border.setAlpha(170)
                painter.setPen(border)
                painter.setBrush(fill)
                painter.drawRoundedRect(rect.adjusted(-2, 0.5, 2, -0.5), 4, 4)
            painter.end()
        super().paintEvent(event)
