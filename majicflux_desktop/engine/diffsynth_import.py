"""Import diffsynth without what the engine never runs (issue 16 §2: start to first image).

Importing diffsynth as it is imports three things that making an image never uses:
- its training-data package (`diffsynth.core.data`: torchvision's models and ops, pandas): an
  empty package stands in for it and imports the real one if one of its names is asked for;
- torch's dynamo, which its VRAM-managed layers ask for at import only to decorate their loading
  methods with `torch._dynamo.disable`: the decorations are noted and applied when the compiler
  comes (`apply_dynamo_disables`, before anything is compiled);
- flex attention, wrapped in `torch.compile` (the inductor import) and imported with its sympy
  maths: the engine attends through scaled_dot_product_attention, so both wait for a first call.
transformers' text encoders still import dynamo, flex attention and torchvision when the engine
builds its models, so most of the engine import's saving (6.2–7.1 → 2.8–3.2 s on this project's
2-core CI machine; 9.1–11.1 → 3.8–5.9 s on the H200's host) moves into the load. What is left,
from the engine's import to its models' classes imported, paired runs on the CI machine: 3.7–5.9
s against 4.3–6.1 (bench/README.md, issue 16 §2). Importing this module imports diffsynth so.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch

_LAZY_PACKAGE = "diffsynth.core.data"
_FLEX = "torch.nn.attention.flex_attention"
_disabled: list[Callable[..., Any]] = []  # decorated while dynamo was stood in for


@contextlib.contextmanager
def compile_on_first_call() -> Iterator[None]:
    """While the block runs, `torch.compile(fn, ...)` returns a function that compiles `fn` the
    first time it is called, with the same arguments."""
    real = torch.compile

    def deferred(model: Callable[..., Any] | None = None, **options: Any) -> Any:
        if model is None:  # used as @torch.compile(...)
            return lambda fn: deferred(fn, **options)
        compiled: Callable[..., Any] | None = None

        @functools.wraps(model)
        def call(*args: Any, **kwargs: Any) -> Any:
            nonlocal compiled
            if compiled is None:
                compiled = real(model, **options)
            return compiled(*args, **kwargs)

        return call

    torch.compile = deferred
    try:
        yield
    finally:
        torch.compile = real


class _StandIn(types.ModuleType):
    """An empty module in place of a real one, which it imports when one of its names is asked
    for. It has no public names, so `from module import *` takes nothing from it; a package's
    submodules import as they are (`path`)."""

    def __init__(self, name: str, path: Path | None = None):
        super().__init__(name)
        if path is not None:
            self.__path__ = [str(path)]

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(_real(self.__name__), attribute)


def _real(name: str) -> types.ModuleType:
    """The module `name`, imported in place of its stand-in if need be."""
    if isinstance(sys.modules.get(name), _StandIn):
        del sys.modules[name]
    return importlib.import_module(name)


class _Flex(_StandIn):
    """torch's flex attention module for diffsynth's import: the function it takes, for later."""

    @staticmethod
    def flex_attention(*args: Any, **kwargs: Any) -> Any:
        return _real(_FLEX).flex_attention(*args, **kwargs)


class _Dynamo(_StandIn):
    """torch._dynamo while diffsynth is imported: `disable` notes what it decorates."""

    @staticmethod
    def disable(fn: Callable[..., Any] | None = None, *args: Any, **kwargs: Any) -> Any:
        if fn is None or args or kwargs:  # not the bare decorator diffsynth uses: the real one
            return _real("torch._dynamo").disable(fn, *args, **kwargs)
        _disabled.append(fn)
        return fn


def apply_dynamo_disables() -> None:
    """Give the methods decorated while dynamo was stood in for their real `disable`, so that
    compiled code does not trace into them (compiled.py calls this before compiling)."""
    import torch._dynamo

    while _disabled:
        fn = _disabled.pop()
        owner: Any = sys.modules[fn.__module__]
        *path, name = fn.__qualname__.split(".")
        for part in path:
            owner = getattr(owner, part)
        if vars(owner).get(name) is fn:
            setattr(owner, name, torch._dynamo.disable(fn))


@contextlib.contextmanager
def _lean_imports() -> Iterator[None]:
    spec = importlib.util.find_spec("diffsynth")
    assert spec is not None and spec.origin is not None
    data = _StandIn(_LAZY_PACKAGE, Path(spec.origin).parent / "core" / "data")
    stood_in: dict[str, types.ModuleType] = {_LAZY_PACKAGE: data}
    if _FLEX not in sys.modules:
        stood_in[_FLEX] = _Flex(_FLEX)
    sys.modules.update(stood_in)
    dynamo = None
    if "torch._dynamo" not in sys.modules:
        dynamo = torch._dynamo = _Dynamo("torch._dynamo")
    try:
        with compile_on_first_call():
            yield
    finally:
        if dynamo is not None and vars(torch).get("_dynamo") is dynamo:
            del torch._dynamo  # torch imports the real one when asked (torch.__getattr__)
        if sys.modules.get(_FLEX) is stood_in.get(_FLEX):
            del sys.modules[_FLEX]  # the stand-in stays only in diffsynth's hands
        # diffsynth.core.data stays: the real package comes if one of its names is asked for


if "diffsynth" not in sys.modules:
    with _lean_imports():
        import diffsynth  # noqa: F401
