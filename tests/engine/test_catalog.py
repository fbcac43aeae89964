from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from helpers import write_header_only
from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.engine import catalog, layouts, scan

DIT_FILE = "MAILAND/majicflus_v1/majicflus_v134.safetensors"
FLUX = "black-forest-labs/FLUX.1-dev/"


def make_real_tree(root: Path, skip: tuple[str, ...] = ()) -> Path:
    """The real download layout with real headers over sparse files: ~22 GB apparent, ~0 on disk."""
    first, second = layouts.split_t5_shards(layouts.t5_encoder())
    files = {
        DIT_FILE: (layouts.flux_dit(), "F8_E4M3"),
        FLUX + "text_encoder/model.safetensors": (layouts.clip_text(), "BF16"),
        FLUX + "text_encoder_2/model-00001-of-00002.safetensors": (first, "BF16"),
        FLUX + "text_encoder_2/model-00002-of-00002.safetensors": (second, "BF16"),
        FLUX + "ae.safetensors": (layouts.flux_vae(), "F32"),
    }
    for name, (layout, dtype) in files.items():
        if name not in skip:
            write_header_only(root / name, layout, dtype)
    flux = root / FLUX
    for name in ("vocab.json", "merges.txt", "tokenizer_config.json"):
        (flux / "tokenizer").mkdir(parents=True, exist_ok=True)
        (flux / "tokenizer" / name).write_text("{}")
    (flux / "tokenizer_2").mkdir()
    (flux / "tokenizer_2/spiece.model").write_bytes(b"\0")
    return root


@pytest.fixture(scope="module")
def real_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_real_tree(tmp_path_factory.mktemp("models"))


def test_identifies_real_files_from_header_only(real_tree: Path) -> None:
    dit = catalog.identify(real_tree / DIT_FILE)
    assert (dit.role, dit.tiny, dit.shard) == ("dit", False, False)
    assert dit.layout_hash == "3394f306c4cbf04334b712bf5aaed95f"
    assert dit.dtypes == {"F8_E4M3"}
    assert 11.8e9 < dit.parameters < 12e9
    shard = catalog.identify(real_tree / FLUX / "text_encoder_2/model-00001-of-00002.safetensors")
    assert (shard.role, shard.shard) == ("t5", True)


def test_check_finds_the_complete_set(real_tree: Path) -> None:
    report = scan.check(real_tree)
    assert report.complete, [m.text() for m in scan.describe_missing(report)]
    paths = report.paths()
    assert paths.dit.name == "majicflus_v134.safetensors"
    assert [p.name for p in paths.t5] == [
        "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
    ]
    assert not paths.tiny


def test_files_are_found_by_layout_not_by_name(tmp_path: Path) -> None:
    mixed = tmp_path / "ComfyUI/models"
    make_real_tree(mixed / "whatever")
    (mixed / "whatever" / DIT_FILE).rename(mixed / "my-favourite.safetensors")
    report = scan.check(mixed)
    assert report.complete
    assert report.paths().dit.name == "my-favourite.safetensors"


def test_missing_file_is_named_with_where_to_get_it(tmp_path: Path) -> None:
    report = scan.check(make_real_tree(tmp_path, skip=(FLUX + "ae.safetensors",)))
    assert not report.complete
    text = " ".join(m.text() for m in scan.describe_missing(report))
    assert "VAE" in text and "ae.safetensors" in text and "black-forest-labs/FLUX.1-dev" in text
    with pytest.raises(UserError, match="Model setup"):
        report.paths()


def test_one_t5_shard_alone_is_reported_incomplete(tmp_path: Path) -> None:
    partial = make_real_tree(
        tmp_path, skip=(FLUX + "text_encoder_2/model-00002-of-00002.safetensors",)
    )
    status = scan.check(partial).roles["t5"]
    assert not status.ok
    assert "incomplete" in status.problems[0].text()


