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
    print(f"RAM: {reading.system_total / GIB:.1f} GB total")
    import torch

    print(
        f"torch {torch.__version__}, CUDA {torch.version.cuda or 'none'}, available: {torch.cuda.is_available()}"
    )
    fp8_setting = f"setting: {choices.fp8_matmul}"
    if torch.cuda.is_available():
        major, minor = torch.cuda.get_device_capability()
        fp8_compute = (major, minor) >= (8, 9) and choices.fp8_matmul != "off"
        print(
            f"float8: storage yes; fp8 matmul {'yes' if fp8_compute else 'no'} "
            f"(compute capability {major}.{minor}; {fp8_setting})"
        )
    else:
        print(f"float8: storage yes (computed in bf16 on the CPU; {fp8_setting})")
    budget = (
        "" if choices.budget_bytes is None else f", VRAM budget {choices.budget_bytes / GIB:.1f} GB"
    )
    if choices.plan == "auto":
        print(f"auto plan: {memory.choose_plan(reading).reason.text()}")
    else:
        print(f"plan: {choices.plan}{budget} (from the settings or --plan)")
    report, where = model_report(args, settings)
    missing = [s.spec.title for s in report.roles.values() if not s.ok]
    print(f"models ({where}): {'complete' if not missing else 'missing ' + ', '.join(missing)}")
    return 0
