"""Replacing files while another program holds them (Windows), with real files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from majicflux_desktop.core import paths


def _busy(winerror: int) -> PermissionError:
    error = PermissionError(13, "The process cannot access the file")
    error.winerror = winerror  # type: ignore[attr-defined]  # what Windows sets
    return error


def test_a_file_busy_for_a_moment_is_replaced_once_it_is_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An indexer or anti-virus holds the settings file open for a moment (sharing violation):
    the save waits and succeeds, the new content is in place."""
    target = tmp_path / "settings.json"
    target.write_text("old")
    real_replace, refusals = os.replace, [_busy(32), _busy(5)]

    def replace(source: str | Path, destination: str | Path) -> None:
        if refusals:
            raise refusals.pop(0)
        real_replace(source, destination)

    monkeypatch.setattr(paths.os, "replace", replace)
    paths.atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new" and not refusals
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]  # no temp file left


def test_a_real_permission_problem_is_not_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only folder is not a busy file: the error comes at once, and a file busy for longer
    than the retry window is given up on."""
    calls: list[int] = []

    def denied(source: str | Path, destination: str | Path) -> None:
        calls.append(1)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(paths.os, "replace", denied)
    with pytest.raises(PermissionError):
        paths.replace_file(tmp_path / "a", tmp_path / "b")
    assert len(calls) == 1
    monkeypatch.setattr(paths, "REPLACE_RETRY_S", 0.1)
    monkeypatch.setattr(paths.os, "replace", lambda s, d: (_ for _ in ()).throw(_busy(32)))
    with pytest.raises(PermissionError):
        paths.replace_file(tmp_path / "a", tmp_path / "b")


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_written_files_follow_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    """mkstemp makes 0600 files: a PNG others on the machine may view, or a settings file, would
    be private whatever the user's umask says."""
    old = os.umask(umask)
    try:
        paths.atomic_write_bytes(tmp_path / "cat.png", b"png")
        assert paths.current_umask() == umask
    finally:
        os.umask(old)
    assert (tmp_path / "cat.png").stat().st_mode & 0o777 == mode


def test_the_start_up_check_names_the_folder_and_the_fix(tmp_path: Path) -> None:
    from majicflux_desktop.core.i18n import UserError
    from majicflux_desktop.core.writable import prepare_data_dir

    fine = paths.AppPaths.portable(tmp_path / "ok")
    assert prepare_data_dir(fine) is fine and fine.log_dir.is_dir()
    (tmp_path / "file").write_text("x")
    below_a_file = paths.AppPaths.portable(tmp_path / "file" / "MajicFlux")
    with pytest.raises(UserError) as info:
        prepare_data_dir(below_a_file)
    assert info.value.text().startswith(f"{tmp_path / 'file'} is a file, but MajicFlux keeps")
    logs_a_file = paths.AppPaths.portable(tmp_path / "logs-file")
    logs_a_file.data_dir.mkdir()
    logs_a_file.log_dir.write_text("x")
    with pytest.raises(UserError, match="is a file") as info:
        prepare_data_dir(logs_a_file)
    assert str(logs_a_file.log_dir) in info.value.text()
