"""FLUX's two tokenizers on the `tokenizers` library alone, as diffsynth's FLUX pipeline calls them.

diffsynth loads them through transformers (`CLIPTokenizer`, `T5TokenizerFast`), whose import cost
the engine's start 0.5–0.8 s on this project's CI machine (issue 16 §2, bench/README.md) for what
is, under both classes, one `tokenizers.Tokenizer`. These build that tokenizer from the same files
as transformers 5.24 builds it from FLUX.1-dev's folders, part by part
(tests/engine/test_prompt_tokenizers.py compares the two whole, and their ids on many texts):

- CLIP: byte-level BPE from `vocab.json` and `merges.txt`; text normalised to NFC, runs of white
  space made one space, lower case; split as CLIP's own tokenizer splits; `<|startoftext|>` before
  and `<|endoftext|>` after, which also pads.
- T5: the unigram pieces, special tokens and SentencePiece character map of `tokenizer.json`,
  split at white space with `▁` before every word, `</s>` after, `<pad>` to pad. transformers
  rebuilds T5's pre-tokenizer and normaliser so; the file's own (`▁` before the first word only,
  trailing white space stripped) is not what diffsynth has used.

Every other setting is FLUX.1-dev's, whichever copy of these vocabularies a models folder holds
(tokenizer_folders.identify takes any copy): where transformers would read another from a copy's
configuration files, the tokens here stay FLUX's. Those settings differ in copies made for other
models or without their configuration files: SD 2's and SDXL's second CLIP folder pad with `!`
(after the end token, where CLIP's pooled output, all FLUX takes from CLIP, does not look), and a
copy without `tokenizer_config.json` would not match `<|STARTOFTEXT|>` typed in capitals as the
start token, as FLUX's copy and OpenAI's own CLIP tokenizer (which lowers the case first) do.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from tokenizers import (
    AddedToken,
    Regex,
    Tokenizer,
    decoders,
    normalizers,
    pre_tokenizers,
    processors,
)
from tokenizers.models import BPE, Unigram

CLIP_START, CLIP_END = "<|startoftext|>", "<|endoftext|>"
# CLIP's own split: its two special tokens, English contractions, runs of letters, single digits,
# runs of anything else but white space
CLIP_SPLIT = (
    r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"
)
T5_PAD, T5_END, T5_UNKNOWN = "<pad>", "</s>", "<unk>"


@dataclass(frozen=True)
class Encoded:
    """What a call gives: `input_ids` as transformers gives them (a list for one text, a list of
    lists for several, a tensor of one row per text with `return_tensors="pt"`)."""

    input_ids: Any


class PromptTokenizer:
    """A tokenizer that diffsynth's pipeline calls as `tokenizer(prompt, return_tensors="pt",
    padding="max_length", max_length=N, truncation=True)`."""

    def __init__(self, backend: Tokenizer, pad: str):
        self.backend = backend
        self.pad_token = pad
        self.pad_token_id = _token_id(backend, pad)

    def __call__(
        self,
        text: str | Sequence[str],
        *,
        max_length: int,
        padding: str | bool | None = "max_length",
        truncation: bool = True,
        return_tensors: str | None = None,
    ) -> Encoded:
        if padding not in ("max_length", False, None, "do_not_pad"):
            raise ValueError(f"padding={padding!r}: only 'max_length' or none")
        if not isinstance(truncation, bool):
            raise ValueError(f"truncation={truncation!r}: only True or False")
        if return_tensors not in (None, "pt"):
            raise ValueError(f"return_tensors={return_tensors!r}: only 'pt' or none")
        # as transformers sets them for such a call (strategy, direction and the rest included)
        if truncation:
            self.backend.enable_truncation(
                max_length, stride=0, strategy="longest_first", direction="right"
            )
        else:
            self.backend.no_truncation()
        if padding == "max_length":
            self.backend.enable_padding(
                direction="right",
                pad_id=self.pad_token_id,
                pad_type_id=0,
                pad_token=self.pad_token,
                length=max_length,
            )
        else:
            self.backend.no_padding()
        texts = [text] if isinstance(text, str) else list(text)
        ids = [encoding.ids for encoding in self.backend.encode_batch(texts)]
        if return_tensors == "pt":
            return Encoded(torch.tensor(ids, dtype=torch.long))
        return Encoded(ids[0] if isinstance(text, str) else ids)


class ClipPromptTokenizer(PromptTokenizer):
    @classmethod
    def from_pretrained(cls, folder: str | Path) -> ClipPromptTokenizer:
        backend = Tokenizer(
            BPE.from_file(  # read and parsed in Rust
                str(Path(folder, "vocab.json")),
                str(Path(folder, "merges.txt")),
                dropout=None,
                continuing_subword_prefix="",
                end_of_word_suffix="</w>",
                fuse_unk=False,
                unk_token=CLIP_END,
            )
        )
        backend.normalizer = normalizers.Sequence(
            [normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase()]
        )
        backend.pre_tokenizer = pre_tokenizers.Sequence(
            [
                pre_tokenizers.Split(Regex(CLIP_SPLIT), behavior="removed", invert=True),
                pre_tokenizers.ByteLevel(add_prefix_space=False),
            ]
        )
        backend.decoder = decoders.ByteLevel()
        # as FLUX's tokenizer_config.json has them: the start token is matched in normalised text
        backend.add_special_tokens(
            [
                AddedToken(CLIP_START, normalized=True, special=True),
                AddedToken(CLIP_END, normalized=False, special=True),
            ]
        )
        end, start = _token_id(backend, CLIP_END), _token_id(backend, CLIP_START)
        backend.post_processor = processors.RobertaProcessing(
            (CLIP_END, end), (CLIP_START, start), trim_offsets=False, add_prefix_space=False
        )
        return cls(backend, pad=CLIP_END)


class T5PromptTokenizer(PromptTokenizer):
    @classmethod
    def from_pretrained(cls, folder: str | Path) -> T5PromptTokenizer:
        # Parsed by Python, not by `Tokenizer.from_file`, whose parser puts some of the pieces'
        # scores one step of the last bit off the file's (and transformers') values.
        spec = json.loads(Path(folder, "tokenizer.json").read_text("utf-8"))
        pieces = [(piece, score) for piece, score in spec["model"]["vocab"]]
        backend = Tokenizer(Unigram(pieces, unk_id=2, byte_fallback=False))
        charsmap = _character_map(spec.get("normalizer"))
        if charsmap is not None:  # of the file's normaliser, SentencePiece's character map alone
            backend.normalizer = normalizers.Precompiled(charsmap)
        backend.pre_tokenizer = pre_tokenizers.Sequence(
            [
                pre_tokenizers.WhitespaceSplit(),
                pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True),
            ]
        )
        backend.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
        # special whether the file lists them or not: these three, T5's 100 sentinels where its
        # pieces have them (FLUX's do: `<extra_id_0>` …), and any others the file lists
        special = [T5_PAD, T5_END, T5_UNKNOWN]
        named = {piece for piece, _ in pieces}
        special += [t for t in (f"<extra_id_{i}>" for i in range(100)) if t in named]
        special += [
            token["content"]
            for token in spec.get("added_tokens", [])
            if token.get("special") and token["content"] not in special
        ]
        backend.add_special_tokens([AddedToken(t, normalized=False, special=True) for t in special])
        backend.post_processor = processors.TemplateProcessing(
            single=["$A", T5_END],
            pair=["$A", T5_END, "$B", T5_END],
            special_tokens=[(T5_END, _token_id(backend, T5_END))],
        )
        return cls(backend, pad=T5_PAD)


def _token_id(backend: Tokenizer, token: str) -> int:
    found = backend.token_to_id(token)
    if found is None:  # not FLUX's tokenizer: tokenizer_folders.identify would not take it
        raise ValueError(f"{token} is not in the tokenizer's vocabulary")
    return found


def _character_map(normalizer: Any) -> bytes | None:
    """The SentencePiece character map in a tokenizer.json's normaliser (alone or in a sequence)."""
    if not isinstance(normalizer, dict):
        return None
    parts = (
        normalizer.get("normalizers", []) if normalizer.get("type") == "Sequence" else [normalizer]
    )
    for part in parts:
        if part.get("type") == "Precompiled" and "precompiled_charsmap" in part:
            return base64.b64decode(part["precompiled_charsmap"])
    return None
