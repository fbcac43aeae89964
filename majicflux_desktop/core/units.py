"""Sizes as people read them."""

from __future__ import annotations


def format_bytes(count: float) -> str:
    """Binary multiples with the units people know (1 GB = 1024³ bytes, as Windows shows them)."""
    for unit in ("B", "KB", "MB", "GB"):
        if abs(count) < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GB"
