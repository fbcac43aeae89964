"""Put a freshly loaded diffsynth pipeline under the block streamer (streaming.py).

diffsynth loads every model into host RAM; here its per-layer VRAM wrappers are taken off, the
residency is chosen from the VRAM budget (memory.plan_residency), the transformer and T5 blocks
are packed into a BlockStreamer, and everything else moves to the GPU in bf16.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import torch

from majicflux_desktop.core.results import Laps
from majicflux_desktop.engine import catalog, memory
from majicflux_desktop.engine.file_reads import PartReader
from majicflux_desktop.engine.streaming import FP8, BlockStreamer, linear_numel
from majicflux_desktop.engine.tiling import StreamedMemory

log = logging.getLogger("majicflux.streaming")  # the residency line reads with the streamer's own
# safetensors dtype names of the weights a file may store as the streamer packs them
_TORCH_DTYPES = {
    "F8_E4M3": torch.float8_e4m3fn,
    "BF16": torch.bfloat16,
    "F16": torch.float16,
    "F32": torch.float32,
}


def unwrap_vram_management(module: Any) -> Any:
    """Replace diffsynth's per-layer VRAM wrappers by the plain layers they wrap (same tensors)."""
    from diffsynth.core.vram.layers import AutoWrappedLinear, AutoWrappedModule

    for name, child in list(module.named_children()):
        if isinstance(child, AutoWrappedLinear):
            with torch.device("meta"):
                plain = torch.nn.Linear(
                    child.in_features, child.out_features, bias=child.bias is not None
                )
            plain.weight = child.weight
            plain.bias = child.bias
            module._modules[name] = plain
        elif isinstance(child, AutoWrappedModule):
            module._modules[name] = unwrap_vram_management(child.module)
        else:
            unwrap_vram_management(child)
    if hasattr(module, "vram_management_enabled"):
        setattr(module, "vram_management_enabled", False)  # noqa: B010 - a plain flag on a Module
    return module


def disk_map_of(module: Any) -> Any | None:
    """diffsynth's DiskMap of a model loaded with disk offload (its weights still on disk)."""
    for sub in module.modules():
        if getattr(sub, "disk_offload", False):
            return sub.disk_map
    return None


class DiskWeights:
    """A model's weights that diffsynth left on disk: read when a part of the model is packed.

    Loaded the usual way, diffsynth reads a whole model into host RAM before the streamer packs
    it, so the load peaks at the packed blocks plus the whole model (12 GB for the transformer).
    With its disk offload the model is built without weights; here each block's are read (as
    the usual load would: every tensor in the load dtype) just before it is packed, so the
    peak is the packed blocks plus one block.
    """

    def __init__(self, model: torch.nn.Module, disk_map: Any, dtype: torch.dtype):
        self.disk_map = disk_map
        self.dtype = dtype
        self.names = {id(module): name for name, module in model.named_modules()}
        self._headers: dict[int, catalog.Header] = {}
        self._reader = PartReader()

    def read(self, linear: torch.nn.Linear, target: torch.Tensor) -> list[Future[None]] | None:
        """Queue reading the Linear's weight straight into `target`, when the file stores it as
        `target` holds it (the majicflus file's float8 weights): what `load` would give, bit for
        bit, without its three copies. None: `load` reads it (another dtype or shape, another
        name in the file than a rename)."""
        full = f"{self.names[id(linear)]}.weight"
        renames = self.disk_map.rename_dict
        key = full if renames is None else renames.get(full)
        file_id = self.disk_map.name_map.get(key) if isinstance(key, str) else None
        if file_id is None:
            return None
        path = Path(self.disk_map.path[file_id])
        header = self._headers.get(file_id)
        if header is None:
            header = self._headers[file_id] = catalog.read_header(path)
        dtype, shape = header.tensors[key]
        if _TORCH_DTYPES.get(dtype) != target.dtype or shape != tuple(target.shape):
            return None
        return self._reader.read(path, header.starts[key], target)

    def close(self) -> None:
        self._reader.close()

    def load(
        self, module: torch.nn.Module, recurse: bool = True, linear_weights: bool = True
    ) -> None:
        """Read the module's weights; without `linear_weights` (their packed bytes are in a
        spill file already) the Linear layers' weights stay unread."""
        prefix = self.names[id(module)]
        parts = module.named_modules() if recurse else iter([("", module)])
        for sub_name, sub in parts:
            for kind in (sub._parameters, sub._buffers):
                for name, tensor in list(kind.items()):
                    if tensor is None or not tensor.is_meta:
                        continue
                    if not linear_weights and name == "weight" and isinstance(sub, torch.nn.Linear):
                        continue
                    full = ".".join(part for part in (prefix, sub_name, name) if part)
                    value = self.disk_map[full].to(self.dtype)
                    if kind is sub._parameters:
                        value = torch.nn.Parameter(value, requires_grad=False)
                    kind[name] = value

    def load_all_but(self, model: torch.nn.Module, blocks: Sequence[torch.nn.Module]) -> None:
        """Everything outside `blocks` (embeddings, norms, final layers: small)."""
        inside = {id(m) for block in blocks for m in block.modules()}
        for module in model.modules():
            if id(module) not in inside:
                self.load(module, recurse=False)


