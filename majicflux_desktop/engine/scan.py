"""Find the model files the app needs anywhere under a folder, by what they are, never their names.

Each candidate is identified by catalog.py from its header alone; here the folder is walked
(folder_walk.py), the best file for each role is chosen (candidates.py, which also says why the
others were not) and what is missing or unusable is reported with the fix. Tokenizers found with
the models are used when they are FLUX's; otherwise the copies shipped with the app
(tokenizer_folders.py). Imports no torch: `majicflux models check` and the setup page answer in
milliseconds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.engine import layouts, tokenizer_folders
from majicflux_desktop.engine.candidates import Alternative, Candidate, rank
from majicflux_desktop.engine.catalog import (
    CLIP,
    DIT,
    KNOWN,
    REQUIRED,
    SPECS,
    T5,
    TOKENIZER_CLIP,
    TOKENIZER_T5,
    VAE,
    WEIGHT_ROLES,
    FileSpec,
    Identity,
    identify,
    identity_problem,
    model_name,
    named_like_problem,
    read_header,
    role_by_name,
)
from majicflux_desktop.engine.folder_walk import (
    MAX_DEPTH,
    MODEL_SUFFIXES,
    FolderWalk,
    real_identity,
    walk,
    what_was_skipped,
)

__all__ = ["MODEL_SUFFIXES", "CheckReport", "FolderWalk", "ModelPaths", "RoleStatus", "walk"]
TOKENIZER_ROLES = (TOKENIZER_CLIP, TOKENIZER_T5)

# Messages here use the "catalog" translation context: it is the one their translations are under.


@dataclass(frozen=True)
class ModelPaths:
    dit: Path
    clip: Path
    t5: tuple[Path, ...]
    vae: Path
    tokenizer_clip: Path
    tokenizer_t5: Path
    tiny: bool = False

    def weights_by_role(self) -> dict[str, tuple[Path, ...]]:
        return {DIT: (self.dit,), CLIP: (self.clip,), T5: self.t5, VAE: (self.vae,)}

    def weight_files(self) -> list[Path]:
        return [path for files in self.weights_by_role().values() for path in files]


@dataclass
class RoleStatus:
    spec: FileSpec
    paths: list[Path] = field(default_factory=list)
    problems: list[Message] = field(default_factory=list)
    tiny: bool = False
    found_as: str = ""  # what the chosen file is ("T5-XXL text encoder (single file)", ...)
    # other usable files for this role, each with why it was not chosen: Model setup offers them
    alternatives: list[Alternative] = field(default_factory=list)
    shipped: bool = False  # a tokenizer served by the copy shipped with the app

    @property
    def ok(self) -> bool:
        return bool(self.paths) and not self.problems


@dataclass
class CheckReport:
    folder: Path
    roles: dict[str, RoleStatus]
    rejected: list[tuple[Path, Message]] = field(default_factory=list)
    files_examined: int = 0
    stopped_early: bool = False  # the scan hit its bound before seeing everything
    skipped: list[tuple[Path, Message]] = field(default_factory=list)  # parts not looked at, why

    @property
    def complete(self) -> bool:
        return all(status.ok for status in self.roles.values())

    def paths(self) -> ModelPaths:
        if not self.complete:
            raise UserError(
                Message(
                    "catalog",
                    QT_TRANSLATE_NOOP(
                        "catalog",
                        "Model files are missing or wrong in {folder}. Open Model setup, or run "
                        "`majicflux models check` to see which.",
                    ),
                    {"folder": str(self.folder)},
                )
            )
        r = self.roles
        return ModelPaths(
            dit=r[DIT].paths[0],
            clip=r[CLIP].paths[0],
            t5=tuple(r[T5].paths),
            vae=r[VAE].paths[0],
            tokenizer_clip=r[TOKENIZER_CLIP].paths[0],
            tokenizer_t5=r[TOKENIZER_T5].paths[0],
            tiny=all(r[role].tiny for role in WEIGHT_ROLES),
        )


_FAMILY_ROLE = {"T5": T5, "CLIP": CLIP, "VAE": VAE}


def check(folder: str | os.PathLike[str]) -> CheckReport:
    """Which required files are in `folder` (searched recursively), identified by layout."""
    return scan(folder)


def scan(
    folder: str | os.PathLike[str],
    max_depth: int = MAX_DEPTH,
    max_folder_entries: int | None = None,
    max_entries: int | None = None,
) -> CheckReport:
    """Use existing files: find the required files anywhere under `folder`, by tensor layout.

    Works the same on a ComfyUI or Forge install (its root or its `models` folder), a ModelScope
    or Hugging Face cache, a DiffSynth `models` folder or a plain one; file names are never
    trusted. Files are used where they are. Files that look meant for a role but cannot serve it
    are listed in `rejected` with the fix, or, if nothing else serves that role, given as its
    wrong file; other usable files for a role are its `alternatives`.
    """
    folder = Path(folder)
    report = CheckReport(folder, {spec.role: RoleStatus(spec) for spec in REQUIRED})
    bounds = {
        name: value
        for name, value in (
            ("max_folder_entries", max_folder_entries),
            ("max_entries", max_entries),
        )
        if value is not None
    }
    walked = walk(folder, max_depth, **bounds) if folder.is_dir() else FolderWalk()
    report.stopped_early = walked.stopped_early
    report.skipped = what_was_skipped(walked, folder, max_depth)
    found: dict[str, list[Identity]] = {role: [] for role in WEIGHT_ROLES}
    seen_files: set[object] = set()
    for path in walked.files:
        if path.suffix.lower() not in MODEL_SUFFIXES:
            continue
        key = real_identity(path)
        if key in seen_files:
            continue  # one blob behind two links (two snapshots of a Hugging Face cache)
        seen_files.add(key)
        report.files_examined += 1
        identity, problem = _examine(path)
        if problem is not None:
            report.rejected.append((path, problem))
        elif identity is not None and identity.role is not None:
            found[identity.role].append(identity)
    _reject_folders_like_files(walked, found, report)
    for role in (DIT, CLIP, VAE):
        _take(report.roles[role], rank(role, [Candidate((i.path,), i) for i in found[role]]))
    _choose_t5(found[T5], report.roles[T5])
    _name_wrong_files(report)
    choose_tokenizers(report, walked.files)
    for status in report.roles.values():
        if not status.paths and not status.problems:
            status.problems.append(missing(status.spec))
    return report


def missing(spec: FileSpec) -> Message:
    return Message(
        "catalog",
        QT_TRANSLATE_NOOP("catalog", "Missing: {title} ({files} from {repo})."),
        {"title": spec.label, "files": ", ".join(spec.files), "repo": spec.repo},
    )


def _examine(path: Path) -> tuple[Identity | None, Message | None]:
    """The file's identity, or why it cannot be used (None for files unrelated to ours)."""
    suffix = path.suffix.lower()
    if suffix == ".gguf":
        return None, Message(
            "catalog",
            QT_TRANSLATE_NOOP(
                "catalog",
                "{file} is a GGUF file (a quantized model for ComfyUI-GGUF or stable-diffusion.cpp). "
                "MajicFlux cannot use GGUF files; it needs the .safetensors files.",
            ),
            {"file": str(path)},
        )
    try:
        identity = identify(path, check_suffix=suffix != ".sft")
    except UserError as exc:
        return None, exc.message
    if suffix == ".sft":
        return None, _renamed_sft_problem(identity)
    if identity.role is None:
        meant_for = role_by_name(path)
        if identity.family:
            fallback = next((r for word, r in _FAMILY_ROLE.items() if word in identity.family), DIT)
            return identity, identity_problem(identity, SPECS[meant_for or fallback])
        if meant_for is not None:  # `majicflus_v134.safetensors` holding one tensor, say
            return identity, named_like_problem(identity, SPECS[meant_for])
    return identity, None


