from __future__ import annotations

import io
import json
import zlib
from pathlib import Path

from PIL import Image, PngImagePlugin

from majicflux_desktop.core import metadata
from majicflux_desktop.core.metadata import ImageMetadata, a1111_parameters, encode_png, read
from majicflux_desktop.core.request import GenerationRequest

CHINESE = "一只橘猫坐在窗台上，阳光明媚，超写实 — “cosy” 🐱"


def png_with(chunks: dict[str, str], itxt: bool = False) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in chunks.items():
        info.add_itxt(key, value) if itxt else info.add_text(key, value)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def sample_meta() -> ImageMetadata:
    request = GenerationRequest(
        CHINESE,
        negative_prompt="模糊, low quality",
        seed=4_294_967_295,
        steps=28,
        width=832,
        height=1216,
        guidance=3.0,
        cfg_scale=2.5,
    )
    return ImageMetadata(
        request=request,
        model="majicflus_v134",
        model_hash="0123456789ab",
        plan="fp8",
        app_version="0.1.0",
        created="2026-11-24T12:00:00+08:00",
        duration_s=4.2,
        peak_vram_bytes=7_838_315_315,
    )


def test_our_metadata_round_trips_chinese(tmp_path: Path) -> None:
    meta = sample_meta()
    path = tmp_path / "out.png"
    path.write_bytes(encode_png(Image.new("RGB", (16, 16), "orange"), meta))
    result = read(path)
    assert result.source == "MajicFlux"
    assert result.request == meta.request
    assert result.metadata == meta
    assert result.notes == []


def test_chunks_are_utf8_itxt() -> None:
    data = encode_png(Image.new("RGB", (4, 4)), sample_meta())
    assert data.count(b"iTXt") == 2
    assert CHINESE.encode("utf-8") in data  # uncompressed UTF-8, readable by any tool


def test_a1111_block_is_read_back_by_the_a1111_reader() -> None:
    meta = sample_meta()
    text = a1111_parameters(meta)
    assert (
        "Seed: 4294967295" in text and "Size: 832x1216" in text and "Distilled CFG Scale: 3" in text
    )
    result = read(png_with({"parameters": text}, itxt=True))
    assert result.source == "A1111"
    assert result.request == meta.request


def test_forge_flux_parameters() -> None:
    text = (
        "photo of a woman, (masterpiece:1.2), 8k\n"
        'Negative prompt: ugly, "bad" hands\n'
        "Steps: 25, Sampler: Euler, Schedule type: Simple, CFG scale: 1, Distilled CFG Scale: 3.5, "
        "Seed: 1234567, Size: 896x1152, Model hash: 8e91b68084, Model: flux1-dev-bnb-nf4-v2, "
        'Lora hashes: "abc: 123, def: 456", Version: f2.0.1v1.10.1'
    )
    result = read(png_with({"parameters": text}))
    r = result.request
    assert result.source == "A1111"
    assert r is not None
    assert r.prompt == "photo of a woman, (masterpiece:1.2), 8k"
    assert r.negative_prompt == 'ugly, "bad" hands'
    assert (r.steps, r.seed, r.width, r.height, r.guidance, r.cfg_scale) == (
        25,
        1234567,
        896,
        1152,
        3.5,
        1.0,
    )
    assert any("flux1-dev-bnb-nf4-v2" in n.text() for n in result.notes)


def test_sdxl_a1111_parameters_keep_flux_guidance_and_say_so() -> None:
    text = "a castle\nSteps: 30, Sampler: DPM++ 2M, CFG scale: 7, Seed: 42, Size: 1000x1000, Model: sdxl"
    result = read(png_with({"parameters": text}))
    r = result.request
    assert r is not None
    assert (r.cfg_scale, r.guidance, r.width, r.height) == (1.0, 3.5, 1008, 1008)
    texts = " ".join(n.text() for n in result.notes)
    assert "another kind of model" in texts and "1008" in texts


COMFY_GRAPH = {
    "6": {
        "class_type": "CLIPTextEncode",
        "inputs": {"text": "橘猫 in the snow", "clip": ["11", 0]},
    },
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["11", 0]}},
    "26": {"class_type": "FluxGuidance", "inputs": {"guidance": 2.8, "conditioning": ["6", 0]}},
    "27": {
        "class_type": "EmptySD3LatentImage",
        "inputs": {"width": 768, "height": 1344, "batch_size": 1},
    },
    "31": {
        "class_type": "KSampler",
        "inputs": {
            "seed": ["40", 0],
            "steps": 24,
            "cfg": 1,
            "sampler_name": "euler",
            "scheduler": "simple",
            "denoise": 1,
            "model": ["12", 0],
            "positive": ["26", 0],
            "negative": ["7", 0],
            "latent_image": ["27", 0],
        },
    },
    "40": {"class_type": "PrimitiveNode", "inputs": {"value": 987654321}},
}


def test_comfyui_graph() -> None:
    result = read(png_with({"prompt": json.dumps(COMFY_GRAPH), "workflow": "{}"}))
    r = result.request
    assert result.source == "ComfyUI"
    assert r is not None
    assert (r.prompt, r.seed, r.steps, r.width, r.height, r.guidance) == (
        "橘猫 in the snow",
        987654321,
        24,
        768,
        1344,
        2.8,
    )


