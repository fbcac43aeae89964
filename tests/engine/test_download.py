"""Downloads against a hub on 127.0.0.1 that speaks both real API shapes, with scripted faults."""

from __future__ import annotations

import errno
import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fakehub import FLUX, MAJIC, FakeHub, serve
from majicflux_desktop.core import units
from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.engine import download, scan, transfer
from majicflux_desktop.engine.download import Downloader
from majicflux_desktop.engine.hub import HUGGINGFACE, MODELSCOPE, Source
from majicflux_desktop.engine.transfer import (
    DownloadCancelled,
    DownloadControl,
    FileState,
    Progress,
    RetryPolicy,
)


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with serve(FakeHub()) as state:
        yield state


@dataclass
class Run:
    plan: download.DownloadPlan
    downloader: Downloader
    snapshots: list[Progress]
    sleeps: list[float]


def prepare(
    hub: FakeHub,
    models: Path,
    source: Source | None = None,
    token: str | None = None,
    roles: tuple[str, ...] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    control: DownloadControl | None = None,
    retry: RetryPolicy | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Run:
    snapshots: list[Progress] = []
    sleeps: list[float] = []

    def record(progress: Progress) -> None:
        snapshots.append(progress)
        if on_progress is not None:
            on_progress(progress)

    plan = download.fetch_plan(
        models,
        source or hub.modelscope(),
        token,
        roles,
        fallback=hub.modelscope(),
        sleep=sleeps.append,
    )
    downloader = Downloader(
        plan,
        token=token,
        on_progress=record,
        control=control,
        retry=retry,
        sleep=sleeps.append,
        clock=clock,
        chunk_bytes=8192,
        report_every_s=0,
    )
    return Run(plan, downloader, snapshots, sleeps)


def target(models: Path, repo: str, path: str) -> Path:
    return models / repo / path


def leftovers(models: Path) -> list[str]:
    return sorted(p.name for p in models.rglob("*") if p.suffix in (".part", ".json", ".corrupt") and p.name.endswith((".part", ".part.json", ".corrupt")))  # fmt: skip


# -- complete downloads ---------------------------------------------------------------------------


def test_full_download_from_modelscope_lands_where_check_finds_it(
    hub: FakeHub, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    run = prepare(hub, models, token="secret")
    assert run.plan.remaining_bytes == run.plan.total_bytes > 0
    paths = run.downloader.run()
    assert all(p.is_file() for p in paths)
    assert target(models, MAJIC, "majicflus_v134.safetensors") in paths
    assert leftovers(models) == []
    report = scan.check(models)
    assert report.complete and report.paths().tiny
    assert report.paths().dit == target(models, MAJIC, "majicflus_v134.safetensors")
    for name, data in hub.repos[FLUX].items():
        if name != "README.md":
            assert target(models, FLUX, name).read_bytes() == data
    last = run.snapshots[-1]
    assert last.done_bytes == last.total_bytes and last.fraction == 1.0
    assert {f.state for f in last.files} == {FileState.DONE}
    # the token goes to the hub, never to the CDN the hub redirects to
    listing = [s for s in hub.seen if s.path.endswith("/repo/files")]
    assert listing and all(s.headers["Authorization"] == "Bearer secret" for s in listing)
    assert all("m_session_id=secret" in s.headers.get("Cookie", "") for s in listing)
    cdn = [s for s in hub.seen if s.path.startswith("/cdn/")]
    assert cdn and not any("Authorization" in s.headers or "Cookie" in s.headers for s in cdn)


def test_hugging_face_listing_is_paged_and_majicflus_comes_from_modelscope(
    hub: FakeHub, tmp_path: Path
) -> None:
    hub.page_size = 4
    run = prepare(hub, tmp_path / "m", hub.huggingface())
    dit = next(f for f in run.plan.files if f.role == "dit")
    assert dit.source.api == MODELSCOPE
    assert "majicflus_v1 is not published on Hugging Face" in run.plan.notes[0].text()
    assert len([s for s in hub.seen if "/tree/main" in s.path]) > 2  # followed rel="next"
    tokenizer = next(f for f in run.plan.files if f.path == "tokenizer/vocab.json")
    assert tokenizer.remote.git_sha1 and tokenizer.remote.sha256 is None
    run.downloader.run()
    assert scan.check(tmp_path / "m").complete


def test_files_already_there_are_not_fetched_again(hub: FakeHub, tmp_path: Path) -> None:
    prepare(hub, tmp_path).downloader.run()
    before = len(hub.seen)
    again = prepare(hub, tmp_path)
    assert all(f.present for f in again.plan.files) and again.plan.remaining_bytes == 0
    again.downloader.run()
    assert not [s for s in hub.seen[before:] if s.path.startswith("/cdn/")]


def test_only_the_missing_roles(hub: FakeHub, tmp_path: Path) -> None:
    run = prepare(hub, tmp_path, roles=("tokenizer", "tokenizer_2"))
    assert {f.role for f in run.plan.files} == {"tokenizer", "tokenizer_2"}
    run.downloader.run()
    assert (tmp_path / FLUX / "tokenizer_2/spiece.model").is_file()
    assert not (tmp_path / MAJIC).exists()


def test_progress_has_bytes_speed_and_eta(hub: FakeHub, tmp_path: Path) -> None:
    ticks = iter(range(10**9))
    run = prepare(hub, tmp_path, clock=lambda: next(ticks) * 0.01)  # 10 ms between readings
    run.downloader.run()
    moving = [p for p in run.snapshots if p.bytes_per_second and p.current is not None]
    assert moving, "speed was never reported"
    assert all(p.eta_s is not None and p.file_eta_s is not None for p in moving)
    assert all(p.current_file is not None for p in moving)
    totals = [p.done_bytes for p in run.snapshots]
    assert totals == sorted(totals) and totals[-1] == run.plan.total_bytes


# -- interrupted transfers ------------------------------------------------------------------------


def test_dropped_connection_is_resumed_with_range(hub: FakeHub, tmp_path: Path) -> None:
    size = len(hub.repos[FLUX]["ae.safetensors"])
    hub.faults["ae.safetensors"] = [("drop", size // 3)]
    run = prepare(hub, tmp_path)
    run.downloader.run()
    requests = hub.content_requests("ae.safetensors")
    assert [r.headers.get("Range") for r in requests] == [None, f"bytes={size // 3}-"]
    assert hub.served["ae.safetensors"] == size  # nothing fetched twice
    assert run.sleeps == [1.0]
    assert any(p.note is not None and "Trying again" in p.note.text() for p in run.snapshots)
    assert scan.check(tmp_path).complete


def test_part_left_by_an_earlier_run_is_continued(hub: FakeHub, tmp_path: Path) -> None:
    data = hub.repos[FLUX]["ae.safetensors"]
    hub.faults["ae.safetensors"] = [("drop", 40000)]
    first = prepare(hub, tmp_path, roles=("vae",), retry=RetryPolicy(attempts=1))
    with pytest.raises(UserError, match="Cannot reach"):
        first.downloader.run()
    ae = target(tmp_path, FLUX, "ae.safetensors")
    assert not ae.exists()
    assert ae.with_name("ae.safetensors.part").read_bytes() == data[:40000]
    assert ae.with_name("ae.safetensors.part.json").is_file()
    # a new process: a new plan and downloader, only the files on disk remember
    second = prepare(hub, tmp_path, roles=("vae",))
    assert second.plan.remaining_bytes == len(data) - 40000
    assert second.snapshots == [] and second.downloader.snapshot().done_bytes == 40000
    second.downloader.run()
    assert hub.content_requests("ae.safetensors")[-1].headers["Range"] == "bytes=40000-"
    assert ae.read_bytes() == data and leftovers(tmp_path) == []


def test_part_without_matching_sidecar_starts_over(hub: FakeHub, tmp_path: Path) -> None:
    data = hub.repos[FLUX]["ae.safetensors"]
    ae = target(tmp_path, FLUX, "ae.safetensors")
    ae.parent.mkdir(parents=True)
    ae.with_name("ae.safetensors.part").write_bytes(b"\0" * 5000)  # some other version's bytes
    ae.with_name("ae.safetensors.part.json").write_text('{"sha256": "another"}')
    prepare(hub, tmp_path, roles=("vae",)).downloader.run()
    assert "Range" not in hub.content_requests("ae.safetensors")[0].headers
    assert ae.read_bytes() == data


def test_server_that_ignores_range_restarts_the_file(hub: FakeHub, tmp_path: Path) -> None:
    hub.faults["ae.safetensors"] = [("drop", 30000), ("ignore_range",)]
    prepare(hub, tmp_path, roles=("vae",)).downloader.run()
    assert (
        target(tmp_path, FLUX, "ae.safetensors").read_bytes() == hub.repos[FLUX]["ae.safetensors"]
    )


def test_retries_back_off_exponentially_then_give_up(hub: FakeHub, tmp_path: Path) -> None:
    hub.faults["ae.safetensors"] = [("status", 503)] * 10
    run = prepare(hub, tmp_path, roles=("vae",), retry=RetryPolicy(attempts=5, first_delay_s=1))
    with pytest.raises(UserError) as info:
        run.downloader.run()
    assert run.sleeps == [1, 2, 4, 8]
    assert "Cannot reach 127.0.0.1" in info.value.text() and "HTTP 503" in info.value.text()
    assert not target(tmp_path, FLUX, "ae.safetensors").exists()
    assert run.snapshots[-1].files[0].state is FileState.FAILED


def test_a_flaky_link_that_keeps_delivering_is_not_given_up(hub: FakeHub, tmp_path: Path) -> None:
    size = len(hub.repos[FLUX]["ae.safetensors"])
    hub.faults["ae.safetensors"] = [("drop", size // 8)] * 7  # more drops than attempts allow
    run = prepare(hub, tmp_path, roles=("vae",), retry=RetryPolicy(attempts=3))
    run.downloader.run()
    assert run.sleeps == [1.0] * 7  # progress resets the backoff
    assert target(tmp_path, FLUX, "ae.safetensors").stat().st_size == size


def test_listing_is_retried_too(hub: FakeHub, tmp_path: Path) -> None:
    sleeps: list[float] = []
    with pytest.raises(UserError, match="Cannot reach"):
        download.fetch_plan(
            tmp_path, Source(MODELSCOPE, "http://127.0.0.1:9", "x"), sleep=sleeps.append
        )
    assert sleeps == [1, 2, 4, 8, 16]


# -- verification ---------------------------------------------------------------------------------


def test_corrupt_file_is_set_aside_and_fetched_again(hub: FakeHub, tmp_path: Path) -> None:
    hub.faults["ae.safetensors"] = [("corrupt",)]
    corrupt_seen: list[bool] = []
    ae = target(tmp_path, FLUX, "ae.safetensors")

    def watch(progress: Progress) -> None:
        corrupt_seen.append(ae.with_name("ae.safetensors.corrupt").exists())

    run = prepare(hub, tmp_path, roles=("vae",), on_progress=watch)
    run.downloader.run()
    assert any(corrupt_seen)  # set aside while the second copy came in...
    assert not ae.with_name("ae.safetensors.corrupt").exists()  # ...and dropped once it checked
    assert ae.read_bytes() == hub.repos[FLUX]["ae.safetensors"]
    assert len(hub.content_requests("ae.safetensors")) == 2
    assert any(p.note is not None and "SHA-256" in p.note.text() for p in run.snapshots)


def test_git_file_checked_by_blob_hash_on_hugging_face(hub: FakeHub, tmp_path: Path) -> None:
    # vocab.json: the demo's merges.txt is too short for the fake hub's corruption (a byte 100
    # from the end)
    hub.faults["tokenizer/vocab.json"] = [("corrupt",), ("corrupt",)]
    run = prepare(hub, tmp_path, hub.huggingface(), roles=("tokenizer",))
    with pytest.raises(UserError, match="git SHA-1") as info:
        run.downloader.run()
    assert "failed again" in info.value.text()
    vocab = target(tmp_path, FLUX, "tokenizer/vocab.json")
    assert not vocab.exists() and vocab.with_name("vocab.json.corrupt").exists()


def test_file_failing_twice_is_never_given_its_name(hub: FakeHub, tmp_path: Path) -> None:
    hub.faults["ae.safetensors"] = [("corrupt",), ("corrupt",)]
    run = prepare(hub, tmp_path)
    with pytest.raises(UserError, match="failed its SHA-256 check") as info:
        run.downloader.run()
    ae = target(tmp_path, FLUX, "ae.safetensors")
    assert not ae.exists() and ae.with_name("ae.safetensors.corrupt").exists()
    assert "set aside" in info.value.text()
    assert not scan.check(tmp_path).roles["vae"].ok
    assert run.snapshots[-1].files[[f.path for f in run.plan.files].index("ae.safetensors")].state is FileState.FAILED  # fmt: skip


def test_wrong_layout_is_refused_even_when_the_hash_matches(hub: FakeHub, tmp_path: Path) -> None:
    # the hub itself publishes a VAE under the transformer's name (hash and size match it)
    hub.repos[MAJIC]["majicflus_v134.safetensors"] = hub.repos[FLUX]["ae.safetensors"]
    run = prepare(hub, tmp_path, roles=("dit",))
    with pytest.raises(UserError) as info:
        run.downloader.run()
    text = info.value.text()
    assert "not the majicflus_v1 transformer (DiT)" in text and "vae" in text
    assert not target(tmp_path, MAJIC, "majicflus_v134.safetensors").exists()


def test_truncated_safetensors_fails_the_layout_check(hub: FakeHub, tmp_path: Path) -> None:
    whole = hub.repos[FLUX]["ae.safetensors"]
    hub.repos[FLUX]["ae.safetensors"] = whole[: len(whole) // 2]  # published that way, hash and all
    with pytest.raises(UserError, match="incomplete"):
        prepare(hub, tmp_path, roles=("vae",)).downloader.run()


def test_wrong_size_from_the_server_is_refused(hub: FakeHub, tmp_path: Path) -> None:
    size = len(hub.repos[FLUX]["ae.safetensors"])
    hub.listed["ae.safetensors"] = {"size": size + 1000}
    run = prepare(hub, tmp_path, roles=("vae",))
    with pytest.raises(UserError) as info:
        run.downloader.run()
    assert f"the server sent {size} bytes where ModelScope lists {size + 1000}" in info.value.text()
    ae = target(tmp_path, FLUX, "ae.safetensors")
    assert not ae.exists() and not ae.with_name("ae.safetensors.part").exists()
    assert not ae.with_name("ae.safetensors.corrupt").exists()  # refused from the headers: no bytes


def test_longer_body_than_announced_is_refused(hub: FakeHub, tmp_path: Path) -> None:
    data = hub.repos[FLUX]["ae.safetensors"]
    hub.faults["ae.safetensors"] = [("body", data + b"extra")] * 2
    hub.listed["ae.safetensors"] = {"sha256": hashlib.sha256(data).hexdigest()}
    with pytest.raises(UserError, match="the server sent"):
        prepare(hub, tmp_path, roles=("vae",)).downloader.run()


# -- disk space -----------------------------------------------------------------------------------


def test_free_space_is_checked_before_any_byte(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = prepare(hub, tmp_path / "not-yet")
    usage = type("Usage", (), {"total": 10**12, "used": 0, "free": 1000})
    asked: list[Path] = []
    monkeypatch.setattr(download.shutil, "disk_usage", lambda p: asked.append(Path(p)) or usage)
    with pytest.raises(UserError, match="Not enough free space") as info:
        run.downloader.run()
    assert asked == [tmp_path]  # the drive of the nearest folder that exists
    assert str(tmp_path / "not-yet") in info.value.text()
    assert not [s for s in hub.seen if s.path.startswith("/cdn/")]


def test_a_missing_drive_is_said_plainly(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = prepare(hub, tmp_path / "models")

    def no_drive(path: Path) -> Any:
        raise FileNotFoundError(errno.ENOENT, "The system cannot find the path specified", "X:\\")

    monkeypatch.setattr(download.shutil, "disk_usage", no_drive)
    with pytest.raises(UserError, match="Cannot read the free space") as info:
        run.downloader.run()
    assert str(tmp_path / "models") in info.value.text()
    assert "Check that the drive is connected" in info.value.text()


def test_disk_full_midway_keeps_the_part_for_later(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = transfer.PartFile.open

    class FullDisk:
        """The part file's handle on a disk that fills up after 32 KiB."""

        def __init__(self, handle: Any):
            self.handle = handle

        def write(self, data: bytes) -> int:
            if self.handle.tell() + len(data) > 32768:
                raise OSError(errno.ENOSPC, "No space left on device")
            return int(self.handle.write(data))

        def __getattr__(self, name: str) -> Any:
            return getattr(self.handle, name)

    def open_on_full_disk(self: transfer.PartFile, control: DownloadControl) -> None:
        real_open(self, control)
        if self.file.path == "ae.safetensors":
            self._handle = FullDisk(self._handle)

    monkeypatch.setattr(transfer.PartFile, "open", open_on_full_disk)
    run = prepare(hub, tmp_path, roles=("vae", "clip"))
    with pytest.raises(UserError, match="The disk is full") as info:
        run.downloader.run()
    assert "ae.safetensors.part" in info.value.text()
    ae = target(tmp_path, FLUX, "ae.safetensors")
    assert not ae.exists() and ae.with_name("ae.safetensors.part").stat().st_size == 32768
    missing = units.format_bytes(len(hub.repos[FLUX]["ae.safetensors"]) - 32768)
    assert f"stopped {missing} short of" in info.value.text()
    states = {f.file.path: f.state for f in run.snapshots[-1].files}
    assert states == {"text_encoder/model.safetensors": FileState.DONE, "ae.safetensors": FileState.FAILED}  # fmt: skip
    monkeypatch.setattr(transfer.PartFile, "open", real_open)
    prepare(hub, tmp_path, roles=("vae", "clip")).downloader.run()
    assert hub.content_requests("ae.safetensors")[-1].headers["Range"] == "bytes=32768-"
    assert ae.read_bytes() == hub.repos[FLUX]["ae.safetensors"]


# -- pause, resume, cancel ------------------------------------------------------------------------


def test_cancel_leaves_no_half_file_counted_as_done(hub: FakeHub, tmp_path: Path) -> None:
    control = DownloadControl()

    def cancel_in_ae(progress: Progress) -> None:
        current = progress.current_file
        if current is not None and current.file.path == "ae.safetensors" and current.done_bytes:
            control.cancel()

    run = prepare(hub, tmp_path, roles=("clip", "vae"), on_progress=cancel_in_ae, control=control)
    with pytest.raises(DownloadCancelled):
        run.downloader.run()
    ae = target(tmp_path, FLUX, "ae.safetensors")
    assert not ae.exists() and ae.with_name("ae.safetensors.part").is_file()
    assert target(tmp_path, FLUX, "text_encoder/model.safetensors").is_file()
    states = [f.state for f in run.snapshots[-1].files]
    assert states == [FileState.DONE, FileState.WAITING]
    assert not scan.check(tmp_path).roles["vae"].ok


def test_pause_then_resume_continues_with_range(hub: FakeHub, tmp_path: Path) -> None:
    control = DownloadControl()
    paused_states: list[FileState] = []

    def pause_once(progress: Progress) -> None:
        current = progress.current_file
        if current is None:
            return
        if current.state is FileState.PAUSED:
            paused_states.append(current.state)
            threading.Timer(0.05, control.resume).start()
        elif not paused_states and current.done_bytes:
            control.pause()

    prepare(hub, tmp_path, roles=("vae",), on_progress=pause_once, control=control).downloader.run()
    assert paused_states
    ranges = [r.headers.get("Range") for r in hub.content_requests("ae.safetensors")]
    assert ranges[0] is None and ranges[1] is not None and len(ranges) == 2
    assert (
        target(tmp_path, FLUX, "ae.safetensors").read_bytes() == hub.repos[FLUX]["ae.safetensors"]
    )


def test_cancel_from_another_thread_wakes_a_paused_download(hub: FakeHub, tmp_path: Path) -> None:
    control = DownloadControl()
    control.pause()
    threading.Timer(0.1, control.cancel).start()
    started = time.monotonic()
    with pytest.raises(DownloadCancelled):
        prepare(hub, tmp_path, roles=("vae",), control=control).downloader.run()
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("fault", "kept"), [(("stall", 16384), 16384), (("hang",), 0)], ids=["mid-body", "no-answer"]
)
def test_cancel_cuts_a_stalled_connection_at_once(
    hub: FakeHub, tmp_path: Path, fault: tuple[Any, ...], kept: int
) -> None:
    hub.faults["ae.safetensors"] = [fault]
    control = DownloadControl()
    run = prepare(hub, tmp_path, roles=("vae",), control=control)
    outcome: list[BaseException] = []

    def download() -> None:
        try:
            run.downloader.run()
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=download, daemon=True)
    thread.start()
    assert hub.stalled.wait(10)
    deadline = time.monotonic() + 10
    while run.downloader.snapshot().files[0].done_bytes < kept and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # the download thread is now blocked in a read, for up to the 30 s timeout
    cancelled_at = time.monotonic()
    control.cancel()
    thread.join(10)
    assert not thread.is_alive() and time.monotonic() - cancelled_at < 3
    assert len(outcome) == 1 and isinstance(outcome[0], DownloadCancelled)
    assert run.sleeps == []  # ended as cancelled, not retried as a dropped connection
    assert run.downloader.snapshot().files[0].state is FileState.WAITING
    part = target(tmp_path, FLUX, "ae.safetensors.part")
    assert part.stat().st_size == kept  # kept, to continue from next time


def test_cancel_cuts_a_stalled_file_listing(hub: FakeHub, tmp_path: Path) -> None:
    hub.hang_listings = True
    control = DownloadControl()
    errors: list[BaseException] = []

    def plan() -> None:
        try:
            download.fetch_plan(tmp_path, hub.modelscope(), roles=("vae",), control=control)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=plan, daemon=True)
    thread.start()
    assert hub.stalled.wait(10)
    time.sleep(0.2)
    cancelled_at = time.monotonic()
    control.cancel()
    thread.join(10)
    assert not thread.is_alive() and time.monotonic() - cancelled_at < 3
    assert len(errors) == 1 and isinstance(errors[0], DownloadCancelled)


# -- access ---------------------------------------------------------------------------------------


def test_gated_repository_explains_the_licence_and_the_token(hub: FakeHub, tmp_path: Path) -> None:
    hub.gated[FLUX] = "hf_good"
    with pytest.raises(UserError) as info:
        prepare(hub, tmp_path, hub.huggingface(), roles=("vae",))
    text = info.value.text()
    for words in ("gated", "accept", "licence", "https://huggingface.co/black-forest-labs/FLUX.1-dev", "token", "ModelScope"):  # fmt: skip
        assert words in text
    with pytest.raises(UserError, match="refused your token"):
        prepare(hub, tmp_path, hub.huggingface(), token="hf_wrong", roles=("vae",))
    run = prepare(hub, tmp_path, hub.huggingface(), token="hf_good", roles=("vae",))
    run.downloader.run()
    assert target(tmp_path, FLUX, "ae.safetensors").is_file()


def test_gate_on_the_file_itself_gives_the_same_message(hub: FakeHub, tmp_path: Path) -> None:
    hub.faults["ae.safetensors"] = [("status", 401)]
    run = prepare(hub, tmp_path, hub.huggingface(), roles=("vae",))
    with pytest.raises(UserError, match="gated repository"):
        run.downloader.run()
    assert run.sleeps == []  # not retried: waiting does not open a gate


def test_modelscope_refusal_says_where_to_sign_in(hub: FakeHub, tmp_path: Path) -> None:
    hub.gated[MAJIC] = "ms_token"
    with pytest.raises(UserError) as info:
        prepare(hub, tmp_path, roles=("dit",))
    assert "https://modelscope.cn/models/MAILAND/majicflus_v1" in info.value.text()
    assert "access token" in info.value.text()


def test_missing_repository_is_not_mistaken_for_a_gate(hub: FakeHub, tmp_path: Path) -> None:
    missing = Source(HUGGINGFACE, hub.url + "/nothing-here", "Hugging Face")
    with pytest.raises(UserError, match=r"black-forest-labs/FLUX\.1-dev was not found on Hugging Face \(HTTP 404\)"):  # fmt: skip
        prepare(hub, tmp_path, missing, roles=("vae",))


def test_missing_repository_file_is_named(hub: FakeHub, tmp_path: Path) -> None:
    del hub.repos[FLUX]["ae.safetensors"]
    with pytest.raises(UserError, match=r"ae\.safetensors is not in black-forest-labs/FLUX\.1-dev"):
        prepare(hub, tmp_path, roles=("vae",))


# -- sizes shown to people ------------------------------------------------------------------------


def test_format_bytes() -> None:
    assert units.format_bytes(512) == "512 B"
    assert units.format_bytes(335_304_388) == "319.8 MB"
    assert units.format_bytes(23 * 1024**3) == "23.0 GB"
