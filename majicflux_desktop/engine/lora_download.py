"""Download a LoRA into a LoRA folder: by ModelScope model id, or by the address of a file.

`lora_address.parse_address` understands what the user typed (no network). `look_up` asks the
hub for the repository's `.safetensors` files (sizes and SHA-256, the listing the model download
reads) or asks the server of a link for the file's name and size. `plan` chooses the file's name
in the folder; `fetch` runs the model download's Downloader on it (the resumable `.part`,
retries, progress, the size and hash checks) and then reads the file as a LoRA
(lora_files.identify). A file MajicFlux cannot use is deleted again, and why is the error.
`download` does all four, as the command line and the window do.

Network is touched only by `look_up` and `fetch`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import os
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.engine import lora_files, lora_keys
from majicflux_desktop.engine.download import Downloader, DownloadPlan
from majicflux_desktop.engine.hub import (
    HubClient,
    NotFound,
    RangeRefused,
    RemoteFile,
    Source,
    direct,
    modelscope,
    token_from_environment,
)
from majicflux_desktop.engine.lora_address import (
    CTX,
    EXAMPLE_ID,
    SUFFIX,
    UNSAFE_SUFFIXES,
    LoraAddress,
    check_suffix,
    error,
    parse_address,
)
from majicflux_desktop.engine.lora_files import LoraFile
from majicflux_desktop.engine.planned import PlannedFile
from majicflux_desktop.engine.transfer import (
    DownloadControl,
    PartFile,
    ProgressCallback,
    RetryPolicy,
    with_retries,
)

ROLE = "lora"  # a PlannedFile's role: none of Model setup's
# asking for a listing: a wrong address should not take the half minute a transfer may wait
LOOK_UP_RETRY = RetryPolicy(attempts=3)
MAX_NAMESAKES = 99


# -- what is there -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoraOffer:
    """The `.safetensors` files an address offers (a link: one), each with its size and, from a
    hub, its SHA-256."""

    address: LoraAddress
    source: Source
    files: tuple[RemoteFile, ...]
    url: str = ""  # a link's own address; "" for a hub's repository

    @property
    def origin(self) -> str:
        """The repository, or the address: what the `.part`'s sidecar and messages name."""
        return self.url or self.address.repo

    def pick(self, path: str = "") -> RemoteFile:
        """The file named (by its path or its name), or the only one; UserError if several."""
        if path:
            for file in self.files:
                if path in (file.path, file.path.rsplit("/", 1)[-1]):
                    return file
            raise _missing_file(self, path)
        if len(self.files) == 1:
            return self.files[0]
        raise error(
            QT_TRANSLATE_NOOP(
                "loras",
                "{repo} holds {count} LoRA files: {names}. Name the one to download after the "
                "model id, for example {example}.",
            ),
            repo=self.address.repo,
            count=len(self.files),
            names=", ".join(f.path for f in self.files),
            example=f"{self.address.repo}/{self.files[0].path}",
        )


def look_up(
    address: LoraAddress,
    control: DownloadControl | None = None,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] | None = None,
) -> LoraOffer:
    """Ask the hub for the repository's `.safetensors` files, or the link's server for its file."""
    control = control or DownloadControl()
    retry = retry or LOOK_UP_RETRY
    sleep = sleep or control.sleep
    if address.url:
        return _probe(address, control, retry, sleep)
    source = address.hub or modelscope()
    client = HubClient(source, token_from_environment(source), connections=control.connections)
    try:
        listing = with_retries(
            functools.partial(client.list_files, address.repo), retry, sleep, source.host
        )
    except NotFound as exc:
        raise UserError(
            Message(
                CTX,
                QT_TRANSLATE_NOOP(
                    "loras",
                    "There is no model {repo} on {source}. Check the model id: the owner and the "
                    "name as the model's page shows them, for example {example}.",
                ),
                {"repo": address.repo, "source": source.name, "example": EXAMPLE_ID},
            ),
            exc.detail,
        ) from None
    offer = LoraOffer(address, source, _offered(address, source, listing))
    if address.path:
        return dataclasses.replace(offer, files=(offer.pick(address.path),))
    return offer


