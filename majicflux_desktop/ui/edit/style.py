"""Looks shared by the edit widgets."""

from __future__ import annotations

from majicflux_desktop.ui.common import theme

# Fusion draws a checked tool button barely darker than an unchecked one; the chosen mode and
# tool must be seen at a glance.
CHOICE_BUTTONS = (
    "QToolButton { padding: 4px 8px; }"
    f"QToolButton:checked {{ background: {theme.ACCENT}; color: #1a1a1a;"
    f" border: 1px solid {theme.ACCENT}; border-radius: 3px; }}"
)
