"""Start-up recovery's clean-up of half-written files, with real files (the real kill mid-write
is in tests/reliability/test_crashes.py)."""

from __future__ import annotations

from pathlib import Path

from majicflux_desktop.core import paths
from majicflux_desktop.core.recovery import remove_stale_temp_files


def test_only_our_own_half_written_files_are_removed(tmp_path: Path) -> None:
    """A write killed halfway leaves our temp file; a sync tool's temp file and a user's hidden
    file beside it in a shared output folder are not ours and stay."""
    folder = tmp_path / "images" / "2026-11-30"
    paths.atomic_write_bytes(folder / "cat.png", b"a whole image")
    ours = folder / f"{paths.TEMP_PREFIX}dog.png.k2j4h1{paths.TEMP_SUFFIX}"
    ours.write_bytes(b"half an im")
    foreign = [folder / ".syncthing.cat.png.tmp", folder / ".notes.txt.tmp", folder / "cat.png"]
    for path in foreign[:2]:
        path.write_bytes(b"not ours")
    assert remove_stale_temp_files(tmp_path / "images", recursive=True) == [ours]
    assert sorted(folder.iterdir()) == sorted(foreign)
    assert (folder / "cat.png").read_bytes() == b"a whole image"
