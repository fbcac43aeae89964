"""What a models check found, as Model setup shows it: each required file with its status, file and
size, then the files that are wrong or missing, each with its fix (the words come from scan.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.units import format_bytes
from majicflux_desktop.engine.scan import CheckReport, RoleStatus
from majicflux_desktop.ui.common import theme

MAX_REJECTED_SHOWN = 20
translate = QCoreApplication.translate


def role_title(role: str) -> str:
    """What a required file is, in the UI language (catalog.py keeps the English names)."""
    return {
        "dit": translate("models", "majicflus_v1 transformer (DiT)"),
        "clip": translate("models", "CLIP-L text encoder"),
        "t5": translate("models", "T5-XXL text encoder"),
        "vae": translate("models", "VAE (autoencoder)"),
        "tokenizer": translate("models", "CLIP tokenizer"),
        "tokenizer_2": translate("models", "T5 tokenizer"),
    }[role]


def fit_to_rows(tree: QTreeWidget) -> None:
    """As tall as its rows, no taller: the space below goes to what follows, not to empty rows."""
    count = tree.topLevelItemCount()
    last = tree.topLevelItem(count - 1) if count else None
    rows = tree.visualItemRect(last).bottom() + 1 if last is not None else 0
    header = tree.header().sizeHint().height()
    tree.setMaximumHeight(header + max(rows, 24) + 2 * tree.frameWidth() + 2)


class ReportTable(QWidget):
    """The report; a role with several usable candidates offers them in its row (`choose`)."""

    alternative_chosen = Signal(str, tuple)  # role, the candidate's paths

    def __init__(self, parent: QWidget | None = None, choose: bool = False):
        super().__init__(parent)
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setWordWrap(True)
        self.table.setHeaderLabels(
            [self.tr("Status"), self.tr("Model file"), self.tr("File"), self.tr("Size")]
        )
        header = self.table.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 100)  # up to the height of its rows (fit_to_rows)
        layout.addWidget(self.details)
        layout.addStretch(1)
        self.report: CheckReport | None = None
        self.choose = choose
        self.choices: dict[str, QComboBox] = {}  # role -> the candidates offered in its row

    def show_report(self, report: CheckReport) -> None:
        self.report = report
        self.table.clear()
        self.choices = {}
        for status in report.roles.values():
            item = self._row(status)
            self.table.addTopLevelItem(item)
            if self.choose and status.ok and status.alternatives:
                self.choices[status.spec.role] = self._choice(item, status)
        fit_to_rows(self.table)
        self.details.setText(self._details(report))
        self.details.setVisible(bool(self.details.text()))

    def clear(self) -> None:
        self.report = None
        self.table.clear()
        self.details.clear()
        self.details.hide()

    def row_texts(self) -> list[list[str]]:
        """What each row says (tests and screen readers)."""
        rows = []
        for index in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(index)
            assert item is not None
            rows.append([item.text(column) for column in range(self.table.columnCount())])
        return rows

    def _choice(self, item: QTreeWidgetItem, status: RoleStatus) -> QComboBox:
        """The chosen file and the other candidates, each saying why it was not MajicFlux's pick."""
        combo = QComboBox()
        combo.addItem(_names(status.paths), tuple(status.paths))
        combo.setItemData(0, self.tr("MajicFlux's choice"), Qt.ItemDataRole.ToolTipRole)
        for alternative in status.alternatives:
            label = _names(alternative.paths)
            if alternative.tiny:
                label += " " + self.tr("(tiny random weights)")
            combo.addItem(label, tuple(alternative.paths))
            tip = alternative.why_not.text()
            combo.setItemData(combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        combo.setToolTip(
            self.tr("{count} usable files were found for this; pick the one to use.").format(
                count=combo.count()
            )
        )
        role = status.spec.role
        combo.activated.connect(
            lambda index: (
                self.alternative_chosen.emit(role, combo.itemData(index)) if index > 0 else None
            )
        )
        self.table.setItemWidget(item, 2, combo)
        return combo

    def _row(self, status: RoleStatus) -> QTreeWidgetItem:
        spec = status.spec
        if status.ok and status.shipped:
            state, colour = self.tr("found"), theme.GOOD
            where = self.tr("shipped with MajicFlux")
            size = ""
        elif status.ok:
            state, colour = self.tr("found"), theme.GOOD
            where = "\n".join(str(p) for p in status.paths)
            if status.tiny:
                state, colour = self.tr("demo only"), theme.WARNING
                where += " " + self.tr("(tiny random weights)")
            if status.alternatives:
                where += " " + self.tr("(+{count} more)").format(count=len(status.alternatives))
            size = format_bytes(_size_of(status.paths))
        elif status.paths:
            state, colour = self.tr("wrong"), theme.DANGER
            where, size = "\n".join(str(p) for p in status.paths), ""
        else:
            state, colour = self.tr("missing"), theme.WARNING
            where = self.tr("expected: {files} (from {repo})").format(
                files=", ".join(spec.files), repo=spec.repo
            )
            size = ""
        item = QTreeWidgetItem([state, role_title(spec.role), where, size])
        item.setForeground(0, QBrush(QColor(colour)))
        expected = self.tr("Expected: {files} from {repo}").format(
            files=", ".join(spec.files), repo=spec.repo
        )
        item.setToolTip(1, expected)
        item.setToolTip(2, "\n".join(p.text() for p in status.problems) or where)
        return item

    def _details(self, report: CheckReport) -> str:
        wrong = [p.text() for s in report.roles.values() if s.paths for p in s.problems]
        wrong += [problem.text() for _, problem in report.rejected[:MAX_REJECTED_SHOWN]]
        if len(report.rejected) > MAX_REJECTED_SHOWN:
            more = len(report.rejected) - MAX_REJECTED_SHOWN
            wrong.append(self.tr("… and {count} more").format(count=more))
        parts = []  # what is missing the table says already, with the files expected
        if wrong:
            parts.append(self.tr("Wrong or unusable files, and how to fix them:"))
            parts += _bullets(wrong)
        if report.skipped:
            parts.append(self.tr("Not looked at:"))
            parts += _bullets(message.text() for _, message in report.skipped[:MAX_REJECTED_SHOWN])
        chosen = [s for s in report.roles.values() if s.ok and s.alternatives]
        if chosen and self.choose:
            parts.append(
                self.tr(
                    "More than one usable file was found for {what}: MajicFlux chose the float8 "
                    "and newest majicflus file; pick another in the list if you prefer."
                ).format(what=", ".join(role_title(s.spec.role) for s in chosen))
            )
        return "\n".join(parts)


def _names(paths: Iterable[Path]) -> str:
    return "\n".join(str(p) for p in paths)


def _bullets(lines: Iterable[str]) -> list[str]:
    return [f"• {line}" for line in lines]


def _size_of(paths: Iterable[Path]) -> int:
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):
            if path.is_dir():
                total += sum(p.stat().st_size for p in path.iterdir() if p.is_file())
            else:
                total += path.stat().st_size
    return total
