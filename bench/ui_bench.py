"""Desktop UI timings (no GPU needed): time to the window shown, and the VRAM gauge's poll cost.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m bench.ui_bench

Start-up: the real app (`python -m majicflux_desktop --demo`) in a fresh process on a fresh data
folder, several times; the app logs the seconds from process start to its window being shown, and
`xdotool search --sync` confirms the window from outside. The gauge: `VramGauge.poll` (probe read
and repaint request) timed on the UI thread; with an NVIDIA GPU that is NVML, without one psutil.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHOWN = re.compile(r"window shown ([\d.]+) s after the process started")


def startup_seconds(runs: int = 5) -> dict[str, object]:
    logged, seen = [], []
    for _ in range(runs):
        data = Path(tempfile.mkdtemp(prefix="majicflux-startup-"))
        started = time.perf_counter()
        app = subprocess.Popen(
            [sys.executable, "-m", "majicflux_desktop", "--data-dir", str(data), "--demo"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"},
        )
        try:
            if shutil.which("xdotool") and os.environ.get("DISPLAY"):
                seen.append(_visible_after(started))
            log = data / "logs" / "majicflux.log"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                match = SHOWN.search(log.read_text("utf-8")) if log.exists() else None
                if match:
                    logged.append(float(match.group(1)))
                    break
                time.sleep(0.05)
        finally:
            app.kill()
            app.wait()
            shutil.rmtree(data, ignore_errors=True)
    return {
        "runs": runs,
        "logged_s": logged,
        "logged_median_s": statistics.median(logged) if logged else None,
        "xdotool_visible_s": seen,
        "xdotool_median_s": statistics.median(seen) if seen else None,
    }


def _visible_after(started: float, timeout: float = 60.0) -> float:
    """Seconds until X reports a visible window of the app's class (polled every 10 ms)."""
    search = ["xdotool", "search", "--onlyvisible", "--class", "MajicFlux"]
    while time.perf_counter() - started < timeout:
        if subprocess.run(search, capture_output=True).returncode == 0:
            return time.perf_counter() - started
        time.sleep(0.01)
    raise TimeoutError("no window")


def gauge_poll_ms(polls: int = 2000) -> dict[str, object]:
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from majicflux_desktop.engine.memory import VramProbe
    from majicflux_desktop.ui.window.vram_gauge import VramGauge

    app = QApplication.instance() or QApplication([])
    probe = VramProbe()
    gauge = VramGauge(probe)
    gauge.show()
    app.processEvents()
    times = []
    for _ in range(polls):
        started = time.perf_counter()
        gauge.poll()
        times.append((time.perf_counter() - started) * 1000)
    paint = []
    for _ in range(200):
        started = time.perf_counter()
        gauge.repaint()
        paint.append((time.perf_counter() - started) * 1000)
    times.sort()
    gauge.close()
    return {
        "gpu": probe.read().name or "none (NVML: " + (probe.error or "no GPU") + ")",
        "polls": polls,
        "poll_median_ms": round(statistics.median(times), 4),
        "poll_p99_ms": round(times[int(0.99 * len(times))], 4),
        "poll_max_ms": round(times[-1], 4),
        "repaint_median_ms": round(statistics.median(paint), 4),
    }


def main() -> None:
    result = {"gauge": gauge_poll_ms()}
    if "--no-startup" not in sys.argv:
        result["startup"] = startup_seconds()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
