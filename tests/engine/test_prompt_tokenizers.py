"""The prompts' tokenizers on the `tokenizers` library alone are transformers' own, whole: the same
backend tokenizer, part by part, and the same ids for any text, called as diffsynth calls them."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import torch
from transformers import CLIPTokenizer, T5TokenizerFast

from helpers import SHIPPED_TOKENIZERS, copy_tokenizers
from majicflux_desktop.engine.prompt_tokenizers import ClipTokenizer, T5Tokenizer

SAMPLES = Path(__file__).parent / "data" / "tokenizer_samples.json"
LENGTHS = {ClipTokenizer: 77, T5Tokenizer: 512}  # diffsynth's FLUX pipeline pads to these
THEIRS = {ClipTokenizer: CLIPTokenizer, T5Tokenizer: T5TokenizerFast}
PIECES = [
    *["cat", "CAT", "a", " ", "  ", "\t", "\n", "\u3000", "\u200b", "'s", "'LL", ",", "...", "!"],
    *[
        "麦橘超然",
        "猫",
        "汉服",
        "、",
        "。",
        "カタカナ",
        "한국어",
        "🐱",
        "🌸",
        "é",
        "e\u0301",
        "ﬁ",
        "Ⅻ",
    ],
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
def folders(tiny_models: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """FLUX's folders as shipped, as ComfyUI keeps them (CLIP's BPE files alone, T5's
    tokenizer.json alone), and the demo's."""
    bare = tmp_path_factory.mktemp("bare")
    copy_tokenizers(bare / "clip", bare / "t5", t5_files=("tokenizer.json",))
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        (bare / "clip" / name).unlink()
    return {
        "shipped clip": SHIPPED_TOKENIZERS / "clip",
        "shipped t5": SHIPPED_TOKENIZERS / "t5",
        "bare clip": bare / "clip",
        "bare t5": bare / "t5",
        "tiny clip": tiny_models / "tokenizer",
        "tiny t5": tiny_models / "tokenizer_2",
    }


def pairs(folders: dict[str, Path]) -> list[tuple[str, type, Path]]:
    return [
        (name, ClipTokenizer if name.endswith("clip") else T5Tokenizer, path)
        for name, path in folders.items()
    ]


def test_each_builds_the_backend_transformers_builds(folders: dict[str, Path]) -> None:
    for name, ours, folder in pairs(folders):
        theirs = THEIRS[ours].from_pretrained(str(folder)).backend_tokenizer
        mine = ours.from_pretrained(folder).backend
        assert json.loads(mine.to_str()) == json.loads(theirs.to_str()), name


def test_each_gives_transformers_ids_for_any_text(folders: dict[str, Path]) -> None:
    every = texts()
    for name, ours, folder in pairs(folders):
        theirs, mine, length = (
            THEIRS[ours].from_pretrained(str(folder)),
            ours.from_pretrained(folder),
            LENGTHS[ours],
        )
        for text in every:
            # as diffsynth encodes a prompt
            a = theirs(
                text, return_tensors="pt", padding="max_length", max_length=length, truncation=True
            )
            b = mine(
                text, return_tensors="pt", padding="max_length", max_length=length, truncation=True
            )
            assert b.input_ids.dtype == torch.long and b.input_ids.shape == (1, length), name
            assert torch.equal(a.input_ids, b.input_ids), (name, text)
            # as lists, without padding or truncation too
            for options in (
                {"padding": "max_length", "truncation": True},
                {"padding": False, "truncation": False},
            ):
                plain = theirs(text, max_length=length, **options).input_ids
                assert mine(text, max_length=length, **options).input_ids == plain, (name, text)
        batch = every[:20]
        a = theirs(
            batch, return_tensors="pt", padding="max_length", max_length=length, truncation=True
        )
        b = mine(
            batch, return_tensors="pt", padding="max_length", max_length=length, truncation=True
        )
        assert torch.equal(a.input_ids, b.input_ids), name
        assert (
            mine(batch, max_length=length).input_ids
            == theirs(batch, max_length=length, padding="max_length", truncation=True).input_ids
        )


def test_long_prompts_are_cut_with_their_end_token_kept() -> None:
    clip = ClipTokenizer.from_pretrained(SHIPPED_TOKENIZERS / "clip")
    t5 = T5Tokenizer.from_pretrained(SHIPPED_TOKENIZERS / "t5")
    long = "a red apple on a wooden table, " * 60
    ids = clip(long, max_length=77).input_ids
    assert len(ids) == 77 and ids[0] == 49406 and ids[-1] == 49407
    ids = t5(long, max_length=512).input_ids
    assert len(ids) == 512 and ids[-1] == 1 and 0 not in ids  # `</s>` last, no padding
    short = t5("a cat", max_length=512).input_ids
    assert short[short.index(1) + 1 :] == [0] * (511 - short.index(1))  # `<pad>` after `</s>`


def test_calls_it_does_not_answer_like_transformers_are_refused() -> None:
    clip = ClipTokenizer.from_pretrained(SHIPPED_TOKENIZERS / "clip")
    with pytest.raises(ValueError, match="padding"):
        clip("a cat", max_length=77, padding="longest")
    with pytest.raises(ValueError, match="return_tensors"):
        clip("a cat", max_length=77, return_tensors="np")