def _reject_folders_like_files(
    walked: FolderWalk, found: dict[str, list[Identity]], report: CheckReport
) -> None:
    """A folder named like a model file holding no usable file is reported (unzipped, say, into
    a folder of the file's name); one that holds the file is a layout like any other."""
    used = [i.path for identities in found.values() for i in identities]
    for folder in walked.folders_like_files:
        if any(folder in path.parents for path in used):
            continue
        try:
            read_header(folder)
        except UserError as exc:
            report.rejected.append((folder, exc.message))


def _name_wrong_files(report: CheckReport) -> None:
    """A role nothing can serve shows the file named for it that was refused (a truncated
    `ae.safetensors`, a `majicflus_v134.safetensors` holding something else), with its fix: that
    says more than "missing", and it is what the user will look for."""
    for role in WEIGHT_ROLES:
        status = report.roles[role]
        if status.paths:
            continue
        meant = [(p, m) for p, m in report.rejected if p.is_file() and role_by_name(p) == role]
        if not meant:
            continue
        path, message = min(meant, key=lambda item: (len(item[0].parts), str(item[0])))
        status.paths, status.problems = [path], [message]
        report.rejected.remove((path, message))


def _renamed_sft_problem(identity: Identity) -> Message:
    if identity.role is None:
        return identity_problem(identity, SPECS[DIT]) or Message("catalog", "")
    # the loader opens every name that does not end in .safetensors as a pickle
    return Message(
        "catalog",
        QT_TRANSLATE_NOOP(
            "catalog",
            "{file} is the {found} under the old .sft name. MajicFlux opens only files named "
            ".safetensors: rename it to {name} (the content is the same) and scan again.",
        ),
        {
            "file": str(identity.path),
            "found": model_name(identity.name),
            "name": identity.path.with_suffix(".safetensors").name,
        },
    )


