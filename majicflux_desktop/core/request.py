"""What to generate: validated, immutable parameters, and the seed policy."""

from __future__ import annotations

import dataclasses
import re
import secrets
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from majicflux_desktop.core.edit import (
    MAX_SIDE,
    MIN_SIDE,
    SIDE_STEP,
    Edit,
    Problem,
    edit_problems,
    snap_to_step,
)
from majicflux_desktop.core.edit_sizes import size_problems
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message

MIN_STEPS = 1
MAX_STEPS = 100
MAX_SEED = 2**32 - 1
MIN_GUIDANCE, MAX_GUIDANCE = 0.0, 20.0
MIN_CFG, MAX_CFG = 1.0, 20.0
MIN_COUNT, MAX_COUNT = 1, 64
MAX_PROMPT_CHARS = 10_000
T5_TOKEN_LIMIT = 512

DEFAULT_STEPS = 20
DEFAULT_SIZE = 1024
DEFAULT_GUIDANCE = 3.5

MAX_LORAS = 6
MIN_LORA_WEIGHT, MAX_LORA_WEIGHT = -2.0, 2.0

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u2028\u2029\ufeff]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WORD = re.compile(r"[^\W_]+|[^\w\s]", re.UNICODE)


def clean_text(text: str) -> str:
    """Text as it can be stored and tokenized: no control characters, no lone surrogates.

    Line breaks and tabs stay; CRLF becomes LF; NFC normalisation keeps equal-looking prompts equal.
    """
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> '?'
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


def estimate_t5_tokens(text: str) -> int:
    """A conservative estimate of T5 tokens, for warnings before the tokenizer is loaded.

    T5's vocabulary has no CJK pieces, so each CJK character costs about one token; other words
    cost about 1.3 tokens. The engine counts exactly once its tokenizer is loaded.
    """
    cjk = len(_CJK.findall(text))
    rest = _CJK.sub(" ", text)
    return cjk + round(len(_WORD.findall(rest)) * 1.3)


def mostly_cjk(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(1 for c in letters if _CJK.match(c)) / len(letters) > 0.5


def random_seed() -> int:
    return secrets.randbelow(MAX_SEED + 1)


class RequestError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.message.text() for p in problems))


@dataclass(frozen=True)
class LoraUse:
    """One LoRA of a request: found again by its hash first, then by its name."""

    name: str  # the file's stem, as `<lora:name:weight>` names it
    weight: float = 1.0
    sha256: str = ""
    enabled: bool = True

    @property
    def autov2(self) -> str:
        """The short hash A1111, Forge and Civitai show (the SHA-256's first 10 hex digits)."""
        return self.sha256[:10]


def _request_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    return data  # version 2 added `loras` and `edit`, both with defaults


