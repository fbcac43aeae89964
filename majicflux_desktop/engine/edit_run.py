"""Edit modes, the denoising side: diffsynth's inputs for an edit, and our masked-latent blend.

diffsynth 2.1.12 starts image to image from `input_image` noised to `denoising_strength`, but its
FLUX pipeline never keeps the unmasked part of a picture: its `step()` takes an inpaint mask that
the FLUX pipeline never passes. So, as diffusers' FLUX inpainting does, after every step the
latents outside the mask are replaced by the source's latents noised to the level of the next
step, with the very noise the run started from; after the last step they are the source's
latents exactly. The model thus sees the real surroundings at every step and paints a masked
area that continues them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import torch
from PIL import Image

from majicflux_desktop.engine.edit import EditPlan, finish

Step = Callable[..., torch.Tensor]  # FluxImagePipeline.step(scheduler, progress_id=, **inputs)


class EditRun:
    """One run of an edit: what the pipeline is called with, and the blend around its steps."""

    def __init__(self, plan: EditPlan):
        self.plan = plan
        self.source_latents: torch.Tensor | None = None
        self._mask: torch.Tensor | None = None

    def pipe_inputs(self) -> dict[str, Any]:
        width, height = self.plan.work_size
        return {
            "input_image": self.plan.init_image,
            "denoising_strength": self.plan.strength,
            # diffsynth spreads all `num_inference_steps` over the shortened schedule; passing
            # about strength × steps runs as many steps as A1111 and diffusers do.
            "num_inference_steps": self.plan.steps,
            "width": width,
            "height": height,
        }

    @contextlib.contextmanager
    def watching(self, pipe: Any) -> Iterator[None]:
        """Keep the source's latents when diffsynth encodes the start picture (once, before the
        first step). A hook on the encoder rather than an encode of our own: one encode, in
        whatever place and tiling the memory plan gives the encoder."""
        if not self.plan.blends:
            yield
            return
        handle = pipe.vae_encoder.register_forward_hook(self._keep)
        try:
            yield
        finally:
            handle.remove()

    def _keep(self, module: Any, args: Any, output: torch.Tensor) -> None:
        self.source_latents = output.detach()

    def wrap_step(self, step: Step) -> Step:
        if not self.plan.blends:
            return step

        def step_and_blend(scheduler: Any, progress_id: int, **inputs: Any) -> torch.Tensor:
            latents = step(scheduler, progress_id=progress_id, **inputs)
            return self.blend(scheduler, progress_id, latents, inputs["noise"])

        return step_and_blend

    def blend(
        self, scheduler: Any, progress_id: int, latents: torch.Tensor, noise: torch.Tensor
    ) -> torch.Tensor:
        """Latents after step `progress_id`: the model's inside the mask, the source's noised to
        the next step's level outside it (none after the last step)."""
        if self.source_latents is None:
            raise RuntimeError("the source picture was not encoded before the first step")
        following = progress_id + 1
        sigma = float(scheduler.sigmas[following]) if following < len(scheduler.sigmas) else 0.0
        source = self.source_latents.to(latents)
        known = source if sigma == 0.0 else (1.0 - sigma) * source + sigma * noise.to(latents)
        return torch.where(self._mask_like(latents), latents, known)

    def _mask_like(self, latents: torch.Tensor) -> torch.Tensor:
        if self._mask is None or self._mask.device != latents.device:
            cells = torch.from_numpy(self.plan.latent_mask).to(latents.device)
            self._mask = cells[None, None]
        if self._mask.shape[-2:] != latents.shape[-2:]:
            raise RuntimeError(
                f"mask {tuple(self._mask.shape[-2:])} does not match latents "
                f"{tuple(latents.shape[-2:])}"
            )
        return self._mask

    def finish(self, image: Image.Image) -> Image.Image:
        return finish(self.plan, image)
