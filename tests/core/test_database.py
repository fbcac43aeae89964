"""What opening the library says when its file is not usable."""

from __future__ import annotations

from pathlib import Path

import pytest

from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.library import Library


def test_a_library_file_that_is_a_folder_is_named(tmp_path: Path) -> None:
    """SQLite says only "unable to open database file"; the old advice (check the disk is not
    full) sent people the wrong way."""
    path = tmp_path / "library.sqlite3"
    path.mkdir()
    with pytest.raises(UserError) as info:
        Library.open(path, tmp_path / "images")
    text = info.value.text()
    assert f"“{path}” is a folder, not a file" in text and "Rename or move that folder" in text
    assert "disk is not full" not in text