def _offered(
    address: LoraAddress, source: Source, listing: dict[str, RemoteFile]
) -> tuple[RemoteFile, ...]:
    files = sorted(listing.values(), key=lambda f: f.path)
    usable = tuple(f for f in files if f.path.lower().endswith(SUFFIX))
    if usable:
        return usable
    unsafe = [f.path for f in files if f.path.lower().endswith(UNSAFE_SUFFIXES)]
    if unsafe:
        raise error(
            QT_TRANSLATE_NOOP(
                "loras",
                "{repo} holds no .safetensors file, only {names}. MajicFlux loads LoRAs only "
                "from .safetensors files, because other formats (.ckpt, .pt, .bin) can run code "
                "when they are opened; look for a .safetensors version of this LoRA.",
            ),
            repo=address.repo,
            names=", ".join(unsafe),
        )
    raise error(
        QT_TRANSLATE_NOOP(
            "loras",
            "{repo} on {source} holds no LoRA file (.safetensors); its files: {names}. Check the "
            "model id.",
        ),
        repo=address.repo,
        source=source.name,
        names=", ".join(f.path for f in files) or "—",
    )


def _missing_file(offer: LoraOffer, path: str) -> UserError:
    return error(
        QT_TRANSLATE_NOOP(
            "loras",
            "There is no file {path} in {repo} on {source}. Its LoRA files: {names}.",
        ),
        path=path,
        repo=offer.address.repo,
        source=offer.source.name,
        names=", ".join(f.path for f in offer.files) or "—",
    )


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: Any
    final_url: str


def _probe(
    address: LoraAddress,
    control: DownloadControl,
    retry: RetryPolicy,
    sleep: Callable[[float], None],
) -> LoraOffer:
    """The file behind a link: its name and size, from the headers of a one-byte request."""
    url = address.url
    source = direct(url)
    client = HubClient(source, connections=control.connections)

    def ask() -> _Answer:
        with client.open(url, {"Range": "bytes=0-0"}, repo=url) as response:
            return _Answer(response.status, response.headers, response.geturl())

    try:
        answer = with_retries(ask, retry, sleep, source.host)
    except RangeRefused:
        raise error(
            QT_TRANSLATE_NOOP("loras", "{url} is an empty file. Check the address."), url=url
        ) from None
    content_type = (answer.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type in ("text/html", "application/xhtml+xml"):
        raise error(
            QT_TRANSLATE_NOOP(
                "loras",
                "{url} is a web page, not a file. On that page, copy the link of the .safetensors "
                "file itself (often its Download button) and paste that.",
            ),
            url=url,
        )
    name = _file_name(url, answer)
    check_suffix(name)
    size = _announced_size(answer)
    if size is None:
        raise error(
            QT_TRANSLATE_NOOP(
                "loras",
                "{host} does not say how large {name} is, so MajicFlux can neither check the "
                "download nor continue it after an interruption. Download it with a web browser "
                "and copy it into the LoRA folder.",
            ),
            host=source.host,
            name=name,
        )
    return LoraOffer(address, source, (RemoteFile(name, size),), url=url)


def _file_name(url: str, answer: _Answer) -> str:
    """The name the server gives (Content-Disposition), else the link's, else the final URL's."""
    given = answer.headers.get_filename() if hasattr(answer.headers, "get_filename") else None
    names = [
        str(given or ""),
        *(urllib.parse.unquote(urllib.parse.urlsplit(u).path).rsplit("/", 1)[-1]
          for u in (url, answer.final_url)),
    ]  # fmt: skip
    names = [n for n in names if n]
    return next((n for n in names if n.lower().endswith(SUFFIX)), names[0] if names else "")


def _announced_size(answer: _Answer) -> int | None:
    match = re.fullmatch(r"\s*bytes\s+\d+-\d+/(\d+)\s*", answer.headers.get("Content-Range") or "")
    if answer.status == 206 and match:
        return int(match.group(1))
    length = answer.headers.get("Content-Length") or ""
    return int(length) if answer.status == 200 and length.isdigit() else None


# -- where it goes, and fetching it ------------------------------------------------------------------


def safe_name(path: str) -> str:
    """The file's name in the LoRA folder: its own, less what Windows does not allow in a name."""
    name = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", path.replace("\\", "/").rsplit("/", 1)[-1])
    return name.strip().rstrip(". ") or "lora" + SUFFIX


def plan(offer: LoraOffer, file: RemoteFile, folder: str | os.PathLike[str]) -> DownloadPlan:
    """Where `file` goes in `folder`: its own name, or `name-2…` if a different file has it.

    The same file already there (size, and the hub's SHA-256 where there is one) is `present`;
    a `.part` left by an earlier try of the same file is continued.
    """
    folder = Path(folder)
    name = safe_name(file.path)
    stem, suffix = name[: -len(SUFFIX)], name[-len(SUFFIX) :]
    for number in range(1, MAX_NAMESAKES + 1):
        target = folder / (name if number == 1 else f"{stem}-{number}{suffix}")
        planned = PlannedFile(
            ROLE, offer.origin, file.path, offer.source, file, target, url=offer.url
        )
        if target.exists():
            if _same(target, file):
                return DownloadPlan(folder, offer.source, (dataclasses.replace(planned, present=True),))  # fmt: skip
            continue
        if planned.state_file.exists() and not PartFile.state_matches(planned):
            continue  # another file's interrupted download: not ours to start over
        return DownloadPlan(folder, offer.source, (planned,))
    raise error(
        QT_TRANSLATE_NOOP(
            "loras",
            "{folder} already holds {count} other files named like {name}. Move some of them "
            "away and download again.",
        ),
        folder=str(folder),
        count=MAX_NAMESAKES,
        name=name,
    )


def _same(target: Path, file: RemoteFile) -> bool:
    try:
        if not target.is_file() or target.stat().st_size != file.size:
            return False
        if not file.sha256:
            return True
        digest = hashlib.sha256()
        with open(target, "rb") as handle:
            while block := handle.read(8 << 20):
                digest.update(block)
        return digest.hexdigest() == file.sha256.lower()
    except OSError:
        return False


@dataclass(frozen=True)
class DownloadedLora:
    path: Path
    lora: LoraFile  # as the LoRA folders list it: usable
    already_there: bool = False  # nothing was downloaded: the same file was in the folder


def fetch(
    download: DownloadPlan,
    *,
    on_progress: ProgressCallback | None = None,
    control: DownloadControl | None = None,
    tiny: bool = False,
    chunk_bytes: int = 1 << 20,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] | None = None,
) -> DownloadedLora:
    """Download the plan's file (unless it is there) and check that it is a usable LoRA.

    `tiny`: the tiny test transformer's LoRAs count as usable too (the demo's folder).
    """
    (file,) = download.files
    if not file.present:
        Downloader(
            download,
            token=token_from_environment(download.source),
            on_progress=on_progress,
            control=control,
            retry=retry,
            sleep=sleep,
            chunk_bytes=chunk_bytes,
        ).run()
    lora = identify(file.target, tiny)
    if lora.problem is None:
        return DownloadedLora(file.target, lora, file.present)
    reason = Message(lora.problem.context, lora.problem.template, {**lora.problem.params, "file": file.target.name})  # fmt: skip
    if file.present:  # the user's own file: theirs to keep
        raise error(
            QT_TRANSLATE_NOOP(
                "loras",
                "{file} is already in the LoRA folder, but MajicFlux cannot use it: {reason}",
            ),
            file=str(file.target),
            reason=reason,
        )
    with contextlib.suppress(OSError):
        file.target.unlink()
    raise error(
        QT_TRANSLATE_NOOP(
            "loras", "{name} was downloaded but cannot be used, so it was deleted again. {reason}"
        ),
        name=file.target.name,
        reason=reason,
    )


