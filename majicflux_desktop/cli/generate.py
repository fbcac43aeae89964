"""`majicflux generate`: one image, with the app's model files and settings."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from majicflux_desktop.cli import edit
from majicflux_desktop.cli.common import (
    app_paths,
    app_settings,
    cli_error,
    clock,
    engine_choices,
    model_report,
)
from majicflux_desktop.cli.loras import lora_folders_for, loras_of
from majicflux_desktop.core import metadata
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP
from majicflux_desktop.core.paths import atomic_write_bytes
from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.core.results import Phase, Progress
from majicflux_desktop.core.settings import Settings
from majicflux_desktop.core.store.files import image_file_name, image_folder, unique_path
from majicflux_desktop.core.writable import check_file_target, write_problem
from majicflux_desktop.engine.memory import GIB


class ProgressBar:
    """One line on a terminal: phase or step, bar, elapsed and ETA. Silent when not a terminal."""

    def __init__(self, stream: TextIO, width: int = 24):
        self.stream = stream
        self.width = width
        self.started = time.perf_counter()
        self.enabled = stream.isatty()

    def __call__(self, progress: Progress) -> None:
        if not self.enabled:
            return
        filled = round(self.width * progress.step / max(1, progress.total))
        eta = "?" if progress.eta_s is None else clock(progress.eta_s)
        what = {
            Phase.ENCODING: "reading the prompt",
            Phase.DENOISING: f"step {progress.step:>3}/{progress.total}",
            Phase.DECODING: "decoding the image",
            Phase.COMPILING: "compiling (once per size)",
            Phase.PREPARING: "loading compiled maths",
        }[progress.phase]
        line = (
            f"\r{what:<18} [{'#' * filled}{'.' * (self.width - filled)}] "
            f"{clock(time.perf_counter() - self.started)} elapsed, ETA {eta}  "
        )
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def cmd_generate(args: argparse.Namespace) -> int:
    prompt, loras, lora_files = loras_of(args)
    fields: dict[str, Any] = {
        "prompt": prompt,
        "negative_prompt": args.negative or "",
        "seed": args.seed,
        "steps": args.steps,
        "guidance": args.guidance,
        "cfg_scale": args.cfg,
        "loras": loras,
    }
    store = None
    if edit.wanted(args):  # pictures and request checked before torch loads
        job, store = edit.build(args, app_paths(args).data_dir, fields)
    else:
        width, height = args.size or edit.DEFAULT_TEXT_TO_IMAGE_SIZE
        job = GenerationRequest(**fields, width=width, height=height).checked()
    for warning in job.warnings():
        print(f"note: {warning.message.text()}", file=sys.stderr)
    out = Path(args.out)
    if out.suffix.lower() != ".png":
        raise cli_error(
            QT_TRANSLATE_NOOP("cli", "--out must name a .png file, not {path}."), path=str(out)
        )
    check_file_target(out)  # before minutes of loading and generating, not after
    settings = app_settings(args)
    report, where = model_report(args, settings)
    paths = report.paths()
    choices = engine_choices(args, settings)

    from majicflux_desktop.engine.pipeline import Engine  # torch loads here, not for --help

    engine = Engine(fp8_matmul=choices.fp8_matmul, compile_maths=choices.compiled_maths)
    engine.weight_cache_dir = app_paths(args).weight_cache_dir
    engine.compile_record = app_paths(args).compiled_sizes_file
    if loras:
        folders = lora_folders_for(args, settings)
        engine.set_lora_folders(folders, lora_files, app_paths(args).data_dir)
    print(f"loading models from {where}…", file=sys.stderr)
    load = engine.load(paths, choices.plan, choices.budget_bytes)
    if load.reason is not None:
        print(f"plan: {load.reason.text()}", file=sys.stderr)
    bar = ProgressBar(sys.stderr)
    try:
        result = engine.generate(
            next(job.single_images()),
            on_progress=bar,
            pictures=None if store is None else store.open,
        )
    finally:
        bar.close()
    for note in result.notes:
        print(f"note: {note.text()}", file=sys.stderr)
    for lora in result.loras:
        print(
            f"lora: {lora.name} x{lora.weight:g} ({lora.layers_matched} of {lora.layers_total} "
            f"layers, hash {lora.autov2})",
            file=sys.stderr,
        )
    meta = metadata.ImageMetadata.from_result(result)
    data = metadata.encode_png(result.image, meta)
    summary = f"seed {result.seed}, {result.timings.total:.1f} s, plan {result.plan}"
    if meta.peak_vram_bytes is not None:
        summary += f", peak {meta.peak_vram_bytes / GIB:.1f} GB"
    try:
        atomic_write_bytes(out, data)
    except OSError as exc:  # the folder went away or filled up while generating
        print(f"error: {write_problem(out, exc).text()}", file=sys.stderr)
        saved = _save_elsewhere(data, args, settings, job.prompt, result.seed)
        if saved is None:
            return 1
        print(f"saved {saved} instead ({summary})")
        return 1
    print(f"saved {out} ({summary})")
    return 0


def _save_elsewhere(
    data: bytes, args: argparse.Namespace, settings: Settings, prompt: str, seed: int
) -> Path | None:
    """Never lose a finished image: the app's output folder, else the data folder, else the
    system's temp folder, under the name the app gives images."""
    created = datetime.now(timezone.utc)
    name = image_file_name(created, seed, prompt)
    places = (
        image_folder(settings.output_dir, created),
        app_paths(args).data_dir / "unsaved-images",
        Path(tempfile.gettempdir()),
    )
    for folder in places:
        target = unique_path(folder / name, Path.exists)
        try:
            atomic_write_bytes(target, data)
        except OSError as exc:
            print(f"error: {write_problem(target, exc).text()}", file=sys.stderr)
            continue
        return target
    return None
