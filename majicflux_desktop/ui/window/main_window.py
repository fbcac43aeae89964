"""The main window: layout, and the user's gestures turned into calls. No business logic.

┌ menus ─────────────────────────────────────────── [VRAM gauge] ┐
│ notices / engine state                                          │
│ prompt panel │ current image or live preview │ queue            │
│ gallery                                                         │
│ status: step · elapsed · ETA (queue)                            │
└─────────────────────────────────────────────────────────────────┘
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
)
from PySide6.QtWidgets import (
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.library import ImageRecord, Job, Library
from majicflux_desktop.core.paths import AppPaths
from majicflux_desktop.core.request import GenerationRequest, RequestError
from majicflux_desktop.core.settings import Settings
from majicflux_desktop.engine.loras import LoraIndex
from majicflux_desktop.engine.memory import VramProbe
from majicflux_desktop.ui.common.lora_catalog import LoraCatalog, LoraResolution
from majicflux_desktop.ui.common.notices import NoticeBar
from majicflux_desktop.ui.gallery.gallery_panel import GalleryPanel
from majicflux_desktop.ui.gallery.image_details import ImageDetails
from majicflux_desktop.ui.gallery.viewer import ViewerWindow
from majicflux_desktop.ui.generate.lora_picker import LoraPreferences
from majicflux_desktop.ui.generate.prompt_panel import PanelState, PromptPanel
from majicflux_desktop.ui.generate.queue_panel import QueuePanel
from majicflux_desktop.ui.setup.downloads import DownloadService
from majicflux_desktop.ui.setup.wizard import SetupWizard
from majicflux_desktop.ui.window.actions import (
    MenuHandlers,
    build_menus,
    show_about,
    show_shortcuts,
)
from majicflux_desktop.ui.window.dropped_files import (
    DropOutcome,
    is_picture,
    read_dropped,
    read_pasted_text,
    with_lora_resolution,
)
from majicflux_desktop.ui.window.presenter import Panels, WorkerPresenter
from majicflux_desktop.ui.window.settings_dialog import SettingsDialog
from majicflux_desktop.ui.window.status import StatusLine, StatusSnapshot
from majicflux_desktop.ui.window.vram_gauge import VramGauge
from majicflux_desktop.ui.worker import EngineState, EngineWorker

APP_TITLE = "MajicFlux · 麦橘超然"


@dataclass(frozen=True)
class WindowState:
    """What survives rebuilding the window (a language switch)."""

    panel: PanelState
    selected_image: int | None
    paused: bool
    queue: list[Job]
    ended_jobs: list[int]
    status: StatusSnapshot


class MainWindow(QMainWindow):
    settings_edited = Signal(Settings)
    theme_chosen = Signal(str)
    language_chosen = Signal(str)
    demo_requested = Signal()
    setup_finished = Signal(Settings)  # from Model setup: save them, load the models
    check_models_requested = Signal()
    seed_lock_changed = Signal(bool)
    lora_favourite_toggled = Signal(str, bool)  # a LoRA's SHA-256, favourite or not
    closing = Signal()

    def __init__(
        self,
        paths: AppPaths,
        settings: Settings,
        library: Library,
        worker: EngineWorker,
        probe: VramProbe,
        demo: bool = False,
        downloads: DownloadService | None = None,
        loras: LoraCatalog | None = None,
    ):
        """`loras`: the app's LoRA folders, shared with the engine (the app's, outliving this
        window); without one the window knows no LoRA file."""
        super().__init__()
        self.paths, self.settings, self.library, self.worker = paths, settings, library, worker
        self.loras = loras or LoraCatalog(LoraIndex(), None, parent=self)
        self._pending_drop: DropOutcome | None = None  # its LoRAs are being looked for
        self.demo = demo
        self.rebuilding = False
        self.setup_open = False  # Model setup opened from the menu: stays until the user leaves
        self.viewer: ViewerWindow | None = None
        self.setWindowTitle(APP_TITLE)
        self.setAcceptDrops(True)
        self.gauge = VramGauge(probe)
        self.prompt_panel = PromptPanel(
            settings.generation, settings.seed_locked, loras=self.loras, sources=library.sources
        )
        self.prompt_panel.set_lora_preferences(_lora_preferences(settings))
        self.details = ImageDetails()
        self.details.has_children = library.records.has_children
        self.drop_question: QMessageBox | None = None  # a dropped PNG: its parameters or source?
        self._source_from = ""  # a picture dropped or pasted on the window is being read
        self.queue = QueuePanel(library.jobs)
        self.gallery = GalleryPanel(library.records, library, paths.thumbnail_dir)
        self.notices = NoticeBar()
        self.setup_wizard = SetupWizard(settings, downloads or DownloadService(self))
        self.status = StatusLine(self.statusBar(), self)
        self._build_layout()
        self.commands = build_menus(
            self.menuBar(),
            self._menu_handlers(),
            self.gallery.commands,
            settings.theme,
            settings.language,
        )
        self.menuBar().setCornerWidget(self.gauge, Qt.Corner.TopRightCorner)
        self.presenter = WorkerPresenter(
            worker,
            Panels(
                self.queue,
                self.gallery,
                self.details,
                self.gauge,
                self.notices,
                self.status,
                self.setup_wizard,
            ),
            self,
        )
        self.presenter.engine_state_changed.connect(lambda _: self.show_page_for_engine())
        self.presenter.log_folder_requested.connect(self.open_log_folder)
        self._connect_panels()
        self.set_demo(demo)
        self._restore_geometry()

    @property
    def engine_state(self) -> EngineState:
        return self.presenter.engine_state

    # -- building --------------------------------------------------------------------------------
    def _build_layout(self) -> None:
        self.top = QSplitter(Qt.Orientation.Horizontal)
        self.top.addWidget(self.prompt_panel)
        self.top.addWidget(self.details)
        self.top.addWidget(self.queue)
        self.top.setStretchFactor(0, 0)
        self.top.setStretchFactor(1, 1)
        self.top.setStretchFactor(2, 0)
        self.top.setSizes([340, 700, 300])
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.top)
        self.split.addWidget(self.gallery)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setSizes([520, 360])
        workspace = QWidget()
        layout = QVBoxLayout(workspace)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.status.engine_banner)
        layout.addWidget(self.status.engine_busy)
        layout.addWidget(self.split, 1)
        self.workspace = workspace
        self.pages = QStackedWidget()
        self.pages.addWidget(workspace)
        self.pages.addWidget(self.setup_wizard)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.notices)
        outer.addWidget(self.pages, 1)
        self.setCentralWidget(central)

    def _menu_handlers(self) -> MenuHandlers:
        return MenuHandlers(
            open_output_folder=self.open_output_folder,
            quit=self.close,
            copy_image=self.copy_image,
            paste_parameters=self.paste_parameters,
            empty_trash=self.empty_trash,
            settings=self.open_settings,
            choose_theme=self.theme_chosen.emit,
            choose_language=self.language_chosen.emit,
            full_view=self.open_viewer_for_selected,
            generate=self.generate,
            cancel=self.cancel_running,
            reuse_all=self._reuse_all_selected,
            model_setup=self.show_model_setup,
            check_models=self.check_models_requested.emit,
            demo=self.demo_requested.emit,
            shortcuts=lambda: show_shortcuts(self),
            open_log_folder=self.open_log_folder,
            about=lambda: show_about(self),
        )

    def _connect_panels(self) -> None:
        self.prompt_panel.generate_requested.connect(self.enqueue)
        self.prompt_panel.seed_lock_changed.connect(self.seed_lock_changed)
        self.prompt_panel.lora_favourite_toggled.connect(self.lora_favourite_toggled)
        self.prompt_panel.loras_chosen.connect(lambda uses: self.worker.prefetch_loras(uses))
        self.queue.cancel_running_requested.connect(self.cancel_running)
        # a lambda, so the call happens here and now (a bound method of the worker would be queued)
        self.queue.pause_toggled.connect(lambda paused: self.worker.set_paused(paused))
        self.queue.status_changed.connect(self.status.set_progress)
        gallery, details = self.gallery, self.details
        gallery.selection_changed.connect(details.show_record)
        for messenger in (gallery, details):
            messenger.status_message.connect(lambda text: self.status.show_message(text, 5000))
        details.favourite_toggled.connect(lambda r, on: gallery.set_favourite(r.id, on))
        gallery.favourite_toggled.connect(self._favourite_changed)
        for source in (gallery, details):
            source.reroll_requested.connect(self.reroll)
            source.reuse_seed_requested.connect(self.reuse_seed)
            source.reuse_all_requested.connect(self.reuse_all)
            source.use_as_source_requested.connect(self.use_as_source)
            source.viewer_requested.connect(self.open_viewer)
        edit_panel = self.prompt_panel.edit_panel
        edit_panel.source_changed.connect(self._source_read)
        edit_panel.load_failed.connect(self._source_failed)
        details.image_requested.connect(self.show_image)
        details.family_requested.connect(gallery.show_family)
        wizard = self.setup_wizard
        wizard.finished.connect(self._setup_finished)
        wizard.recheck_requested.connect(self.check_models_requested)
        wizard.demo_requested.connect(self._demo_from_setup)
        wizard.leave_requested.connect(self.close_model_setup)

    def _favourite_changed(self, record: ImageRecord, favourite: bool) -> None:
        shown = self.details.current_record()
        if shown is not None and shown.id == record.id:
            self.details.favourite.setChecked(favourite)

    def detach(self) -> None:
        """Stop listening to the worker: the window is being replaced, or the app is closing."""
        self.presenter.detach()
        self.queue.stop()

    # -- state -----------------------------------------------------------------------------------
    def set_demo(self, demo: bool) -> None:
        self.demo = demo
        self.status.set_demo(demo)
        suffix = " — " + self.tr("DEMO: tiny model with random weights") if demo else ""
        self.setWindowTitle(APP_TITLE + suffix)

    def capture_state(self) -> WindowState:
        record = self.gallery.current_record()
        return WindowState(
            self.prompt_panel.state(),
            None if record is None else record.id,
            self.worker.paused,
            self.queue.jobs(),
            self.queue.ended_jobs,
            self.status.snapshot(),
        )

    def restore_state(self, state: WindowState, notices: NoticeBar) -> None:
        self.prompt_panel.restore(state.panel)
        self.queue.set_paused(state.paused)
        self.queue.carry_over(state.queue, state.ended_jobs)
        self.notices.carry_over(notices)
        self.status.restore(state.status)
        if state.selected_image is not None:
            self.gallery.select_image(state.selected_image)

    def apply_settings(self, settings: Settings) -> None:
        self.settings = settings
        self.setup_wizard.set_settings(settings)
        self.prompt_panel.set_lora_preferences(_lora_preferences(settings))

    # -- actions ---------------------------------------------------------------------------------
    def generate(self) -> None:
        self.prompt_panel.try_generate()

    def enqueue(self, request: GenerationRequest) -> bool:
        try:
            job = self.library.jobs.enqueue(request)
        except RequestError as exc:
            for problem in exc.problems:
                self.notices.add(problem.message.text(), "error")
            return False
        except UserError as exc:
            self.notices.add(exc.text(), "error")
            return False
        self.queue.enqueued(job)
        self.worker.wake()
        if self.worker.paused:
            self.status.show_message(
                self.tr("Queued. The queue is paused: press “Resume queue” to start."), 8000
            )
        return True

    def cancel_running(self) -> None:
        job_id = self.worker.cancel_current()
        if job_id is not None:
            self.status.show_message(self.presenter.cancel_text(job_id), 5000)

    def reroll(self, record: ImageRecord, variants: int = 1) -> None:
        self.enqueue(dataclasses.replace(record.request, seed=None, count=max(1, variants)))

    def reuse_seed(self, record: ImageRecord) -> None:
        self.prompt_panel.set_seed(record.seed)
        self.status.show_message(self.tr("Seed {seed} locked.").format(seed=record.seed), 5000)

    def reuse_all(self, record: ImageRecord) -> None:
        self.prompt_panel.set_request(record.request)
        self.status.show_message(self.tr("All parameters reused."), 5000)

    def use_as_source(self, record: ImageRecord) -> None:
        """Start an edit from a gallery image; an empty prompt takes the image's own."""
        if not record.file.exists():
            self.notices.add(
                self.tr(
                    "The file of image #{id} is missing (“{path}”): it was moved or deleted "
                    "outside the app. Put it back, or choose another image."
                ).format(id=record.id, path=record.file),
                "error",
            )
            return
        self._source_from = f"#{record.id}"
        self.prompt_panel.use_source(record.file, parent_image=record.id, name=f"#{record.id}")
        text = self.tr(
            "Image #{id} is the source picture: choose what to do with it under Source picture."
        )
        if not self.prompt_panel.prompt.toPlainText().strip():
            self.prompt_panel.take_prompt(record.request)
            text += " " + self.tr("Its prompt was filled in.")
        self.status.show_message(text.format(id=record.id), 8000)

    def show_image(self, image_id: int) -> None:
        """Select an image in the gallery (the one a shown image was made from)."""
        if not self.gallery.reveal_image(image_id):
            self.status.show_message(
                self.tr("Image #{id} is in the trash or was deleted.").format(id=image_id), 8000
            )

    def _reuse_all_selected(self) -> None:
        record = self.gallery.current_record()
        if record is not None:
            self.reuse_all(record)

    def copy_image(self) -> None:
        record = self.gallery.current_record()
        if record is None:
            return
        image = QImage(str(record.file))
        if image.isNull():
            self.status.show_message(
                self.tr("The file “{path}” cannot be read.").format(path=record.file), 5000
            )
            return
        QGuiApplication.clipboard().setImage(image)
        self.status.show_message(self.tr("Image copied."), 5000)

    def paste_parameters(self) -> None:
        """Parameters from the clipboard: A1111 text, or an image carrying them."""
        clipboard = QGuiApplication.clipboard()
        mime = clipboard.mimeData()
        if mime is not None and mime.hasUrls() and mime.urls()[0].isLocalFile():
            self.take_dropped(Path(mime.urls()[0].toLocalFile()))
            return
        if mime is not None and mime.hasImage() and not clipboard.text().strip():
            before = self.prompt_panel.state()
            self._source_from = "clipboard"
            self.prompt_panel.use_source(clipboard.image(), name=self.tr("Pasted picture"))
            undo = (self.tr("Undo"), lambda: self.prompt_panel.restore(before))
            self.notices.add(
                self.tr("The pasted picture is the source picture now."),
                "info",
                undo,
                window_bound=True,
            )
            return
        self.take_outcome(read_pasted_text(clipboard.text()))

    def empty_trash(self) -> None:
        count = len(self.library.records.trashed())
        if not count:
            self.status.show_message(self.tr("The trash is empty."), 5000)
            return
        answer = QMessageBox.question(
            self,
            self.tr("Empty trash"),
            self.tr(
                "Delete the {count} image(s) in the trash for good? This cannot be undone."
            ).format(count=count),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        deleted = self.library.empty_trash()
        self.status.show_message(
            self.tr("Deleted {count} image(s) for good.").format(count=deleted), 8000
        )

    def open_viewer(self, record: ImageRecord) -> None:
        if self.viewer is None:
            self.viewer = ViewerWindow(self.library.records, self)
            self.viewer.current_changed.connect(lambda r: self.gallery.select_image(r.id))
        self.viewer.open_record(record, self.gallery.neighbour)

    def open_viewer_for_selected(self) -> None:
        record = self.gallery.current_record()
        if record is not None:
            self.open_viewer(record)

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():  # a modal loop: a download may finish setup meanwhile
            self.settings_edited.emit(dialog.result_settings(self.settings))

    def show_model_setup(self) -> None:
        self.setup_open = True
        self.setup_wizard.open()
        self.show_page_for_engine()

    def close_model_setup(self) -> None:
        self.setup_open = False
        self.show_page_for_engine()

    def show_page_for_engine(self) -> None:
        """Model setup while files are missing or while the user has it open; else the workspace."""
        missing = self.engine_state is EngineState.MISSING
        self.pages.setCurrentWidget(
            self.setup_wizard if missing or self.setup_open else self.workspace
        )
        self.setup_wizard.set_can_leave(not missing)

    def _setup_finished(self, settings: Settings) -> None:
        self.setup_open = False
        self.pages.setCurrentWidget(self.workspace)  # the engine's loading shows there
        self.setup_finished.emit(settings)

    def _demo_from_setup(self) -> None:
        self.setup_open = False
        self.demo_requested.emit()

    def open_output_folder(self) -> None:
        _open_folder(self.library.output_dir)

    def open_log_folder(self) -> None:
        _open_folder(self.paths.log_dir)

    # -- drops -----------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if not files:
            self.notices.add(self.tr("Only files on this computer can be dropped."), "error")
            return
        event.acceptProposedAction()
        self.take_dropped(files[0])

    def take_dropped(self, path: Path) -> None:
        """A dropped picture: its parameters, or the source of an edit. A PNG that carries
        parameters asks which; any other picture becomes the source."""
        outcome = read_dropped(path)
        if outcome.request is None:
            if is_picture(path):
                self.use_dropped_as_source(
                    path, outcome.message + " " + self.tr("It is the source picture now.")
                )
            else:
                self.take_outcome(outcome)
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Dropped picture"))
        box.setText(
            self.tr("“{name}” carries generation parameters. What should it be used for?").format(
                name=path.name
            )
        )
        take = box.addButton(self.tr("Use its parameters"), QMessageBox.ButtonRole.AcceptRole)
        source = box.addButton(
            self.tr("Use it as the source image"), QMessageBox.ButtonRole.ActionRole
        )
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(take)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button: object) -> None:
            self.drop_question = None
            if button is take:
                self.take_outcome(outcome)
            elif button is source:
                self.use_dropped_as_source(path)

        box.buttonClicked.connect(answered)
        box.finished.connect(lambda _result: setattr(self, "drop_question", None))
        self.drop_question = box
        box.open()  # window-modal, not a nested event loop: the queue keeps running

    def use_dropped_as_source(self, path: Path, note: str = "") -> None:
        """The picture becomes the edit's source, as one step the notice can undo; if it cannot
        be read, the notice says why (the edit panel may be scrolled out of sight)."""
        before = self.prompt_panel.state()
        self._source_from = path.name
        self.prompt_panel.use_source(path)
        text = note or self.tr("“{name}” is the source picture now.").format(name=path.name)
        undo = (self.tr("Undo"), lambda: self.prompt_panel.restore(before))
        self.notices.add(text, "info", undo, window_bound=True)

    def _source_read(self, _info: object) -> None:
        self._source_from = ""

    def _source_failed(self, text: str) -> None:
        if self._source_from:
            self._source_from = ""
            self.notices.add(text, "error")

    def take_outcome(self, outcome: DropOutcome) -> None:
        """Parameters read from a file or the clipboard into the panel, as one step the notice
        can undo. Its LoRAs are looked for in the LoRA folders first (by hash, then by name;
        hashing may read files, so in the background): one that is not there is left out and
        named in the notice."""
        request = outcome.request
        if request is None or not request.loras:
            self._pending_drop = None  # an earlier drop's LoRAs, still looked for, are not wanted
            self._take(outcome)
            return
        self._pending_drop = outcome
        self.loras.resolve(request.loras, self._drop_resolved)

    def _drop_resolved(self, resolution: LoraResolution) -> None:
        outcome = self._pending_drop
        asked = {f.asked for f in resolution.found} | {m.use for m in resolution.missing}
        if outcome is None or outcome.request is None or asked != set(outcome.request.loras):
            return  # the answer for an earlier drop: a later one replaced it
        self._pending_drop = None
        self._take(with_lora_resolution(outcome, resolution, self.loras.listing.folders_text()))

    def _take(self, outcome: DropOutcome) -> None:
        if outcome.request is None:
            self.notices.add(outcome.message, outcome.level)
            return
        before = self.prompt_panel.take_parameters(outcome.request)
        undo = (self.tr("Undo"), lambda: self.prompt_panel.restore(before))
        self.notices.add(outcome.message, outcome.level, undo, window_bound=True)

    # -- geometry and closing --------------------------------------------------------------------
    def _geometry_store(self) -> QSettings:
        return QSettings(str(self.paths.data_dir / "window.ini"), QSettings.Format.IniFormat)

    def _restore_geometry(self) -> None:
        store = self._geometry_store()
        geometry = store.value("geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1440, 900)
        for splitter, key in ((self.top, "top"), (self.split, "split")):
            value = store.value(key)
            if value is not None:
                splitter.restoreState(value)

    def save_geometry(self) -> None:
        store = self._geometry_store()
        store.setValue("geometry", self.saveGeometry())
        store.setValue("top", self.top.saveState())
        store.setValue("split", self.split.saveState())
        store.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_geometry()
        if self.viewer is not None:
            self.viewer.close()
        self.gallery.shutdown()
        if not self.rebuilding:
            self.closing.emit()
        event.accept()


def _lora_preferences(settings: Settings) -> LoraPreferences:
    return LoraPreferences(settings.favourite_loras, settings.recent_loras)


def _open_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
