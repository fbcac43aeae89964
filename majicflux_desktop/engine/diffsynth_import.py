"""Import diffsynth without what the engine never runs (issue 16 §2: start to first image).

Importing diffsynth as it is imports six things that making an image never uses:
- transformers' T5 encoder model, through diffsynth's `FluxTextEncoderT5` (a `T5EncoderModel`),
  whose module imports dynamo, torch.distributed's tensors and sympy: engine/t5.py is the same
  network in torch alone, and diffsynth builds it in place of its own (`_T5_MODULE` holds it
  under diffsynth's name, with the module map of its VRAM-managed plans);
- its training-data package (`diffsynth.core.data`: torchvision's models and ops, pandas): an
  empty package stands in for it and imports the real one if one of its names is asked for
  (`diffsynth.core.data.UnifiedDataset`; the names `diffsynth` and `diffsynth.core` re-export
  from it are not there: `from diffsynth import UnifiedDataset` fails);
- torch's dynamo, which its VRAM-managed layers ask for at import only to decorate their loading
  methods with `torch._dynamo.disable`: the decorations are noted and applied when the compiler
  comes (`apply_dynamo_disables`, before anything is compiled);
- flex attention, wrapped in `torch.compile` (the inductor import) and imported with its sympy
  maths: the engine attends through scaled_dot_product_attention, so both wait for a first call;
- ModelScope's hub client (and `requests`), for diffsynth's downloads, which the engine turns
  off: it waits for a first call too;
- transformers itself, for four names: the FLUX pipeline's two tokenizer classes, which
  engine/prompt_tokenizers.py builds on the `tokenizers` library alone, and two helpers of its
  model loader (`is_deepspeed_zero3_enabled`, `ContextManagers`), which stand-ins here answer as
  transformers would in the app (no DeepSpeed; each context entered in turn). Stand-ins are in
  `sys.modules` only while diffsynth is imported: later imports get the real transformers.
Models built on the meta device skip their embeddings' random init, whose first call imported
dynamo (`_no_init_on_meta`). The engine's import, its FLUX pipeline module included, then takes
0.3 s after torch's on this project's 2-core CI machine (2.68–2.94 s before the first of these
stand-ins, without that module) and imports 1,592 modules instead of 3,497 (bench/README.md,
issue 16 §2); loading and making an image, with LoRAs too, import none of the above. Dynamo
comes when the blocks are compiled, after the app's first image. Importing this module imports
diffsynth and its FLUX pipeline so (first: imported after diffsynth, it still gives it our T5 and
tokenizers; should the lean import fail, it imports them whole).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.machinery
import importlib.util
import logging
import sys
import threading
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch

from majicflux_desktop.engine import prompt_tokenizers, t5

log = logging.getLogger("majicflux.engine")

_LAZY_PACKAGE = "diffsynth.core.data"
_T5_MODULE = "diffsynth.models.flux_text_encoder_t5"
_T5_CLASS = f"{_T5_MODULE}.FluxTextEncoderT5"  # the name diffsynth's configs give its T5
_FLEX = "torch.nn.attention.flex_attention"
_MODELSCOPE = "modelscope"
_TRANSFORMERS = "transformers"
_FLUX_PIPELINE = "diffsynth.pipelines.flux_image"
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
    """A module in place of a real one, which it imports when a name it lacks is asked for. It
    has no public names but those set on it, so `from module import *` takes only those; a
    package's submodules import as they are from `path`, and a `package` without one has no
    submodules but the stand-ins put beside it."""

    def __init__(self, name: str, path: Path | None = None, package: bool = False):
        super().__init__(name)
        package = package or path is not None
        self.__spec__ = importlib.machinery.ModuleSpec(name, None, is_package=package)
        if package:
            self.__path__ = [] if path is None else [str(path)]

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(_real(self.__name__), attribute)


_replacing = threading.RLock()  # one thread at a time takes a stand-in out for its module


def _real(name: str) -> types.ModuleType:
    """The module `name`, imported in place of its stand-in if need be, and in place of the
    stand-ins for the rest of its package (the real package imports its own submodules)."""
    with _replacing:
        if isinstance(sys.modules.get(name), _StandIn):
            top = name.partition(".")[0]
            for key, module in list(sys.modules.items()):
                if key.partition(".")[0] == top and isinstance(module, _StandIn):
                    del sys.modules[key]
        return importlib.import_module(name)


class _Flex(_StandIn):
    """torch's flex attention module for diffsynth's import: the function it takes, for later."""

    @staticmethod
    def flex_attention(*args: Any, **kwargs: Any) -> Any:
        return _real(_FLEX).flex_attention(*args, **kwargs)


class _ModelScope(_StandIn):
    """ModelScope for diffsynth's import: its download function, imported when called (the app
    downloads through engine/download.py; diffsynth's own downloads are turned off)."""

    @staticmethod
    def snapshot_download(*args: Any, **kwargs: Any) -> Any:
        return _real(_MODELSCOPE).snapshot_download(*args, **kwargs)