def block_loader(
    model: torch.nn.Module,
    disk_map: Any | None,
    blocks: Sequence[torch.nn.Module],
    dtype: torch.dtype,
) -> DiskWeights | None:
    """For a model diffsynth left on disk: what lies outside `blocks` is read now, and the
    weights returned read a block as the streamer packs it (None: the model is loaded whole)."""
    if disk_map is None:
        return None
    weights = DiskWeights(model, disk_map, dtype)
    weights.load_all_but(model, blocks)
    return weights


def add_model(
    streamer: BlockStreamer, model: str, blocks: Sequence[torch.nn.Module], storage: torch.dtype,
    resident: Sequence[bool], weights: DiskWeights | None, **options: Any,
) -> None:  # fmt: skip
    """streamer.add_model, reading the blocks' weights as they are packed (a lean load)."""
    try:
        streamer.add_model(
            model,
            blocks,
            storage,
            resident,
            load=None if weights is None else weights.load,
            read=None if weights is None else weights.read,
            **options,
        )
    finally:
        if weights is not None:
            weights.close()


def to_device(
    module: torch.nn.Module,
    device: torch.device | str,
    dtype: torch.dtype,
    skip: Sequence[torch.nn.Module] = (),
) -> None:
    """Move parameters and buffers to `device` (floats in `dtype`), except inside `skip`.

    The streamer's blocks are skipped: their weights point into packed buffers already.
    """
    skipped = {id(m) for container in skip for m in container.modules()}
    for sub in module.modules():
        if id(sub) in skipped:
            continue
        for name, param in list(sub._parameters.items()):
            if param is not None and param.device.type != "meta":
                converted = param.detach().to(
                    device, dtype if param.is_floating_point() else param.dtype
                )
                sub._parameters[name] = torch.nn.Parameter(converted, requires_grad=False)
        for name, buffer in list(sub._buffers.items()):
            if buffer is not None:
                sub._buffers[name] = buffer.to(device)


def _resident_bytes(module: torch.nn.Module, blocks: Sequence[torch.nn.Module] = ()) -> int:
    """bf16 bytes of what stays on the GPU: everything but the Linear weights of `blocks`."""
    packed = {
        id(m.weight) for block in blocks for m in block.modules() if isinstance(m, torch.nn.Linear)
    }
    return sum(2 * p.numel() for p in module.parameters() if id(p) not in packed)


