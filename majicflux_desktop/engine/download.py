"""Download the required model files from ModelScope (default), Hugging Face or a mirror of it.

Everything on the wire is plain HTTP(S) through urllib: a file listing (sizes and the hashes the
hub publishes), then one stream per file with `Range` to continue. The hub clients (modelscope,
huggingface_hub) are not used for transfers: neither offers pause, a progress callback with
bytes, or a resumable `.part` we can verify before it gets its real name, and both pull in their
own caches. Their URL shapes are what we follow:

- ModelScope (modelscope_hub/_legacy_api.py `list_repo_files`, `get_download_url`):
  `{endpoint}/api/v1/models/{repo}/repo/files?Revision=master&Recursive=True` lists
  `Data.Files[]` with `Path`, `Type`, `Size`, `Sha256`; a file is
  `{endpoint}/api/v1/models/{repo}/repo?Revision=master&FilePath={path}` (a redirect to a CDN).
- Hugging Face and mirrors (huggingface_hub/hf_api.py `list_repo_tree`, file_download.py
  `hf_hub_url`): `{endpoint}/api/models/{repo}/tree/main?recursive=true` lists `path`, `size`,
  `oid` (git blob sha1) and `lfs.oid` (sha256), paged by `Link: rel="next"`; a file is
  `{endpoint}/{repo}/resolve/main/{path}`.

Network is touched only by `fetch_plan` and `Downloader.run`, never at import.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import http.client
import json
import os
import re
import shutil
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from majicflux_desktop import __version__
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.core.paths import atomic_write_bytes
from majicflux_desktop.engine import catalog, layouts

CTX = "download"
MODELSCOPE, HUGGINGFACE = "modelscope", "huggingface"  # the two API shapes
HF_MIRROR = "https://hf-mirror.com"
# majicflus_v1 is published on ModelScope only; from a Hugging Face source it still comes from there
ON_HUGGINGFACE = frozenset({catalog.FLUX_DEV})
SPACE_MARGIN = 256 * 1024 * 1024  # headroom beyond the files themselves
T = TypeVar("T")


def _msg(template: str, **params: Any) -> Message:
    return Message(CTX, template, params)


# -- sources ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    api: str  # MODELSCOPE or HUGGINGFACE: which URL shapes the endpoint speaks
    endpoint: str  # base URL, no trailing slash
    name: str  # what the user is shown

    @property
    def revision(self) -> str:
        return "master" if self.api == MODELSCOPE else "main"

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.endpoint).netloc

    def page(self, repo: str) -> str:
        """Where a person accepts a repository's terms (always the original site, not a mirror)."""
        if self.api == MODELSCOPE:
            return f"https://modelscope.cn/models/{repo}"
        return f"https://huggingface.co/{repo}"


def modelscope() -> Source:
    endpoint = os.environ.get("MODELSCOPE_ENDPOINT") or "https://modelscope.cn"
    return Source(MODELSCOPE, endpoint.rstrip("/"), "ModelScope")


