"""`majicflux doctor`: the GPU, the drivers, the plan the app would use, and the model files."""

from __future__ import annotations

import argparse

from majicflux_desktop.cli.common import app_settings, engine_choices, model_report
from majicflux_desktop.engine import memory
from majicflux_desktop.engine.memory import GIB


def cmd_doctor(args: argparse.Namespace) -> int:
    settings = app_settings(args)
    choices = engine_choices(args, settings)
    probe = memory.VramProbe()
    reading = probe.read()
    if reading.has_gpu:
        print(
            f"GPU: {reading.name}, {reading.total / GIB:.1f} GB total, {reading.free / GIB:.1f} GB free"
        )
    else:
        print(f"GPU: none found ({probe.error})")
    available = reading.system_available / GIB
    print(f"RAM: {reading.system_total / GIB:.1f} GB total, {available:.1f} GB available")
    import torch

    print(
        f"torch {torch.__version__}, CUDA {torch.version.cuda or 'none'}, available: {torch.cuda.is_available()}"
    )
    fp8_setting = f"setting: {choices.fp8_matmul}"
    fp8_compute = False
    if torch.cuda.is_available():
        major, minor = torch.cuda.get_device_capability()
        fp8_compute = (major, minor) >= (8, 9) and choices.fp8_matmul != "off"
        print(
            f"float8: storage yes; fp8 matmul {'yes' if fp8_compute else 'no'} "
            f"(compute capability {major}.{minor}; {fp8_setting})"
        )
    else:
        print(f"float8: storage yes (computed in bf16 on the CPU; {fp8_setting})")
    from majicflux_desktop.engine import compiled

    device = "cuda" if torch.cuda.is_available() else "cpu"
    why_not = compiled.unavailable(device, choices.compiled_maths)
    print(
        f"compiled maths: {'yes, each new size compiles once' if why_not is None else 'no, ' + why_not.text()}"
        f" (setting: {choices.compiled_maths})"
    )
    budget = (
        "" if choices.budget_bytes is None else f", VRAM budget {choices.budget_bytes / GIB:.1f} GB"
    )
    if choices.plan == "auto":
        choice = memory.choose_plan(reading, fp8_matmul=fp8_compute)
        print(f"auto plan: {choice.reason.text()}")
        plan, plan_budget = choice.plan, choice.budget_bytes
    else:
        print(f"plan: {choices.plan}{budget} (from the settings or --plan)")
        plan, plan_budget = choices.plan, choices.budget_bytes
        if memory.PLANS[plan].streamed and plan_budget is None:  # as Engine.load budgets it
            plan_budget = max(0, reading.free - int(memory.HEADROOM * GIB))
    if reading.has_gpu:
        print(ram_line(plan, plan_budget, available, fp8_compute))
    report, where = model_report(args, settings)
    missing = [s.spec.title for s in report.roles.values() if not s.ok]
    print(f"models ({where}): {'complete' if not missing else 'missing ' + ', '.join(missing)}")
    return 0


def ram_line(plan: str, budget: int | None, available: float, fp8_matmul: bool) -> str:
    """The plan's predicted peak host RAM against what is available, and the fix if short."""
    need = memory.predicted_host_gib(plan, budget, fp8_matmul=fp8_matmul)
    line = f"RAM for {memory.plan_label(plan, budget)}: about {need:.1f} GB at peak, "
    if need <= available:
        return line + f"{available:.1f} GB available: fits"
    return line + (
        f"only {available:.1f} GB available: close other programs to free {need - available:.1f} GB "
        "of RAM, or the computer swaps and images are much slower"
    )
