"""The files the engine loads: those the user chose in Model setup, the rest found in the models folder.

"Use existing files" (the setup page and `majicflux models find`) stores the files it found (a
ComfyUI folder, a hub cache) per role in the settings, to be used where they are. Those are checked
one by one, which takes milliseconds; the models folder is walked only for the roles that have no
chosen file, or whose chosen file is gone or wrong (then the models folder may still have one, and
the user sees why otherwise). Tokenizers need no choice: FLUX's are shipped with the app, and the
copies shipped are used wherever none is chosen or found.

One function decides for the window and the command line: `check(settings.models_dir,
settings.model_files)`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.engine import catalog, layouts, scan, tokenizer_folders
from majicflux_desktop.engine.candidates import Alternative
from majicflux_desktop.engine.catalog import REQUIRED, SPECS, T5, WEIGHT_ROLES
from majicflux_desktop.engine.scan import TOKENIZER_ROLES, CheckReport, RoleStatus

ChosenFiles = Mapping[str, Sequence[Path]]


def check(models_dir: str | os.PathLike[str], chosen: ChosenFiles | None = None) -> CheckReport:
    """What the engine will load: each role from `chosen` where it names a usable file, else from
    a scan of `models_dir`. The report's folder is `models_dir`."""
    models_dir = Path(models_dir)
    chosen = {role: list(paths) for role, paths in (chosen or {}).items() if paths}
    statuses = {role: check_role(role, paths) for role, paths in chosen.items() if role in SPECS}
    if all(role in statuses and statuses[role].ok for role in WEIGHT_ROLES):
        report = CheckReport(
            models_dir,
            {spec.role: statuses.get(spec.role) or RoleStatus(spec) for spec in REQUIRED},
        )
        scan.choose_tokenizers(report)  # the chosen ones where they fit, else the shipped copies
        if report.complete:
            return report
    found = scan.scan(models_dir)
    for role, status in statuses.items():
        if role in TOKENIZER_ROLES and not status.ok:
            continue  # a tokenizer found or shipped serves as well as the one that is gone
        if status.ok or not found.roles[role].ok:
            found.roles[role] = status  # a chosen file that is gone says more than "Missing"
    scan.choose_tokenizers(found)  # the weights may have changed from the scan's
    return found


def chosen_files(report: CheckReport) -> dict[str, tuple[Path, ...]]:
    """The roles a report has usable files for, as they are stored in the settings: absolute, so
    they mean the same files whatever the current folder or the models folder is later. The
    shipped tokenizers are not stored: they are always there, at a place that moves with updates."""
    return {
        role: tuple(Path(path).absolute() for path in status.paths)
        for role, status in report.roles.items()
        if status.ok and not status.shipped
    }


@dataclass(frozen=True)
class ExistingFiles:
    """What "Use existing files" found in a folder, and what the app would then load."""

    folder: Path
    found: CheckReport  # the chosen folder alone
    # what the engine would load: the files found, the files chosen before, the models folder
    shown: CheckReport
    chosen: dict[str, tuple[Path, ...]]  # settings.model_files to store: every role `shown` serves

    @property
    def missing_roles(self) -> tuple[str, ...]:
        return tuple(role for role, status in self.shown.roles.items() if not status.ok)


def use_existing(
    folder: str | os.PathLike[str], models_dir: Path, model_files: ChosenFiles
) -> ExistingFiles:
    """Scan `folder` and put what it holds on top of the files chosen before (`model_files`).

    Every role `shown` serves is in `chosen` by its absolute paths, those of the models folder too:
    a download of the missing files may then go to another folder, and what was found before must
    still be used after. Walking a big ComfyUI tree takes seconds: call it off the UI thread.
    """
    folder = Path(folder)
    found = scan.scan(folder)
    merged = {**model_files, **chosen_files(found)}
    combined = check(models_dir, merged)
    seen = {path for path, _ in found.rejected}
    rejected = found.rejected + [(p, m) for p, m in combined.rejected if p not in seen]
    roles = {}
    for role, status in combined.roles.items():
        here = found.roles[role]
        if not status.ok and here.paths:
            status = here  # a wrong file in the chosen folder says more than "missing" elsewhere
        elif status.paths == here.paths:
            status = dataclasses.replace(status, alternatives=here.alternatives)
        roles[role] = status
    shown = dataclasses.replace(
        combined,
        roles=roles,
        folder=folder,
        rejected=rejected,
        stopped_early=found.stopped_early,
        skipped=found.skipped,
        files_examined=found.files_examined,
    )
    return ExistingFiles(folder, found, shown, chosen_files(shown))


