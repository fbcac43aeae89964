"""The tokenizers shipped with the app: unchanged since they were checked against upstream, loadable
offline the way diffsynth loads them, and told apart from the other tokenizers installs carry."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import pytest

from helpers import SHIPPED_TOKENIZERS, copy_tokenizers, write_other_tokenizer
from majicflux_desktop.engine import tokenizer_folders

SAMPLES = Path(__file__).parent / "data" / "tokenizer_samples.json"


def test_the_shipped_files_are_the_ones_checked_against_upstream() -> None:
    """SHA256SUMS was written when scripts/verify-tokenizers compared the files with OpenAI's BPE
    file and ComfyUI's copies (resources/tokenizers/README.md); a changed byte fails here."""
    listed = {}
    for line in (SHIPPED_TOKENIZERS / "SHA256SUMS").read_text("utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name] = digest
    on_disk = {
        path.relative_to(SHIPPED_TOKENIZERS).as_posix(): hashlib.sha256(
            path.read_bytes()
        ).hexdigest()
        for path in SHIPPED_TOKENIZERS.glob("*/*")
    }
    assert on_disk == listed
    assert "MIT License" in (SHIPPED_TOKENIZERS / "clip/LICENSE").read_text("utf-8")
    assert "Apache License" in (SHIPPED_TOKENIZERS / "t5/LICENSE").read_text("utf-8")
    assert tokenizer_folders.SHIPPED == {
        "tokenizer": SHIPPED_TOKENIZERS / "clip",
        "tokenizer_2": SHIPPED_TOKENIZERS / "t5",
    }


def tokenize(clip_dir: Path, t5_dir: Path, texts: list[str]) -> dict[str, list[list[int]]]:
    # the classes and arguments of diffsynth's FLUX pipeline (from_pretrained, encode_prompt_*):
    # engine/prompt_tokenizers.py's, which the engine's import gives it
    from majicflux_desktop.engine import diffsynth_import, prompt_tokenizers

    flux = sys.modules[diffsynth_import._FLUX_PIPELINE]
    assert flux.CLIPTokenizer is prompt_tokenizers.ClipPromptTokenizer
    assert flux.T5TokenizerFast is prompt_tokenizers.T5PromptTokenizer
    clip = flux.CLIPTokenizer.from_pretrained(str(clip_dir))
    t5 = flux.T5TokenizerFast.from_pretrained(str(t5_dir))
    return {
        "clip": [
            clip(t, max_length=77, padding="max_length", truncation=True).input_ids for t in texts
        ],
        "t5": [
            t5(t, max_length=512, padding="max_length", truncation=True).input_ids for t in texts
        ],
    }


@pytest.fixture(scope="module")
def samples() -> dict[str, list]:
    return json.loads(SAMPLES.read_text("utf-8"))


def test_the_shipped_tokenizers_give_the_ids_upstream_gives(samples: dict[str, list]) -> None:
    """The ids the shipped files and ComfyUI's copies agreed on, Chinese included, offline."""
    ids = tokenize(SHIPPED_TOKENIZERS / "clip", SHIPPED_TOKENIZERS / "t5", samples["texts"])
    assert ids["clip"] == samples["clip"]
    assert ids["t5"] == samples["t5"]
    chinese = samples["texts"].index("一只橘猫坐在窗台上，阳光明媚")
    assert ids["clip"][chinese][:4] == [
        49406,
        19759,
        222,
        34517,
    ]  # start token, then byte-level pieces


def test_t5_loads_from_tokenizer_json_alone(tmp_path: Path, samples: dict[str, list]) -> None:
    """ComfyUI and Forge keep T5's tokenizer as tokenizer.json without spiece.model; the app has
    no sentencepiece package, so this is the form that must load."""
    only_json = tmp_path / "t5_tokenizer"
    copy_tokenizers(None, only_json, t5_files=("tokenizer.json",))
    assert [p.name for p in only_json.iterdir()] == ["tokenizer.json"]
    clip_only_bpe = tmp_path / "sd1_tokenizer"
    copy_tokenizers(clip_only_bpe, None)
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        (clip_only_bpe / name).unlink()
    ids = tokenize(clip_only_bpe, only_json, samples["texts"])
    assert ids == {"clip": samples["clip"], "t5": samples["t5"]}
    assert tokenizer_folders.identify(only_json, "tokenizer_2") is not None


def test_only_fluxs_tokenizers_are_taken(tmp_path: Path, tiny_models: Path) -> None:
    real = tokenizer_folders.identify(SHIPPED_TOKENIZERS / "clip", "tokenizer")
    assert real is not None and not real.tiny
    tiny = tokenizer_folders.identify(tiny_models / "tokenizer_2", "tokenizer_2")
    assert tiny is not None and tiny.tiny
    other = write_other_tokenizer(tmp_path / "qwen25_tokenizer")
    assert tokenizer_folders.identify(other, "tokenizer") is None
    assert tokenizer_folders.identify(other, "tokenizer_2") is None
    spiece_only = tmp_path / "spiece_only"
    spiece_only.mkdir()
    (spiece_only / "spiece.model").write_bytes(b"\x0a\x02")  # would need sentencepiece
    assert tokenizer_folders.identify(spiece_only, "tokenizer_2") is None
    damaged = tmp_path / "damaged"
    copy_tokenizers(damaged, damaged)
    (damaged / "vocab.json").write_text('{"cut off', "utf-8")
    (damaged / "tokenizer.json").write_bytes(b"\xff\xfe")
    assert tokenizer_folders.identify(damaged, "tokenizer") is None
    assert tokenizer_folders.identify(damaged, "tokenizer_2") is None
    # CLIP's vocabulary with its end token moved: CLIP pools at the highest id, so it is not CLIP's
    moved = tmp_path / "moved"
    shutil.copytree(SHIPPED_TOKENIZERS / "clip", moved)
    vocab = json.loads((moved / "vocab.json").read_text("utf-8"))
    vocab["<|endoftext|>"], vocab["<|startoftext|>"] = 49406, 49407
    (moved / "vocab.json").write_text(json.dumps(vocab), "utf-8")
    assert tokenizer_folders.identify(moved, "tokenizer") is None
