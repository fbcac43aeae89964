"""PNG metadata: write ours and an A1111-style block; read ours, A1111/Forge, ComfyUI, InvokeAI, Fooocus.

Both written chunks are UTF-8 iTXt so Chinese prompts survive every reader. Reading never trusts the
file: sizes are capped, every value is checked, and whatever could not be used becomes a note.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from PIL import Image, PngImagePlugin

from majicflux_desktop import __version__
from majicflux_desktop.core import codec
from majicflux_desktop.core.edit import MAX_SIDE, MIN_SIDE, EditMode, snap_to_step
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message
from majicflux_desktop.core.request import DEFAULT_GUIDANCE, GenerationRequest, LoraUse
from majicflux_desktop.core.results import AppliedLora, GenerationResult

OUR_KEY = "majicflux"
A1111_KEY = "parameters"
MAX_CHUNK_CHARS = 1_000_000  # a real parameters block is a few KB; anything this big is hostile
GIB = 1024**3


def _metadata_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    # 0.1.0 wrote the peak rounded to 0.01 GB and a "schema" key; the library's migration puts
    # the exact bytes from its own column back into the rows it holds.
    data.pop("schema", None)
    gigabytes = data.pop("peak_vram_gb", None)
    if isinstance(gigabytes, (int, float)) and not isinstance(gigabytes, bool):
        data["peak_vram_bytes"] = round(gigabytes * GIB)
    return data


@dataclass(frozen=True)
class ImageMetadata:
    """Everything needed to make the same image again, plus how it was made."""

    VERSION: ClassVar[int] = 2
    UPGRADES: ClassVar[tuple[Any, ...]] = (_metadata_v1_to_v2,)

    request: GenerationRequest
    model: str = ""
    model_hash: str = ""
    plan: str = ""
    app_version: str = ""
    created: str = ""  # local time with its offset, ISO 8601
    duration_s: float | None = None
    peak_vram_bytes: int | None = None
    loras: tuple[AppliedLora, ...] = ()  # as applied: hashes and layers matched

    @classmethod
    def from_result(
        cls, result: GenerationResult, created: datetime.datetime | None = None
    ) -> ImageMetadata:
        moment = (created or datetime.datetime.now()).astimezone()
        return cls(
            request=result.request,
            model=result.model_name,
            model_hash=result.model_hash,
            plan=result.plan,
            app_version=__version__,
            created=moment.isoformat(timespec="seconds"),
            duration_s=round(result.timings.total, 3),
            peak_vram_bytes=result.peak_vram_bytes,
            loras=result.loras,
        )

    def to_json(self) -> str:
        return codec.dumps(self)

    @classmethod
    def from_json(cls, text: str | bytes) -> ImageMetadata:
        """Our own stored JSON (strict: the library wrote it); DecodeError if it is damaged."""
        return codec.loads(cls, text)


@dataclass
class ReadResult:
    request: GenerationRequest | None = None
    source: str = ""
    metadata: ImageMetadata | None = None
    notes: list[Message] = field(default_factory=list)

    def note(self, template: str, **params: Any) -> None:
        self.notes.append(Message("metadata", template, params))


# -- writing ---------------------------------------------------------------------------------------


def a1111_parameters(meta: ImageMetadata) -> str:
    """The text A1111 and Forge write and read, with our LoRAs and edit as they write theirs."""
    r = meta.request
    active = [lora for lora in r.loras if lora.enabled]
    lines = [r.prompt + "".join(f" <lora:{lora.name}:{_number(lora.weight)}>" for lora in active)]
    if r.negative_prompt:
        lines.append(f"Negative prompt: {r.negative_prompt}")
    fields: dict[str, object] = {
        "Steps": r.steps,
        "Sampler": "Euler",
        "Schedule type": "Simple",
        "CFG scale": _number(r.cfg_scale),
        "Distilled CFG Scale": _number(r.guidance),
        "Seed": r.seed,
        "Size": f"{r.width}x{r.height}",
        "Model hash": meta.model_hash,
        "Model": meta.model,
    }
    if r.edit is not None:
        fields["Denoising strength"] = _number(r.edit.strength)
        if r.edit.mode is EditMode.UPSCALE:
            fields["Hires upscale"] = _number(r.edit.upscale)
    hashes = {lora.name: lora.autov2 for lora in meta.loras} or {
        lora.name: lora.autov2 for lora in active if lora.sha256
    }
    if hashes:
        fields["Lora hashes"] = ", ".join(f"{name}: {short}" for name, short in hashes.items())
    fields["Version"] = f"MajicFlux {meta.app_version}".strip()
    lines.append(", ".join(f"{k}: {_quote(v)}" for k, v in fields.items() if v not in (None, "")))
    return "\n".join(lines)


def png_info(meta: ImageMetadata) -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    info.add_itxt(A1111_KEY, a1111_parameters(meta))
    info.add_itxt(OUR_KEY, meta.to_json())
    return info


def encode_png(image: Image.Image, meta: ImageMetadata | None) -> bytes:
    """The PNG file's bytes: with our metadata, or with none at all (export without metadata)."""
    buffer = io.BytesIO()
    clean = image if image.mode in ("RGB", "RGBA", "L") else image.convert("RGB")
    clean.save(buffer, "PNG", pnginfo=png_info(meta) if meta else PngImagePlugin.PngInfo())
    return buffer.getvalue()