def use_instead(existing: ExistingFiles, role: str, paths: Sequence[Path]) -> ExistingFiles:
    """The user picks another candidate for `role` (one of its `alternatives`) in Model setup.

    The pick is checked like any chosen file; the file MajicFlux had chosen becomes an
    alternative saying so, and `chosen` (what to store in settings.model_files) has the pick.
    """
    picked = tuple(Path(p).absolute() for p in paths)
    before = existing.shown.roles[role]
    status = check_role(role, picked)
    others = [
        alt for alt in before.alternatives if tuple(p.absolute() for p in alt.paths) != picked
    ]
    if before.ok:
        others.insert(
            0,
            Alternative(
                tuple(before.paths),
                before.found_as,
                _dtypes(before.paths),
                before.tiny,
                Message(
                    "catalog",
                    QT_TRANSLATE_NOOP(
                        "catalog",
                        "{file} is what MajicFlux would use; {chosen} was chosen instead.",
                    ),
                    {
                        "file": ", ".join(map(str, before.paths)),
                        "chosen": ", ".join(map(str, picked)),
                    },
                ),
            ),
        )
    status.alternatives = others
    shown = dataclasses.replace(existing.shown, roles={**existing.shown.roles, role: status})
    chosen = {**existing.chosen, role: picked} if status.ok else existing.chosen
    return dataclasses.replace(existing, shown=shown, chosen=chosen)


def _dtypes(paths: Sequence[Path]) -> frozenset[str]:
    try:
        return frozenset().union(*(catalog.identify(path).dtypes for path in paths))
    except UserError:
        return frozenset()


def check_role(role: str, paths: Sequence[Path]) -> RoleStatus:
    """One chosen file (or folder, or the T5 parts) checked for `role`, by content."""
    spec = SPECS[role]
    status = RoleStatus(spec, list(paths))
    if spec.is_folder:
        tokenizer = tokenizer_folders.identify(Path(paths[0]), role) if len(paths) == 1 else None
        if tokenizer is None:
            status.problems.append(_chosen_unusable(spec.label, paths))
        else:
            status.tiny, status.shipped = tokenizer.tiny, tokenizer_folders.is_shipped(paths[0])
        return status
    try:
        identities = [catalog.identify(path) for path in paths]
    except UserError as exc:
        status.problems.append(exc.message)
        return status
    if role == T5 and len(identities) > 1:
        return _check_t5_parts(status, identities)
    if len(identities) != 1:
        status.problems.append(_chosen_unusable(spec.label, paths))
        return status
    problem = catalog.identity_problem(identities[0], spec)
    if problem is not None:
        status.problems.append(problem)
    status.tiny, status.found_as = identities[0].tiny, identities[0].name
    return status


def _check_t5_parts(status: RoleStatus, parts: list[catalog.Identity]) -> RoleStatus:
    union: layouts.Layout = {}
    for part in parts:
        union.update(catalog.read_header(part.path).layout)
    known = catalog.KNOWN.get(layouts.layout_hash(union))
    if known is None or known.role != T5:
        status.problems.append(
            Message(
                "catalog",
                QT_TRANSLATE_NOOP(
                    "catalog",
                    "The chosen parts of the T5 text encoder do not make the whole model "
                    "({files}). Choose the folder with all of them in Model setup.",
                ),
                {"files": ", ".join(str(p.path) for p in parts)},
            )
        )
        return status
    status.tiny, status.found_as = known.tiny, known.name
    return status


def _chosen_unusable(title: Message, paths: Sequence[Path]) -> Message:
    return Message(
        "catalog",
        QT_TRANSLATE_NOOP(
            "catalog",
            "The files chosen for the {title} are gone or not what they should be ({files}). "
            "Open Model setup and choose them again.",
        ),
        {"title": title, "files": ", ".join(str(p) for p in paths)},
    )
