"""The engine's LoRAs from one image to the next: where they are found, what is on the transformer
now, and how much GPU memory they take.

`Engine` (pipeline.py) owns one `EngineLoras`: `attach` after each load, `apply` before each image
with the request's LoRAs (exactly those end up on; none when it has none), `detach` on unload.
Converted LoRAs are kept across loads (lora_apply.ConvertedCache), so a plan change after an
out-of-memory does not read the files again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import torch

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.core.request import LoraUse
from majicflux_desktop.core.results import AppliedLora
from majicflux_desktop.engine import memory
from majicflux_desktop.engine.lora_apply import ConvertedCache, LoraStack
from majicflux_desktop.engine.loras import HashCache, LoraIndex

# LoRA pairs are held in int8 where a plan keeps at most this share of the transformer's blocks
# on the GPU. There the step waits for the bus, and half the bytes save bus time; on the H200,
# two LoRAs (ranks 32 + 64) cost 1.09× → 1.00–1.02× at the 8 GB plan and 1.16× → 1.05× at 4 GB.
# Where most blocks stay resident the step is the GPU's compute, which int8 pairs slowed (12 GB
# plan: 1.18× → 1.31–1.37×); bench/README.md, "int8 LoRA pairs".
INT8_PAIRS_RESIDENT = 1 / 3


class EngineLoras:
    def __init__(self, reserve_bytes: int = memory.LORA_RESERVE):
        self.index: LoraIndex | None = None
        self.cache = ConvertedCache()
        self.stack: LoraStack | None = None
        self.reserve_bytes = reserve_bytes  # what a streamed plan sets aside for LoRAs
        # LoRA pairs in int8 (lora_apply.int8_pair); None: where INT8_PAIRS_RESIDENT says
        self.int8_pairs: bool | None = None
        # pairs of blocks upcast at each run added to their weights (lora_fold), not their
        # outputs; read at each load (attach)
        self.fold = True
        self.notes: tuple[Message, ...] = ()  # about the LoRAs of the last image
        self._budget: int | None = None  # the streamed plan's budget, if it has one
        self._tiny = False

    def set_folders(
        self,
        folders: Sequence[Path],
        files: Sequence[Path] = (),
        hash_cache_dir: Path | None = None,
    ) -> LoraIndex:
        """Look for LoRAs in these folders (and these single files); hashes are remembered in
        `hash_cache_dir` across runs if it is given."""
        if self.index is None:
            self.index = LoraIndex(folders, files, tiny=self._tiny, hash_cache=HashCache(hash_cache_dir))  # fmt: skip
        else:
            self.index.set_folders(folders, files)
        return self.index

    def use_index(self, index: LoraIndex) -> None:
        """Look for LoRAs in an index another part of the app made (the window lists the same
        files and shares its hashes)."""
        self.index = index
        if self.stack is not None:
            index.tiny = self._tiny

    def attach(
        self,
        dit: torch.nn.Module,
        device: str,
        dtype: torch.dtype,
        tiny: bool,
        streamed_budget: int | None,
        resident_share: float | None = None,
    ) -> None:
        """A new pipeline was loaded: its transformer has no LoRAs yet. `resident_share`: of its
        blocks, those the plan keeps on the GPU (None: no blocks stream)."""
        self._tiny = tiny
        self._budget = streamed_budget if torch.device(device).type == "cuda" else None
        int8 = self.int8_pairs
        if int8 is None:  # the GPU's bytes are the bus's: a block more resident, or half the ride
            int8 = (
                self._budget is not None
                and resident_share is not None
                and resident_share <= INT8_PAIRS_RESIDENT
            )
        self.stack = LoraStack(dit, device, dtype, self.cache, int8)
        self.stack.fold = self.fold
        if self.index is not None:
            self.index.tiny = tiny

    def detach(self) -> None:
        self.stack = None

    @property
    def nbytes(self) -> int:
        """GPU (or, on the CPU, host) bytes of the LoRAs on the transformer now."""
        return 0 if self.stack is None else self.stack.nbytes

    @property
    def hooked(self) -> bool:
        """Some LoRA on the transformer is a forward hook: compiled blocks would skip it."""
        return self.stack is not None and self.stack.hooked

    @property
    def planned_bytes(self) -> int:
        """What the next streamed plan should leave free for LoRAs."""
        return max(self.reserve_bytes, self.nbytes)

    def prefetch(self, uses: Sequence[LoraUse]) -> int:
        """Read and convert these LoRAs now (the engine is idle), so that the image that uses
        them does not wait for the files at its first step; returns how many were converted.
        Unknown or refused ones are left for that image to name."""
        if self.index is None or self.stack is None:
            return 0
        before = self.cache.conversions
        for use in uses:
            if not use.enabled or use.weight == 0:
                continue
            try:
                file = self.index.find(use)
                self.cache.get(file, self.index.sha256(file), self.stack.dtype)
            except (UserError, OSError):
                continue
        return self.cache.conversions - before

    def apply(
        self, uses: Sequence[LoraUse], room: Callable[[int], bool] | None = None
    ) -> tuple[AppliedLora, ...]:
        """Exactly these LoRAs on the transformer (disabled or weight 0: not at all); `room`
        makes space for them on the GPU or says there is none (LoraStack.apply)."""
        if self.stack is None:
            raise RuntimeError("engine not loaded")
        self.notes = ()
        wanted = [use for use in uses if use.enabled and use.weight != 0]
        if not wanted:
            return self.stack.apply(())
        if self.index is None:
            raise UserError(
                Message(
                    "loras",
                    QT_TRANSLATE_NOOP(
                        "loras",
                        "The request uses LoRAs ({names}), but no LoRA folder is set. Choose "
                        "the LoRA folders in Settings.",
                    ),
                    {"names": ", ".join(use.name for use in wanted)},
                )
            )
        try:
            files = [(self.index.find(use), use.weight) for use in wanted]
            items = [(file, self.index.sha256(file), weight) for file, weight in files]
            applied = self.stack.apply(items, room)
        except BaseException:
            self.stack.clear()  # never leave the previous image's LoRAs on after a failure
            raise
        self.notes = tuple(note for file, _ in files for note in file.notes)
        return applied
