"""Tokenizer folders: the copies shipped with the app, and recognising the copies other installs carry.

The app ships FLUX.1-dev's two tokenizers (resources/tokenizers, with their licences), so the four
weight files are all a models folder needs. A tokenizer folder found with the models is used
instead only when it is the same tokenizer: many folders look alike (a ComfyUI install also holds
Qwen and Llama tokenizers with a `vocab.json` and `merges.txt`), and a wrong one would turn every
prompt into other tokens without any error. The tiny demo models come with tiny tokenizers, which
only they can use.

Only what diffsynth loads counts: CLIP from `vocab.json` + `merges.txt`, T5 from `tokenizer.json`
(a folder with only `spiece.model` would need the `sentencepiece` package, which the app does not
carry).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP
from majicflux_desktop.engine.catalog import TOKENIZER_CLIP, TOKENIZER_T5
from majicflux_desktop.engine.layouts import TINY_CLIP, TINY_T5

SHIPPED_DIR = Path(__file__).resolve().parents[1] / "resources" / "tokenizers"
SHIPPED = {TOKENIZER_CLIP: SHIPPED_DIR / "clip", TOKENIZER_T5: SHIPPED_DIR / "t5"}
SHIPPED_NAME = QT_TRANSLATE_NOOP("models", "the copy shipped with MajicFlux")

CLIP_VOCAB = 49408  # CLIP ViT-L/14: 256 bytes twice, 48,894 merges, two specials
T5_VOCAB = 32100  # T5 v1.1: 32,000 pieces and 100 sentinels
# the files a folder must hold to be looked at: cheap to test, before anything is read
MARKERS = {TOKENIZER_CLIP: ("vocab.json", "merges.txt"), TOKENIZER_T5: ("tokenizer.json",)}
MAX_FILE_BYTES = 64 << 20  # the real files are 1 and 2.4 MB; nothing bigger is read


@dataclass(frozen=True)
class TokenizerFolder:
    path: Path
    role: str
    tiny: bool  # the demo's tokenizer: goes with the tiny random-weight models only


def looks_like(folder: Path, role: str) -> bool:
    return all((folder / name).is_file() for name in MARKERS[role])


def identify(folder: Path, role: str) -> TokenizerFolder | None:
    """The tokenizer in `folder` if it is FLUX's (or the demo's) for `role`, else None."""
    if not looks_like(folder, role):
        return None
    try:
        if role == TOKENIZER_CLIP:
            tiny = _clip_kind(_read_json(folder / "vocab.json"))
        else:
            tiny = _t5_kind(_read_json(folder / "tokenizer.json"))
    except (OSError, ValueError, TypeError, KeyError, IndexError, RecursionError):
        return None
    return None if tiny is None else TokenizerFolder(folder, role, tiny)


def shipped(role: str) -> TokenizerFolder:
    return TokenizerFolder(SHIPPED[role], role, tiny=False)


def is_shipped(path: Path) -> bool:
    return any(path == folder for folder in SHIPPED.values())


def _read_json(path: Path) -> object:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(f"{path} is too large for a tokenizer file")
    return json.loads(path.read_text("utf-8"))


def _clip_kind(vocab: object) -> bool | None:
    """True: the demo's tokenizer, False: CLIP's, None: another one."""
    if not isinstance(vocab, dict):
        return None
    for size, tiny in ((CLIP_VOCAB, False), (TINY_CLIP["vocab"], True)):
        start, end = size - 2, size - 1  # CLIP pools at the end token: it must be the last id
        if (
            len(vocab) == size
            and vocab.get("<|startoftext|>") == start
            and vocab.get("<|endoftext|>") == end
        ):
            return tiny
    return None


def _t5_kind(tokenizer: object) -> bool | None:
    if not isinstance(tokenizer, dict):
        return None
    model = tokenizer.get("model")
    if not isinstance(model, dict) or model.get("type") != "Unigram":
        return None
    pieces = model.get("vocab")
    if not isinstance(pieces, list) or [p[0] for p in pieces[:3]] != ["<pad>", "</s>", "<unk>"]:
        return None
    return {T5_VOCAB: False, TINY_T5["vocab"]: True}.get(len(pieces))
