"""The model files the app needs, and what a file on disk is (read from its header, never its name).

Finding those files in a folder is scan.py. Imports no torch: `majicflux models check` and the
setup page answer in milliseconds.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.core.units import format_bytes
from majicflux_desktop.engine import layouts

MODELSCOPE_MAJICFLUS = "MAILAND/majicflus_v1"
FLUX_DEV = "black-forest-labs/FLUX.1-dev"

DIT, CLIP, T5, VAE = "dit", "clip", "t5", "vae"
TOKENIZER_CLIP, TOKENIZER_T5 = "tokenizer", "tokenizer_2"
WEIGHT_ROLES = (DIT, CLIP, T5, VAE)

MAX_HEADER_BYTES = 100 * 1024 * 1024  # the T5 header is ~20 KB; real files stay far below this
SAFETENSORS_DTYPES = {
    "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "F8_E4M3": 1, "F8_E5M2": 1,
    "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
}  # fmt: skip


@dataclass(frozen=True)
class FileSpec:
    """One file (or folder) the app needs, where it comes from, and how to recognise it."""

    role: str
    title: str
    repo: str
    files: tuple[str, ...]
    layout_hash: str = ""  # over all of `files` together (T5 comes in two shards)

    @property
    def is_folder(self) -> bool:
        return self.role in (TOKENIZER_CLIP, TOKENIZER_T5)

    @property
    def label(self) -> Message:
        """The title as a field of a message: translated with it."""
        return model_name(self.title)


def model_name(name: str) -> Message:
    """A model's name in the UI language (the "models" context of the translations)."""
    return Message("models", name)


REQUIRED: tuple[FileSpec, ...] = (
    FileSpec(
        DIT, "majicflus_v1 transformer (DiT)", MODELSCOPE_MAJICFLUS, ("majicflus_v134.safetensors",),
        "3394f306c4cbf04334b712bf5aaed95f",
    ),
    FileSpec(
        CLIP, "CLIP-L text encoder", FLUX_DEV, ("text_encoder/model.safetensors",),
        "94eefa3dac9cec93cb1ebaf1747d7b78",
    ),
    FileSpec(
        T5, "T5-XXL text encoder", FLUX_DEV,
        ("text_encoder_2/model-00001-of-00002.safetensors", "text_encoder_2/model-00002-of-00002.safetensors"),
        "22540b49eaedbc2f2784b2091a234c7c",
    ),
    FileSpec(VAE, "VAE (autoencoder)", FLUX_DEV, ("ae.safetensors",), "21ea55f476dfc4fd135587abb59dfe5d"),
    FileSpec(
        TOKENIZER_CLIP, "CLIP tokenizer", FLUX_DEV,
        ("tokenizer/vocab.json", "tokenizer/merges.txt", "tokenizer/tokenizer_config.json",
         "tokenizer/special_tokens_map.json"),
    ),
    FileSpec(
        TOKENIZER_T5, "T5 tokenizer", FLUX_DEV,
        ("tokenizer_2/spiece.model", "tokenizer_2/tokenizer.json", "tokenizer_2/tokenizer_config.json",
         "tokenizer_2/special_tokens_map.json"),
    ),
)  # fmt: skip
SPECS = {spec.role: spec for spec in REQUIRED}


@dataclass(frozen=True)
class KnownLayout:
    role: str
    name: str
    tiny: bool = False


def t5_single_file(layout: layouts.Layout) -> layouts.Layout:
    """The T5 encoder as one file, as ComfyUI and Forge users have it (`t5xxl_fp16.safetensors`,
    `t5xxl_fp8_e4m3fn.safetensors` from comfyanonymous/flux_text_encoders): the shard layout plus
    the tied embedding stored a second time as `encoder.embed_tokens.weight`."""
    return {**layout, "encoder.embed_tokens.weight": layout["shared.weight"]}


T5_SINGLE_FILE = QT_TRANSLATE_NOOP("models", "T5-XXL text encoder (single file)")


def _known_layouts() -> dict[str, KnownLayout]:
    known = {
        spec.layout_hash: KnownLayout(spec.role, spec.title)
        for spec in REQUIRED
        if spec.layout_hash
    }
    known[layouts.layout_hash(layouts.flux_dit(prefix=""))] = KnownLayout(
        DIT, QT_TRANSLATE_NOOP("models", "FLUX.1-dev transformer")
    )
    known[layouts.layout_hash(t5_single_file(layouts.t5_encoder()))] = KnownLayout(
        T5, T5_SINGLE_FILE
    )
    for role, layout in layouts.tiny_layouts().items():
        known[layouts.layout_hash(layout)] = KnownLayout(
            role, f"tiny random {role} (demo)", tiny=True
        )
    known[layouts.layout_hash(t5_single_file(layouts.tiny_layouts()[T5]))] = KnownLayout(
        T5, "tiny random t5, single file (demo)", tiny=True
    )
    return known


