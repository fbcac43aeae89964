"""The files the engine loads: those the user chose in Model setup, the rest found in the models folder.

"Use existing files" stores the files it found (a ComfyUI folder, a hub cache) per role in the
settings, to be used where they are. Those are checked one by one, which takes milliseconds;
the models folder is walked only for the roles that have no chosen file, or whose chosen file
is gone or wrong (then the models folder may still have one, and the user sees why otherwise).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.engine import catalog, layouts, scan
from majicflux_desktop.engine.catalog import SPECS, T5, TOKENIZER_CLIP
from majicflux_desktop.engine.scan import CheckReport, RoleStatus

ChosenFiles = Mapping[str, Sequence[Path]]


def check(models_dir: str | os.PathLike[str], chosen: ChosenFiles | None = None) -> CheckReport:
    """What the engine will load: each role from `chosen` where it names a usable file, else from
    a scan of `models_dir`. The report's folder is `models_dir`."""
    models_dir = Path(models_dir)
    chosen = {role: list(paths) for role, paths in (chosen or {}).items() if paths}
    statuses = {role: check_role(role, paths) for role, paths in chosen.items() if role in SPECS}
    if all(status.ok for status in statuses.values()) and set(statuses) == set(SPECS):
        return CheckReport(
            models_dir, {spec.role: statuses[spec.role] for spec in catalog.REQUIRED}
        )
    found = scan.scan(models_dir)
    for role, status in statuses.items():
        if status.ok or not found.roles[role].ok:
            found.roles[role] = status  # a chosen file that is gone says more than "Missing"
    return found


def chosen_files(report: CheckReport) -> dict[str, tuple[Path, ...]]:
    """The roles a report has usable files for, as they are stored in the settings: absolute, so
    they mean the same files whatever the current folder or the models folder is later."""
    return {
        role: tuple(Path(path).absolute() for path in status.paths)
        for role, status in report.roles.items()
        if status.ok
    }


def check_role(role: str, paths: Sequence[Path]) -> RoleStatus:
    """One chosen file (or folder, or the T5 parts) checked for `role`, by content."""
    spec = SPECS[role]
    status = RoleStatus(spec, list(paths))
    if spec.is_folder:
        test = scan.is_clip_tokenizer if role == TOKENIZER_CLIP else scan.is_t5_tokenizer
        if not (len(paths) == 1 and test(paths[0])):
            status.problems.append(_chosen_unusable(spec.label, paths))
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