def stream_pipeline(
    pipe: Any,
    plan: Any,
    budget: int | None,
    device: str,
    load_t5: Callable[[], torch.nn.Module],
    t5_layout: dict[str, tuple[int, ...]],
    size: tuple[int, int] = (1024, 1024),
    copy_ahead: int = 4,
    compute_dtype: torch.dtype = torch.bfloat16,
    fp8_matmul: bool = False,
    lora_bytes: int = 0,
    t5_spill: tuple[Path, str] | None = None,
    laps: Laps | None = None,
) -> BlockStreamer:
    """Put a freshly loaded pipeline (all models in host RAM) under a BlockStreamer.

    The transformer is packed first and its resident blocks leave host RAM before T5 is loaded,
    so the peak host memory stays near the larger of the two models, not their sum.
    `lora_bytes`: GPU memory to leave for LoRA side branches (memory.Workspace.loras).

    Residency is planned for the activations of a `size` image; a job of another size is tiled
    to fit with this residency (engine/tiling.py, from `streamer.planned`).
    `t5_spill` (a file and its key): T5's streamed blocks wait in that file, not in host RAM,
    and are read from it when a new prompt is encoded (BlockStreamer.spill).
    """
    streamer = BlockStreamer(device, compute_dtype, copy_ahead=copy_ahead)
    try:
        dit_disk = disk_map_of(pipe.dit)
        dit = unwrap_vram_management(pipe.dit)
        clip = unwrap_vram_management(pipe.text_encoder_1)
        vae = unwrap_vram_management(pipe.vae_decoder)
        encoder = unwrap_vram_management(pipe.vae_encoder)  # edits encode their start picture
        dit_blocks = [*dit.blocks, *dit.single_blocks]
        t5_fp8 = plan.storage_dtype("t5") == "fp8"
        t5_storage = FP8 if t5_fp8 else compute_dtype
        dit_units = [linear_numel(b) for b in dit_blocks]  # float8: one byte each
        t5_numels, t5_fixed = memory.t5_sizes(t5_layout)
        t5_units = [n * (1 if t5_fp8 else 2) for n in t5_numels]
        fixed = (
            _resident_bytes(dit, dit_blocks)
            + _resident_bytes(clip)
            + _resident_bytes(vae)
            + t5_fixed
        )
        space = memory.workspace(
            fixed, dit_units, t5_numels, t5_units, budget, size, copy_ahead, fp8_matmul, lora_bytes
        )
        space, residency = memory.streamed_plan(space, budget, dit_units, t5_units)
        log.info(
            "residency: %d/%d transformer blocks and %d/%d T5 blocks on the GPU (budget %s, predicted peak %.1f GB)",
            sum(residency.dit), len(dit_units), sum(residency.t5), len(t5_units),
            "none" if budget is None else f"{budget / 2**30:.1f} GB", residency.predicted_peak / 2**30,
        )  # fmt: skip
        lap = (laps or Laps()).lap
        add_model(
            streamer,
            "dit",
            dit_blocks,
            FP8,
            residency.dit,
            block_loader(dit, dit_disk, dit_blocks, FP8),
            fp8_compute=fp8_matmul,
        )
        to_device(dit, streamer.device, streamer.compute_dtype, skip=dit_blocks)
        lap("transformer read and packed")
        t5_loaded = load_t5()
        lap("T5 built")
        t5_disk = disk_map_of(t5_loaded)
        t5 = unwrap_vram_management(t5_loaded)
        t5_blocks = list(t5.encoder.block)
        add_model(
            streamer,
            "t5",
            t5_blocks,
            t5_storage,
            residency.t5,
            block_loader(t5, t5_disk, t5_blocks, t5_storage),
            spill=t5_spill,
        )
        to_device(t5, streamer.device, streamer.compute_dtype, skip=t5_blocks)
        lap("T5 read and packed")
        to_device(clip, streamer.device, streamer.compute_dtype)
        to_device(vae, streamer.device, streamer.compute_dtype)
        # Text to image never encodes a picture, so the encoder (34M parameters, 65 MiB in bf16)
        # rests in host RAM and visits the GPU for an edit's encode: it takes no room from resident
        # blocks (one transformer block at the 8 GB plan), and the encode phase counts it.
        to_device(encoder, "cpu", streamer.compute_dtype)
        streamer.allocate()
        streamer.install()
        lap("CLIP and VAE placed, workspace taken")
        # The VAE's activations need the room the block workspace takes (T5's before an edit's
        # encode, the transformer's before the decode). Whether they run in tiles is decided per job.
        vae.register_forward_pre_hook(lambda module, args: streamer.release())
        encoder.register_forward_pre_hook(_visit(streamer))
        encoder.register_forward_hook(_leave)
        streamer.residency = residency  # type: ignore[attr-defined]
        streamer.planned = StreamedMemory(  # type: ignore[attr-defined]
            space, dit_units, t5_units, residency, encoder_bytes=_resident_bytes(encoder)
        )
        pipe.vram_management_enabled = False
    except BaseException:  # a failed load leaves no open spill file behind (Windows keeps it)
        streamer.close()
        raise
    return streamer


def _visit(streamer: BlockStreamer) -> Callable[[torch.nn.Module, Any], None]:
    def visit(module: torch.nn.Module, args: Any) -> None:
        streamer.release()
        module.to(streamer.device)

    return visit


def _leave(module: torch.nn.Module, args: Any, output: Any) -> None:
    module.to("cpu")