def test_comfyui_custom_sampler_graph() -> None:
    graph = {
        "1": {"class_type": "CLIPTextEncode", "inputs": {"text": "a fox"}},
        "2": {"class_type": "BasicGuider", "inputs": {"conditioning": ["3", 0], "model": ["9", 0]}},
        "3": {"class_type": "FluxGuidance", "inputs": {"guidance": 4, "conditioning": ["1", 0]}},
        "4": {"class_type": "RandomNoise", "inputs": {"noise_seed": 77}},
        "5": {"class_type": "BasicScheduler", "inputs": {"steps": 12, "scheduler": "simple"}},
    }
    r = read(png_with({"prompt": json.dumps(graph)})).request
    assert r is not None
    assert (r.prompt, r.seed, r.steps, r.guidance) == ("a fox", 77, 12, 4.0)


def test_invokeai_and_fooocus() -> None:
    invoke = {
        "positive_prompt": "a lake",
        "negative_prompt": "",
        "seed": 9,
        "steps": 30,
        "width": 1024,
        "height": 768,
        "guidance": 4.5,
    }
    r = read(png_with({"invokeai_metadata": json.dumps(invoke)})).request
    assert r is not None and (r.prompt, r.seed, r.height, r.guidance) == ("a lake", 9, 768, 4.5)
    fooocus = {
        "prompt": "a tree",
        "negative_prompt": "fog",
        "seed": 3,
        "steps": 30,
        "resolution": "(1152, 896)",
    }
    result = read(png_with({"parameters": json.dumps(fooocus), "fooocus_scheme": "fooocus"}))
    assert result.source == "Fooocus"
    assert result.request is not None and (result.request.width, result.request.height) == (
        1152,
        896,
    )


def test_hostile_values_are_replaced_with_defaults_and_noted() -> None:
    ours = {
        "request": {
            "prompt": "ok",
            "seed": 10**30,
            "steps": "many",
            "width": -5,
            "guidance": "nan",
            "cfg_scale": 1e9,
            "negative_prompt": {"x": 1},
        }
    }
    result = read(png_with({"majicflux": json.dumps(ours)}))
    r = result.request
    assert r is not None
    assert (r.prompt, r.seed, r.steps, r.width, r.cfg_scale) == ("ok", None, 20, 1024, 1.0)
    assert r.problems() == []
    assert len(result.notes) >= 4


def test_broken_and_huge_chunks_are_ignored_safely() -> None:
    damaged = read(
        png_with({"majicflux": "{not json", "parameters": "a\nSteps: 5, Seed: 1, Size: 512x512"})
    )
    assert damaged.source == "A1111"
    assert any("damaged" in n.text() for n in damaged.notes)
    huge = read(png_with({"parameters": "x" * 10_000_000}, itxt=True))
    assert huge.request is None
    assert huge.notes


def test_compressed_bomb_chunk_is_refused() -> None:
    bomb = zlib.compress(b"a" * 200_000_000, 9)
    raw = bytearray(png_with({}))
    chunk_data = b"parameters\x00\x01\x00\x00\x00" + bomb
    chunk = len(chunk_data).to_bytes(4, "big") + b"iTXt" + chunk_data
    chunk += zlib.crc32(b"iTXt" + chunk_data).to_bytes(4, "big")
    insert_at = raw.index(b"IDAT") - 4
    result = read(bytes(raw[:insert_at]) + chunk + bytes(raw[insert_at:]))
    assert result.request is None  # never decompressed 200 MB into memory


def test_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("hello")
    result = read(path)
    assert result.request is None
    text = result.notes[0].text()
    assert text == "This file is not a readable image (not an image format MajicFlux can read)."
    assert "Error" not in text  # no exception class names (UnidentifiedImageError)
    gone = read(tmp_path / "missing.png").notes[0].text()
    assert gone == "This file is not a readable image (the file is gone)."


def test_image_without_parameters() -> None:
    result = read(png_with({"Software": "GIMP"}))
    assert result.request is None
    assert "no generation parameters" in result.notes[0].text()


def test_export_without_metadata_has_no_text_chunks() -> None:
    data = encode_png(Image.new("RGB", (4, 4)), None)
    assert b"iTXt" not in data and b"tEXt" not in data
    assert metadata.read(data).request is None


def test_lora_tags_say_where_each_tag_is_and_split_leaves_clean_text() -> None:
    from majicflux_desktop.core.request import LoraUse

    text = "a cat <lora:ghibli:0.8>, sunny <lora:水墨山水>"
    tags = metadata.lora_tags(text)
    assert [(text[t.start : t.end], t.use) for t in tags] == [
        ("<lora:ghibli:0.8>", LoraUse("ghibli", 0.8)),
        ("<lora:水墨山水>", LoraUse("水墨山水", 1.0)),
    ]
    assert metadata.split_lora_tags(text) == (
        "a cat, sunny",
        [LoraUse("ghibli", 0.8), LoraUse("水墨山水", 1.0)],
    )
