from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest

from majicflux_desktop.core import settings as settings_module
from majicflux_desktop.core.paths import AppPaths
from majicflux_desktop.core.settings import (
    GenerationDefaults,
    Settings,
    default_settings,
    load_settings,
    save_settings,
    schema_version,
)


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths.portable(tmp_path / "数据 folder")


@pytest.fixture
def file(paths: AppPaths) -> Path:
    return paths.settings_file


def write_json(path: Path, data: Any) -> bytes:
    raw = json.dumps(data, ensure_ascii=False).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return raw


def saved_dict(paths: AppPaths, **changes: Any) -> dict[str, Any]:
    data = settings_module.settings_to_dict(default_settings(paths), paths.data_dir)
    data.update(changes)
    return data


def texts(notes: list) -> str:
    return "\n".join(note.text() for note in notes)


def test_no_file_means_defaults_and_no_notice(paths: AppPaths, file: Path) -> None:
    loaded, notes = load_settings(file, paths)
    assert notes == []
    assert loaded.output_dir == paths.default_output_dir
    assert loaded.models_dir == paths.default_models_dir
    assert (loaded.language, loaded.theme, loaded.memory_plan) == ("auto", "dark", "auto")
    assert loaded.generation == GenerationDefaults(20, "1:1", 1024, 3.5, 1.0, 1)
    assert loaded.download_source == "modelscope" and loaded.seed_locked is False
    assert loaded.vram_budget_gb is None and dict(loaded.model_files) == {}


def test_every_field_round_trips(paths: AppPaths, file: Path, tmp_path: Path) -> None:
    changed = dataclasses.replace(
        default_settings(paths),
        language="zh_CN",
        output_dir=tmp_path / "我的图片",
        models_dir=tmp_path / "ComfyUI" / "models",
        model_files={
            "dit": (tmp_path / "ComfyUI" / "models" / "unet" / "majicflus_v134.safetensors",),
            "t5": (tmp_path / "t5" / "a.safetensors", tmp_path / "t5" / "b.safetensors"),
        },
        memory_plan="fp8-stream",
        vram_budget_gb=6.5,
        theme="light",
        generation=GenerationDefaults(28, "9:16", 1344, 2.5, 3.0, 4),
        download_source="https://mirror.example.cn/hub",
        seed_locked=True,
        compiled_maths="off",
    )
    save_settings(file, changed)
    loaded, notes = load_settings(file, paths)
    assert notes == []
    assert loaded == changed
    assert json.loads(file.read_text("utf-8"))["schema_version"] == schema_version()
    assert "我的图片" in file.read_text("utf-8")  # readable UTF-8, not \\u escapes


def test_paths_inside_the_data_folder_move_with_it(paths: AppPaths, tmp_path: Path) -> None:
    save_settings(paths.settings_file, default_settings(paths))
    stored = json.loads(paths.settings_file.read_text("utf-8"))
    assert (stored["output_dir"], stored["models_dir"]) == ("images", "models")
    moved = AppPaths.portable(tmp_path / "elsewhere")
    paths.data_dir.rename(moved.data_dir)
    loaded, notes = load_settings(moved.settings_file, moved)
    assert notes == []
    assert loaded.output_dir == moved.data_dir / "images"
    assert loaded.models_dir == moved.data_dir / "models"


@pytest.mark.parametrize(
    "raw",
    [
        b"{ not json",
        b"",
        b"\xff\xfe\x00garbage",
        b"[1, 2, 3]",
        b'"just a string"',
        b"[" * 100_000,
    ],
)
def test_an_unreadable_file_gives_defaults_and_is_kept(
    paths: AppPaths, file: Path, raw: bytes
) -> None:
    file.parent.mkdir(parents=True)
    file.write_bytes(raw)
    loaded, notes = load_settings(file, paths)
    assert loaded == default_settings(paths)
    [note] = notes
    assert note.context == "settings"
    assert "could not be read" in note.text() and "settings.json.bak" in note.text()
    assert file.with_name("settings.json.bak").read_bytes() == raw


