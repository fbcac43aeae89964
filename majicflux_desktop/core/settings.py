"""The user's settings: one typed, frozen dataclass, saved as JSON with a `schema_version`.

Loading never fails: a missing file gives the defaults; an unreadable one gives the defaults and a
notice; each unknown or invalid value falls back to its default with a notice naming it. Whenever
something was thrown away the file as found is kept as `settings.json.bak`. Saving is atomic, so
a crash leaves the old settings or the new ones, never a broken file.

Paths inside the settings file's folder are stored relative to it, so a portable data folder
(`--data-dir`) keeps working after it moves to another drive letter.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar
from urllib.parse import urlsplit

from majicflux_desktop.core.edit import MAX_SIDE, MIN_SIDE, SIDE_STEP
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message
from majicflux_desktop.core.paths import AppPaths, atomic_write_bytes
from majicflux_desktop.core.request import (
    DEFAULT_GUIDANCE,
    DEFAULT_SIZE,
    DEFAULT_STEPS,
    MAX_CFG,
    MAX_COUNT,
    MAX_GUIDANCE,
    MAX_STEPS,
    MIN_CFG,
    MIN_COUNT,
    MIN_GUIDANCE,
    MIN_STEPS,
)

log = logging.getLogger("majicflux.settings")

T = TypeVar("T")
Migration = Callable[[dict[str, Any]], dict[str, Any]]

# MIGRATIONS[n - 1] turns a version-n dict into a version n + 1 dict; append, never edit.
MIGRATIONS: list[Migration] = []

LANGUAGES = ("auto", "zh_CN", "en")
MEMORY_PLANS = ("auto", "bf16", "fp8", "fp8-offload", "fp8-stream")  # = engine.memory.PLAN_NAMES
THEMES = ("dark", "light")
FP8_MATMUL = ("auto", "off")  # "auto": multiply in float8 where the GPU can (Ada, Hopper)
COMPILED_MATHS = ("auto", "off")  # "auto": compile the transformer's blocks where torch can
ASPECT_RATIOS = ("1:1", "3:4", "4:3", "2:3", "3:2", "9:16", "16:9")
DOWNLOAD_SOURCES = ("modelscope", "huggingface")  # or an http(s) URL of a mirror
MODEL_ROLES = ("dit", "clip", "t5", "vae", "tokenizer", "tokenizer_2")  # = engine.catalog roles
MAX_VRAM_BUDGET_GB = 1024.0
MAX_RECENT_LORAS = 12


@dataclass(frozen=True)
class GenerationDefaults:
    """What the prompt panel starts with."""

    steps: int = DEFAULT_STEPS
    aspect_ratio: str = "1:1"
    long_side: int = DEFAULT_SIZE
    guidance: float = DEFAULT_GUIDANCE
    cfg_scale: float = 1.0
    count: int = 1


@dataclass(frozen=True)
class Settings:
    output_dir: Path
    models_dir: Path
    language: str = "auto"
    # Files used in place (from ComfyUI, Forge, …) by role; a role not named here is looked for
    # in models_dir.
    model_files: Mapping[str, tuple[Path, ...]] = field(default_factory=dict)
    memory_plan: str = "auto"
    vram_budget_gb: float | None = None  # for the streaming plan; None: what the card has free
    theme: str = "dark"
    generation: GenerationDefaults = field(default_factory=GenerationDefaults)
    download_source: str = "modelscope"
    seed_locked: bool = False
    fp8_matmul: str = "auto"
    compiled_maths: str = "auto"
    # LoRA folders besides the models folder's own `loras` (a ComfyUI or Forge install's, …)
    lora_folders: tuple[Path, ...] = ()
    favourite_loras: tuple[str, ...] = ()  # by SHA-256
    recent_loras: tuple[str, ...] = ()  # by SHA-256, the latest first

    def __post_init__(self) -> None:
        frozen = {role: tuple(Path(p) for p in files) for role, files in self.model_files.items()}
        object.__setattr__(self, "model_files", MappingProxyType(frozen))
        object.__setattr__(self, "lora_folders", tuple(Path(p) for p in self.lora_folders))
        object.__setattr__(self, "favourite_loras", tuple(self.favourite_loras))
        object.__setattr__(self, "recent_loras", tuple(self.recent_loras)[:MAX_RECENT_LORAS])


def default_settings(paths: AppPaths) -> Settings:
    return Settings(output_dir=paths.default_output_dir, models_dir=paths.default_models_dir)


def schema_version() -> int:
    return len(MIGRATIONS) + 1


# -- saving ----------------------------------------------------------------------------------------


# A file name that is not valid Unicode (GBK bytes from an archive unpacked on Linux, say) reaches
# Python as lone surrogates, which UTF-8 cannot encode. Written as JSON escapes (\udcc4) the file
# stays UTF-8 and reading it gives back the very same name; readable names stay readable.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def save_settings(path: Path, settings: Settings) -> None:
    text = json.dumps(settings_to_dict(settings, path.parent), ensure_ascii=False, indent=2)
    text = _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    atomic_write_bytes(path, (text + "\n").encode("utf-8"), fault="settings-save")


def settings_to_dict(settings: Settings, base: Path) -> dict[str, Any]:
    def stored(path: Path) -> str:
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            return str(path)

    data = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)}
    data["output_dir"] = stored(settings.output_dir)
    data["models_dir"] = stored(settings.models_dir)
    data["model_files"] = {
        role: [stored(p) for p in files] for role, files in settings.model_files.items()
    }
    data["generation"] = dataclasses.asdict(settings.generation)
    data["lora_folders"] = [stored(p) for p in settings.lora_folders]
    data["favourite_loras"] = list(settings.favourite_loras)
    data["recent_loras"] = list(settings.recent_loras)
    return {"schema_version": schema_version(), **data}


# -- loading ---------------------------------------------------------------------------------------


def load_settings(path: Path, paths: AppPaths) -> tuple[Settings, list[Message]]:
    defaults = default_settings(paths)
    if not path.exists():
        return defaults, []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return defaults, [_note_unreadable(path, exc.strerror or str(exc))]
    try:
        # Notepad may add a byte-order mark
        data = json.loads(raw.decode("utf-8-sig"), parse_int=_read_int)
        if not isinstance(data, dict):
            raise _NotSettings
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        backup = _keep_backup(path, raw)
        return defaults, [_note_unreadable(path, _why_unreadable(exc), backup)]
    settings, notes = settings_from_dict(data, defaults, path.parent)
    if notes:
        backup = _keep_backup(path, raw)
        if backup is not None:
            notes.append(
                Message(
                    "settings",
                    QT_TRANSLATE_NOOP(
                        "settings", "The settings file as it was is kept as “{backup}”."
                    ),
                    {"backup": backup},
                )
            )
    return settings, notes


def settings_from_dict(
    data: Mapping[str, Any], defaults: Settings, base: Path
) -> tuple[Settings, list[Message]]:
    reader = _Reader(base)
    data = reader.migrated(dict(data))
    generation = reader.generation(data.get("generation", {}), defaults.generation)
    values: dict[str, Any] = {
        "language": reader.get(data, "language", defaults.language, _one_of(LANGUAGES)),
        "output_dir": reader.get(data, "output_dir", defaults.output_dir, reader.folder),
        "models_dir": reader.get(data, "models_dir", defaults.models_dir, reader.folder),
        "model_files": reader.model_files(data.get("model_files", {})),
        "memory_plan": reader.get(data, "memory_plan", defaults.memory_plan, _one_of(MEMORY_PLANS)),
        "vram_budget_gb": reader.get(
            data,
            "vram_budget_gb",
            defaults.vram_budget_gb,
            _optional(_number(0.5, MAX_VRAM_BUDGET_GB)),
        ),
        "theme": reader.get(data, "theme", defaults.theme, _one_of(THEMES)),
        "generation": generation,
        "download_source": reader.get(
            data, "download_source", defaults.download_source, _download_source
        ),
        "seed_locked": reader.get(data, "seed_locked", defaults.seed_locked, _boolean),
        "fp8_matmul": reader.get(data, "fp8_matmul", defaults.fp8_matmul, _one_of(FP8_MATMUL)),
        "compiled_maths": reader.get(
            data, "compiled_maths", defaults.compiled_maths, _one_of(COMPILED_MATHS)
        ),
        "lora_folders": reader.get(data, "lora_folders", defaults.lora_folders, reader.folders),
        "favourite_loras": reader.get(data, "favourite_loras", defaults.favourite_loras, _hashes),
        "recent_loras": reader.get(data, "recent_loras", defaults.recent_loras, _hashes),
    }
    known = {f.name for f in dataclasses.fields(Settings)} | {"schema_version"}
    for name in data:
        if name not in known:
            reader.unknown(name)
    return Settings(**values), reader.notes


class _Reader:
    """Reads values one by one, collecting a notice for each one it could not use."""

    def __init__(self, base: Path):
        self.base = base
        self.notes: list[Message] = []

    def get(
        self,
        data: Mapping[str, Any],
        name: str,
        default: T,
        parse: Callable[[Any], T],
        prefix: str = "",
    ) -> T:
        if name not in data:
            return default  # a setting added after this file was written: quietly the default
        try:
            return parse(data[name])
        except (ValueError, TypeError):
            self.invalid(prefix + name, data[name], default)
            return default

    def generation(self, data: Any, defaults: GenerationDefaults) -> GenerationDefaults:
        if not isinstance(data, dict):
            self.invalid("generation", data, "…")
            return defaults

        def get(name: str, parse: Callable[[Any], Any]) -> Any:
            return self.get(data, name, getattr(defaults, name), parse, "generation.")

        values = {
            "steps": get("steps", _integer(MIN_STEPS, MAX_STEPS)),
            "aspect_ratio": get("aspect_ratio", _one_of(ASPECT_RATIOS)),
            "long_side": get("long_side", _side),
            "guidance": get("guidance", _number(MIN_GUIDANCE, MAX_GUIDANCE)),
            "cfg_scale": get("cfg_scale", _number(MIN_CFG, MAX_CFG)),
            "count": get("count", _integer(MIN_COUNT, MAX_COUNT)),
        }
        known = {f.name for f in dataclasses.fields(GenerationDefaults)}
        for name in data:
            if name not in known:
                self.unknown(f"generation.{name}")
        return GenerationDefaults(**values)

    def model_files(self, data: Any) -> dict[str, tuple[Path, ...]]:
        if not isinstance(data, dict):
            self.invalid("model_files", data, "{}")
            return {}
        files: dict[str, tuple[Path, ...]] = {}
        for role, paths in data.items():
            if role not in MODEL_ROLES:
                self.unknown(f"model_files.{role}")
            elif not isinstance(paths, list) or not paths:
                self.invalid(f"model_files.{role}", paths, "[]")
            else:
                try:
                    files[role] = tuple(self.folder(p) for p in paths)
                except (ValueError, TypeError):
                    self.invalid(f"model_files.{role}", paths, "[]")
        return files

    def folders(self, value: Any) -> tuple[Path, ...]:
        if not isinstance(value, list):
            raise ValueError(value)
        return tuple(dict.fromkeys(self.folder(item) for item in value))

    def folder(self, value: Any) -> Path:
        if not isinstance(value, str) or not value.strip() or "\0" in value:
            raise ValueError(value)
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base / path

    def migrated(self, data: dict[str, Any]) -> dict[str, Any]:
        version = data.get("schema_version")
        current = schema_version()
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self.invalid("schema_version", version, current)
            return data
        if version > current:
            self.notes.append(
                Message(
                    "settings",
                    QT_TRANSLATE_NOOP(
                        "settings",
                        "The settings were saved by a newer version of MajicFlux; settings this "
                        "version does not know are ignored.",
                    ),
                )
            )
        for step in MIGRATIONS[version - 1 :]:
            data = step(data)
        return data

    def invalid(self, name: str, value: Any, default: Any) -> None:
        shown = json.dumps(value, ensure_ascii=False, default=str)
        self.notes.append(
            Message(
                "settings",
                QT_TRANSLATE_NOOP(
                    "settings",
                    "The setting “{name}” had a value that cannot be used ({value}); the default "
                    "({default}) is used instead.",
                ),
                {"name": name, "value": shown[:80], "default": default},
            )
        )

    def unknown(self, name: str) -> None:
        self.notes.append(
            Message(
                "settings",
                QT_TRANSLATE_NOOP(
                    "settings", "The setting “{name}” is unknown to this version and was ignored."
                ),
                {"name": name},
            )
        )


def _one_of(options: tuple[str, ...]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if value not in options or not isinstance(value, str):
            raise ValueError(value)
        return value

    return parse


def _integer(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(value)
        return value

    return parse


def _number(low: float, high: float) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise TypeError(value)
        if not low <= value <= high:  # also refuses NaN, which compares false
            raise ValueError(value)
        return float(value)

    return parse


def _optional(parse: Callable[[Any], T]) -> Callable[[Any], T | None]:
    def parse_optional(value: Any) -> T | None:
        return None if value is None else parse(value)

    return parse_optional


def _side(value: Any) -> int:
    side = _integer(MIN_SIDE, MAX_SIDE)(value)
    if side % SIDE_STEP:
        raise ValueError(value)
    return side


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(value)
    return value


def _download_source(value: Any) -> str:
    if value in DOWNLOAD_SOURCES:
        return str(value)
    if not isinstance(value, str):
        raise TypeError(value)
    url = urlsplit(value)
    if url.scheme not in ("http", "https") or not url.netloc:
        raise ValueError(value)
    return value


MAX_INT_DIGITS = 100  # far beyond any setting; Python refuses to read over 4,300 digits at all


class _AbsurdNumber:
    """An integer too long to be any setting's value: refused by every field's check, so only its
    field falls back to the default (reading it as an int would fail the whole file)."""

    def __init__(self, digits: str):
        self.digits = digits

    def __str__(self) -> str:
        return f"{self.digits[:12]}… ({len(self.digits)} digits)"


def _read_int(text: str) -> int | _AbsurdNumber:
    return _AbsurdNumber(text) if len(text) > MAX_INT_DIGITS else int(text)


class _NotSettings(ValueError):
    pass


def _why_unreadable(exc: Exception) -> Message:
    if isinstance(exc, UnicodeDecodeError):
        text = QT_TRANSLATE_NOOP("settings", "it is not UTF-8 text")
    elif isinstance(exc, _NotSettings):
        text = QT_TRANSLATE_NOOP("settings", "it holds no settings")
    elif isinstance(exc, RecursionError):
        text = QT_TRANSLATE_NOOP("settings", "it is nested too deeply")
    else:
        text = QT_TRANSLATE_NOOP("settings", "it is not valid JSON")
    return Message("settings", text)


def _keep_backup(path: Path, raw: bytes) -> Path | None:
    backup = path.with_name(path.name + ".bak")
    try:
        atomic_write_bytes(backup, raw)
    except OSError:
        log.exception("could not keep a copy of %s", path)
        return None
    return backup


def _note_unreadable(path: Path, reason: str | Message, backup: Path | None = None) -> Message:
    if backup is None:
        template = QT_TRANSLATE_NOOP(
            "settings",
            "The settings file “{path}” could not be read ({reason}); the default settings are "
            "used.",
        )
    else:
        template = QT_TRANSLATE_NOOP(
            "settings",
            "The settings file “{path}” could not be read ({reason}); the default settings are "
            "used. The file as it was is kept as “{backup}”.",
        )
    return Message("settings", template, {"path": path, "reason": reason, "backup": backup})


def _hashes(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(
        isinstance(item, str) and len(item) == 64 and all(c in "0123456789abcdef" for c in item)
        for item in value
    ):
        raise ValueError(value)
    return tuple(dict.fromkeys(value))
