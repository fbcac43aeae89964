"""Use existing files: scanning folders laid out like ComfyUI, Forge and the hub caches, by layout."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from helpers import copy_tokenizers, write_header_only, write_other_tokenizer
from majicflux_desktop.engine import catalog, layouts, scan, selection, tokenizer_folders

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


def comfy_tokenizers(root: Path) -> tuple[Path, Path]:
    """Where ComfyUI keeps FLUX's tokenizers: in its code, not in models/ (T5 without spiece.model),
    beside tokenizers of other models with the same file names."""
    clip, t5 = root / "comfy/sd1_tokenizer", root / "comfy/text_encoders/t5_tokenizer"
    copy_tokenizers(clip, t5, t5_files=("tokenizer.json", "tokenizer_config.json"))
    write_other_tokenizer(root / "comfy/text_encoders/qwen25_tokenizer")
    write_other_tokenizer(root / "comfy/text_encoders/llama_tokenizer")
    return clip, t5


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
    comfy_tokenizers(root)
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
    # ComfyUI keeps its tokenizers in its code, not in models/: the copies shipped serve
    for role in ("tokenizer", "tokenizer_2"):
        assert roles[role].ok and roles[role].shipped
        assert roles[role].paths == [tokenizer_folders.SHIPPED[role]]
    assert report.complete
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
    assert paths.tokenizer_clip == tmp_path / "comfy/sd1_tokenizer"
    # not qwen25_tokenizer or llama_tokenizer, which have the same file names
    assert paths.tokenizer_t5 == tmp_path / "comfy/text_encoders/t5_tokenizer"
    assert not report.roles["tokenizer"].shipped and not report.roles["tokenizer_2"].shipped
    assert paths.t5 == (tmp_path / "models/clip/t5xxl_fp16.safetensors",)
    assert not paths.tiny


def test_forge_root_is_complete_with_its_own_tokenizers(tmp_path: Path) -> None:
    forge = tmp_path / "stable-diffusion-webui-forge"
    models = forge / "models"
    write_header_only(models / "Stable-diffusion/majicflus_v134.safetensors", layouts.flux_dit(), "F8_E4M3")  # fmt: skip
    write_header_only(models / "text_encoder/clip_l.safetensors", layouts.clip_text(), "F16")
    t5 = catalog.t5_single_file(layouts.t5_encoder())
    write_header_only(models / "text_encoder/t5xxl_fp8_e4m3fn.safetensors", t5, "F8_E4M3")
    write_header_only(models / "VAE/ae.safetensors", layouts.flux_vae())
    flux = forge / "backend/huggingface/black-forest-labs/FLUX.1-dev"
    copy_tokenizers(flux / "tokenizer", flux / "tokenizer_2", t5_files=("tokenizer.json",))
    report = scan.scan(forge)
    assert report.complete, [m.text() for m in scan.describe_missing(report)]
    assert report.roles["tokenizer"].paths == [flux / "tokenizer"]
    assert report.roles["tokenizer_2"].paths == [flux / "tokenizer_2"]
    # its models folder alone is complete too, with the shipped tokenizers
    assert scan.scan(models).complete and scan.scan(models).roles["tokenizer_2"].shipped


def test_only_the_four_weight_files_are_complete(tmp_path: Path) -> None:
    write_header_only(tmp_path / "majicflus_v134.safetensors", layouts.flux_dit(), "F8_E4M3")
    write_header_only(tmp_path / "clip_l.safetensors", layouts.clip_text(), "F16")
    t5 = catalog.t5_single_file(layouts.t5_encoder())
    write_header_only(tmp_path / "t5xxl_fp16.safetensors", t5, "F16")
    write_header_only(tmp_path / "ae.safetensors", layouts.flux_vae())
    report = scan.scan(tmp_path)
    assert report.complete
    paths = report.paths()
    assert paths.tokenizer_clip == tokenizer_folders.SHIPPED["tokenizer"]
    assert paths.tokenizer_t5 == tokenizer_folders.SHIPPED["tokenizer_2"]
    # the shipped copies are never stored as chosen files: they are always there
    assert set(selection.chosen_files(report)) == {"dit", "clip", "t5", "vae"}


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
        snapshot = flux / "snapshots" / rev
        copy_tokenizers(snapshot / "tokenizer", snapshot / "tokenizer_2")
    report = scan.scan(tmp_path)  # from the home folder: .cache is searched
    assert report.complete, [m.text() for m in scan.describe_missing(report)]
    paths = report.paths()
    assert paths.tokenizer_t5 == flux / "snapshots" / ("a" * 40) / "tokenizer_2"
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


def test_a_crowded_folder_beside_the_models_hides_nothing(tmp_path: Path) -> None:
    """A folder with more entries than the per-folder bound (ComfyUI's output/ with years of
    images) does not use up the walk: the models beside it are found, the crowded folder's own
    model files too, only its subfolders are left out, and the report says so."""
    root = tmp_path / "ComfyUI"
    output = root / "output"
    output.mkdir(parents=True)
    for index in range(60):
        (output / f"ComfyUI_{index:05d}_.png").touch()
    write_header_only(output / "ae.safetensors", layouts.flux_vae())  # directly in it: found
    write_header_only(output / "sub/majicflus_v134.safetensors", layouts.flux_dit())  # not entered
    write_header_only(root / "models/unet/majicflus_v134.safetensors", layouts.flux_dit(), "F8_E4M3")  # fmt: skip
    report = scan.scan(root, max_folder_entries=50)
    assert report.roles["dit"].paths == [root / "models/unet/majicflus_v134.safetensors"]
    assert report.roles["dit"].alternatives == []  # output/sub was not entered
    assert report.roles["vae"].paths == [output / "ae.safetensors"]
    assert not report.stopped_early
    [(where, note)] = report.skipped
    assert where == output
    assert "holds 62 entries" in note.text() and "not its subfolders" in note.text()
    assert "too many files" not in note.text()


def test_a_crowded_folder_without_subfolders_is_not_reported(tmp_path: Path) -> None:
    for index in range(60):
        (tmp_path / f"{index}.png").touch()
    report = scan.scan(tmp_path, max_folder_entries=50)
    assert report.skipped == [] and not report.stopped_early


def test_the_whole_walk_is_bounded_and_says_where_it_stopped(tmp_path: Path) -> None:
    for index in range(30):
        (tmp_path / f"a{index:02d}").mkdir()
    write_header_only(tmp_path / "zz/ae.safetensors", layouts.flux_vae())
    report = scan.scan(tmp_path, max_entries=20)
    assert report.stopped_early and not report.roles["vae"].ok
    assert "the search stopped there" in report.skipped[-1][1].text()


def test_depth_is_bounded_and_reported(tmp_path: Path) -> None:
    deep = tmp_path / "deep" / "/".join("d" * 10)
    write_header_only(deep / "ae.safetensors", layouts.flux_vae())
    shallow = scan.scan(tmp_path / "deep", max_depth=3)
    assert not shallow.roles["vae"].ok
    assert "more than 3 levels below" in shallow.skipped[0][1].text()
    assert scan.scan(tmp_path / "deep", max_depth=12).roles["vae"].ok


def test_program_folders_are_not_walked(tmp_path: Path) -> None:
    packages = tmp_path / "python_embeded/Lib/site-packages/somepkg"
    write_header_only(packages / "ae.safetensors", layouts.flux_vae())
    assert scan.walk(tmp_path).files == []


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
    # named like a transformer and no transformer here: shown as the transformer's wrong file
    [message] = scan.scan(tmp_path).roles["dit"].problems
    assert "all-in-one checkpoint" in message.text()
    write_header_only(tmp_path / "bundle.safetensors", bundle, "F8_E4M3")
    rejected = dict(scan.scan(tmp_path).rejected)
    assert "all-in-one checkpoint" in rejected[tmp_path / "bundle.safetensors"].text()


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


# -- several candidates for one role ------------------------------------------------------------


def test_two_transformers_float8_wins_and_the_other_is_offered(tmp_path: Path) -> None:
    bf16 = write_header_only(tmp_path / "a/majicflus_v134_bf16.safetensors", layouts.flux_dit())
    fp8 = write_header_only(
        tmp_path / "b/c/majicflus_v134.safetensors", layouts.flux_dit(), "F8_E4M3"
    )
    status = scan.scan(tmp_path).roles["dit"]
    assert status.paths == [fp8]  # deeper and later in the alphabet, but float8
    [other] = status.alternatives
    assert other.paths == (bf16,) and other.dtypes == {"BF16"}
    why = other.why_not.text()
    assert str(bf16) in why and str(fp8) in why and "stored in bf16" in why and "float8" in why


def test_the_newer_majicflus_wins_over_storage(tmp_path: Path) -> None:
    old = write_header_only(tmp_path / "majicflus_v134.safetensors", layouts.flux_dit(), "F8_E4M3")
    new = write_header_only(tmp_path / "x/majicflus_v135.safetensors", layouts.flux_dit())
    dev = write_header_only(tmp_path / "flux1-dev.safetensors", layouts.flux_dit(prefix=""))
    status = scan.scan(tmp_path).roles["dit"]
    assert status.paths == [new]
    reasons = {alt.paths[0]: alt.why_not.text() for alt in status.alternatives}
    assert list(reasons) == [old, dev]  # in the order they were ranked
    assert "majicflus v1.3.4" in reasons[old] and "newer majicflus v1.3.5" in reasons[old]
    assert "is a FLUX.1-dev transformer" in reasons[dev] and "made for" in reasons[dev]


def test_a_majicflus_file_without_a_version_in_its_name_comes_after(tmp_path: Path) -> None:
    named = write_header_only(tmp_path / "z/majicflus_v1.safetensors", layouts.flux_dit())
    renamed = write_header_only(tmp_path / "my-favourite.safetensors", layouts.flux_dit())
    status = scan.scan(tmp_path).roles["dit"]
    assert status.paths == [named]
    assert "does not say which majicflus version" in status.alternatives[0].why_not.text()
    assert status.alternatives[0].paths == (renamed,)


def test_version_names() -> None:
    from majicflux_desktop.engine.candidates import majicflus_version

    assert majicflus_version(Path("majicflus_v134.safetensors")) == (1, 3, 4)
    assert majicflus_version(Path("majicFLUS-v1.4.safetensors")) == (1, 4)
    assert majicflus_version(Path("majicflus_v2_fp8.safetensors")) == (2,)
    assert majicflus_version(Path("flux1-dev.safetensors")) is None


def test_t5_alternatives_name_the_float8_copy(tmp_path: Path) -> None:
    single = catalog.t5_single_file(layouts.t5_encoder())
    fp8 = write_header_only(tmp_path / "t5xxl_fp8_e4m3fn.safetensors", single, "F8_E4M3")
    fp16 = write_header_only(tmp_path / "z/t5xxl_fp16.safetensors", single, "F16")
    status = scan.scan(tmp_path).roles["t5"]
    assert status.paths == [fp16]
    [other] = status.alternatives
    assert other.paths == (fp8,) and "keeps full precision" in other.why_not.text()


def test_an_alternative_can_be_chosen_instead(tmp_path: Path) -> None:
    """What Model setup does when the user picks another candidate: store its paths for the
    role; the engine then loads that one."""
    write_header_only(tmp_path / "majicflus_v134.safetensors", layouts.flux_dit(), "F8_E4M3")
    write_header_only(tmp_path / "majicflus_v134_bf16.safetensors", layouts.flux_dit())
    for name, layout in (("clip_l", layouts.clip_text()), ("ae", layouts.flux_vae())):
        write_header_only(tmp_path / f"{name}.safetensors", layout)
    t5 = catalog.t5_single_file(layouts.t5_encoder())
    write_header_only(tmp_path / "t5xxl_fp16.safetensors", t5)
    found = selection.use_existing(tmp_path, tmp_path / "models", {})
    first = found.shown.roles["dit"].paths
    [other] = found.shown.roles["dit"].alternatives  # the setup page sees them too
    picked = selection.use_instead(found, "dit", other.paths)
    assert picked.chosen["dit"] == other.paths and picked.shown.roles["dit"].ok
    [before] = picked.shown.roles["dit"].alternatives  # MajicFlux's own choice stays offered
    assert list(before.paths) == first and before.dtypes == {"F8_E4M3"}
    assert "is what MajicFlux would use" in before.why_not.text()
    # stored as settings.model_files, it is what the engine loads
    assert selection.check(tmp_path / "models", picked.chosen).paths().dit == other.paths[0]
    wrong = selection.use_instead(found, "dit", [tmp_path / "ae.safetensors"])
    assert wrong.chosen == found.chosen and not wrong.shown.roles["dit"].ok


# -- a file with the right name and the wrong content ----------------------------------------------


def test_a_broken_file_with_the_right_name_is_named_with_the_fix(tmp_path: Path) -> None:
    broken = write_header_only(tmp_path / "majicflus_v134.safetensors", {"x": (4,)})
    report = scan.scan(tmp_path)
    status = report.roles["dit"]
    assert status.paths == [broken] and not status.ok  # shown as the wrong file, not "missing"
    text = status.problems[0].text()
    assert str(broken) in text and "has the name of the majicflus_v1 transformer" in text
    assert (
        "holds 1 tensor(s)" in text and "Download the majicflus_v1 transformer (DiT) again" in text
    )
    assert "MAILAND/majicflus_v1" in text
    assert all(path != broken for path, _ in report.rejected)  # said once, not twice


def test_a_wrong_file_with_the_right_name_stays_aside_when_a_good_one_is_there(
    tmp_path: Path,
) -> None:
    write_header_only(tmp_path / "a/ae.safetensors", {"x": (4,)})
    good = write_header_only(tmp_path / "b/vae.safetensors", layouts.flux_vae())
    report = scan.scan(tmp_path)
    assert report.roles["vae"].paths == [good] and report.roles["vae"].ok
    assert "has the name of the VAE" in report.rejected[0][1].text()


def test_a_truncated_file_says_how_much_is_missing(tmp_path: Path) -> None:
    full = write_header_only(tmp_path / "full.safetensors", layouts.flux_dit(), "F8_E4M3")
    size = full.stat().st_size
    full.unlink()
    cut = write_header_only(
        tmp_path / "majicflus_v134.safetensors",
        layouts.flux_dit(),
        "F8_E4M3",
        truncate_to=size - 4096,
    )
    text = scan.scan(tmp_path).roles["dit"].problems[0].text()
    assert f"{cut} is incomplete: 4.0 KB short of 11.1 GB" in text
