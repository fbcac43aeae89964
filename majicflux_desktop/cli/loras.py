"""`majicflux loras list|download` and the LoRAs of `majicflux generate` (`--lora`, `<lora:name:w>`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from majicflux_desktop.cli.common import app_paths, app_settings, cli_error
from majicflux_desktop.core import metadata
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP
from majicflux_desktop.core.request import LoraUse
from majicflux_desktop.core.settings import Settings
from majicflux_desktop.engine import scan


def lora_argument(text: str) -> tuple[str, float]:
    """`PATH_OR_NAME[:WEIGHT]`; a colon that is not followed by a number is part of the name
    (`C:\\loras\\x.safetensors`)."""
    name, colon, weight = text.rpartition(":")
    if colon and name:
        try:
            return name, float(weight)
        except ValueError:
            pass
    return text, 1.0


def loras_of(args: argparse.Namespace) -> tuple[str, tuple[LoraUse, ...], list[Path]]:
    """The prompt without its `<lora:name:weight>` tags, the LoRAs of the tags and of --lora, and
    the LoRA files given by path (used where they are)."""
    prompt, tagged = metadata.split_lora_tags(args.prompt)
    uses = {use.name.casefold(): use for use in tagged}
    files: list[Path] = []
    for text, weight in args.lora or []:
        path = Path(text)
        if path.suffix.lower() in scan.MODEL_SUFFIXES or path.is_file():
            if not path.is_file():
                raise cli_error(
                    QT_TRANSLATE_NOOP("cli", "The LoRA file {path} does not exist."),
                    path=str(path),
                )
            files.append(path.absolute())
            text = path.stem
        uses[text.casefold()] = LoraUse(name=text, weight=weight)
    return prompt, tuple(uses.values()), files


def lora_folders_for(args: argparse.Namespace, settings: Settings) -> list[Path]:
    """The app's LoRA folders: the models folder's `loras`, and those added in Settings."""
    from majicflux_desktop.engine.loras import lora_folders

    if getattr(args, "tiny", False):
        return lora_folders(app_paths(args).data_dir / "demo-models")
    models = Path(args.models) if getattr(args, "models", None) else settings.models_dir
    return lora_folders(models, settings.lora_folders)


def cmd_loras_list(args: argparse.Namespace) -> int:
    from majicflux_desktop.core.units import format_bytes
    from majicflux_desktop.engine import loras

    settings = app_settings(args)
    folders = [Path(args.dir)] if args.dir else lora_folders_for(args, settings)
    if not folders or not all(folder.is_dir() for folder in folders):
        where = args.dir or str(settings.models_dir / "loras")
        raise cli_error(
            QT_TRANSLATE_NOOP(
                "cli", "There is no LoRA folder at {path}. Put LoRA files there, or name a folder."
            ),
            path=where,
        )
    index = loras.LoraIndex(folders, tiny=args.tiny_target)
    files = index.scan()
    print(f"LoRA folders: {', '.join(map(str, folders))}")
    for file in files:
        if not file.ok:
            print(f"  [refused] {file.name}: {file.problem.text() if file.problem else ''}")
            continue
        facts = [file.layout, f"{file.layers_matched} of {file.layers_total} layers"]
        facts += [f"rank {file.rank}"] if file.rank else []
        facts.append(format_bytes(file.size))
        if args.hashes:
            facts.append(f"hash {loras.autov2(index.sha256(file))}")
        print(f"  [     ok] {file.name} ({', '.join(facts)})")
        details = [("trigger words", ", ".join(file.trigger_words)),
                   ("frequent tags", ", ".join(file.frequent_tags)),
                   ("base model", file.base_model),
                   ("preview", str(file.preview or ""))]  # fmt: skip
        for label, value in details:
            if value:
                print(f"            {label}: {value}")
        for note in file.notes:
            print(f"            note: {note.text()}")
    usable = sum(1 for f in files if f.ok)
    print(f"{usable} usable, {len(files) - usable} refused")
    if index.stopped_early:
        print("note: the folder holds too many files to look at all of them; choose a narrower one")
    return 0


def cmd_loras_download(args: argparse.Namespace) -> int:
    # urllib and friends: only for this command
    from majicflux_desktop.cli.models import DownloadBar
    from majicflux_desktop.core.units import format_bytes
    from majicflux_desktop.engine import lora_download
    from majicflux_desktop.engine.download import DownloadPlan
    from majicflux_desktop.engine.transfer import DownloadControl, part_size

    settings = app_settings(args)
    folder = Path(args.to) if args.to else settings.models_dir / "loras"
    if folder.exists() and not folder.is_dir():
        raise cli_error(
            QT_TRANSLATE_NOOP("cli", "{path} is not a folder: it is a file. Name a LoRA folder."),
            path=str(folder),
        )
    print(f"looking up {args.address.strip()}…", file=sys.stderr)

    def planned(plan: DownloadPlan) -> None:
        (file,) = plan.files
        if file.present:
            print(f"{file.target.name} is already in {folder}")
            return
        kept = part_size(file)
        resumed = f", continuing after {format_bytes(kept)}" if kept else ""
        print(f"downloading {file.where} ({format_bytes(file.size)}{resumed}) into {file.target}")

    bar = DownloadBar(sys.stderr)
    try:
        done = lora_download.download(
            args.address, folder, on_planned=planned, on_progress=bar, control=DownloadControl()
        )
    except KeyboardInterrupt:
        bar.close()
        print(
            f"interrupted: the file stays as a .part file in {folder}. Run the same command "
            f"again to continue where it stopped.",
            file=sys.stderr,
        )
        return 130
    finally:
        bar.close()
    lora = done.lora
    facts = [lora.layout, f"{lora.layers_matched} of {lora.layers_total} layers"]
    facts += [f"rank {lora.rank}"] if lora.rank else []
    facts.append(format_bytes(lora.size))
    print(f"ready: {done.path} ({', '.join(facts)})")
    if lora.trigger_words:
        print(f"  trigger words: {', '.join(lora.trigger_words)}")
    print(f"use it with --lora {done.path.stem} or <lora:{done.path.stem}:1> in the prompt")
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    lora_commands = commands.add_parser("loras", help="LoRA files").add_subparsers(
        dest="loras_command", required=True
    )
    lora_list = lora_commands.add_parser(
        "list", help="the LoRA files found, their layout and matched layers, and why any is refused"
    )
    lora_list.add_argument(
        "dir", nargs="?", help="default: the models folder's loras folder and those in Settings"
    )
    lora_list.add_argument("--models", help="the models folder whose loras folder to list")
    lora_list.add_argument(
        "--hashes", action="store_true", help="also show each file's AutoV2 hash"
    )
    lora_list.add_argument(
        "--tiny-model",
        dest="tiny_target",
        action="store_true",
        help="match against the tiny random-weight test transformer",
    )
    lora_list.set_defaults(func=cmd_loras_list)
    fetch = lora_commands.add_parser(
        "download",
        help="download a LoRA (.safetensors only) by ModelScope model id or by its address "
        "(resumable, checked, and deleted again if MajicFlux cannot use it)",
    )
    fetch.add_argument(
        "address",
        metavar="ID_OR_URL",
        help="a ModelScope model id, e.g. DonRat/MAJICFLUS_SuperChinesestyleheongsam "
        "(owner/name/file.safetensors when it holds several), or https://…/file.safetensors",
    )
    fetch.add_argument(
        "--to", metavar="DIR", help="the folder to put it in (default: the models folder's loras)"
    )
    fetch.set_defaults(func=cmd_loras_download)
