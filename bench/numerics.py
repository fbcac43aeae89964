"""How far float8 maths moves the transformer's output from bf16 maths on the same float8 weights.

    python -m bench.numerics --models DIR

Loads the fp8 plan with bf16 maths, then float8 maths, then float8 maths with compiled blocks
(engine/compiled.py), and compares each one's latents after a few denoising steps with bf16 maths'
for the same prompt and seed: relative L2 error, and the images' PSNR.
"""

from __future__ import annotations

import argparse
import gc
import json

import numpy
import torch

from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.engine import scan
from majicflux_desktop.engine.pipeline import Engine


def run(
    models: str, fp8_matmul: str, steps: int, compiled: str = "off"
) -> tuple[torch.Tensor, numpy.ndarray]:
    engine = Engine(device="cuda", fp8_matmul=fp8_matmul, compile_maths=compiled)
    engine.load(scan.check(models).paths(), "fp8")
    captured: list[torch.Tensor] = []
    engine.pipe.vae_decoder.register_forward_pre_hook(
        lambda m, a: captured.append(a[0].float().cpu())
    )
    request = GenerationRequest(
        "a ginger cat on a windowsill", seed=7, steps=steps, width=1024, height=1024
    )
    image = numpy.asarray(engine.generate(request).image, dtype=numpy.float64)
    engine.unload()
    del engine
    gc.collect()
    torch.cuda.empty_cache()
    return captured[-1], image


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", required=True)
    parser.add_argument("--steps", type=int, default=4)
    args = parser.parse_args()
    bf16_latents, bf16_image = run(args.models, "off", args.steps)
    for label, maths, compiled in (
        ("fp8 maths", "auto", "off"),
        ("fp8 maths, compiled", "auto", "auto"),
        ("bf16 maths, compiled", "off", "auto"),
    ):
        latents, image = run(args.models, maths, args.steps, compiled)
        error = float((latents - bf16_latents).norm() / bf16_latents.norm())
        mse = float(((image - bf16_image) ** 2).mean())
        psnr = 10 * numpy.log10(255**2 / mse) if mse else float("inf")
        print(
            json.dumps(
                {
                    "against": "bf16 maths, eager",
                    "run": label,
                    "steps": args.steps,
                    "latent_relative_error": round(error, 5),
                    "image_psnr_db": round(psnr, 2),
                    "finite": bool(torch.isfinite(latents).all()),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
