"""Apply LoRAs to the transformer as side branches: out += weight · branch(x) on each Linear they
change; or, in blocks that the streamer upcasts to bf16 before each run (bf16 maths), added to
that upcast copy of the weight (lora_fold: beside the previous block's maths, on the upcast
stream). The float8 weights are never rewritten.

A branch runs inside the target Linear's call, so it runs in every memory plan: on resident
Linears, on diffsynth's VRAM-managed ones (fp8-offload), on streamed blocks whose weights point at
workspace views only while the block runs, and on float8-maths Linears (`streaming.Fp8Linear`). It
reads nothing of the module but its input and output, except for DoRA, which needs the base
weight's norms once (read from the module at its first forward). It takes one of two forms:
- plain LoRAs (the usual case): the Linear's class becomes a subclass that adds their stacked
  pairs (one per output row range), kept as tensors of the module (`_PairLinear`). Being part of
  the module's own forward, the compiled blocks (compiled.py) compile them with the block, and a
  pair's rank is a dynamic size there: one graph serves every stack, weights and ranks of a
  layout, so switching compiles nothing after the first LoRA image;
- on a Linear with LoKr, LoHa, DoRA or bias patches too, or with pairs in host memory in a
  resident block: a forward hook that adds the same pairs and the rest, which compiled code would
  skip; while a Linear inside the blocks has one, the blocks run eagerly (`LoraStack.hooked`).
When the GPU has no room for the stack, the pairs wait in page-locked host memory and go to the GPU
with their streamed blocks' weights (`LoraStack` is the streamer's `Riders`). A Linear whose pairs
are folded (`_Branches.folded`: on the GPU, in an upcast block, no other patch on it) stays
plain: its block runs the LoRA-free graph, and the streamer asks `LoraStack.folds` for its pairs.

Every layout that lora_match.py recognises is converted once per file into `Patch`es in the
compute dtype and kept by SHA-256 (`ConvertedCache`, host RAM): switching, re-weighting, adding
or removing LoRAs moves those tensors to the device or drops them, and never reloads the model.
A patch holds what the file holds (no full weight-sized matrix), so a LoRA costs about its file's
size on the GPU.

The maths of each kind, never with the full matrix in the forward pass:
- LoRA: up @ down, as (x @ downᵀ) @ upᵀ;
- LoHa: (A1 B1) ∘ (A2 B2) is a LoRA of rank r1·r2 whose down rows are the products of B1's and
  B2's rows and whose up columns are the products of A1's and A2's columns (exact); that pair is
  made for each forward pass and dropped (r1·r2·(in+out) numbers, a few MB), not kept;
- LoKr: kron(W1, W2) x = vec(W1 · X · W2ᵀ) with X the input as a (in1, in2) matrix;
- DoRA: W' = m ⊙ (W + sΔ) / ‖W + sΔ‖ (per output row, or per input column by the magnitude's
  shape), applied at weight w as W + w (W' - W); each LoRA's DoRA is taken against the base
  weight, so a stack adds the LoRAs' changes.
"""

from __future__ import annotations

import functools
import logging
import math
import sys
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import torch

from majicflux_desktop.core.results import AppliedLora
from majicflux_desktop.engine.lora_files import LoraFile
from majicflux_desktop.engine.lora_match import BIAS, FULL, LOHA, LOKR, LORA, LayerMatch

log = logging.getLogger("majicflux.loras")

DORA_EPS = 1e-6
NORM_ROWS = 4096  # rows of W + sΔ made at once for DoRA's norms: bounded extra memory
# The transformer's blocks (diffsynth's FluxDiT.blocks and .single_blocks): what compiled maths
# compile (engine/compiled.py), by the names of their Linears
COMPILED_PARTS = ("blocks.", "single_blocks.")


