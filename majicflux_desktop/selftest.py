"""`majicflux-desktop --self-test`: the smoke test of every build, frozen or run from source.

It starts the real window (offscreen) on the demo model (tiny random weights) in a fresh temporary
data folder, has the engine worker make one image, and checks that the image was saved to the
library with its parameters readable from the PNG. Exit 0 when all is well; otherwise 1, with the
reason on stderr and in the log (the folder is then kept). The network is closed for the whole
run: a build that tries to download anything fails here, not on a user's offline machine.

It must work where a windowed, frozen app runs: no stdout/stderr, a console that is not UTF-8,
any working directory, a data or install path with spaces and Chinese characters.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from majicflux_desktop import __version__
from majicflux_desktop.core.paths import is_frozen

log = logging.getLogger("majicflux.selftest")

TIMEOUT_S = 900.0  # a cold start of a frozen build on a slow CI disk imports torch for minutes
PROMPT = "self-test 自检: a lighthouse at dusk ┌│√"
SEED = 20241124
LANGUAGE = "zh_CN"  # the language that needs the bundled .qm files and CJK text everywhere
EXIT_WATCHDOG = 3

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class SelfTestFailed(Exception):
    pass


class Report:
    """Progress lines on stdout (when there is one) and in the log."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def ok(self, text: str) -> None:
        line = f"self-test [{time.monotonic() - self.started:6.1f} s] ok  {text}"
        log.info(line)
        _write(sys.stdout, line)

    def failed(self, reason: str) -> None:
        line = f"self-test FAILED: {reason}"
        log.error(line)
        _write(sys.stderr, line)


def _write(stream: Any, line: str) -> None:
    if stream is None:
        return
    try:
        stream.write(line + "\n")
        stream.flush()
    except (OSError, ValueError, UnicodeError):
        pass  # the console went away or cannot show the text: the log has it


