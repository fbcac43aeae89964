"""A download's progress: each file (size, state, its own bar) and the whole (bytes, speed, ETA)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QProgressBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.units import format_bytes
from majicflux_desktop.engine.download import DownloadPlan, PlannedFile
from majicflux_desktop.engine.transfer import (
    FileProgress,
    FileState,
    Progress,
    part_size,
)
from majicflux_desktop.ui.common.durations import format_clock
from majicflux_desktop.ui.setup.check_report import fit_to_rows

BAR_STEPS = 1000


class DownloadProgressView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.files = QTreeWidget()
        self.files.setRootIsDecorated(False)
        self.files.setHeaderLabels(
            [self.tr("File"), self.tr("Size"), self.tr("State"), self.tr("Progress")]
        )
        header = self.files.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(3, 240)
        self.overall = QProgressBar()
        self.overall.setRange(0, BAR_STEPS)
        self.overall.setFormat("%p%")
        self.totals = QLabel()
        self.current = QLabel()
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.files, 100)  # up to the height of its rows (fit_to_rows)
        layout.addWidget(self.overall)
        layout.addWidget(self.totals)
        layout.addWidget(self.current)
        layout.addWidget(self.note)
        layout.addStretch(1)
        self._bars: list[QProgressBar] = []
        self.show_plan(None)

    def show_plan(self, plan: DownloadPlan | None) -> None:
        self.files.clear()
        self._bars = []
        self.overall.setValue(0)
        for text in (self.totals, self.current, self.note):
            text.clear()
        self.setVisible(plan is not None)
        if plan is None:
            return
        for file in plan.files:
            item = QTreeWidgetItem([_name(file), format_bytes(file.size), "", ""])
            item.setToolTip(0, str(file.target))
            self.files.addTopLevelItem(item)
            bar = QProgressBar()
            bar.setRange(0, BAR_STEPS)
            bar.setMaximumHeight(16)
            self.files.setItemWidget(item, 3, bar)
            self._bars.append(bar)
            state = FileState.PRESENT if file.present else FileState.WAITING
            kept = 0 if file.present else part_size(file)  # continued from an earlier run
            self._show_file(len(self._bars) - 1, FileProgress(file, state, kept))
        fit_to_rows(self.files)

    def show_progress(self, progress: Progress) -> None:
        if len(self._bars) != len(progress.files):
            return  # a snapshot of another plan, still on its way
        for index, item in enumerate(progress.files):
            self._show_file(index, item)
        self.overall.setValue(round(progress.fraction * BAR_STEPS))
        speed = progress.bytes_per_second
        parts = [
            self.tr("{done} of {total}").format(
                done=format_bytes(progress.done_bytes), total=format_bytes(progress.total_bytes)
            )
        ]
        if progress.paused:
            parts.append(self.tr("paused"))
        elif speed:
            parts.append(self.tr("{speed}/s").format(speed=format_bytes(speed)))
            parts.append(self.tr("{eta} left").format(eta=format_clock(progress.eta_s)))
        self.totals.setText(" · ".join(parts))
        current = progress.current_file
        if current is None:
            self.current.clear()
        else:
            text = self.tr("Now: {file}, {percent:.0%}").format(
                file=_name(current.file), percent=current.fraction
            )
            if progress.file_eta_s is not None and not progress.paused:
                text += " · " + self.tr("{eta} left").format(eta=format_clock(progress.file_eta_s))
            self.current.setText(text)
        if progress.note is not None:
            self.note.setText(progress.note.text())

    def file_states(self) -> list[str]:
        """The state column, row by row (tests)."""
        items = (self.files.topLevelItem(i) for i in range(self.files.topLevelItemCount()))
        return [item.text(2) for item in items if item is not None]

    def _show_file(self, index: int, item: FileProgress) -> None:
        row = self.files.topLevelItem(index)
        assert row is not None
        row.setText(2, self.state_text(item.state))
        shown = item.done_bytes if item.state is not FileState.PRESENT else item.file.size
        fraction = 1.0 if item.file.size == 0 else shown / item.file.size
        self._bars[index].setValue(round(fraction * BAR_STEPS))

    def state_text(self, state: FileState) -> str:
        return {
            FileState.WAITING: self.tr("waiting"),
            FileState.PRESENT: self.tr("already there"),
            FileState.DOWNLOADING: self.tr("downloading"),
            FileState.PAUSED: self.tr("paused"),
            FileState.RETRYING: self.tr("retrying"),
            FileState.VERIFYING: self.tr("verifying"),
            FileState.DONE: self.tr("done, verified"),
            FileState.FAILED: self.tr("failed"),
        }[state]


def _name(file: PlannedFile) -> str:
    return f"{file.repo}/{file.path}"
