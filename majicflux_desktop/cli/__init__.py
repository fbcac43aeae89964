"""Headless commands: `majicflux generate`, `majicflux models check|find|download`, `majicflux loras
list|download`, `majicflux doctor`.

They use the app's data folder (`--data-dir` as for the app), its settings and its choice of model
files (engine/selection.py), so that the command line and the window load the same files the same
way; a flag changes a setting for one run only.
"""

from __future__ import annotations

import argparse
import logging
import sys

from majicflux_desktop import __version__
from majicflux_desktop.cli import edit
from majicflux_desktop.cli.common import app_paths, engine_flags, image_size
from majicflux_desktop.cli.doctor import cmd_doctor
from majicflux_desktop.cli.generate import cmd_generate
from majicflux_desktop.cli.loras import add_commands as add_lora_commands
from majicflux_desktop.cli.loras import lora_argument
from majicflux_desktop.cli.models import cmd_models_check, cmd_models_download, cmd_models_find
from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.logs import make_stdio_safe, setup_logging
from majicflux_desktop.core.request import RequestError
from majicflux_desktop.core.writable import prepare_data_dir
from majicflux_desktop.engine import catalog

log = logging.getLogger("majicflux.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="majicflux", description="MajicFlux Desktop, headless.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir",
        help="the data folder, as for the app: its settings (the memory plan, the model files "
        "Model setup or `models find` kept), logs and demo models",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="make one image")
    gen.add_argument("--prompt", required=True)
    gen.add_argument("--negative", help="negative prompt (acts only with --cfg above 1)")
    gen.add_argument("--seed", type=int, help="0 to 4294967295; random if left out")
    gen.add_argument("--steps", type=int, default=20)
    gen.add_argument(
        "--size",
        type=image_size,
        help="WxH, multiples of 16 (default 1024x1024; an edit's size comes from its picture)",
    )
    gen.add_argument("--guidance", type=float, default=3.5)
    gen.add_argument("--cfg", type=float, default=1.0, help="CFG scale; above 1 doubles the time")
    gen.add_argument(
        "--lora",
        action="append",
        type=lora_argument,
        metavar="PATH_OR_NAME[:WEIGHT]",
        help="a LoRA file, or the name of one in the app's LoRA folders, with its weight (-2 to 2, "
        "default 1); repeatable. <lora:name:weight> in the prompt works too",
    )
    engine_flags(gen)
    source = gen.add_mutually_exclusive_group()
    source.add_argument(
        "--models", help="folder with the model files (default: the files the app uses)"
    )
    source.add_argument(
        "--tiny", action="store_true", help="tiny random-weight models (a smoke test)"
    )
    gen.add_argument("--out", required=True, help="the .png file to write")
    edit.add_arguments(gen)
    gen.set_defaults(func=cmd_generate)

    models = commands.add_parser("models", help="model files").add_subparsers(
        dest="models_command", required=True
    )
    check = models.add_parser(
        "check", help="which required files are present (default: those the app uses)"
    )
    check.add_argument("dir", nargs="?")
    check.set_defaults(func=cmd_models_check)
    find = models.add_parser(
        "find",
        help="use existing files: look for the required files in a folder (a ComfyUI or Forge "
        "folder, a hub cache) and keep them in the settings, as Model setup does",
    )
    find.add_argument("dir")
    find.set_defaults(func=cmd_models_find)
    fetch = models.add_parser("download", help="download the required files (resumable)")
    fetch.add_argument(
        "--source",
        default="modelscope",
        help="modelscope (default), huggingface, hf-mirror, or a Hugging Face mirror's address",
    )
    fetch.add_argument("--dir", help="models folder (default: the app's models folder)")
    fetch.add_argument(
        "--token",
        help="access token for gated repositories (default: $HF_TOKEN / $MODELSCOPE_API_TOKEN)",
    )
    fetch.add_argument("--only", help=f"comma-separated roles: {','.join(catalog.SPECS)}")
    fetch.set_defaults(func=cmd_models_download)

    add_lora_commands(commands)
    doctor = commands.add_parser("doctor", help="GPU, drivers, plan and model status")
    doctor.add_argument("--models", help="folder with the model files (default: the app's)")
    engine_flags(doctor)
    doctor.set_defaults(func=cmd_doctor)
    return parser


def main(argv: list[str] | None = None) -> int:
    make_stdio_safe()
    args = build_parser().parse_args(argv)
    paths = app_paths(args)
    try:
        prepare_data_dir(paths)  # one line naming the folder and the fix, not a traceback
    except UserError as exc:
        print(f"error: {exc.text()}", file=sys.stderr)
        return 1
    paths.keep_tool_caches_here()
    setup_logging(paths.log_file)
    try:
        return int(args.func(args))
    except RequestError as exc:
        for problem in exc.problems:
            print(f"error: {problem.message.text()}", file=sys.stderr)
        return 2
    except UserError as exc:
        log.info("stopped: %s", exc)
        print(f"error: {exc.text()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return 130