@dataclass(frozen=True)
class Patch:
    """One layer of one LoRA, converted: what it adds to one Linear's output rows.

    The file's scale (alpha / rank) is folded into `up`, `hada[0]`, `kron[0]`, `diff` and `bias`;
    the weight the person chose multiplies at run time.
    """

    module: str
    rows: tuple[int, int] | None
    down: torch.Tensor | None = None  # (rank, in)
    up: torch.Tensor | None = None  # (rows, rank)
    hada: tuple[torch.Tensor, ...] | None = None  # A1 (rows, r1), B1 (r1, in), A2, B2
    kron: tuple[torch.Tensor, ...] | None = None  # W1 (out1, in1), W2 (out2, in2)
    roll: int = 0  # LoKr only (the others' rows are rolled when converted)
    diff: torch.Tensor | None = None  # (rows, in)
    bias: torch.Tensor | None = None  # (rows,)
    magnitude: torch.Tensor | None = None  # DoRA, float32
    axis: str = ""  # DoRA: "out" or "in"

    def tensors(self) -> list[torch.Tensor]:
        found = [self.down, self.up, self.diff, self.bias, *(self.hada or ()), *(self.kron or ())]
        return [t for t in (*found, self.magnitude) if t is not None]

    @property
    def nbytes(self) -> int:
        return sum(t.numel() * t.element_size() for t in self.tensors())

    def to(self, device: torch.device, dtype: torch.dtype) -> Patch:
        def move(t: torch.Tensor | None) -> torch.Tensor | None:
            return None if t is None else t.to(device, dtype)

        return replace(
            self,
            down=move(self.down),
            up=move(self.up),
            hada=None if self.hada is None else tuple(t.to(device, dtype) for t in self.hada),
            kron=None if self.kron is None else tuple(t.to(device, dtype) for t in self.kron),
            diff=move(self.diff),
            bias=move(self.bias),
            magnitude=None if self.magnitude is None else self.magnitude.to(device),
        )

    def low_rank(self) -> tuple[torch.Tensor, torch.Tensor] | None:
        """(down, up) of a LoRA, or of a LoHa as the rank r1·r2 pair it equals."""
        if self.down is not None and self.up is not None:
            return self.down, self.up
        if self.hada is None:
            return None
        a1, b1, a2, b2 = self.hada
        down = (b1[:, None, :] * b2[None, :, :]).reshape(-1, b1.shape[1])
        up = (a1[:, :, None] * a2[:, None, :]).reshape(a1.shape[0], -1)
        return down, up

    def delta_x(self, x: torch.Tensor, weight: float) -> torch.Tensor:
        """weight · sΔ x for this patch's rows (in x's dtype)."""
        out: torch.Tensor | None = None
        pair = self.low_rank()
        if pair is not None:
            down, up = pair
            out = ((x @ down.t()) * weight) @ up.t()
        elif self.kron is not None:
            w1, w2 = self.kron
            grouped = x.reshape(*x.shape[:-1], w1.shape[1], w2.shape[1])
            mixed = torch.matmul(w1, (grouped @ w2.t()) * weight)
            out = mixed.reshape(*x.shape[:-1], w1.shape[0] * w2.shape[0])
            if self.roll:
                out = torch.roll(out, self.roll, dims=-1)
        elif self.diff is not None:
            out = (x @ self.diff.t()) * weight
        if self.bias is not None:
            out = self.bias * weight if out is None else out + self.bias * weight
        assert out is not None
        return out

    def delta_rows(self, start: int, stop: int) -> torch.Tensor:
        """sΔ's rows start..stop, dense, in float32 (DoRA's norms)."""
        if self.down is not None and self.up is not None:
            return self.up[start:stop].float() @ self.down.float()
        if self.hada is not None:
            a1, b1, a2, b2 = (t.float() for t in self.hada)
            return (a1[start:stop] @ b1) * (a2[start:stop] @ b2)
        if self.diff is not None:
            return self.diff[start:stop].float()
        assert self.kron is not None
        w1, w2 = (w.float() for w in self.kron)
        if self.roll:
            return torch.roll(torch.kron(w1, w2), self.roll, dims=0)[start:stop]
        rows2 = w2.shape[0]
        first, last = start // rows2, -(-stop // rows2)
        block = torch.kron(w1[first:last], w2)
        return block[start - first * rows2 : stop - first * rows2]


@dataclass
class ConvertedLora:
    sha256: str
    file: LoraFile
    patches: list[Patch]

    @property
    def nbytes(self) -> int:
        return sum(p.nbytes for p in self.patches)


def convert(file: LoraFile, sha256: str, dtype: torch.dtype) -> ConvertedLora:
    """Read the file's matched layers and convert each to a Patch in `dtype` (CPU)."""
    from safetensors import safe_open

    patches = []
    with safe_open(str(file.path), framework="pt", device="cpu") as handle:
        for layer in file.layers:
            # A plain LoRA's pair goes straight to `dtype` (its scale is one multiply, rounded
            # once either way): no float32 round trip through the whole file. The other kinds
            # combine tensors and are worked out in float32.
            tensors = {
                role: handle.get_tensor(key).to(
                    dtype if layer.kind == LORA and role in ("down", "up") else torch.float32
                )
                for role, key in layer.tensors
            }
            patches.append(_patch(layer, tensors).to(torch.device("cpu"), dtype))
    return ConvertedLora(sha256, file, patches)


def _scale(layer: LayerMatch, tensors: dict[str, torch.Tensor]) -> float:
    alpha = float(tensors["alpha"].item()) if "alpha" in tensors else layer.metadata_alpha
    if alpha is None or layer.rank <= 0:
        return 1.0  # no alpha: the trainer's scale is 1 (PEFT and kohya with alpha = rank)
    return alpha / (math.sqrt(layer.rank) if layer.rslora else layer.rank)


