"""The prompts' tokenizers on the `tokenizers` library alone are transformers' own, whole, for FLUX's
folders: the same backend tokenizer, part by part, and the same ids for any text, called as
diffsynth calls them; a copy whose configuration differs gets FLUX's settings all the same."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import torch
from transformers import CLIPTokenizer, T5TokenizerFast

from helpers import SHIPPED_TOKENIZERS, copy_tokenizers
from majicflux_desktop.engine.prompt_tokenizers import ClipPromptTokenizer, T5PromptTokenizer

SAMPLES = Path(__file__).parent / "data" / "tokenizer_samples.json"
# diffsynth's FLUX pipeline pads to these
LENGTHS = {ClipPromptTokenizer: 77, T5PromptTokenizer: 512}
THEIRS = {ClipPromptTokenizer: CLIPTokenizer, T5PromptTokenizer: T5TokenizerFast}
PIECES = [
    *["cat", "CAT", "a", " ", "  ", "\t", "\n", "\u3000", "\u200b", "'s", "'LL", ",", "...", "!"],
    *["麦橘超然", "猫", "汉服", "、", "。", "カタカナ", "한국어", "🐱", "🌸", "é", "ﬁ", "Ⅻ"],
    "e\u0301",  # é as e and a combining accent
    *["0", "123", "4.5", "(masterpiece:1.2)", "<lora:name:0.8>", "x" * 60],
    # special tokens typed into a prompt, in other cases too
    *["<|startoftext|>", "<|STARTOFTEXT|>", "<|endoftext|>", "</s>", "<pad>", "<unk>"],
    "<extra_id_5>",
]


def texts() -> list[str]:
    rng = random.Random(16)
    samples = json.loads(SAMPLES.read_text("utf-8"))["texts"]
    made = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 150))) for _ in range(300)]
    return [*samples, "", " ", "   leading and trailing   ", *made]


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Copies of FLUX's tokenizers as other installs keep them: ComfyUI's CLIP folder with its
    configuration in transformers' older form, T5's `tokenizer.json` alone, CLIP's BPE files with
    no configuration at all (and a folder for a T5 file the test writes)."""
    root = tmp_path_factory.mktemp("copies")
    copy_tokenizers(root / "comfyui clip", root / "t5 json only", t5_files=("tokenizer.json",))
    config = json.loads((root / "comfyui clip" / "tokenizer_config.json").read_text("utf-8"))
    del config["added_tokens_decoder"]
    for role, token in (("bos", "<|startoftext|>"), ("eos", "<|endoftext|>")):
        config[f"{role}_token"] = {"__type": "AddedToken", "content": token, "normalized": True}
        config[f"{role}_token"] |= {"lstrip": False, "rstrip": False, "single_word": False}
    (root / "comfyui clip" / "tokenizer_config.json").write_text(json.dumps(config), "utf-8")
    copy_tokenizers(root / "bare clip", None)
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        (root / "bare clip" / name).unlink()
    (root / "bare t5").mkdir()
    names = ("comfyui clip", "t5 json only", "bare clip", "bare t5")
    return {name: root / name for name in names}


@pytest.fixture(scope="module")
def fluxs(copies: dict[str, Path], tiny_models: Path) -> list[tuple[str, type, Path]]:
    """The folders whose configuration is FLUX's: shipped, ComfyUI's, and the demo's T5."""
    return [
        ("shipped clip", ClipPromptTokenizer, SHIPPED_TOKENIZERS / "clip"),
        ("shipped t5", T5PromptTokenizer, SHIPPED_TOKENIZERS / "t5"),
        ("comfyui clip", ClipPromptTokenizer, copies["comfyui clip"]),
        ("t5 json only", T5PromptTokenizer, copies["t5 json only"]),
        ("tiny t5", T5PromptTokenizer, tiny_models / "tokenizer_2"),
    ]


def backend(tokenizer: object) -> dict:
    """A tokenizer's whole backend, as JSON: vocabulary, normaliser, splitting, special tokens."""
    backend = getattr(tokenizer, "backend_tokenizer", getattr(tokenizer, "backend", None))
    return json.loads(backend.to_str())


def test_each_builds_the_backend_transformers_builds(fluxs: list) -> None:
    for name, ours, folder in fluxs:
        theirs = THEIRS[ours].from_pretrained(str(folder))
        assert backend(ours.from_pretrained(folder)) == backend(theirs), name