def test_a_folder_where_the_file_should_be_is_a_notice_not_a_crash(
    paths: AppPaths, file: Path
) -> None:
    file.mkdir(parents=True)
    loaded, notes = load_settings(file, paths)
    assert loaded == default_settings(paths) and len(notes) == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("language", "fr"),
        ("language", ["en"]),
        ("theme", 3),
        ("memory_plan", "fp4"),
        ("vram_budget_gb", -1),
        ("vram_budget_gb", "8"),
        ("vram_budget_gb", True),
        ("output_dir", ""),
        ("output_dir", 5),
        ("models_dir", None),
        ("download_source", "ftp://mirror.example.cn"),
        ("download_source", "modelscope.cn"),
        ("seed_locked", "yes"),
        ("seed_locked", 1),
        ("compiled_maths", "on"),
        ("model_files", "C:/models"),
        ("generation", [20]),
    ],
)
def test_an_invalid_value_falls_back_to_its_default_with_a_notice(
    paths: AppPaths, file: Path, name: str, value: Any
) -> None:
    witness = ("theme", "light") if name == "language" else ("language", "en")
    raw = write_json(file, saved_dict(paths, **{name: value, witness[0]: witness[1]}))
    loaded, notes = load_settings(file, paths)
    assert getattr(loaded, name) == getattr(default_settings(paths), name)
    assert f"“{name}”" in notes[0].text()
    assert getattr(loaded, witness[0]) == witness[1]  # the valid values are kept
    assert "settings.json.bak" in notes[-1].text()
    assert file.with_name("settings.json.bak").read_bytes() == raw


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("steps", 0),
        ("steps", 101),
        ("steps", 20.5),
        ("steps", True),
        ("aspect_ratio", "5:4"),
        ("long_side", 1000),
        ("long_side", 4096),
        ("guidance", "high"),
        ("guidance", float("nan")),
        ("cfg_scale", 0.5),
        ("count", 100),
    ],
)
def test_an_invalid_generation_default_is_named(
    paths: AppPaths, file: Path, name: str, value: Any
) -> None:
    witness = ("count", 3) if name != "count" else ("steps", 30)
    data = saved_dict(paths)
    data["generation"] = {**data["generation"], witness[0]: witness[1], name: value}
    write_json(file, data)
    loaded, notes = load_settings(file, paths)
    assert getattr(loaded.generation, name) == getattr(GenerationDefaults(), name)
    assert f"“generation.{name}”" in notes[0].text()
    assert getattr(loaded.generation, witness[0]) == witness[1]


def test_model_files_keep_the_good_roles(paths: AppPaths, file: Path, tmp_path: Path) -> None:
    dit = str(tmp_path / "unet" / "majicflus_v134.safetensors")
    write_json(
        file,
        saved_dict(
            paths,
            model_files={"dit": [dit], "unet": [dit], "vae": "ae.safetensors", "clip": []},
        ),
    )
    loaded, notes = load_settings(file, paths)
    assert dict(loaded.model_files) == {"dit": (Path(dit),)}
    named = texts(notes)
    assert "model_files.unet" in named and "model_files.vae" in named
    assert "model_files.clip" in named


def test_unknown_settings_are_named_and_ignored(paths: AppPaths, file: Path) -> None:
    data = saved_dict(paths, window_opacity=0.5)
    data["generation"]["sampler"] = "euler"
    write_json(file, data)
    loaded, notes = load_settings(file, paths)
    assert loaded == default_settings(paths)
    assert "“window_opacity”" in texts(notes) and "“generation.sampler”" in texts(notes)


def test_a_file_from_a_newer_version_keeps_what_it_can(paths: AppPaths, file: Path) -> None:
    write_json(file, saved_dict(paths, schema_version=99, theme="light", future_thing=1))
    loaded, notes = load_settings(file, paths)
    assert loaded.theme == "light"
    assert "newer version" in texts(notes) and "“future_thing”" in texts(notes)


def test_a_missing_schema_version_is_noticed_but_values_are_read(
    paths: AppPaths, file: Path
) -> None:
    data = saved_dict(paths, theme="light")
    del data["schema_version"]
    write_json(file, data)
    loaded, notes = load_settings(file, paths)
    assert loaded.theme == "light" and "“schema_version”" in texts(notes)


