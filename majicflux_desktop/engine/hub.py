"""The download side of a hub: ModelScope (default), Hugging Face or a mirror of it.

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

What is fetched and how each file is checked is in download.py; resuming a transfer in transfer.py.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from majicflux_desktop import __version__
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError

CTX = "download"  # the translation context of every download message, wherever it is raised
MODELSCOPE, HUGGINGFACE = "modelscope", "huggingface"  # the two API shapes
DIRECT = "url"  # no hub: one file at its own address (a LoRA's download link)
HF_MIRROR = "https://hf-mirror.com"


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
        if self.api == DIRECT:
            return repo
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
    try:
        parts = urllib.parse.urlsplit(text.strip())
        _ = parts.port  # a port that is not a number raises here, not on the first request
    except ValueError as exc:
        raise UserError(
            _msg(
                QT_TRANSLATE_NOOP(
                    "download",
                    "{source} is not a valid web address ({reason}). Type the mirror's address "
                    "as https:// and its host name, for example https://hf-mirror.com.",
                ),
                source=text,
                reason=str(exc),
            )
        ) from None
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


def direct(url: str) -> Source:
    """The server of a plain download address, as a source (its host is what the user is shown)."""
    parts = urllib.parse.urlsplit(url)
    return Source(DIRECT, f"{parts.scheme}://{parts.netloc}", parts.netloc)


def token_from_environment(source: Source) -> str | None:
    """The token the hubs' own tools read: $MODELSCOPE_API_TOKEN, or $HF_TOKEN for Hugging Face."""
    if source.api == DIRECT:
        return None  # a token is for its hub only, never for an address from anywhere
    name = "MODELSCOPE_API_TOKEN" if source.api == MODELSCOPE else "HF_TOKEN"
    return os.environ.get(name) or None


def _host_of(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc


# -- talking to a hub ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoteFile:
    path: str
    size: int
    sha256: str | None = None  # published for LFS files (both hubs) and all ModelScope files
    git_sha1: str | None = None  # Hugging Face's blob id of a file kept in git itself


class Transient(Exception):
    """A failure worth another try: a dropped connection, a timeout, HTTP 5xx or 429."""


class NotFound(UserError):
    """HTTP 404 (or Hugging Face's RepoNotFound): the repository or file is not there."""


class RangeRefused(Exception):
    """HTTP 416: the server has nothing after the offset we asked for."""


class Connections:
    """The sockets of one download's HTTP connections, so that another thread can cut them.

    A read from a stalled server blocks until the socket times out (30 s); a cancel must not wait
    that long, nor may closing the app. `cut` shuts every socket down, which makes a blocked
    read return at once, and cuts every connection made after it as soon as it is made.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._cut = False

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)
            cut = self._cut
        if cut:
            _shut_down(sock)

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut_down(sock)


def _shut_down(sock: socket.socket) -> None:
    # the plain socket's shutdown, also for TLS: SSLSocket.shutdown drops its SSL object, and a
    # read under way in another thread would fail with ValueError instead of seeing the end
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _WatchedHTTPConnection(http.client.HTTPConnection):
    connections: Connections

    def connect(self) -> None:
        super().connect()
        self.connections.add(self.sock)


class _WatchedHTTPSConnection(http.client.HTTPSConnection):
    connections: Connections

    def connect(self) -> None:
        super().connect()  # self.sock is the TLS socket from here on
        self.connections.add(self.sock)


def _watched(
    kind: type[_WatchedHTTPConnection | _WatchedHTTPSConnection], connections: Connections
) -> Callable[..., http.client.HTTPConnection]:
    def connection(host: str, **options: Any) -> http.client.HTTPConnection:
        made = kind(host, **options)
        made.connections = connections
        return made

    return connection


class _Watching:
    """Opens its connections through `_watched`, so that `Connections.cut` reaches them."""

    connection_class: type[_WatchedHTTPConnection | _WatchedHTTPSConnection]

    def __init__(self, connections: Connections):
        super().__init__()
        self.connections = connections

    def do_open(
        self, http_class: Any, req: urllib.request.Request, **options: Any
    ) -> http.client.HTTPResponse:
        # options: the TLS context (and check_hostname before Python 3.12), as https_open gives
        opened = super().do_open(  # type: ignore[misc]
            _watched(self.connection_class, self.connections), req, **options
        )
        return cast(http.client.HTTPResponse, opened)


class _WatchedHTTPHandler(_Watching, urllib.request.HTTPHandler):
    connection_class = _WatchedHTTPConnection


class _WatchedHTTPSHandler(_Watching, urllib.request.HTTPSHandler):
    connection_class = _WatchedHTTPSConnection


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

    def __init__(
        self,
        source: Source,
        token: str | None = None,
        timeout_s: float = 30.0,
        connections: Connections | None = None,
    ):
        self.source = source
        self.token = (token or "").strip() or None
        self.timeout_s = timeout_s
        connections = connections or Connections()
        self._opener = urllib.request.build_opener(
            _SameHostAuth(), _WatchedHTTPHandler(connections), _WatchedHTTPSHandler(connections)
        )

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
                    raise Transient(f"no file listing from {self.source.host}") from exc
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
            raise Transient(failure_reason(exc)) from exc
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
            return RangeRefused()
        if status in (408, 425, 429) or status >= 500:
            return Transient(f"HTTP {status} {exc.reason}")
        # Hugging Face answers 401 for a missing repository too; its error code tells them apart
        not_found = status == 404 or exc.headers.get("X-Error-Code") in (
            "RepoNotFound",
            "EntryNotFound",
        )
        if self.source.api == DIRECT and (status in (401, 403) or not_found):
            return self._direct_problem(status, repo, not_found)
        if status in (401, 403) and not not_found:
            return UserError(self._access_message(status, repo), f"HTTP {status} {exc.url}")
        if not_found:
            return NotFound(
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

    def _direct_problem(self, status: int, url: str, not_found: bool) -> UserError:
        if not_found:
            template = QT_TRANSLATE_NOOP(
                "download",
                "Nothing was found at {url} (HTTP {status}). Check the address; a download link "
                "copied from a web page may have expired, so copy it again.",
            )
            return NotFound(_msg(template, url=url, status=status), f"HTTP {status}")
        template = QT_TRANSLATE_NOOP(
            "download",
            "{host} refused the download of {url} (HTTP {status}). The link may need you to be "
            "signed in on that site, or it has expired: open it in a web browser, copy a fresh "
            "download link and try again.",
        )
        return UserError(
            _msg(template, host=self.source.host, url=url, status=status), f"HTTP {status}"
        )

    def _access_message(self, status: int, repo: str) -> Message:
        page = self.source.page(repo)
        if self.source.api == MODELSCOPE:
            template = QT_TRANSLATE_NOOP(
                "download",
                "ModelScope refused access to {repo} (HTTP {status}). Sign in at {page}, accept the "
                "model's terms if the page asks you to, then set the environment variable "
                "MODELSCOPE_API_TOKEN to a ModelScope access token (Account settings, Access "
                "Token) and start MajicFlux again.",
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
        raise Transient("the file listing is not a list")
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


def failure_reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__