KNOWN = _known_layouts()
_T5_FULL = layouts.t5_encoder()
_T5_TINY = layouts.tiny_layouts()[T5]

_DIFFSYNTH_T5 = {
    "model_name": "flux_text_encoder_t5",
    "model_class": "diffsynth.models.flux_text_encoder_t5.FluxTextEncoderT5",
    # copies every tensor, then sets encoder.embed_tokens.weight from shared.weight: a file that
    # already holds both (the same tied values) ends with exactly the keys the model expects
    "state_dict_converter": "diffsynth.utils.state_dict_converters.flux_text_encoder_t5."
    "FluxTextEncoderT5StateDictConverter",
}


def diffsynth_variants() -> list[dict[str, str]]:
    """diffsynth MODEL_CONFIGS entries for the layouts in KNOWN that diffsynth does not list."""
    return [
        {"model_hash": layouts.layout_hash(t5_single_file(_T5_FULL)), **_DIFFSYNTH_T5},
        {
            "model_hash": layouts.layout_hash(t5_single_file(_T5_TINY)),
            **_DIFFSYNTH_T5,
            "model_class": "majicflux_desktop.engine.tiny.TinyT5TextEncoder",
        },
    ]


def register_variants_with_diffsynth() -> None:
    """Teach diffsynth the extra layouts (idempotent). Call before `from_pretrained`."""
    from diffsynth.configs import MODEL_CONFIGS  # here, not at the top: catalog stays torch-free

    present = {(c["model_hash"], c["model_name"]) for c in MODEL_CONFIGS}
    for config in diffsynth_variants():
        if (config["model_hash"], config["model_name"]) not in present:
            MODEL_CONFIGS.append(config)


# -- reading a safetensors header ------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    tensors: dict[str, tuple[str, tuple[int, ...]]]  # name -> (dtype, shape)
    data_bytes: int
    file_bytes: int
    metadata: dict[str, str] = field(default_factory=dict)
    starts: dict[str, int] = field(default_factory=dict)  # name -> its first byte in the file

    @property
    def layout(self) -> dict[str, tuple[int, ...]]:
        return {name: shape for name, (_, shape) in self.tensors.items()}

    @property
    def parameters(self) -> int:
        total = 0
        for _, shape in self.tensors.values():
            count = 1
            for dim in shape:
                count *= dim
            total += count
        return total

    def dtypes(self) -> set[str]:
        return {dtype for dtype, _ in self.tensors.values()}


def _problem(template: str, path: Path, **params: object) -> UserError:
    return UserError(Message("catalog", template, {"file": str(path), **params}))


