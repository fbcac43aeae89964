"""LoRA files from their headers: layouts, refusals, metadata, hashes, and resolving a request."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
import torch

from helpers import write_header_only
from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.request import LoraUse
from majicflux_desktop.engine import (
    catalog,
    layouts,
    lora_files,
    lora_keys,
    lora_match,
    loras,
    tiny_loras,
)
from majicflux_desktop.engine.lora_keys import FLUX, TINY, Slot


@pytest.fixture(scope="module")
def lora_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("models") / "loras"
    tiny_loras.write_all(folder)
    others = folder / "others"
    for write in (tiny_loras.sd15, tiny_loras.sdxl, tiny_loras.sd3, tiny_loras.qwen_image,
                  tiny_loras.full_size_flux, tiny_loras.unknown_names,
                  tiny_loras.text_encoder_only):  # fmt: skip
        write(others / f"{write.__name__}.safetensors")
    return folder


@pytest.fixture(scope="module")
def index(lora_dir: Path) -> loras.LoraIndex:
    return loras.LoraIndex.for_models_folder(lora_dir.parent, tiny=True)


def by_name(index: loras.LoraIndex) -> dict[str, lora_files.LoraFile]:
    return {f.name: f for f in index.files()}


# -- the slot table against diffsynth itself -------------------------------------------------------


def test_slot_modules_are_the_linears_of_diffsynths_transformer() -> None:
    from majicflux_desktop.engine.tiny import TinyFluxDiT

    with torch.device("meta"):
        model = TinyFluxDiT()
    real = {
        name: tuple(m.weight.shape)
        for name, m in model.named_modules()
        if isinstance(m, torch.nn.Linear)
    }
    assert lora_keys.linears(TINY) == real


def test_bfl_names_map_where_diffsynths_own_converter_puts_them() -> None:
    from diffsynth.utils.state_dict_converters.flux_dit import FluxDiTStateDictConverter

    layout = layouts.flux_dit()
    weights = [n for n, shape in layout.items() if n.endswith(".weight") and len(shape) == 2]
    converted = FluxDiTStateDictConverter({name: name for name in weights})
    expected = {source: target.removesuffix(".weight") for target, source in converted.items()}
    names = lora_keys.slot_names(FLUX)
    for source, target in expected.items():
        bfl = source.removeprefix(layouts.DIT_PREFIX).removesuffix(".weight")
        assert names[bfl][0] == Slot(target), bfl
    assert len(expected) == len(lora_keys.linears(FLUX))  # every Linear has a BFL name


def test_kohya_names_are_unambiguous() -> None:
    dotted = lora_keys.slot_names(FLUX)
    underscored = lora_keys.underscored_names(FLUX)
    assert len(underscored) == len({n.replace(".", "_").lower() for n in dotted}) == len(dotted)


def test_diffusers_q_k_v_write_thirds_of_the_fused_projection() -> None:
    names = lora_keys.slot_names(FLUX)
    d = FLUX.dim
    assert names["transformer_blocks.3.attn.to_k"][0] == Slot("blocks.3.attn.a_to_qkv", (d, 2 * d))
    assert names["transformer_blocks.3.attn.add_v_proj"][0] == Slot(
        "blocks.3.attn.b_to_qkv", (2 * d, 3 * d)
    )
    assert names["single_transformer_blocks.37.proj_mlp"][0] == Slot(
        "single_blocks.37.to_qkv_mlp", (3 * d, 7 * d)
    )
    assert names["norm_out.linear"][0] == Slot("final_norm_out.linear", roll=d)


# -- identifying files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "scheme", "kinds", "matched"),
    [
        ("tiny-kohya", "kohya", ("LoRA",), 7),
        ("tiny-peft", "diffusers/PEFT", ("LoRA",), 12),
        ("tiny-peft-no-prefix", "diffusers/PEFT", ("LoRA",), 12),
        ("tiny-peft-q-v", "diffusers/PEFT", ("LoRA",), 6),
        ("tiny-bfl", "BFL/ComfyUI", ("LoRA",), 6),
        ("tiny-bfl-down-up", "BFL/ComfyUI", ("LoRA",), 6),
        ("tiny-xlabs", "XLabs", ("LoRA",), 6),
        ("tiny-lokr", "kohya", ("LoKr",), 3),
        ("tiny-loha", "kohya", ("LoHa",), 2),
        ("tiny-dora", "kohya", ("LoRA", "DoRA"), 3),
        ("tiny-diffsynth", "DiffSynth", ("LoRA",), 3),
    ],
)
def test_each_layout_is_recognised_by_its_tensors(
    index: loras.LoraIndex, name: str, scheme: str, kinds: tuple[str, ...], matched: int
) -> None:
    file = by_name(index)[name]
    assert file.ok, file.problem
    assert scheme in file.schemes and file.kinds == kinds
    assert file.layers_matched == matched == len(file.layers)


def test_text_encoder_layers_are_a_note_not_a_refusal(index: loras.LoraIndex) -> None:
    file = by_name(index)["tiny-kohya"]
    assert file.ok and file.text_encoder_layers == 1 and file.layers_total == 8
    assert any("applied to the transformer only" in n.text() for n in file.notes)
    assert all(layer.slot.module for layer in file.layers)  # the text-encoder layer is not one


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("sd15", "is a LoRA for Stable Diffusion 1.x, not for FLUX.1"),
        ("sdxl", "is a LoRA for SDXL, not for FLUX.1"),
        ("sd3", "is a LoRA for Stable Diffusion 3, not for FLUX.1"),
        ("qwen_image", "is a LoRA for Qwen-Image, not for FLUX.1"),
        (
            "full_size_flux",
            "0 of 2 layers matched this transformer. The layer names are FLUX's, but their sizes differ",
        ),
        (
            "unknown_names",
            "0 of 2 layers matched this transformer's layers (unknown names such as decoder.other.1",
        ),
        ("text_encoder_only", "changes only the text encoders"),
    ],
)
def test_other_families_and_non_matching_files_are_refused_with_the_reason(
    index: loras.LoraIndex, lora_dir: Path, name: str, words: str
) -> None:
    file = by_name(index)[name]
    assert not file.ok and file.layers == ()
    assert file.problem is not None
    text = file.problem.text()
    assert words in text
    assert str(lora_dir / "others" / f"{name}.safetensors") in text  # names the file


def test_a_qwen_image_lora_is_refused_even_where_its_attention_fits_flux(tmp_path: Path) -> None:
    # Qwen-Image's blocks are 3072 wide with diffusers' attention names: by name and size alone
    # `transformer_blocks.0.attn.to_q` fits FLUX.1's first double block; block 45 gives it away.
    path = tmp_path / "qwen.safetensors"
    write_header_only(path, {
        f"transformer_blocks.{block}.attn.to_q.lora_{part}.weight": shape
        for block in (0, 45) for part, shape in (("A", (16, 3072)), ("B", (3072, 16)))
    })  # fmt: skip
    header = catalog.read_header(path)
    assert lora_match.match(header.tensors, {}, FLUX).matched  # the name fits...
    file = lora_files.identify(path, FLUX)
    assert file.problem is not None and "Qwen-Image" in file.problem.text()  # ...the file not


def test_a_full_size_flux_lora_matches_flux(tmp_path: Path) -> None:
    path = tmp_path / "real-size.safetensors"
    tiny_loras.full_size_flux(path)
    file = lora_files.identify(path, FLUX)
    assert file.ok and file.layers_matched == 2 and file.rank == 1


def test_model_setups_header_checks_apply_to_loras(tmp_path: Path) -> None:
    pickle = tmp_path / "old.ckpt"
    pickle.write_bytes(b"\x80\x04not opened")
    truncated = write_header_only(
        tmp_path / "cut.safetensors",
        {"lora_unet_img_in.lora_down.weight": (4, 64), "lora_unet_img_in.lora_up.weight": (64, 4)},
    )
    os.truncate(truncated, truncated.stat().st_size - 100)
    garbage = tmp_path / "garbage.safetensors"
    garbage.write_bytes(b"\xff" * 64)
    index = loras.LoraIndex([tmp_path], tiny=True)
    found = by_name(index)
    assert "only .safetensors" in found["old"].problem.text()  # type: ignore[union-attr]
    assert "is incomplete" in found["cut"].problem.text()  # type: ignore[union-attr]
    assert "not a valid safetensors file" in found["garbage"].problem.text()  # type: ignore[union-attr]


def test_a_checkpoint_in_the_lora_folder_is_not_a_lora(tmp_path: Path) -> None:
    path = write_header_only(tmp_path / "model.safetensors", layouts.tiny_layouts()["vae"])
    file = lora_files.identify(path, TINY)
    assert file.problem is not None and "holds no LoRA layers" in file.problem.text()


# -- metadata --------------------------------------------------------------------------------------


def test_metadata_trigger_words_tags_base_model_rank_and_preview(
    index: loras.LoraIndex, lora_dir: Path
) -> None:
    file = by_name(index)["tiny-kohya"]
    assert file.trigger_words == ("ohwx cat",)
    assert file.frequent_tags[:3] == ("cat", "ohwx", "dog")  # 41, 40, 9 over both folders
    assert file.base_model == "flux1" and file.rank == 4 and file.title == "tiny kohya"
    assert file.preview is None
    preview = lora_dir / "tiny-kohya.preview.png"
    preview.write_bytes(b"png")
    try:
        assert by_name(index)["tiny-kohya"].preview is None  # the listing is the last scan's
        index.scan()
        assert by_name(index)["tiny-kohya"].preview == preview
    finally:
        preview.unlink()
        index.scan()


def test_trigger_words_from_a_json_list_and_a_phrase() -> None:
    meta = {"ss_trigger_words": '["abc style", "xyz"]', "modelspec.trigger_phrase": "xyz, q"}
    assert lora_files.trigger_words(meta) == ("xyz", "q", "abc style")


# -- PEFT metadata and alphas ----------------------------------------------------------------------


def test_peft_metadata_gives_each_layer_its_alpha(index: loras.LoraIndex) -> None:
    layers = {layer.source: layer for layer in by_name(index)["tiny-peft"].layers}
    assert layers["transformer.transformer_blocks.0.attn.to_q"].metadata_alpha == 8.0
    assert layers["transformer.single_transformer_blocks.1.proj_mlp"].metadata_alpha == 2.0
    assert all(layer.alpha_key == "" for layer in layers.values())
    plain = {layer.source: layer for layer in by_name(index)["tiny-peft-no-prefix"].layers}
    assert all(layer.metadata_alpha is None for layer in plain.values())


def test_kohya_alphas_are_per_layer(index: loras.LoraIndex) -> None:
    layers = by_name(index)["tiny-kohya"].layers
    assert len({layer.alpha_key for layer in layers}) == len(layers)  # one each, not one per file


def test_peft_config_of_a_model_save_and_rslora() -> None:
    meta = {"lora_adapter_metadata": json.dumps({"lora_alpha": 32, "r": 16, "use_rslora": True,
                                                 "alpha_pattern": {"to_q$": 8}})}  # fmt: skip
    config = lora_match.peft_config(meta)
    assert config.rslora and config.alpha_for("transformer_blocks.0.attn.to_q") == 8
    assert config.alpha_for("transformer_blocks.0.attn.to_k") == 32
    assert lora_match.peft_config({"lora_adapter_metadata": "not json"}) == lora_match.PeftConfig()


# -- hashes and finding ----------------------------------------------------------------------------


def test_sha256_and_autov2_and_a_persistent_cache(lora_dir: Path, tmp_path: Path) -> None:
    path = lora_dir / "tiny-bfl.safetensors"
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    cache = loras.HashCache(tmp_path)
    assert cache.known(path) is None and cache.sha256(path) == expected
    assert loras.autov2(expected) == expected[:10]
    again = loras.HashCache(tmp_path)  # a new run
    assert again.known(path) == expected
    other = lora_dir / "tiny-loha.safetensors"
    loras.HashCache(tmp_path).sha256(other)  # another process saves its hash meanwhile
    again.sha256(lora_dir / "tiny-lokr.safetensors")  # and this one saves after it
    saved = json.loads((tmp_path / loras.HASH_CACHE_FILE).read_text("utf-8"))["files"]
    assert {str(path), str(other), str(lora_dir / "tiny-lokr.safetensors")} <= set(saved)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert again.known(path) is None  # touched: read again


def test_find_by_hash_short_hash_and_name(index: loras.LoraIndex, lora_dir: Path) -> None:
    path = lora_dir / "tiny-xlabs.safetensors"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert index.find(LoraUse("renamed since", sha256=digest)).path == path
    assert index.find(LoraUse("renamed since", sha256=digest[:10].upper())).path == path
    assert index.find(LoraUse("TINY-XLABS")).path == path  # the stem, any case
    other = lora_dir / "tiny-bfl.safetensors"
    bfl_digest = hashlib.sha256(other.read_bytes()).hexdigest()
    # The hash wins over the name: the file was renamed, another now has its old name.
    assert index.find(LoraUse("tiny-xlabs", sha256=bfl_digest[:10])).path == other


def test_a_missing_or_refused_lora_is_a_user_error_naming_it(index: loras.LoraIndex) -> None:
    with pytest.raises(UserError, match="“nowhere” is not in the LoRA folders") as info:
        index.find(LoraUse("nowhere"))
    assert "nowhere.safetensors" in info.value.text() and str(index.folders[0]) in info.value.text()
    with pytest.raises(UserError, match="hash 0123456789"):
        index.find(LoraUse("nowhere", sha256="0123456789"))
    with pytest.raises(UserError, match="is a LoRA for SDXL"):
        index.find(LoraUse("sdxl"))


def test_a_rescan_reads_only_changed_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tiny_loras.bfl(tmp_path / "a.safetensors")
    tiny_loras.xlabs(tmp_path / "b.safetensors")
    index = loras.LoraIndex([tmp_path], tiny=True)
    first = index.scan()
    reads: list[Path] = []
    original = lora_files.identify
    monkeypatch.setattr(
        lora_files, "identify", lambda path, *a: reads.append(path) or original(path, *a)
    )
    assert [f.path for f in index.scan()] == [f.path for f in first] and reads == []
    tiny_loras.xlabs(tmp_path / "b.safetensors", seed=30)  # rewritten
    os.utime(tmp_path / "b.safetensors", ns=(0, first[1].mtime_ns + 10**9))  # coarse clocks
    index.scan()
    assert reads == [tmp_path / "b.safetensors"]


def test_lora_folders_of_a_models_folder(tmp_path: Path) -> None:
    (tmp_path / "loras").mkdir()
    (tmp_path / "Lora").mkdir()
    extra = tmp_path / "elsewhere"
    extra.mkdir()
    found = loras.lora_folders(tmp_path, [extra, tmp_path / "missing"])
    assert found[0] == tmp_path / "loras" and found[-1] == extra
    assert tmp_path / "missing" not in found
