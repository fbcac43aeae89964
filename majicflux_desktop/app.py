"""Wiring: QApplication, translations, settings, library, the engine thread and the main window.

Nothing here imports torch: the window shows first, then the worker thread loads the engine.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from majicflux_desktop import APP_NAME, __version__
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.core.instance import InstanceLock
from majicflux_desktop.core.library import ImageRecord, Job, Library
from majicflux_desktop.core.logs import make_stdio_safe, setup_logging
from majicflux_desktop.core.paths import AppPaths
from majicflux_desktop.core.recovery import recover
from majicflux_desktop.core.settings import (
    MAX_RECENT_LORAS,
    Settings,
    load_settings,
    save_settings,
)
from majicflux_desktop.core.writable import prepare_data_dir
from majicflux_desktop.engine.loras import HashCache, LoraIndex, lora_folders
from majicflux_desktop.engine.memory import GIB, VramProbe
from majicflux_desktop.ui.common import theme
from majicflux_desktop.ui.common.collector import collect_on_the_ui_thread
from majicflux_desktop.ui.common.lora_catalog import LoraCatalog
from majicflux_desktop.ui.common.resources import app_icon
from majicflux_desktop.ui.common.translations import Translations, resolve_language
from majicflux_desktop.ui.setup.downloads import DownloadService
from majicflux_desktop.ui.window.main_window import MainWindow
from majicflux_desktop.ui.window.startup_notices import StartupNews, announce_start
from majicflux_desktop.ui.worker import EngineHost, EngineState, ModelSource

log = logging.getLogger("majicflux.app")

DEMO_MODELS = "demo-models"
NO_DIALOG_ENV = "MAJICFLUX_NO_DIALOG"


@dataclasses.dataclass(frozen=True)
class Options:
    demo: bool = False
    start_queue: bool = False  # run jobs left in the queue without asking
    device: str | None = None  # tests: "cpu"
    # the self-test: "on" compiles on the CPU too (None: as Settings say)
    compiled_maths: str | None = None


class DesktopApp(QObject):
    """One session of the app on one data folder."""

    def __init__(self, qapp: QApplication, paths: AppPaths, options: Options = Options()):
        super().__init__()
        self.qapp, self.paths, self.options = qapp, paths.ensure(), options
        collect_on_the_ui_thread()  # the worker and the readers must not delete Qt objects
        self.demo = options.demo
        self.settings, self.settings_notes = load_settings(paths.settings_file, paths)
        self.translations = Translations(paths.data_dir / "i18n")
        self.translations.install(resolve_language(self.settings.language))
        # after the translator, so that "already running" is said in the user's language
        self.instance = InstanceLock.acquire(paths.lock_file)  # InstanceLocked: one is running
        self._default_font = qapp.font()
        self._apply_look()
        qapp.setWindowIcon(app_icon())
        try:
            self.library, self.library_notes = Library.open(
                paths.library_file, self.settings.output_dir, paths.trash_dir
            )
            if self.instance.unclean_before:  # killed or crashed last time
                self.library_notes += self._recover()
            self.interrupted: list[Job] = self.library.jobs.reconcile_after_crash()
            self.left_in_queue: list[Job] = self.library.jobs.queued()
        except BaseException:
            self.instance.release(clean=not self.instance.unclean_before)
            raise
        self.probe = VramProbe()
        # One LoRA index for the session: the window lists it, the engine resolves requests in
        # it, and a hash one of them computed is known to the other (and to the next start).
        self.lora_index = LoraIndex(
            lora_folders(self._lora_models_dir(), self.settings.lora_folders),  # a few stats
            tiny=self.demo,
            hash_cache=HashCache(paths.data_dir),
        )
        self.loras = LoraCatalog(
            self.lora_index, self._lora_models_dir(), self.settings.lora_folders, self
        )
        self.host = EngineHost(
            self.library.jobs, self.library, self.library.sources, self.probe, self.lora_index
        )
        self.worker = self.host.worker
        self.worker.image_saved.connect(self._remember_loras)
        self.downloads = DownloadService()  # outlives a window rebuilt in another language
        self.window: MainWindow | None = None
        self._last_news: dict[str, tuple[object, ...]] = {}
        self._remember_news()
        self._stopped = False

    def _recover(self) -> list[Message]:
        """Tidy up after an unclean end; a failure here must not stop every later start."""
        try:
            return recover(self.library, self.paths.data_dir).notes()
        except Exception as exc:
            log.exception("start-up recovery failed")
            return [
                Message(
                    "recovery",
                    QT_TRANSLATE_NOOP(
                        "recovery",
                        "MajicFlux could not finish tidying up after the last session ({error}). "
                        "Your images are safe; it tries again at the next start. Details are in "
                        "the log (Help ▸ Open log folder).",
                    ),
                    {"error": exc},
                )
            ]

    # -- life cycle ------------------------------------------------------------------------------
    def start(self) -> MainWindow:
        window = self._make_window()
        window.show()
        paused = bool(self.left_in_queue) and not self.options.start_queue
        self.worker.set_paused(paused)
        window.queue.set_paused(paused)
        announce_start(
            StartupNews(
                self.settings_notes,
                self.library_notes,
                self.demo,
                self.probe.has_gpu,
                self.interrupted,
                len(self.left_in_queue) if paused else 0,
                resume=self.resume_interrupted,
                start_queue=lambda: self.window.queue.set_paused(False) if self.window else None,
            ),
            window.notices,
        )
        # after the first paint: importing torch in the worker holds the GIL for a while
        QTimer.singleShot(100, self.load_models)
        self.loras.rescan()
        return window

    def resume_interrupted(self) -> None:
        """Put the jobs a crash or a close cut short back in the queue, and start it."""
        resumed = [self.library.jobs.resume(job.id) for job in self.interrupted]
        if self.window is not None:
            for job in resumed:
                if job is not None:
                    self.window.queue.enqueued(job)
            self.window.queue.set_paused(False)
        self.worker.wake()

    def shutdown(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.window is not None:
            self.window.hide()  # called from closeEvent: the window goes now, the rest follows
            self.window.detach()
        downloads_stopped = self.downloads.shutdown()
        self.loras.stop()
        self.host.shutdown()
        self.library.close()
        if not downloads_stopped:  # a thread still writing a .part: never hand the folder over
            self.downloads.shutdown(-1)
        self.instance.release()
        self.translations.uninstall()

    def load_models(self) -> None:
        if not self._stopped:
            self.worker.load(self.model_source())

    def model_source(self) -> ModelSource:
        s = self.settings
        compiled_maths = self.options.compiled_maths or s.compiled_maths
        if self.demo:
            return ModelSource(
                self.paths.data_dir / DEMO_MODELS,
                compiled_maths=compiled_maths,
                compiled_sizes=self.paths.compiled_sizes_file,
                demo=True,
                device=self.options.device,
            )
        budget = None if s.vram_budget_gb is None else int(s.vram_budget_gb * GIB)
        return ModelSource(
            s.models_dir,
            s.model_files,
            s.memory_plan,
            budget,
            s.fp8_matmul,
            compiled_maths,
            self.paths.compiled_sizes_file,
            device=self.options.device,
            cache_dir=self.paths.weight_cache_dir,
        )

    # -- the window --------------------------------------------------------------------------------
    def _make_window(self) -> MainWindow:
        window = MainWindow(
            self.paths,
            self.settings,
            self.library,
            self.worker,
            self.probe,
            self.demo,
            self.downloads,
            self.loras,
        )
        window.settings_edited.connect(self.change_settings)
        window.theme_chosen.connect(
            lambda name: self.change_settings(dataclasses.replace(self.settings, theme=name))
        )
        window.language_chosen.connect(
            lambda code: self.change_settings(dataclasses.replace(self.settings, language=code))
        )
        window.seed_lock_changed.connect(
            lambda locked: self._save(dataclasses.replace(self.settings, seed_locked=locked))
        )
        window.lora_favourite_toggled.connect(self.set_favourite_lora)
        window.demo_requested.connect(self.start_demo)
        window.setup_finished.connect(self.finish_setup)
        window.check_models_requested.connect(self.load_models)
        window.closing.connect(self.shutdown)
        self.window = window
        self._replay_news(window)
        return window

    def _rebuild_window(self) -> None:
        """Build the window again in the new language, keeping what the user had on screen.

        The one place a language switch happens: typed text and sizes, the selection, the
        queue as shown, the open notices (worded again), the status bar and the engine's state.
        """
        old = self.window
        assert old is not None
        state = old.capture_state()
        old.rebuilding = True
        old.detach()
        geometry = old.geometry()
        maximized = old.isMaximized()
        old.save_geometry()
        window = self._make_window()
        window.restore_state(state, old.notices)
        window.setGeometry(geometry)
        window.showMaximized() if maximized else window.show()
        old.close()
        old.deleteLater()

    # -- what the worker said last, for a rebuilt window -------------------------------------------
    def _remember_news(self) -> None:
        w = self.worker
        for name, signal in (
            ("state", w.engine_state_changed),
            ("checked", w.models_checked),
            ("loaded", w.models_loaded),
        ):
            signal.connect(lambda *args, n=name: self._last_news.__setitem__(n, args))

    def _replay_news(self, window: MainWindow) -> None:
        presenter = window.presenter
        if "checked" in self._last_news:
            presenter.on_models_checked(*self._last_news["checked"])  # type: ignore[arg-type]
        if "loaded" in self._last_news:
            presenter.on_models_loaded(*self._last_news["loaded"])  # type: ignore[arg-type]
        state, message = self._last_news.get("state", (EngineState.STARTING, ""))
        presenter.on_engine_state(state, str(message))  # type: ignore[arg-type]

    # -- settings ----------------------------------------------------------------------------------
    def _save(self, settings: Settings) -> None:
        self.settings = settings
        try:
            save_settings(self.paths.settings_file, settings)
        except OSError as exc:
            log.exception("could not save the settings")
            if self.window is not None:
                self.window.notices.add(
                    self.tr("The settings could not be saved ({error}).").format(error=exc),
                    "error",
                )
        if self.window is not None:
            self.window.apply_settings(settings)

    def change_settings(self, new: Settings) -> None:
        old = self.settings
        self._save(new)
        if new.theme != old.theme:
            self._apply_look()
        if resolve_language(new.language) != self.translations.language:
            self.translations.install(resolve_language(new.language))
            self._apply_look()
            self._rebuild_window()
        engine_fields = (
            "models_dir",
            "model_files",
            "memory_plan",
            "vram_budget_gb",
            "fp8_matmul",
            "compiled_maths",
        )
        if not self.demo and any(getattr(new, f) != getattr(old, f) for f in engine_fields):
            self.load_models()
        if (new.models_dir, new.lora_folders) != (old.models_dir, old.lora_folders):
            self._update_lora_folders()
        if new.output_dir != old.output_dir and self.window is not None:
            self.window.notices.add(
                self.tr("The new output folder is used after a restart of MajicFlux."), "info"
            )

    # -- LoRAs -------------------------------------------------------------------------------------
    def _lora_models_dir(self) -> Path:
        return self.paths.data_dir / DEMO_MODELS if self.demo else self.settings.models_dir

    def _update_lora_folders(self) -> None:
        self.loras.set_folders(self._lora_models_dir(), self.settings.lora_folders, self.demo)

    def set_favourite_lora(self, sha256: str, favourite: bool) -> None:
        others = tuple(h for h in self.settings.favourite_loras if h != sha256)
        favourites = (sha256, *others) if favourite else others
        if favourites != self.settings.favourite_loras:
            self._save(dataclasses.replace(self.settings, favourite_loras=favourites))

    def _remember_loras(self, record: ImageRecord) -> None:
        """The LoRAs of each saved image become the picker's "recently used" (by hash)."""
        used = [lora.sha256 for lora in record.loras if lora.sha256]
        if not used:
            return
        recent = tuple(dict.fromkeys([*used, *self.settings.recent_loras]))[:MAX_RECENT_LORAS]
        if recent != self.settings.recent_loras:
            self._save(dataclasses.replace(self.settings, recent_loras=recent))

    def _apply_look(self) -> None:
        theme.apply_theme(self.qapp, self.settings.theme)
        theme.apply_font(self.qapp, self.translations.language, self._default_font)

    def finish_setup(self, settings: Settings) -> None:
        """Model setup chose files (found or downloaded): keep them, leave the demo, load."""
        self.demo = False
        if self.window is not None:
            self.window.set_demo(False)
        self._save(settings)
        self._update_lora_folders()
        self.load_models()

    def start_demo(self) -> None:
        self.demo = True
        if self.window is not None:
            self.window.set_demo(True)
        self._update_lora_folders()
        self.load_models()


