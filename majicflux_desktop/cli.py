"""Headless commands: `majicflux generate`, `majicflux models check|find|download`, `majicflux doctor`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from majicflux_desktop import __version__, cli_edit
from majicflux_desktop.core import metadata
from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.logs import make_stdio_safe, setup_logging
from majicflux_desktop.core.paths import AppPaths, atomic_write_bytes
from majicflux_desktop.core.request import GenerationRequest, RequestError
from majicflux_desktop.core.results import Phase, Progress
from majicflux_desktop.engine import catalog, memory, scan
from majicflux_desktop.engine.memory import GIB

if TYPE_CHECKING:
    from majicflux_desktop.engine import download, transfer


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
        eta = "?" if progress.eta_s is None else _clock(progress.eta_s)
        what = {
            Phase.ENCODING: "reading the prompt",
            Phase.DENOISING: f"step {progress.step:>3}/{progress.total}",
            Phase.DECODING: "decoding the image",
        }[progress.phase]
        line = (
            f"\r{what:<18} [{'#' * filled}{'.' * (self.width - filled)}] "
            f"{_clock(time.perf_counter() - self.started)} elapsed, ETA {eta}  "
        )
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().replace("×", "x").split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1024x768, not {text!r}") from None
    return width, height


def _models_dir(args: argparse.Namespace) -> Path:
    if getattr(args, "tiny", False):
        from majicflux_desktop.engine import tiny

        return tiny.write_models(_paths(args).data_dir / "demo-models")
    if args.models:
        return Path(args.models)
    return _paths(args).default_models_dir


def _paths(args: argparse.Namespace) -> AppPaths:
    return AppPaths.portable(args.data_dir) if args.data_dir else AppPaths.for_user()


def cmd_generate(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".png":
        raise SystemExit("error: --out must name a .png file")
    fields = {
        "prompt": args.prompt,
        "negative_prompt": args.negative or "",
        "seed": args.seed,
        "steps": args.steps,
        "guidance": args.guidance,
        "cfg_scale": args.cfg,
    }
    store = None
    if cli_edit.wanted(args):  # pictures and request checked before torch loads
        job, store = cli_edit.build(args, _paths(args).data_dir, fields)
    else:
        width, height = args.size or cli_edit.DEFAULT_TEXT_TO_IMAGE_SIZE
        job = GenerationRequest(**fields, width=width, height=height).checked()
    for warning in job.warnings():
        print(f"note: {warning.message.text()}", file=sys.stderr)
    report = scan.check(_models_dir(args))
    paths = report.paths()

    from majicflux_desktop.engine.pipeline import Engine  # torch loads here, not for --help

    engine = Engine()
    print("loading models…", file=sys.stderr)
    load = engine.load(paths, args.plan)
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
    meta = metadata.ImageMetadata.from_result(result)
    atomic_write_bytes(out, metadata.encode_png(result.image, meta))
    peak = "" if meta.peak_vram_bytes is None else f", peak {meta.peak_vram_bytes / GIB:.1f} GB"
    print(
        f"saved {out} (seed {result.seed}, {result.timings.total:.1f} s, plan {result.plan}{peak})"
    )
    return 0


def cmd_models_check(args: argparse.Namespace) -> int:
    folder = Path(args.dir) if args.dir else _models_dir(args)
    report = scan.check(folder)
    print(f"models folder: {folder}")
    for status in report.roles.values():
        mark = "ok " if status.ok else "MISSING" if not status.paths else "WRONG"
        where = ", ".join(str(p) for p in status.paths) or "-"
        tiny = " (tiny random weights)" if status.tiny else ""
        print(f"  [{mark:>7}] {status.spec.title}: {where}{tiny}")
        for problem in status.problems:
            print(f"            {problem.text()}")
    for path, problem in report.rejected:
        print(f"  [skipped] {path}: {problem.text()}")
    print(
        "complete" if report.complete else "incomplete: see Model setup in the app, or the README"
    )
    return 0 if report.complete else 1


def cmd_models_find(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    if not folder.is_dir():
        raise SystemExit(f"error: {folder} is not a folder")
    report = scan.scan(folder)
    print(f"scanned {folder}: {report.files_examined} model file(s) examined, used where they are")
    for status in report.roles.values():
        if status.ok:
            shown = status.found_as not in ("", status.spec.title)
            what = f" (as {status.found_as})" if shown else ""
            print(f"  [  found] {status.spec.title}: {', '.join(map(str, status.paths))}{what}")
        else:
            print(f"  [{'MISSING' if not status.paths else '  WRONG'}] {status.spec.title}")
            for problem in status.problems:
                print(f"            {problem.text()}")
    if report.rejected:
        print("found but not usable:")
    for _, problem in report.rejected[:REJECTED_SHOWN]:
        print(f"  - {problem.text()}")  # each message names its file
    if len(report.rejected) > REJECTED_SHOWN:
        print(f"  … and {len(report.rejected) - REJECTED_SHOWN} more")
    if report.stopped_early:
        print("note: the folder holds too many files to look at all of them; choose a narrower one")
    if report.complete:
        print("complete: MajicFlux can use these files in place (nothing is copied)")
        return 0
    missing = [role for role, status in report.roles.items() if not status.ok]
    print(
        f"incomplete: to fetch only what is missing, run `majicflux models download --only "
        f"{','.join(missing)}`"
    )
    return 1


REJECTED_SHOWN = 30


def cmd_models_download(args: argparse.Namespace) -> int:
    # urllib and friends: only for this command
    from majicflux_desktop.engine import download, hub, transfer

    source = hub.parse_source(args.source)
    folder = Path(args.dir) if args.dir else _models_dir(args)
    token = args.token or hub.token_from_environment(source)
    roles = [r.strip() for r in args.only.split(",") if r.strip()] if args.only else None
    if roles is not None and not set(roles) <= set(catalog.SPECS):
        raise SystemExit(f"error: --only takes roles from {', '.join(catalog.SPECS)}")
    print(f"asking {source.name} ({source.endpoint}) for the file list…", file=sys.stderr)
    plan = download.fetch_plan(folder, source, token, roles)
    _print_plan(plan)
    plan.check_space()
    complete_set_wanted = roles is None
    if all(f.present for f in plan.files):
        print("all files are already there")
        return _report_models(folder, complete_set_wanted)
    bar = DownloadBar(sys.stderr)
    control = transfer.DownloadControl()
    try:
        download.Downloader(plan, token=token, on_progress=bar, control=control).run()
    except KeyboardInterrupt:
        bar.close()
        print(
            f"interrupted: finished files are kept, and the file in progress stays as a .part "
            f"file in {folder}. Run the same command again to continue where it stopped.",
            file=sys.stderr,
        )
        return 130
    finally:
        bar.close()
    return _report_models(folder, complete_set_wanted)


def _print_plan(plan: download.DownloadPlan) -> None:
    from majicflux_desktop.core.units import format_bytes

    print(f"downloading from {plan.source.name} into {plan.models_dir}")
    for file in plan.files:
        state = "already there" if file.present else format_bytes(file.size)
        print(f"  {file.repo}/{file.path} ({state})")
    for note in plan.notes:
        print(f"note: {note.text()}")
    print(
        f"total {format_bytes(plan.total_bytes)}, to download {format_bytes(plan.remaining_bytes)}, "
        f"free on that drive {format_bytes(plan.free_bytes())}"
    )


def _report_models(folder: Path, complete_set_wanted: bool) -> int:
    report = scan.check(folder)
    if report.complete:
        print(f"complete: {folder}")
        return 0
    if not complete_set_wanted:  # --only: the rest may be elsewhere (a ComfyUI folder)
        for message in scan.describe_missing(report):
            print(f"still missing: {message.text()}")
        return 0
    for message in scan.describe_missing(report):
        print(f"error: {message.text()}", file=sys.stderr)
    return 1


class DownloadBar:
    """Per-file and overall progress with speed and ETA: one line on a terminal, else a line per
    finished file (logs and CI)."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.tty = stream.isatty()
        self.finished: set[int] = set()
        self.last_note: object = None
        self.open_line = False

    def __call__(self, progress: transfer.Progress) -> None:
        from majicflux_desktop.engine.transfer import FileState

        if progress.note is not None and progress.note is not self.last_note:
            self.last_note = progress.note
            self._line(f"note: {progress.note.text()}")
        for index, item in enumerate(progress.files):
            if item.state is FileState.DONE and index not in self.finished:
                self.finished.add(index)
                if not self.tty:
                    self._line(f"done {item.file.repo}/{item.file.path}")
        if self.tty:
            self._status(progress)

    def _status(self, progress: transfer.Progress) -> None:
        from majicflux_desktop.core.units import format_bytes

        current = progress.current_file
        speed = progress.bytes_per_second
        parts = []
        if current is not None:
            name = current.file.path.rsplit("/", 1)[-1]
            parts.append(f"{name} {current.fraction:4.0%} {current.state.value}")
        parts.append(
            f"total {progress.fraction:4.0%} "
            f"{format_bytes(progress.done_bytes)}/{format_bytes(progress.total_bytes)}"
        )
        parts.append(
            "paused" if progress.paused else f"{format_bytes(speed)}/s" if speed else "…/s"
        )
        parts.append(f"ETA {_duration(progress.eta_s)}")
        self.stream.write("\r" + " | ".join(parts)[:150].ljust(100))
        self.stream.flush()
        self.open_line = True

    def _line(self, text: str) -> None:
        if self.open_line:
            self.stream.write("\n")
            self.open_line = False
        self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.open_line:
            self.stream.write("\n")
            self.stream.flush()
            self.open_line = False


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = max(0, round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def cmd_doctor(args: argparse.Namespace) -> int:
    probe = memory.VramProbe()
    reading = probe.read()
    if reading.has_gpu:
        print(
            f"GPU: {reading.name}, {reading.total / memory.GIB:.1f} GB total, {reading.free / memory.GIB:.1f} GB free"
        )
    else:
        print(f"GPU: none found through NVML ({probe.error or 'no NVIDIA driver'})")
    print(f"RAM: {reading.system_total / memory.GIB:.1f} GB total")
    import torch

    print(
        f"torch {torch.__version__}, CUDA {torch.version.cuda or 'none'}, available: {torch.cuda.is_available()}"
    )
    if torch.cuda.is_available():
        major, minor = torch.cuda.get_device_capability()
        fp8_compute = (major, minor) >= (8, 9)
        print(
            f"float8: storage yes; fp8 matmul {'yes' if fp8_compute else 'no'} "
            f"(compute capability {major}.{minor})"
        )
    else:
        print("float8: storage yes (computed in bf16 on the CPU)")
    choice = memory.choose_plan(reading)
    print(f"auto plan: {choice.reason.text()}")
    folder = _models_dir(args)
    report = scan.check(folder)
    missing = [s.spec.title for s in report.roles.values() if not s.ok]
    print(f"models ({folder}): {'complete' if not missing else 'missing ' + ', '.join(missing)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="majicflux", description="MajicFlux Desktop, headless.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", help="keep settings, logs and demo models under this folder")
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="make one image")
    gen.add_argument("--prompt", required=True)
    gen.add_argument("--negative", help="negative prompt (acts only with --cfg above 1)")
    gen.add_argument("--seed", type=int, help="0 to 4294967295; random if left out")
    gen.add_argument("--steps", type=int, default=20)
    gen.add_argument(
        "--size",
        type=_size,
        help="WxH, multiples of 16 (default 1024x1024; an edit's size comes from its picture)",
    )
    gen.add_argument("--guidance", type=float, default=3.5)
    gen.add_argument("--cfg", type=float, default=1.0, help="CFG scale; above 1 doubles the time")
    gen.add_argument("--plan", choices=memory.PLAN_NAMES, default="auto")
    source = gen.add_mutually_exclusive_group()
    source.add_argument("--models", help="folder with the model files")
    source.add_argument(
        "--tiny", action="store_true", help="tiny random-weight models (a smoke test)"
    )
    gen.add_argument("--out", required=True, help="the .png file to write")
    cli_edit.add_arguments(gen)
    gen.set_defaults(func=cmd_generate)

    models = commands.add_parser("models", help="model files").add_subparsers(
        dest="models_command", required=True
    )
    check = models.add_parser("check", help="which required files are present")
    check.add_argument("dir", nargs="?")
    check.set_defaults(func=cmd_models_check, models=None, tiny=False)
    find = models.add_parser(
        "find", help="use existing files: look for the required files in a folder (ComfyUI, …)"
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
    fetch.set_defaults(func=cmd_models_download, models=None, tiny=False)

    doctor = commands.add_parser("doctor", help="GPU, drivers, plan and model status")
    doctor.add_argument("--models")
    doctor.set_defaults(func=cmd_doctor, tiny=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    make_stdio_safe()
    args = build_parser().parse_args(argv)
    paths = _paths(args)
    paths.keep_tool_caches_here()
    setup_logging(paths.log_file)
    try:
        return int(args.func(args))
    except RequestError as exc:
        for problem in exc.problems:
            print(f"error: {problem.message.text()}", file=sys.stderr)
        return 2
    except UserError as exc:
        print(f"error: {exc.text()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
