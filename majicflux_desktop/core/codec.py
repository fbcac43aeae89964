"""The one serializer: frozen dataclasses <-> JSON, versioned, used by every store and every file.

Job rows, image rows, the PNG's own metadata chunk and a dropped file's parameters all go through
`dumps`/`loads` (or `encode`/`decode` for the parsed JSON). The fields come from the dataclass itself,
so a new field with a default needs nothing here and nothing in the stores.

A dataclass with a `VERSION` class attribute is written with a `"version"` key; reading an older
document runs its `UPGRADES` (the function at index n turns version n + 1 into n + 2) before the
fields are read. Append upgrades, never edit one: users' libraries and PNGs were written by the
old versions.

Reading is strict by default (a bad value raises `DecodeError`). Given an `issues` list it is
lenient instead: each value that cannot be used is replaced by the field's default and reported,
which is what an untrusted file (a PNG from anywhere) needs. Unknown keys are ignored.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
Upgrade = Callable[[dict[str, Any]], dict[str, Any]]
VERSION_KEY = "version"
MAX_DEPTH = 16


class DecodeError(ValueError):
    pass


@dataclass(frozen=True)
class Issue:
    """A value that could not be used and was replaced by the field's default."""

    field: str  # dotted path, e.g. "request.steps"
    value: str  # the offending value, shortened for messages


# -- writing ---------------------------------------------------------------------------------------


def encode(value: Any) -> Any:
    """Plain JSON values: dataclasses as objects (with their version), enums as their value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        version = getattr(type(value), "VERSION", None)
        return {VERSION_KEY: version, **data} if version is not None else data
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [encode(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): encode(item) for key, item in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value


def dumps(value: Any) -> str:
    return json.dumps(encode(value), ensure_ascii=False, sort_keys=True)


# -- reading ---------------------------------------------------------------------------------------


def loads(cls: type[T], text: str | bytes, issues: list[Issue] | None = None) -> T:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise DecodeError(f"not JSON: {exc}") from exc
    return decode(cls, data, issues)


def decode(cls: type[T], data: Any, issues: list[Issue] | None = None, path: str = "") -> T:
    """An instance of dataclass `cls` from `data` (strict, or lenient with `issues`)."""
    return _decode_dataclass(cls, data, issues, path, 0)


def upgrade(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """Bring a document of `cls` written by an older version up to the current one."""
    version = data.get(VERSION_KEY, 1)
    current = getattr(cls, "VERSION", None)
    if current is None:
        return data
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DecodeError(f"{cls.__name__}: version {version!r} is not a version")
    if version > current:
        raise DecodeError(f"{cls.__name__}: version {version} is newer than {current}")
    steps: tuple[Upgrade, ...] = getattr(cls, "UPGRADES", ())
    for step in steps[version - 1 : current - 1]:
        data = step(dict(data))
    return data


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def _decode_dataclass(
    cls: type[T], data: Any, issues: list[Issue] | None, path: str, depth: int
) -> T:
    if not isinstance(data, Mapping):
        raise DecodeError(f"{path or cls.__name__}: expected an object, got {_short(data)}")
    data = upgrade(cls, dict(data))
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for item in dataclasses.fields(cls):  # type: ignore[arg-type]
        if not item.init or item.name not in data:
            continue
        where = f"{path}.{item.name}" if path else item.name
        try:
            values[item.name] = _value(hints[item.name], data[item.name], issues, where, depth + 1)
        except DecodeError:
            if issues is None or not _has_default(item):
                raise
            issues.append(Issue(where, _short(data[item.name])))
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:  # a required field is missing, or __post_init__ refused
        raise DecodeError(f"{path or cls.__name__}: {exc}") from exc


def _has_default(item: dataclasses.Field[Any]) -> bool:
    return (
        item.default is not dataclasses.MISSING or item.default_factory is not dataclasses.MISSING
    )


def _value(kind: Any, data: Any, issues: list[Issue] | None, path: str, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise DecodeError(f"{path}: nested too deeply")
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if data is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _value(option, data, issues, path, depth)
            except DecodeError as exc:
                errors.append(str(exc))
        raise DecodeError("; ".join(errors) or f"{path}: {_short(data)}")
    if origin is tuple:
        if not isinstance(data, list):
            raise DecodeError(f"{path}: expected a list, got {_short(data)}")
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(
                _value(args[0], item, issues, f"{path}[{i}]", depth + 1)
                for i, item in enumerate(data)
            )
        if len(args) != len(data):
            raise DecodeError(f"{path}: expected {len(args)} items, got {len(data)}")
        return tuple(
            _value(arg, item, issues, f"{path}[{i}]", depth + 1)
            for i, (arg, item) in enumerate(zip(args, data, strict=True))
        )
    if origin in (dict, Mapping, typing.Mapping):
        key_kind, item_kind = typing.get_args(kind)
        if not isinstance(data, Mapping):
            raise DecodeError(f"{path}: expected an object, got {_short(data)}")
        return {
            _value(key_kind, key, issues, path, depth + 1): _value(
                item_kind, item, issues, f"{path}.{key}", depth + 1
            )
            for key, item in data.items()
        }
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _decode_dataclass(kind, data, issues, path, depth)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        try:
            return kind(data)
        except ValueError:
            choices = [member.value for member in kind]
            raise DecodeError(f"{path}: {_short(data)} is not one of {choices}") from None
    return _scalar(kind, data, path)


def _scalar(kind: Any, data: Any, path: str) -> Any:
    if kind is Any:
        return data
    if kind is bool:
        if isinstance(data, bool):
            return data
    elif kind is int:
        if isinstance(data, int) and not isinstance(data, bool):
            return data
    elif kind is float:
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            number = float(data)
            if number == number and abs(number) != float("inf"):  # no NaN, no infinity
                return number
    elif kind is str:
        if isinstance(data, str):
            return data
    elif kind is Path:
        if isinstance(data, str):
            return Path(data)
    else:
        raise DecodeError(f"{path}: cannot read values of type {kind!r}")
    raise DecodeError(f"{path}: expected {getattr(kind, '__name__', kind)}, got {_short(data)}")


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"
