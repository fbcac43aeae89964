"""The page shown instead of the workspace while model files are missing or wrong.

It shows what `majicflux models check` shows: each required file, found or missing or wrong, and
the files that were looked at but cannot be used. The download wizard (model setup issue) will
take over part of this page.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.engine.scan import CheckReport, RoleStatus
from majicflux_desktop.ui import theme


class SetupPage(QWidget):
    folder_chosen = Signal(object)  # Path
    recheck_requested = Signal()
    demo_requested = Signal()

    def __init__(self, models_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self._models_dir = models_dir
        title = QLabel(self.tr("Model setup: the model files are missing"))
        title.setStyleSheet("font-size: 18px; font-weight: bold;")
        intro = QLabel(
            self.tr(
                "MajicFlux needs about 22 GB of model files: the majicflus_v1 transformer and the "
                "text encoders, VAE and tokenizers of FLUX.1-dev. Put them anywhere inside the "
                "models folder below, under any names (files are recognised by their contents), "
                "or choose the folder where you already keep them: ComfyUI, Forge, or a "
                "ModelScope or Hugging Face cache. Nothing is copied."
            )
        )
        intro.setWordWrap(True)
        self.folder = QLineEdit(str(models_dir))
        self.folder.setReadOnly(True)
        self.choose_button = QPushButton(self.tr("Use existing files…"))
        self.choose_button.setToolTip(self.tr("Choose the folder that holds the model files"))
        self.recheck_button = QPushButton(self.tr("Check again"))
        folder_row = QHBoxLayout()
        folder_row.addWidget(QLabel(self.tr("Models folder")))
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.choose_button)
        folder_row.addWidget(self.recheck_button)
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setWordWrap(True)
        self.table.setHeaderLabels(
            [self.tr("Status"), self.tr("Model file"), self.tr("Expected files"), self.tr("Found")]
        )
        self.table.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.header().setStretchLastSection(True)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        download_hint = QLabel(
            self.tr(
                "To download them (ModelScope works from mainland China), run in a terminal: "
                "<code>majicflux models download</code>. The download assistant in the app "
                "comes with the next version."
            )
        )
        download_hint.setWordWrap(True)
        self.demo_button = QPushButton(self.tr("Try the demo (tiny model, random weights)"))
        self.demo_button.setToolTip(
            self.tr(
                "Tries the interface with a tiny model of random weights: it makes noise, not "
                "pictures, but everything else works."
            )
        )
        self.choose_button.clicked.connect(self._choose)
        self.recheck_button.clicked.connect(self.recheck_requested)
        self.demo_button.clicked.connect(self.demo_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(folder_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addWidget(download_hint)
        demo_row = QHBoxLayout()
        demo_row.addStretch(1)
        demo_row.addWidget(self.demo_button)
        layout.addLayout(demo_row)

    def set_models_dir(self, folder: Path) -> None:
        self._models_dir = folder
        self.folder.setText(str(folder))

    def show_report(self, report: CheckReport) -> None:
        self.set_models_dir(report.folder)
        self.table.clear()
        for status in report.roles.values():
            self.table.addTopLevelItem(self._row(status))
        lines = [p.text() for s in report.roles.values() for p in s.problems]
        lines += [problem.text() for _, problem in report.rejected[:20]]
        if report.stopped_early:
            lines.append(
                self.tr(
                    "The folder holds too many files to look at all of them; choose a narrower one."
                )
            )
        self.details.setText("\n".join(f"• {line}" for line in lines))
        self.details.setVisible(bool(lines))

    def _row(self, status: RoleStatus) -> QTreeWidgetItem:
        if status.ok:
            state, colour = self.tr("found"), theme.GOOD
        elif status.paths:
            state, colour = self.tr("wrong"), theme.DANGER
        else:
            state, colour = self.tr("missing"), theme.WARNING
        found = "\n".join(str(p) for p in status.paths) or "–"
        if status.tiny:
            found += " " + self.tr("(tiny random weights)")
        spec = status.spec
        expected = "\n".join(spec.files) + f"\n({spec.repo})"
        item = QTreeWidgetItem([state, spec.title, expected, found])
        item.setForeground(0, QBrush(QColor(colour)))
        item.setToolTip(3, "\n".join(p.text() for p in status.problems) or found)
        return item

    def _choose(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Choose the folder with the model files"), str(self._models_dir)
        )
        if folder:
            self.folder_chosen.emit(Path(folder))