def test_each_gives_transformers_ids_for_any_text(fluxs: list) -> None:
    every = texts()
    for name, ours, folder in fluxs:
        theirs, mine = THEIRS[ours].from_pretrained(str(folder)), ours.from_pretrained(folder)
        length = LENGTHS[ours]
        for text in every:
            # as diffsynth encodes a prompt
            call = {"padding": "max_length", "max_length": length, "truncation": True}
            a = theirs(text, return_tensors="pt", **call).input_ids
            b = mine(text, return_tensors="pt", **call).input_ids
            assert b.dtype == torch.long and b.shape == (1, length), name
            assert torch.equal(a, b), (name, text)
            # as lists, without padding or truncation too
            for options in (call, {"max_length": length, "padding": False, "truncation": False}):
                assert mine(text, **options).input_ids == theirs(text, **options).input_ids
        batch = every[:20]
        for tensors in ("pt", None):
            a = theirs(batch, return_tensors=tensors, **call).input_ids
            b = mine(batch, return_tensors=tensors, **call).input_ids
            assert torch.equal(a, b) if tensors else a == b, name


def test_a_copy_without_fluxs_configuration_gets_fluxs_settings(
    copies: dict[str, Path], tiny_models: Path
) -> None:
    """Where transformers takes another setting from a copy's configuration files (here: none, so
    the start token typed in capitals is not matched), the tokenizer stays FLUX's."""
    shipped = ClipPromptTokenizer.from_pretrained(SHIPPED_TOKENIZERS / "clip")
    bare = ClipPromptTokenizer.from_pretrained(copies["bare clip"])
    assert backend(bare) == backend(shipped) == backend(CLIPTokenizer.from_pretrained(
        str(SHIPPED_TOKENIZERS / "clip")
    ))  # fmt: skip
    assert bare("<|STARTOFTEXT|> cat", max_length=77).input_ids[:3] == [49406, 49406, 2368]
    # T5's file with no added tokens listed: its sentinels are special all the same
    spec = json.loads((SHIPPED_TOKENIZERS / "t5" / "tokenizer.json").read_text("utf-8"))
    spec["added_tokens"] = []
    (copies["bare t5"] / "tokenizer.json").write_text(json.dumps(spec), "utf-8")
    shipped_t5 = T5PromptTokenizer.from_pretrained(SHIPPED_TOKENIZERS / "t5")
    assert backend(T5PromptTokenizer.from_pretrained(copies["bare t5"])) == backend(shipped_t5)
    for folder in (copies["bare clip"], tiny_models / "tokenizer"):
        theirs = backend(CLIPTokenizer.from_pretrained(str(folder)))
        assert theirs["added_tokens"][0]["content"] == "<|startoftext|>"
        assert not theirs["added_tokens"][0]["normalized"]  # the one difference
        theirs["added_tokens"][0]["normalized"] = True
        assert backend(ClipPromptTokenizer.from_pretrained(folder)) == theirs


def test_long_prompts_are_cut_with_their_end_token_kept() -> None:
    clip = ClipPromptTokenizer.from_pretrained(SHIPPED_TOKENIZERS / "clip")
    t5 = T5PromptTokenizer.from_pretrained(SHIPPED_TOKENIZERS / "t5")
    long = "a red apple on a wooden table, " * 60
    ids = clip(long, max_length=77).input_ids
    assert len(ids) == 77 and ids[0] == 49406 and ids[-1] == 49407
    ids = t5(long, max_length=512).input_ids
    assert len(ids) == 512 and ids[-1] == 1 and 0 not in ids  # `</s>` last, no padding
    short = t5("a cat", max_length=512).input_ids
    assert short[short.index(1) + 1 :] == [0] * (511 - short.index(1))  # `<pad>` after `</s>`


def test_calls_it_does_not_answer_like_transformers_are_refused() -> None:
    clip = ClipPromptTokenizer.from_pretrained(SHIPPED_TOKENIZERS / "clip")
    with pytest.raises(ValueError, match="padding"):
        clip("a cat", max_length=77, padding="longest")
    with pytest.raises(ValueError, match="return_tensors"):
        clip("a cat", max_length=77, return_tensors="np")
    with pytest.raises(ValueError, match="truncation"):
        clip("a cat", max_length=77, truncation="do_not_truncate")