def _number(value: float) -> str:
    return f"{value:g}"


def _quote(value: object) -> str:
    text = str(value)
    return (
        json.dumps(text, ensure_ascii=False)
        if ("," in text or ":" in text or "\n" in text)
        else text
    )


# -- reading ---------------------------------------------------------------------------------------


def _unreadable_reason(exc: Exception) -> Message | str:
    """Why an image could not be opened, in words (never the library's exception name)."""
    if isinstance(exc, Image.UnidentifiedImageError):
        text = QT_TRANSLATE_NOOP("metadata", "not an image format MajicFlux can read")
    elif isinstance(exc, Image.DecompressionBombError):
        text = QT_TRANSLATE_NOOP("metadata", "the picture is too large to open safely")
    elif isinstance(exc, FileNotFoundError):
        text = QT_TRANSLATE_NOOP("metadata", "the file is gone")
    elif isinstance(exc, PermissionError):
        text = QT_TRANSLATE_NOOP("metadata", "permission denied")
    elif isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    else:
        text = QT_TRANSLATE_NOOP("metadata", "the file is damaged or cut off")
    return Message("metadata", text)


def read(source: str | Path | bytes) -> ReadResult:
    """Parameters found in a PNG (or another image with text chunks). Never raises on bad files."""
    result = ReadResult()
    try:
        handle = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
        with handle, Image.open(handle) as image:
            chunks = {
                k: v for k, v in image.info.items() if isinstance(k, str) and isinstance(v, str)
            }
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        result.note(
            QT_TRANSLATE_NOOP("metadata", "This file is not a readable image ({reason})."),
            reason=_unreadable_reason(exc),
        )
        return result
    for key in list(chunks):
        if len(chunks[key]) > MAX_CHUNK_CHARS:
            del chunks[key]
            result.note(
                QT_TRANSLATE_NOOP("metadata", "Ignored the oversized text block “{key}”."),
                key=key[:40],
            )
    for name, reader in _READERS:
        try:
            values = reader(chunks, result)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError):
            result.note(
                QT_TRANSLATE_NOOP("metadata", "The {source} parameters in this file are damaged."),
                source=name,
            )
            continue
        if values is not None and name == "A1111" and not _looks_like_parameters(name, chunks):
            result.note(
                QT_TRANSLATE_NOOP(
                    "metadata",
                    "The image's “parameters” text is not generation parameters; it was ignored.",
                )
            )
            continue
        if values is not None:
            result.source = name
            result.request = _to_request(values, result)
            return result
    if not result.notes:
        result.note(QT_TRANSLATE_NOOP("metadata", "This image carries no generation parameters."))
    return result


def read_parameters_text(text: str) -> ReadResult:
    """Parameters pasted as text: A1111/Forge's `parameters` block, or our own JSON."""
    result = ReadResult()
    text = text.strip()
    if not text or len(text) > MAX_CHUNK_CHARS:
        result.note(QT_TRANSLATE_NOOP("metadata", "The clipboard holds no generation parameters."))
        return result
    chunks = {OUR_KEY: text} if text.startswith("{") else {A1111_KEY: text}
    for name, reader in _READERS:
        try:
            values = reader(chunks, result)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError):
            continue
        if values is not None and _looks_like_parameters(name, chunks):
            result.source = name
            result.request = _to_request(values, result)
            return result
    result.note(
        QT_TRANSLATE_NOOP(
            "metadata",
            "The text is not generation parameters. Copy them from A1111, Forge or MajicFlux "
            "(the block that ends with “Steps: …, Seed: …”).",
        )
    )
    return result


def _looks_like_parameters(source: str, chunks: Mapping[str, str]) -> bool:
    """Our JSON, or text whose last line holds A1111's settings (Steps, Seed, Size…)."""
    if source == "MajicFlux":
        return True
    if source != "A1111":
        return False
    last = chunks[A1111_KEY].strip().split("\n")[-1]
    keys = {key.strip() for key, _ in _A1111_FIELD.findall(last)}
    return len(keys & {"Steps", "Seed", "Size", "Sampler", "CFG scale"}) >= 2