@pytest.mark.parametrize("suffix", [".ckpt", ".bin", ".pt", ".pth", ".CKPT"])
def test_pickle_formats_are_refused_before_reading(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"model{suffix}"
    path.write_bytes(pickle.dumps({"weights": [1, 2, 3]}))
    with pytest.raises(UserError, match=r"only \.safetensors") as info:
        catalog.identify(path)
    assert str(path) in info.value.text()


def test_pickle_renamed_to_safetensors_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    path.write_bytes(pickle.dumps({"weights": list(range(100))}))
    with pytest.raises(UserError, match="not a valid safetensors file"):
        catalog.identify(path)


def test_uppercase_suffix_is_accepted(tmp_path: Path) -> None:
    path = write_header_only(tmp_path / "AE.SafeTensors", layouts.flux_vae())
    assert catalog.identify(path).role == "vae"


def test_truncated_download_is_refused_with_sizes(tmp_path: Path) -> None:
    path = write_header_only(
        tmp_path / "ae.safetensors", layouts.flux_vae(), truncate_to=10_000_000
    )
    with pytest.raises(UserError, match="incomplete") as info:
        catalog.identify(path)
    assert "download it again" in info.value.text()


def test_header_claiming_terabytes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.safetensors"
    path.write_bytes((2**42).to_bytes(8, "little") + b"{}")
    with pytest.raises(UserError, match="claims"):
        catalog.identify(path)


def test_tensor_claiming_absurd_size_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "liar.safetensors"
    header = (
        b'{"w": {"dtype": "BF16", "shape": [1000000, 1000000], "data_offsets": [0, 2000000000000]}}'
    )
    path.write_bytes(len(header).to_bytes(8, "little") + header)
    with pytest.raises(UserError, match="incomplete"):
        catalog.identify(path)


def test_header_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "x.safetensors"
    path.write_bytes((16).to_bytes(8, "little") + b"\xff\xfe not json!!   ")
    with pytest.raises(UserError, match="unreadable header"):
        catalog.identify(path)


def test_empty_file_and_folder(tmp_path: Path) -> None:
    (tmp_path / "empty.safetensors").touch()
    with pytest.raises(UserError, match="empty or cut off"):
        catalog.identify(tmp_path / "empty.safetensors")
    (tmp_path / "dir.safetensors").mkdir()
    with pytest.raises(UserError, match="is a folder"):
        catalog.identify(tmp_path / "dir.safetensors")


def test_other_architectures_are_named(tmp_path: Path) -> None:
    sdxl = {
        "model.diffusion_model.input_blocks.0.0.weight": (320, 4, 3, 3),
        "conditioner.embedders.1.model.ln_final.weight": (1280,),
    }
    identity = catalog.identify(write_header_only(tmp_path / "sdxl.safetensors", sdxl))
    assert not identity.usable
    assert identity.family == "SDXL checkpoint"
    message = catalog.identity_problem(identity, catalog.SPECS["dit"])
    assert (
        message is not None
        and "SDXL checkpoint" in message.text()
        and "transformer" in message.text()
    )
    lora = catalog.identify(
        write_header_only(tmp_path / "l.safetensors", {"lora_unet_a.lora_down.weight": (4, 8)})
    )
    assert lora.family == "LoRA"


def test_wrong_role_message(real_tree: Path) -> None:
    vae = catalog.identify(real_tree / FLUX / "ae.safetensors")
    message = catalog.identity_problem(vae, catalog.SPECS["dit"])
    assert (
        message is not None
        and "VAE" in message.text()
        and "not the majicflus_v1 transformer" in message.text()
    )


def test_tiny_set_is_recognised_as_tiny(tiny_models: Path) -> None:
    paths = scan.check(tiny_models).paths()
    assert paths.tiny
    assert catalog.identify(paths.dit).name.startswith("tiny random")


def test_fingerprint_tells_files_of_one_layout_apart(tmp_path: Path) -> None:
    a = write_header_only(tmp_path / "a.safetensors", layouts.flux_vae(channels=16))
    b = tmp_path / "b.safetensors"
    b.write_bytes(a.read_bytes())
    assert catalog.file_fingerprint(a) == catalog.file_fingerprint(b)
    with open(b, "r+b") as handle:
        handle.seek(b.stat().st_size // 2)
        handle.write(b"\x01")
    assert catalog.file_fingerprint(a) != catalog.file_fingerprint(b)
