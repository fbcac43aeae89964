"""The real app, offscreen, on a GPU with full-size files: a job through the worker, the gauge's
NVML readings during it, and a cancel that must give the GPU memory back.

    python -m bench.app_gpu --plan fp8-stream --budget-gb 8           # one process
    python -m bench.app_gpu --plan bf16 --cap-gb 20                    # an out-of-memory fallback

Prints a JSON summary last; the gauge log goes to $OUT/gauge-<plan>.tsv when OUT is set. Times
`*_from_start_s` count from the process's start (interpreter and imports included, as a
double-click would): the window shown, the engine ready, the first image saved. With the fixtures
already written, nothing imports torch before the window (the app's own order).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixtures", type=Path, default=Path("/tmp/mf-fixtures"))
    parser.add_argument("--plan", default="auto")
    parser.add_argument("--budget-gb", type=float, default=None)
    parser.add_argument("--cap-gb", type=float, default=None, help="allocator cap: a smaller card")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument(
        "--models", type=Path, help="use these files instead (a dry run: tiny + cpu)"
    )
    parser.add_argument("--device", default=None)
    parser.add_argument(
        "--data",
        type=Path,
        help="the app's data folder (default: a new one; reuse it to start "
        "with the compiler's caches warm)",
    )
    parser.add_argument(
        "--stacks-after", type=float, help="print every thread's stack every this many seconds"
    )
    parser.add_argument(
        "--queue-first",
        action="store_true",
        help="queue the first job as soon as the window shows (a user who clicks Generate "
        "while the engine loads): the first image's time from start then waits for nothing else",
    )
    args = parser.parse_args()
    if args.stacks_after:
        import faulthandler

        faulthandler.dump_traceback_later(args.stacks_after, repeat=True)

    from majicflux_desktop.engine import scan
    from majicflux_desktop.engine.memory import use_cuda_allocator_settings

    use_cuda_allocator_settings()  # as the engine: before the cap below makes torch use CUDA
    models = args.models or args.fixtures
    if not scan.check(models).complete:  # writing them imports torch before the window
        from bench import fixtures

        fixtures.ensure(models)
    if args.cap_gb is not None:
        import torch

        total = torch.cuda.get_device_properties(0).total_memory
        torch.cuda.set_per_process_memory_fraction(args.cap_gb * 2**30 / total)
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from majicflux_desktop.app import DesktopApp, Options, time_since_process_start
    from majicflux_desktop.core.paths import AppPaths
    from majicflux_desktop.core.request import GenerationRequest
    from majicflux_desktop.core.results import Phase
    from majicflux_desktop.ui.worker import EngineState

    data = args.data or Path(tempfile.mkdtemp(prefix="mf-app-"))
    data.mkdir(parents=True, exist_ok=True)
    settings = {
        "schema_version": 1,
        "language": "en",
        "models_dir": str(models),
        "memory_plan": args.plan,
    }
    if args.budget_gb is not None:
        settings["vram_budget_gb"] = args.budget_gb
    (data / "settings.json").write_text(json.dumps(settings), "utf-8")
    started = time.perf_counter()
    qapp = QApplication([])
    desktop = DesktopApp(
        qapp, AppPaths.portable(data), Options(start_queue=True, device=args.device)
    )
    window = desktop.start()
    shown = time.perf_counter() - started
    worker = desktop.worker
    log: list[tuple[float, str, float, float | None, str]] = []
    events: dict[str, object] = {"notices": []}
    worker.notice.connect(lambda text: events["notices"].append(text))  # type: ignore[union-attr]
    worker.job_finished.connect(lambda job, record: events.__setitem__("finished", job))
    worker.job_cancelled.connect(lambda job: events.__setitem__("cancelled", job))
    worker.job_failed.connect(lambda job, message: events.__setitem__("failed", message))

    def sample(phase: str) -> None:
        reading = window.gauge.reading
        if reading is not None:
            log.append(
                (
                    round(time.perf_counter() - started, 2),
                    phase,
                    reading.used / 2**30,
                    None if reading.app is None else reading.app / 2**30,
                    window.gauge.label(),
                )
            )

    def pump(seconds: float, phase: str, until=None) -> bool:
        """Run Qt's event loop, as the app does, until `until()` or `seconds` have passed; a
        timer looks at the gauge every 0.5 s and at `until` every 20 ms."""
        deadline = time.perf_counter() + seconds
        loop = QEventLoop()
        met = [False]
        next_sample = [0.0]

        def check() -> None:
            now = time.perf_counter()
            if now >= next_sample[0]:
                sample(phase)
                next_sample[0] = now + 0.5
            if until is not None and until():
                met[0] = True
                loop.quit()
            elif now >= deadline:
                loop.quit()

        timer = QTimer()
        timer.setInterval(20)
        timer.timeout.connect(check)
        timer.start()
        loop.exec()
        timer.stop()
        return met[0]

    def from_start() -> float:
        return round(time_since_process_start(), 2)

    shown_from_start = from_start()
    request = GenerationRequest(
        "a ginger cat on a windowsill", seed=42, steps=args.steps, width=1024, height=1024
    )
    loaded: dict[str, float] = {}

    states: list[tuple[float, str]] = []  # (seconds from start, state) as the window hears them
    worker.engine_state_changed.connect(lambda state, _: states.append((from_start(), state.value)))
    load_phases: list[tuple[str, float]] = []

    def on_loaded(report) -> None:
        loaded.update(at=time.perf_counter() - started, from_start=from_start())
        load_phases.extend(report.phases)
        load_phases.append(("load in all", report.seconds))

    worker.models_loaded.connect(on_loaded)
    previews: list[int] = []  # job ids, one per preview the window got
    worker.preview_ready.connect(lambda job, image: previews.append(job))
    timings: list[tuple[float, float]] = []  # (s/step, text encoding and decoding s) per image
    worker.timing_measured.connect(
        lambda t: timings.append((round(t.seconds_per_step, 4), round(t.overhead_s, 2)))
    )
    if args.queue_first:
        window.enqueue(request)
    ready = pump(
        300,
        "loading",
        lambda: bool(loaded) or window.engine_state is EngineState.FAILED,
    )
    loaded_at = loaded.get("at", time.perf_counter() - started)
    ready_from_start = loaded.get("from_start", from_start())
    idle_app = None
    if not args.queue_first:
        pump(2, "idle after load")
        idle_app = log[-1][3]
        window.enqueue(request)
    finished = pump(180, "job 1", lambda: "finished" in events or "failed" in events)
    first_image_from_start = from_start()
    pump(2, "idle after job 1")
    after_job = log[-1][3]
    steps_seen: list[int] = []
    worker.progressed.connect(  # denoising steps only: this job compiles the blocks first
        lambda job, progress: (
            steps_seen.append(progress.step) if progress.phase is Phase.DENOISING else None
        )
    )
    window.enqueue(request.with_seed(43))
    pump(120, "job 2 (cancelled at step 8)", lambda: len(steps_seen) >= 8)
    window.cancel_running()
    cancelled = pump(60, "cancelling", lambda: "cancelled" in events)
    pump(3, "idle after cancel")
    after_cancel = log[-1][3]
    out = Path(os.environ.get("OUT", "/tmp"))
    with open(out / f"gauge-{args.plan}.tsv", "w") as handle:
        handle.write("t_s\tphase\tused_gb\tapp_gb\tlabel\n")
        for row in log:
            handle.write(
                "\t".join(
                    "" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v))
                    for v in row
                )
                + "\n"
            )
    job_rows = [row for row in log if row[1] == "job 1"]
    print(
        json.dumps(
            {
                "plan": args.plan,
                "budget_gb": args.budget_gb,
                "cap_gb": args.cap_gb,
                "window_shown_s": round(shown, 2),
                "engine_ready": ready and window.engine_state is not EngineState.FAILED,
                "queued_first": args.queue_first,
                "ready_after_s": round(loaded_at, 1),
                "window_shown_from_start_s": shown_from_start,
                "engine_ready_from_start_s": ready_from_start,
                "window_to_engine_ready_s": round(ready_from_start - shown_from_start, 2),
                "first_image_from_start_s": first_image_from_start,
                "engine_states_from_start_s": states,
                "load_phases_s": [(what, round(s, 2)) for what, s in load_phases],
                "images_s_per_step_and_overhead_s": timings,
                "previews_shown": len(previews),
                "job_finished": finished and "finished" in events,
                "failed": events.get("failed"),
                "notices": events["notices"],
                "gauge_samples_during_job": len(job_rows),
                "used_gb_during_job_max": round(max((r[2] for r in job_rows), default=0), 2),
                "app_gb_idle_after_load": idle_app,
                "app_gb_after_job": after_job,
                "app_gb_after_cancel": after_cancel,
                "cancel_acknowledged": cancelled,
                "steps_before_cancel": max(steps_seen, default=0),
                "gauge_label_during_job": job_rows[len(job_rows) // 2][4] if job_rows else None,
            }
        )
    )
    desktop.shutdown()
    os._exit(0)


if __name__ == "__main__":
    main()
