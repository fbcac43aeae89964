"""Fusion with a small dark or light palette, and a font that renders Chinese well."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication

ACCENT = "#f08c2e"  # tangerine: 麦橘
WARNING = "#e0a030"
DANGER = "#e0503c"
GOOD = "#4caf7a"

# Families with good Simplified Chinese glyphs, by platform; the first one installed wins.
CJK_FAMILIES = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "PingFang SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
)

_DARK = {
    QPalette.ColorRole.Window: "#202124",
    QPalette.ColorRole.WindowText: "#e8e8e8",
    QPalette.ColorRole.Base: "#17181a",
    QPalette.ColorRole.AlternateBase: "#26272b",
    QPalette.ColorRole.ToolTipBase: "#2b2c30",
    QPalette.ColorRole.ToolTipText: "#e8e8e8",
    QPalette.ColorRole.PlaceholderText: "#8a8d93",
    QPalette.ColorRole.Text: "#e8e8e8",
    QPalette.ColorRole.Button: "#2d2e33",
    QPalette.ColorRole.ButtonText: "#e8e8e8",
    QPalette.ColorRole.BrightText: "#ffffff",
    QPalette.ColorRole.Highlight: ACCENT,
    QPalette.ColorRole.HighlightedText: "#1a1a1a",
    QPalette.ColorRole.Link: "#f5a85c",
    QPalette.ColorRole.Mid: "#3a3b40",
    QPalette.ColorRole.Dark: "#141517",
    QPalette.ColorRole.Light: "#3f4046",
}
_LIGHT = {
    QPalette.ColorRole.Window: "#f3f3f4",
    QPalette.ColorRole.WindowText: "#1d1d1f",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#f0f0f2",
    QPalette.ColorRole.ToolTipBase: "#ffffff",
    QPalette.ColorRole.ToolTipText: "#1d1d1f",
    QPalette.ColorRole.PlaceholderText: "#8a8d93",
    QPalette.ColorRole.Text: "#1d1d1f",
    QPalette.ColorRole.Button: "#e7e7ea",
    QPalette.ColorRole.ButtonText: "#1d1d1f",
    QPalette.ColorRole.BrightText: "#000000",
    QPalette.ColorRole.Highlight: "#e07a1a",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#b85a00",
}


def palette(theme: str) -> QPalette:
    colours = _DARK if theme == "dark" else _LIGHT
    result = QPalette()
    for role, colour in colours.items():
        result.setColor(role, QColor(colour))
    disabled_text = QColor("#6b6d72" if theme == "dark" else "#a0a0a4")
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        result.setColor(QPalette.ColorGroup.Disabled, role, disabled_text)
    return result


def indicator_style(theme: str) -> str:
    """Radio buttons and check boxes with a ring that shows on the dark theme too (Fusion draws
    an unselected one in nearly the panel's own colour)."""
    ring = "#8b8e95" if theme == "dark" else "#6b6d72"
    return (
        f"QRadioButton::indicator, QCheckBox::indicator {{ width: 12px; height: 12px;"
        f" border: 2px solid {ring}; background: palette(base); }}"
        " QRadioButton::indicator { border-radius: 8px; }"
        " QCheckBox::indicator { border-radius: 3px; }"
        f" QRadioButton::indicator:checked {{ border-color: {ACCENT};"
        f" background: qradialgradient(cx:0.5, cy:0.5, radius:0.5, fx:0.5, fy:0.5,"
        f" stop:0 {ACCENT}, stop:0.55 {ACCENT}, stop:0.6 palette(base)); }}"
        f" QCheckBox::indicator:checked {{ border-color: {ACCENT}; background: {ACCENT}; }}"
        " QRadioButton::indicator:disabled, QCheckBox::indicator:disabled {"
        " border-color: palette(mid); }"
    )


def apply_theme(app: QApplication, theme: str) -> None:
    app.setStyle("Fusion")
    app.setPalette(palette(theme))
    app.setStyleSheet(indicator_style(theme))
    app.setProperty("majicflux_theme", theme)


def current_theme(app: QApplication) -> str:
    return str(app.property("majicflux_theme") or "dark")


def cjk_family() -> str | None:
    installed = set(QFontDatabase.families())
    return next((family for family in CJK_FAMILIES if family in installed), None)


def apply_font(app: QApplication, language: str, default: QFont) -> None:
    """Chinese UI: a family with proper Simplified Chinese glyphs (not Japanese variants).

    English UI: the system font; Qt falls back per glyph for Chinese prompts.
    """
    font = QFont(default)
    family = cjk_family() if language == "zh_CN" else None
    if family is not None:
        font.setFamilies([family, *default.families()])
    app.setFont(font)
