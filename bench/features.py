"""LoRAs and edits on the GPU, each configuration in a fresh process: one device call.

    python -m bench.features [--part loras|edits|all] [--budgets 12,8] [--fixtures /tmp/mf-fixtures]

LoRAs (issue 14): two LoRAs of ranks 32 and 64 on every Linear of the transformer (kohya layout,
random weights of FLUX.1's shapes), at the 12, 8 and 4 GB plans with float8 maths, and at 8 GB with
bf16 maths: s/step without and with them, GPU peak against the budget, time to the first step when
the LoRAs switch to another pair, and the LoRA-free image after. The blocks are compiled with
the LoRAs' pairs as the app compiles them (`--compiled-maths off`: both eagerly); `--int8-pairs
both` runs each LoRA case with bf16 and with int8 pairs (lora_apply.int8_pair). Edits (issue 15): at 8 and 4 GB,
upscale ×2 to 2048², a masked-area inpaint, a 2048² image to image; at 8 GB, 1024² image to image
at strength 0.5 against 1024² text to image, and a 256² masked area against 512² text to image.
Raw JSON lines go to $OUT (or bench/out/).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

LORA_CASES = [  # (plan, budget GB, float8 maths)
    ("fp8-stream", 12.0, "auto"),
    ("fp8-stream", 8.0, "auto"),
    ("fp8-stream", 4.0, "auto"),
    ("fp8-stream", 12.0, "off"),
    ("fp8-stream", 8.0, "off"),
    # no 4 GB case with bf16 maths: its upcast slots alone make 1024² need 5.2 GB (memory.workspace)
]
EDIT_CASES = [
    ("fp8-stream", 8.0, "upscale,inpaint,img2img2048,t2i1024,img2img1024,t2i512,inpaint256"),
    ("fp8-stream", 4.0, "upscale,inpaint,img2img2048"),
]
LORAS = {"style-r32": (32, 1), "character-r64": (64, 2), "other-r32": (32, 3), "other-r64": (64, 4)}


def write_loras(folder: Path) -> dict[str, Path]:
    """Kohya LoRAs on every Linear of a FLUX.1 transformer, random weights (a second or two each)."""
    import torch
    from safetensors.torch import save_file

    from majicflux_desktop.engine import lora_keys

    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    shapes = lora_keys.linears(lora_keys.FLUX)
    for name, (rank, seed) in LORAS.items():
        path = folder / f"{name}.safetensors"
        written[name] = path
        if path.is_file():
            continue
        generator = torch.Generator().manual_seed(seed)
        tensors = {}
        for key, (slot, scheme) in lora_keys.slot_names(lora_keys.FLUX).items():
            if scheme != lora_keys.BFL:
                continue
            out, inp = shapes[slot.module]
            prefix = "lora_unet_" + key.replace(".", "_")
            down = torch.randn(rank, inp, generator=generator) / inp**0.5
            tensors[f"{prefix}.lora_down.weight"] = down.bfloat16()
            tensors[f"{prefix}.lora_up.weight"] = (torch.randn(out, rank, generator=generator) * 0.01).bfloat16()  # fmt: skip
            tensors[f"{prefix}.alpha"] = torch.tensor(float(rank)).bfloat16()
        save_file(tensors, str(path))
    return written


def run(command: list[str], timeout: float = 540) -> dict | None:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        sys.stderr.write(done.stderr[-4000:])
        print(f"FAILED ({done.returncode}) after {time.perf_counter() - started:.0f} s: {command}")
        return None
    result = json.loads(lines[-1])
    result["wall_s"] = round(time.perf_counter() - started, 1)
    return result


def lora_table(results: list[dict]) -> None:
    print("\n| plan | maths | compiled | int8 pairs | folded | resident blocks (with LoRAs) | s/step none | s/step 2 LoRAs | × | "
          "GPU peak (NVML) / budget GB | LoRA GB | to first step: same / switched / none s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        runs = {run["label"]: run for run in r["sizes"]["1024"]}
        plain, with_loras = runs["warm"], runs["loras-warm"]
        ratio = with_loras["s_step_median"] / plain["s_step_median"]
        peak = max(run["nvml_peak_gb"] for run in runs.values()) - r["nvml_baseline_gb"]
        first = [runs[k]["to_first_step_s"] for k in ("loras-warm", "loras-switch", "no-loras")]
        print(
            f"| {r['plan']} {r['budget_gb']:g} GB | {'fp8' if r.get('fp8_maths') else 'bf16'} "
            f"| {r.get('compiled_maths', 'off')} | {r.get('int8_pairs')} | {with_loras.get('streamer', {}).get('folds', 0) > 0} "
            f"| {r.get('resident_blocks', {}).get('dit')} ({with_loras['resident_dit_blocks']}) "
            f"| {plain['s_step_median']} | {with_loras['s_step_median']} | {ratio:.3f} "
            f"| {peak:.2f} / {r['budget_gb']:g} | {with_loras['lora_gb']} "
            f"| {' / '.join(str(f) for f in first)} |"
        )


def edit_table(results: list[dict]) -> None:
    print("\n| plan | job | work size | steps | tiling | s/image | s/step | "
          "NVML process peak / predicted / budget GB | finite |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        for name, job in r["jobs"].items():
            print(
                f"| {r['plan']} {r['budget_gb']:g} GB | {name} | {job['work'][0]}×{job['work'][1]} "
                f"| {job['steps']} | {job['tiling']} | {job['s_image']} | {job['s_step']} "
                f"| {job['nvml_process_peak_gb']} / {job['predicted_peak_gb']} / "
                f"{r['budget_gb']:g} | {job['finite']} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["loras", "edits", "all"], default="all")
    parser.add_argument("--fixtures", default="/tmp/mf-fixtures")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument(
        "--budgets",
        default="",
        help="only the float8-maths cases of these budgets, e.g. 12,8 (empty: every case)",
    )
    parser.add_argument(
        "--prefetch", action="store_true", help="LoRAs read ahead, as the app does (bench.case)"
    )
    parser.add_argument(
        "--int8-pairs",
        default="auto",
        choices=["auto", "on", "off", "both"],
        help="LoRA pairs in int8 (auto: as the app chooses, lora_engine.INT8_PAIRS_RESIDENT; both: "
        "each LoRA case twice, off then on)",
    )
    parser.add_argument(
        "--fold",
        default="on",
        choices=["on", "off", "both"],
        help="LoRA pairs of upcast blocks (bf16 maths) folded into their weights (lora_fold), as "
        "the app does; off: side branches; both: each LoRA case with bf16 maths twice, off then on",
    )
    parser.add_argument(
        "--maths",
        choices=["fp8", "bf16", "all"],
        help="only the cases with float8 or bf16 maths (default: all, or fp8 with --budgets)",
    )
    parser.add_argument(
        "--compiled-maths",
        default="auto",
        choices=["auto", "off"],
        help="LoRA cases: auto compiles the blocks with their LoRA pairs (as the app does)",
    )
    args = parser.parse_args()
    from bench import fixtures

    began = time.perf_counter()
    models = fixtures.ensure(Path(args.fixtures))
    print(f"fixtures ready in {time.perf_counter() - began:.0f} s", flush=True)
    out = Path(os.environ.get("OUT") or "bench/out")
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    budgets = {float(b) for b in args.budgets.split(",") if b}

    chosen = args.maths or ("fp8" if budgets else "all")

    def wanted(budget: float, maths: str = "auto") -> bool:
        kind = "fp8" if maths == "auto" else "bf16"
        return (not budgets or budget in budgets) and chosen in ("all", kind)

    if args.part in ("loras", "all"):
        loras = write_loras(Path(args.fixtures) / "loras")
        pair = f"{loras['style-r32']}:1,{loras['character-r64']}:0.8"
        other = f"{loras['other-r32']}:1,{loras['other-r64']}:0.7"
        results = []
        storages = ["off", "on"] if args.int8_pairs == "both" else [args.int8_pairs]
        folds = ["off", "on"] if args.fold == "both" else [args.fold]
        for (plan, budget, maths), int8, fold in itertools.product(LORA_CASES, storages, folds):
            if not wanted(budget, maths) or (fold != folds[-1] and maths == "auto"):
                continue  # float8 maths upcasts nothing: folding changes nothing there
            command = [sys.executable, "-m", "bench.case", "--models", str(models),
                       "--plan", plan, "--budget-gb", str(budget), "--sizes", "1024",
                       "--steps", str(args.steps), "--fp8-matmul", maths,
                       "--compiled-maths", args.compiled_maths, "--int8-pairs", int8,
                       "--fold", fold,
                       "--loras", pair, "--switch-to", other,
                       *(["--prefetch"] if args.prefetch else [])]  # fmt: skip
            result = run(command)
            if result is not None:
                results.append(result)
                print(json.dumps(result), flush=True)
        (out / f"loras-{stamp}.json").write_text(json.dumps(results, indent=1))
        lora_table(results)
    if args.part in ("edits", "all"):
        results = []
        for plan, budget, jobs in EDIT_CASES:
            if not wanted(budget):
                continue
            command = [sys.executable, "-m", "bench.edit_case", "--models", str(models),
                       "--plan", plan, "--budget-gb", str(budget), "--steps", str(args.steps),
                       "--jobs", jobs]  # fmt: skip
            result = run(command)
            if result is not None:
                results.append(result)
                print(json.dumps(result), flush=True)
        (out / f"edits-{stamp}.json").write_text(json.dumps(results, indent=1))
        edit_table(results)
    print(f"\nall done in {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
