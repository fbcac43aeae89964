"""`majicflux models check|find|download`: the same files and choices as the app's Model setup."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from majicflux_desktop.cli.common import app_paths, app_settings, cli_error, folder_argument
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP
from majicflux_desktop.core.paths import AppPaths
from majicflux_desktop.core.settings import Settings, save_settings
from majicflux_desktop.core.writable import write_problem
from majicflux_desktop.engine import catalog, scan, selection
from majicflux_desktop.engine.scan import CheckReport, RoleStatus

if TYPE_CHECKING:
    from majicflux_desktop.engine import download, transfer


def _status_line(status: RoleStatus, ok: str) -> tuple[str, str]:
    """(mark, text) for one role: where its file is and what it is."""
    mark = ok if status.ok else "MISSING" if not status.paths else "WRONG"
    if status.shipped:
        return mark, f"{status.spec.title}: the copy shipped with MajicFlux"
    where = ", ".join(str(p) for p in status.paths) or "-"
    notes = []
    if status.ok and status.found_as not in ("", status.spec.title):
        notes.append(f"as {catalog.model_name(status.found_as).text()}")
    if status.tiny:
        notes.append("tiny random weights")
    return mark, f"{status.spec.title}: {where}" + (f" ({'; '.join(notes)})" if notes else "")


def _print_roles(report: CheckReport, ok: str) -> None:
    for status in report.roles.values():
        mark, text = _status_line(status, ok)
        print(f"  [{mark:>7}] {text}")
        for problem in status.problems:
            print(f"            {problem.text()}")
        for other in status.alternatives:
            print(f"            also found: {', '.join(map(str, other.paths))}")
            print(f"              not used: {other.why_not.text()}")


def _keep(args: argparse.Namespace, settings: Settings) -> AppPaths:
    """Save the settings where the app reads them; a failure in words, not a traceback."""
    paths = app_paths(args)
    try:
        save_settings(paths.settings_file, settings)
    except OSError as exc:
        raise write_problem(paths.settings_file, exc) from exc
    return paths


def _print_skipped(report: CheckReport) -> None:
    for _, note in report.skipped:
        print(f"note: {note.text()}")


def cmd_models_check(args: argparse.Namespace) -> int:
    settings = app_settings(args)
    if args.dir:
        folder = folder_argument(args.dir)
        report = selection.check(folder)
        print(f"models folder: {folder}")
    else:
        report = selection.check(settings.models_dir, settings.model_files)
        print(f"models folder: {settings.models_dir}")
        if settings.model_files:
            print(f"  and the files kept by Model setup or `majicflux models find` ({len(settings.model_files)} role(s))")  # fmt: skip
    _print_roles(report, "ok")
    for path, problem in report.rejected:
        print(f"  [skipped] {path}: {problem.text()}")
    _print_skipped(report)
    print(
        "complete" if report.complete else "incomplete: see Model setup in the app, or the README"
    )
    return 0 if report.complete else 1


def cmd_models_find(args: argparse.Namespace) -> int:
    folder = folder_argument(args.dir)
    settings = app_settings(args)
    result = selection.use_existing(folder, settings.models_dir, settings.model_files)
    found = result.found
    print(f"scanned {folder}: {found.files_examined} model file(s) examined, used where they are")
    _print_roles(found, "found")
    if found.rejected:
        print("found but not usable:")
    for _, problem in found.rejected[:REJECTED_SHOWN]:
        print(f"  - {problem.text()}")  # each message names its file
    if len(found.rejected) > REJECTED_SHOWN:
        print(f"  … and {len(found.rejected) - REJECTED_SHOWN} more")
    _print_skipped(found)
    if result.chosen != dict(settings.model_files):
        paths = _keep(args, dataclasses.replace(settings, model_files=result.chosen))
        print(f"kept in the settings ({paths.settings_file}): the app and `majicflux generate` load these files")  # fmt: skip
    if result.shown.complete:
        print("complete: MajicFlux can use these files in place (nothing is copied)")
        return 0
    print(
        f"incomplete: to fetch only what is missing, run `majicflux models download --only "
        f"{','.join(result.missing_roles)}`"
    )
    return 1


REJECTED_SHOWN = 30


def cmd_models_download(args: argparse.Namespace) -> int:
    # urllib and friends: only for this command
    from majicflux_desktop.engine import download, hub, transfer

    settings = app_settings(args)
    source = hub.parse_source(args.source)
    folder = Path(args.dir) if args.dir else settings.models_dir
    token = args.token or hub.token_from_environment(source)
    roles = [r.strip() for r in args.only.split(",") if r.strip()] if args.only else None
    if roles is not None and not set(roles) <= set(catalog.SPECS):
        raise cli_error(
            QT_TRANSLATE_NOOP("cli", "--only takes roles from {roles}."),
            roles=", ".join(catalog.SPECS),
        )
    print(f"asking {source.name} ({source.endpoint}) for the file list…", file=sys.stderr)
    plan = download.fetch_plan(folder, source, token, roles)
    _print_plan(plan)
    plan.check_space()
    complete_set_wanted = roles is None
    if all(f.present for f in plan.files):
        print("all files are already there")
        return _report_models(args, settings, folder, complete_set_wanted)
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
    return _report_models(args, settings, folder, complete_set_wanted)


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


def _report_models(
    args: argparse.Namespace, settings: Settings, folder: Path, complete_set_wanted: bool
) -> int:
    """Whether the app now has everything: the download, the files kept before, its models
    folder. Files downloaded outside the models folder are kept in the settings, as the app does."""
    if folder.absolute() != settings.models_dir.absolute():
        kept = {**settings.model_files, **selection.chosen_files(scan.scan(folder))}
        if kept != dict(settings.model_files):
            settings = dataclasses.replace(settings, model_files=kept)
            paths = _keep(args, settings)
            print(f"kept in the settings ({paths.settings_file}): the files in {folder}")
    report = selection.check(settings.models_dir, settings.model_files)
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
                    self._line(f"done {item.file.where}")
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
