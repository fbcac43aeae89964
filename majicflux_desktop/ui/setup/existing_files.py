"""Model setup, "Use existing files": choose a folder, scan it off the UI thread, show what it holds.

The files found are used where they are (nothing is copied): they go into settings.model_files by
role, on top of the files chosen before. What the page shows is what the engine will load: the
chosen files, and the models folder for the roles the folder lacks. Every role it shows as found
is stored by its absolute paths, those of the models folder too: "Download the missing files" may
then save into another folder, and what was found before must still be used after.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.settings import Settings
from majicflux_desktop.engine import selection
from majicflux_desktop.ui.common import theme
from majicflux_desktop.ui.common.background import run_in_background
from majicflux_desktop.ui.common.error_messages import SetupStep, setup_failure_message
from majicflux_desktop.ui.setup.check_report import ReportTable, role_title

ChosenFiles = dict[str, tuple[Path, ...]]
FolderScan = selection.ExistingFiles  # the same result the command line's `models find` uses


def scan_for_setup(folder: Path, settings: Settings) -> FolderScan:
    """Runs on a background thread: walking a big ComfyUI tree takes seconds."""
    return selection.use_existing(folder, settings.models_dir, settings.model_files)


class ExistingFilesPage(QWidget):
    back_requested = Signal()
    use_requested = Signal(object)  # ChosenFiles: everything is there
    download_missing_requested = Signal(object, object)  # ChosenFiles, roles still missing

    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.result: FolderScan | None = None
        self.scanning = False
        title = QLabel(self.tr("Use existing files"))
        title.setStyleSheet("font-size: 18px; font-weight: bold;")
        intro = QLabel(
            self.tr(
                "Choose the folder where you keep FLUX files: a ComfyUI or Forge folder (or its "
                "models folder), a ModelScope or Hugging Face cache, or any folder. Everything "
                "inside it is looked at; files are recognised by their contents, not their "
                "names, and used where they are: nothing is copied."
            )
        )
        intro.setWordWrap(True)
        self.folder = QLineEdit()
        self.folder.setReadOnly(True)
        self.folder.setPlaceholderText(self.tr("No folder chosen yet"))
        self.choose_button = QPushButton(self.tr("Choose folder…"))
        self.choose_button.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(QLabel(self.tr("Folder")))
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.choose_button)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(6)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.report = ReportTable(choose=True)
        self.report.alternative_chosen.connect(self._use_instead)
        self.back_button = QPushButton(self.tr("Back"))
        self.back_button.clicked.connect(self.back_requested)
        self.download_button = QPushButton(self.tr("Download the missing files…"))
        self.download_button.clicked.connect(self._download_missing)
        self.use_button = QPushButton(self.tr("Use these files"))
        self.use_button.setDefault(True)
        self.use_button.clicked.connect(self._use)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.use_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(folder_row)
        layout.addWidget(self.busy)
        layout.addWidget(self.status)
        layout.addWidget(self.report, 1)
        layout.addLayout(buttons)
        self._show_result(None)

    def set_settings(self, settings: Settings) -> None:
        self.settings = settings

    def choose_folder(self) -> None:
        start = self.folder.text() or str(Path.home())
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Choose the folder with the model files"), start
        )
        if folder:
            self.scan_folder(Path(folder))

    def scan_folder(self, folder: Path) -> None:
        if self.scanning:
            return
        self.scanning = True
        self.folder.setText(str(folder))
        self.status.setStyleSheet("")
        self.status.setText(self.tr("Looking at the files in {folder}…").format(folder=folder))
        self.busy.show()
        self.report.clear()
        for button in (self.choose_button, self.use_button, self.download_button):
            button.setEnabled(False)
        settings = self.settings
        run_in_background(
            lambda: scan_for_setup(folder, settings), self._scanned, self._scan_failed
        )

    def _scanned(self, result: FolderScan) -> None:
        self.scanning = False
        self.busy.hide()
        self.choose_button.setEnabled(True)
        self._show_result(result)

    def _scan_failed(self, exc: Exception) -> None:
        self.scanning = False
        self.busy.hide()
        self.choose_button.setEnabled(True)
        self._show_result(None)
        self.status.setStyleSheet(f"color: {theme.DANGER};")
        self.status.setText(setup_failure_message(exc, SetupStep.SCANNING_FOLDER))

    def _show_result(self, result: FolderScan | None) -> None:
        self.result = result
        self.use_button.setEnabled(result is not None and result.shown.complete)
        self.download_button.setVisible(result is not None and not result.shown.complete)
        self.download_button.setEnabled(True)
        if result is None:
            self.status.setText(self.tr("Choose a folder to see what it holds."))
            return
        self.report.show_report(result.shown)
        found = sum(status.ok for status in result.found.roles.values())
        lines = [
            self.tr(
                "{folder}: {found} of {total} required files found ({count} model files looked at)."
            ).format(
                folder=result.folder,
                found=found,
                total=len(result.found.roles),
                count=result.found.files_examined,
            )
        ]
        tiny = [role for role, status in result.shown.roles.items() if status.ok and status.tiny]
        if result.shown.complete and tiny:
            lines.append(
                self.tr(
                    "These are the demo's tiny random-weight files: they make noise, not "
                    "pictures. Choose the folder with the real model files, or download them."
                )
            )
        elif result.shown.complete:
            lines.append(
                self.tr("Everything is there. “Use these files” loads them where they are.")
            )
        else:
            titles = ", ".join(role_title(role) for role in result.missing_roles)
            lines.append(
                self.tr(
                    "Still missing: {titles}. Choose another folder, or download only the "
                    "missing files."
                ).format(titles=titles)
            )
        self.status.setText("\n".join(lines))
        self.status.setStyleSheet(f"color: {theme.WARNING};" if tiny else "")

    def _use_instead(self, role: str, paths: tuple[Path, ...]) -> None:
        """The user picked another candidate file for a role: use it, and show why."""
        if self.result is not None:
            self._show_result(selection.use_instead(self.result, role, paths))

    def _use(self) -> None:
        if self.result is not None and self.result.shown.complete:
            self.use_requested.emit(self.result.chosen)

    def _download_missing(self) -> None:
        if self.result is not None:
            self.download_missing_requested.emit(self.result.chosen, self.result.missing_roles)
