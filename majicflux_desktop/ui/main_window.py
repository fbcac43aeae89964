"""The main window: layout, menus and the reactions to the worker's news. No business logic.

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
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
)
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.library import ImageRecord, Library
from majicflux_desktop.core.paths import AppPaths
from majicflux_desktop.core.request import GenerationRequest, RequestError
from majicflux_desktop.core.settings import Settings
from majicflux_desktop.engine.memory import VramProbe
from majicflux_desktop.ui import theme
from majicflux_desktop.ui.downloads import DownloadService
from majicflux_desktop.ui.drop import read_dropped
from majicflux_desktop.ui.gallery import GalleryPanel
from majicflux_desktop.ui.notices import NoticeBar
from majicflux_desktop.ui.prompt_panel import PromptPanel
from majicflux_desktop.ui.queue_panel import QueuePanel
from majicflux_desktop.ui.settings_dialog import SettingsDialog
from majicflux_desktop.ui.setup_wizard import SetupWizard
from majicflux_desktop.ui.viewer import ImageDetails, ViewerWindow
from majicflux_desktop.ui.vram_gauge import VramGauge
from majicflux_desktop.ui.window_menus import build_menus
from majicflux_desktop.ui.window_news import WorkerNews
from majicflux_desktop.ui.worker import EngineState, EngineWorker

APP_TITLE = "MajicFlux · 麦橘超然"


@dataclass(frozen=True)
class WindowState:
    """What survives rebuilding the window (a language switch)."""

    request: GenerationRequest
    seed_locked: bool
    selected_image: int | None
    paused: bool
    ended_jobs: list[int]


class MainWindow(QMainWindow):
    settings_edited = Signal(object)  # Settings
    theme_chosen = Signal(str)
    language_chosen = Signal(str)
    demo_requested = Signal()
    setup_finished = Signal(object)  # Settings from Model setup: save them, load the models
    check_models_requested = Signal()
    seed_lock_changed = Signal(bool)
    closing = Signal()

    generate_action: QAction
    cancel_action: QAction
    full_view_action: QAction

    def __init__(
        self,
        paths: AppPaths,
        settings: Settings,
        library: Library,
        worker: EngineWorker,
        probe: VramProbe,
        demo: bool = False,
        downloads: DownloadService | None = None,
    ):
        super().__init__()
        self.paths, self.settings, self.library, self.worker = paths, settings, library, worker
        self.demo = demo
        self.rebuilding = False
        self.engine_state = EngineState.STARTING
        self.setup_open = False  # Model setup opened from the menu: stays until the user leaves
        self.viewer: ViewerWindow | None = None
        self.setWindowTitle(APP_TITLE)
        self.setAcceptDrops(True)
        self.gauge = VramGauge(probe)
        self.prompt_panel = PromptPanel(settings.generation, settings.seed_locked)
        self.details = ImageDetails()
        self.queue = QueuePanel(library)
        self.gallery = GalleryPanel(library, paths.thumbnail_dir)
        self.notices = NoticeBar()
        self.setup_wizard = SetupWizard(settings, downloads or DownloadService(self))
        self._build_layout()
        self._build_status_bar()
        build_menus(self)
        self.menuBar().setCornerWidget(self.gauge, Qt.Corner.TopRightCorner)
        self._connect_panels()
        self.news = WorkerNews(self, worker)
        self.set_demo(demo)
        self._restore_geometry()

    # -- building --------------------------------------------------------------------------------
    def _build_layout(self) -> None:
        self.engine_banner = QLabel()
        self.engine_banner.setWordWrap(True)
        self.engine_banner.setContentsMargins(10, 4, 10, 4)
        self.engine_busy = QProgressBar()
        self.engine_busy.setRange(0, 0)
        self.engine_busy.setMaximumHeight(4)
        self.engine_busy.setTextVisible(False)
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
        self.split.setSizes([580, 280])
        workspace = QWidget()
        layout = QVBoxLayout(workspace)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.engine_banner)
        layout.addWidget(self.engine_busy)
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

    def _build_status_bar(self) -> None:
        self.progress_status = QLabel()
        self.engine_status = QLabel()
        self.demo_badge = QLabel(self.tr("DEMO · random weights"))
        self.demo_badge.setStyleSheet(
            f"color: #1a1a1a; background: {theme.WARNING}; padding: 1px 6px; border-radius: 3px;"
        )
        self.demo_badge.setToolTip(
            self.tr("A tiny model with random weights: it makes noise, not pictures.")
        )
        bar = self.statusBar()
        bar.addWidget(self.progress_status, 1)
        bar.addPermanentWidget(self.engine_status)
        bar.addPermanentWidget(self.demo_badge)

    def _connect_panels(self) -> None:
        self.prompt_panel.generate_requested.connect(self.enqueue)
        self.prompt_panel.seed_lock_changed.connect(self.seed_lock_changed)
        self.queue.cancel_running_requested.connect(self.cancel_running)
        # a lambda, so the call happens here and now (a bound method of the worker would be queued)
        self.queue.pause_toggled.connect(lambda paused: self.worker.set_paused(paused))
        self.queue.status_changed.connect(self.progress_status.setText)
        gallery, details = self.gallery, self.details
        gallery.selection_changed.connect(details.show_record)
        for messenger in (gallery, details):
            messenger.status_message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        details.favourite_toggled.connect(lambda r, on: gallery.set_favourite(r.id, on))
        gallery.favourite_toggled.connect(self._favourite_changed)
        for source in (gallery, details):
            source.reroll_requested.connect(self.reroll)
            source.reuse_seed_requested.connect(self.reuse_seed)
            source.reuse_all_requested.connect(self.reuse_all)
            source.viewer_requested.connect(self.open_viewer)
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
        self.news.detach()
        self.queue.stop()

    # -- state -----------------------------------------------------------------------------------
    def set_demo(self, demo: bool) -> None:
        self.demo = demo
        self.demo_badge.setVisible(demo)
        suffix = " — " + self.tr("DEMO: tiny model with random weights") if demo else ""
        self.setWindowTitle(APP_TITLE + suffix)

    def capture_state(self) -> WindowState:
        record = self.gallery.current_record()
        return WindowState(
            self.prompt_panel.request(),
            self.prompt_panel.seed_locked,
            None if record is None else record.id,
            self.worker.paused,
            self.queue.ended_jobs,
        )

    def restore_state(self, state: WindowState) -> None:
        self.prompt_panel.set_request(state.request, keep_count=False)
        self.prompt_panel.lock.setChecked(state.seed_locked)
        self.queue.set_paused(state.paused)
        self.queue.show_ended(state.ended_jobs)
        if state.selected_image is not None:
            self.gallery.select_image(state.selected_image)

    def apply_settings(self, settings: Settings) -> None:
        self.settings = settings
        self.setup_wizard.set_settings(settings)

    # -- actions ---------------------------------------------------------------------------------
    def generate(self) -> None:
        self.prompt_panel.try_generate()

    def enqueue(self, request: GenerationRequest) -> bool:
        try:
            self.library.enqueue(request)
        except RequestError as exc:
            for problem in exc.problems:
                self.notices.add(problem.message.text(), "error")
            return False
        except UserError as exc:
            self.notices.add(exc.text(), "error")
            return False
        self.queue.refresh()
        self.worker.wake()
        if self.worker.paused:
            self.statusBar().showMessage(
                self.tr("Queued. The queue is paused: press “Resume queue” to start."), 8000
            )
        return True

    def cancel_running(self) -> None:
        if self.worker.cancel_current() is not None:
            self.statusBar().showMessage(self.tr("Cancelling after this step…"), 5000)

    def reroll(self, record: ImageRecord, variants: int = 1) -> None:
        self.enqueue(dataclasses.replace(record.request, seed=None, count=max(1, variants)))

    def reuse_seed(self, record: ImageRecord) -> None:
        self.prompt_panel.set_seed(record.seed)
        self.statusBar().showMessage(self.tr("Seed {seed} locked.").format(seed=record.seed), 5000)

    def reuse_all(self, record: ImageRecord) -> None:
        self.prompt_panel.set_request(record.request)
        self.statusBar().showMessage(self.tr("All parameters reused."), 5000)

    def open_viewer(self, record: ImageRecord) -> None:
        if self.viewer is None:
            self.viewer = ViewerWindow(self.library, self)
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
        outcome = read_dropped(path)
        if outcome.request is not None:
            self.prompt_panel.set_request(outcome.request)
        self.notices.add(outcome.message, outcome.level)

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


def _open_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