def huggingface() -> Source:
    # HF_ENDPOINT is how users in mainland China point every Hugging Face tool at a mirror
    endpoint = (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")
    name = "Hugging Face" if endpoint == "https://huggingface.co" else _host_of(endpoint)
    return Source(HUGGINGFACE, endpoint, name)


def parse_source(text: str) -> Source:
    """`modelscope`, `huggingface`, `hf-mirror`, or a base URL of a Hugging Face-style mirror."""
    word = text.strip().lower()
    if word in ("", "modelscope", "ms"):
        return modelscope()
    if word in ("huggingface", "hf"):
        return huggingface()
    if word == "hf-mirror":
        return Source(HUGGINGFACE, HF_MIRROR, "hf-mirror.com")
    parts = urllib.parse.urlsplit(text.strip())
    if parts.scheme in ("http", "https") and parts.netloc:
        api = MODELSCOPE if "modelscope" in (parts.hostname or "") else HUGGINGFACE
        return Source(api, text.strip().rstrip("/"), parts.netloc)
    raise UserError(
        _msg(
            QT_TRANSLATE_NOOP(
                "download",
                "Unknown download source {source}. Use modelscope, huggingface, hf-mirror, or the "
                "address of a Hugging Face mirror starting with https://.",
            ),
            source=text,
        )
    )


def _host_of(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc


# -- talking to a hub ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoteFile:
    path: str
    size: int
    sha256: str | None = None  # published for LFS files (both hubs) and all ModelScope files
    git_sha1: str | None = None  # Hugging Face's blob id of a file kept in git itself


class _Transient(Exception):
    """A failure worth another try: a dropped connection, a timeout, HTTP 5xx or 429."""


class _RangeRefused(Exception):
    """HTTP 416: the server has nothing after the offset we asked for."""


class _SameHostAuth(urllib.request.HTTPRedirectHandler):
    """Follows redirects, sending the token only to the host it was given for.

    Both hubs redirect a download to a CDN with a signed URL: a token sent there leaks, and some
    storage services refuse a request that carries two kinds of authorisation.
    """

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and _host_of(newurl) != _host_of(req.full_url):
            for name in ("Authorization", "Cookie"):
                new.remove_header(name)
        return new


class HubClient:
    """One source's URL shapes, its file listing and file streams, and what its errors mean."""

    def __init__(self, source: Source, token: str | None = None, timeout_s: float = 30.0):
        self.source = source
        self.token = (token or "").strip() or None
        self.timeout_s = timeout_s
        self._opener = urllib.request.build_opener(_SameHostAuth())

    def listing_url(self, repo: str) -> str:
        rev = urllib.parse.quote(self.source.revision, safe="")
        if self.source.api == MODELSCOPE:
            return f"{self.source.endpoint}/api/v1/models/{repo}/repo/files?Revision={rev}&Recursive=True"
        return f"{self.source.endpoint}/api/models/{repo}/tree/{rev}?recursive=true"

    def file_url(self, repo: str, path: str) -> str:
        if self.source.api == MODELSCOPE:
            rev = urllib.parse.quote_plus(self.source.revision)
            return (
                f"{self.source.endpoint}/api/v1/models/{repo}/repo"
                f"?Revision={rev}&FilePath={urllib.parse.quote_plus(path)}"
            )
        rev = urllib.parse.quote(self.source.revision, safe="")
        return f"{self.source.endpoint}/{repo}/resolve/{rev}/{urllib.parse.quote(path)}"

    def list_files(self, repo: str) -> dict[str, RemoteFile]:
        url: str | None = self.listing_url(repo)
        entries: list[dict[str, Any]] = []
        while url is not None:
            with self.open(url, repo=repo) as response:
                try:
                    body = json.loads(response.read().decode("utf-8"))
                except (ValueError, OSError, http.client.HTTPException) as exc:
                    # a proxy's or captive portal's page instead of the listing
                    raise _Transient(f"no file listing from {self.source.host}") from exc
                url = _next_page(response.headers.get("Link", ""), url)
            entries.extend(_listing_entries(body, self.source.api))
        files = [_remote_file(entry, self.source.api) for entry in entries]
        return {f.path: f for f in files if f is not None}

    def open(
        self, url: str, headers: dict[str, str] | None = None, *, repo: str = "", path: str = ""
    ) -> http.client.HTTPResponse:
        request = urllib.request.Request(url, headers=self._headers(headers or {}))
        try:
            response = self._opener.open(request, timeout=self.timeout_s)
        except urllib.error.HTTPError as exc:
            with contextlib.closing(exc):
                raise self._problem(exc, repo, path) from None
        except (OSError, http.client.HTTPException) as exc:
            raise _Transient(_reason(exc)) from exc
        return response

    def _headers(self, extra: dict[str, str]) -> dict[str, str]:
        headers = {"User-Agent": f"majicflux-desktop/{__version__}", "Accept-Encoding": "identity"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
            if self.source.api == MODELSCOPE:
                headers["Cookie"] = f"m_session_id={self.token}"  # ModelScope's older endpoints
        return {**headers, **extra}

    def _problem(self, exc: urllib.error.HTTPError, repo: str, path: str) -> Exception:
        status = exc.code
        if status == 416:
            return _RangeRefused()
        if status in (408, 425, 429) or status >= 500:
            return _Transient(f"HTTP {status} {exc.reason}")
        # Hugging Face answers 401 for a missing repository too; its error code tells them apart
        not_found = status == 404 or exc.headers.get("X-Error-Code") in (
            "RepoNotFound",
            "EntryNotFound",
        )
        if status in (401, 403) and not not_found:
            return UserError(self._access_message(status, repo), f"HTTP {status} {exc.url}")
        if not_found:
            return UserError(
                _msg(
                    QT_TRANSLATE_NOOP(
                        "download",
                        "{what} was not found on {source} (HTTP {status}). The repository may "
                        "have moved or been renamed; try another source.",
                    ),
                    what=f"{repo}/{path}" if path else repo,
                    source=self.source.name,
                    status=status,
                ),
                exc.url,
            )
        return UserError(
            _msg(
                QT_TRANSLATE_NOOP(
                    "download", "{source} answered HTTP {status} ({reason}) for {url}."
                ),
                source=self.source.name,
                status=status,
                reason=exc.reason,
                url=exc.url,
            )
        )

    def _access_message(self, status: int, repo: str) -> Message:
        page = self.source.page(repo)
        if self.source.api == MODELSCOPE:
            template = QT_TRANSLATE_NOOP(
                "download",
                "ModelScope refused access to {repo} (HTTP {status}). Sign in at {page}, accept the "
                "model's terms if the page asks you to, then paste a ModelScope access token "
                "(Account settings, Access Token) into the token field.",
            )
        elif self.token is None:
            template = QT_TRANSLATE_NOOP(
                "download",
                "{repo} on Hugging Face is a gated repository: its authors ask everyone to accept "
                "their licence (for FLUX.1-dev, the FLUX.1 [dev] Non-Commercial License) before "
                "downloading. To download it from Hugging Face: sign in at {page}, accept the "
                "licence on that page, create an access token with read access (Settings, Access "
                "Tokens) and paste it into the token field. Or download from ModelScope, which "
                "needs neither.",
            )
        else:
            template = QT_TRANSLATE_NOOP(
                "download",
                "Hugging Face refused your token for {repo} (HTTP {status}). Open {page} with the "
                "account that made the token and accept the licence there, and check that the "
                "token has read access. Or download from ModelScope, which needs no token.",
            )
        return _msg(template, repo=repo, status=status, page=page)


def _next_page(link_header: str, current: str) -> str | None:
    match = re.search(r'<([^>]+)>\s*;\s*rel="?next"?', link_header)
    return urllib.parse.urljoin(current, match.group(1)) if match else None


def _listing_entries(body: Any, api: str) -> list[dict[str, Any]]:
    if isinstance(body, dict) and body.get("Success") is False:  # ModelScope's error envelope
        raise UserError(
            _msg(
                QT_TRANSLATE_NOOP("download", "The hub refused the file list: {reason}"),
                reason=str(body.get("Message") or body.get("Code")),
            )
        )
    if api == MODELSCOPE and isinstance(body, dict):
        data = body.get("Data", body)
        body = data.get("Files") or data.get("files") or [] if isinstance(data, dict) else data
    if not isinstance(body, list):
        raise _Transient("the file listing is not a list")
    return [entry for entry in body if isinstance(entry, dict)]


def _remote_file(entry: dict[str, Any], api: str) -> RemoteFile | None:
    try:
        return _parse_entry(entry, api)
    except (KeyError, TypeError, ValueError):
        return None  # an entry without a usable size: reported as missing if it is one of ours


def _parse_entry(entry: dict[str, Any], api: str) -> RemoteFile | None:
    if api == MODELSCOPE:
        if entry.get("Type", "blob") == "tree":
            return None
        path = entry.get("Path") or entry.get("Name")
        return (
            RemoteFile(str(path), int(entry["Size"]), entry.get("Sha256") or None) if path else None
        )
    if entry.get("type") != "file" or "path" not in entry:
        return None
    lfs = entry.get("lfs") or {}
    if lfs.get("oid"):
        return RemoteFile(entry["path"], int(entry["size"]), str(lfs["oid"]))
    return RemoteFile(entry["path"], int(entry["size"]), git_sha1=entry.get("oid") or None)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


# -- the plan: what comes from where, and where it goes -----------------------------------------------


@dataclass(frozen=True)
class PlannedFile:
    role: str
    repo: str
    path: str  # inside the repository; also the path under <models_dir>/<repo>/
    source: Source
    remote: RemoteFile
    target: Path
    present: bool = False  # complete on disk before the download started

    @property
    def size(self) -> int:
        return self.remote.size

    @property
    def part(self) -> Path:
        return self.target.with_name(self.target.name + ".part")

    @property
    def state_file(self) -> Path:
        return self.target.with_name(self.target.name + ".part.json")

    @property
    def corrupt(self) -> Path:
        return self.target.with_name(self.target.name + ".corrupt")

    @property
    def title(self) -> str:
        return catalog.SPECS[self.role].title


@dataclass(frozen=True)
class DownloadPlan:
    models_dir: Path
    source: Source  # the one the user chose; a token is sent to it only
    files: tuple[PlannedFile, ...]
    notes: tuple[Message, ...] = ()

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def remaining_bytes(self) -> int:
        """Still to transfer: parts already on disk count as had."""
        return sum(f.size - _part_size(f) for f in self.files if not f.present)

    def free_bytes(self) -> int:
        return shutil.disk_usage(_existing_ancestor(self.models_dir)).free

    def check_space(self) -> None:
        free, needed = self.free_bytes(), self.remaining_bytes
        if needed and needed + SPACE_MARGIN > free:
            raise UserError(
                _msg(
                    QT_TRANSLATE_NOOP(
                        "download",
                        "Not enough free space: the download needs {need} more, and the drive "
                        "holding {folder} has {free} free. Free up {short}, or choose a models "
                        "folder on another drive.",
                    ),
                    need=format_bytes(needed),
                    free=format_bytes(free),
                    short=format_bytes(needed + SPACE_MARGIN - free),
                    folder=str(self.models_dir),
                )
            )


def _existing_ancestor(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _part_size(file: PlannedFile) -> int:
    if not _PartFile.state_matches(file):
        return 0
    with contextlib.suppress(OSError):
        return min(file.part.stat().st_size, file.size)
    return 0


def format_bytes(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(count) < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GB"


def fetch_plan(
    models_dir: str | os.PathLike[str],
    source: Source | None = None,
    token: str | None = None,
    roles: Iterable[str] | None = None,
    fallback: Source | None = None,
    retry: RetryPolicy | None = None,
    control: DownloadControl | None = None,
    sleep: Callable[[float], None] | None = None,
) -> DownloadPlan:
    """Ask the hub(s) what the required files are (sizes, hashes) and see what is on disk already.

    `roles` limits the plan (e.g. only the tokenizers a ComfyUI folder lacks). Files of a
    repository the source does not carry come from `fallback` (ModelScope), with a note.
    `control` lets the UI cancel while the listing is being retried.
    """
    sleep = sleep or (control or DownloadControl()).sleep
    models_dir = Path(models_dir)
    source = source or modelscope()
    fallback = fallback or modelscope()
    wanted = set(roles) if roles is not None else {spec.role for spec in catalog.REQUIRED}
    unknown = wanted - set(catalog.SPECS)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    clients = {source: HubClient(source, token)}
    listings: dict[tuple[Source, str], dict[str, RemoteFile]] = {}
    files: list[PlannedFile] = []
    notes: list[Message] = []
    for spec in catalog.REQUIRED:
        if spec.role not in wanted:
            continue
        origin = source
        if source.api == HUGGINGFACE and spec.repo not in ON_HUGGINGFACE:
            origin = fallback
            notes.append(_fallback_note(spec, source, fallback))
        client = clients.setdefault(origin, HubClient(origin))
        key = (origin, spec.repo)
        if key not in listings:
            listing = functools.partial(client.list_files, spec.repo)
            listings[key] = _with_retries(listing, retry or RetryPolicy(), sleep, origin.host)
        for path in spec.files:
            remote = listings[key].get(path)
            if remote is None:
                raise UserError(
                    _msg(
                        QT_TRANSLATE_NOOP(
                            "download",
                            "{path} is not in {repo} on {source} any more. The repository has "
                            "changed; try another source or update MajicFlux.",
                        ),
                        path=path,
                        repo=spec.repo,
                        source=origin.name,
                    )
                )
            target = models_dir.joinpath(*spec.repo.split("/"), *path.split("/"))
            planned = PlannedFile(spec.role, spec.repo, path, origin, remote, target)
            files.append(replace(planned, present=_already_there(planned)))
    return DownloadPlan(models_dir, source, tuple(files), tuple(notes))


def _fallback_note(spec: catalog.FileSpec, source: Source, fallback: Source) -> Message:
    return _msg(
        QT_TRANSLATE_NOOP(
            "download", "{repo} is not published on {source}; its files come from {fallback}."
        ),
        repo=spec.repo,
        source=source.name,
        fallback=fallback.name,
    )


SMALL_FILE = 16 << 20  # re-hashed when found on disk; weights are only size- and layout-checked


def _already_there(file: PlannedFile) -> bool:
    """Complete on disk: right size and layout; small files also the right hash."""
    try:
        if file.target.stat().st_size != file.size:
            return False
        if file.role in catalog.WEIGHT_ROLES:
            return catalog.identify(file.target).role == file.role
        if file.size <= SMALL_FILE:
            return _hashes_match(file, file.target.read_bytes())
    except (OSError, UserError):
        return False
    return True


def _hashes_match(file: PlannedFile, data: bytes) -> bool:
    remote = file.remote
    if remote.sha256 and hashlib.sha256(data).hexdigest() != remote.sha256.lower():
        return False
    if remote.git_sha1:
        blob = hashlib.sha1(f"blob {len(data)}\0".encode() + data, usedforsecurity=False)
        return blob.hexdigest() == remote.git_sha1.lower()
    return True


# -- progress, control, retries --------------------------------------------------------------------


class FileState(str, Enum):
    WAITING = "waiting"
    PRESENT = "present"  # was complete on disk before the download started
    DOWNLOADING = "downloading"
    PAUSED = "paused"
    RETRYING = "retrying"
    VERIFYING = "verifying"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class FileProgress:
    file: PlannedFile
    state: FileState
    done_bytes: int

    @property
    def fraction(self) -> float:
        return 1.0 if self.file.size == 0 else self.done_bytes / self.file.size


@dataclass(frozen=True)
class Progress:
    """One snapshot, pushed to `on_progress` (at most every `report_every_s`, and on each change)."""

    files: tuple[FileProgress, ...]
    current: int | None  # index into files of the one in transfer
    done_bytes: int
    total_bytes: int
    bytes_per_second: float | None  # over the last seconds; None until it can be told
    eta_s: float | None  # for everything left
    file_eta_s: float | None  # for the current file
    paused: bool = False
    note: Message | None = None  # the latest event worth a line: a retry, a failed check

    @property
    def fraction(self) -> float:
        return 1.0 if self.total_bytes == 0 else self.done_bytes / self.total_bytes

    @property
    def current_file(self) -> FileProgress | None:
        return None if self.current is None else self.files[self.current]


ProgressCallback = Callable[[Progress], None]


class DownloadCancelled(UserError):
    def __init__(self) -> None:
        super().__init__(
            _msg(
                QT_TRANSLATE_NOOP(
                    "download",
                    "Download cancelled. Finished files are kept; the file in progress stays as a "
                    ".part file and continues from there next time.",
                )
            )
        )


class DownloadControl:
    """Pause, resume and cancel, called from any thread (the UI's) while `run` works in another."""

    def __init__(self) -> None:
        self._cancelled = threading.Event()
        self._running = threading.Event()
        self._running.set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def cancel(self) -> None:
        self._cancelled.set()
        self._running.set()  # wakes a paused download so it can stop

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        if self._cancelled.is_set():
            raise DownloadCancelled()

    def wait_while_paused(self) -> None:
        self._running.wait()
        self.check()

    def sleep(self, seconds: float) -> None:
        """A backoff wait that a cancel cuts short."""
        self._cancelled.wait(seconds)
        self.check()


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6  # tries in a row that bring no new bytes before giving up
    first_delay_s: float = 1.0
    max_delay_s: float = 60.0

    def delay(self, failures: int) -> float:
        return min(self.max_delay_s, self.first_delay_s * 2 ** max(0, failures - 1))


def _unreachable(host: str, reason: str, tries: int) -> UserError:
    if "huggingface" in host:
        template = QT_TRANSLATE_NOOP(
            "download",
            "Cannot reach {host} ({reason}) after {tries} tries. Check the internet connection "
            "and proxy settings. Hugging Face is usually unreachable from mainland China: "
            "download from ModelScope (the default) or hf-mirror instead. Partly downloaded files "
            "are kept and continue next time.",
        )
    else:
        template = QT_TRANSLATE_NOOP(
            "download",
            "Cannot reach {host} ({reason}) after {tries} tries. Check the internet connection "
            "and proxy settings, then start the download again: partly downloaded files are "
            "kept and continue from where they stopped.",
        )
    return UserError(_msg(template, host=host, reason=reason, tries=tries))


def _with_retries(
    action: Callable[[], T], retry: RetryPolicy, sleep: Callable[[float], None], host: str
) -> T:
    failures = 0
    while True:
        try:
            return action()
        except _Transient as exc:
            failures += 1
            if failures >= retry.attempts:
                raise _unreachable(host, str(exc), failures) from exc
            sleep(retry.delay(failures))


class _Meter:
    """Speed over the last seconds (a sliding window): an early burst or a slow start fades."""

    def __init__(self, clock: Callable[[], float], window_s: float = 8.0):
        self.clock = clock
        self.window_s = window_s
        self.total = 0
        self.samples: deque[tuple[float, int]] = deque()

    def add(self, count: int) -> None:
        now = self.clock()
        self.total += count
        self.samples.append((now, self.total))
        while len(self.samples) > 2 and self.samples[0][0] < now - self.window_s:
            self.samples.popleft()

    def restart(self) -> None:
        self.samples.clear()

    def rate(self) -> float | None:
        if len(self.samples) < 2:
            return None
        (t0, b0), (t1, b1) = self.samples[0], self.samples[-1]
        return (b1 - b0) / (t1 - t0) if t1 - t0 >= 0.2 else None


# -- one file on disk: .part + its sidecar ----------------------------------------------------------


@dataclass(frozen=True)
class _Received:
    size: int
    sha256: str
    git_sha1: str | None


class _PartFile:
    """A `.part` file and its sidecar `.part.json`: the whole resume state, valid across restarts.

    The sidecar names the remote file (repository, path, size, hashes). A `.part` whose sidecar is
    missing or names another version is started over rather than trusted. Bytes are hashed as they
    are written; after a restart the kept prefix is hashed once when the file is reopened.
    """

    def __init__(self, file: PlannedFile):
        self.file = file
        self.size = 0
        self._sha256 = hashlib.sha256()
        self._git: Any = None
        self._handle: Any = None

    @staticmethod
    def identity(file: PlannedFile) -> dict[str, Any]:
        r = file.remote
        return {"repo": file.repo, "path": file.path, "size": r.size, "sha256": r.sha256, "git_sha1": r.git_sha1}  # fmt: skip

    @classmethod
    def state_matches(cls, file: PlannedFile) -> bool:
        try:
            return bool(json.loads(file.state_file.read_text("utf-8")) == cls.identity(file))
        except (OSError, ValueError):
            return False

    def open(self, control: DownloadControl) -> None:
        part = self.file.part
        self._guarded(lambda: part.parent.mkdir(parents=True, exist_ok=True))
        keep = part.is_file() and self.state_matches(self.file)
        if not keep:
            data = json.dumps(self.identity(self.file)).encode()
            self._guarded(lambda: atomic_write_bytes(self.file.state_file, data))
        self._handle = self._guarded(lambda: open(part, "r+b" if keep else "wb"))  # noqa: SIM115
        self._reset_hashes()
        if keep:
            self._hash_prefix(control)

    def _hash_prefix(self, control: DownloadControl) -> None:
        self._handle.seek(0)
        while block := self._handle.read(8 << 20):
            control.check()
            self.size += len(block)
            if self.size > self.file.size:
                self.restart()
                return
            self._update(block)

    def _reset_hashes(self) -> None:
        self.size = 0
        self._sha256 = hashlib.sha256()
        self._git = None
        if self.file.remote.git_sha1:
            self._git = hashlib.sha1(f"blob {self.file.size}\0".encode(), usedforsecurity=False)

    def _update(self, data: bytes) -> None:
        self._sha256.update(data)
        if self._git is not None:
            self._git.update(data)

    def write(self, data: bytes) -> None:
        self._guarded(lambda: self._handle.write(data))
        self._update(data)
        self.size += len(data)

    def restart(self) -> None:
        """The server ignored our Range: the body that follows is the whole file."""
        self._guarded(lambda: (self._handle.seek(0), self._handle.truncate()))
        self._reset_hashes()

    def finish(self) -> _Received:
        self._guarded(self._flush_to_disk)
        git = self._git.hexdigest() if self._git is not None else None
        return _Received(self.size, self._sha256.hexdigest(), git)

    def _flush_to_disk(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None

    def _guarded(self, action: Callable[[], T]) -> T:
        try:
            return action()
        except OSError as exc:
            raise _disk_problem(exc, self.file, self.size) from exc


def _disk_problem(exc: OSError, file: PlannedFile, done: int) -> UserError:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        template = QT_TRANSLATE_NOOP(
            "download",
            "The disk is full: {file} stopped at {done} of {total}. What was downloaded is kept "
            "as {part}. Free up space (or choose a models folder on another drive) and start the "
            "download again to continue.",
        )
    else:
        template = QT_TRANSLATE_NOOP(
            "download",
            "Cannot write {part}: {reason}. Check that the models folder is writable and not "
            "open in another program.",
        )
    return UserError(
        _msg(
            template,
            file=file.path,
            done=format_bytes(done),
            total=format_bytes(file.size),
            part=str(file.part),
            reason=exc.strerror or str(exc),
        )
    )


class _Rejected(Exception):
    """The received file is not the published one (size, hash or layout)."""

    def __init__(self, message: Message):
        super().__init__(message.english())
        self.message = message


# -- the downloader ---------------------------------------------------------------------------------


class Downloader:
    """Fetches a plan's files one after another into `<models_dir>/<repo>/<path>`.

    A file is streamed into `<name>.part` (resumed with HTTP Range, also after a restart), checked
    (size, the hub's hash, the tensor layout) and only then renamed. A file that fails its check is
    set aside as `<name>.corrupt` and fetched once more; it is never given its real name.
    `run` blocks; `control` pauses, resumes or cancels it from another thread, and `on_progress`
    is called in the downloading thread.
    """

    def __init__(
        self,
        plan: DownloadPlan,
        *,
        token: str | None = None,
        on_progress: ProgressCallback | None = None,
        control: DownloadControl | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        chunk_bytes: int = 1 << 20,
        timeout_s: float = 30.0,
        report_every_s: float = 0.25,
    ):
        self.plan = plan
        self.control = control or DownloadControl()
        self.on_progress = on_progress
        self.retry = retry or RetryPolicy()
        self.sleep = sleep or self.control.sleep
        self.clock = clock
        self.chunk_bytes = chunk_bytes
        self.report_every_s = report_every_s
        self._clients: dict[Source, HubClient] = {}
        self._token, self._timeout_s = token, timeout_s
        self._states = [FileState.PRESENT if f.present else FileState.WAITING for f in plan.files]
        self._done = [f.size if f.present else _part_size(f) for f in plan.files]
        self._current: int | None = None
        self._meter = _Meter(clock)
        self._last_report = float("-inf")
        self._note: Message | None = None

    def run(self) -> list[Path]:
        """Download every file not yet complete; returns the final paths of all files."""
        self.plan.check_space()
        for index, file in enumerate(self.plan.files):
            if self._states[index] is not FileState.PRESENT:
                self._fetch_verified(index, file)
        self._current = None
        self._check_multi_file_roles()
        self._emit(force=True)
        return [file.target for file in self.plan.files]

    def _client(self, source: Source) -> HubClient:
        if source not in self._clients:
            token = self._token if source == self.plan.source else None
            self._clients[source] = HubClient(source, token, self._timeout_s)
        return self._clients[source]

    # one file, checked, with one more try after a failed check
    def _fetch_verified(self, index: int, file: PlannedFile) -> None:
        self._current = index
        for attempt in (1, 2):
            try:
                received = self._transfer(index, file)
                self._set_state(index, FileState.VERIFYING)
                self._verify(file, received)
                self._promote(file)
            except _Rejected as exc:
                self._set_aside(file)
                self._done[index] = 0
                if attempt == 2:
                    self._set_state(index, FileState.FAILED)
                    raise UserError(_twice_failed(file, exc.message)) from None
                self._note = exc.message
                self._set_state(index, FileState.WAITING)
                continue
            except (DownloadCancelled, KeyboardInterrupt):
                self._set_state(index, FileState.WAITING)  # resumable, not failed
                raise
            except BaseException:
                self._set_state(index, FileState.FAILED)
                raise
            self._set_state(index, FileState.DONE)
            return

    def _transfer(self, index: int, file: PlannedFile) -> _Received:
        part = _PartFile(file)
        try:
            part.open(self.control)
            self._done[index] = part.size
            failures = 0
            while part.size < file.size:
                self._pause_point(index)
                before = part.size
                try:
                    self._stream(index, file, part)
                except _Transient as exc:
                    failures = 1 if part.size > before else failures + 1
                    if failures >= self.retry.attempts:
                        raise _unreachable(file.source.host, str(exc), failures) from exc
                    self._retry_wait(index, file, str(exc), failures)
            return part.finish()
        finally:
            part.close()

    def _pause_point(self, index: int) -> None:
        if self.control.paused:
            self._set_state(index, FileState.PAUSED)
            self.control.wait_while_paused()
            self._meter.restart()
        self.control.check()
        self._set_state(index, FileState.DOWNLOADING)

    def _retry_wait(self, index: int, file: PlannedFile, reason: str, failures: int) -> None:
        delay = self.retry.delay(failures)
        self._note = _msg(
            QT_TRANSLATE_NOOP(
                "download", "{file}: {reason}. Trying again in {delay:.0f} s ({tries} of {limit})."
            ),
            file=file.path,
            reason=reason,
            delay=delay,
            tries=failures,
            limit=self.retry.attempts - 1,
        )
        self._set_state(index, FileState.RETRYING)
        self.sleep(delay)
        self._meter.restart()

    def _stream(self, index: int, file: PlannedFile, part: _PartFile) -> None:
        """One HTTP response into the part; returns when it ends or a pause asks to stop."""
        client = self._client(file.source)
        headers = {"Range": f"bytes={part.size}-"} if part.size else {}
        try:
            response = client.open(
                client.file_url(file.repo, file.path), headers, repo=file.repo, path=file.path
            )
        except _RangeRefused:
            raise _Rejected(_wrong_size(file, part.size, None)) from None
        with response:
            self._start_body(response, file, part)
            self._done[index] = part.size
            while part.size < file.size:
                if self.control.paused:
                    return  # closes the connection; the next request continues with Range
                self.control.check()
                try:
                    chunk = response.read(self.chunk_bytes)
                except (OSError, http.client.HTTPException) as exc:
                    raise _Transient(_reason(exc)) from exc
                if not chunk:
                    raise _Transient(f"connection closed at {part.size} of {file.size} bytes")
                if part.size + len(chunk) > file.size:
                    raise _Rejected(_wrong_size(file, part.size + len(chunk), None))
                part.write(chunk)
                self._advance(index, part.size)
            if response.read(1):
                raise _Rejected(_wrong_size(file, file.size + 1, None))

    def _start_body(
        self, response: http.client.HTTPResponse, file: PlannedFile, part: _PartFile
    ) -> None:
        """Match the response to the part: continue, start over, or refuse a wrong size."""
        content_range = _content_range(response.headers.get("Content-Range"))
        if response.status == 206 and content_range is not None:
            start, total = content_range
            if start != part.size:
                part.restart()
                raise _Transient(f"the server resumed at byte {start}, not {part.size}")
            announced = total
        else:
            if part.size:
                part.restart()  # the server ignored Range: this body is the whole file
            length = response.headers.get("Content-Length")
            announced = int(length) if length and length.isdigit() else None
        if announced is not None and announced != file.size:
            raise _Rejected(_wrong_size(file, announced, file.source))

    def _verify(self, file: PlannedFile, received: _Received) -> None:
        remote = file.remote
        if received.size != remote.size:
            raise _Rejected(_wrong_size(file, received.size, None))
        if remote.sha256 and received.sha256 != remote.sha256.lower():
            raise _Rejected(_bad_hash(file, "SHA-256"))
        if remote.git_sha1 and received.git_sha1 != remote.git_sha1.lower():
            raise _Rejected(_bad_hash(file, "git SHA-1"))
        if file.role in catalog.WEIGHT_ROLES:
            self._verify_layout(file)
        elif file.path.endswith(".json"):
            try:
                json.loads(file.part.read_bytes().decode("utf-8"))
            except (ValueError, OSError):
                raise _Rejected(_not_layout(file, "not valid JSON")) from None

    def _verify_layout(self, file: PlannedFile) -> None:
        try:
            identity = catalog.identify(file.part, check_suffix=False)
        except UserError as exc:
            raise _Rejected(
                _msg(
                    QT_TRANSLATE_NOOP("download", "{file} failed the layout check: {reason}"),
                    file=file.path,
                    reason=exc.message,  # a Message: translated when shown
                )
            ) from None
        if identity.role != file.role:
            found = identity.name or identity.family or f"layout {identity.layout_hash[:12]}"
            raise _Rejected(_not_layout(file, found))

    def _promote(self, file: PlannedFile) -> None:
        try:
            os.replace(file.part, file.target)
            file.state_file.unlink(missing_ok=True)
            file.corrupt.unlink(missing_ok=True)  # the earlier bad copy is no longer needed
        except OSError as exc:
            raise _disk_problem(exc, file, file.size) from exc
        _fsync_folder(file.target.parent)

    def _set_aside(self, file: PlannedFile) -> None:
        with contextlib.suppress(OSError):
            if file.part.stat().st_size:
                os.replace(file.part, file.corrupt)
            else:
                file.part.unlink()  # refused from the headers: nothing worth keeping
        with contextlib.suppress(OSError):
            file.state_file.unlink()

    def _check_multi_file_roles(self) -> None:
        """The T5 parts, each checked alone, must also make the whole model together."""
        for spec in catalog.REQUIRED:
            targets = [f.target for f in self.plan.files if f.role == spec.role]
            if len(targets) < 2 or spec.role not in catalog.WEIGHT_ROLES:
                continue
            union: layouts.Layout = {}
            for target in targets:
                union.update(catalog.read_header(target).layout)
            known = catalog.KNOWN.get(layouts.layout_hash(union))
            if known is None or known.role != spec.role:
                raise UserError(
                    _msg(
                        QT_TRANSLATE_NOOP(
                            "download",
                            "The parts of the {title} do not fit together (files: {files}). "
                            "Delete them and download again.",
                        ),
                        title=spec.title,
                        files=", ".join(str(t) for t in targets),
                    )
                )

    # progress
    def _advance(self, index: int, done: int) -> None:
        self._meter.add(done - self._done[index])
        self._done[index] = done
        self._emit()

    def _set_state(self, index: int, state: FileState) -> None:
        changed = self._states[index] is not state
        self._states[index] = state
        if state in (FileState.DONE, FileState.PRESENT):
            self._done[index] = self.plan.files[index].size
        if changed:
            self._emit(force=True)

    def snapshot(self) -> Progress:
        files = tuple(
            FileProgress(f, s, d)
            for f, s, d in zip(self.plan.files, self._states, self._done, strict=True)
        )
        done, total = sum(self._done), self.plan.total_bytes
        rate = self._meter.rate()
        current = None if self._current is None else files[self._current]
        return Progress(
            files=files,
            current=self._current,
            done_bytes=done,
            total_bytes=total,
            bytes_per_second=rate,
            eta_s=(total - done) / rate if rate else None,
            file_eta_s=(current.file.size - current.done_bytes) / rate
            if rate and current
            else None,
            paused=self.control.paused,
            note=self._note,
        )

    def _emit(self, force: bool = False) -> None:
        if self.on_progress is None:
            return
        now = self.clock()
        if force or now - self._last_report >= self.report_every_s:
            self._last_report = now
            self.on_progress(self.snapshot())


def _content_range(value: str | None) -> tuple[int, int | None] | None:
    match = re.fullmatch(r"\s*bytes\s+(\d+)-\d+/(\d+|\*)\s*", value or "")
    if match is None:
        return None
    return int(match.group(1)), None if match.group(2) == "*" else int(match.group(2))


def _wrong_size(file: PlannedFile, got: int, source: Source | None) -> Message:
    return _msg(
        QT_TRANSLATE_NOOP(
            "download",
            "{file}: the server sent {got} bytes where {source} lists {want}. Its copy may be "
            "changing or damaged; try again later or choose another source.",
        ),
        file=file.path,
        got=got,
        want=file.size,
        source=(source or file.source).name,
    )


def _bad_hash(file: PlannedFile, kind: str) -> Message:
    return _msg(
        QT_TRANSLATE_NOOP(
            "download",
            "{file} failed its {kind} check: the downloaded bytes are not the published file "
            "(damaged on the way).",
        ),
        file=file.path,
        kind=kind,
    )


def _not_layout(file: PlannedFile, found: str) -> Message:
    return _msg(
        QT_TRANSLATE_NOOP("download", "{file} is not the {expected}: its content is {found}."),
        file=file.path,
        expected=file.title,
        found=found,
    )


def _twice_failed(file: PlannedFile, reason: Message) -> Message:
    return _msg(
        QT_TRANSLATE_NOOP(
            "download",
            "{reason} It failed again after a second download, so it was not used; the last "
            "copy was set aside as {corrupt}. Try another source, or try again later.",
        ),
        reason=reason,  # a Message: translated when shown
        corrupt=str(file.corrupt),
    )


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a folder for fsync; NTFS journals the rename
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def download(
    models_dir: str | os.PathLike[str],
    source: Source | None = None,
    token: str | None = None,
    roles: Sequence[str] | None = None,
    on_progress: ProgressCallback | None = None,
    control: DownloadControl | None = None,
) -> list[Path]:
    """Plan and download in one call (the CLI and the setup page use the two steps)."""
    plan = fetch_plan(models_dir, source, token, roles, control=control)
    return Downloader(plan, token=token, on_progress=on_progress, control=control).run()
