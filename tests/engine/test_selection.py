"""Files chosen in Model setup are loaded where they are; the models folder serves the rest."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import copy_tokenizers, write_header_only
from majicflux_desktop.engine import catalog, download, layouts, scan, selection, tokenizer_folders


def comfy_files(root: Path) -> dict[str, tuple[Path, ...]]:
    models = root / "models"
    dit = write_header_only(
        models / "unet/majicflus_v134.safetensors", layouts.flux_dit(), "F8_E4M3"
    )
    clip = write_header_only(models / "clip/clip_l.safetensors", layouts.clip_text(), "F16")
    t5 = catalog.t5_single_file(layouts.t5_encoder())
    t5_file = write_header_only(models / "clip/t5xxl_fp16.safetensors", t5, "F16")
    vae = write_header_only(models / "vae/ae.safetensors", layouts.flux_vae())
    return {"dit": (dit,), "clip": (clip,), "t5": (t5_file,), "vae": (vae,)}


def tokenizers(folder: Path) -> dict[str, tuple[Path, ...]]:
    clip, t5 = folder / "tokenizer", folder / "tokenizer_2"
    copy_tokenizers(clip, t5)
    return {"tokenizer": (clip,), "tokenizer_2": (t5,)}


def test_chosen_files_are_used_and_the_models_folder_gives_the_rest(tmp_path: Path) -> None:
    chosen = comfy_files(tmp_path / "ComfyUI")
    del chosen["vae"]
    models = tmp_path / "models"
    tokenizers(models / "black-forest-labs/FLUX.1-dev")
    write_header_only(models / "elsewhere/ae.safetensors", layouts.flux_vae())
    write_header_only(models / "elsewhere/clip_l.safetensors", layouts.clip_text())  # not chosen
    report = selection.check(models, chosen)
    assert report.complete and report.folder == models
    paths = report.paths()
    assert (paths.dit, paths.clip, paths.t5, paths.vae) == (
        chosen["dit"][0],
        chosen["clip"][0],
        chosen["t5"],
        models / "elsewhere/ae.safetensors",
    )
    assert paths.tokenizer_clip == models / "black-forest-labs/FLUX.1-dev/tokenizer"
    assert report.roles["t5"].found_as == catalog.T5_SINGLE_FILE


def test_a_complete_choice_does_not_walk_the_models_folder(tmp_path: Path, monkeypatch) -> None:
    chosen = {**comfy_files(tmp_path / "ComfyUI"), **tokenizers(tmp_path / "tok")}
    monkeypatch.setattr(scan, "scan", lambda *args, **kwargs: (_ for _ in ()).throw(AssertionError))
    assert selection.check(tmp_path / "no-such-folder", chosen).complete


def test_a_chosen_file_that_is_gone_falls_back_or_says_so(tmp_path: Path) -> None:
    chosen = {**comfy_files(tmp_path / "ComfyUI"), **tokenizers(tmp_path / "tok")}
    chosen["vae"][0].unlink()
    report = selection.check(tmp_path / "models", chosen)
    assert not report.complete
    vae = report.roles["vae"]
    assert vae.paths == list(chosen["vae"]) and "does not exist" in vae.problems[0].text()
    write_header_only(tmp_path / "models/ae.safetensors", layouts.flux_vae())
    report = selection.check(tmp_path / "models", chosen)
    assert report.complete and report.paths().vae == tmp_path / "models/ae.safetensors"


def test_a_wrong_chosen_file_is_named_with_the_fix(tmp_path: Path) -> None:
    files = comfy_files(tmp_path / "ComfyUI")
    chosen = {"dit": files["vae"]}
    report = selection.check(tmp_path / "models", chosen)
    assert "is a VAE (autoencoder), not the majicflus_v1" in report.roles["dit"].problems[0].text()
    status = selection.check_role("tokenizer_2", [tmp_path / "ComfyUI"])
    assert "choose them again" in status.problems[0].text()


def test_complete_weights_need_no_tokenizer_and_no_walk(tmp_path: Path, monkeypatch) -> None:
    """Only the four weight files chosen (a ComfyUI models folder): the shipped tokenizers serve,
    also in place of a chosen tokenizer folder that is gone, and the models folder is not walked."""
    chosen = {**comfy_files(tmp_path / "ComfyUI"), "tokenizer": (tmp_path / "gone",)}
    monkeypatch.setattr(scan, "scan", lambda *args, **kwargs: (_ for _ in ()).throw(AssertionError))
    report = selection.check(tmp_path / "no-such-folder", chosen)
    assert report.complete
    assert report.paths().tokenizer_clip == tokenizer_folders.SHIPPED["tokenizer"]
    assert report.roles["tokenizer"].shipped and report.roles["tokenizer_2"].shipped


def test_tiny_weights_never_get_the_real_tokenizers(tiny_models: Path, tmp_path: Path) -> None:
    """The demo's tiny encoders know 514 and 192 tokens: FLUX's tokenizers would index past them."""
    report = selection.check(tiny_models, {})
    assert report.complete and report.paths().tiny
    assert report.paths().tokenizer_clip == tiny_models / "tokenizer"
    weights = {role: tuple(paths) for role, paths in report.paths().weights_by_role().items()}
    elsewhere = selection.check(tmp_path, weights)  # tiny weights chosen, no tiny tokenizer there
    assert not elsewhere.complete
    assert "Missing: CLIP tokenizer" in elsewhere.roles["tokenizer"].problems[0].text()


def test_t5_parts_chosen_together_must_make_the_whole_model(tmp_path: Path) -> None:
    first, second = layouts.split_t5_shards(layouts.t5_encoder())
    one = write_header_only(tmp_path / "a/model-00001-of-00002.safetensors", first)
    two = write_header_only(tmp_path / "a/model-00002-of-00002.safetensors", second)
    assert selection.check_role("t5", [one, two]).ok
    status = selection.check_role("t5", [one, one])
    assert not status.ok and "do not make the whole model" in status.problems[0].text()


def test_chosen_files_keep_only_what_a_scan_found_usable(tmp_path: Path) -> None:
    files = comfy_files(tmp_path / "ComfyUI")
    assert selection.chosen_files(scan.scan(tmp_path / "ComfyUI")) == files


def test_interrupted_bytes_count_parts_with_their_sidecar(tmp_path: Path) -> None:
    vae = tmp_path / catalog.FLUX_DEV / "ae.safetensors"
    vae.parent.mkdir(parents=True)
    vae.with_name("ae.safetensors.part").write_bytes(b"x" * 3000)
    assert download.interrupted_bytes(tmp_path) == 0  # no sidecar: not ours to continue
    vae.with_name("ae.safetensors.part.json").write_text(json.dumps({"path": "ae.safetensors"}))
    assert download.interrupted_bytes(tmp_path) == 3000
