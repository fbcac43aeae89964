"""The engine's thread: one EngineWorker, moved to one QThread for the app's lifetime.

The worker is the only code that imports torch or touches the pipeline. The UI asks it to do things
through thread-safe methods that store a request and poke it with a queued signal; results leave
as signals carrying plain values and frozen dataclasses. Cancel is a threading.Event the UI sets
directly: the worker's thread is busy inside the pipeline, so a queued signal would come too late.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt, QThread, Signal, SignalInstance, Slot
from PySide6.QtGui import QImage

from majicflux_desktop.core import metadata
from majicflux_desktop.core.library import ImageRecord, Job, JobStore
from majicflux_desktop.core.metadata import ImageMetadata
from majicflux_desktop.core.request import LoraUse
from majicflux_desktop.core.results import Cancelled, LoadReport, Progress, StepTiming
from majicflux_desktop.core.store.sources import SourceStore
from majicflux_desktop.engine import memory, selection
from majicflux_desktop.engine.loras import LoraIndex
from majicflux_desktop.engine.scan import CheckReport
from majicflux_desktop.ui.common.error_messages import failure_message, load_failure_message

if TYPE_CHECKING:
    from PIL import Image

    from majicflux_desktop.core.results import GenerationResult
    from majicflux_desktop.engine.pipeline import Engine

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
    compiled_maths: str = "auto"  # engine/compiled.py
    compiled_sizes: Path | None = None  # the record of sizes compiled on this machine
    demo: bool = False  # first write the tiny random-weight models into models_dir
    device: str | None = None  # None: CUDA when there is one
    cache_dir: Path | None = None  # where weights wait on disk between uses (None: in RAM)


class ImageSaver(Protocol):
    """What the worker needs of the library to keep an image: the file, then its row."""

    def save_image(
        self, job_id: int | None, png_bytes: bytes, meta: ImageMetadata
    ) -> ImageRecord: ...


class EngineWorker(QObject):
    """Runs the queue. Every change of a job leaves as `job_changed` with the job as it now is, so
    the window never has to read the database to stay current."""

    engine_state_changed = Signal(EngineState, str)  # the state, a message in the UI language
    models_checked = Signal(CheckReport)
    models_loaded = Signal(LoadReport)
    job_changed = Signal(Job)  # any change of state or of images done
    job_started = Signal(Job)
    progressed = Signal(int, Progress)  # job id, where its current image stands
    preview_ready = Signal(int, QImage)
    image_saved = Signal(ImageRecord)  # each image of a job as soon as it is saved
    job_finished = Signal(Job, ImageRecord)  # the last image (None if nothing was left to make)
    job_failed = Signal(Job, str)  # message in the UI language naming the fix
    job_cancelled = Signal(Job)
    timing_measured = Signal(StepTiming)
    notice = Signal(str)  # e.g. the memory plan was lowered after running out of memory
    caught_up = Signal()  # everything asked of the worker before `catch_up()` has been handled
    _poke = Signal()
    _ping = Signal()
    _prefetch = Signal()

    def __init__(
        self,
        jobs: JobStore,
        images: ImageSaver,
        sources: SourceStore,
        probe: memory.VramProbe,
        loras: LoraIndex | None = None,
    ):
        """`loras`: the app's LoRA index, the one the window lists (thread-safe)."""
        super().__init__()
        self._jobs = jobs
        self._loras = loras
        self._images = images
        self._sources = sources
        self._probe = probe
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._pending_load: ModelSource | None = None
        self._current_job: int | None = None
        self._cancel = threading.Event()
        self._stopping = threading.Event()
        self._paused = threading.Event()
        self._last_preview = 0.0
        self._pending_loras: tuple[LoraUse, ...] | None = None
        self._poke.connect(self._work, Qt.ConnectionType.QueuedConnection)
        self._prefetch.connect(self._prefetch_loras, Qt.ConnectionType.QueuedConnection)
        self._ping.connect(self.caught_up, Qt.ConnectionType.QueuedConnection)

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

    def prefetch_loras(self, uses: tuple[LoraUse, ...]) -> None:
        """The LoRAs the prompt panel holds now: read and converted while the engine is idle
        (after any running job), so the next image's first step does not wait for the files."""
        with self._lock:
            self._pending_loras = uses
        self._prefetch.emit()

    def catch_up(self) -> None:
        """Emit `caught_up` once the worker's thread has handled every earlier request (their
        events run in order): how a caller knows a wake-up found the queue paused, say."""
        self._ping.emit()

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

    @Slot()
    def _prefetch_loras(self) -> None:
        with self._lock:
            uses, self._pending_loras = self._pending_loras, None
        engine = self._engine
        if uses is None or engine is None or not engine.loaded or self._stopping.is_set():
            return
        try:
            converted = engine.loras.prefetch(uses)
        except Exception:  # the job that uses them says what is wrong, in words
            log.warning("LoRA prefetch failed", exc_info=True)
            return
        if converted:
            log.info("LoRAs prefetched: %d converted", converted)

    def _take_pending_load(self) -> ModelSource | None:
        with self._lock:
            source, self._pending_load = self._pending_load, None
            return source

    def _claim(self) -> Job | None:
        with self._lock:
            job = self._jobs.claim_next()
            if job is not None:
                self._current_job = job.id
                self._cancel.clear()
            return job

    def _set_state(self, state: EngineState, message: str = "") -> None:
        self.engine_state_changed.emit(state, message)

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
                if self._loras is not None:
                    self._engine.use_lora_index(self._loras)
            self._engine.fp8_matmul = source.fp8_matmul
            self._engine.compile_maths = source.compiled_maths
            self._engine.compile_after_first_image = True  # double-click to first image is shorter
            self._engine.compile_record = source.compiled_sizes
            self._engine.weight_cache_dir = source.cache_dir
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
        self.job_started.emit(job)
        self.job_changed.emit(job)
        self._set_state(EngineState.BUSY)
        try:
            news = self._outcome(job)
        except Exception:  # even recording the outcome failed (the database went away)
            log.exception("job %d: could not record how it ended", job.id)
            news = (self.job_failed, (job, failure_message(RuntimeError())))
        finally:
            with self._lock:
                self._current_job = None
        # after clearing current_job: whoever hears the news finds the worker free
        if news is not None:
            signal, args = news
            ended = args[0]
            assert isinstance(ended, Job)
            self.job_changed.emit(ended)
            signal.emit(*args)

    def _outcome(self, job: Job) -> tuple[SignalInstance, tuple[object, ...]] | None:
        try:
            last = self._make_images(job)
            ended = self._jobs.mark_finished(job.id) or self._jobs.job(job.id) or job
            return self.job_finished, (ended, last)
        except Cancelled:
            if self._stopping.is_set():
                # left "running": the next start reports it as interrupted, with Resume
                log.info("job %d stopped by closing the app", job.id)
                return None
            ended = self._jobs.mark_cancelled(job.id) or job
            return self.job_cancelled, (ended,)
        except Exception as exc:
            log.exception("job %d failed", job.id)
            message = failure_message(exc)
            ended = self._jobs.mark_failed(job.id, message) or job
            return self.job_failed, (ended, message)

    def _make_images(self, job: Job) -> ImageRecord | None:
        assert self._engine is not None
        last: ImageRecord | None = None
        for request in job.pending_requests():
            if self._cancel.is_set():
                raise Cancelled()
            result = self._engine.generate(
                request,
                on_progress=lambda progress: self.progressed.emit(job.id, progress),
                cancel=self._cancel,
                on_preview=lambda step, image: self._preview(job.id, image),
                pictures=self._sources.open,
            )
            last = self._save(job.id, result)
            self.image_saved.emit(last)
            now = self._jobs.job(job.id)
            if now is not None:
                self.job_changed.emit(now)
            self.timing_measured.emit(StepTiming.of(result.request, result.timings))
            for note in result.notes:
                self.notice.emit(note.text())
        return last

    def _save(self, job_id: int, result: GenerationResult) -> ImageRecord:
        meta = ImageMetadata.from_result(result)
        png = metadata.encode_png(result.image, meta)
        return self._images.save_image(job_id, png, meta)

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


class EngineThread(QThread):
    """The engine's thread, whose event loop runs inside one Python call, so that the thread keeps
    one Python thread state for its life.

    Under QThread's own run(), PySide gives each slot call a new thread state and deletes it after
    (and with it every `threading.local` value). torch's bindings may keep the thread state that
    imported torch (pybind11 without its fix of October 2025, pybind11#5870), and then the next
    job's first CUDA call waits forever for a GIL its own thread holds: with torch 2.11 on the
    H200 the app's first image never started (2026-12-04, `bench.app_gpu`: the worker stuck in
    `torch.cuda.current_device`, the window waiting for the GIL).
    """

    def run(self) -> None:
        threading.current_thread().name = self.objectName()  # the log's name (was "Dummy-1")
        self.exec()


class EngineHost:
    """The worker and its thread, started once and stopped once."""

    def __init__(
        self,
        jobs: JobStore,
        images: ImageSaver,
        sources: SourceStore,
        probe: memory.VramProbe,
        loras: LoraIndex | None = None,
    ):
        self.thread = EngineThread()
        self.thread.setObjectName("engine")
        self.worker = EngineWorker(jobs, images, sources, probe, loras)
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
