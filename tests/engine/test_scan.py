"""Use existing files: scanning folders laid out like ComfyUI, Forge and the hub caches, by layout."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from helpers import write_header_only
from majicflux_desktop.engine import catalog, layouts, scan

FLUX = "black-forest-labs/FLUX.1-dev"
SDXL = {
    "model.diffusion_model.input_blocks.0.0.weight": (320, 4, 3, 3),
    "conditioner.embedders.1.model.ln_final.weight": (1280,),
}
# ComfyUI's float8 T5 with per-tensor scales: a layout MajicFlux does not load
T5_SCALED = {
    **catalog.t5_single_file(layouts.t5_encoder()),
    "scaled_fp8": (0,),
    "encoder.block.0.layer.0.SelfAttention.q.scale_weight": (1,),
}


def write_tokenizers(folder: Path) -> None:
    clip, t5 = folder / "sd1_tokenizer", folder / "t5_tokenizer"
    for name in ("vocab.json", "merges.txt", "tokenizer_config.json"):
        (clip / name).parent.mkdir(parents=True, exist_ok=True)
        (clip / name).write_text("{}")
    t5.mkdir(parents=True, exist_ok=True)
    (t5 / "tokenizer.json").write_text("{}")
    (t5 / "tokenizer_config.json").write_text('{"tokenizer_class": "T5Tokenizer"}')


def comfyui_tree(root: Path) -> Path:
    """A ComfyUI install: single-file encoders, the DiT in unet/, tokenizers inside comfy/."""
    models = root / "models"
    write_header_only(models / "unet/majicflus_v134.safetensors", layouts.flux_dit(), "F8_E4M3")
    write_header_only(models / "clip/clip_l.safetensors", layouts.clip_text(), "F16")
    t5 = catalog.t5_single_file(layouts.t5_encoder())
    write_header_only(models / "clip/t5xxl_fp16.safetensors", t5, "F16")
    write_header_only(models / "vae/ae.safetensors", layouts.flux_vae(), "BF16")
    # decoys
    write_header_only(models / "checkpoints/sd_xl_base_1.0.safetensors", SDXL)
    (models / "checkpoints/v1-5-pruned.ckpt").write_bytes(pickle.dumps({"w": [1, 2]}))
    write_header_only(
        models / "vae/ae_half_downloaded.safetensors", layouts.flux_vae(), truncate_to=4_000_000
    )
    write_header_only(models / "loras/style.safetensors", {"lora_unet_a.lora_down.weight": (4, 8)})
    write_header_only(models / "text_encoders/t5xxl_fp8_e4m3fn_scaled.safetensors", T5_SCALED)
    (models / "unet/flux1-dev-Q4_0.gguf").write_bytes(b"GGUF" + b"\0" * 60)
    write_tokenizers(root / "comfy/text_encoders")
    return root


def test_comfyui_models_folder_finds_weights_and_says_what_is_missing(tmp_path: Path) -> None:
    models = comfyui_tree(tmp_path) / "models"
    report = scan.scan(models)
    roles = report.roles
    assert roles["dit"].paths == [models / "unet/majicflus_v134.safetensors"]
    assert roles["clip"].paths == [models / "clip/clip_l.safetensors"]
    assert roles["t5"].paths == [models / "clip/t5xxl_fp16.safetensors"]
    assert roles["t5"].found_as == catalog.T5_SINGLE_FILE
    assert roles["vae"].paths == [models / "vae/ae.safetensors"]
    assert not roles["tokenizer"].ok and not roles["tokenizer_2"].ok  # ComfyUI keeps them in code
    assert not report.complete
    rejected = {path.name: message.text() for path, message in report.rejected}
    assert "SDXL checkpoint" in rejected["sd_xl_base_1.0.safetensors"]
    assert "majicflus_v1 transformer" in rejected["sd_xl_base_1.0.safetensors"]
    assert "only .safetensors" in rejected["v1-5-pruned.ckpt"]
    assert "incomplete" in rejected["ae_half_downloaded.safetensors"]
    assert "download it again" in rejected["ae_half_downloaded.safetensors"]
    assert "LoRA" in rejected["style.safetensors"]
    assert "GGUF" in rejected["flux1-dev-Q4_0.gguf"]
    scaled = rejected["t5xxl_fp8_e4m3fn_scaled.safetensors"]
    assert "T5 text encoder with a different layout" in scaled
    assert "not the T5-XXL text encoder" in scaled  # compared with the right role, not the DiT


def test_comfyui_root_is_complete_with_its_own_tokenizers(tmp_path: Path) -> None:
    report = scan.scan(comfyui_tree(tmp_path))
    assert report.complete, [m.text() for m in scan.describe_missing(report)]
    paths = report.paths()
    assert paths.tokenizer_clip == tmp_path / "comfy/text_encoders/sd1_tokenizer"
    assert paths.t5 == (tmp_path / "models/clip/t5xxl_fp16.safetensors",)
    assert not paths.tiny


def test_majicflus_is_preferred_over_other_flux_transformers(tmp_path: Path) -> None:
    write_header_only(tmp_path / "a/flux1-dev.safetensors", layouts.flux_dit(prefix=""))
    write_header_only(tmp_path / "b/c/majicflus_v134.safetensors", layouts.flux_dit())
    status = scan.scan(tmp_path).roles["dit"]
    assert status.paths == [tmp_path / "b/c/majicflus_v134.safetensors"]
    only_dev = scan.scan(tmp_path / "a").roles["dit"]
    assert only_dev.ok and only_dev.found_as == "FLUX.1-dev transformer"


def test_t5_prefers_full_precision_and_the_shards(tmp_path: Path) -> None:
    single = catalog.t5_single_file(layouts.t5_encoder())
    write_header_only(tmp_path / "clip/t5xxl_fp8_e4m3fn.safetensors", single, "F8_E4M3")
    assert scan.scan(tmp_path).roles["t5"].ok  # a float8 copy is usable...
    first, second = layouts.split_t5_shards(layouts.t5_encoder())
    write_header_only(tmp_path / "hf/text_encoder_2/model-00001-of-00002.safetensors", first)
    write_header_only(tmp_path / "hf/text_encoder_2/model-00002-of-00002.safetensors", second)
    status = scan.scan(tmp_path).roles["t5"]  # ...but the bf16 shards win
    assert [p.name for p in status.paths] == [
        "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
    ]


def symlink_or_skip(link: Path, to: str | Path, is_dir: bool = False) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    try:
        link.symlink_to(to, target_is_directory=is_dir)
    except OSError:
        pytest.skip("symlinks are not available here")


def hf_cache_repo(hub: Path, repo: str, files: dict[str, tuple[layouts.Layout, str]]) -> Path:
    """`models--org--name/snapshots/<rev>/<file>` as symlinks into `blobs/<sha>`, as huggingface_hub
    writes them; a second snapshot points at the same blobs."""
    base = hub / ("models--" + repo.replace("/", "--"))
    for index, (name, (layout, dtype)) in enumerate(sorted(files.items())):
        blob = base / "blobs" / f"{index:064x}"
        write_header_only(blob, layout, dtype)
        for rev in ("a" * 40, "b" * 40):
            link = base / "snapshots" / rev / name
            symlink_or_skip(link, os.path.relpath(blob, link.parent))
    (base / "refs").mkdir()
    (base / "refs/main").write_text("b" * 40)
    (base / ".no_exist").mkdir()
    write_header_only(base / "blobs/f00d.incomplete", layouts.flux_vae(), truncate_to=5000)
    return base


def test_hugging_face_cache_is_found_through_its_symlinks(tmp_path: Path) -> None:
    hub = tmp_path / ".cache/huggingface/hub"
    first, second = layouts.split_t5_shards(layouts.t5_encoder())
    flux = hf_cache_repo(
        hub,
        FLUX,
        {
            "ae.safetensors": (layouts.flux_vae(), "F32"),
            "text_encoder/model.safetensors": (layouts.clip_text(), "BF16"),
            "text_encoder_2/model-00001-of-00002.safetensors": (first, "BF16"),
            "text_encoder_2/model-00002-of-00002.safetensors": (second, "BF16"),
        },
    )
    hf_cache_repo(hub, "MAILAND/majicflus_v1", {"majicflus_v134.safetensors": (layouts.flux_dit(), "F8_E4M3")})  # fmt: skip
    for rev in ("a" * 40, "b" * 40):
        write_tokenizers(flux / "snapshots" / rev)
        (flux / "snapshots" / rev / "t5_tokenizer/spiece.model").write_bytes(b"\0")
    report = scan.scan(tmp_path)  # from the home folder: .cache is searched
    assert report.complete, [m.text() for m in scan.describe_missing(report)]
    paths = report.paths()
    for path in paths.weight_files():
        assert path.is_symlink() and path.name.endswith(".safetensors")  # the loader needs the name
        assert "/snapshots/" in path.as_posix()
    assert len({p.parent for p in paths.t5}) == 1
    assert report.files_examined == 5  # each blob once, though two snapshots link to it
    assert report.rejected == []  # blobs without a suffix and .incomplete files are not looked at


def test_modelscope_and_diffsynth_layouts(tmp_path: Path) -> None:
    old_cache = tmp_path / "modelscope/hub/black-forest-labs/FLUX___1-dev"
    write_header_only(old_cache / "ae.safetensors", layouts.flux_vae())
    write_header_only(tmp_path / "DiffSynth/models/MAILAND/majicflus_v1/majicflus_v134.safetensors", layouts.flux_dit(), "F8_E4M3")  # fmt: skip
    report = scan.scan(tmp_path)
    assert report.roles["vae"].paths == [old_cache / "ae.safetensors"]
    assert report.roles["dit"].ok


def test_symlinked_folders_are_followed_and_loops_end(tmp_path: Path) -> None:
    elsewhere = tmp_path / "big-drive/unet"
    write_header_only(elsewhere / "majicflus_v134.safetensors", layouts.flux_dit())
    models = tmp_path / "ComfyUI/models"
    symlink_or_skip(models / "unet", elsewhere, is_dir=True)
    symlink_or_skip(models / "loop", models, is_dir=True)  # models/loop/loop/... forever
    symlink_or_skip(elsewhere / "back", models, is_dir=True)
    report = scan.scan(models)
    assert report.roles["dit"].paths == [models / "unet/majicflus_v134.safetensors"]
    assert report.files_examined == 1
    assert scan.walk(models, max_depth=30).files == [models / "unet/majicflus_v134.safetensors"]


def test_scan_is_bounded(tmp_path: Path) -> None:
    for index in range(50):
        (tmp_path / f"junk{index:02d}.txt").write_text("x")
    write_header_only(tmp_path / "zz/ae.safetensors", layouts.flux_vae())
    report = scan.scan(tmp_path, max_entries=20)
    assert report.stopped_early and not report.roles["vae"].ok
    deep = tmp_path / "deep" / "/".join("d" * 10)
    write_header_only(deep / "ae.safetensors", layouts.flux_vae())
    assert not scan.scan(tmp_path / "deep", max_depth=3).roles["vae"].ok
    assert scan.scan(tmp_path / "deep", max_depth=12).roles["vae"].ok


def test_old_sft_name_is_explained(tmp_path: Path) -> None:
    write_header_only(tmp_path / "ae.sft", layouts.flux_vae())
    report = scan.scan(tmp_path)
    assert not report.roles["vae"].ok  # diffsynth would open it as a pickle
    (path, message), *_ = report.rejected
    assert path.name == "ae.sft"
    assert "rename it to ae.safetensors" in message.text() and "VAE" in message.text()


def test_all_in_one_checkpoint_is_named(tmp_path: Path) -> None:
    bundle = {
        **layouts.flux_dit(double_blocks=1, single_blocks=1),
        "text_encoders.clip_l.transformer.text_model.final_layer_norm.weight": (768,),
        "vae.decoder.conv_in.weight": (512, 16, 3, 3),
    }
    write_header_only(tmp_path / "flux1-dev-fp8.safetensors", bundle, "F8_E4M3")
    (_, message), *_ = scan.scan(tmp_path).rejected
    assert "all-in-one checkpoint" in message.text()


def test_tiny_single_file_t5_is_known(tmp_path: Path) -> None:
    single = catalog.t5_single_file(layouts.tiny_layouts()["t5"])
    identity = catalog.identify(write_header_only(tmp_path / "t5.safetensors", single))
    assert (identity.role, identity.tiny, identity.shard) == ("t5", True, False)


def test_extra_layouts_are_registered_with_diffsynth_for_loading() -> None:
    from diffsynth.configs import MODEL_CONFIGS

    catalog.register_variants_with_diffsynth()
    catalog.register_variants_with_diffsynth()  # idempotent
    full = layouts.layout_hash(catalog.t5_single_file(layouts.t5_encoder()))
    entries = [c for c in MODEL_CONFIGS if c["model_hash"] == full]
    assert len(entries) == 1
    assert entries[0]["model_name"] == "flux_text_encoder_t5"
    known = {c["model_hash"] for c in MODEL_CONFIGS}
    assert all(h in known for h, k in catalog.KNOWN.items() if not k.tiny)


@pytest.mark.parametrize("stored", ["bf16", "float8"])
def test_single_file_t5_loads_through_diffsynth_like_the_shards(
    tiny_models: Path, tmp_path: Path, stored: str
) -> None:
    """The single-file T5 (shards + a second copy of the embedding) loads through the loader
    `from_pretrained` uses and encodes exactly as the shards do, with and without VRAM management."""
    import torch
    from diffsynth.models.model_loader import ModelPool
    from safetensors.torch import load_file, save_file

    from majicflux_desktop.engine import tiny

    tiny.register()
    catalog.register_variants_with_diffsynth()
    shards = [str(tiny_models / name) for name in tiny.T5_FILES]
    tensors: dict[str, torch.Tensor] = {}
    for shard in shards:
        tensors.update(load_file(shard))
    tensors["encoder.embed_tokens.weight"] = tensors["shared.weight"].clone()
    if stored == "float8":  # t5xxl_fp8_e4m3fn: the same names, unscaled float8 values
        tensors = {k: v.to(torch.float8_e4m3fn) for k, v in tensors.items()}
        reference = tmp_path / "reference.safetensors"
        save_file({k: v.to(torch.bfloat16) for k, v in tensors.items() if k != "encoder.embed_tokens.weight"}, str(reference))  # fmt: skip
        shards = [str(reference)]
    single = tmp_path / "t5xxl_tiny.safetensors"
    save_file(tensors, str(single))
    assert catalog.identify(single).name == "tiny random t5, single file (demo)"
    offloaded = {
        **ModelPool().default_vram_config(),
        "offload_dtype": torch.bfloat16,
        "offload_device": "cpu",
    }

    def encode(path: list[str] | str, vram_config: dict[str, object] | None) -> torch.Tensor:
        pool = ModelPool()
        pool.auto_load_model(path, vram_config=vram_config)
        model = pool.fetch_model("flux_text_encoder_t5")
        with torch.no_grad():
            return model(torch.tensor([[5, 17, 42, 1]]))

    for vram_config in (None, offloaded):
        expected = encode(shards if len(shards) > 1 else shards[0], vram_config)
        assert torch.equal(encode(str(single), vram_config), expected)
        assert torch.equal(encode([str(single)], vram_config), expected)  # as the engine passes T5