# -- the network stays closed --------------------------------------------------------------------
@contextmanager
def network_closed(attempts: list[str]) -> Iterator[None]:
    """Refuse and record every connection that is not to this machine."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(address: object) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, bytes):
            host = host.decode(errors="replace")
        if isinstance(host, str) and host not in _LOOPBACK and not host.startswith("/"):
            attempts.append(host)
            raise OSError(f"the self-test runs offline: refused a connection to {host}")

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            check(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            check(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None:
            check((host, 0))
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = real_getaddrinfo


# -- entry ---------------------------------------------------------------------------------------
def run_self_test(args: argparse.Namespace, argv: list[str]) -> int:
    from majicflux_desktop.core.logs import make_stdio_safe, setup_logging

    console = getattr(sys.stdout, "encoding", None) or "none"  # before it is made UTF-8
    make_stdio_safe()
    # before Qt and the hub libraries read them: no screen needed, nothing downloaded
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY"):
        os.environ[name] = "1"
    report = Report()
    try:
        folder = make_folder(args.data_dir)
    except OSError as exc:
        report.failed(f"cannot make a temporary data folder ({exc})")
        return 1
    setup_logging(folder / "logs" / "majicflux.log")
    report.ok(
        f"MajicFlux {__version__} {'frozen' if is_frozen() else 'from source'} in {folder}; "
        f"console {console}, UTF-8 mode {sys.flags.utf8_mode}"
    )
    timeout = float(os.environ.get("MAJICFLUX_SELFTEST_TIMEOUT", TIMEOUT_S))
    watchdog = start_watchdog(timeout + 120, report, folder)
    attempts: list[str] = []
    reason = ""
    try:
        with network_closed(attempts):
            SelfTest(folder, report, timeout, args.device, argv, args.compiled_maths).run()
    except SelfTestFailed as exc:
        reason = str(exc)
    except Exception as exc:
        log.exception("the self-test raised")
        reason = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
    finally:
        watchdog.cancel()
    if attempts:  # often the cause of the failure above: a download that the offline app refused
        reason = f"tried to reach the network: {', '.join(sorted(set(attempts)))}. {reason}"
    if reason:
        return fail(report, reason.strip(), folder)
    report.ok(f"PASSED in {time.monotonic() - report.started:.1f} s (MajicFlux {__version__})")
    remove_folder(folder)
    return 0


def make_folder(parent: str | None) -> Path:
    base = Path(parent).expanduser().absolute() if parent else None
    if base is not None:
        base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="majicflux-selftest-", dir=base))


def fail(report: Report, reason: str, folder: Path) -> int:
    report.failed(reason)
    _write(sys.stderr, f"self-test: the log and files are kept in {folder}")
    return 1


def remove_folder(folder: Path) -> None:
    # Windows cannot delete a file that is still open: close the log first
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename).is_relative_to(
            folder
        ):
            root.removeHandler(handler)
            handler.close()
    shutil.rmtree(folder, ignore_errors=True)


def start_watchdog(seconds: float, report: Report, folder: Path) -> threading.Timer:
    """Ends the process if the test hangs where no timeout of ours can reach (inside Qt or torch,
    or joining the engine's thread)."""

    def expire() -> None:
        fail(report, f"hung: no result after {seconds:.0f} s", folder)
        logging.shutdown()
        os._exit(EXIT_WATCHDOG)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    return timer


# -- the test itself -----------------------------------------------------------------------------
class SelfTest:
    def __init__(
        self,
        folder: Path,
        report: Report,
        timeout: float,
        device: str | None,
        argv: list[str],
        compiled_maths: str | None = None,
    ):
        self.folder, self.report, self.device, self.argv = folder, report, device, argv
        self.compiled_maths = compiled_maths
        self.notices: list[str] = []
        self.deadline = time.monotonic() + timeout
        self.state, self.state_message = "", ""
        self.finished: Any = None
        self.failure = ""
        self.loaded: Any = None  # the LoadReport

    def run(self) -> None:
        from PySide6.QtWidgets import QApplication

        from majicflux_desktop import APP_NAME
        from majicflux_desktop.app import DesktopApp, Options
        from majicflux_desktop.core.paths import AppPaths
        from majicflux_desktop.core.settings import load_settings, save_settings

        paths = AppPaths.portable(self.folder).ensure()
        paths.keep_tool_caches_here()  # as the app does: compiled kernels go to the test's folder
        settings, _ = load_settings(paths.settings_file, paths)
        save_settings(paths.settings_file, dataclasses.replace(settings, language=LANGUAGE))
        QApplication.setApplicationName(APP_NAME)
        QApplication.setOrganizationName(APP_NAME)
        qapp = QApplication.instance() or QApplication(self.argv)
        assert isinstance(qapp, QApplication)
        desktop = DesktopApp(
            qapp, paths, Options(demo=True, device=self.device, compiled_maths=self.compiled_maths)
        )
        worker = desktop.worker
        worker.engine_state_changed.connect(self._on_state)
        worker.models_loaded.connect(lambda report: setattr(self, "loaded", report))
        worker.job_finished.connect(lambda job_id, record: setattr(self, "finished", record))
        worker.job_failed.connect(lambda job_id, message: setattr(self, "failure", message))
        worker.notice.connect(self.notices.append)
        try:
            window = desktop.start()
            self.check_window(window)
            self.check_resources()
            self.wait(lambda: self.state in ("ready", "failed", "missing"), "the engine to load")
            if self.state != "ready":
                raise SelfTestFailed(
                    f"the engine did not load ({self.state}): {self.state_message}"
                )
            self.report.ok(f"engine loaded the demo model ({self._device_text()})")
            self.report.ok(f"compiled maths: {self._compiled_text()}")
            self.generate(desktop, window)
            if self.compiled_maths == "on":
                self.check_compiled(paths.compiled_sizes_file)
            self.check_gpu_compiler()
        finally:
            if desktop.window is not None:
                desktop.window.close()
            desktop.shutdown()
            qapp.processEvents()

    def _on_state(self, state: str, message: str) -> None:
        self.state, self.state_message = state, message
        log.info("engine state %s %s", state, message)

    def _compiled_text(self) -> str:
        """Whether the transformer's blocks are compiled, or why they run as before."""
        report = self.loaded
        if report is None:
            return "unknown (no load report)"
        if report.compiled:
            return "on"
        note = report.compile_note
        return "off, the blocks run uncompiled" + ("" if note is None else f": {note.english()}")

    def check_compiled(self, record: Path) -> None:
        """Compiled maths were asked for: both kinds of transformer block compiled for the image
        (the engine notes each graph it compiled; a compiler that fails leaves a notice)."""
        from majicflux_desktop.engine import compiled

        graphs = compiled.read_record(record)
        if len(graphs) < compiled.KINDS:
            said = " ".join(self.notices) or "no notice"
            raise SelfTestFailed(f"the blocks did not compile ({len(graphs)} graphs; {said})")
        self.report.ok(f"compiled maths: {len(graphs)} kinds of transformer block compiled")

    def check_gpu_compiler(self) -> None:
        """The GPU compiler that compiled maths use on NVIDIA cards, proven without a GPU.

        What a bundle carries must work (Triton, Python's headers, TinyCC on Windows); what a PC
        lacks (gcc on Linux, a folder name TinyCC cannot read) is said, and the test goes on.
        """
        import importlib.util

        from majicflux_desktop.engine import toolchain

        if importlib.util.find_spec("triton") is None:
            if is_frozen():
                raise SelfTestFailed("Triton, the GPU compiler, is missing from the bundle")
            self.report.ok("GPU compiler: Triton is not installed (compiled maths stay off)")
            return
        lacking = toolchain.missing_from_bundle() if is_frozen() else None
        if lacking is not None:
            raise SelfTestFailed(f"the bundle's GPU compiler lacks {lacking}")
        missing = toolchain.problem()
        if missing is not None:
            self.report.ok(f"GPU compiler: unusable here: {missing.english()}")
            return
        try:
            done = toolchain.probe()
        except toolchain.LauncherBuildFailed as exc:
            if toolchain.bundled_compiler():
                raise SelfTestFailed(f"the bundled C compiler failed: {exc}") from exc
            log.warning("this PC's C compiler failed the probe: %s", exc)
            self.report.ok(f"GPU compiler: unusable here, this PC's C compiler failed: {exc}")
            return
        except Exception as exc:
            log.exception("the GPU compiler's probe failed")
            raise SelfTestFailed(
                f"the GPU compiler does not work: {type(exc).__name__}: {exc}"
            ) from exc
        try:  # the app's own kernel, from its bundled source (engine/lora_fold.py)
            from majicflux_desktop.engine import lora_fold_triton

            fold_bytes = lora_fold_triton.compile_for(toolchain.PROBE_TARGET)
        except Exception as exc:
            log.exception("the LoRA fold kernel did not compile")
            raise SelfTestFailed(
                f"the LoRA fold kernel does not compile: {type(exc).__name__}: {exc}"
            ) from exc
        self.report.ok(
            f"GPU compiler: {done.text()}; the LoRA fold kernel too ({fold_bytes} bytes)"
        )

    def _device_text(self) -> str:
        import torch

        cuda = torch.cuda.is_available()
        name = torch.cuda.get_device_name(0) if cuda else "CPU"
        return f"torch {torch.__version__}, {name}"

    def wait(self, done: Callable[[], bool], what: str) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        while not done():
            if time.monotonic() > self.deadline:
                raise SelfTestFailed(
                    f"timed out waiting for {what} (engine: {self.state} {self.state_message})"
                )
            loop = QEventLoop()
            QTimer.singleShot(50, loop.quit)
            loop.exec()

    def check_window(self, window: Any) -> None:
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
        if not window.isVisible():
            raise SelfTestFailed("the main window is not visible")
        self.report.ok(f"main window shown ({window.windowTitle()})")

    def check_resources(self) -> None:
        from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

        from majicflux_desktop.ui.common import translations
        from majicflux_desktop.ui.common.resources import app_icon, resources_dir, translations_dir

        if app_icon().isNull():
            raise SelfTestFailed(f"the app icon was not found in {resources_dir()}")
        ts = translations_dir() / translations.TS_NAME.format(language=LANGUAGE)
        qm = ts.with_suffix(".qm")
        if is_frozen() and not qm.is_file():
            raise SelfTestFailed(f"the compiled translation {qm} is missing from the bundle")
        table = translations.read_ts(ts)
        # a message without plural forms: translate() without a count returns it as is
        (context, source), expected = next((k, v) for k, v in table.items() if "%n" not in k[1])
        shown = QCoreApplication.translate(context, source)
        if shown != expected:
            raise SelfTestFailed(
                f"the {LANGUAGE} translation is not in use: {source!r} → {shown!r}"
            )
        qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if not QTranslator().load(f"qtbase_{LANGUAGE}", qt_folder):
            raise SelfTestFailed(f"Qt's own {LANGUAGE} translation is missing from {qt_folder}")
        used = qm if qm.is_file() else "compiled from .ts"
        self.report.ok(f"resources in {resources_dir()} (icon, {LANGUAGE} translation: {used})")

    def generate(self, desktop: Any, window: Any) -> None:
        from majicflux_desktop.core.request import GenerationRequest

        request = GenerationRequest(prompt=PROMPT, seed=SEED, steps=2, width=256, height=256)
        record = self.make(window, request)
        self.report.ok(f"worker made an image in {record.duration_s} s: {record.path}")
        self.check_saved(desktop, record, request)
        if self.compiled_maths == "on":  # a load's first image runs eagerly; the next compiles
            record = self.make(window, request.with_seed(SEED + 1))
            self.report.ok(f"worker made the next image in {record.duration_s} s")

    def make(self, window: Any, request: Any) -> Any:
        """The record of `request`'s image, made by the worker."""
        self.finished = None
        if not window.enqueue(request):
            raise SelfTestFailed("the request was not queued (see the log)")
        self.wait(lambda: self.finished is not None or bool(self.failure), "the image")
        if self.failure:
            raise SelfTestFailed(f"the generation failed: {self.failure}")
        return self.finished

    def check_saved(self, desktop: Any, record: Any, request: Any) -> None:
        from PIL import Image

        from majicflux_desktop.core import metadata

        stored = desktop.library.records.image(record.id)
        if stored is None or stored.path != record.path:
            raise SelfTestFailed("the image is not in the library")
        if not record.path.is_file() or not record.path.resolve().is_relative_to(
            self.folder.resolve()
        ):
            raise SelfTestFailed(f"the image file {record.path} is missing or outside the data")
        with Image.open(record.path) as image:
            if image.size != (request.width, request.height):
                raise SelfTestFailed(f"the image is {image.size}, not 256×256")
        read = metadata.read(record.path)
        found = read.request
        if read.source != "MajicFlux" or found is None:
            notes = "; ".join(note.text() for note in read.notes)
            raise SelfTestFailed(f"the PNG carries no MajicFlux parameters ({notes})")
        expected = (PROMPT, SEED, request.steps, request.width, request.height)
        got = (found.prompt, found.seed, found.steps, found.width, found.height)
        if got != expected:
            raise SelfTestFailed(f"the PNG's parameters differ: {got} != {expected}")
        self.report.ok("the library has it and the PNG's metadata reads back (prompt, seed, size)")
