"""Notices above the workspace: what happened at start-up, failed jobs, dropped files.

Each is a short line with an optional action button (Resume, Open log folder) and a close button;
none blocks the window the way a message box would.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from majicflux_desktop.ui import theme

LEVEL_COLOURS = {"info": "#3d7bd9", "warning": theme.WARNING, "error": theme.DANGER}
MAX_SHOWN = 5


class Notice(QFrame):
    def __init__(
        self,
        text: str,
        level: str,
        action: tuple[str, Callable[[], None]] | None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.level = level
        self.dismissed = False
        self.setObjectName("notice")
        self.setStyleSheet(
            f"#notice {{ border-left: 4px solid {LEVEL_COLOURS[level]}; "
            "background: palette(alternate-base); border-radius: 3px; }"
        )
        self.label = QLabel(text)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # texts quote file names and metadata
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 4, 4)
        layout.addWidget(self.label, 1)
        self.action_button: QPushButton | None = None
        if action is not None:
            label, callback = action
            self.action_button = QPushButton(label)
            self.action_button.clicked.connect(callback)
            self.action_button.clicked.connect(self.dismiss)
            layout.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignTop)
        close = QPushButton("✕")
        close.setFlat(True)
        close.setFixedWidth(28)
        close.setToolTip(self.tr("Dismiss"))
        close.clicked.connect(self.dismiss)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)

    @property
    def text(self) -> str:
        return self.label.text()

    def dismiss(self) -> None:
        self.dismissed = True
        self.hide()
        self.deleteLater()


class NoticeBar(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(8, 4, 8, 0)
        self._layout.setSpacing(4)
        self._notices: list[Notice] = []

    def add(
        self,
        text: str,
        level: str = "info",
        action: tuple[str, Callable[[], None]] | None = None,
    ) -> Notice:
        notice = Notice(text, level, action, self)
        notice.destroyed.connect(lambda: self._forget(notice))
        self._notices.append(notice)
        self._layout.addWidget(notice)
        notice.show()
        while len(self.notices()) > MAX_SHOWN:
            self.notices()[0].dismiss()
        return notice

    def _forget(self, notice: Notice) -> None:
        if notice in self._notices:
            self._notices.remove(notice)

    def notices(self) -> list[Notice]:
        return [n for n in self._notices if not n.dismissed]

    def texts(self) -> list[str]:
        return [n.text for n in self.notices()]
