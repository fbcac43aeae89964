"""Import diffsynth without compiling what the engine never runs.

diffsynth wraps flex attention in `torch.compile` when it is imported, which imports torch's
inductor (1.0 s of a 4.3 s engine import on this project's 2-core CI machine; dynamo itself still
comes, through torchvision). The engine attends through scaled_dot_product_attention, so the
wrapper compiles only if something calls it. Importing this module imports diffsynth that way.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from typing import Any

import torch


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


if "diffsynth" not in sys.modules:
    with compile_on_first_call():
        import diffsynth  # noqa: F401
