"""The GPU benchmark: every memory plan and the original article's set-up, each in a fresh process.

    python -m bench.run [--fixtures /tmp/mf-fixtures] [--quick]

Writes full-size random-weight files in the real layouts once per machine (bench/fixtures.py), then
runs each configuration (bench/case.py), prints a markdown table with ratios against the article's
set-up (the baseline) and against bf16-resident, and writes the raw results as JSON to $OUT (or
bench/out/).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

# (label, plan, VRAM budget in GB or None, float8 maths "auto" or "off", host memory limit in GB,
# compiled maths "auto" or "off"). Every case makes a first image, a warm image with a new prompt
# and a re-roll of that prompt.
CASES = [
    ("article set-up (baseline)", "fp8-offload", None, "off", None, "off"),
    ("bf16, all resident", "bf16", None, "off", None, "off"),
    ("fp8 resident, bf16 maths", "fp8", None, "off", None, "off"),
    ("fp8 resident, fp8 maths", "fp8", None, "auto", None, "off"),
    ("fp8-stream 12 GB", "fp8-stream", 12.0, "auto", None, "off"),
    ("fp8-stream 8 GB", "fp8-stream", 8.0, "auto", None, "off"),
    ("fp8-stream 4 GB", "fp8-stream", 4.0, "auto", None, "off"),
    ("fp8-stream 8 GB, bf16 maths", "fp8-stream", 8.0, "off", None, "off"),
    # issue 16: a 16 GB PC leaves about 12 GB to the app
    ("fp8-stream 8 GB, memory limit 12 GiB", "fp8-stream", 8.0, "auto", 12.0, "off"),
    # issue 16 §4: compiled blocks, the app's default. The compiler's cache starts empty on a fresh
    # machine: the first case of each kind of maths compiles (its "compile s"), the others load.
    ("fp8 resident, fp8 maths, compiled", "fp8", None, "auto", None, "auto"),
    ("fp8-stream 12 GB, compiled", "fp8-stream", 12.0, "auto", None, "auto"),
    ("fp8-stream 8 GB, compiled", "fp8-stream", 8.0, "auto", None, "auto"),
    ("fp8-stream 4 GB, compiled", "fp8-stream", 4.0, "auto", None, "auto"),
    ("fp8-stream 8 GB, compiled, memory limit 12 GiB", "fp8-stream", 8.0, "auto", 12.0, "auto"),
    ("bf16, all resident, compiled", "bf16", None, "off", None, "auto"),
    ("fp8-stream 8 GB, bf16 maths, compiled", "fp8-stream", 8.0, "off", None, "auto"),
]

CGROUP_ROOT = Path("/sys/fs/cgroup")
# cgroup v2 and v1 names of the limit, the peak and the events (v1: OOM kills in memory.oom_control)
CGROUP_FILES = {
    "v2": ("memory.max", "memory.peak", "memory.events"),
    "v1": ("memory.limit_in_bytes", "memory.max_usage_in_bytes", "memory.oom_control"),
}


def memory_limit(limit_gb: float) -> tuple[Path | None, str]:
    """A cgroup (v2, else v1's memory hierarchy) limiting memory to `limit_gb`, or None and why."""
    limit = str(int(limit_gb * 2**30))
    name = f"majicflux-bench-{os.getpid()}"
    tried = []
    v2 = CGROUP_ROOT / "cgroup.controllers"
    if v2.exists() and "memory" in v2.read_text().split():
        group = CGROUP_ROOT / name
        try:
            subtree = CGROUP_ROOT / "cgroup.subtree_control"
            if "memory" not in subtree.read_text().split():
                subtree.write_text("+memory")
            group.mkdir(exist_ok=True)
            (group / "memory.max").write_text(limit)
            if (group / "memory.swap.max").exists():
                (group / "memory.swap.max").write_text("0")
            return group, "v2"
        except OSError as exc:
            tried.append(f"cgroup v2: {exc}")
    v1 = CGROUP_ROOT / "memory"
    if (v1 / "memory.limit_in_bytes").exists():
        group = v1 / name
        try:
            group.mkdir(exist_ok=True)
            (group / "memory.limit_in_bytes").write_text(limit)
            with contextlib.suppress(OSError):  # swap accounting may be off
                (group / "memory.memsw.limit_in_bytes").write_text(limit)
            return group, "v1"
        except OSError as exc:
            tried.append(f"cgroup v1: {exc}")
    return None, "; ".join(tried) or "no cgroup memory controller under /sys/fs/cgroup"


def read_group(group: Path, version: str) -> dict:
    limit, peak, events = CGROUP_FILES[version]
    figures: dict = {"cgroup": str(group), "version": version}
    for key, name in (("limit", limit), ("peak", peak), ("events", events)):
        with contextlib.suppress(OSError):
            figures[key] = (group / name).read_text().strip()
    return figures


def run_case(
    models: Path, plan: str, budget: float | None, sizes: str, steps: int, matmul: str,
    limit_gb: float | None = None, compiled: str = "off",
) -> dict:  # fmt: skip
    command = [
        sys.executable, "-m", "bench.case", "--models", str(models), "--plan", plan,
        "--sizes", sizes, "--steps", str(steps), "--fp8-matmul", matmul, "--reroll",
        "--compiled-maths", compiled,
    ]  # fmt: skip
    if budget is not None:
        command += ["--budget-gb", str(budget)]
    group, version = memory_limit(limit_gb) if limit_gb else (None, "")
    if limit_gb and group is None:
        return {
            "plan": plan,
            "budget_gb": budget,
            "error": [f"memory limit: {version}"],
            "wall_s": 0,
        }

    def enter_group() -> None:  # in the child, before it runs Python
        assert group is not None
        (group / "cgroup.procs").write_text("0")

    started = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, preexec_fn=enter_group if group else None
    )
    sys.stderr.write(done.stderr[-3000:] if done.returncode else "")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    limited = read_group(group, version) if group else None
    if group:
        with contextlib.suppress(OSError):
            group.rmdir()
    if done.returncode or not lines:
        return {
            "plan": plan,
            "budget_gb": budget,
            "error": done.stderr.strip().splitlines()[-1:] or [f"exit {done.returncode}"],
            "wall_s": round(time.perf_counter() - started, 1),
            **({"memory_limit": limited} if limited else {}),
        }
    result = json.loads(lines[-1])
    result["wall_s"] = round(time.perf_counter() - started, 1)
    if limited:
        result["memory_limit"] = limited
    return result


