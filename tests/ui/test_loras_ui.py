"""The LoRA widgets on their own, over real tiny LoRA files: the catalog and its rescans, the
picker (search, favourites, recent, refused files, empty state), the stack, typed tags."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lora_helpers import (
    INK,
    KOHYA,
    PEFT,
    SDXL,
    catalogs,
    copy_loras,
    lora_originals,
    sha256,
)
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QDesktopServices

from majicflux_desktop.core.request import GenerationRequest, LoraUse
from majicflux_desktop.core.settings import GenerationDefaults, Settings
from majicflux_desktop.ui.common.lora_catalog import LoraCatalog
from majicflux_desktop.ui.generate.lora_list import FILE_ROLE, STAR_ROLE, SUBTITLE_ROLE
from majicflux_desktop.ui.generate.lora_picker import LoraPicker, LoraPreferences, star_point
from majicflux_desktop.ui.generate.lora_stack import RowState
from majicflux_desktop.ui.generate.lora_tags import TagState
from majicflux_desktop.ui.generate.prompt_panel import PromptPanel

__all__ = ["catalogs", "lora_originals"]  # fixtures


@pytest.fixture
def models(tmp_path: Path, lora_originals: Path) -> Path:
    copy_loras(lora_originals, tmp_path / "models" / "loras")
    return tmp_path / "models"


@pytest.fixture
def catalog(catalogs, models: Path, tmp_path: Path) -> LoraCatalog:
    return catalogs(models, tmp_path / "data")


def panel_with(qtbot, catalog: LoraCatalog) -> PromptPanel:
    panel = PromptPanel(GenerationDefaults(), loras=catalog)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def open_picker(qtbot, panel: PromptPanel) -> LoraPicker:
    picker = panel.lora_stack.open_picker()
    qtbot.waitUntil(lambda: not panel.loras.scanning)  # it looks at the folders again on opening
    return picker


def test_the_catalog_lists_usable_and_refused_files_and_knows_them_by_name(
    catalog: LoraCatalog, models: Path
) -> None:
    listing = catalog.listing
    assert listing.scanned and listing.folders == (models / "loras",)
    assert {f.name for f in listing.usable} == {KOHYA, PEFT, INK}
    refused = listing.named(SDXL)
    assert refused is not None and not refused.ok and "SDXL" in refused.problem.text()
    assert listing.named("TINY-KOHYA") is listing.named(KOHYA)  # any case, as A1111 does
    assert catalog.find_known(LoraUse("nothing-of-the-kind")) is None


def test_the_index_rescans_when_a_file_lands_in_a_watched_folder(
    qtbot, catalog: LoraCatalog, models: Path, lora_originals: Path, tmp_path: Path
) -> None:
    assert str(models / "loras") in catalog.watched()
    subfolder = models / "loras" / "styles"
    subfolder.mkdir()
    with qtbot.waitSignal(catalog.scanned, timeout=20_000):
        pass  # the new subfolder: a change of the watched folder
    assert str(subfolder) in catalog.watched()
    with qtbot.waitSignal(
        catalog.scanned,
        timeout=20_000,
        check_params_cb=lambda listing: listing.named("new-style") is not None,
    ):
        shutil.copy2(lora_originals / f"{KOHYA}.safetensors", tmp_path / "new-style.safetensors")
        # moved in whole, as a browser's finished download is
        (tmp_path / "new-style.safetensors").rename(subfolder / "new-style.safetensors")
    assert catalog.listing.named("new-style").ok


def test_a_models_folder_without_loras_folder_is_watched_until_one_is_made(
    qtbot, catalogs, tmp_path: Path, lora_originals: Path
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    catalog = catalogs(models, tmp_path / "data")
    assert catalog.listing.files == () and catalog.listing.primary == models / "loras"
    assert str(models) in catalog.watched()
    with qtbot.waitSignal(
        catalog.scanned, timeout=20_000, check_params_cb=lambda listing: bool(listing.files)
    ):
        copy_loras(lora_originals, models / "Lora", PEFT)  # Forge's spelling
    assert catalog.listing.folders == (models / "Lora",)


def test_the_picker_searches_names_titles_trigger_words_and_tags_in_any_language(
    qtbot, catalog: LoraCatalog
) -> None:
    panel = panel_with(qtbot, catalog)
    picker = open_picker(qtbot, panel)
    assert picker.section_titles() == ["All LoRA files (4)"]
    assert {f.name for f in picker.file_rows()} == {KOHYA, PEFT, INK, SDXL}
    assert picker.file_rows()[-1].name == SDXL  # refused files come last
    for search, expected in (
        ("ohwx", [KOHYA]),  # trigger words
        ("OHWX Cat", [KOHYA]),  # every word, any case
        ("sitting", [KOHYA]),  # a training tag
        ("水墨", [INK]),  # a Chinese name
        ("墨画", [INK]),  # inside a Chinese trigger word
        ("ink landscape", [INK]),  # the title
        ("no such lora", []),
    ):
        picker.search.setText(search)
        assert [f.name for f in picker.file_rows()] == expected, search
    assert picker.pages.currentIndex() == 1
    assert "no such lora" in picker.empty.text() and "trigger words" in picker.empty.text()
    with qtbot.waitSignal(catalog.scanned, timeout=20_000):
        qtbot.mouseClick(picker.rescan_button, Qt.MouseButton.LeftButton)


def test_a_refused_file_is_listed_greyed_with_its_reason_and_cannot_be_added(
    qtbot, catalog: LoraCatalog
) -> None:
    panel = panel_with(qtbot, catalog)
    picker = open_picker(qtbot, panel)
    assert picker.select_file(SDXL)
    assert not picker.details.add_button.isEnabled()
    assert "SDXL" in picker.details.problem.text() and "FLUX.1" in picker.details.problem.text()
    assert picker.details.problem.isVisible()
    row = next(r for r in range(picker.model.rowCount()) if picker.model.item(r).text() == SDXL)
    assert "Cannot be used" in picker.model.item(row).data(SUBTITLE_ROLE)
    picker.add_current()
    assert panel.lora_stack.rows == [] and picker.isVisible()


def test_adding_from_the_picker_with_enter_puts_a_row_in_the_request(
    qtbot, catalog: LoraCatalog
) -> None:
    panel = panel_with(qtbot, catalog)
    picker = open_picker(qtbot, panel)
    qtbot.keyClicks(picker.search, "ohwx")
    with qtbot.waitSignal(picker.chosen):
        qtbot.keyClick(picker.search, Qt.Key.Key_Return)  # Enter adds the selected LoRA
    assert not picker.isVisible() and panel.lora_stack.picker is None
    row = panel.lora_stack.row(KOHYA)
    assert row is not None and row.state is RowState.FOUND
    panel.prompt.setPlainText("a cat")
    assert panel.request().loras == (LoraUse(KOHYA, 1.0),)


def test_a_double_click_adds_but_not_on_the_star(qtbot, catalog: LoraCatalog) -> None:
    panel = panel_with(qtbot, catalog)
    picker = open_picker(qtbot, panel)
    row = next(r for r in range(picker.model.rowCount()) if picker.model.item(r).text() == PEFT)
    viewport = picker.list.viewport()

    def double_click(point: QPoint) -> None:  # as a mouse sends it: a click, then the second
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=point)
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=point)

    with qtbot.waitSignal(panel.lora_favourite_toggled, timeout=20_000):
        double_click(star_point(picker, row))
    assert picker.isVisible() and panel.lora_stack.rows == []  # the star is not the row
    row = next(r for r in range(picker.model.rowCount()) if picker.model.item(r).text() == PEFT)
    name_point = picker.list.visualRect(picker.model.index(row, 0)).center()
    with qtbot.waitSignal(picker.chosen):
        double_click(name_point)
    assert panel.lora_stack.uses() == (
        LoraUse(PEFT, 1.0, catalog.index.sha256(catalog.listing.named(PEFT))),
    )


def test_favourites_are_kept_by_hash_computed_off_the_ui_thread(
    qtbot, catalog: LoraCatalog, models: Path
) -> None:
    panel = panel_with(qtbot, catalog)
    picker = open_picker(qtbot, panel)
    row = next(r for r in range(picker.model.rowCount()) if picker.model.item(r).text() == INK)
    assert catalog.known_hash(picker.model.item(row).data(FILE_ROLE)) == ""
    expected = sha256(models / "loras" / f"{INK}.safetensors")
    with qtbot.waitSignal(panel.lora_favourite_toggled) as toggled:
        qtbot.mouseClick(
            picker.list.viewport(), Qt.MouseButton.LeftButton, pos=star_point(picker, row)
        )
        assert picker.model.item(row).data(STAR_ROLE) == "pending"
    assert toggled.args == [expected, True]
    assert picker.section_titles()[0] == "Favourites"
    assert picker.file_rows()[0].name == INK
    picker.select_file(INK)
    assert picker.details.star_button.isChecked() and "★" in picker.details.star_button.text()
    with qtbot.waitSignal(panel.lora_favourite_toggled) as untoggled:
        picker.details.star_button.click()  # known now: at once
    assert untoggled.args == [expected, False] and "Favourites" not in picker.section_titles()


def test_recently_used_lists_the_hashes_the_settings_remember(
    qtbot, catalog: LoraCatalog, models: Path
) -> None:
    panel = panel_with(qtbot, catalog)
    recent = [sha256(models / "loras" / f"{name}.safetensors") for name in (PEFT, KOHYA)]
    for name in (PEFT, KOHYA):  # hashed before, as the engine does when it applies them
        catalog.index.sha256(models / "loras" / f"{name}.safetensors")
    panel.set_lora_preferences(LoraPreferences(favourites=(), recent=(*recent, "0" * 64)))
    picker = open_picker(qtbot, panel)
    assert picker.section_titles() == ["Recently used", "All LoRA files (4)"]
    assert [f.name for f in picker.file_rows()[:2]] == [PEFT, KOHYA]


def test_an_empty_folder_teaches_where_loras_go_and_opens_it(
    qtbot, catalogs, tmp_path: Path, monkeypatch
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    catalog = catalogs(models, tmp_path / "data")
    panel = panel_with(qtbot, catalog)
    picker = open_picker(qtbot, panel)
    assert picker.pages.currentIndex() == 1
    text = picker.empty.text()
    assert str(models / "loras") in text and "ComfyUI" in text and "Forge" in text
    assert "Settings" in text
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    qtbot.mouseClick(picker.empty_open, Qt.MouseButton.LeftButton)
    assert (models / "loras").is_dir() and opened == [str(models / "loras")]
    qtbot.waitUntil(lambda: catalog.listing.folders == (models / "loras",), timeout=20_000)


def test_the_stack_row_weight_switch_and_trigger_words(qtbot, catalog: LoraCatalog) -> None:
    panel = panel_with(qtbot, catalog)
    stack = panel.lora_stack
    kohya = stack.add_file(catalog.listing.named(KOHYA))
    peft = stack.add_file(catalog.listing.named(PEFT))
    assert kohya is not None and peft is not None
    kohya.slider.setValue(-12)  # steps of 0.05
    assert kohya.weight.value() == pytest.approx(-0.6)
    peft.weight.setValue(1.35)
    assert peft.slider.value() == 27
    peft.switch.setChecked(False)
    assert not peft.slider.isEnabled()
    panel.prompt.setPlainText("a cat on a sofa")
    assert panel.request().loras == (LoraUse(KOHYA, -0.6), LoraUse(PEFT, 1.35, enabled=False))
    assert not peft.trigger.isEnabled() and "no trigger words" in peft.trigger.toolTip()
    qtbot.mouseClick(kohya.trigger, Qt.MouseButton.LeftButton)
    assert panel.prompt.toPlainText() == "ohwx cat, a cat on a sofa"
    qtbot.mouseClick(kohya.trigger, Qt.MouseButton.LeftButton)  # already there: once
    assert panel.prompt.toPlainText() == "ohwx cat, a cat on a sofa"
    panel.prompt.undo()
    assert panel.prompt.toPlainText() == "a cat on a sofa"
    tooltip = kohya.name.toolTip()
    for fact in ("tiny kohya", "flux1", "Rank: 4", "7 of 8", "KB", f"{KOHYA}.safetensors"):
        assert fact in tooltip
    qtbot.mouseClick(peft.remove, Qt.MouseButton.LeftButton)
    assert [row.use().name for row in stack.rows] == [KOHYA]
    for name in (INK, PEFT, "a", "b", "c"):
        stack.set_uses([*stack.uses(), LoraUse(name)])
    assert len(stack.rows) == 6 and not stack.add_button.isEnabled()
    assert "At most 6" in stack.add_button.toolTip()


def test_a_typed_tag_becomes_a_chip_and_part_of_the_request(qtbot, catalog: LoraCatalog) -> None:
    panel = panel_with(qtbot, catalog)
    panel.lora_stack.add_file(catalog.listing.named(KOHYA))
    panel.prompt.setFocus()
    qtbot.keyClicks(panel.prompt, "a cat <lora:tiny-peft:0.7>, sunny <lora:TINY-KOHYA:0.4>")
    states = panel.prompt.highlighter.tag_states()
    assert states == {PEFT: TagState.KNOWN, "TINY-KOHYA": TagState.KNOWN}
    panel.resize(900, panel.height())  # each tag on one line: one chip each
    chips = panel.prompt.chip_rects()
    assert len(chips) == 2 and all(state is TagState.KNOWN for _, state in chips)
    assert all(rect.width() > 40 for rect, _ in chips)
    drawn = panel.prompt.viewport().grab().toImage()
    rect = chips[0][0]
    colour = drawn.pixelColor(int(rect.left() + 1), int(rect.center().y()))
    assert colour.red() > colour.blue() + 20  # the accent chip behind the tag, not the base
    request = panel.request()
    assert request.prompt == "a cat, sunny"
    # the tag sets the weight of the stack's LoRA of that name; the other one is added
    assert request.loras == (LoraUse(KOHYA, 0.4), LoraUse(PEFT, 0.7))
    assert not panel.lora_hint.isVisible()
    emitted: list[GenerationRequest] = []
    panel.generate_requested.connect(emitted.append)
    assert panel.try_generate() and emitted[0].loras == request.loras


def test_an_unknown_tag_is_named_under_the_prompt_and_generate_is_refused(
    qtbot, catalog: LoraCatalog, models: Path
) -> None:
    panel = panel_with(qtbot, catalog)
    panel.prompt.setPlainText("a cat <lora:tiny-kohyaa:0.8> <lora:sdxl-style>")
    panel.show_checks()
    assert panel.prompt.highlighter.tag_states() == {
        "tiny-kohyaa": TagState.UNKNOWN,
        SDXL: TagState.UNKNOWN,
    }
    chips = panel.prompt.chip_rects()  # a tag that wraps has a piece on each line
    assert len(chips) >= 2 and {state for _, state in chips} == {TagState.UNKNOWN}
    hint = panel.lora_hint.text()
    assert panel.lora_hint.isVisible()
    assert "LoRA “tiny-kohyaa” is not in your LoRA folders" in hint
    assert str(models / "loras") in hint and "check the name" in hint
    assert "did you mean “tiny-kohya”?" in hint
    assert "LoRA “sdxl-style” cannot be used" in hint and "SDXL" in hint
    emitted: list[GenerationRequest] = []
    panel.generate_requested.connect(emitted.append)
    assert not panel.try_generate() and emitted == []
    panel.prompt.setPlainText("a cat <lora:tiny-kohya:0.8>")
    panel.show_checks()
    assert not panel.lora_hint.isVisible() and panel.try_generate()


def test_set_request_and_panel_state_restore_the_stack_and_the_typed_tags(
    qtbot, catalog: LoraCatalog
) -> None:
    panel = panel_with(qtbot, catalog)
    kohya_hash = catalog.index.sha256(catalog.listing.named(KOHYA))
    request = GenerationRequest(
        "a cat",
        seed=5,
        loras=(LoraUse(KOHYA, 0.75, kohya_hash), LoraUse(PEFT, 0.5, enabled=False)),
    )
    panel.set_request(request)
    assert panel.lora_stack.uses() == request.loras
    assert panel.request().loras == request.loras
    panel.prompt.setPlainText("a cat <lora:水墨山水:1.2>")
    state = panel.state()
    other = panel_with(qtbot, catalog)  # a language switch builds the panel anew
    other.restore(state)
    assert other.prompt.toPlainText() == "a cat <lora:水墨山水:1.2>"  # as typed, tag and all
    assert other.lora_stack.uses() == request.loras
    assert other.request().loras[-1] == LoraUse(INK, 1.2)


def test_a_row_known_only_by_hash_finds_its_renamed_file(
    qtbot, catalog: LoraCatalog, models: Path
) -> None:
    """An image made with a LoRA whose file was renamed since: reuse finds it by its hash."""
    original = models / "loras" / f"{PEFT}.safetensors"
    digest = sha256(original)
    original.rename(models / "loras" / "peft-renamed.safetensors")
    with qtbot.waitSignal(catalog.scanned, timeout=20_000):
        catalog.rescan()
    panel = panel_with(qtbot, catalog)
    panel.set_request(GenerationRequest("a", loras=(LoraUse(PEFT, 0.6, digest[:10]),)))
    row = panel.lora_stack.rows[0]
    qtbot.waitUntil(lambda: row.state is RowState.FOUND, timeout=20_000)
    assert row.use() == LoraUse("peft-renamed", 0.6, digest)


def test_settings_offer_the_lora_folders_of_known_comfyui_and_forge_installs(
    qtbot, tmp_path: Path
) -> None:
    from majicflux_desktop.ui.window.settings_dialog import SettingsDialog

    comfy = tmp_path / "ComfyUI"
    (comfy / "comfy").mkdir(parents=True)
    (comfy / "models" / "loras").mkdir(parents=True)
    forge = tmp_path / "forge"
    (forge / "modules").mkdir(parents=True)
    (forge / "models" / "Lora").mkdir(parents=True)
    mine = tmp_path / "my loras"
    mine.mkdir()
    shown = Settings(
        output_dir=tmp_path / "out",
        models_dir=tmp_path / "models",
        model_files={
            "dit": (comfy / "models" / "diffusion_models" / "majicflus_v134.safetensors",),
            "vae": (forge / "models" / "VAE" / "ae.safetensors",),
            "clip": (tmp_path / "elsewhere" / "clip_l.safetensors",),
        },
        lora_folders=(mine,),
    )
    dialog = SettingsDialog(shown)
    qtbot.addWidget(dialog)
    folders = dialog.lora_folders
    assert [(s.app, s.folder) for s in folders.suggestions] == [
        ("ComfyUI", comfy / "models" / "loras"),
        ("Forge / A1111", forge / "models" / "Lora"),
    ]
    assert folders.folders() == (mine,)
    qtbot.mouseClick(folders.offer_buttons[comfy / "models" / "loras"], Qt.MouseButton.LeftButton)
    assert not folders.offer_buttons[comfy / "models" / "loras"].isEnabled()
    folders.list.setCurrentRow(0)
    qtbot.mouseClick(folders.remove_button, Qt.MouseButton.LeftButton)
    edited = dialog.result_settings(shown)
    assert edited.lora_folders == (comfy / "models" / "loras",)
