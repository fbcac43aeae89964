"""Block streaming: big models as packed float8 blocks, resident on the GPU or streamed from pinned RAM.

Each block's Linear weights are packed into one contiguous buffer (float8 or bf16). Before a block
runs, its buffer is copied to the GPU (if it is not resident) on a copy stream, several blocks
ahead, and upcast into a bf16 workspace slot on an upcast stream, one block ahead; the block's Linear
modules are then pointed at views of that slot. The compute stream only waits on events, so copies
and upcasts overlap the previous block's maths. Biases, norms and embeddings stay resident in bf16.

diffsynth's own streaming copies weights one Linear at a time with a blocking fp8->bf16 conversion on
the CPU from pageable memory; converting on the GPU, per block, ahead of time and from pinned memory
is what makes small cards fast (bench/README.md has the figures).

On the CPU (demo, tests) the same bookkeeping runs with plain copies in line, so the lookahead logic
is tested without a GPU. placement.py puts a loaded diffsynth pipeline under a BlockStreamer.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import shutil
import struct
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import torch

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.engine import file_reads, lora_fold, memory

log = logging.getLogger("majicflux.streaming")

FP8 = torch.float8_e4m3fn
FP8_MAX = 448.0


@dataclass
class _Linear:
    module: torch.nn.Linear
    offset: int
    shape: tuple[int, int]
    scale: torch.Tensor | None  # per-output-row scale on the compute device, or None


@dataclass
class Unit:
    """One block. Its Linear weights live packed in `storage` between uses."""

    model: str
    module: torch.nn.Module
    linears: list[_Linear]
    numel: int
    storage: torch.Tensor  # flat: on the GPU if resident, else in (pinned) host RAM (or meta)
    resident: bool
    fp8_compute: bool = False  # Linear layers multiply in float8 (torch._scaled_mm), no upcast
    views: dict[tuple[str, int], list[torch.Tensor]] = field(default_factory=dict)
    spilled: int = -1  # >= 0: the stored bytes wait in the spill file at this offset (`spill`)

    @property
    def nbytes(self) -> int:
        return self.storage.numel() * self.storage.element_size()

    @property
    def direct(self) -> bool:
        """Resident and usable as stored: its layers point at `storage` for good."""
        return self.resident and (self.fp8_compute or self.storage.dtype != FP8)

    @property
    def needs_slot(self) -> bool:
        return not self.direct and not (self.fp8_compute and not self.resident)


def linear_numel(module: torch.nn.Module) -> int:
    return sum(m.weight.numel() for m in module.modules() if isinstance(m, torch.nn.Linear))


def return_freed_memory() -> None:
    """Hand freed heap memory back to the OS (glibc keeps it otherwise, and RSS stays high).

    Packing replaces each loaded weight by its packed copy; without this, the peak host memory
    is the model twice over.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def keep_loading_lean() -> None:
    """Keep host memory near the weights' size while models load (bench/load_rss.py).

    - diffsynth reads weights through memory maps that it reopens every N parameters, and the
      mapped pages count as this process's memory until then. Its default N (10^9: 2 GB of bf16
      T5) is lowered to 64M.
    - On Linux, glibc serves big allocations from its heap once big blocks have been freed, and
      the weights freed while loading then stay in the process: up to 1.5 GB more, varying from
      run to run. A fixed threshold (1 MiB) returns each one to the OS when it is freed.
    Loading T5 in float8 measured a transient of 3.2 GiB above its 4.6 GiB of weights before, and
    0.4 GiB after.
    """
    os.environ.setdefault("DIFFSYNTH_DISK_MAP_BUFFER_SIZE", str(64 * 2**20))
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD


def _pinned(nbytes: int) -> torch.Tensor:
    return torch.empty(nbytes, dtype=torch.uint8, pin_memory=True)