def warm(result: dict, size: str) -> dict | None:
    runs = result.get("sizes", {}).get(size, [])
    return next((r for r in runs if r["label"] == "warm"), None)


def table(results: list[tuple[str, dict]], size: str) -> str:
    # the references are eager: compiled cases are measured against them
    by_plan = {
        result.get("plan"): result
        for _, result in results
        if result.get("compiled_maths", "off") == "off"
    }
    base = warm(by_plan.get("fp8-offload", {}), size)
    bf16 = warm(by_plan.get("bf16", {}), size)
    lines = [
        f"### {size}×{size}, 20 steps",
        "",
        "| configuration | GPU peak: process (NVML) / torch reserved (GB) | s/step | × bf16 | s/image warm | × baseline "
        "| text encode s (new prompt) | decode s | re-roll s/step × warm | denoise rchar MB / major faults "
        "| import s | load s | start → first image s | compile s (first image) | host RSS peak GiB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    for label, result in results:
        run = warm(result, size)
        if run is None:
            lines.append(f"| {label} | failed: {result.get('error')} |" + " |" * 13)
            continue
        reroll = next((r for r in result["sizes"][size] if r["label"] == "reroll"), None)
        broken = [r["label"] for r in result["sizes"][size] if r.get("finite") is False]
        if broken:  # an image whose latents were not finite (a black image): never pass it over
            label = f"{label} **NaN: {', '.join(broken)} image**"
        ratio_bf16 = run["s_step_median"] / bf16["s_step_median"] if bf16 else float("nan")
        ratio_base = run["s_image"] / base["s_image"] if base else float("nan")
        rerolled = f"{reroll['s_step_median'] / run['s_step_median']:.3f}" if reroll else "–"
        first = next((r for r in result["sizes"][size] if r["label"] == "first"), {})
        compile_s = first.get("compiling_s", "–") if result.get("compiled") else "–"
        if result.get("compile_note") and result.get("compiled_maths") == "auto":
            compile_s = f"not compiled: {result['compile_note']}"
        lines.append(
            # NVML counts the whole card: less what was in use before this process started.
            f"| {label} | {run['nvml_peak_gb'] - result.get('nvml_baseline_gb', 0):.1f} "
            f"/ {run['torch_peak_reserved_gb']:.1f} "
            f"| {run['s_step_median']:.3f} | {ratio_bf16:.2f} | {run['s_image']:.2f} | {ratio_base:.2f} "
            f"| {run['text_encode_s']:.2f} | {run['decode_s']:.2f} | {rerolled} "
            f"| {run.get('denoise_rchar_mb', '–')} / {run.get('denoise_major_faults', '–')} "
            f"| {result.get('import_s', '–')} | {result['load_s']} | {result.get('time_to_first_image_s', '–')} "
            f"| {compile_s} | {result['host_rss_peak_gb']} |"
        )  # fmt: skip
    limits = [(label, r["memory_limit"]) for label, r in results if r.get("memory_limit")]
    for label, limit in limits:
        lines.append(f"\n{label}: cgroup {limit['version']} limit {limit.get('limit')} B, peak "
                     f"{limit.get('peak')} B, events {limit.get('events', '').split()}")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixtures", type=Path, default=Path("/tmp/mf-fixtures"))
    parser.add_argument("--sizes", default="1024,512")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--cases", help="comma-separated case numbers to run (0 = the baseline)")
    parser.add_argument("--report", type=Path, help="print the table of a saved results.json")
    args = parser.parse_args()
    if args.report:
        saved = json.loads(args.report.read_text())
        results = [(entry.pop("label"), entry) for entry in saved]
        print("\n\n".join(table(results, size) for size in args.sizes.split(",")))
        return
    started = time.perf_counter()
    # In a process of its own: it makes the random weights on the GPU, and the memory it would
    # keep cached there would sit beside every case's NVML figures.
    subprocess.run([sys.executable, "-m", "bench.fixtures", str(args.fixtures)], check=True)
    print(f"fixtures ready in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    results = []
    chosen = {int(c) for c in args.cases.split(",")} if args.cases else set(range(len(CASES)))
    out = Path(os.environ.get("OUT") or Path(__file__).parent / "out")
    out.mkdir(parents=True, exist_ok=True)
    for number, (label, plan, budget, matmul, limit_gb, compiled) in enumerate(CASES):
        if number not in chosen:
            continue
        result = run_case(
            args.fixtures, plan, budget, args.sizes, args.steps, matmul, limit_gb, compiled
        )
        print(f"{label}: {json.dumps(result)}", file=sys.stderr, flush=True)
        results.append((label, result))
        # Written after every case, so a run stopped at its time limit keeps what it measured.
        (out / "results.json").write_text(
            json.dumps([{"label": k, **v} for k, v in results], indent=1)
        )
    report = "\n\n".join(table(results, size) for size in args.sizes.split(","))
    (out / "table.md").write_text(report + "\n")
    print(report)
    print(f"\ntotal {time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