def _patch(layer: LayerMatch, t: dict[str, torch.Tensor]) -> Patch:
    scale = _scale(layer, t) if layer.kind in (LORA, LOHA, LOKR) else 1.0
    roll = layer.slot.roll

    def rolled(tensor: torch.Tensor | None) -> torch.Tensor | None:
        return None if tensor is None or not roll else torch.roll(tensor, roll, dims=0)

    bias = t.get("diff_b")
    if bias is not None and layer.kind == LORA:
        bias = bias * scale  # PEFT's lora_B bias is scaled with its weight
    magnitude = t.get("magnitude")
    if magnitude is not None:
        magnitude = magnitude.flatten()
        if layer.magnitude == "out" and roll:
            magnitude = torch.roll(magnitude, roll, dims=0)
    common: dict[str, Any] = {
        "module": layer.slot.module,
        "rows": layer.slot.rows,
        "bias": rolled(bias) if roll else bias,
        "magnitude": magnitude,
        "axis": layer.magnitude,
    }
    if layer.kind == LORA:
        up = t["up"] * scale
        return Patch(down=t["down"], up=rolled(up) if roll else up, **common)
    if layer.kind == LOHA:
        a1, b1, a2, b2 = t["hada_w1_a"] * scale, t["hada_w1_b"], t["hada_w2_a"], t["hada_w2_b"]
        if roll:  # output rows are the rows of A1 and A2
            a1, a2 = torch.roll(a1, roll, dims=0), torch.roll(a2, roll, dims=0)
        return Patch(hada=(a1, b1, a2, b2), **common)
    if layer.kind == LOKR:
        w1 = t["lokr_w1"] if "lokr_w1" in t else t["lokr_w1_a"] @ t["lokr_w1_b"]
        w2 = t["lokr_w2"] if "lokr_w2" in t else t["lokr_w2_a"] @ t["lokr_w2_b"]
        return Patch(kron=(w1 * scale, w2), roll=roll, **common)
    if layer.kind == FULL:
        return Patch(diff=rolled(t["diff"]) if roll else t["diff"], **common)
    assert layer.kind == BIAS
    return Patch(**common)


class ConvertedCache:
    """Converted LoRAs by (SHA-256, dtype), the most recently used kept within a byte limit."""

    def __init__(self, max_bytes: int = 4 * 2**30):
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, torch.dtype, int], ConvertedLora] = OrderedDict()
        self.conversions = 0  # files read and converted (not found here)

    def get(self, file: LoraFile, sha256: str, dtype: torch.dtype) -> ConvertedLora:
        key = (sha256, dtype, hash(file.layers))  # the same file matched another transformer
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        converted = convert(file, sha256, dtype)
        self.conversions += 1
        self._items[key] = converted
        while len(self._items) > 1 and sum(c.nbytes for c in self._items.values()) > self.max_bytes:
            self._items.popitem(last=False)
        return converted


@dataclass
class _Active:
    """A LoRA in use: its patches on the compute device, and the weight chosen for it."""

    converted: ConvertedLora
    weight: float
    patches: list[Patch]
    ratios: dict[int, torch.Tensor] = field(default_factory=dict)  # DoRA: m / ‖W + sΔ‖
    elsewhere: dict[tuple[int, torch.device, torch.dtype], Patch] = field(default_factory=dict)

    def placed(self, patch: Patch, x: torch.Tensor) -> Patch:
        """The patch where x is. Always so, but for a plan computing on another device or dtype
        than the engine's (then it is moved once and kept)."""
        first = next(t for t in patch.tensors() if t is not patch.magnitude)
        if first.device == x.device and first.dtype == x.dtype:
            return patch
        key = (id(patch), x.device, x.dtype)
        if key not in self.elsewhere:
            self.elsewhere[key] = patch.to(x.device, x.dtype)
        return self.elsewhere[key]

    @property
    def nbytes(self) -> int:
        ratios = sum(r.numel() * r.element_size() for r in self.ratios.values())
        return sum(p.nbytes for p in self.patches) + ratios


# One pair of a Linear: (its output rows, None for all; down_t (in, rank); up_t (rank, rows);
# None, or the (rank, 1) float32 scales of int8 down_t and up_t: `int8_pair`).
Pair = tuple[tuple[int, int] | None, torch.Tensor, torch.Tensor, torch.Tensor | None]