@dataclass(frozen=True)
class GenerationRequest:
    """One job's parameters. `seed=None` means: pick a random seed when the image is made.

    Stored and written only through `core.codec`: a new field with a default needs no change in
    any store, file format or message between the prompt panel and the engine.
    """

    VERSION: ClassVar[int] = 2
    UPGRADES: ClassVar[tuple[Any, ...]] = (_request_v1_to_v2,)

    prompt: str
    negative_prompt: str = ""
    seed: int | None = None
    steps: int = DEFAULT_STEPS
    width: int = DEFAULT_SIZE
    height: int = DEFAULT_SIZE
    guidance: float = DEFAULT_GUIDANCE
    cfg_scale: float = 1.0
    count: int = 1
    loras: tuple[LoraUse, ...] = field(default_factory=tuple)
    edit: Edit | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "prompt", clean_text(self.prompt))
        object.__setattr__(self, "negative_prompt", clean_text(self.negative_prompt))

    # -- validation ------------------------------------------------------------------------
    def problems(self) -> list[Problem]:
        found: list[Problem] = []

        def add(field_name: str, text: str, **params: Any) -> None:
            found.append(Problem(field_name, Message("request", text, params)))

        if not self.prompt.strip():
            add(
                "prompt",
                QT_TRANSLATE_NOOP("request", "The prompt is empty. Describe the image you want."),
            )
        if len(self.prompt) > MAX_PROMPT_CHARS:
            add(
                "prompt",
                QT_TRANSLATE_NOOP(
                    "request",
                    "The prompt is {length} characters long. Shorten it to at most {limit}: "
                    "the model reads only about the first 512 tokens.",
                ),
                length=len(self.prompt),
                limit=MAX_PROMPT_CHARS,
            )
        if len(self.negative_prompt) > MAX_PROMPT_CHARS:
            add(
                "negative_prompt",
                QT_TRANSLATE_NOOP(
                    "request",
                    "The negative prompt is {length} characters long. Shorten it to at most {limit}.",
                ),
                length=len(self.negative_prompt),
                limit=MAX_PROMPT_CHARS,
            )
        sides = (
            ("width", self.width, QT_TRANSLATE_NOOP("request", "Width")),
            ("height", self.height, QT_TRANSLATE_NOOP("request", "Height")),
        )
        for name, value, label in sides:
            side = Message("request", label)
            if not isinstance(value, int) or not MIN_SIDE <= value <= MAX_SIDE:
                add(
                    name,
                    QT_TRANSLATE_NOOP(
                        "request",
                        "{side} {value} is outside {low}–{high} pixels. Choose a size in that range.",
                    ),
                    side=side,
                    value=value,
                    low=MIN_SIDE,
                    high=MAX_SIDE,
                )
            elif value % SIDE_STEP:
                add(
                    name,
                    QT_TRANSLATE_NOOP(
                        "request", "{side} {value} is not a multiple of 16. Use {snapped}."
                    ),
                    side=side,
                    value=value,
                    snapped=snap_to_step(value),
                )
        if not isinstance(self.steps, int) or not MIN_STEPS <= self.steps <= MAX_STEPS:
            add(
                "steps",
                QT_TRANSLATE_NOOP(
                    "request", "Steps must be between {low} and {high} (got {value})."
                ),
                low=MIN_STEPS,
                high=MAX_STEPS,
                value=self.steps,
            )
        if self.seed is not None and (
            not isinstance(self.seed, int) or not 0 <= self.seed <= MAX_SEED
        ):
            add(
                "seed",
                QT_TRANSLATE_NOOP(
                    "request",
                    "The seed must be a whole number from 0 to {high} (got {value}). "
                    "Leave it empty for a random seed.",
                ),
                high=MAX_SEED,
                value=self.seed,
            )
        if not MIN_GUIDANCE <= self.guidance <= MAX_GUIDANCE:
            add(
                "guidance",
                QT_TRANSLATE_NOOP(
                    "request",
                    "Guidance must be between {low} and {high} (got {value}); 3.5 is typical.",
                ),
                low=MIN_GUIDANCE,
                high=MAX_GUIDANCE,
                value=self.guidance,
            )
        if not MIN_CFG <= self.cfg_scale <= MAX_CFG:
            add(
                "cfg_scale",
                QT_TRANSLATE_NOOP(
                    "request",
                    "CFG scale must be between {low} and {high} (got {value}); 1 turns it off.",
                ),
                low=MIN_CFG,
                high=MAX_CFG,
                value=self.cfg_scale,
            )
        if not isinstance(self.count, int) or not MIN_COUNT <= self.count <= MAX_COUNT:
            add(
                "count",
                QT_TRANSLATE_NOOP(
                    "request", "Count must be between {low} and {high} (got {value})."
                ),
                low=MIN_COUNT,
                high=MAX_COUNT,
                value=self.count,
            )
        found += _lora_problems(self.loras)
        if self.edit is not None:
            found_in_edit = edit_problems(self.edit)
            found += found_in_edit
            if not found_in_edit:
                found += size_problems(self.edit, self.width, self.height)
        return found

    def warnings(self) -> list[Problem]:
        found: list[Problem] = []
        tokens = estimate_t5_tokens(self.prompt)
        if tokens > T5_TOKEN_LIMIT and len(self.prompt) <= MAX_PROMPT_CHARS:
            found.append(
                Problem(
                    "prompt",
                    Message(
                        "request",
                        QT_TRANSLATE_NOOP(
                            "request",
                            "The prompt is about {tokens} tokens; the text encoder reads only "
                            "the first 512. Put what matters most first.",
                        ),
                        {"tokens": tokens},
                    ),
                )
            )
        if mostly_cjk(self.prompt):
            found.append(
                Problem(
                    "prompt",
                    Message(
                        "request",
                        QT_TRANSLATE_NOOP(
                            "request",
                            "FLUX models understand English prompts best; Chinese words may be "
                            "partly ignored. English keywords give more reliable results.",
                        ),
                    ),
                )
            )
        if self.negative_prompt.strip() and self.cfg_scale == 1.0:
            found.append(
                Problem(
                    "negative_prompt",
                    Message(
                        "request",
                        QT_TRANSLATE_NOOP(
                            "request",
                            "The negative prompt only acts with a CFG scale above 1 "
                            "(which doubles the time per step).",
                        ),
                    ),
                )
            )
        return found

    def checked(self) -> GenerationRequest:
        problems = self.problems()
        if problems:
            raise RequestError(problems)
        return self

    # -- seeds -------------------------------------------------------------------------------
    def with_seed(self, seed: int | None) -> GenerationRequest:
        return dataclasses.replace(self, seed=seed)

    def single_images(self) -> Iterator[GenerationRequest]:
        """One request per image of this job (count=1 each).

        A fixed seed gives seed, seed+1, … (as A1111 does, so every image is reproducible from its
        own seed); no seed gives an independent random seed per image.
        """
        for index in range(self.count):
            seed = random_seed() if self.seed is None else (self.seed + index) % (MAX_SEED + 1)
            yield dataclasses.replace(self, seed=seed, count=1)


def _problem(field_name: str, text: str, **params: Any) -> Problem:
    return Problem(field_name, Message("request", text, params))


def _lora_problems(loras: tuple[LoraUse, ...]) -> list[Problem]:
    found = []
    if len(loras) > MAX_LORAS:
        found.append(
            _problem(
                "loras",
                QT_TRANSLATE_NOOP(
                    "request", "At most {limit} LoRAs can be used at once (got {count})."
                ),
                limit=MAX_LORAS,
                count=len(loras),
            )
        )
    for lora in loras:
        if not lora.name.strip():
            found.append(_problem("loras", QT_TRANSLATE_NOOP("request", "A LoRA has no name.")))
        elif not MIN_LORA_WEIGHT <= lora.weight <= MAX_LORA_WEIGHT:
            found.append(
                _problem(
                    "loras",
                    QT_TRANSLATE_NOOP(
                        "request",
                        "The weight of the LoRA “{name}” must be between {low} and {high} "
                        "(got {value}); 1 is typical.",
                    ),
                    name=lora.name,
                    low=MIN_LORA_WEIGHT,
                    high=MAX_LORA_WEIGHT,
                    value=lora.weight,
                )
            )
    names = [lora.name.casefold() for lora in loras]
    for name in sorted({n for n in names if names.count(n) > 1}):
        found.append(
            _problem(
                "loras",
                QT_TRANSLATE_NOOP(
                    "request", "The LoRA “{name}” is in the list twice. Keep one of them."
                ),
                name=name,
            )
        )
    return found
