"""diffsynth is imported without loading torch's compiler; what it wraps still compiles when used."""

from __future__ import annotations

import subprocess
import sys

import torch

from helpers import subprocess_env
from majicflux_desktop.engine.diffsynth_import import compile_on_first_call


def test_the_engine_imports_without_the_compiler() -> None:
    code = (
        "import sys, majicflux_desktop.engine.pipeline\n"
        "attention = sys.modules['diffsynth.core.attention.attention']\n"
        "print('inductor' if 'torch._inductor.compile_fx' in sys.modules else 'lean',"
        " attention.FLEX_ATTN_AVAILABLE)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], env=subprocess_env(), capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["lean", "True"]  # flex attention is there, not compiled


def test_a_deferred_compile_compiles_at_the_first_call_with_its_options(monkeypatch) -> None:
    calls: list[tuple[object, dict]] = []

    def fake_compile(model, **options):  # type: ignore[no-untyped-def]
        calls.append((model, options))
        return lambda x: model(x) * 10

    monkeypatch.setattr(torch, "compile", fake_compile)

    def double(x: int) -> int:
        return 2 * x

    with compile_on_first_call():
        wrapped = torch.compile(double, dynamic=True)
        decorated = torch.compile(mode="max-autotune")(double)
    assert torch.compile is fake_compile  # put back after the block
    assert calls == []
    assert wrapped(3) == 60 and wrapped(4) == 80
    assert calls == [(double, {"dynamic": True})]  # once
    assert decorated(1) == 20
    assert calls[1] == (double, {"mode": "max-autotune"})
    assert wrapped.__name__ == "double"
