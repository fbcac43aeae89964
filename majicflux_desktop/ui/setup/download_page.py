"""Model setup, "Download": the source (ModelScope, Hugging Face or a mirror), a token where a
repository is gated, the target folder; Check tells the size, what is there and the free space;
Start downloads with progress, pause, resume and cancel. The work is the DownloadService's."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.settings import Settings
from majicflux_desktop.core.units import format_bytes
from majicflux_desktop.engine import catalog
from majicflux_desktop.engine.hub import HF_MIRROR, huggingface, modelscope, parse_source
from majicflux_desktop.engine.hub import HUGGINGFACE as HUGGINGFACE_API
from majicflux_desktop.engine.transfer import DownloadCancelled, Progress
from majicflux_desktop.ui.common import theme
from majicflux_desktop.ui.common.error_messages import SetupStep, setup_failure_message
from majicflux_desktop.ui.setup.check_report import role_title
from majicflux_desktop.ui.setup.download_progress import DownloadProgressView
from majicflux_desktop.ui.setup.downloads import (
    DownloadRequest,
    DownloadService,
    Phase,
    PlanSummary,
)

MODELSCOPE, HUGGINGFACE = "modelscope", "huggingface"  # as settings.download_source keeps them


class DownloadPage(QWidget):
    back_requested = Signal()
    completed = Signal(object)  # DownloadRequest: every file is there and verified

    def __init__(self, service: DownloadService, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.service = service
        self.settings = settings
        self.roles: tuple[str, ...] | None = None  # None: every required file
        self.keep: dict[str, tuple[Path, ...]] = {}  # the other roles, served from elsewhere
        self.summary: PlanSummary | None = None
        title = QLabel(self.tr("Download"))
        title.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.scope = QLabel()
        self.scope.setWordWrap(True)
        self.progress = DownloadProgressView()
        self.summary_text = QLabel()
        self.summary_text.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addWidget(self.scope)
        layout.addWidget(self._build_form())
        layout.addWidget(self.summary_text)
        layout.addWidget(self.message)
        layout.addWidget(self.progress, 100)  # the room goes to the file list while it shows
        layout.addStretch(1)
        layout.addLayout(self._build_buttons())
        service.planned.connect(self._planned)
        service.progressed.connect(self._progressed)
        service.finished.connect(self._finished)
        service.failed.connect(self._failed)
        service.phase_changed.connect(self._phase_changed)
        self.set_settings(settings)
        self._attach()

    # -- building --------------------------------------------------------------------------------
    def _build_form(self) -> QFrame:
        self.modelscope = QRadioButton(self.tr("ModelScope"))
        self.huggingface = QRadioButton(self.tr("Hugging Face"))
        self.mirror = QRadioButton(self.tr("A Hugging Face mirror:"))
        self.sources = QButtonGroup(self)
        for button in (self.modelscope, self.huggingface, self.mirror):
            self.sources.addButton(button)
            button.toggled.connect(self._form_changed)
        modelscope_note = _note(
            self.tr(
                "Recommended. Works from mainland China; no account or token needed. "
                "majicflus_v1 is published there only."
            )
        )
        huggingface_note = _note(
            self.tr(
                "Usually not reachable from mainland China. Needs a token (see below). "
                "majicflus_v1 itself still comes from ModelScope, the only place it is published."
            )
        )
        self.mirror_url = QLineEdit()
        self.mirror_url.setPlaceholderText(HF_MIRROR)
        self.mirror_url.textChanged.connect(self._form_changed)
        self.mirror_url.textEdited.connect(lambda _: self.mirror.setChecked(True))
        self.licence = _note(
            self.tr(
                "FLUX.1-dev, whose text encoders and VAE MajicFlux uses, is a gated repository on "
                "Hugging Face: its authors ask everyone to accept the FLUX.1 [dev] Non-Commercial "
                "License before downloading. Sign in at huggingface.co/black-forest-labs/FLUX.1-dev, "
                "accept the licence there, create an access token with read access (Settings ▸ "
                "Access Tokens) and paste it below. Mirrors pass the same gate on. majicflus_v1 "
                "itself always comes from ModelScope."
            )
        )
        self.licence.setStyleSheet(
            f"border-left: 3px solid {theme.WARNING}; padding-left: 8px; margin: 2px 0;"
        )
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(
            self.tr("Only for Hugging Face or a mirror (hf_…); never saved to disk")
        )
        self.token.textChanged.connect(self._form_changed)
        self.folder = QLineEdit()
        self.folder.textChanged.connect(self._form_changed)
        self.choose_button = QPushButton(self.tr("Choose…"))
        self.choose_button.clicked.connect(self._choose_folder)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.addWidget(QLabel(self.tr("Source")), 0, 0)
        grid.addWidget(self.modelscope, 0, 1)
        grid.addWidget(modelscope_note, 1, 1, 1, 2)
        grid.addWidget(self.huggingface, 2, 1)
        grid.addWidget(huggingface_note, 3, 1, 1, 2)
        mirror_row = QHBoxLayout()
        mirror_row.addWidget(self.mirror)
        mirror_row.addWidget(self.mirror_url, 1)
        grid.addLayout(mirror_row, 4, 1, 1, 2)
        grid.addWidget(self.licence, 5, 1, 1, 2)
        grid.addWidget(QLabel(self.tr("Access token")), 6, 0)
        grid.addWidget(self.token, 6, 1, 1, 2)
        grid.addWidget(QLabel(self.tr("Save to")), 7, 0)
        grid.addWidget(self.folder, 7, 1)
        grid.addWidget(self.choose_button, 7, 2)
        self.form = QFrame()
        self.form.setLayout(grid)
        return self.form

    def _build_buttons(self) -> QHBoxLayout:
        self.back_button = QPushButton(self.tr("Back"))
        self.back_button.clicked.connect(self.back_requested)
        self.check_button = QPushButton(self.tr("Check"))
        self.check_button.setToolTip(
            self.tr("Ask the source for the file list and sizes, and look at the disk")
        )
        self.check_button.clicked.connect(self.check)
        self.check_button.setDefault(True)
        self.start_button = QPushButton(self.tr("Start download"))
        self.start_button.clicked.connect(self.start)
        self.pause_button = QPushButton(self.tr("Pause"))
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self._pause_toggled)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.service.cancel)
        row = QHBoxLayout()
        row.addWidget(self.back_button)
        row.addStretch(1)
        for button in (self.check_button, self.start_button, self.pause_button):
            row.addWidget(button)
        row.addWidget(self.cancel_button)
        return row

    # -- state -----------------------------------------------------------------------------------
    def set_settings(self, settings: Settings) -> None:
        old, self.settings = self.settings, settings
        unchanged = (old.models_dir, old.download_source) == (
            settings.models_dir,
            settings.download_source,
        )
        if self.service.busy or (unchanged and self.folder.text()):
            return  # keep what the user is typing
        self.folder.setText(str(settings.models_dir))
        self._show_source(settings.download_source)

    def _show_source(self, setting: str) -> None:
        button = {MODELSCOPE: self.modelscope, HUGGINGFACE: self.huggingface}.get(setting)
        if button is None:
            self.mirror_url.setText(setting)
            button = self.mirror
        button.setChecked(True)

    def set_roles(
        self,
        roles: tuple[str, ...] | None,
        keep: Mapping[str, tuple[Path, ...]] | None = None,
    ) -> None:
        """Download only these, and use `keep` (role: files) for the rest; None: everything."""
        self.roles = roles if roles and set(roles) != set(catalog.SPECS) else None
        self.keep = {} if self.roles is None else dict(keep or {})
        if self.roles is None:
            self.scope.setText(
                self.tr(
                    "About 22 GB: the majicflus_v1 transformer, and the text encoders, VAE and "
                    "tokenizers of FLUX.1-dev. Interrupted downloads continue where they "
                    "stopped, also after MajicFlux was closed; every file is checked before it "
                    "is used."
                )
            )
        else:
            titles = ", ".join(role_title(role) for role in self.roles)
            self.scope.setText(
                self.tr("Only the files still missing: {titles}.").format(titles=titles)
            )
        self._form_changed()

    def request(self) -> DownloadRequest:
        """What the form asks for; raises UserError for a mirror address that is not one."""
        if self.modelscope.isChecked():
            source, setting = modelscope(), MODELSCOPE
        elif self.huggingface.isChecked():
            source, setting = huggingface(), HUGGINGFACE
        else:
            setting = self.mirror_url.text().strip() or HF_MIRROR
            if not setting.lower().startswith(("http://", "https://")):
                setting = "https://" + setting
            source = parse_source(setting)
        folder = Path(self.folder.text().strip() or self.settings.models_dir).expanduser()
        # a Hugging Face token is for Hugging Face and its mirrors: never sent to ModelScope
        token = (self.token.text().strip() or None) if source.api == HUGGINGFACE_API else None
        return DownloadRequest(folder, source, setting, token, self.roles, self.keep)

    def _attach(self) -> None:
        """A check or download already under way (the window was rebuilt): show it."""
        request, summary = self.service.request, self.service.last_summary
        if self.service.busy and request is not None:
            self.set_roles(request.roles, request.keep)
            self._show_source(request.source_setting)
            self.folder.setText(str(request.models_dir))
            if summary is not None and summary.request is request:
                self._planned(summary)
                if self.service.last_progress is not None:
                    self._progressed(self.service.last_progress)
        self._phase_changed(self.service.phase.value)
        if self.service.phase is Phase.DOWNLOADING:
            self.pause_button.setChecked(self.service.paused)

    # -- actions ---------------------------------------------------------------------------------
    def check(self) -> None:
        request = self._request_or_show_error()
        if request is not None:
            self._show_message("")
            self.summary_text.setText(
                self.tr("Asking {source} for the file list…").format(source=request.source.name)
            )
            self.service.check(request)

    def start(self) -> None:
        request = self._request_or_show_error()
        if request is not None:
            self._show_message("")
            self.service.start(request)

    def _request_or_show_error(self) -> DownloadRequest | None:
        if self.service.busy:
            return None
        try:
            request = self.request()
        except UserError as exc:
            self._show_message(exc.text(), error=True)
            return None
        if not request.models_dir.is_absolute():
            # relative to what? The current folder now, the data folder after a restart
            self._show_message(
                self.tr(
                    "“{folder}” is not a full path. Choose the folder with “Choose…”, or type "
                    "its full path, such as {example}."
                ).format(folder=request.models_dir, example=self.settings.models_dir),
                error=True,
            )
            self.folder.setFocus()
            return None
        return request

    def _pause_toggled(self, paused: bool) -> None:
        self.pause_button.setText(self.tr("Resume") if paused else self.tr("Pause"))
        if paused:
            self.service.pause()
        else:
            self.service.resume()

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Choose where to save the model files"), self.folder.text()
        )
        if folder:
            self.folder.setText(folder)

    def _form_changed(self, *_: object) -> None:
        self.licence.setVisible(not self.modelscope.isChecked())
        self.token.setEnabled(not self.modelscope.isChecked())  # it would not be sent there
        if not self.service.busy:
            self.summary = None
            self.summary_text.clear()
            self.progress.show_plan(None)
            self._show_message("")
            self._update_buttons()

    # -- news from the download thread -------------------------------------------------------------
    def _planned(self, summary: PlanSummary) -> None:
        self.summary = summary
        self.summary_text.setText("\n".join(self.summary_lines(summary)))
        self.progress.show_plan(summary.plan)
        if summary.space_problem is not None:
            self._show_message(summary.space_problem.text(), error=True)
        self._update_buttons()

    def summary_lines(self, summary: PlanSummary) -> list[str]:
        plan, request = summary.plan, summary.request
        lines = [
            self.tr("{count} files, {total} in all, from {source}.").format(
                count=len(plan.files),
                total=format_bytes(plan.total_bytes),
                source=request.source.name,
            )
        ]
        if summary.present_bytes:
            lines.append(
                self.tr("Already there: {size}.").format(size=format_bytes(summary.present_bytes))
            )
        if summary.resumed_bytes:
            lines.append(
                self.tr("Resuming: {size} already downloaded.").format(
                    size=format_bytes(summary.resumed_bytes)
                )
            )
        lines.append(
            self.tr("To download: {size}. Free on that drive: {free}.").format(
                size=format_bytes(plan.remaining_bytes), free=format_bytes(summary.free_bytes)
            )
        )
        folders = sorted({str(plan.models_dir.joinpath(*f.repo.split("/"))) for f in plan.files})
        lines.append(self.tr("The files go to: {folders}").format(folders=", ".join(folders)))
        lines += [note.text() for note in plan.notes]
        return lines

    def _progressed(self, progress: Progress) -> None:
        self.progress.show_progress(progress)

    def _finished(self, request: DownloadRequest) -> None:
        self._show_message(
            self.tr("All files are downloaded and verified. Loading the engine…"), error=False
        )
        self.completed.emit(request)

    def _failed(self, exc: Exception, phase: str) -> None:
        if self.summary is None:
            self.summary_text.clear()  # "Asking … for the file list" is over
        if isinstance(exc, DownloadCancelled):
            self._show_message(exc.text(), error=False)
        else:
            step = SetupStep.CHECKING_DOWNLOAD
            if Phase(phase) is Phase.DOWNLOADING:
                step = SetupStep.DOWNLOADING
            self._show_message(setup_failure_message(exc, step), error=True)
            if isinstance(exc, UserError) and "HTTP 40" in exc.detail:
                self.token.setFocus()  # a gate or a refused token: the fix starts there

    def _phase_changed(self, phase: str) -> None:
        busy = Phase(phase) is not Phase.IDLE
        self.form.setEnabled(not busy)
        if not busy and self.pause_button.isChecked():
            self.pause_button.setChecked(False)
        self._update_buttons()

    def _update_buttons(self) -> None:
        phase = self.service.phase
        idle = phase is Phase.IDLE
        ready = self.summary is not None and self.summary.space_problem is None
        self.back_button.setEnabled(idle)
        self.check_button.setEnabled(idle)
        self.start_button.setEnabled(idle and ready)
        self.pause_button.setEnabled(phase is Phase.DOWNLOADING)
        self.cancel_button.setEnabled(not idle)

    def _show_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {theme.DANGER};" if error else f"color: {theme.GOOD};")
        self.message.setVisible(bool(text))


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label