class PinnedArena:
    """Page-locked host memory for streamed blocks, packed into a few large allocations.

    torch's pinned allocator rounds each allocation up to a power of two (a 340 MB block would
    take 512 MB). The arena packs a model's streamed blocks into bins whose sizes are powers of
    two (memory.pinned_bins), so little is wasted. The allocator page-locks ordinary memory
    with cudaHostRegister (memory.CUDA_ALLOCATOR), twice as fast as cudaHostAlloc.
    """

    def __init__(self, pin: bool):
        self.pin = pin
        self.nbytes = 0
        self._chunks: dict[int, torch.Tensor] = {}
        self._pending: dict[int, Future[torch.Tensor]] = {}
        self.reserve([])

    def reserve(self, sizes: Sequence[int]) -> None:
        """Plan room for blocks of these byte sizes; `take` hands them out in this order.

        Bins are filled in order and allocated on first use (or all at once by `allocate_ahead`
        for a lean load), so while a model loaded whole is being packed at most one bin is
        partly filled: its weights and their packed copies overlap by at most a bin.
        """
        self._bins: list[tuple[int, int]] = []  # per bin: (allocation, bytes used)
        self._where: list[tuple[int, int]] = []  # per block: (bin, offset)
        for allocation, members in memory.pinned_bins(sizes):
            used = 0
            for index in members:
                self._where.append((len(self._bins), used))
                used += memory.pinned_aligned(sizes[index])
            self._bins.append((allocation, used))
        self._sizes = list(sizes)
        self._chunks = {}
        self._pending = {}

    def allocate_ahead(self) -> None:
        """Start allocating every bin now, each in a thread: page-locking is the slow part of a
        load (8 GiB took 4.1 s in one thread on the H200), and it overlaps reading the resident
        blocks and the other bins' allocations. For a lean load only, which holds no loaded
        copy of the weights beside the arena."""
        if not self.pin or len(self._bins) == 0:
            return
        pool = ThreadPoolExecutor(min(4, len(self._bins)), "majicflux-pin")
        self._pending = {
            index: pool.submit(_pinned, used) for index, (_, used) in enumerate(self._bins)
        }
        pool.shutdown(wait=False)  # its threads end with their allocations

    def _chunk(self, index: int) -> torch.Tensor:
        if index not in self._chunks:
            allocation, used = self._bins[index]
            pending = self._pending.pop(index, None)
            try:
                if pending is not None:
                    chunk = pending.result()
                else:
                    chunk = torch.empty(used, dtype=torch.uint8, pin_memory=self.pin)
                self.nbytes += allocation if self.pin else used  # what torch's allocator takes
            except RuntimeError as exc:  # the OS refused to lock this much memory
                log.warning("could not pin host memory (%s); streaming from pageable memory", exc)
                self.pin = False
                chunk = torch.empty(used, dtype=torch.uint8)
                self.nbytes += used
            self._chunks[index] = chunk
        return self._chunks[index]

    def take(self, numel: int, dtype: torch.dtype) -> torch.Tensor:
        (bin_index, offset), size = self._where.pop(0), self._sizes.pop(0)
        return self._chunk(bin_index)[offset : offset + size].view(dtype)[:numel]


# Where a Linear's weight can be read from straight into its packed place (placement.DiskWeights):
# the reads queued, or None.
ReadLinear = Callable[[torch.nn.Linear, torch.Tensor], "list[Future[None]] | None"]

SPILL_FORMAT = "majicflux-spill-1"
SPILL_DISK_MARGIN = 2 * 2**30  # the library shares the folder's disk


def spill_offsets(path: Path, key: str, sizes: Sequence[int]) -> list[int] | None:
    """Where each block starts in a spill file written for `key` with blocks of these sizes,
    or None if there is no such file (missing, another key, other sizes, damaged)."""
    try:
        with open(path, "rb") as file:
            (length,) = struct.unpack("<Q", file.read(8))
            if length > 1 << 20:
                return None
            header = json.loads(file.read(length))
            total = os.fstat(file.fileno()).st_size
        if not isinstance(header, dict) or header.get("__metadata__") != {
            "format": SPILL_FORMAT,
            "key": key,
        }:
            return None
        start = 8 + length
        offsets = []
        expected = 0
        for index, size in enumerate(sizes):
            begin, end = header[f"block.{index}"]["data_offsets"]
            if begin != expected or end - begin != size:  # in order, no gaps, no overlaps
                return None
            offsets.append(start + begin)
            expected = end
    except (OSError, ValueError, struct.error, TypeError, KeyError, AttributeError):
        return None
    if len(header) != len(sizes) + 1 or total != start + expected:
        return None
    return offsets


