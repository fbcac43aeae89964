"""diffsynth is imported without what making an image never uses (torch's compiler, transformers,
its training-data parts); what it wraps still works when used."""

from __future__ import annotations

import subprocess
import sys

import torch

from helpers import subprocess_env
from majicflux_desktop.engine.diffsynth_import import _FLEX as FLEX
from majicflux_desktop.engine.diffsynth_import import compile_on_first_call


def run_python(code: str) -> list[str]:
    run = subprocess.run(
        [sys.executable, "-c", code], env=subprocess_env(), capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.split()


UNUSED = [
    "torch._dynamo",
    "torch._inductor",
    "sympy",
    "torch.distributed.tensor",
    "transformers",
    "torchvision",
    "pandas",
    FLEX,
    "modelscope",
]


def test_the_engine_imports_without_the_compiler_or_the_training_data_parts() -> None:
    code = (
        "import sys, majicflux_desktop.engine.pipeline\n"
        "attention = sys.modules['diffsynth.core.attention.attention']\n"
        f"print(*[name for name in {UNUSED!r} if name in sys.modules] or ['lean'],"
        " attention.FLEX_ATTN_AVAILABLE)"
    )
    assert run_python(code) == ["lean", "True"]  # flex attention is there, not imported


def test_a_load_and_an_image_import_none_of_it_either(tiny_models, tmp_path) -> None:
    """Every plan's load and image, eager as the app's first image is (issue 16 §2), with
    LoRAs folded into upcast blocks and as side branches in the Linears too."""
    from majicflux_desktop.engine import tiny_loras

    tiny_loras.kohya(tmp_path / "tiny-kohya.safetensors")
    code = (
        "import sys, numpy\n"
        "from majicflux_desktop.engine.pipeline import Engine\n"
        "from majicflux_desktop.engine import scan\n"
        "from majicflux_desktop.core.request import GenerationRequest, LoraUse\n"
        f"paths = scan.check({str(tiny_models)!r}).paths()\n"
        "for plan in ('bf16', 'fp8', 'fp8-offload', 'fp8-stream'):\n"
        "    engine = Engine(device='cpu', compile_maths='off')\n"
        "    engine.load(paths, plan, budget_bytes=0 if plan == 'fp8-stream' else None)\n"
        f"    engine.set_lora_folders([{str(tmp_path)!r}])\n"
        "    for fold, loras in ((True, ()), (True, (LoraUse('tiny-kohya', 0.8),)),"
        " (False, (LoraUse('tiny-kohya', 0.8),))):\n"
        "        engine.loras.fold = fold\n"
        "        request = GenerationRequest('a tree', seed=3, width=64, height=64, steps=2,"
        " loras=loras)\n"
        "        assert numpy.asarray(engine.generate(request).image).std() > 10\n"
        "    engine.unload()\n"
        f"print(*[name for name in {UNUSED!r} if name in sys.modules] or ['lean'])"
    )
    assert run_python(code) == ["lean"]


def test_imported_after_diffsynth_it_still_gives_diffsynth_our_t5_and_tokenizers() -> None:
    code = (
        "import diffsynth.pipelines.flux_image as flux\n"
        "import diffsynth.models.flux_text_encoder_t5 as real\n"
        "print(flux.CLIPTokenizer.__module__)  # transformers' class, before the engine\n"
        "from majicflux_desktop.engine import diffsynth_import, prompt_tokenizers, t5\n"
        "from diffsynth.models.model_loader import ModelPool\n"
        "cls = ModelPool().import_model_class(diffsynth_import._T5_CLASS)\n"
        "print(cls is t5.FluxT5Encoder, real.FluxTextEncoderT5 is cls)\n"
        "print(flux.CLIPTokenizer is prompt_tokenizers.ClipPromptTokenizer,"
        " flux.T5TokenizerFast is prompt_tokenizers.T5PromptTokenizer)"
    )
    assert run_python(code) == [
        "transformers.models.clip.tokenization_clip",
        "True",
        "True",
        "True",
        "True",
    ]


def test_a_lean_import_that_fails_falls_back_to_the_whole_one() -> None:
    """A diffsynth that asked transformers for a submodule at import (no stand-in has one) gets
    the real transformers, with a warning, and the engine still gives it our T5 and tokenizers."""
    code = (
        "import importlib.abc, logging, sys\n"
        "logging.basicConfig(stream=sys.stdout, format='%(levelname)s %(message)s')\n"
        "class AsksForASubmodule(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'diffsynth.pipelines.flux_image' and not hasattr("
        "sys.modules.get('transformers'), '__version__'):\n"
        "            import transformers.modeling_utils  # fails: a stand-in's package\n"
        "sys.meta_path.insert(0, AsksForASubmodule())\n"
        "import majicflux_desktop.engine.pipeline\n"
        "from majicflux_desktop.engine import diffsynth_import, prompt_tokenizers, t5\n"
        "import diffsynth.pipelines.flux_image as flux, diffsynth.core.loader.model as loader\n"
        "import transformers\n"
        "from diffsynth.models.model_loader import ModelPool\n"
        "cls = ModelPool().import_model_class(diffsynth_import._T5_CLASS)\n"
        "print('|', cls is t5.FluxT5Encoder, flux.CLIPTokenizer is"
        " prompt_tokenizers.ClipPromptTokenizer, loader.ContextManagers.__module__,"
        " transformers.__version__ is not None)"
    )
    out = run_python(code)
    assert out[:7] == ["WARNING", "diffsynth's", "lean", "import", "failed:", "importing", "it"]
    assert "No module named 'transformers.modeling_utils'" in " ".join(out)
    assert out[out.index("|") :] == ["|", "True", "True", "transformers.utils.generic", "True"]


def test_what_was_left_out_comes_when_asked_for() -> None:
    code = (
        "import sys, majicflux_desktop.engine.pipeline\n"
        "from majicflux_desktop.engine import diffsynth_import\n"
        "from diffsynth.core.vram.layers import AutoWrappedModule as Module\n"
        "import torch\n"
        "print(hasattr(Module.load_from_disk, '_torchdynamo_disable'))\n"
        "diffsynth_import.apply_dynamo_disables()  # as compiled maths do before compiling\n"
        "print(Module.load_from_disk._torchdynamo_disable, torch._dynamo.disable.__module__)\n"
        "from diffsynth.core.data import UnifiedDataset  # the real package, imported now\n"
        "from diffsynth.core.attention import attention\n"
        "q = torch.randn(1, 2, 4, 8)\n"
        "out = attention.flex_attention_func(q, q, q)  # the real flex attention, compiled\n"
        "print(UnifiedDataset.__module__, tuple(out.shape), 'torchvision' in sys.modules)\n"
        "import modelscope  # the real one for everyone else\n"
        "modelscope.snapshot_download = lambda model_id: 'downloaded ' + model_id\n"
        "from diffsynth.core.loader import config\n"
        "print(config.snapshot_download('MAILAND/majicflus_v1'))  # diffsynth's call reaches it"
    )
    assert run_python(code) == [
        "False",
        "True",
        "torch._dynamo.decorators",
        "diffsynth.core.data.unified_dataset",
        "(1,",
        "2,",
        "4,",
        "8)",
        "True",
        "downloaded",
        "MAILAND/majicflus_v1",
    ]


def test_transformers_is_the_real_one_after_the_engine_and_diffsynth_keeps_ours() -> None:
    code = (
        "import sys, torch, majicflux_desktop.engine.pipeline\n"
        "from majicflux_desktop.engine import prompt_tokenizers\n"
        "import diffsynth.pipelines.flux_image as flux, diffsynth.core.loader.model as loader\n"
        "print(flux.CLIPTokenizer is prompt_tokenizers.ClipPromptTokenizer,"
        " flux.T5TokenizerFast is prompt_tokenizers.T5PromptTokenizer)\n"
        "print(loader.is_deepspeed_zero3_enabled())\n"
        "entered = []\n"
        "class Note:\n"
        "    def __init__(self, name): self.name = name\n"
        "    def __enter__(self): entered.append(self.name)\n"
        "    def __exit__(self, *exc): entered.append('/' + self.name)\n"
        "with loader.ContextManagers([Note('a'), Note('b')]):\n"
        "    entered.append('body')\n"
        "print(*entered)\n"
        "from transformers import CLIPTokenizer  # the real package for everyone else\n"
        "from transformers.utils import ContextManagers\n"
        "print(CLIPTokenizer.__module__, ContextManagers.__module__)\n"
    )
    assert run_python(code) == [
        "True",
        "True",
        "False",
        "a",
        "b",
        "body",
        "/b",
        "/a",
        "transformers.models.clip.tokenization_clip",
        "transformers.utils.generic",
    ]


def test_a_name_the_stand_ins_lack_brings_the_real_transformers() -> None:
    """Had diffsynth's import asked transformers for another name, the real package would have
    come, whole, in place of the three stand-ins."""
    code = (
        "import sys, majicflux_desktop.engine.pipeline\n"
        "from majicflux_desktop.engine import diffsynth_import\n"
        "stand_ins = diffsynth_import._transformers_stand_ins()\n"
        "sys.modules.update(stand_ins)\n"
        "from transformers.integrations import is_deepspeed_zero3_enabled  # a stand-in's\n"
        "print(is_deepspeed_zero3_enabled is diffsynth_import._deepspeed_zero3)\n"
        "from transformers import AutoTokenizer  # not one of them\n"
        "import transformers.utils\n"
        "print(AutoTokenizer.__module__, sys.modules['transformers'] is not stand_ins['transformers'],"
        " hasattr(transformers.utils, 'logging'))\n"
    )
    assert run_python(code) == [
        "True",
        "transformers.models.auto.tokenization_auto",
        "True",
        "True",
    ]


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
