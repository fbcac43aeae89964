"""read_picture refuses what it must, from the header alone, with a message naming the file."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.store.sources import read_picture


def png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("size", "words"),
    [
        ((9000, 9000), "“big.png” is 9000×9000 pixels, too large to use"),
        # Pillow refuses this one itself before our check: still named as too large
        ((60_000, 60_000), "“big.png” is far larger than 8192×8192 pixels, too large to use"),
    ],
)
def test_a_picture_too_large_is_refused_as_too_large(size: tuple[int, int], words: str) -> None:
    with pytest.raises(UserError) as refused:
        read_picture(png_header(*size), "big.png")
    assert words in refused.value.text()


def test_a_file_that_is_no_picture_is_named() -> None:
    with pytest.raises(UserError) as refused:
        read_picture(b"a shopping list", "notes.png")
    assert "“notes.png” is not a picture MajicFlux can read" in refused.value.text()


def test_a_sane_picture_is_decoded() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 16), "red").save(buffer, "PNG")
    assert read_picture(buffer.getvalue(), "red.png").size == (32, 16)