def read_header(path: Path, *, check_suffix: bool = True) -> Header:
    """The tensor table of a .safetensors file, checked against the file's real size.

    Raises UserError (naming the file and the fix) for anything that is not a complete
    safetensors file. Reads at most the header: no weights, no code execution.
    `check_suffix=False` reads files whose name is not (yet) `.safetensors`: a download's `.part`.
    """
    path = Path(path)
    if path.is_dir():
        raise _problem(
            QT_TRANSLATE_NOOP(
                "catalog",
                "{file} is a folder, not a model file. Choose the .safetensors file inside it.",
            ),
            path,
        )
    if check_suffix and path.suffix.lower() != ".safetensors":
        raise _problem(
            QT_TRANSLATE_NOOP(
                "catalog",
                "{file} is not a .safetensors file. MajicFlux loads only .safetensors, because other "
                "model formats (.ckpt, .bin, .pt, .pth) can run code when opened. Download the "
                ".safetensors version of this model.",
            ),
            path,
        )
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            prefix = handle.read(8)
            if len(prefix) < 8:
                raise _problem(
                    QT_TRANSLATE_NOOP("catalog", "{file} is empty or cut off. Download it again."),
                    path,
                )
            (header_len,) = struct.unpack("<Q", prefix)
            if header_len > min(MAX_HEADER_BYTES, size - 8):
                raise _problem(
                    QT_TRANSLATE_NOOP(
                        "catalog",
                        "{file} is not a valid safetensors file (its header claims {claimed} bytes). "
                        "It may be another format renamed to .safetensors, or damaged. Download it again.",
                    ),
                    path,
                    claimed=header_len,
                )
            raw = handle.read(header_len)
    except FileNotFoundError:
        raise _problem(QT_TRANSLATE_NOOP("catalog", "{file} does not exist."), path) from None
    except PermissionError:
        raise _problem(
            QT_TRANSLATE_NOOP(
                "catalog",
                "{file} cannot be read (permission denied). Check the file's permissions.",
            ),
            path,
        ) from None
    try:
        table = json.loads(raw.decode("utf-8"))
        if not isinstance(table, dict):
            raise ValueError("header is not an object")
        metadata = table.pop("__metadata__", None) or {}
        tensors: dict[str, tuple[str, tuple[int, ...]]] = {}
        starts: dict[str, int] = {}
        data_end = 0
        for name, entry in table.items():
            dtype, shape, (begin, end) = (
                entry["dtype"],
                tuple(entry["shape"]),
                entry["data_offsets"],
            )
            if dtype not in SAFETENSORS_DTYPES or not all(
                isinstance(d, int) and d >= 0 for d in shape
            ):
                raise ValueError(f"bad entry {name}")
            count = 1
            for dim in shape:
                count *= dim
            if not (isinstance(begin, int) and isinstance(end, int) and 0 <= begin <= end):
                raise ValueError(f"bad offsets {name}")
            if end - begin != count * SAFETENSORS_DTYPES[dtype]:
                raise ValueError(f"size mismatch {name}")
            tensors[name] = (dtype, shape)
            starts[name] = 8 + header_len + begin
            data_end = max(data_end, end)
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError, TypeError, KeyError) as exc:
        raise _problem(
            QT_TRANSLATE_NOOP(
                "catalog",
                "{file} is not a valid safetensors file (unreadable header). It may be another "
                "format renamed to .safetensors, or damaged. Download it again.",
            ),
            path,
        ) from exc
    available = size - 8 - header_len
    if data_end > available:
        raise _problem(
            QT_TRANSLATE_NOOP(
                "catalog",
                "{file} is incomplete: {missing} short of {need}. The download was interrupted "
                "or the file was cut off while copying; download it again.",
            ),
            path,
            missing=format_bytes(data_end + 8 + header_len - size),
            need=format_bytes(data_end + 8 + header_len),
        )
    metadata = {str(k): str(v) for k, v in dict(metadata).items()}
    return Header(tensors, data_end, size, metadata, starts)


# -- what is this file? ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    path: Path
    role: str | None  # None: not a file the app can use
    name: str
    layout_hash: str
    parameters: int
    dtypes: frozenset[str]
    tiny: bool = False
    tensors: int = 0
    shard: bool = False  # one part of a model split over several files (T5)
    family: str = (
        ""  # for files we cannot use: what they look like ("SDXL checkpoint", "LoRA", ...)
    )

    @property
    def usable(self) -> bool:
        return self.role is not None


def identify(path: str | os.PathLike[str], *, check_suffix: bool = True) -> Identity:
    """What a file is, from its tensor layout alone. Raises UserError for unreadable/unsafe files."""
    path = Path(path)
    header = read_header(path, check_suffix=check_suffix)
    layout = header.layout
    digest = layouts.layout_hash(layout)
    common = dict(
        path=path,
        layout_hash=digest,
        parameters=header.parameters,
        dtypes=frozenset(header.dtypes()),
        tensors=len(layout),
    )
    known = KNOWN.get(digest)
    if known is not None:
        return Identity(role=known.role, name=known.name, tiny=known.tiny, **common)  # type: ignore[arg-type]
    for reference, tiny in ((_T5_FULL, False), (_T5_TINY, True)):
        if layout and all(reference.get(name) == shape for name, shape in layout.items()):
            return Identity(
                role=T5,
                name="T5 text encoder (part)",
                tiny=tiny,
                shard=True,
                **common,  # type: ignore[arg-type]
            )
    return Identity(role=None, name="", family=guess_family(layout), **common)  # type: ignore[arg-type]