def test_an_older_schema_is_migrated(
    paths: AppPaths, file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def rename_lock_seed(data: dict[str, Any]) -> dict[str, Any]:
        data = dict(data)
        data["seed_locked"] = data.pop("lock_seed", False)
        return data

    monkeypatch.setattr(settings_module, "MIGRATIONS", [rename_lock_seed])
    old = saved_dict(paths, schema_version=1, lock_seed=True)
    del old["seed_locked"]
    write_json(file, old)

    loaded, notes = load_settings(file, paths)

    assert notes == [] and loaded.seed_locked is True
    save_settings(file, loaded)
    assert json.loads(file.read_text("utf-8"))["schema_version"] == 2


def test_a_byte_order_mark_is_fine(paths: AppPaths, file: Path) -> None:
    file.parent.mkdir(parents=True)
    file.write_bytes(b"\xef\xbb\xbf" + json.dumps(saved_dict(paths, theme="light")).encode())
    loaded, notes = load_settings(file, paths)
    assert notes == [] and loaded.theme == "light"


def test_a_failed_save_leaves_the_old_file(
    paths: AppPaths, file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_settings(file, default_settings(paths))
    before = file.read_bytes()

    def power_cut(src: object, dst: object) -> None:
        raise OSError("simulated crash before the rename")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError):
        save_settings(file, dataclasses.replace(default_settings(paths), theme="light"))
    monkeypatch.undo()
    assert file.read_bytes() == before
    assert sorted(p.name for p in file.parent.iterdir()) == ["settings.json"]  # no temp left


def test_settings_are_frozen(paths: AppPaths) -> None:
    current = default_settings(paths)
    with pytest.raises(dataclasses.FrozenInstanceError):
        current.theme = "light"  # type: ignore[misc]
    changed = dataclasses.replace(current, model_files={"vae": (Path("ae.safetensors"),)})
    with pytest.raises(TypeError):
        changed.model_files["vae"] = ()  # type: ignore[index]
    assert changed.model_files["vae"] == (Path("ae.safetensors"),)
    assert isinstance(Settings, type) and current.theme == "dark"


def test_the_choices_match_the_engine() -> None:
    from majicflux_desktop.engine import catalog, memory

    assert settings_module.MEMORY_PLANS == memory.PLAN_NAMES
    from majicflux_desktop.engine import compiled

    assert set(settings_module.COMPILED_MATHS) <= set(compiled.MODES)
    assert set(settings_module.MODEL_ROLES) == {spec.role for spec in catalog.REQUIRED}


def test_a_file_name_that_is_not_utf8_round_trips(
    paths: AppPaths, file: Path, tmp_path: Path
) -> None:
    """GBK bytes from an archive unpacked on Linux reach Python as lone surrogates: saving them
    must neither fail nor lose them, and the file stays UTF-8 JSON."""
    gbk = os.fsdecode("模型".encode("gbk") + b".safetensors")  # "ģ\udcd0\udccd.safetensors"
    odd = tmp_path / "解压" / gbk
    changed = dataclasses.replace(
        default_settings(paths), model_files={"dit": (odd,)}, output_dir=tmp_path / gbk
    )
    save_settings(file, changed)
    raw = file.read_bytes()
    raw.decode("utf-8")  # valid UTF-8 throughout
    assert b"\\udcd0\\udccd" in raw and "解压".encode() in raw  # escaped; readable names kept
    loaded, notes = load_settings(file, paths)
    assert notes == [] and loaded == changed
    assert os.fsencode(loaded.model_files["dit"][0]) == os.fsencode(odd)


def test_one_absurd_number_resets_only_its_field(paths: AppPaths, file: Path) -> None:
    """Python will not read an integer of more than 4,300 digits: that must not reset the rest."""
    data = saved_dict(paths, theme="light", language="en")
    text = json.dumps(data).replace('"count": 1', '"count": ' + "9" * 5000)
    text = text.replace('"vram_budget_gb": null', '"vram_budget_gb": -' + "1" * 5000)
    file.parent.mkdir(parents=True)
    file.write_text(text, "utf-8")
    loaded, notes = load_settings(file, paths)
    assert (loaded.theme, loaded.language) == ("light", "en")  # everything else kept
    assert loaded.generation.count == 1 and loaded.vram_budget_gb is None
    named = texts(notes)
    assert "“generation.count”" in named and "“vram_budget_gb”" in named
    assert "999999999999… (5000 digits)" in named
    assert "settings.json.bak" in named


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{ not json", "it is not valid JSON"),
        (b"\xff\xfe\x00garbage", "it is not UTF-8 text"),
        (b"[1, 2]", "it holds no settings"),
        (b"[" * 100_000, "it is nested too deeply"),
    ],
)
def test_why_a_file_is_unreadable_is_said_in_words(
    paths: AppPaths, file: Path, raw: bytes, reason: str
) -> None:
    file.parent.mkdir(parents=True)
    file.write_bytes(raw)
    _, [note] = load_settings(file, paths)
    assert f"could not be read ({reason})" in note.text()
    assert "Error" not in note.text()  # no JSONDecodeError, UnicodeDecodeError, RecursionError