class _PairLinear(torch.nn.Module):
    """Mixed into a Linear's class while plain LoRAs are on it: out[rows] += (x @ down_t) @ up_t
    for each of its pairs (`lora_pairs`: one per row range the LoRAs change, the ranks of all
    LoRAs on that range side by side and each LoRA's weight folded into up_t)."""

    lora_pairs: tuple[Pair, ...]

    def forward(self, x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        return _add_pairs(super().forward(x, *args, **kwargs), x, self.lora_pairs)


def _add_pairs(out: torch.Tensor, x: torch.Tensor, pairs: tuple[Pair, ...]) -> torch.Tensor:
    """out with each pair's product added into its rows (in place where out is contiguous). The
    output is read and written once per row range, however many LoRAs are on it (one add per
    LoRA made a stack cost 40 ms a LoRA per 1024² step)."""
    flat = out.reshape(-1, out.shape[-1])  # a view of a fresh output (a copy otherwise)
    flat_x = x.reshape(-1, x.shape[-1])
    for pair in pairs:
        rows, down_t, up_t, _ = widened_pair(pair, flat_x.dtype)  # full pairs: as they are
        region = flat if rows is None else flat[:, rows[0] : rows[1]]
        region.addmm_(flat_x @ down_t, up_t)
    return flat.view(out.shape)


def widened_pair(pair: Pair, dtype: torch.dtype) -> Pair:
    """An `int8_pair` in `dtype` (a full pair: down_t widened exactly, both scales of each rank
    folded into up_t, rounded once); a full pair as it is."""
    rows, down_t, up_t, scale = pair
    if scale is None:
        return pair
    return rows, down_t.to(dtype), (up_t * scale).to(dtype), None


def int8_pair(pair: Pair) -> Pair:
    """The pair in half the bytes: down_t's columns and up_t's rows (one per rank) as int8, each
    scaled by its largest magnitude, and one float32 scale per rank for both. Each rank keeps 7
    bits of its largest value (the float8 weights the LoRA adds to keep 3); a stack equals its
    parts applied together as before, since no scale spans two LoRAs' ranks. On a card whose
    budget streams blocks, half the bytes keep a resident block more, or halve what rides on the
    bus with the streamed ones."""
    rows, down_t, up_t, _ = pair
    down, up = down_t.float(), up_t.float()
    down_max = down.abs().amax(dim=0)  # (rank,)
    up_max = up.abs().amax(dim=1)
    down_scale = torch.where(down_max > 0, down_max / 127, 1.0)
    up_scale = torch.where(up_max > 0, up_max / 127, 1.0)
    return (
        rows,
        (down / down_scale).round_().to(torch.int8),
        (up / up_scale[:, None]).round_().to(torch.int8),
        (down_scale * up_scale)[:, None].contiguous(),
    )


@functools.cache
def _with_pair(base: type) -> type:
    attributes = {"__module__": __name__, "lora_base": base}
    return type(f"Lora{base.__name__}", (_PairLinear, base), attributes)


def base_class(module: torch.nn.Module) -> type[torch.nn.Module]:
    """The Linear's own class, without the LoRA pairs mixed in."""
    base: type[torch.nn.Module] = getattr(type(module), "lora_base", type(module))
    return base


def _put_pairs(module: torch.nn.Module, pairs: tuple[Pair, ...] | None) -> None:
    """Give the Linear these pairs, or none."""
    if pairs is None:
        module.__class__ = base_class(module)
        module.__dict__.pop("lora_pairs", None)
        return
    module.__class__ = _with_pair(base_class(module))  # type: ignore[arg-type]
    _pair_tensors(module, pairs)


def _pair_tensors(module: torch.nn.Module, pairs: tuple[Pair, ...]) -> None:
    if _compiler_imported():  # else `mark_dynamic_ranks` when the blocks compile
        _mark_dynamic(pairs)
    # A plain attribute, not buffers: diffsynth's VRAM-managed Linears cast their buffers.
    module.__dict__["lora_pairs"] = pairs


def _compiler_imported() -> bool:
    return "torch._dynamo" in sys.modules


def _mark_dynamic(pairs: tuple[Pair, ...]) -> None:
    """The rank is no part of a compiled graph's shape: another stack runs the same graph."""
    import torch._dynamo

    for _, down_t, up_t, scale in pairs:
        torch._dynamo.maybe_mark_dynamic(down_t, 1)
        torch._dynamo.maybe_mark_dynamic(up_t, 0)
        if scale is not None:
            torch._dynamo.maybe_mark_dynamic(scale, 0)


def mark_dynamic_ranks(model: torch.nn.Module) -> None:
    """Mark the ranks of the pairs the model's Linears already have as dynamic, before its
    blocks first compile: pairs given while the compiler was not imported (an eager image does
    not import it) are not marked."""
    for module in model.modules():
        pairs = module.__dict__.get("lora_pairs")
        if pairs:
            _mark_dynamic(pairs)


def fusable(patch: Patch) -> bool:
    """A plain LoRA layer: only down and up (no bias, no DoRA magnitude)."""
    return (
        patch.down is not None
        and patch.up is not None
        and patch.bias is None
        and patch.magnitude is None
    )


def grouped_pairs(
    parts: Sequence[tuple[Patch, float]],
    device: torch.device,
    dtype: torch.dtype,
    int8: bool = False,
) -> tuple[Pair, ...]:
    """The plain LoRA patches of one Linear as one pair per output row range (all rows, or the
    q, k, v… rows of a fused Linear that PEFT LoRAs train apart): their downs side by side, their
    ups with each weight folded in; a rank of at least 2 (a compiled graph's dynamic size: a size
    of 1 would be a constant of its own). Made on `device`: a switch of 0.9 GB of LoRAs spent
    most of its second folding the weights in on the CPU. `int8`: as `int8_pair`s."""
    by_rows: dict[tuple[int, int] | None, list[tuple[Patch, float]]] = {}
    for patch, weight in parts:
        by_rows.setdefault(patch.rows, []).append((patch, weight))
    pairs = []
    for rows, group in by_rows.items():
        downs = [patch.down for patch, _ in group if patch.down is not None]  # fusable: all
        width = max(sum(down.shape[0] for down in downs), 2)
        ups = [patch.up for patch, _ in group if patch.up is not None]
        made = torch.float32 if int8 else dtype  # rounded once, to int8
        down_t = torch.zeros(downs[0].shape[1], width, dtype=made, device=device)
        up_t = torch.zeros(width, ups[0].shape[0], dtype=made, device=device)
        at = 0
        for (_, weight), down, up in zip(group, downs, ups, strict=True):
            size = down.shape[0]
            down_t[:, at : at + size] = down.to(device).t()
            up_t[at : at + size] = (up.to(device).float() * weight).t()
            at += size
        pair: Pair = (rows, down_t, up_t, None)
        pairs.append(int8_pair(pair) if int8 else pair)
    return tuple(pairs)


def _in_host_memory(tensor: torch.Tensor | None, pin: bool) -> Any:
    if tensor is None:
        return None
    host = torch.empty(tensor.shape, dtype=tensor.dtype, pin_memory=pin)
    return host.copy_(tensor)


class _Branches:
    """The LoRAs on one Linear: their stacked pairs in the Linear's class (`_put_pairs`) where
    that is enough, otherwise a forward hook (this object's `__call__`) that adds them all.

    With `on_host`, the pairs wait in page-locked host memory: in a streamed block they go to
    the GPU with the block (`ride`), in a resident one the hook copies them as the layer runs."""

    def __init__(self) -> None:
        self.module: torch.nn.Linear | None = None
        self.pairs: tuple[Pair, ...] | None = None  # the plain LoRAs, stacked
        self.in_linear = False  # the pairs are in the Linear's class, not added by the hook
        self.folded = False  # the pairs are added to the weight as the streamer upcasts it
        self.on_host = False  # the pairs wait in host memory
        self.ridden: tuple[Pair, ...] | None = None  # for the hook: their copy for this run
        self.entries: list[tuple[_Active, Patch]] = []  # the rest: LoKr, LoHa, DoRA, biases…
        self.dora = False  # an entry reads the base output after the others have added
        self.hook: Any = None  # the handle of this object as the Linear's forward hook

    @property
    def nbytes(self) -> int:
        return sum(
            t.numel() * t.element_size()
            for _, *pair in self.pairs or ()
            for t in pair
            if t is not None
        )

    def set(
        self,
        module: torch.nn.Linear,
        pairs: tuple[Pair, ...] | None,
        in_linear: bool,
        on_host: bool,
        entries: list[tuple[_Active, Patch]],
        folded: bool = False,
    ) -> None:
        self.module, self.pairs, self.entries = module, pairs, entries
        self.folded = folded and pairs is not None and not entries and not on_host
        self.in_linear = in_linear and pairs is not None and not self.folded
        self.on_host = on_host
        self.ridden = None
        self.dora = any(p.magnitude is not None for _, p in entries)
        _put_pairs(module, pairs if self.in_linear else None)
        hooked = (pairs is not None and not self.in_linear and not self.folded) or bool(entries)
        if hooked and self.hook is None:
            self.hook = module.register_forward_hook(self)
        elif not hooked and self.hook is not None:
            self.hook.remove()
            self.hook = None

    def take_off(self, module: torch.nn.Linear) -> None:
        self.set(module, None, False, False, [])

    def ride(self, device: torch.device, compute: Any) -> tuple[Pair, ...]:
        """A copy of the host-memory pairs on the GPU, queued now on the stream current here:
        the streamer's copy stream, right after the block's own weights (`Riders`), so the layer
        finds its pairs there instead of copying them in the compute stream's order, where each
        copy waited for the blocks queued before it on the bus (1.9× the LoRA-free step at 4 GB
        on the H200). `compute`: the stream that will use them."""
        assert self.pairs is not None

        def copied(tensor: torch.Tensor | None) -> Any:
            if tensor is None:
                return None
            on_device = tensor.to(device, non_blocking=True)
            if compute is not None:  # freed into the allocator only after that stream used it
                on_device.record_stream(compute)
            return on_device

        return tuple(
            (rows, copied(down_t), copied(up_t), copied(scale))
            for rows, down_t, up_t, scale in self.pairs
        )

    def board(self, copy: tuple[Pair, ...]) -> None:
        """The block runs now, with this copy of the pairs (`ride`)."""
        if self.in_linear and self.module is not None:
            _pair_tensors(self.module, copy)
        else:
            self.ridden = copy

    def alight(self) -> None:
        """The block has run: its copy goes (the Linear holds its host-memory pairs again)."""
        self.ridden = None
        if self.in_linear and self.pairs is not None and self.module is not None:
            _pair_tensors(self.module, self.pairs)

    def __call__(self, module: torch.nn.Linear, args: tuple[Any, ...], output: Any) -> Any:
        x = args[0]
        base = output
        if self.dora:
            output = output.clone()
        if self.pairs is not None and not self.in_linear and not self.folded:
            pairs = self.pairs
            if self.on_host:
                ridden, self.ridden = self.ridden, None
                pairs = ridden if ridden is not None else self.ride(x.device, None)
            output = _add_pairs(output, x, pairs)
        for active, patch in self.entries:
            patch = active.placed(patch, x)
            region = output if patch.rows is None else output[..., patch.rows[0] : patch.rows[1]]
            if patch.magnitude is None:
                region.add_(patch.delta_x(x, active.weight).to(region.dtype))
            else:
                region.add_(_dora(module, x, base, active, patch).to(region.dtype))
        return output


def _rows(tensor: torch.Tensor, rows: tuple[int, int] | None) -> torch.Tensor:
    return tensor if rows is None else tensor[..., rows[0] : rows[1]]


def weight_rows(
    module: torch.nn.Linear, start: int, stop: int, device: torch.device
) -> torch.Tensor:
    """Rows of the Linear's weight as it multiplies, in float32: float8 storage and the row
    scales of `streaming.Fp8Linear` included."""
    weight = module.weight.detach()[start:stop].to(device).float()
    scale = getattr(module, "weight_scale", None)  # (1, out_features)
    if scale is not None:
        weight = weight * scale.detach().reshape(-1)[start:stop].to(device).float()[:, None]
    return weight


def _dora_ratio(
    module: torch.nn.Linear, active: _Active, patch: Patch, x: torch.Tensor
) -> torch.Tensor:
    key = id(patch)
    if key not in active.ratios:
        assert patch.magnitude is not None
        first, last = patch.rows or (0, module.weight.shape[0])
        columns = module.weight.shape[1]
        sums = torch.zeros(last - first if patch.axis == "out" else columns, device=x.device)
        for start in range(first, last, NORM_ROWS):
            stop = min(last, start + NORM_ROWS)
            # Out of place: on the CPU in float32 the rows are a view of the weight itself.
            delta = patch.delta_rows(start - first, stop - first).to(x.device)
            block = weight_rows(module, start, stop, x.device) + delta
            if patch.axis == "out":
                sums[start - first : stop - first] = block.square().sum(dim=1)
            else:
                sums += block.square().sum(dim=0)
        ratio = patch.magnitude.to(x.device).float() / (sums.sqrt() + DORA_EPS)
        active.ratios[key] = ratio.to(x.dtype)
    return active.ratios[key]


def _dora(
    module: torch.nn.Linear, x: torch.Tensor, base: torch.Tensor, active: _Active, patch: Patch
) -> torch.Tensor:
    """weight · (W'x - Wx) on the patch's rows, W' being DoRA's re-normalised weight."""
    ratio = _dora_ratio(module, active, patch, x)
    bias = getattr(module, "bias", None)
    bias_rows = 0 if bias is None else _rows(bias.to(x.device, x.dtype), patch.rows)
    plain = _rows(base, patch.rows) - bias_rows  # W x
    if patch.axis == "out":
        return active.weight * ((ratio - 1) * plain + ratio * patch.delta_x(x, 1.0))
    scaled = x * ratio  # W' = (W + sΔ) diag(ratio): one more product with the base weight
    plain_scaled = _rows(base_class(module).forward(module, scaled), patch.rows) - bias_rows
    return active.weight * (plain_scaled + patch.delta_x(scaled, 1.0) - plain)


def _device_bytes(active: _Active, dtype: torch.dtype, int8: bool) -> int:
    """What one LoRA takes on the compute device: its stacked pairs (int8: a byte a number and a
    float32 scale a rank) and its other patches."""
    size = 1 if int8 else torch.empty((), dtype=dtype).element_size()
    pairs = 0
    for patch in active.converted.patches:
        if patch.down is not None and patch.up is not None and fusable(patch):
            pairs += (patch.down.numel() + patch.up.numel()) * size
            pairs += 4 * patch.down.shape[0] if int8 else 0
    return active.nbytes + pairs


class LoraStack:
    """The LoRAs on one transformer: `apply` puts exactly the given ones on, the rest off."""

    def __init__(
        self,
        dit: torch.nn.Module,
        device: str | torch.device,
        dtype: torch.dtype,
        cache: ConvertedCache | None = None,
        int8: bool = False,
    ):
        self.device = torch.device(device)
        self.dtype = dtype
        self.cache = cache or ConvertedCache()
        self._modules = {
            name: module
            for name, module in dit.named_modules()
            if isinstance(module, torch.nn.Linear)
        }
        self._active: dict[str, _Active] = {}
        self._branches: dict[str, _Branches] = {}
        self._by_module: dict[int, _Branches] = {}  # id(Linear) -> its branches
        self._riding_in: dict[int, list[_Branches]] = {}  # id(block) -> `_riding(block)`
        # the LoRAs and weights on the Linears (None: unknown, after a change that failed)
        self._signature: tuple[tuple[str, float], ...] | None = ()
        self.on_host = False  # the stacked LoRAs wait in host memory (the budget had no room)
        self.int8 = int8  # the stacked pairs in int8 (`int8_pair`)
        # id of each module in a block -> (the block's unit, whether it is resident), and how many
        # blocks' copies can be on the GPU at once (BlockStreamer.blocks): the host-memory pairs
        # of Linears in streamed blocks ride along with the blocks' copies
        self.blocks: Callable[[], tuple[dict[int, tuple[int, bool]], int]] | None = None
        self._riding_bytes = 0  # on the GPU at most, while host-memory pairs ride
        # ids of the Linears whose weights the streamer upcasts before each run of their block
        # (BlockStreamer.upcast_linears): their pairs are folded into the upcast weight
        # (lora_fold) instead of added to their output, where `fold` is on
        self.upcast: Callable[[], set[int]] | None = None
        self.fold = True
        self._folds_in: dict[int, dict[int, Sequence[Any]]] = {}  # id(block) -> `folds(block)`
        self.last_apply_s = 0.0

    @property
    def nbytes(self) -> int:
        """Bytes the active LoRAs hold on the compute device (what the memory plan counts)."""
        stacked_bytes = sum(
            branches.nbytes for branches in self._branches.values() if not branches.on_host
        )  # host-memory pairs visit the GPU with their blocks: a few blocks' worth at once
        return stacked_bytes + self._riding_bytes + sum(a.nbytes for a in self._active.values())

    @property
    def changed_modules(self) -> list[str]:
        """The Linears that LoRAs change now."""
        return sorted(self._branches)

    @property
    def hooked(self) -> bool:
        """A LoRA inside the transformer's blocks runs as a forward hook, which their compiled
        code would skip: while so, the blocks run eagerly (compiled.eager_while). Hooks on the
        layers around the blocks (the embedders, the final layer) change nothing there: those
        layers are never compiled."""
        return any(
            branches.hook is not None and name.startswith(COMPILED_PARTS)
            for name, branches in self._branches.items()
        )

    # -- streaming.Riders: the host-memory pairs go to the GPU with their streamed blocks ---------
    def _riding(self, block: torch.nn.Module) -> list[_Branches]:
        """The block's Linears whose pairs wait in host memory (found once per stack: this is
        asked twice per block and step)."""
        riding = self._riding_in.get(id(block))
        if riding is None:
            found = (self._by_module.get(id(module)) for module in block.modules())
            riding = self._riding_in[id(block)] = [
                branches
                for branches in found
                if branches is not None and branches.on_host and branches.pairs is not None
            ]
        return riding

    def copy(self, block: torch.nn.Module, compute: Any) -> Any:
        if not self.on_host:
            return None
        copies = [
            (branches, branches.ride(self.device, compute)) for branches in self._riding(block)
        ]
        return copies or None

    def use(self, block: torch.nn.Module, copies: Any) -> None:
        for branches, copy in copies:
            branches.board(copy)

    def done(self, block: torch.nn.Module) -> None:
        if self.on_host:
            for branches in self._riding(block):
                branches.alight()

    def folds(self, block: torch.nn.Module) -> dict[int, Sequence[Any]]:
        """The pairs to add to the block's Linear weights as they are upcast, by id of the Linear
        (found once per stack: this is asked once per block and step)."""
        folds = self._folds_in.get(id(block))
        if folds is None:
            found = ((module, self._by_module.get(id(module))) for module in block.modules())
            folds = self._folds_in[id(block)] = {
                id(module): branches.pairs
                for module, branches in found
                if branches is not None and branches.folded and branches.pairs is not None
            }
        return folds

    def patches(self) -> dict[str, list[Patch]]:
        """The active LoRAs' converted patches, by file name."""
        return {a.converted.file.name: list(a.converted.patches) for a in self._active.values()}

    def apply(
        self,
        loras: Sequence[tuple[LoraFile, str, float]],
        room: Callable[[int], bool] | None = None,
    ) -> tuple[AppliedLora, ...]:
        """Put on exactly these (file, sha256, weight) LoRAs; weight 0 is none at all.

        `room(bytes)` is asked, before anything goes to the GPU, whether the stack fits there; if
        not, the stacked LoRAs wait in page-locked host memory and each Linear's pair is copied to
        the GPU as the layer runs (about 17 ms a 1024² step for 0.9 GB at 50 GB/s) instead of
        holding the whole stack on a card with no room for it."""
        started = time.perf_counter()
        wanted = [(file, sha, weight) for file, sha, weight in loras if weight != 0]
        active: dict[str, _Active] = {}
        for file, sha, weight in wanted:
            if sha in active:  # one file under two names: its change is linear in the weight
                active[sha].weight += weight
                continue
            previous = self._active.get(sha)
            if previous is not None:
                previous.weight = weight
                active[sha] = previous
                continue
            converted = self.cache.get(file, sha, self.dtype)
            # plain LoRA layers are stacked per Linear when hooked (_rehook): no copy of their own
            patches = [p.to(self.device, self.dtype) for p in converted.patches if not fusable(p)]
            active[sha] = _Active(converted, weight, patches)
        self._active = active  # those left out lose their device copies here
        signature = tuple((sha, a.weight) for sha, a in active.items())
        if signature != self._signature:  # the same LoRAs at the same weights: nothing to redo
            wanted_bytes = sum(_device_bytes(a, self.dtype, self.int8) for a in active.values())
            self.on_host = room is not None and not room(wanted_bytes)
            self._signature = None  # a rehook that fails half-way leaves the Linears unknown
            self._rehook()
            self._signature = signature
        self.last_apply_s = time.perf_counter() - started
        log.info(
            "LoRAs: %s (%.1f MB on %s, %.3f s)",
            ", ".join(f"{a.converted.file.name}:{a.weight:g}" for a in active.values()) or "none",
            self.nbytes / 2**20, self.device, self.last_apply_s,
        )  # fmt: skip
        return tuple(
            AppliedLora(
                name=file.name,
                sha256=sha,
                weight=weight,
                layers_matched=file.layers_matched,
                layers_total=file.layers_total,
            )
            for file, sha, weight in wanted
        )

    def clear(self) -> None:
        self.apply(())

    def _rehook(self) -> None:
        plain: dict[str, list[tuple[Patch, float]]] = {}
        other: dict[str, list[tuple[_Active, Patch]]] = {}
        for active in self._active.values():
            for patch in active.converted.patches:
                if patch.module not in self._modules:
                    raise KeyError(f"the transformer has no Linear {patch.module}")
                if fusable(patch):
                    plain.setdefault(patch.module, []).append((patch, active.weight))
            for patch in active.patches:
                other.setdefault(patch.module, []).append((active, patch))
        wanted = set(plain) | set(other)
        for name in [n for n in self._branches if n not in wanted]:
            self._branches.pop(name).take_off(self._modules[name])
        pin = self.on_host and self.device.type == "cuda"
        blocks, in_flight = self.blocks() if self.on_host and self.blocks is not None else ({}, 0)
        upcast = self.upcast() if self.fold and self.upcast is not None else set()
        riding: dict[int, int] = {}  # unit -> bytes of its host-memory pairs
        for name in wanted:
            module = self._modules[name]
            branches = self._branches.setdefault(name, _Branches())
            parts, entries = plain.get(name, []), other.get(name, [])
            # With no room on the GPU, the pairs of streamed blocks ride along with them, those
            # of resident blocks are copied as the layer runs (hook), and the few outside the
            # blocks (the embedders, the last layer: small) stay on the GPU.
            unit, resident = blocks.get(id(module), (-1, None))
            on_host = resident is not None
            pairs = grouped_pairs(parts, self.device, self.dtype, self.int8) if parts else None
            if pairs is not None and on_host:  # made on the GPU, kept in host memory
                pairs = tuple(
                    (rows, *(_in_host_memory(t, pin) for t in tensors)) for rows, *tensors in pairs
                )
            in_linear = not entries and not resident
            folded = id(module) in upcast
            branches.set(module, pairs, in_linear, on_host, entries, folded)
            if pairs is not None and resident is False:
                riding[unit] = riding.get(unit, 0) + branches.nbytes
        self._riding_bytes = min(in_flight * max(riding.values(), default=0), sum(riding.values()))
        self._by_module = {id(self._modules[n]): b for n, b in self._branches.items()}
        self._riding_in = {}
        self._folds_in = {}