def guess_family(layout: dict[str, tuple[int, ...]]) -> str:
    names = list(layout)
    if any("lora_" in n or ".lora." in n or n.endswith(".alpha") for n in names[:2000]):
        return QT_TRANSLATE_NOOP("catalog", "LoRA")
    if any(n.startswith("model.diffusion_model.input_blocks.") for n in names):
        if any(n.startswith("conditioner.embedders.1") for n in names):
            return QT_TRANSLATE_NOOP("catalog", "SDXL checkpoint")
        return QT_TRANSLATE_NOOP("catalog", "Stable Diffusion checkpoint")
    flux = any(
        n.startswith(("double_blocks.", "model.diffusion_model.double_blocks.")) for n in names
    )
    if flux and any(n.startswith(("text_encoders.", "vae.", "first_stage_model.")) for n in names):
        return QT_TRANSLATE_NOOP(
            "catalog", "FLUX all-in-one checkpoint (transformer, text encoders and VAE in one file)"
        )
    if flux:
        return QT_TRANSLATE_NOOP("catalog", "FLUX-type transformer with a different layout")
    if any(n.startswith("encoder.block.") for n in names):
        return QT_TRANSLATE_NOOP("catalog", "T5 text encoder with a different layout")
    if any(n.startswith("text_model.") for n in names):
        return QT_TRANSLATE_NOOP("catalog", "CLIP text encoder with a different layout")
    if any(n.startswith(("decoder.up.", "first_stage_model.")) for n in names):
        return QT_TRANSLATE_NOOP("catalog", "VAE with a different layout")
    return ""


def identity_problem(identity: Identity, expected: FileSpec) -> Message | None:
    """Why a readable file cannot serve as `expected`, or None if it can."""
    if identity.role == expected.role:
        return None
    params = {"file": str(identity.path), "expected": expected.label}
    if identity.role is not None:
        return Message(
            "catalog",
            QT_TRANSLATE_NOOP(
                "catalog", "{file} is a {found}, not the {expected}. Choose the right file."
            ),
            {**params, "found": model_name(identity.name)},
        )
    if identity.family:
        return Message(
            "catalog",
            QT_TRANSLATE_NOOP(
                "catalog",
                "{file} looks like a {family}, not the {expected}. MajicFlux needs the files listed "
                "in Model setup.",
            ),
            {**params, "family": Message("catalog", identity.family)},
        )
    return Message(
        "catalog",
        QT_TRANSLATE_NOOP(
            "catalog",
            "{file} is not a model file MajicFlux knows (layout {layout}). Expected the {expected}.",
        ),
        {**params, "layout": identity.layout_hash[:12]},
    )


# The names the required files go by on the hubs and in ComfyUI and Forge folders. A file is never
# taken for what its name says; the name only tells which file a damaged or wrong one was meant to be.
NAME_HINTS: tuple[tuple[str, str], ...] = (
    (DIT, "majicflus*.safetensors"),
    (DIT, "flux1-dev*.safetensors"),
    (DIT, "flux1_dev*.safetensors"),
    (CLIP, "clip_l*.safetensors"),
    (CLIP, "text_encoder/model.safetensors"),
    (T5, "t5xxl*.safetensors"),
    (T5, "text_encoder_2/model-*.safetensors"),
    (VAE, "ae.safetensors"),
    (VAE, "flux*vae*.safetensors"),
)


def role_by_name(path: Path) -> str | None:
    """The role a file's name (or its folder and name) promises, if it is one of NAME_HINTS."""
    names = (path.name.lower(), f"{path.parent.name}/{path.name}".lower())
    for role, pattern in NAME_HINTS:
        if any(fnmatch.fnmatchcase(name, pattern) for name in names):
            return role
    return None


def named_like_problem(identity: Identity, expected: FileSpec) -> Message:
    """A file named like `expected` whose tensors are no layout we know."""
    return Message(
        "catalog",
        QT_TRANSLATE_NOOP(
            "catalog",
            "{file} has the name of the {expected} but not its content: it holds {count} "
            "tensor(s) in a layout MajicFlux does not know. It is damaged, or another model saved "
            "under this name. Download the {expected} again ({files} from {repo}).",
        ),
        {
            "file": str(identity.path),
            "expected": expected.label,
            "count": identity.tensors,
            "files": ", ".join(expected.files),
            "repo": expected.repo,
        },
    )


def file_fingerprint(path: Path, samples: int = 16, sample_bytes: int = 65536) -> str:
    """A cheap identity of a weights file: sha256 over its size, header and sampled data blocks.

    Full hashes of 12 GB take minutes; this takes milliseconds and tells fine-tunes of the same
    layout apart. Recorded in every image's metadata as the model hash.
    """
    digest = hashlib.sha256()
    size = path.stat().st_size
    digest.update(str(size).encode())
    with open(path, "rb") as handle:
        digest.update(handle.read(1 << 20))
        for index in range(samples):
            handle.seek(size * index // samples)
            digest.update(handle.read(sample_bytes))
    return digest.hexdigest()[:12]
