"""Sizes as people read them."""

from __future__ import annotations

UNITS = ("B", "KB", "MB", "GB")


def format_bytes(count: float) -> str:
    """Binary multiples with the units people know (1 GB = 1024³ bytes, as Windows shows them).

    One decimal, so two sizes a few KB apart can print alike ("22.2 GB" and "22.2 GB"): to say
    how much is missing, format the difference itself (see catalog.read_header).
    """
    value = float(count)
    if abs(value) < 1024:
        return f"{value:.0f} B"
    for unit in UNITS[1:]:
        value /= 1024
        # 1023.97 KB would print as "1024.0 KB": such a value is shown in the next unit
        if round(abs(value), 1) < 1024 or unit == UNITS[-1]:
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")