def _take(status: RoleStatus, ranked: tuple[Candidate, list[Alternative]] | None) -> None:
    if ranked is None:
        return
    chosen, alternatives = ranked
    status.paths, status.tiny = list(chosen.paths), chosen.identity.tiny
    status.found_as, status.alternatives = chosen.identity.name, alternatives


def _choose_t5(parts_and_files: list[Identity], status: RoleStatus) -> None:
    """The best complete T5: one file or a folder of shards (candidates.py says which)."""
    candidates = [Candidate((i.path,), i) for i in parts_and_files if not i.shard]
    by_folder: dict[Path, list[Identity]] = {}
    for identity in parts_and_files:
        if identity.shard:
            by_folder.setdefault(identity.path.parent, []).append(identity)
    for parts in by_folder.values():
        union: dict[str, tuple[int, ...]] = {}
        for part in parts:
            union.update(read_header(part.path).layout)
        known = KNOWN.get(layouts.layout_hash(union))
        if known is not None and known.role == T5:
            whole = replace(
                parts[0],
                name=known.name,
                tiny=known.tiny,
                dtypes=frozenset().union(*(p.dtypes for p in parts)),
            )
            candidates.append(Candidate(tuple(sorted(p.path for p in parts)), whole))
    if candidates:
        _take(status, rank(T5, candidates))
        return
    lone_parts = [i for i in parts_and_files if i.shard]
    if lone_parts:
        status.paths = sorted(i.path for i in lone_parts)
        status.problems.append(
            Message(
                "catalog",
                QT_TRANSLATE_NOOP(
                    "catalog",
                    "The T5 text encoder is incomplete: found {count} part(s) in {folder}, but not "
                    "all of them. Download the missing part.",
                ),
                {"count": len(lone_parts), "folder": str(lone_parts[0].path.parent)},
            )
        )


def choose_tokenizers(report: CheckReport, files: Iterable[Path] = ()) -> None:
    """Give each tokenizer role without a usable folder one: FLUX's tokenizer among `files`'
    folders (nearest the top first), else the copy shipped with the app. The tiny demo weights
    need the demo's tokenizers, which are never shipped: without them the role stays missing."""
    weights = [report.roles[role] for role in WEIGHT_ROLES if report.roles[role].ok]
    tiny = bool(weights) and all(status.tiny for status in weights)
    folders = sorted({Path(path).parent for path in files}, key=lambda p: (len(p.parts), str(p)))
    for role in TOKENIZER_ROLES:
        status = report.roles[role]
        if status.ok and status.tiny == tiny:
            continue
        match = next(
            (
                found
                for found in (tokenizer_folders.identify(folder, role) for folder in folders)
                if found is not None and found.tiny == tiny
            ),
            None,
        )
        if match is None and not tiny:
            match = tokenizer_folders.shipped(role)
        if match is None:  # tiny weights and no demo tokenizer beside them
            report.roles[role] = RoleStatus(status.spec, problems=[missing(status.spec)])
            continue
        shipped = tokenizer_folders.is_shipped(match.path)
        report.roles[role] = RoleStatus(
            status.spec,
            [match.path],
            tiny=match.tiny,
            found_as=tokenizer_folders.SHIPPED_NAME if shipped else "",
            shipped=shipped,
        )


def describe_missing(report: CheckReport) -> Iterable[Message]:
    for status in report.roles.values():
        yield from status.problems
