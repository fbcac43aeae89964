"""What the commands share: the data folder and settings the app uses, the model files the app
would load, and the engine settings a flag may override for one run."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.core.paths import AppPaths
from majicflux_desktop.core.settings import (
    COMPILED_MATHS,
    FP8_MATMUL,
    MAX_VRAM_BUDGET_GB,
    Settings,
    load_settings,
)
from majicflux_desktop.engine import memory, selection
from majicflux_desktop.engine.memory import GIB
from majicflux_desktop.engine.scan import CheckReport


def app_paths(args: argparse.Namespace) -> AppPaths:
    return AppPaths.portable(args.data_dir) if args.data_dir else AppPaths.for_user()


def app_settings(args: argparse.Namespace) -> Settings:
    """The app's settings in the data folder (`--data-dir`, as for the app); notices to stderr."""
    paths = app_paths(args)
    settings, notes = load_settings(paths.settings_file, paths)
    for note in notes:
        print(f"note: {note.text()}", file=sys.stderr)
    return settings


def cli_error(template: str, **params: object) -> UserError:
    return UserError(Message("cli", template, params))


def folder_argument(text: str) -> Path:
    """A folder named on the command line, or UserError saying what it is instead."""
    folder = Path(text)
    if folder.is_dir():
        return folder
    if folder.exists():
        raise cli_error(
            QT_TRANSLATE_NOOP(
                "cli",
                "{path} is not a folder: it is a file. Give the folder that holds the model files.",
            ),
            path=str(folder),
        )
    raise cli_error(
        QT_TRANSLATE_NOOP("cli", "{path} is not a folder: it does not exist."), path=str(folder)
    )


def model_report(args: argparse.Namespace, settings: Settings) -> tuple[CheckReport, str]:
    """What the engine loads, decided as the app decides (selection.check over the saved files and
    the models folder); `--models DIR` or `--tiny` replaces that for this run. With a line saying
    where the files come from."""
    if getattr(args, "tiny", False):
        from majicflux_desktop.engine import tiny  # torch: only for the smoke test

        folder = tiny.write_models(app_paths(args).data_dir / "demo-models")
        return selection.check(folder), f"tiny random-weight models in {folder}"
    if getattr(args, "models", None):
        folder = folder_argument(args.models)
        return selection.check(folder), f"{folder} (--models)"
    chosen = len(settings.model_files)
    where = f"{settings.models_dir}" + (
        f" and {chosen} role(s) chosen in Model setup" if chosen else ""
    )
    return selection.check(settings.models_dir, settings.model_files), where


@dataclasses.dataclass(frozen=True)
class EngineChoices:
    plan: str
    budget_bytes: int | None
    fp8_matmul: str
    compiled_maths: str


def engine_choices(args: argparse.Namespace, settings: Settings) -> EngineChoices:
    """Memory plan, VRAM budget and float8 maths: the app's settings, or the flags for one run."""
    budget_gb = args.vram_budget if args.vram_budget is not None else settings.vram_budget_gb
    return EngineChoices(
        args.plan or settings.memory_plan,
        None if budget_gb is None else int(budget_gb * GIB),
        args.fp8_matmul or settings.fp8_matmul,
        args.compiled_maths or settings.compiled_maths,
    )


def engine_flags(parser: argparse.ArgumentParser) -> None:
    """The engine settings a run can override (default: the app's settings)."""
    parser.add_argument(
        "--plan", choices=memory.PLAN_NAMES, help="memory plan (default: the app's setting)"
    )
    parser.add_argument(
        "--vram-budget",
        type=_budget_gb,
        metavar="GB",
        help="VRAM budget for the streaming plan (default: the app's setting)",
    )
    parser.add_argument(
        "--fp8-matmul",
        choices=FP8_MATMUL,
        help="multiply in float8 where the GPU can (auto) or never (off); default: the app's setting",
    )
    parser.add_argument(
        "--compiled-maths",
        choices=COMPILED_MATHS,
        help="compile the transformer's blocks where torch can (auto; each new size compiles "
        "once per machine) or never (off); default: the app's setting",
    )


def _budget_gb(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.5 <= value <= MAX_VRAM_BUDGET_GB:  # the range the settings take; refuses NaN
        raise argparse.ArgumentTypeError(
            f"a VRAM budget is 0.5 to {MAX_VRAM_BUDGET_GB:.0f} GB, not {text!r}"
        )
    return value


def image_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().replace("×", "x").split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1024x768, not {text!r}") from None
    return width, height


def clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"
