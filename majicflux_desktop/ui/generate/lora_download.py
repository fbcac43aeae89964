"""Download a LoRA from the picker: by ModelScope model id or by a `.safetensors` file's address.

┌ Download a LoRA ─────────────────────────────────────────────────┐
│ ModelScope model id or address                                   │
│ [DonRat/MAJICFLUS_SuperChinesestyleheongsam or https://…       ] │
│ only .safetensors; a file MajicFlux cannot use is deleted again  │
│ Save to [<models folder>/loras                               ▾]  │
│ [▮▮▮▮▮▮▮▯▯▯▯▯]  name.safetensors: 12 MB of 36 MB · 4 MB/s · 0:06  │
│ why it failed, in the UI language, naming the fix                │
│                                          [Download] [Close]      │
└──────────────────────────────────────────────────────────────────┘

The download runs on a DownloadThread (the model download's thread and cancel), never on the UI
thread. This is the only place the window touches the network for a LoRA, and only when the user
presses Download.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.units import format_bytes
from majicflux_desktop.engine import lora_download
from majicflux_desktop.engine.download import DownloadPlan
from majicflux_desktop.engine.lora_address import EXAMPLE_ID
from majicflux_desktop.engine.transfer import DownloadCancelled, Progress, part_size
from majicflux_desktop.ui.common import theme
from majicflux_desktop.ui.common.download_thread import CHUNK_BYTES, DownloadThread, Phase
from majicflux_desktop.ui.common.durations import format_clock
from majicflux_desktop.ui.common.error_messages import SetupStep, setup_failure_message

BAR_STEPS = 1000


class LoraDownloads(DownloadThread):
    """One LoRA at a time: looked up (CHECKING), then fetched and checked (DOWNLOADING)."""

    planned = Signal(object)  # DownloadPlan: the file's name, size and what an earlier try left
    finished = Signal(object)  # lora_download.DownloadedLora: in its folder, usable

    def start(self, address: str, folder: Path, tiny: bool = False) -> None:
        self.last_progress = None
        self._begin(Phase.CHECKING, lambda: self._download(address, folder, tiny))

    def _download(self, address: str, folder: Path, tiny: bool) -> None:
        def planned(plan: DownloadPlan) -> None:
            self._set_phase(Phase.DOWNLOADING)
            self._emit(self.planned, plan)

        done = lora_download.download(
            address,
            folder,
            on_planned=planned,
            on_progress=self._progress,
            control=self.control,
            tiny=tiny,
            chunk_bytes=CHUNK_BYTES,
        )
        self._emit(self.finished, done)


class LoraDownloadDialog(QDialog):
    downloaded = Signal(Path)  # the new LoRA file, usable

    def __init__(
        self, folders: list[Path], tiny: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Download a LoRA"))
        self.tiny = tiny
        self.service = LoraDownloads(self)
        self.service.phase_changed.connect(self._phase_changed)
        self.service.planned.connect(self._planned)
        self.service.progressed.connect(self._progressed)
        self.service.finished.connect(self._finished)
        self.service.failed.connect(self._failed)
        self._file_name = ""
        self._build(folders)
        self.resize(640, self.sizeHint().height())

    def _build(self, folders: list[Path]) -> None:
        self.address = QLineEdit()
        self.address.setPlaceholderText(
            self.tr("{example} or https://…/name.safetensors").format(example=EXAMPLE_ID)
        )
        self.address.setClearButtonEnabled(True)
        self.address.textChanged.connect(lambda _: self._update_buttons())
        self.address.returnPressed.connect(self.start)
        hint = QLabel(
            self.tr(
                "A ModelScope model id (owner/name; owner/name/file.safetensors when it holds "
                "several LoRAs), or the link of a .safetensors file. Only .safetensors files are "
                "downloaded, and a file MajicFlux cannot use is deleted again."
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(placeholder-text);")
        self.folder = QComboBox()
        for folder in folders:
            self.folder.addItem(str(folder), str(folder))
        self.folder.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)  # fmt: skip
        self.folder.setMinimumContentsLength(30)
        self.progress = QProgressBar()
        self.progress.setRange(0, BAR_STEPS)
        self.progress.setTextVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.download_button = QPushButton(self.tr("Download"))
        self.download_button.setDefault(True)
        self.download_button.clicked.connect(self.start)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self._close_or_cancel)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.addRow(self.tr("ModelScope model id or address"), self.address)
        form.addRow(hint)
        form.addRow(self.tr("Save to"), self.folder)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addSpacing(6)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self._show_idle()
        if not folders:
            self._show_message(
                self.tr(
                    "There is no LoRA folder: choose a models folder in Settings, or add a LoRA "
                    "folder there."
                ),
                error=True,
            )
        self._update_buttons()

    # -- actions ----------------------------------------------------------------------------------
    def start(self) -> None:
        text = self.address.text().strip()
        folder = self.folder.currentData()
        if self.service.busy or not text or not folder:
            return
        self._show_message("")
        self._file_name = ""
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)  # busy until the size is known
        self.status.setText(self.tr("Looking up {address}…").format(address=text))
        self.service.start(text, Path(folder), self.tiny)

    def _close_or_cancel(self) -> None:
        if self.service.busy:
            self.service.cancel()
        else:
            self.reject()

    def done(self, result: int) -> None:
        """Closing stops a download; its `.part` stays, and the same address continues it."""
        self.service.shutdown()
        super().done(result)

    # -- the download's news ----------------------------------------------------------------------
    def _phase_changed(self, phase: str) -> None:
        busy = Phase(phase) is not Phase.IDLE
        self.address.setEnabled(not busy)
        self.folder.setEnabled(not busy)
        self.close_button.setText(self.tr("Cancel") if busy else self.tr("Close"))
        self._update_buttons()

    def _planned(self, plan: DownloadPlan) -> None:
        (file,) = plan.files
        self._file_name = file.target.name
        self.progress.setRange(0, BAR_STEPS)
        kept = part_size(file)
        if file.present:
            text = self.tr("{name} is already in this folder.")
        elif kept:
            text = self.tr("{name}: continuing after {kept} of {size}…")
        else:
            text = self.tr("{name}: {size}, starting…")
        self.status.setText(
            text.format(
                name=file.target.name, kept=format_bytes(kept), size=format_bytes(file.size)
            )
        )

    def _progressed(self, progress: Progress) -> None:
        self.progress.setValue(round(progress.fraction * BAR_STEPS))
        parts = [
            self.tr("{name}: {done} of {total}").format(
                name=self._file_name,
                done=format_bytes(progress.done_bytes),
                total=format_bytes(progress.total_bytes),
            )
        ]
        if progress.bytes_per_second:
            parts.append(f"{format_bytes(progress.bytes_per_second)}/s")
        if progress.eta_s is not None and progress.done_bytes < progress.total_bytes:
            parts.append(self.tr("{time} left").format(time=format_clock(progress.eta_s)))
        self.status.setText(" · ".join(parts))
        if progress.note is not None:
            self._show_message(progress.note.text(), error=False, note=True)

    def _finished(self, done: lora_download.DownloadedLora) -> None:
        self.progress.setValue(BAR_STEPS)
        self.status.setText(self.tr("{name} is ready.").format(name=done.path.name))
        self.downloaded.emit(done.path)
        self.accept()

    def _failed(self, exc: Exception, phase: str) -> None:
        self._show_idle()
        if isinstance(exc, DownloadCancelled):
            self._show_message(
                self.tr(
                    "The download was cancelled. What arrived is kept: download the same address "
                    "again to continue."
                )
            )
            return
        step = SetupStep.DOWNLOADING if Phase(phase) is Phase.DOWNLOADING else SetupStep.CHECKING_DOWNLOAD  # fmt: skip
        self._show_message(setup_failure_message(exc, step), error=True)
        self.address.setFocus()

    # -- showing ----------------------------------------------------------------------------------
    def _show_idle(self) -> None:
        self.progress.setRange(0, BAR_STEPS)
        self.progress.setValue(0)
        self.progress.setVisible(False)
        self.status.clear()

    def _show_message(self, text: str, error: bool = False, note: bool = False) -> None:
        self.message.setText(text)
        color = theme.DANGER if error else theme.WARNING if note else "palette(text)"
        self.message.setStyleSheet(f"color: {color};")
        self.message.setVisible(bool(text))

    def _update_buttons(self) -> None:
        ready = bool(self.address.text().strip()) and self.folder.count() > 0
        self.download_button.setEnabled(ready and not self.service.busy)

    @property
    def error_text(self) -> str:
        return "" if self.message.isHidden() else self.message.text()