def _read_ours(chunks: Mapping[str, str], result: ReadResult) -> dict[str, Any] | None:
    if OUR_KEY not in chunks:
        return None
    data = json.loads(chunks[OUR_KEY])
    if not isinstance(data, dict) or not isinstance(data.get("request"), dict):
        raise ValueError("no request")
    issues: list[codec.Issue] = []
    without_request = {key: value for key, value in data.items() if key != "request"}
    without_request["request"] = {"prompt": ""}  # checked on its own, below, field by field
    result.metadata = codec.decode(ImageMetadata, without_request, issues)
    _note_issues(result, issues)
    return dict(data["request"])


_A1111_FIELD = re.compile(r'\s*([\w ]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')


def _read_a1111(chunks: Mapping[str, str], result: ReadResult) -> dict[str, Any] | None:
    text = chunks.get(A1111_KEY)
    if text is None or text.lstrip().startswith("{"):
        return None  # Fooocus stores JSON under the same key
    lines = text.strip().split("\n")
    last = lines[-1] if len(_A1111_FIELD.findall(lines[-1])) >= 3 else ""
    if last:
        lines = lines[:-1]
    prompt_lines: list[str] = []
    negative_lines: list[str] = []
    in_negative = False
    for line in lines:
        if line.startswith("Negative prompt:"):
            in_negative = True
            line = line[len("Negative prompt:") :].lstrip()
        (negative_lines if in_negative else prompt_lines).append(line)
    fields = {}
    for key, value in _A1111_FIELD.findall(last):
        value = value.strip()
        if value.startswith('"') and value.endswith('"'):
            value = json.loads(value)
        fields[key.strip()] = value
    prompt, loras = split_lora_tags("\n".join(prompt_lines).strip())
    values: dict[str, Any] = {
        "prompt": prompt,
        "negative_prompt": "\n".join(negative_lines).strip(),
    }
    if loras:
        hashes = _lora_hashes(fields.get("Lora hashes", ""))
        values["loras"] = [
            {"name": lora.name, "weight": lora.weight, "sha256": hashes.get(lora.name, "")}
            for lora in loras
        ]
    if "Denoising strength" in fields:
        result.note(
            QT_TRANSLATE_NOOP(
                "metadata",
                "This image was made from another picture (denoising strength {strength}); only "
                "its text-to-image parameters are used.",
            ),
            strength=fields["Denoising strength"],
        )
    if "Seed" in fields:
        values["seed"] = fields["Seed"]
    if "Steps" in fields:
        values["steps"] = fields["Steps"]
    if "Size" in fields:
        width, _, height = fields["Size"].partition("x")
        values["width"], values["height"] = width, height
    distilled = fields.get("Distilled CFG Scale") or fields.get("Guidance")
    if distilled is not None:
        values["guidance"] = distilled
        values["cfg_scale"] = fields.get("CFG scale", 1)
    elif "CFG scale" in fields:
        result.note(
            QT_TRANSLATE_NOOP(
                "metadata",
                "CFG scale {value} was made for another kind of model; FLUX guidance {default} is used.",
            ),
            value=fields["CFG scale"],
            default=DEFAULT_GUIDANCE,
        )
    model = fields.get("Model")
    if model:
        result.note(QT_TRANSLATE_NOOP("metadata", "Made with the model “{model}”."), model=model)
    return values


def _read_invokeai(chunks: Mapping[str, str], result: ReadResult) -> dict[str, Any] | None:
    text = chunks.get("invokeai_metadata")
    if text is None:
        return None
    data = json.loads(text)
    return {
        "prompt": data.get("positive_prompt", ""),
        "negative_prompt": data.get("negative_prompt", ""),
        "seed": data.get("seed"),
        "steps": data.get("steps"),
        "width": data.get("width"),
        "height": data.get("height"),
        "guidance": data.get("guidance"),
    }


def _read_fooocus(chunks: Mapping[str, str], result: ReadResult) -> dict[str, Any] | None:
    text = chunks.get(A1111_KEY)
    if text is None or not text.lstrip().startswith("{"):
        return None
    data = json.loads(text)
    values: dict[str, Any] = {
        "prompt": data.get("prompt", ""),
        "negative_prompt": data.get("negative_prompt", ""),
        "seed": data.get("seed"),
        "steps": data.get("steps"),
    }
    size = re.findall(r"\d+", str(data.get("resolution", "")))
    if len(size) == 2:
        values["width"], values["height"] = size
    return values