def time_since_process_start() -> float:
    try:  # Linux: both counted from boot in clock ticks, so exact to 10 ms
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
        return float(Path("/proc/uptime").read_text().split()[0]) - started
    except (OSError, ValueError, IndexError, AttributeError):
        import psutil  # elsewhere psutil's creation time (boot time rounded to a second)

        return time.time() - psutil.Process().create_time()


def run(args: argparse.Namespace, argv: list[str]) -> int:
    make_stdio_safe()
    paths = AppPaths.portable(args.data_dir) if args.data_dir else AppPaths.for_user()
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(APP_NAME)
    qapp = QApplication(argv)
    try:
        prepare_data_dir(paths)  # a file where the folder should be, a read-only drive: said now
    except UserError as exc:
        # No settings can be read yet: the system's language, translations compiled elsewhere.
        words = Translations(Path(tempfile.gettempdir()) / "majicflux-i18n")
        words.install(resolve_language("auto"))
        return _cannot_start(exc.text())
    paths.keep_tool_caches_here()
    setup_logging(paths.log_file)
    log.info("MajicFlux %s starting on %s", __version__, paths.data_dir)
    try:
        desktop = DesktopApp(qapp, paths, Options(args.demo, args.start_queue, args.device))
    except UserError as exc:  # another instance runs, or the library is locked by a program
        return _cannot_start(exc.text())
    except Exception as exc:  # never a traceback dialog: what failed, and where the details are
        log.exception("cannot start")
        return _cannot_start(
            QCoreApplication.translate(
                "app",
                "MajicFlux could not start ({error}). The details are in the log: {log}",
            ).format(error=exc, log=paths.log_file)
        )
    window = desktop.start()
    QTimer.singleShot(0, lambda: _log_shown(window))
    code = qapp.exec()
    desktop.shutdown()
    return code


def _cannot_start(text: str) -> int:
    log.error("cannot start: %s", text)
    print(f"MajicFlux: {text}", file=sys.stderr)  # for terminals and scripts
    if os.environ.get(NO_DIALOG_ENV) != "1":  # tests read stderr instead of a modal box
        QMessageBox.critical(None, APP_NAME, text)
    return 1


def _log_shown(window: MainWindow) -> None:
    log.info(
        "window shown %.2f s after the process started (exposed: %s)",
        time_since_process_start(),
        window.windowHandle() is not None and window.windowHandle().isExposed(),
    )