class SpillWriter:
    """A spill file written block by block (each as it is packed), then put in place at once.

    The header, with every block's size, comes first; the file is written under a name of its
    own (`.part`, unique to this writer) and renamed onto `path` when complete. Older spill
    files and left-over parts beside it are removed then, where no one holds them open.
    """

    def __init__(self, path: Path, key: str, sizes: Sequence[int]):
        header: dict[str, Any] = {"__metadata__": {"format": SPILL_FORMAT, "key": key}}
        offset = 0
        for index, size in enumerate(sizes):
            header[f"block.{index}"] = {
                "dtype": "U8",
                "shape": [size],
                "data_offsets": [offset, offset + size],
            }
            offset += size
        encoded = json.dumps(header).encode()
        encoded += b" " * (-len(encoded) % 8)  # the data starts 8-byte aligned
        start = 8 + len(encoded)
        self.path = path
        self.offsets = [start + entry["data_offsets"][0] for entry in list(header.values())[1:]]
        self.temporary = path.with_name(f"{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.part")
        self.file: IO[bytes] | None = open(self.temporary, "xb")  # noqa: SIM115 - until finish
        try:
            self.file.write(struct.pack("<Q", len(encoded)) + encoded)
        except OSError:
            self.abort()
            raise

    @classmethod
    def start(cls, path: Path, key: str, sizes: Sequence[int]) -> SpillWriter | None:
        """A writer, or None (logged) where the folder lacks the room or cannot be written."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            free = shutil.disk_usage(path.parent).free
            if free < sum(sizes) + SPILL_DISK_MARGIN:
                log.warning(
                    "%s: %.1f GB free, too little for %s", path.parent, free / 1e9, path.name
                )
                return None
            return cls(path, key, sizes)
        except OSError as exc:
            log.warning("could not write %s (%s)", path, exc)
            return None

    def write(self, block: torch.Tensor) -> None:
        assert self.file is not None
        try:
            self.file.write(block.detach().cpu().contiguous().view(torch.uint8).numpy().data)
        except OSError:
            self.abort()
            raise

    def write_or_explain(self, block: torch.Tensor) -> None:
        """`write`, with a failure (the disk filled up since the check) in words."""
        try:
            self.write(block)
        except OSError as exc:
            raise UserError(
                Message(
                    "engine",
                    QT_TRANSLATE_NOOP(
                        "engine",
                        "Could not write {path} ({reason}). Free some space on that disk and "
                        "restart MajicFlux.",
                    ),
                    {"path": str(self.path), "reason": str(exc)},
                )
            ) from exc

    def finish(self) -> list[int]:
        assert self.file is not None
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
            self.file = None
            os.replace(self.temporary, self.path)
        except OSError:
            self.abort()
            raise
        stem = self.path.name.split("-")[0]
        for old in self.path.parent.glob(f"{stem}-*.safetensors*"):
            if old != self.path and old.suffix in (".safetensors", ".part"):
                with contextlib.suppress(OSError):  # held open by another process (Windows)
                    old.unlink()
        return self.offsets

    def abort(self) -> None:
        if self.file is not None:
            with contextlib.suppress(OSError):
                self.file.close()
            self.file = None
        with contextlib.suppress(OSError):
            self.temporary.unlink()


def fp8_matmul_supported(device: torch.device | str) -> bool:
    """Float8 tensor-core matmuls: Ada (8.9) and Hopper (9.0) or newer, if this torch runs them."""
    device = torch.device(device)
    if device.type != "cuda" or not hasattr(torch, "_scaled_mm"):
        return False
    return torch.cuda.get_device_capability(device) >= (8, 9) and scaled_mm_runs(device)


def scaled_mm_runs(device: torch.device) -> bool:
    """Whether `Fp8Linear` itself (row-wise scales, bias, fast accumulation) runs here, and right.

    Row-wise scaling came to Ada in later torch builds than to Hopper, and a build may lack
    kernels for a card: a small product at load time decides, instead of a failed first image.
    """
    probe = Fp8Linear(32, 16, device=device, dtype=torch.bfloat16)
    probe._parameters["weight"] = torch.ones(16, 32, device=device).to(FP8)  # type: ignore[assignment]
    probe.weight_scale = torch.ones(1, 16, device=device)
    try:
        with torch.no_grad():
            probe.bias.zero_()
            out = probe(torch.ones(16, 32, device=device, dtype=torch.bfloat16))
    except (RuntimeError, NotImplementedError) as exc:
        log.warning("float8 matmuls do not run here (%s); multiplying in bf16", exc)
        return False
    if not bool((out == 32).all()):
        log.warning("float8 matmuls give wrong results here; multiplying in bf16")
        return False
    return True


class Fp8Linear(torch.nn.Linear):
    """A Linear whose weight is float8 (with an optional per-row scale), multiplied in float8.

    Activations are quantised per row (token) on the fly; the product comes back in bf16.
    """

    weight_scale: torch.Tensor  # (1, out_features) float32

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        rows = x.reshape(-1, shape[-1])
        # Passes over the activations are what float8 maths costs beyond the matmul (27 ms of a
        # 177 ms step on the H200), so: the row maximum in the activations' own dtype (a maximum
        # is exact in any dtype), one multiply, one cast. The scale handed to the matmul is the
        # exact inverse of the factor applied, its rounding included.
        amax = torch.linalg.vector_norm(rows, ord=float("inf"), dim=1, keepdim=True)
        factor = (FP8_MAX / amax.float().clamp_(min=1e-12)).to(rows.dtype)
        quantised = (rows * factor).to(FP8)
        out = torch._scaled_mm(
            quantised,
            self.weight.t(),
            scale_a=factor.float().reciprocal_(),
            scale_b=self.weight_scale,
            bias=self.bias,
            out_dtype=x.dtype,
            # Hopper's faster accumulation: 2.5% off a step, the same error (bench/README.md).
            use_fast_accum=True,
        )
        return out.reshape(*shape[:-1], out.shape[-1])


class Riders(Protocol):
    """What goes to the GPU along with a streamed block's weights (LoRA pairs in host memory,
    lora_apply.LoraStack): copied on the copy stream right after them, and handed over just
    before that copy of the block runs, so the run finds them there."""

    def copy(self, block: torch.nn.Module, compute: Any) -> Any:
        """Queue the copies (the current stream is the copy stream; `compute` the stream that
        will use them); what is returned, if not None, goes to `use` before this copy runs."""

    def use(self, block: torch.nn.Module, copies: Any) -> None:
        """The block runs now with these copies."""

    def done(self, block: torch.nn.Module) -> None:
        """The block has run (its copies may go)."""

    def folds(self, block: torch.nn.Module) -> dict[int, Sequence[Any]]:
        """What to add to the block's Linear weights as they are upcast (by id of the Linear:
        its LoRA pairs, lora_fold.upcast); asked on the upcast stream, before each upcast."""


class BlockStreamer:
    """Runs blocks of one or more models, resident or streamed, through shared GPU buffers.

    Buffers: two bf16 *slots* (a block's weights upcast for bf16 maths) and a ring of *staging*
    buffers (a streamed block's stored bytes on the GPU). A block is prepared one step ahead on
    the upcast stream; streamed blocks are copied `copy_ahead` blocks ahead on the copy stream.
    """

    def __init__(
        self, device: str, compute_dtype: torch.dtype = torch.bfloat16, copy_ahead: int = 3
    ):
        self.device = torch.device(device)
        self.cuda = self.device.type == "cuda"
        self.compute_dtype = compute_dtype
        self.copy_ahead = max(1, copy_ahead)
        self.units: list[Unit] = []
        self._arena = PinnedArena(pin=self.cuda)
        self._index: dict[int, int] = {}  # id(module) -> unit index
        self._slots: list[torch.Tensor] = []
        self._staging: list[torch.Tensor] = []
        self._slot_numel: dict[str, int] = {}  # per model: each slot's elements
        self._staging_nbytes: dict[str, int] = {}  # per model: each staging buffer's bytes
        self._streaming_models: set[str] = set()
        self._hooks: list[Any] = []
        self._spill_path: Path | None = None  # spilled units' bytes (`spill`)
        self._reader = file_reads.PartReader()  # reads the spill file in parts, by threads
        self._bounce: torch.Tensor | None = None  # pinned: two halves, a spilled unit's way in
        self._bounce_copied: list[Any] = [None, None]  # per half: its copy to the GPU, queued
        self._next_bounce = 0
        # Lookahead state.
        self._expected = -1  # the unit prepared to run next
        # unit -> (buffer kind, index, ready event, what rode along with its copy)
        self._prepared: dict[int, tuple[str, int, Any, Any]] = {}
        # unit -> (staging buffer, copied event, what rode along)
        self._copied: dict[int, tuple[int, Any, Any]] = {}
        self._copy_order: list[int] = []  # units copied but not yet prepared, oldest first
        self._bound: dict[int, tuple[str, int]] = {}  # unit -> buffer its weights point into
        self._next_slot = 0
        self._next_staging = 0
        self._copy_cursor = -1
        self._running = ""  # the model whose blocks ran last
        self.stats = {
            "restarts": 0,
            "copies": 0,
            "late_copies": 0,
            "upcasts": 0,
            "rides": 0,
            "folds": 0,
        }
        self.riders: Riders | None = None  # what else a streamed block takes to the GPU
        # folds (`Riders.folds`) by lora_fold's Triton kernel where it works
        self.fold_kernel = True
        self._slot_free: list[Any] = []
        self._staging_free: list[Any] = []
        if self.cuda:
            self._copy_stream: Any = torch.cuda.Stream(self.device)
            self._upcast_stream: Any = torch.cuda.Stream(self.device)

    # -- building ---------------------------------------------------------------------------------
    def add_model(
        self,
        model: str,
        blocks: Sequence[torch.nn.Module],
        storage_dtype: torch.dtype,
        resident: Sequence[bool],
        pin: bool = True,
        fp8_compute: bool = False,
        load: Callable[..., None] | None = None,
        spill: tuple[Path, str] | None = None,
        read: ReadLinear | None = None,
    ) -> list[Unit]:
        """Pack each block's Linear weights; resident blocks go to the GPU, the others stay in RAM.

        Weights in a wider dtype than a float8 `storage_dtype` are scaled per output row (better
        precision than an unscaled cast); weights already in float8 are kept bit for bit.
        Everything else in the blocks (biases, norms) moves to the device in the compute dtype.
        `load(block, linear_weights=True)`: reads a block's weights (in `storage_dtype`) just
        before it is packed (placement.DiskWeights). With `read(linear, target)`, a Linear's
        weight stored in the file as it is packed is read straight into its place in the block's
        buffer, by several threads, instead (one copy, not three: loading at page-cache speed);
        `read` answers None for a weight it cannot place so, which `load` then reads.

        `spill` (a file and its key): the streamed blocks wait in that file, not in host RAM,
        and are read from it at each use. For T5, which runs only when a prompt is new, its
        4.3 GiB of float8 blocks need not sit in RAM between prompts (a 16 GB PC has none to
        spare); the page cache keeps the file's pages while memory allows. The file (safetensors
        layout, one byte tensor per block, resident ones too, so that another budget finds the
        same file) is written block by block as they are packed, once per `key`, which names the
        source files and the packing, and reused while its header matches: then, with `load`,
        the streamed blocks' Linear weights are not read at all. Where the file cannot be
        written, the blocks stay in (pinned) RAM.
        """
        fp8_compute = fp8_compute and storage_dtype == FP8 and self.cuda
        size = torch.empty((), dtype=storage_dtype).element_size()
        offsets, writer = None, None
        if spill is not None:
            sizes = [linear_numel(b) * size for b in blocks]
            offsets = spill_offsets(*spill, sizes)
            if offsets is None:
                writer = SpillWriter.start(*spill, sizes)
                offsets = None if writer is None else writer.offsets
        if offsets is not None:
            pin = False  # streamed blocks wait in the file, not in pinned RAM
        if pin and self.cuda:
            self._arena.reserve(
                [
                    linear_numel(b) * size
                    for b, keep in zip(blocks, resident, strict=True)
                    if not keep
                ]
            )
            if load is not None:  # a lean load: no loaded copy of the model beside the arena
                self._arena.allocate_ahead()
        added = []
        for index, (block, keep) in enumerate(zip(blocks, resident, strict=True)):
            in_file = -1 if offsets is None or keep else offsets[index]  # where it waits
            earlier = offsets is not None and writer is None and load is not None
            if in_file >= 0 and earlier:  # written at an earlier start
                assert load is not None
                load(block, linear_weights=False)
                added.append(self._pack_spilled(model, block, storage_dtype, in_file))
                continue
            if keep and earlier:
                # A resident block, packed at an earlier start: its bytes from the spill file
                # (one read), not cast again from the model files (T5's 9.5 GB of bf16).
                assert spill is not None and offsets is not None and load is not None
                load(block, linear_weights=False)
                unit = self._pack_spilled(model, block, storage_dtype, offsets[index])
                host = torch.empty(unit.numel, dtype=storage_dtype)
                file_reads.wait_all(self._reader.read(spill[0], offsets[index], host))
                unit.storage, unit.resident, unit.spilled = host.to(self.device), True, -1
                added.append(unit)
                continue
            if load is not None:  # the block's weights are read now, one block at a time
                load(block, linear_weights=read is None)
            unit = self._pack(model, block, storage_dtype, keep, pin, fp8_compute, load, read)
            if writer is not None:  # written as packed: the first start holds one block too
                writer.write_or_explain(unit.storage)
            if in_file >= 0:
                unit.storage = torch.empty_like(unit.storage, device="meta")
                unit.spilled = in_file
            added.append(unit)
            return_freed_memory()
        for unit in added:
            self._index[id(unit.module)] = len(self.units)
            self.units.append(unit)
            if unit.direct:
                self._bind(unit, ("storage", 0))
        if writer is not None:
            writer.finish()
        if spill is not None and offsets is not None and not all(resident):
            self._open_spill(spill[0])
            log.info("%s: streamed blocks read from %s at each use", model, spill[0])
        return added

    def _pack_spilled(
        self, model: str, block: torch.nn.Module, storage_dtype: torch.dtype, offset: int
    ) -> Unit:
        """A streamed block whose packed bytes are in the spill file: its Linear weights (not
        read) would be stored as they come, in `storage_dtype`, so no scales."""
        packed: list[_Linear] = []
        numel = 0
        for linear in (m for m in block.modules() if isinstance(m, torch.nn.Linear)):
            rows, cols = linear.weight.shape
            packed.append(_Linear(linear, numel, (rows, cols), None))
            numel += rows * cols
            linear._parameters["weight"] = None
        self._place_rest(block)
        storage = torch.empty(numel, dtype=storage_dtype, device="meta")
        return Unit(model, block, packed, numel, storage, False, spilled=offset)

    def _place_rest(self, block: torch.nn.Module) -> None:
        """Everything but the Linear weights to the device, in the compute dtype."""
        for sub in block.modules():
            for name, param in list(sub._parameters.items()):
                if param is not None:
                    sub._parameters[name] = torch.nn.Parameter(
                        param.detach().to(self.device, self.compute_dtype), requires_grad=False
                    )
            for name, buffer in list(sub._buffers.items()):
                if buffer is not None:
                    sub._buffers[name] = buffer.to(self.device)

    def _pack(
        self,
        model: str,
        block: torch.nn.Module,
        storage_dtype: torch.dtype,
        resident: bool,
        pin: bool,
        fp8_compute: bool,
        load: Callable[..., None] | None = None,
        read: ReadLinear | None = None,
    ) -> Unit:
        linears = [m for m in block.modules() if isinstance(m, torch.nn.Linear)]
        numel = sum(m.weight.numel() for m in linears)
        if resident or not (pin and self.cuda):
            host = torch.empty(numel, dtype=storage_dtype)
        else:
            host = self._arena.take(numel, storage_dtype)
        packed: list[_Linear] = []
        offset = 0
        reads: list[Future[None]] = []
        for linear in linears:
            weight = linear.weight.detach()
            rows, cols = weight.shape
            target = host[offset : offset + weight.numel()].view(rows, cols)
            scale = None
            if weight.is_meta:  # not read yet: straight from the file into its place, or now
                queued = None if read is None else read(linear, target)
                if queued is not None:
                    reads += queued
                elif load is not None:
                    load(linear, recurse=False)
                    weight = linear.weight.detach()
            if weight.is_meta:
                pass  # being read into `target`
            elif storage_dtype == FP8 and weight.dtype != FP8:
                wide = weight.float()
                row_max = wide.abs().amax(dim=1, keepdim=True).clamp(min=1e-12)
                scale = (row_max / FP8_MAX).to(self.compute_dtype)
                target.copy_((wide / scale.float()).to(FP8))
                scale = scale.to(self.device)
            else:
                target.copy_(weight)
            packed.append(_Linear(linear, offset, (rows, cols), scale))
            offset += weight.numel()
            # The packed copy is now the only one: host RAM is what small PCs run out of.
            linear._parameters["weight"] = None
            if fp8_compute:
                linear.__class__ = Fp8Linear
                row_scale = torch.ones(rows, 1) if scale is None else scale.float().cpu()
                linear.weight_scale = row_scale.t().contiguous().to(self.device)
        self._place_rest(block)
        file_reads.wait_all(reads)
        storage = host.to(self.device) if resident else host
        return Unit(model, block, packed, numel, storage, resident, fp8_compute)

    def allocate(self) -> None:
        """Size the workspace; buffers are taken lazily, when a block first needs them.

        Slots (upcast targets) exist only while a model that needs them runs, and the staging
        ring only while a model with streamed blocks runs; `release` gives both back.
        """
        for model in {u.model for u in self.units}:
            units = [u for u in self.units if u.model == model]
            self._slot_numel[model] = max((u.numel for u in units if u.needs_slot), default=0)
            self._staging_nbytes[model] = max(
                (u.nbytes for u in units if not u.resident), default=0
            )
        self._streaming_models = {u.model for u in self.units if not u.resident}
        if self.cuda:
            self._slot_free = [torch.cuda.Event() for _ in range(2)]
            self._staging_free = [torch.cuda.Event() for _ in range(self.copy_ahead)]

    def _slot(self, index: int) -> torch.Tensor:
        if not self._slots:
            self._slots = [
                torch.empty(
                    self._slot_numel[self._running], dtype=self.compute_dtype, device=self.device
                )
                for _ in range(2)
            ]
        return self._slots[index]

    def _staging_buffer(self, index: int) -> torch.Tensor:
        if not self._staging:
            self._staging = [
                torch.empty(
                    self._staging_nbytes[self._running], dtype=torch.uint8, device=self.device
                )
                for _ in range(self.copy_ahead)
            ]
        return self._staging[index]

    def release(self) -> None:
        """Give the workspace back (the VAE decode needs the room); blocks take it again lazily."""
        self.reset()
        if not self._slots and not self._staging:
            return
        self._slots, self._staging = [], []
        for index, unit in enumerate(self.units):
            if unit.direct:
                continue
            unit.views.clear()
            for item in unit.linears:  # a view would keep its buffer alive
                item.module._parameters["weight"] = None
            self._bound.pop(index, None)

    @property
    def holds_workspace(self) -> bool:
        """Whether upcast slots or staging buffers are allocated now (`release` gives them back)."""
        return bool(self._slots or self._staging)

    def denoise_workspace_bytes(self, model: str) -> int:
        """Workspace while `model` runs: upcast slots and/or the staging ring."""
        units = [u for u in self.units if u.model == model]
        slots = 2 * self._slot_numel[model] * 2 if any(u.needs_slot for u in units) else 0
        staging = (
            self.copy_ahead * self._staging_nbytes[model]
            if any(not u.resident for u in units)
            else 0
        )
        return slots + staging

    def workspace_bytes(self) -> int:
        return max(self.denoise_workspace_bytes(m) for m in {u.model for u in self.units})

    def resident_bytes(self) -> int:
        return sum(u.nbytes for u in self.units if u.resident)

    def streamed_bytes(self) -> int:
        return sum(u.nbytes for u in self.units if not u.resident)

    def demote(self, indices: Sequence[int]) -> int:
        """Turn these resident units into streamed ones: their stored bytes move to (pinned) host
        memory and the GPU copy is freed, to make room (for LoRAs). Nothing is read from disk and
        no weight changes. Returns the bytes moved."""
        self.release()
        moved = 0
        for index in indices:
            unit = self.units[index]
            if not unit.resident:
                continue
            host = torch.empty(unit.storage.shape, dtype=unit.storage.dtype, pin_memory=self.cuda)
            host.copy_(unit.storage)
            for item in unit.linears:  # a view would keep the GPU copy alive
                item.module._parameters["weight"] = None
            unit.views.clear()
            self._bound.pop(index, None)
            unit.storage = host
            unit.resident = False
            moved += unit.nbytes
        self.remove()
        self.allocate()
        self.install()
        return moved

    def install(self) -> None:
        for unit in self.units:
            if not unit.direct:
                self._hooks.append(unit.module.register_forward_pre_hook(self._before))
                self._hooks.append(unit.module.register_forward_hook(self._after))

    def remove(self) -> None:
        for hook in self._hooks:
            hook.remove()
        self._hooks.clear()

    # -- the schedule -----------------------------------------------------------------------------
    def blocks(self) -> tuple[dict[int, tuple[int, bool]], int]:
        """For the id of every module inside a unit (a block and what it holds): the unit's index
        and whether it is resident (False: copied to the GPU before each run); and how many units'
        copies can be on the GPU at once (queued ahead, prepared, running: `Riders` budget)."""
        found = {
            id(module): (index, unit.resident)
            for index, unit in enumerate(self.units)
            for module in unit.module.modules()
        }
        return found, self.copy_ahead + 1

    def successor(self, index: int) -> int:
        """The next block that needs preparing: blocks of one model run in order, then again;
        -1 after the last block of a model whose blocks are read from a file (T5 runs once per
        new prompt: reading its first blocks again ahead of a next pass that may never come
        would read 0.75 GB more per prompt)."""
        model = self.units[index].model
        members = [i for i, u in enumerate(self.units) if u.model == model and not u.direct]
        position = members.index(index)
        if position == len(members) - 1 and any(self.units[i].spilled >= 0 for i in members):
            return -1
        return members[(position + 1) % len(members)]

    def _before(self, module: torch.nn.Module, args: Any) -> None:
        index = self._index[id(module)]
        if index != self._expected or index not in self._prepared:
            model = self.units[index].model
            if self._running != model:
                self.release()  # the other model's buffers may be the wrong kind or size
                self._running = model
            self.reset()
            self.stats["restarts"] += 1
            # Take the buffers on the compute stream, so the allocator can hand the memory to
            # the VAE after `release` (its cache is per stream).
            if any(u.needs_slot for u in self.units if u.model == model):
                self._slot(0)
            if model in self._streaming_models:
                self._staging_buffer(0)
            self._side_streams_follow()
            self._prepare(index)
        kind, buffer, ready, riding = self._prepared.pop(index)
        if ready is not None:
            torch.cuda.current_stream(self.device).wait_event(ready)
        self._bind(self.units[index], (kind, buffer))
        if riding is not None and self.riders is not None:
            self.riders.use(module, riding)
        self._expected = self.successor(index)
        if self._expected not in (index, -1):
            self._prepare(self._expected)

    def _after(self, module: torch.nn.Module, args: Any, output: Any) -> None:
        if self.riders is not None:
            self.riders.done(module)
        if self.cuda:
            kind, buffer = self._bound[self._index[id(module)]]
            events = self._slot_free if kind == "slot" else self._staging_free
            events[buffer].record(torch.cuda.current_stream(self.device))

    def _side_streams_follow(self) -> None:
        """Order the copy and upcast streams after all work queued so far on the compute stream.

        Buffers just taken on the compute stream may be memory that the allocator has handed back
        from tensors whose kernels are still queued there (the CPU runs ahead of the GPU): the
        compute stream itself runs in order, but a side stream writing into them would overwrite
        what those kernels still read. On the H200 at a 12 GB budget the first image's latents
        were NaN in 4 of 6 processes before this (where the allocator ran near its cap), and
        finite in both since (bench/README.md).
        """
        if self.cuda:
            compute = torch.cuda.current_stream(self.device)
            self._copy_stream.wait_stream(compute)
            self._upcast_stream.wait_stream(compute)

    def reset(self) -> None:
        """Forget the lookahead (first use, another model's turn, or a run that was cancelled)."""
        if self.cuda:
            self._copy_stream.synchronize()
            self._upcast_stream.synchronize()
        self._prepared.clear()
        self._copied.clear()
        self._copy_order.clear()
        if self.riders is not None:  # a run stopped half-way: its blocks' copies go
            for unit in self.units:
                if not unit.resident:
                    self.riders.done(unit.module)
        self._expected = -1
        self._copy_cursor = -1

    def _prepare(self, index: int) -> None:
        unit = self.units[index]
        staging, copied, riding = -1, None, None
        if not unit.resident:
            if index not in self._copied:
                self.stats["late_copies"] += 1  # not prefetched: the compute waits for the bus
                self._copy(index)
            staging, copied, riding = self._copied.pop(index)
            self._copy_order.remove(index)
        if not unit.needs_slot:  # float8 maths straight from the staging buffer
            self._prepared[index] = ("staging", staging, copied, riding)
            self._fill_copy_queue(index)
            return
        slot = self._next_slot
        self._next_slot = (slot + 1) % 2
        ready = None
        with self._on(self._upcast_stream if self.cuda else None):
            if self.cuda:
                if copied is not None:
                    self._upcast_stream.wait_event(copied)
                self._upcast_stream.wait_event(self._slot_free[slot])
            source = unit.storage
            if staging >= 0:
                source = self._staging_buffer(staging)[: unit.nbytes].view(unit.storage.dtype)
            self.stats["upcasts"] += 1
            target = self._slot(slot)[: unit.numel]
            folds = {} if self.riders is None else self.riders.folds(unit.module)
            if folds:
                self._upcast_folding(unit, source, target, folds)
            else:
                target.copy_(source, non_blocking=True)
                for linear in unit.linears:
                    if linear.scale is not None:
                        end = linear.offset + linear.shape[0] * linear.shape[1]
                        target[linear.offset : end].view(linear.shape).mul_(linear.scale)
            if self.cuda:
                if staging >= 0:
                    self._staging_free[staging].record(self._upcast_stream)
                ready = torch.cuda.Event()
                ready.record(self._upcast_stream)
        self._prepared[index] = ("slot", slot, ready, riding)
        self._fill_copy_queue(index)

    def _upcast_folding(
        self,
        unit: Unit,
        source: torch.Tensor,
        target: torch.Tensor,
        folds: dict[int, Sequence[Any]],
    ) -> None:
        """The unit's upcast, Linear by Linear, with what `folds` adds to some of them."""
        self.stats["folds"] += 1
        for linear in unit.linears:
            end = linear.offset + linear.shape[0] * linear.shape[1]
            stored = source[linear.offset : end].view(linear.shape)
            upcast = target[linear.offset : end].view(linear.shape)
            pairs = folds.get(id(linear.module), ())
            lora_fold.upcast(stored, linear.scale, pairs, upcast, self.fold_kernel)

    def upcast_linears(self) -> set[int]:
        """Ids of the Linears whose weights are upcast before each run of their block (bf16
        maths from float8 blocks): what a LoRA can be folded into (`Riders.folds`)."""
        return {id(item.module) for unit in self.units if unit.needs_slot for item in unit.linears}

    def _fill_copy_queue(self, after: int) -> None:
        # Keep the copy engine busy with the next streamed units, up to the staging ring's size.
        if self.units[after].model not in self._streaming_models:
            return
        # A streamed float8-maths unit holds its staging buffer until it has run.
        in_use = sum(1 for kind, *_ in self._prepared.values() if kind == "staging")
        cursor = max(self._copy_cursor, after) if self._copy_order else after
        for _ in range(len(self.units)):
            if len(self._copy_order) + in_use >= self.copy_ahead - 1:
                return
            cursor = self.successor(cursor)
            if cursor in (after, -1):
                return  # a full cycle (everything streamed is queued), or the pass's end
            if not self.units[cursor].resident and cursor not in self._copied:
                self._copy(cursor)

    def _copy(self, index: int) -> None:
        unit = self.units[index]
        self.stats["copies"] += 1
        staging = self._next_staging
        self._next_staging = (staging + 1) % self.copy_ahead
        done = None
        compute = torch.cuda.current_stream(self.device) if self.cuda else None
        with self._on(self._copy_stream if self.cuda else None):
            if self.cuda:
                self._copy_stream.wait_event(self._staging_free[staging])
            target = self._staging_buffer(staging)[: unit.nbytes].view(unit.storage.dtype)
            if unit.spilled >= 0:
                self._read_spilled(unit, target)
            else:
                target.copy_(unit.storage, non_blocking=True)
            riding = None
            if self.riders is not None:
                riding = self.riders.copy(unit.module, compute)
                self.stats["rides"] += riding is not None
            if self.cuda:
                done = torch.cuda.Event()
                done.record(self._copy_stream)
        self._copied[index] = (staging, done, riding)
        self._copy_order.append(index)
        self._copy_cursor = index

    def _read_spilled(self, unit: Unit, target: torch.Tensor) -> None:
        """A spilled unit's bytes from the file into `target` (a staging buffer): on the CPU
        straight in; on the GPU through a pinned half of the bounce buffer, whose earlier copy
        must be done before it is read into again (the next read overlaps this copy)."""
        assert self._spill_path is not None
        if not self.cuda:
            self._read_at(unit.spilled, target.view(torch.uint8))
            return
        if self._bounce is None:
            largest = max(u.nbytes for u in self.units if u.spilled >= 0)
            try:
                self._bounce = torch.empty(2 * largest, dtype=torch.uint8, pin_memory=True)
            except RuntimeError as exc:  # the OS refused to lock it: copies wait, same result
                log.warning("could not pin the read buffer (%s)", exc)
                self._bounce = torch.empty(2 * largest, dtype=torch.uint8)
        half = self._next_bounce
        self._next_bounce = 1 - half
        if self._bounce_copied[half] is not None:
            self._bounce_copied[half].synchronize()
        length = self._bounce.numel() // 2
        bounce = self._bounce[half * length : half * length + unit.nbytes]
        self._read_at(unit.spilled, bounce)
        target.copy_(bounce.view(target.dtype), non_blocking=True)
        copied = torch.cuda.Event()
        copied.record(torch.cuda.current_stream(self.device))
        self._bounce_copied[half] = copied

    def _read_at(self, offset: int, target: torch.Tensor) -> None:
        """Fill a uint8 CPU tensor from the spill file at `offset`, in parts read by threads at
        once: one thread copies from the page cache at a few GB/s, and a new prompt reads all
        of T5's streamed blocks (4.1 GiB) before its first transformer step."""
        assert self._spill_path is not None
        try:  # all done before the buffer is used or reused
            file_reads.wait_all(self._reader.read(self._spill_path, offset, target))
        except OSError as exc:
            raise UserError(
                Message(
                    "engine",
                    QT_TRANSLATE_NOOP(
                        "engine",
                        "Could not read {path} ({reason}). Restart MajicFlux: it writes the file again.",
                    ),
                    {"path": str(self._spill_path), "reason": str(exc)},
                )
            ) from exc

    def _open_spill(self, path: Path) -> None:
        self._spill_path = path
        self._reader.open(path)  # handles open while the streamer lives

    def close(self) -> None:
        self._reader.close()
        self._spill_path = None

    def _bind(self, unit: Unit, key: tuple[str, int]) -> None:
        views = unit.views.get(key)
        if views is None:
            kind, number = key
            if kind == "storage":
                base = unit.storage
            elif kind == "slot":
                base = self._slot(number)
            else:
                base = self._staging_buffer(number)[: unit.nbytes].view(unit.storage.dtype)
            views = [
                base[item.offset : item.offset + item.shape[0] * item.shape[1]].view(item.shape)
                for item in unit.linears
            ]
            unit.views[key] = views
        for item, view in zip(unit.linears, views, strict=True):
            item.module._parameters["weight"] = view  # type: ignore[assignment]
        self._bound[self._index[id(unit.module)]] = key

    @contextlib.contextmanager
    def _on(self, stream: Any) -> Iterator[None]:
        if stream is None:
            yield
        else:
            with torch.cuda.stream(stream):
                yield