def _read_comfyui(chunks: Mapping[str, str], result: ReadResult) -> dict[str, Any] | None:
    text = chunks.get("prompt")
    if text is None:
        return None
    graph = json.loads(text)
    if not isinstance(graph, dict):
        raise ValueError("not a graph")
    nodes = {k: v for k, v in graph.items() if isinstance(v, dict) and "class_type" in v}

    def node_inputs(node_id: object) -> dict[str, Any]:
        node = nodes.get(str(node_id), {})
        inputs = node.get("inputs", {})
        return inputs if isinstance(inputs, dict) else {}

    def literal(value: Any, depth: int = 0) -> Any:
        # A link is [node_id, output]; follow it to a primitive node's value.
        if isinstance(value, list) and len(value) == 2 and depth < 8:
            inputs = node_inputs(value[0])
            for key in ("value", "seed", "noise_seed", "int", "float", "string", "text"):
                if key in inputs:
                    return literal(inputs[key], depth + 1)
            return None
        return value

    def find(classes: tuple[str, ...]) -> list[dict[str, Any]]:
        return [node_inputs(k) for k, v in nodes.items() if v.get("class_type") in classes]

    def text_of(link: Any, depth: int = 0) -> str:
        # Follow conditioning back to its text encoder (through FluxGuidance, combines, etc.).
        if not (isinstance(link, list) and len(link) == 2) or depth > 16:
            return ""
        node = nodes.get(str(link[0]), {})
        inputs = node_inputs(link[0])
        if "CLIPTextEncode" in str(node.get("class_type", "")):
            for key in ("text", "t5xxl", "clip_l"):
                value = literal(inputs.get(key))
                if isinstance(value, str) and value:
                    return value
        for key in ("conditioning", "conditioning_1", "conditioning_to", "positive"):
            if key in inputs:
                found = text_of(inputs[key], depth + 1)
                if found:
                    return found
        return ""

    values: dict[str, Any] = {}
    samplers = find(("KSampler", "KSamplerAdvanced"))
    guiders = find(("CFGGuider", "BasicGuider"))
    if samplers:
        sampler = samplers[0]
        values["prompt"] = text_of(sampler.get("positive"))
        values["negative_prompt"] = text_of(sampler.get("negative"))
        values["seed"] = literal(sampler.get("seed", sampler.get("noise_seed")))
        values["steps"] = literal(sampler.get("steps"))
        cfg = literal(sampler.get("cfg"))
        if cfg is not None:
            values["cfg_scale"] = cfg
    elif guiders:
        guider = guiders[0]
        values["prompt"] = text_of(guider.get("conditioning", guider.get("positive")))
        values["negative_prompt"] = text_of(guider.get("negative"))
    for noise in find(("RandomNoise",)):
        values.setdefault("seed", literal(noise.get("noise_seed")))
    for scheduler in find(("BasicScheduler",)):
        values.setdefault("steps", literal(scheduler.get("steps")))
    for latent in find(("EmptyLatentImage", "EmptySD3LatentImage", "EmptyFlux2LatentImage")):
        values["width"], values["height"] = (
            literal(latent.get("width")),
            literal(latent.get("height")),
        )
    for guidance in find(("FluxGuidance",)) + find(("CLIPTextEncodeFlux",)):
        if "guidance" in guidance:
            values["guidance"] = literal(guidance.get("guidance"))
    if not values.get("prompt"):
        # No sampler or guider links the text (a graph saved half-built, or a custom sampler):
        # the first text encoder's text is the prompt.
        for node_id, node in nodes.items():
            if "CLIPTextEncode" in str(node.get("class_type", "")):
                text = text_of([node_id, 0])
                if text:
                    values["prompt"] = text
                    break
    if not values.get("prompt"):
        result.note(
            QT_TRANSLATE_NOOP("metadata", "The ComfyUI workflow has no prompt text we could find.")
        )
    return values


_READERS: list[tuple[str, Callable[[Mapping[str, str], ReadResult], dict[str, Any] | None]]] = [
    ("MajicFlux", _read_ours),
    ("InvokeAI", _read_invokeai),
    ("Fooocus", _read_fooocus),
    ("A1111", _read_a1111),
    ("ComfyUI", _read_comfyui),
]


