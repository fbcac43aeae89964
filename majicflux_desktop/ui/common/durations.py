"""Durations as clocks: 1:15, 1:02:05."""

from __future__ import annotations


def format_clock(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return "–"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
