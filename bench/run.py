"""The GPU benchmark: every memory plan and the original article's set-up, each in a fresh process.

    python -m bench.run [--fixtures /tmp/mf-fixtures] [--quick]

Writes full-size random-weight files in the real layouts once per machine (bench/fixtures.py), then
runs each configuration (bench/case.py), prints a markdown table with ratios against the article's
set-up (the baseline) and against bf16-resident, and writes the raw results as JSON to $OUT (or
bench/out/).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

# (label, plan, VRAM budget in GB or None, also time a re-roll, float8 maths "auto" or "off")
CASES = [
    ("article set-up (baseline)", "fp8-offload", None, False, "off"),
    ("bf16, all resident", "bf16", None, False, "off"),
    ("fp8 resident, bf16 maths", "fp8", None, False, "off"),
    ("fp8 resident, fp8 maths", "fp8", None, True, "auto"),
    ("fp8-stream 12 GB", "fp8-stream", 12.0, False, "auto"),
    ("fp8-stream 8 GB", "fp8-stream", 8.0, True, "auto"),
    ("fp8-stream 4 GB", "fp8-stream", 4.0, False, "auto"),
    ("fp8-stream 8 GB, bf16 maths", "fp8-stream", 8.0, False, "off"),
]


def run_case(
    models: Path, plan: str, budget: float | None, sizes: str, steps: int, reroll: bool, matmul: str
) -> dict:
    command = [
        sys.executable,
        "-m",
        "bench.case",
        "--models",
        str(models),
        "--plan",
        plan,
        "--sizes",
        sizes,
        "--steps",
        str(steps),
        "--fp8-matmul",
        matmul,
    ]
    if budget is not None:
        command += ["--budget-gb", str(budget)]
    if reroll:
        command.append("--reroll")
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    sys.stderr.write(done.stderr[-3000:] if done.returncode else "")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        return {
            "plan": plan,
            "budget_gb": budget,
            "error": done.stderr.strip().splitlines()[-1:] or ["?"],
            "wall_s": round(time.perf_counter() - started, 1),
        }
    result = json.loads(lines[-1])
    result["wall_s"] = round(time.perf_counter() - started, 1)
    return result


def warm(result: dict, size: str) -> dict | None:
    runs = result.get("sizes", {}).get(size, [])
    return next((r for r in runs if r["label"] == "warm"), None)


def table(results: list[tuple[str, dict]], size: str) -> str:
    by_plan = {result.get("plan"): result for _, result in results}
    base = warm(by_plan.get("fp8-offload", {}), size)
    bf16 = warm(by_plan.get("bf16", {}), size)
    lines = [
        f"### {size}×{size}, 20 steps",
        "",
        "| configuration | GPU peak: process (NVML) / torch reserved (GB) | s/step | × bf16 | s/image warm | × baseline "
        "| text encode s | decode s | re-roll s | load s | first image s | host RSS peak GB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, result in results:
        run = warm(result, size)
        if run is None:
            lines.append(f"| {label} | failed: {result.get('error')} |" + " |" * 10)
            continue
        reroll = next((r for r in result["sizes"][size] if r["label"] == "reroll"), None)
        broken = [r["label"] for r in result["sizes"][size] if r.get("finite") is False]
        if broken:  # an image whose latents were not finite (a black image): never pass it over
            label = f"{label} **NaN: {', '.join(broken)} image**"
        ratio_bf16 = run["s_step_median"] / bf16["s_step_median"] if bf16 else float("nan")
        ratio_base = run["s_image"] / base["s_image"] if base else float("nan")
        lines.append(
            # NVML counts the whole card: less what was in use before this process started.
            f"| {label} | {run['nvml_peak_gb'] - result.get('nvml_baseline_gb', 0):.1f} "
            f"/ {run['torch_peak_reserved_gb']:.1f} "
            f"| {run['s_step_median']:.3f} | {ratio_bf16:.2f} | {run['s_image']:.2f} | {ratio_base:.2f} "
            f"| {run['text_encode_s']:.2f} | {run['decode_s']:.2f} "
            f"| {reroll['s_image'] if reroll else '–'} | {result['load_s']} | {result.get('time_to_first_image_s', '–')} "
            f"| {result['host_rss_peak_gb']} |"
        )
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
    for number, (label, plan, budget, reroll, matmul) in enumerate(CASES):
        if number not in chosen:
            continue
        result = run_case(args.fixtures, plan, budget, args.sizes, args.steps, reroll, matmul)
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
