"""Compiled transformer blocks: the same maths in fused kernels (torch.compile, one block at a time).

Each transformer block's forward is compiled, not the whole model: the 19 double blocks share one
graph and the 38 single blocks another (dynamo takes their weights as inputs), so the streamer can
swap a streamed block's weights every step without a recompilation, and its hooks stay outside
the compiled code. On the H200 this fuses float8 maths' activation quantisers, the norms and the
modulations (95 ms of elementwise kernels in a 183 ms step): fp8 resident 0.176 → 0.096 s/step,
the 8 GB plan 0.183 → 0.152 (bench/README.md).

Compiling costs time once per image size and machine (16 s at 1024² on the H200); the compiler's
caches live in the app's data folder (AppPaths.keep_tool_caches_here), so a later start loads the
kernels instead (2.5 s), and a record beside them tells the window which of the two to expect. The
app's first image after a load runs eagerly and the blocks compile for the next one
(`Engine.compile_after_first_image`): on the H200 that made the first image 6 s sooner. Where
the compiler is missing or fails (no Triton, no C compiler for its launchers), the blocks run as
before, eagerly, and the reason is logged and reported once.

Plain LoRAs compile with the blocks: their pairs are tensors of the Linears they change, whose
class then adds them (lora_apply._PairLinear), and the pairs' rank is a dynamic size, so one more
graph per block kind serves every stack of LoRAs and switching compiles nothing (issue 14 asks
switching to stay under a second). Where the streamer upcasts the blocks (bf16 maths) the pairs
are added to the upcast weights instead (lora_fold), and the LoRA-free graphs serve. Every other
size stays static (`automatic_dynamic_shapes` off): a new image size compiles kernels of its own.
LoRAs that need forward hooks inside the blocks (LoKr, LoHa, DoRA, pairs waiting in host memory)
run the blocks eagerly (`eager_while`): compiled code would skip a hook. Hooks on the layers
around the blocks run as they are.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import torch

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message
from majicflux_desktop.core.paths import atomic_write_bytes
from majicflux_desktop.engine import toolchain

log = logging.getLogger("majicflux.compiled")

MODES = ("auto", "on", "off")  # auto: on NVIDIA GPUs where the compiler works; on: also the CPU
RECOMPILE_LIMIT = 64  # graphs per block kind: sizes (and tiles) a session may use
# Told as a step/total pair while new graphs are compiled: the double blocks, then the single ones.
KINDS = 2


def _why(text: str, **params: Any) -> Message:
    return Message("compiled", text, params)


def unavailable(device: str, mode: str) -> Message | None:
    """Why blocks are not compiled here (None: they are)."""
    if mode == "off":
        return _why(QT_TRANSLATE_NOOP("compiled", "off in Settings"))
    if mode == "auto" and torch.device(device).type != "cuda":
        return _why(QT_TRANSLATE_NOOP("compiled", "they need an NVIDIA GPU"))
    try:
        from torch.utils._triton import has_triton
    except ImportError as exc:  # a torch built without its compiler
        return _why(
            QT_TRANSLATE_NOOP("compiled", "PyTorch's compiler is missing ({error})"), error=exc
        )
    if torch.device(device).type != "cuda":
        return None  # inductor's C++ backend: a compiler that fails is reported at the first image
    if not has_triton():
        return _why(QT_TRANSLATE_NOOP("compiled", "Triton, the GPU compiler, is not installed"))
    return toolchain.problem()


def layer_offload() -> Message:
    return _why(QT_TRANSLATE_NOOP("compiled", "diffsynth moves this plan's layers itself"))


def did_not_start(exc: BaseException) -> Message:
    return _why(
        QT_TRANSLATE_NOOP("compiled", "the compiler did not start ({error})"),
        error=f"{type(exc).__name__}: {exc}",
    )


_ahead: threading.Thread | None = None


def import_ahead() -> None:
    """Import the compiler in a thread of its own now (2.5 s on the H200's host, 0.9 s here),
    for `CompiledBlocks` to find it imported: during a load that compiles the blocks right after
    (its file reads and page-locking leave the GIL mostly free, though the transformer's reading
    threads still lose seconds to it), or after the app's first image (`Engine.generate`)."""
    global _ahead
    if _ahead is None and "torch._inductor.compile_fx" not in sys.modules:
        _ahead = threading.Thread(target=_import_compiler, name="majicflux-compiler", daemon=True)
        _ahead.start()


def _import_compiler() -> None:
    try:
        import torch._inductor.compile_fx  # noqa: F401 - what torch.compile imports first
    except Exception:
        log.debug("importing the compiler ahead failed", exc_info=True)


def _configure() -> None:
    if _ahead is not None:
        _ahead.join()
    import torch._dynamo
    import torch._inductor.config

    from majicflux_desktop.engine import diffsynth_import

    diffsynth_import.apply_dynamo_disables()
    torch._dynamo.config.cache_size_limit = max(
        torch._dynamo.config.cache_size_limit, RECOMPILE_LIMIT
    )
    # Sizes are static but those marked dynamic (a LoRA pair's rank), module tensors included.
    torch._dynamo.config.automatic_dynamic_shapes = False
    torch._dynamo.config.force_nn_module_property_static_shapes = False
    torch._dynamo.config.force_parameter_static_shapes = False
    if toolchain.FROZEN:
        # inductor compiles in worker processes started from sys.executable, which in the frozen
        # app is the app itself: compile in this process instead (slower, once per size)
        torch._inductor.config.compile_threads = 1


def read_record(record: Path | None) -> set[str]:
    """The graphs the record beside the compiler's caches says are compiled on this machine."""
    if record is None:
        return set()
    try:
        known = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {str(k) for k in known} if isinstance(known, list) else set()


def _shapes(args: Sequence[Any], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """What a recompilation depends on here: the shapes of the tensors a block gets."""

    def shape(value: Any) -> Any:
        if isinstance(value, torch.Tensor):
            return tuple(value.shape)
        if isinstance(value, tuple | list):
            return tuple(shape(v) for v in value)
        return None

    return tuple(shape(a) for a in args) + tuple((k, shape(v)) for k, v in sorted(kwargs.items()))


def _classes(block: torch.nn.Module) -> str:
    """The classes of the block's modules, in order: a Linear with a LoRA pair is a class of its
    own (lora_apply._PairLinear), and a block with pairs on other Linears compiles a graph of
    its own, as do int8 pairs (lora_apply.int8_pair) against full ones."""
    names = ",".join(
        type(module).__name__ + _pair_dtype(module.__dict__.get("lora_pairs"))
        for module in block.modules()
    )
    return hashlib.sha256(names.encode()).hexdigest()[:8]


def _pair_dtype(pairs: Any) -> str:
    return f":{pairs[0][1].dtype}" if pairs else ""


class CompiledBlocks:
    """The transformer's blocks with compiled forwards, used while `active`.

    `on_prepare(done, total, first_time)` is called before a graph is compiled in this process
    (first_time: never on this machine, as far as the cache folder's record knows), so the
    window can say why this step takes long.
    """

    def __init__(
        self,
        kinds: Sequence[Sequence[torch.nn.Module]],
        record: Path | None,
        signature: str,
    ):
        _configure()
        self.active = True
        self.failure: str | None = None  # why compiling failed (the blocks run eagerly since)
        self.on_prepare: Callable[[int, int, bool], None] | None = None
        self.prepared_now = False  # a graph was compiled during the current image
        self.compile_seconds = 0.0  # spent on that in the current image
        self._record = record
        self._signature = signature
        self._known = read_record(record)
        self._seen: set[str] = set()
        self._classes: dict[int, str] = {}  # id(block) -> _classes(block) in the current image
        self._lock = threading.Lock()
        self._blocks: list[tuple[torch.nn.Module, Callable[..., Any]]] = []
        for kind, blocks in enumerate(kinds):
            for block in blocks:
                self._wrap(kind, block)

    def _wrap(self, kind: int, block: torch.nn.Module) -> None:
        eager = block.forward
        compiled = torch.compile(eager, dynamic=None)  # None: marked sizes are dynamic

        def forward(*args: Any, **kwargs: Any) -> Any:
            if not self.active or self.failure is not None:
                return eager(*args, **kwargs)
            classes = self._classes.get(id(block))
            if classes is None:  # LoRAs change between images only (eager_while forgets these)
                classes = self._classes[id(block)] = _classes(block)
            key = f"{self._signature}|{kind}|{_shapes(args, kwargs)}|{classes}"
            new = key not in self._seen
            if new:
                self._announce(kind, key)
            started = time.perf_counter()
            try:
                out = compiled(*args, **kwargs)
            except torch.OutOfMemoryError:
                raise
            except Exception as exc:  # any compiler failure: the eager path instead
                self._fail(exc)
                return eager(*args, **kwargs)
            if new:
                self.compile_seconds += time.perf_counter() - started
                self._seen.add(key)
                self._remember(key)
            return out

        block.forward = forward
        self._blocks.append((block, eager))

    def _announce(self, kind: int, key: str) -> None:
        self.prepared_now = True
        if self.on_prepare is not None:
            self.on_prepare(kind, KINDS, key not in self._known)
        log.info("compiling transformer block kind %d for %s", kind, key)

    def _fail(self, exc: BaseException) -> None:
        first_line = next(iter(str(exc).strip().splitlines()), "")
        self.failure = f"{type(exc).__name__}: {first_line}"
        log.warning(
            "compiled maths failed, the blocks run as before: %s", self.failure, exc_info=exc
        )

    def _remember(self, key: str) -> None:
        """Note that this graph is in the cache now (a later start tells the user it is quick)."""
        if self._record is None or key in self._known:
            return
        with self._lock:
            self._known.add(key)
            with contextlib.suppress(OSError):
                atomic_write_bytes(self._record, json.dumps(sorted(self._known), indent=0).encode())

    def forget_classes(self) -> None:
        """The blocks' module classes may have changed (a LoRA on a Linear changes its class)."""
        self._classes = {}

    def remove(self) -> None:
        """The blocks' own forwards again."""
        for block, eager in self._blocks:
            block.forward = eager
        self._blocks = []


def signature(device: str, fp8_maths: bool) -> str:
    """What compiled kernels depend on beyond the shapes: torch, the GPU, the maths."""
    gpu = torch.cuda.get_device_name(0) if torch.device(device).type == "cuda" else "cpu"
    text = f"{torch.__version__}|{gpu}|fp8={fp8_maths}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@contextlib.contextmanager
def eager_while(blocks: CompiledBlocks | None, eager: bool) -> Iterator[None]:
    """Run the blocks eagerly inside the block when `eager` (LoRAs are on)."""
    if blocks is None:
        yield
        return
    blocks.active = not eager
    blocks.forget_classes()
    blocks.prepared_now = False
    blocks.compile_seconds = 0.0
    try:
        yield
    finally:
        blocks.active = True
