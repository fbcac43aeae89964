"""The window's running commentary: the engine banner above the workspace and the status bar.

The banner says what the engine is doing while it starts or why it failed; the status bar holds
the running job's progress, the engine state, the demo badge and passing messages. Both survive a
language switch through `StatusSnapshot` (the window is rebuilt then).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from majicflux_desktop.ui.common import theme


@dataclass(frozen=True)
class StatusSnapshot:
    progress: str
    message: str


class StatusLine(QObject):
    def __init__(self, bar: QStatusBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bar = bar
        self.engine_banner = QLabel()
        self.engine_banner.setWordWrap(True)
        self.engine_banner.setContentsMargins(10, 4, 10, 4)
        self.engine_busy = QProgressBar()
        self.engine_busy.setRange(0, 0)
        self.engine_busy.setMaximumHeight(4)
        self.engine_busy.setTextVisible(False)
        self.progress = QLabel()
        self.engine_state = QLabel()
        self.demo_badge = QLabel(self.tr("DEMO · random weights"))
        self.demo_badge.setStyleSheet(
            f"color: #1a1a1a; background: {theme.WARNING}; padding: 1px 6px; border-radius: 3px;"
        )
        self.demo_badge.setToolTip(
            self.tr("A tiny model with random weights: it makes noise, not pictures.")
        )
        bar.addWidget(self.progress, 1)
        bar.addPermanentWidget(self.engine_state)
        bar.addPermanentWidget(self.demo_badge)
        self.hide_engine_banner()

    def show_engine_banner(self, text: str, busy: bool = False, failed: bool = False) -> None:
        self.engine_banner.setText(text)
        self.engine_banner.setStyleSheet(f"color: {theme.DANGER};" if failed else "")
        self.engine_banner.setVisible(True)
        self.engine_busy.setVisible(busy)

    def hide_engine_banner(self) -> None:
        self.engine_banner.setVisible(False)
        self.engine_busy.setVisible(False)

    def set_engine_state(self, text: str) -> None:
        self.engine_state.setText(text)

    def set_progress(self, text: str) -> None:
        self.progress.setText(text)

    def set_demo(self, demo: bool) -> None:
        self.demo_badge.setVisible(demo)

    def show_message(self, text: str, timeout_ms: int = 5000) -> None:
        self.bar.showMessage(text, timeout_ms)

    def snapshot(self) -> StatusSnapshot:
        return StatusSnapshot(self.progress.text(), self.bar.currentMessage())

    def restore(self, snapshot: StatusSnapshot) -> None:
        self.progress.setText(snapshot.progress)
        if snapshot.message:
            self.bar.showMessage(snapshot.message, 8000)
