"""The main window's menus, shortcuts and Help texts."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from majicflux_desktop import __version__
from majicflux_desktop.ui.translations import LANGUAGE_NAMES

if TYPE_CHECKING:
    from majicflux_desktop.ui.main_window import MainWindow

translate = QCoreApplication.translate


def shortcut_rows() -> list[tuple[str, str]]:
    return [
        ("Ctrl+Enter", translate("shortcuts", "Generate: add the prompt to the queue")),
        ("Esc", translate("shortcuts", "Cancel the running job")),
        ("Ctrl+R", translate("shortcuts", "Re-roll the selected image (new random seed)")),
        ("Ctrl+Shift+R", translate("shortcuts", "Reuse the selected image's seed")),
        ("Delete", translate("shortcuts", "Move the selected image to the trash (gallery)")),
        ("Ctrl+Z", translate("shortcuts", "Undo the move to the trash (gallery)")),
        ("Ctrl+F", translate("shortcuts", "Search prompts in the gallery")),
        ("F11", translate("shortcuts", "Full view of the selected image")),
        ("Alt+Up / Alt+Down", translate("shortcuts", "Move the selected job in the queue")),
        ("Ctrl+,", translate("shortcuts", "Settings")),
        ("Ctrl+Q", translate("shortcuts", "Quit")),
    ]


def show_shortcuts(parent: QWidget) -> None:
    rows = "".join(
        f"<tr><td><b>{html.escape(keys)}</b></td><td>{html.escape(text)}</td></tr>"
        for keys, text in shortcut_rows()
    )
    box = QMessageBox(parent)
    box.setWindowTitle(translate("shortcuts", "Keyboard shortcuts"))
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(f"<table cellspacing='6'>{rows}</table>")
    box.exec()


def show_about(parent: QWidget) -> None:
    QMessageBox.about(
        parent,
        translate("about", "About MajicFlux"),
        translate(
            "about",
            "<h3>MajicFlux Desktop {version}</h3><p>麦橘超然 (majicflus_v1, a FLUX.1-dev "
            "fine-tune) on your own GPU, offline. The 12-billion-parameter transformer is stored "
            "in float8, so it fits 8–12 GB cards.</p><p>Runs on DiffSynth-Studio and PyTorch. "
            "Every image keeps its parameters and seed inside the PNG.</p>",
        ).format(version=html.escape(__version__)),
    )


def _action(
    menu: QMenu, text: str, slot: object, keys: QKeySequence | str | None = None
) -> QAction:
    action = menu.addAction(text)
    action.triggered.connect(slot)
    if keys is not None:
        action.setShortcut(QKeySequence(keys))
    return action


def build_menus(window: MainWindow) -> None:
    bar = window.menuBar()
    file = bar.addMenu(translate("menus", "&File"))
    _action(file, translate("menus", "Open output folder"), window.open_output_folder)
    file.addSeparator()
    _action(file, translate("menus", "Quit"), window.close, QKeySequence.StandardKey.Quit)  # type: ignore[arg-type]

    edit = bar.addMenu(translate("menus", "&Edit"))
    _action(edit, translate("menus", "Settings…"), window.open_settings, "Ctrl+,")

    view = bar.addMenu(translate("menus", "&View"))
    themes = QActionGroup(view)
    for name, label in (
        ("dark", translate("menus", "Dark theme")),
        ("light", translate("menus", "Light theme")),
    ):
        action = _action(view, label, lambda _=False, n=name: window.theme_chosen.emit(n))
        action.setCheckable(True)
        action.setChecked(window.settings.theme == name)
        themes.addAction(action)
    view.addSeparator()
    language = view.addMenu(translate("menus", "Language"))
    languages = QActionGroup(language)
    for code, name in (("auto", translate("menus", "Same as the system")), *LANGUAGE_NAMES.items()):
        action = _action(language, name, lambda _=False, c=code: window.language_chosen.emit(c))
        action.setCheckable(True)
        action.setChecked(window.settings.language == code)
        languages.addAction(action)
    view.addSeparator()
    window.full_view_action = _action(
        view, translate("menus", "Full view"), window.open_viewer_for_selected, "F11"
    )

    image = bar.addMenu(translate("menus", "&Image"))
    window.generate_action = _action(image, translate("menus", "Generate"), window.generate)
    window.generate_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
    window.cancel_action = _action(
        image, translate("menus", "Cancel the running job"), window.cancel_running, "Esc"
    )
    image.addSeparator()
    gallery = window.gallery
    for name in (
        "reroll_action",
        "reuse_seed_action",
        "search_action",
        "trash_action",
        "undo_action",
    ):
        gallery_action = getattr(gallery, name, None)
        if isinstance(gallery_action, QAction):
            image.addAction(gallery_action)  # the gallery's own action: one shortcut, no clash

    models = bar.addMenu(translate("menus", "&Models"))
    _action(models, translate("menus", "Model setup…"), window.show_model_setup)
    _action(models, translate("menus", "Check model files"), window.check_models_requested.emit)
    _action(models, translate("menus", "Try the demo (random weights)"), window.demo_requested.emit)

    help_menu = bar.addMenu(translate("menus", "&Help"))
    _action(help_menu, translate("menus", "Keyboard shortcuts"), lambda: show_shortcuts(window))
    _action(help_menu, translate("menus", "Open log folder"), window.open_log_folder)
    help_menu.addSeparator()
    _action(help_menu, translate("menus", "About MajicFlux"), lambda: show_about(window))
