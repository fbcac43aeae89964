"""Which model family a LoRA was made for, when it is not ours: from its tensor names and shapes.

A LoRA for SDXL or Qwen-Image must be refused with its family named, not applied wherever a name
happens to fit: Qwen-Image's and HunyuanVideo's blocks use the same diffusers names and sizes as
FLUX's for their attention, so names alone would match some of our layers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP
from majicflux_desktop.engine import lora_keys
from majicflux_desktop.engine.lora_keys import Shape, TargetModel

SD1 = QT_TRANSLATE_NOOP("loras", "Stable Diffusion 1.x")
SD2 = QT_TRANSLATE_NOOP("loras", "Stable Diffusion 2.x")
SDXL = QT_TRANSLATE_NOOP("loras", "SDXL")
SD_UNET = QT_TRANSLATE_NOOP("loras", "Stable Diffusion (1.x, 2.x or SDXL)")
SD3 = QT_TRANSLATE_NOOP("loras", "Stable Diffusion 3")
QWEN_IMAGE = QT_TRANSLATE_NOOP("loras", "Qwen-Image")
HUNYUAN_VIDEO = QT_TRANSLATE_NOOP("loras", "HunyuanVideo")
WAN = QT_TRANSLATE_NOOP("loras", "Wan (video)")
HIDREAM = QT_TRANSLATE_NOOP("loras", "HiDream-I1")
LUMINA = QT_TRANSLATE_NOOP("loras", "Lumina 2 / Z-Image")
PIXART = QT_TRANSLATE_NOOP("loras", "PixArt")
FLUX_CONTROL = QT_TRANSLATE_NOOP("loras", "FLUX Control (Canny/Depth), which needs a control image")

_UNET = re.compile(
    r"(^|[._])(input_blocks|output_blocks|middle_block|down_blocks|up_blocks|mid_block)[._]"
)
_CROSS_ATTENTION_KEY = re.compile(r"attn2[._]to_k$")
_BLOCK_INDEX = re.compile(r"(?:^|[._])(transformer_blocks|double_blocks|single_transformer_blocks|single_blocks)[._](\d+)[._]")  # fmt: skip
_SD_CONTEXT = {768: SD1, 1024: SD2, 2048: SDXL}
_SD3_WIDTHS = {1536, 2432}  # SD3 / 3.5 Medium, SD3.5 Large hidden sizes


def other_family(tensors: Mapping[str, tuple[str, Shape]], target: TargetModel) -> str:
    """The family the file was made for if it is not FLUX.1, else ""."""
    down: dict[str, Shape] = {}
    paths: list[str] = []
    for key, (_, shape) in tensors.items():
        parsed = lora_keys.split_key(key)
        if parsed is None:
            continue
        path, role = parsed
        paths.append(path)
        if role == "down":
            down[path] = shape
    stripped = [lora_keys.transformer_path(p) for p in paths if not lora_keys.is_text_encoder(p)]
    inner = [path for path, _ in stripped]
    dotted = [path for path, underscored in stripped if not underscored]
    if any(_UNET.search(p) for p in inner):
        return _stable_diffusion(down, paths)
    if any(re.search(r"(joint_blocks|context_block|x_block)", p) for p in inner):
        return SD3
    if any(re.search(r"double_stream_blocks|single_stream_blocks", p) for p in inner):
        return HIDREAM
    # HunyuanVideo's blocks are FLUX's with other names (`img_attn_qkv`, `img_mlp.fc1`,
    # `img_mod.linear`); in kohya's underscored form only the last two tell them apart.
    if any(re.search(r"(img|txt)_attn_qkv", p) for p in dotted) or any(
        re.search(r"token_refiner|(img|txt)_mlp[._]fc[12]|(img|txt)_mod[._]linear", p)
        for p in inner
    ):
        return HUNYUAN_VIDEO
    if any(re.search(r"(^|[._])(self_attn|cross_attn)[._]|(^|[._])ffn[._]", p) for p in inner):
        return WAN
    if any(re.search(r"(^|[._])layers[._]\d+[._](attention|feed_forward)", p) for p in inner):
        return LUMINA
    if any(re.search(r"transformer_blocks[._]\d+[._](img_mlp|txt_mlp|img_mod|txt_mod)", p) for p in inner):  # fmt: skip
        return QWEN_IMAGE
    if any(re.search(r"(^|[._])attn1[._]|adaln_single|caption_projection", p) for p in inner):
        return PIXART
    width = _attention_width(down)
    if width in _SD3_WIDTHS:
        return SD3
    deepest = _deepest_blocks(inner)
    if deepest.get("transformer_blocks", -1) >= lora_keys.FLUX.double_blocks:
        # More double blocks than FLUX.1 has: Qwen-Image (60) or HunyuanVideo (20 + 40 single).
        return HUNYUAN_VIDEO if "single_transformer_blocks" in deepest else QWEN_IMAGE
    if _is_flux_control(down, target):
        return FLUX_CONTROL
    return ""


def _stable_diffusion(down: Mapping[str, Shape], paths: list[str]) -> str:
    for path, shape in down.items():
        if _CROSS_ATTENTION_KEY.search(path) and len(shape) >= 2 and shape[1] in _SD_CONTEXT:
            return _SD_CONTEXT[shape[1]]
    if any(p.startswith(("lora_te2_", "text_encoder_2.")) for p in paths):
        return SDXL
    return SD_UNET


def _attention_width(down: Mapping[str, Shape]) -> int:
    for path, shape in down.items():
        inner = lora_keys.transformer_path(path)[0]
        if re.search(r"transformer_blocks[._]\d+[._]attn[._]to_q$", inner) and len(shape) == 2:
            return shape[1]
    return 0


def _deepest_blocks(paths: list[str]) -> dict[str, int]:
    deepest: dict[str, int] = {}
    for path in paths:
        for kind, index in _BLOCK_INDEX.findall(path):
            deepest[kind] = max(deepest.get(kind, -1), int(index))
    return deepest


def _is_flux_control(down: Mapping[str, Shape], target: TargetModel) -> bool:
    """BFL's Canny/Depth LoRAs widen the image input to take the control image's latents too."""
    for path, shape in down.items():
        inner = lora_keys.transformer_path(path)[0]
        if inner in ("img_in", "x_embedder") and len(shape) == 2:
            return shape[1] > target.latent_dim and shape[1] % target.latent_dim == 0
    return False
