"""Notices above the workspace: what happened at start-up, failed jobs, dropped files.

Each is a short line with an optional action button (Resume, Open log folder) and a close button;
none blocks the window the way a message box would. A notice given as a `Message` is worded again
in the new language when the window is rebuilt after a language switch (`NoticeBar.carry_over`);
its action must not hold on to the old window (call through the app, which knows the current one).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from majicflux_desktop.core.i18n import Message
from majicflux_desktop.ui.common import theme

Text = str | Message
Action = tuple[Text, Callable[[], None]]
LEVEL_COLOURS = {"info": "#3d7bd9", "warning": theme.WARNING, "error": theme.DANGER}
MAX_SHOWN = 5


class Notice(QFrame):
    def __init__(
        self,
        text: Text,
        level: str,
        action: Action | None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.source, self.action = text, action
        self.window_bound = False
        self.level = level
        self.dismissed = False
        self.setObjectName("notice")
        self.setStyleSheet(
            f"#notice {{ border-left: 4px solid {LEVEL_COLOURS[level]}; "
            "background: palette(alternate-base); border-radius: 3px; }"
        )
        self.label = QLabel(str(text))
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # texts quote file names and metadata
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 4, 4)
        layout.addWidget(self.label, 1)
        self.action_button: QPushButton | None = None
        if action is not None:
            label, callback = action
            self.action_button = QPushButton(str(label))
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
        text: Text,
        level: str = "info",
        action: Action | None = None,
        window_bound: bool = False,
    ) -> Notice:
        """`window_bound`: the action works on this window's widgets, so a window built anew (a
        language switch) shows the notice without it."""
        notice = Notice(text, level, action, self)
        notice.window_bound = window_bound
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

    def carry_over(self, other: NoticeBar) -> None:
        """Show the notices still open in `other` (a window being replaced), newly worded."""
        for notice in other.notices():
            action = None if notice.window_bound else notice.action
            self.add(notice.source, notice.level, action)