def _float_or_none(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


_NUMBERS = ("seed", "steps", "width", "height", "guidance", "cfg_scale", "count")


def _to_request(values: Mapping[str, Any], result: ReadResult) -> GenerationRequest:
    """A usable request from untrusted values: each bad value is replaced by its default, with a note.

    The values go through the one serializer (lenient) and then the request's own checks, so a
    file can never bring in what the prompt panel would refuse.
    """
    data = {key: value for key, value in values.items() if value is not None and value != ""}
    data.setdefault("prompt", "")  # a file without a prompt still gives its other settings
    for name in _NUMBERS:  # other apps write numbers as text; a note quotes the text as found
        if isinstance(data.get(name), str):
            number = _float_or_none(data[name])
            if number is not None and math.isfinite(number):
                data[name] = number
    for name in ("seed", "steps", "width", "height", "count"):
        number = data.get(name)
        if isinstance(number, float) and number.is_integer():
            data[name] = int(number)
    for side in ("width", "height"):
        value = data.get(side)
        if isinstance(value, int) and not isinstance(value, bool) and 64 <= value <= 8192:
            snapped = max(MIN_SIDE, min(MAX_SIDE, snap_to_step(value)))
            if snapped != value:
                result.note(
                    QT_TRANSLATE_NOOP("metadata", "{field} {value} was adjusted to {snapped}."),
                    field=side,
                    value=value,
                    snapped=snapped,
                )
            data[side] = snapped
    data.pop("count", None)  # a file describes one image
    issues: list[codec.Issue] = []
    try:
        request = codec.decode(GenerationRequest, data, issues)
    except codec.DecodeError:
        request = GenerationRequest(prompt="")
        issues.append(codec.Issue("request", str(values)[:40]))
    defaults = GenerationRequest(prompt="")
    for problem in request.problems():
        if problem.field == "prompt":
            continue  # an empty prompt is for the reader to judge (a drop keeps the typed one)
        if hasattr(request, problem.field):
            issues.append(codec.Issue(problem.field, str(getattr(request, problem.field))[:40]))
            reset: dict[str, Any] = {problem.field: getattr(defaults, problem.field)}
            request = dataclasses.replace(request, **reset)
        elif request.edit is not None:  # a field of the edit: the edit cannot be used
            issues.append(codec.Issue("edit", problem.message.english()[:40]))
            request = dataclasses.replace(request, edit=None)
    _note_issues(result, issues)
    if result.metadata is not None:
        result.metadata = dataclasses.replace(result.metadata, request=request)
    return request


def _note_issues(result: ReadResult, issues: list[codec.Issue]) -> None:
    for issue in issues:
        result.note(
            QT_TRANSLATE_NOOP(
                "metadata", "Could not use {field} = {value}; kept the current default."
            ),
            field=issue.field,
            value=issue.value,
        )


# -- <lora:name:weight> in prompts, as A1111 and Forge write them -----------------------------------

_LORA_TAG = re.compile(r"<lora:([^:<>]+?)(?::(-?\d+(?:\.\d+)?|-?\.\d+))?>", re.IGNORECASE)


@dataclass(frozen=True)
class LoraTag:
    """One `<lora:name:weight>` tag of a prompt and where it is (the prompt editor marks it)."""

    start: int
    end: int
    use: LoraUse


def lora_tags(prompt: str) -> list[LoraTag]:
    return [
        LoraTag(match.start(), match.end(), _tag_use(match)) for match in _LORA_TAG.finditer(prompt)
    ]


def _tag_use(match: re.Match[str]) -> LoraUse:
    weight = float(match.group(2)) if match.group(2) else 1.0
    return LoraUse(name=match.group(1).strip(), weight=weight)


def split_lora_tags(prompt: str) -> tuple[str, list[LoraUse]]:
    """The prompt without its `<lora:name:weight>` tags, and the LoRAs they name (weight 1 if
    left out), in order; a name given twice keeps its last weight."""
    found: dict[str, LoraUse] = {}
    for tag in lora_tags(prompt):
        found.pop(tag.use.name.casefold(), None)
        found[tag.use.name.casefold()] = tag.use
    text = _LORA_TAG.sub("", prompt)
    text = re.sub(r"[ \t]{2,}", " ", text).strip()
    text = re.sub(r"[ \t]+,", ",", text)  # "a cat <lora:x>, sunny" reads "a cat, sunny"
    text = re.sub(r"\s*,(\s*,)+", ",", text).strip(" ,")
    return text, list(found.values())


def _lora_hashes(text: str) -> dict[str, str]:
    """`name: abcdef0123, other: …` (A1111's "Lora hashes") as a dict."""
    hashes = {}
    for part in str(text).split(","):
        name, _, short = part.rpartition(":")
        if name.strip() and re.fullmatch(r"[0-9a-fA-F]{8,64}", short.strip()):
            hashes[name.strip()] = short.strip().lower()
    return hashes
