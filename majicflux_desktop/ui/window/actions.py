"""The main window's menus and shortcuts, declared once, and the Help texts.

Each action is made here (or, for the gallery's, by the gallery) and held by name in
`WindowActions`; menus, shortcuts and tests use those same objects. What an action does comes in
as `MenuHandlers`, so this module knows no window.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QMessageBox, QWidget

from majicflux_desktop import __version__
from majicflux_desktop.ui.common.translations import LANGUAGE_NAMES
from majicflux_desktop.ui.gallery.gallery_panel import GalleryActions

translate = QCoreApplication.translate
Handler = Callable[[], object]


@dataclass(frozen=True)
class MenuHandlers:
    open_output_folder: Handler
    quit: Handler
    copy_image: Handler
    paste_parameters: Handler
    empty_trash: Handler
    settings: Handler
    choose_theme: Callable[[str], object]
    choose_language: Callable[[str], object]
    full_view: Handler
    generate: Handler
    cancel: Handler
    reuse_all: Handler
    model_setup: Handler
    check_models: Handler
    demo: Handler
    shortcuts: Handler
    open_log_folder: Handler
    about: Handler


@dataclass(frozen=True)
class WindowActions:
    generate: QAction
    cancel: QAction
    full_view: QAction
    copy_image: QAction
    paste_parameters: QAction
    reuse_all: QAction
    empty_trash: QAction
    settings: QAction
    shortcuts: QAction
    gallery: GalleryActions


def shortcut_rows() -> list[tuple[str, str]]:
    return [
        ("Ctrl+Enter", translate("shortcuts", "Generate: add the prompt to the queue")),
        ("Esc", translate("shortcuts", "Cancel the running job")),
        ("Ctrl+R", translate("shortcuts", "Re-roll the selected image (new random seed)")),
        ("Ctrl+Shift+R", translate("shortcuts", "Reuse the selected image's seed")),
        ("Ctrl+Shift+A", translate("shortcuts", "Reuse all parameters of the selected image")),
        (
            "Ctrl+I",
            translate("shortcuts", "Use the selected image as the source picture (edit it)"),
        ),
        ("Ctrl+D", translate("shortcuts", "Favourite the selected image")),
        ("Ctrl+Shift+C", translate("shortcuts", "Copy the selected image")),
        (
            "Ctrl+Shift+V",
            translate(
                "shortcuts", "Paste parameters (A1111 text or a PNG), or a picture as the source"
            ),
        ),
        ("Delete", translate("shortcuts", "Move the selected image to the trash (gallery)")),
        ("Ctrl+Z", translate("shortcuts", "Undo the move to the trash (gallery)")),
        ("Ctrl+F", translate("shortcuts", "Search prompts in the gallery")),
        ("F11", translate("shortcuts", "Full view of the selected image")),
        ("Alt+Up / Alt+Down", translate("shortcuts", "Move the selected job in the queue")),
        ("Ctrl+,", translate("shortcuts", "Settings")),
        ("F1", translate("shortcuts", "This list of keys")),
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
    menu: QMenu,
    text: str,
    slot: Handler,
    keys: QKeySequence | QKeySequence.StandardKey | str | None = None,
) -> QAction:
    action = menu.addAction(text)
    action.triggered.connect(lambda _=False: slot())
    if keys is not None:
        action.setShortcut(keys if isinstance(keys, QKeySequence) else QKeySequence(keys))
    return action


def build_menus(
    bar: QMenuBar, on: MenuHandlers, gallery: GalleryActions, theme: str, language: str
) -> WindowActions:
    file = bar.addMenu(translate("menus", "&File"))
    _action(file, translate("menus", "Open output folder"), on.open_output_folder)
    file.addSeparator()
    _action(file, translate("menus", "Quit"), on.quit, QKeySequence.StandardKey.Quit)

    edit = bar.addMenu(translate("menus", "&Edit"))
    copy_image = _action(edit, translate("menus", "Copy image"), on.copy_image, "Ctrl+Shift+C")
    paste = _action(
        edit, translate("menus", "Paste parameters"), on.paste_parameters, "Ctrl+Shift+V"
    )
    edit.addSeparator()
    edit.addAction(gallery.favourite)
    edit.addAction(gallery.trash)
    edit.addAction(gallery.undo_trash)
    empty_trash = _action(edit, translate("menus", "Empty trash…"), on.empty_trash)
    edit.addSeparator()
    settings = _action(edit, translate("menus", "Settings…"), on.settings, "Ctrl+,")

    view = bar.addMenu(translate("menus", "&View"))
    themes = QActionGroup(view)
    for name, label in (
        ("dark", translate("menus", "Dark theme")),
        ("light", translate("menus", "Light theme")),
    ):
        action = _action(view, label, functools.partial(on.choose_theme, name))
        action.setCheckable(True)
        action.setChecked(theme == name)
        themes.addAction(action)
    view.addSeparator()
    languages_menu = view.addMenu(translate("menus", "Language"))
    languages = QActionGroup(languages_menu)
    for code, name in (("auto", translate("menus", "Same as the system")), *LANGUAGE_NAMES.items()):
        action = _action(languages_menu, name, functools.partial(on.choose_language, code))
        action.setCheckable(True)
        action.setChecked(language == code)
        languages.addAction(action)
    view.addSeparator()
    full_view = _action(view, translate("menus", "Full view"), on.full_view, "F11")
    view.addAction(gallery.search)

    image = bar.addMenu(translate("menus", "&Image"))
    generate = _action(image, translate("menus", "Generate"), on.generate)
    generate.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
    cancel = _action(image, translate("menus", "Cancel the running job"), on.cancel, "Esc")
    image.addSeparator()
    image.addAction(gallery.reroll)  # the gallery's own actions: one shortcut each, no clash
    image.addAction(gallery.reuse_seed)
    image.addAction(gallery.use_as_source)
    reuse_all = _action(
        image, translate("menus", "Reuse all parameters"), on.reuse_all, "Ctrl+Shift+A"
    )

    models = bar.addMenu(translate("menus", "&Models"))
    _action(models, translate("menus", "Model setup…"), on.model_setup)
    _action(models, translate("menus", "Check model files"), on.check_models)
    _action(models, translate("menus", "Try the demo (random weights)"), on.demo)

    help_menu = bar.addMenu(translate("menus", "&Help"))
    shortcuts = _action(help_menu, translate("menus", "Keyboard shortcuts"), on.shortcuts, "F1")
    _action(help_menu, translate("menus", "Open log folder"), on.open_log_folder)
    help_menu.addSeparator()
    _action(help_menu, translate("menus", "About MajicFlux"), on.about)
    return WindowActions(
        generate=generate,
        cancel=cancel,
        full_view=full_view,
        copy_image=copy_image,
        paste_parameters=paste,
        reuse_all=reuse_all,
        empty_trash=empty_trash,
        settings=settings,
        shortcuts=shortcuts,
        gallery=gallery,
    )