class _Dynamo(_StandIn):
    """torch._dynamo while diffsynth is imported: `disable` notes what it decorates."""

    @staticmethod
    def disable(fn: Callable[..., Any] | None = None, *args: Any, **kwargs: Any) -> Any:
        if fn is None or args or kwargs:  # not the bare decorator diffsynth uses: the real one
            return _real("torch._dynamo").disable(fn, *args, **kwargs)
        _disabled.append(fn)
        return fn


def _deepspeed_zero3() -> bool:
    """transformers' `is_deepspeed_zero3_enabled` for diffsynth's model loader: only a DeepSpeed
    configuration made through transformers turns it on, and then its module is there to ask."""
    deepspeed = sys.modules.get("transformers.integrations.deepspeed")
    return bool(deepspeed is not None and deepspeed.is_deepspeed_zero3_enabled())


class _ContextManagers(contextlib.ExitStack):
    """transformers' `ContextManagers` for diffsynth's model loader: enters each in turn."""

    def __init__(self, managers: list[contextlib.AbstractContextManager[Any]]):
        super().__init__()
        self._managers = managers

    def __enter__(self) -> _ContextManagers:
        super().__enter__()
        for manager in self._managers:
            self.enter_context(manager)
        return self


def _transformers_stand_ins() -> dict[str, types.ModuleType]:
    """transformers and two of its modules with the names diffsynth's import takes from them."""
    package = _StandIn(_TRANSFORMERS, package=True)
    package.CLIPTokenizer = prompt_tokenizers.ClipPromptTokenizer  # type: ignore[attr-defined]
    package.T5TokenizerFast = prompt_tokenizers.T5PromptTokenizer  # type: ignore[attr-defined]
    integrations = _StandIn(f"{_TRANSFORMERS}.integrations")
    integrations.is_deepspeed_zero3_enabled = _deepspeed_zero3  # type: ignore[attr-defined]
    utils = _StandIn(f"{_TRANSFORMERS}.utils")
    utils.ContextManagers = _ContextManagers  # type: ignore[attr-defined]
    return {module.__name__: module for module in (package, integrations, utils)}


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
    stood_in: dict[str, types.ModuleType] = {_LAZY_PACKAGE: data, _T5_MODULE: _t5_module()}
    if _FLEX not in sys.modules:
        stood_in[_FLEX] = _Flex(_FLEX)
    if _MODELSCOPE not in sys.modules:
        stood_in[_MODELSCOPE] = _ModelScope(_MODELSCOPE)
    if _TRANSFORMERS not in sys.modules:
        stood_in.update(_transformers_stand_ins())
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
        for name in stood_in.keys() - {_LAZY_PACKAGE, _T5_MODULE}:
            if sys.modules.get(name) is stood_in[name]:
                del sys.modules[name]  # the stand-in stays only in diffsynth's hands
        # diffsynth.core.data stays: the real package comes if one of its names is asked for


