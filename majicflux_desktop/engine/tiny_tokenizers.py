"""The demo's tiny tokenizers (CLIP byte-level BPE over 514 tokens, T5 unigram over 192), written
without torch: the tiny models' encoders know only these many tokens.

Apart from tiny.py, which imports torch, so that a test's fake hub can serve them cheaply.
"""

from __future__ import annotations

import json
from pathlib import Path

from majicflux_desktop.engine.layouts import TINY_CLIP as CLIP
from majicflux_desktop.engine.layouts import TINY_T5 as T5


def write_tokenizers(folder: Path) -> None:
    """Byte-level CLIP BPE (vocab 514) and a T5 unigram over ASCII (vocab 192), no download needed."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

    clip_dir = folder / "tokenizer"
    clip_dir.mkdir(parents=True, exist_ok=True)
    symbols = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {s: i for i, s in enumerate(symbols)}
    vocab.update({s + "</w>": len(symbols) + i for i, s in enumerate(symbols)})
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)  # the highest id: CLIP pools at argmax(input_ids)
    assert len(vocab) == CLIP["vocab"]
    (clip_dir / "vocab.json").write_text(json.dumps(vocab), "utf-8")
    (clip_dir / "merges.txt").write_text("#version: 0.2\n", "utf-8")
    (clip_dir / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "CLIPTokenizer",
                "model_max_length": 77,
                "bos_token": "<|startoftext|>",
                "eos_token": "<|endoftext|>",
                "unk_token": "<|endoftext|>",
                "pad_token": "<|endoftext|>",
            }
        ),
        "utf-8",
    )
    t5_dir = folder / "tokenizer_2"
    t5_dir.mkdir(parents=True, exist_ok=True)
    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0)]
    for code in range(33, 127):
        pieces += [(chr(code), -5.0), ("▁" + chr(code), -4.0)]
    assert len(pieces) == T5["vocab"]
    tokenizer = Tokenizer(models.Unigram(pieces, unk_id=2, byte_fallback=False))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)]
    )
    tokenizer.save(str(t5_dir / "tokenizer.json"))
    (t5_dir / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "T5Tokenizer",
                "eos_token": "</s>",
                "unk_token": "<unk>",
                "pad_token": "<pad>",
                "extra_ids": 0,
                "model_max_length": 512,
            }
        ),
        "utf-8",
    )
