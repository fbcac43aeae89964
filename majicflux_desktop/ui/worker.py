"""The engine's thread: one EngineWorker, moved to one QThread for the app's lifetime.

The worker is the only code that imports torch or touches the pipeline. The UI asks it to do things
through thread-safe methods that store a request and poke it with a queued signal; results leave
as signals carrying plain values and frozen dataclasses. Cancel is a threading.Event the UI sets
directly: the worker's thread is busy inside the pipeline, so a queued signal would come too late.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QThread, Signal, SignalInstance, Slot
from PySide6.QtGui import QImage

from majicflux_desktop import __version__
from majicflux_desktop.core import metadata
from majicflux_desktop.core.jobs import Job
from majicflux_desktop.core.library import ImageRecord, Library
from majicflux_desktop.engine import memory, selection
from majicflux_desktop.ui.failures import failure_message, load_failure_message

if TYPE_CHECKING:
    from PIL import Image

    from majicflux_desktop.engine.pipeline import Engine, GenerationResult

log = logging.getLogger("majicflux.ui.worker")

PREVIEW_INTERVAL_S = 0.25


class EngineState(str, Enum):
    STARTING = "starting"
    CHECKING = "checking"  # looking at the model files
    MISSING = "missing"  # model files incomplete: the setup page
    LOADING = "loading"  # importing torch, writing demo models, loading the pipeline
    READY = "ready"
    BUSY = "busy"  # generating
    FAILED = "failed"  # loading failed; the message says why and what to do


@dataclass(frozen=True)
class ModelSource:
    """What to load: the files chosen in Model setup, the models folder for the rest, the plan."""

    models_dir: Path
    model_files: Mapping[str, tuple[Path, ...]] = field(default_factory=dict)  # by role
    plan: str = "auto"
    budget_bytes: int | None = None
    fp8_matmul: str = "auto"
    demo: bool = False  # first write the tiny random-weight models into models_dir
    device: str | None = None  # None: CUDA when there is one


@dataclass(frozen=True)
class StepTiming:
    """How long one image took, for the queue's ETA."""

    width: int
    height: int
    cfg: bool
    seconds_per_step: float
    overhead_s: float  # text encoding and decoding