def _t5_module() -> types.ModuleType:
    """diffsynth's T5 module as the engine has it: its one name is engine/t5.py's encoder."""
    module = types.ModuleType(_T5_MODULE, "FLUX's T5 encoder: majicflux_desktop.engine.t5.")
    module.__spec__ = importlib.machinery.ModuleSpec(_T5_MODULE, None)
    module.FluxTextEncoderT5 = t5.FluxT5Encoder  # type: ignore[attr-defined]
    return module


def _use_our_t5() -> None:
    """diffsynth builds engine/t5.py's encoder for its T5, also where diffsynth's own T5 module
    was imported before this one; and its VRAM-managed plans wrap our classes (its map names
    transformers' classes, which would import transformers' T5 module)."""
    from diffsynth.configs import VRAM_MANAGEMENT_MODULE_MAPS

    module = sys.modules.setdefault(_T5_MODULE, _t5_module())
    module.FluxTextEncoderT5 = t5.FluxT5Encoder  # type: ignore[attr-defined]
    layers = "diffsynth.core.vram.layers."
    VRAM_MANAGEMENT_MODULE_MAPS[_T5_CLASS] = {
        "torch.nn.Linear": layers + "AutoWrappedLinear",
        "torch.nn.Embedding": layers + "AutoWrappedModule",
        "majicflux_desktop.engine.t5.T5LayerNorm": layers + "AutoWrappedModule",
        "majicflux_desktop.engine.t5.T5DenseGatedActDense": layers + "AutoWrappedModule",
    }


def _use_our_tokenizers() -> None:
    """The FLUX pipeline loads engine/prompt_tokenizers.py's tokenizers, also where it was
    imported before this module with transformers' (the same tokenizers, imported slower)."""
    pipeline = sys.modules[_FLUX_PIPELINE]
    pipeline.CLIPTokenizer = prompt_tokenizers.ClipPromptTokenizer  # type: ignore[attr-defined]
    pipeline.T5TokenizerFast = prompt_tokenizers.T5PromptTokenizer  # type: ignore[attr-defined]


def _no_init_on_meta() -> None:
    """Embeddings on the meta device skip their random init, which has no values to set there
    but whose first call imports dynamo (torch's reference `normal_`): diffsynth builds every
    model on the meta device and loads its weights after. Elsewhere they initialise as before."""
    init = torch.nn.Embedding.reset_parameters
    if getattr(init, "_skips_meta", False):
        return

    @functools.wraps(init)
    def reset_parameters(self: torch.nn.Embedding) -> None:
        if not self.weight.is_meta:
            init(self)

    reset_parameters._skips_meta = True  # type: ignore[attr-defined]
    torch.nn.Embedding.reset_parameters = reset_parameters  # type: ignore[method-assign]


def _import_diffsynth() -> None:
    """diffsynth and its FLUX pipeline (which takes its tokenizer classes from the stand-in),
    lean; whole where the lean import fails: a diffsynth or transformers other than the ones
    tested here asking, at import, for what no stand-in has (a transformers submodule, say)."""
    try:
        with _lean_imports():
            importlib.import_module(_FLUX_PIPELINE)
    except Exception:
        log.warning("diffsynth's lean import failed: importing it whole", exc_info=True)
        for name in [n for n in sys.modules if n.partition(".")[0] == "diffsynth"]:
            del sys.modules[name]  # half imported, with stand-ins in its hands
        _disabled.clear()  # decorated by the real dynamo this time
        importlib.import_module(_FLUX_PIPELINE)


if "diffsynth" not in sys.modules:
    _import_diffsynth()
else:
    log.warning(
        "diffsynth was imported before the engine: its training-data parts, transformers, "
        "dynamo and flex attention came with it"
    )
    importlib.import_module(_FLUX_PIPELINE)
_use_our_t5()
_use_our_tokenizers()
_no_init_on_meta()
