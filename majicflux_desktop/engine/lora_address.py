"""What the user typed to download a LoRA, understood without the network.

A ModelScope model id (`owner/name`, or `owner/name/file.safetensors` to name one of several
files), a ModelScope or Hugging Face page or file link, or any `https://…/x.safetensors` link.
Only `.safetensors` is ever accepted: a pickle (.ckpt, .pt, .bin) can run code when opened.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.engine.hub import HUGGINGFACE, MODELSCOPE, Source

CTX = "loras"
SUFFIX = ".safetensors"
UNSAFE_SUFFIXES = (".ckpt", ".pt", ".pth", ".bin", ".pkl", ".pickle")
EXAMPLE_ID = "DonRat/MAJICFLUS_SuperChinesestyleheongsam"
_NAME = r"[A-Za-z0-9][A-Za-z0-9_.\-]*"
_MODEL_ID = re.compile(rf"({_NAME}/{_NAME})(?:/(.+))?")
_HOSTS_WITHOUT_SCHEME = (
    "modelscope.cn/",
    "www.modelscope.cn/",
    "huggingface.co/",
    "hf-mirror.com/",
)


def error(template: str, **params: Any) -> UserError:
    return UserError(Message(CTX, template, params))


# -- what the user typed ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LoraAddress:
    text: str  # as typed
    repo: str = ""  # a hub repository, "owner/name"
    path: str = ""  # a file in it, when one is named
    url: str = ""  # or a file's own address
    hub: Source | None = None  # the repository's hub; None: ModelScope (MODELSCOPE_ENDPOINT)


def parse_address(text: str) -> LoraAddress:
    """A ModelScope model id or a web address, understood without the network (UserError if not)."""
    typed = text.strip().strip("\"'“”‘’").strip()
    if not typed:
        raise error(
            QT_TRANSLATE_NOOP(
                "loras",
                "Type a ModelScope model id (owner/name, for example {example}) or paste the "
                "address of a .safetensors file.",
            ),
            example=EXAMPLE_ID,
        )
    if typed.lower().startswith(_HOSTS_WITHOUT_SCHEME):
        typed = "https://" + typed
    if re.match(r"(?i)[a-z][a-z0-9+.\-]*://", typed):
        return _parse_url(typed)
    match = _MODEL_ID.fullmatch(typed.rstrip("/"))
    if match is None or "\\" in typed or ".." in typed.split("/"):
        raise error(
            QT_TRANSLATE_NOOP(
                "loras",
                "“{text}” is neither a ModelScope model id nor a web address. A model id is the "
                "owner and the name as the model's page shows them, for example {example}; an "
                "address starts with https://. A LoRA file already on this computer needs no "
                "download: copy it into the LoRA folder.",
            ),
            text=typed,
            example=EXAMPLE_ID,
        )
    address = LoraAddress(text, match.group(1), match.group(2) or "")
    if address.path:
        check_suffix(address.path)
    return address


def _parse_url(url: str) -> LoraAddress:
    try:
        parts = urllib.parse.urlsplit(url)
        _ = parts.port  # a port that is not a number raises here, not on the first request
    except ValueError as exc:
        raise _bad_url(url, str(exc)) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise _bad_url(url, parts.scheme or "—")
    host = parts.hostname.lower()
    segments = [urllib.parse.unquote(s) for s in parts.path.split("/") if s]
    query = dict(urllib.parse.parse_qsl(parts.query))
    origin = f"{parts.scheme}://{parts.netloc}"
    found: LoraAddress | None = None
    if "modelscope" in host:
        found = _modelscope_url(url, segments, query, Source(MODELSCOPE, origin, "ModelScope"))
    elif host in ("huggingface.co", "hf-mirror.com"):
        name = "Hugging Face" if host == "huggingface.co" else host
        found = _huggingface_url(url, segments, Source(HUGGINGFACE, origin, name))
    if found is None:
        found = LoraAddress(url, url=url)
        name = segments[-1] if segments else ""
        if name.lower().endswith(UNSAFE_SUFFIXES):
            check_suffix(name)
    elif found.path:
        check_suffix(found.path)
    return found


def _modelscope_url(
    url: str, segments: list[str], query: dict[str, str], hub: Source
) -> LoraAddress | None:
    """Its pages (`/models/owner/name[/files|/file/view/master/PATH|/resolve/master/PATH]`) and
    the file API (`/api/v1/models/owner/name/repo?FilePath=PATH`)."""
    if segments[:3] == ["api", "v1", "models"]:
        segments = segments[2:]
    if len(segments) < 3 or segments[0] != "models":
        return None
    repo = "/".join(segments[1:3])
    rest = segments[3:]
    path = query.get("FilePath") or query.get("fileName") or ""
    if not path and rest[:1] == ["resolve"] and len(rest) >= 3:
        path = "/".join(rest[2:])
    elif not path and rest[:2] == ["file", "view"] and len(rest) >= 4:
        path = "/".join(rest[3:])
    return LoraAddress(url, repo, path, hub=hub)


def _huggingface_url(url: str, segments: list[str], hub: Source) -> LoraAddress | None:
    """A repository page (`/owner/name[/tree/main]`) or a file (`…/blob|resolve/main/PATH`)."""
    if len(segments) < 2 or segments[0] in ("api", "datasets", "spaces"):
        return None
    repo = "/".join(segments[:2])
    rest = segments[2:]
    path = "/".join(rest[2:]) if len(rest) >= 3 and rest[0] in ("blob", "resolve") else ""
    return LoraAddress(url, repo, path, hub=hub)


def _bad_url(url: str, reason: str) -> UserError:
    return error(
        QT_TRANSLATE_NOOP(
            "loras",
            "{url} is not a valid web address ({reason}). Copy the download link again; it "
            "starts with https://.",
        ),
        url=url,
        reason=reason,
    )


def check_suffix(name: str) -> None:
    if not name.lower().endswith(SUFFIX):
        raise not_safetensors(name)


def not_safetensors(name: str) -> UserError:
    return error(
        QT_TRANSLATE_NOOP(
            "loras",
            "{name} is not a .safetensors file. MajicFlux loads LoRAs only from .safetensors "
            "files, because other formats (.ckpt, .pt, .bin) can run code when they are opened; "
            "look for the .safetensors version of this LoRA.",
        ),
        name=name.rsplit("/", 1)[-1],
    )