def identify(path: Path, tiny: bool = False) -> LoraFile:
    """The file as a FLUX.1 LoRA; with `tiny`, one for the tiny test transformer will do too."""
    found = lora_files.identify(path, lora_keys.FLUX)
    if found.ok or not tiny:
        return found
    small = lora_files.identify(path, lora_keys.TINY)
    return small if small.ok else found


def download(
    text: str,
    folder: str | os.PathLike[str],
    *,
    on_planned: Callable[[DownloadPlan], None] | None = None,
    on_progress: ProgressCallback | None = None,
    control: DownloadControl | None = None,
    tiny: bool = False,
    chunk_bytes: int = 1 << 20,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] | None = None,
) -> DownloadedLora:
    """What the user typed, looked up, planned into `folder`, fetched and checked as a LoRA.

    `on_planned` is told the plan (the file's name, size and what an earlier try left) before a
    byte of it is fetched.
    """
    control = control or DownloadControl()
    address = parse_address(text)
    offer = look_up(address, control, sleep=sleep)
    planned = plan(offer, offer.pick(), folder)
    if on_planned is not None:
        on_planned(planned)
    return fetch(
        planned,
        on_progress=on_progress,
        control=control,
        tiny=tiny,
        chunk_bytes=chunk_bytes,
        retry=retry,
        sleep=sleep,
    )