class EngineWorker(QObject):
    engine_state_changed = Signal(str, str)  # EngineState value, message in the UI language
    models_checked = Signal(object)  # scan.CheckReport
    models_loaded = Signal(object)  # pipeline.LoadReport
    job_started = Signal(int)
    step_progressed = Signal(int, int, int, float)  # job id, step (1-based), total, ETA s or -1
    preview_ready = Signal(int, QImage)
    image_saved = Signal(object)  # ImageRecord: each image of a job as soon as it is saved
    job_finished = Signal(int, object)  # job id, the last ImageRecord (None if nothing was left)
    job_failed = Signal(int, str)  # job id, message in the UI language naming the fix
    job_cancelled = Signal(int)
    timing_measured = Signal(object)  # StepTiming
    notice = Signal(str)  # e.g. the memory plan was lowered after running out of memory
    _poke = Signal()

    def __init__(self, library: Library, probe: memory.VramProbe):
        super().__init__()
        self._library = library
        self._probe = probe
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._pending_load: ModelSource | None = None
        self._current_job: int | None = None
        self._cancel = threading.Event()
        self._stopping = threading.Event()
        self._paused = threading.Event()
        self._last_preview = 0.0
        self._poke.connect(self._work, Qt.ConnectionType.QueuedConnection)

    # -- called from the UI thread -------------------------------------------------------------
    def load(self, source: ModelSource) -> None:
        with self._lock:
            self._pending_load = source
        self._poke.emit()

    def wake(self) -> None:
        """New jobs were queued: run them when free."""
        self._poke.emit()

    def set_paused(self, paused: bool) -> None:
        """Paused: the running job finishes, the next one waits."""
        if paused:
            self._paused.set()
        else:
            self._paused.clear()
            self._poke.emit()

    @property
    def paused(self) -> bool:
        return self._paused.is_set()

    @property
    def current_job(self) -> int | None:
        with self._lock:
            return self._current_job

    def cancel_current(self) -> int | None:
        """Cancel the running job (before its next step); returns its id, None if idle."""
        with self._lock:
            if self._current_job is not None:
                self._cancel.set()
            return self._current_job

    def stop(self) -> None:
        """The app is closing: cancel what runs and take nothing new."""
        self._stopping.set()
        self._cancel.set()

    # -- the worker's thread -------------------------------------------------------------------
    @Slot()
    def _work(self) -> None:
        while not self._stopping.is_set():
            source = self._take_pending_load()
            if source is not None:
                self._load(source)
                continue
            if self._paused.is_set() or self._engine is None or not self._engine.loaded:
                return
            job = self._claim()
            if job is None:
                return
            self._run(job)
            if not self._stopping.is_set():
                self._set_state(EngineState.READY)

    def _take_pending_load(self) -> ModelSource | None:
        with self._lock:
            source, self._pending_load = self._pending_load, None
            return source

    def _claim(self) -> Job | None:
        with self._lock:
            job = self._library.claim_next()
            if job is not None:
                self._current_job = job.id
                self._cancel.clear()
            return job

    def _set_state(self, state: EngineState, message: str = "") -> None:
        self.engine_state_changed.emit(state.value, message)

    def _load(self, source: ModelSource) -> None:
        try:
            if source.demo:
                self._set_state(
                    EngineState.LOADING, self.tr("Writing the demo models (random weights)…")
                )
                from majicflux_desktop.engine import tiny  # imports torch: seconds

                tiny.write_models(source.models_dir)
            self._set_state(EngineState.CHECKING, self.tr("Checking the model files…"))
            chosen = {} if source.demo else source.model_files
            report = selection.check(source.models_dir, chosen)
            self.models_checked.emit(report)
            if not report.complete:
                if self._engine is not None:
                    self._engine.unload()
                self._set_state(EngineState.MISSING)
                return
            if self._engine is None:
                self._set_state(EngineState.LOADING, self.tr("Starting the engine (PyTorch)…"))
                from majicflux_desktop.engine.pipeline import Engine  # imports torch: seconds

                self._engine = Engine(source.device, self._probe, source.fp8_matmul)
            self._engine.fp8_matmul = source.fp8_matmul
            self._set_state(
                EngineState.LOADING,
                self.tr("Loading the models (memory plan: {plan})…").format(plan=source.plan),
            )
            loaded = self._engine.load(report.paths(), source.plan, source.budget_bytes)
        except Exception as exc:
            log.exception("loading the models from %s failed", source.models_dir)
            self._set_state(EngineState.FAILED, load_failure_message(exc))
            return
        self.models_loaded.emit(loaded)
        for note in loaded.notes:  # the plan was lowered because it did not fit
            self.notice.emit(note.text())
        self._set_state(EngineState.READY)

    def _run(self, job: Job) -> None:
        """Make the job's missing images. Nothing raised here leaves the worker: a failure becomes
        job_failed with a message naming the fix, and the details go to the log."""
        self.job_started.emit(job.id)
        self._set_state(EngineState.BUSY)
        try:
            news = self._outcome(job)
        except Exception:  # even recording the outcome failed (the database went away)
            log.exception("job %d: could not record how it ended", job.id)
            news = (self.job_failed, (job.id, failure_message(RuntimeError())))
        finally:
            with self._lock:
                self._current_job = None
        # after clearing current_job: whoever hears the news finds the worker free
        if news is not None:
            signal, args = news
            signal.emit(*args)

    def _outcome(self, job: Job) -> tuple[SignalInstance, tuple[object, ...]] | None:
        from majicflux_desktop.engine.pipeline import Cancelled

        try:
            last = self._make_images(job)
            self._library.mark_finished(job.id)
            return self.job_finished, (job.id, last)
        except Cancelled:
            if self._stopping.is_set():
                # left "running": the next start reports it as interrupted, with Resume
                log.info("job %d stopped by closing the app", job.id)
                return None
            self._library.mark_cancelled(job.id)
            return self.job_cancelled, (job.id,)
        except Exception as exc:
            log.exception("job %d failed", job.id)
            message = failure_message(exc)
            self._library.mark_failed(job.id, message)
            return self.job_failed, (job.id, message)

    def _make_images(self, job: Job) -> ImageRecord | None:
        from majicflux_desktop.engine.pipeline import Cancelled

        assert self._engine is not None
        last: ImageRecord | None = None
        for request in job.pending_requests():
            if self._cancel.is_set():
                raise Cancelled()
            result = self._engine.generate(
                request,
                on_step=lambda step, total, eta: self.step_progressed.emit(
                    job.id, step + 1, total, -1.0 if eta is None else float(eta)
                ),
                cancel=self._cancel,
                on_preview=lambda step, image: self._preview(job.id, image),
            )
            last = self._save(job.id, result)
            self.image_saved.emit(last)
            self.timing_measured.emit(_timing(result))
            for note in result.notes:
                self.notice.emit(note.text())
        return last

    def _save(self, job_id: int, result: GenerationResult) -> ImageRecord:
        assert self._engine is not None
        peak = result.peak_vram_bytes
        meta = metadata.ImageMetadata(
            request=result.request,
            model=self._engine.model_name,
            model_hash=self._engine.model_hash,
            plan=result.plan,
            app_version=__version__,
            created=datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            duration_s=round(result.timings["total"], 3),
            peak_vram_gb=None if peak is None else round(peak / memory.GIB, 2),
        )
        png = metadata.encode_png(result.image, meta)
        return self._library.save_image(job_id, png, meta, peak_vram_bytes=peak)

    def _preview(self, job_id: int, image: Image.Image) -> None:
        now = time.monotonic()
        if now - self._last_preview < PREVIEW_INTERVAL_S:
            return
        self._last_preview = now
        self.preview_ready.emit(job_id, to_qimage(image))


def to_qimage(image: Image.Image) -> QImage:
    rgb = image.convert("RGB")
    data = rgb.tobytes()
    width, height = rgb.size
    return QImage(data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


def _timing(result: GenerationResult) -> StepTiming:
    r, t = result.request, result.timings
    return StepTiming(
        r.width, r.height, r.cfg_scale != 1.0, t["s_per_step"], t["total"] - t["denoise"]
    )


class EngineHost:
    """The worker and its thread, started once and stopped once."""

    def __init__(self, library: Library, probe: memory.VramProbe):
        self.thread = QThread()
        self.thread.setObjectName("engine")
        self.worker = EngineWorker(library, probe)
        self.worker.moveToThread(self.thread)
        self.thread.finished.connect(self.worker.deleteLater)
        self.thread.start()

    def shutdown(self) -> None:
        """Cancel, let the running step end, and join the thread (never terminate: it may hold
        CUDA). Text encoding, VAE decoding and importing torch cannot be interrupted, so this
        may take as long as one of those."""
        if not self.thread.isRunning():
            return
        started = time.perf_counter()
        self.worker.stop()
        self.thread.quit()
        self.thread.wait()
        log.info("engine thread stopped in %.2f s", time.perf_counter() - started)
