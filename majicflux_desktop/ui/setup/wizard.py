"""Model setup: a page of the main window, shown at first start and from Models ▸ Model setup.

Its start page says what is there and what is missing, and offers the two ways on: "Download"
(download_page.py) and "Use existing files" (existing_files.py), and the demo. Either way ends
in `finished(settings)`: the app saves them and the engine loads what they name.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.settings import Settings
from majicflux_desktop.core.units import format_bytes
from majicflux_desktop.engine import catalog, download, selection
from majicflux_desktop.engine.scan import CheckReport
from majicflux_desktop.ui.common import theme
from majicflux_desktop.ui.common.background import run_in_background
from majicflux_desktop.ui.common.error_messages import SetupStep, setup_failure_message
from majicflux_desktop.ui.setup.check_report import ReportTable
from majicflux_desktop.ui.setup.download_page import DownloadPage
from majicflux_desktop.ui.setup.downloads import DownloadRequest, DownloadService
from majicflux_desktop.ui.setup.existing_files import ChosenFiles, ExistingFilesPage
from majicflux_desktop.ui.worker import EngineState


class SetupWizard(QWidget):
    finished = Signal(object)  # Settings: save them and load the models they name
    demo_requested = Signal()
    recheck_requested = Signal()
    leave_requested = Signal()

    def __init__(
        self, settings: Settings, downloads: DownloadService, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.settings = settings
        self.downloads = downloads
        self.report: CheckReport | None = None
        self.can_leave = False  # the engine has what it needs: the workspace is usable
        self.engine_state = EngineState.STARTING
        self.existing = ExistingFilesPage(settings)
        self.download = DownloadPage(downloads, settings)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_start())
        self.stack.addWidget(self.existing)
        self.stack.addWidget(self.download)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.existing.back_requested.connect(self.show_start)
        self.existing.use_requested.connect(self._use_files)
        self.existing.download_missing_requested.connect(self._download_missing)
        self.download.back_requested.connect(self.show_start)
        self.download.completed.connect(self._downloaded)
        if downloads.busy:
            self.stack.setCurrentWidget(self.download)

    # -- the start page ----------------------------------------------------------------------------
    def _build_start(self) -> QWidget:
        page = QWidget()
        self.start_page = page
        title = QLabel(self.tr("Model setup"))
        title.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.status = QLabel()
        self.status.setStyleSheet("font-size: 14px;")
        intro = QLabel(
            self.tr(
                "MajicFlux needs about 22 GB of model files: the majicflus_v1 transformer and the "
                "text encoders, VAE and tokenizers of FLUX.1-dev. Download them, or use the files "
                "you already have."
            )
        )
        intro.setWordWrap(True)
        self.download_choice = QPushButton(self.tr("Download…"))
        self.download_choice.clicked.connect(self.show_download)
        self.existing_choice = QPushButton(self.tr("Use existing files…"))
        self.existing_choice.clicked.connect(self.show_existing)
        cards = QHBoxLayout()
        cards.addWidget(
            _card(
                self.tr("Download"),
                self.tr(
                    "From ModelScope (works from mainland China, no account needed) or Hugging "
                    "Face. Shows the size and the free space first; pauses, resumes, continues "
                    "after a restart, and checks every file."
                ),
                self.download_choice,
            )
        )
        cards.addWidget(
            _card(
                self.tr("Use existing files"),
                self.tr(
                    "Already have FLUX files for ComfyUI, Forge, or in a ModelScope or Hugging "
                    "Face cache? Choose the folder: files are recognised by their contents and "
                    "used where they are, nothing is copied."
                ),
                self.existing_choice,
            )
        )
        self.interrupted = QLabel()
        self.interrupted.setWordWrap(True)
        self.interrupted.setStyleSheet(f"color: {theme.WARNING};")
        self.interrupted.hide()
        self.models_dir = QLabel()
        self.models_dir.setWordWrap(True)
        self.recheck_button = QPushButton(self.tr("Check again"))
        self.recheck_button.clicked.connect(self._recheck)
        now_row = QHBoxLayout()
        now_row.addWidget(self.models_dir, 1)
        now_row.addWidget(self.recheck_button)
        self.report_table = ReportTable()
        self.demo_button = QPushButton(self.tr("Try the demo (tiny model, random weights)"))
        self.demo_button.setToolTip(
            self.tr(
                "Tries the interface with a tiny model of random weights: it makes noise, not "
                "pictures, but everything else works."
            )
        )
        self.demo_button.clicked.connect(self.demo_requested)
        self.leave_button = QPushButton(self.tr("Back to the workspace"))
        self.leave_button.clicked.connect(self.leave_requested)
        self.leave_button.hide()
        bottom = QHBoxLayout()
        bottom.addWidget(self.leave_button)
        bottom.addStretch(1)
        bottom.addWidget(self.demo_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addWidget(self.status)
        layout.addWidget(intro)
        layout.addLayout(cards)
        layout.addWidget(self.interrupted)
        layout.addLayout(now_row)
        layout.addWidget(self.report_table, 1)
        layout.addLayout(bottom)
        self._show_models_dir()
        return page

    def _show_models_dir(self) -> None:
        explicit = len(self.settings.model_files)
        text = self.tr("Models folder: {folder}").format(folder=self.settings.models_dir)
        if explicit:
            text += " · " + self.tr("{count} chosen files used where they are").format(
                count=explicit
            )
        self.models_dir.setText(text)

    # -- navigation --------------------------------------------------------------------------------
    def open(self) -> None:
        """From the menu: the download under way, else the start page with a fresh look."""
        if self.downloads.busy:
            self.stack.setCurrentWidget(self.download)
        else:
            self.show_start()
        self.refresh()

    def show_start(self) -> None:
        self.stack.setCurrentWidget(self.start_page)

    def show_existing(self) -> None:
        self.stack.setCurrentWidget(self.existing)
        if not self.existing.folder.text():
            self.existing.choose_folder()

    def show_download(self) -> None:
        self.download.set_roles(*self._roles_to_download())
        self.stack.setCurrentWidget(self.download)

    def set_can_leave(self, can_leave: bool) -> None:
        self.can_leave = can_leave
        self.leave_button.setVisible(can_leave)

    def set_engine_state(self, state: EngineState) -> None:
        self.engine_state = state

    def _recheck(self) -> None:
        if self.engine_state in (EngineState.READY, EngineState.BUSY):
            self.refresh()  # the engine runs: look again without reloading it
        else:
            self.recheck_requested.emit()  # missing files, or a failed load: load again

    def set_settings(self, settings: Settings) -> None:
        self.settings = settings
        self.existing.set_settings(settings)
        self.download.set_settings(settings)
        self._show_models_dir()

    # -- what is there -----------------------------------------------------------------------------
    def refresh(self) -> None:
        settings = self.settings
        run_in_background(
            lambda: selection.check(settings.models_dir, settings.model_files),
            self.show_report,
            self._look_failed,
        )

    def show_report(self, report: CheckReport) -> None:
        """What the engine would load (its own check before every load, or `refresh`'s), and
        what an earlier download left to continue."""
        self.report = report
        self.report_table.show_report(report)
        if report.complete:
            self.status.setText(self.tr("All model files are there."))
            self.status.setStyleSheet(f"font-size: 14px; color: {theme.GOOD};")
        else:
            missing = sum(not status.ok for status in report.roles.values())
            self.status.setText(
                self.tr("{count} of the model files are missing or wrong.").format(count=missing)
            )
            self.status.setStyleSheet(f"font-size: 14px; color: {theme.WARNING};")
        folder = report.folder
        run_in_background(
            lambda: download.interrupted_bytes(folder), self._show_interrupted, self._look_failed
        )

    def _look_failed(self, exc: Exception) -> None:
        self.status.setText(setup_failure_message(exc, SetupStep.CHECKING_MODELS))

    def _show_interrupted(self, size: int) -> None:
        self.interrupted.setText(
            self.tr(
                "An earlier download stopped with {size} already downloaded: Download continues "
                "from there."
            ).format(size=format_bytes(size))
        )
        self.interrupted.setVisible(size > 0)

    def _roles_to_download(self) -> tuple[tuple[str, ...] | None, ChosenFiles]:
        """Everything but the roles served by files chosen in "Use existing files", and those."""
        report = self.report
        if report is None:
            return None, {}
        served = {
            role: tuple(paths)
            for role, paths in self.settings.model_files.items()
            if role in report.roles
            and report.roles[role].ok
            and report.roles[role].paths == list(paths)
        }
        roles = tuple(spec.role for spec in catalog.REQUIRED if spec.role not in served)
        return (None, {}) if len(roles) == len(catalog.REQUIRED) else (roles, served)

    # -- the ways out ------------------------------------------------------------------------------
    def _use_files(self, chosen: ChosenFiles) -> None:
        self.show_start()  # what shows if Model setup is needed again
        self.finished.emit(dataclasses.replace(self.settings, model_files=chosen))

    def _download_missing(self, chosen: ChosenFiles, roles: tuple[str, ...]) -> None:
        self.download.set_roles(roles, chosen)
        self.stack.setCurrentWidget(self.download)

    def _downloaded(self, request: DownloadRequest) -> None:
        # the downloaded roles now come from the models folder; the others stay where they are
        kept: dict[str, tuple[Path, ...]] = {
            role: tuple(paths)
            for role, paths in request.keep.items()
            if request.roles is not None and role not in request.roles
        }
        self.show_start()
        self.finished.emit(
            dataclasses.replace(
                self.settings,
                models_dir=request.models_dir,
                model_files=kept,
                download_source=request.source_setting,
            )
        )


def _card(title: str, text: str, button: QPushButton) -> QFrame:
    frame = QFrame()
    frame.setObjectName("choice")
    frame.setStyleSheet(
        "#choice { border: 1px solid palette(mid); border-radius: 6px; "
        "background: palette(alternate-base); }"
    )
    heading = QLabel(title)
    heading.setStyleSheet("font-size: 16px; font-weight: bold;")
    body = QLabel(text)
    body.setWordWrap(True)
    button.setMinimumHeight(32)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(button)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 12, 16, 12)
    layout.addWidget(heading)
    layout.addWidget(body, 1)
    layout.addLayout(row)
    return frame
