"""The panels on their own: sizes, seeds, CFG with a negative prompt, checks, ETA, the gauge."""

from __future__ import annotations

from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.core.results import StepTiming
from majicflux_desktop.core.settings import GenerationDefaults
from majicflux_desktop.core.store.jobs import Job, JobState
from majicflux_desktop.engine.memory import GIB, MemoryReading
from majicflux_desktop.ui.common.durations import format_clock
from majicflux_desktop.ui.generate.eta import EtaEstimator
from majicflux_desktop.ui.generate.prompt_panel import CFG_WITH_NEGATIVE, TURN_CFG_ON, PromptPanel
from majicflux_desktop.ui.generate.size_picker import CUSTOM, SizePicker, preset_size
from majicflux_desktop.ui.window.vram_gauge import VramGauge


def test_presets_keep_the_long_side_and_snap_to_16() -> None:
    assert preset_size("1:1", 1024) == (1024, 1024)
    assert preset_size("9:16", 1024) == (576, 1024)
    assert preset_size("16:9", 1024) == (1024, 576)
    assert preset_size("2:3", 1024) == (688, 1024)
    for aspect in ("3:4", "4:3", "3:2"):
        assert all(side % 16 == 0 for side in preset_size(aspect, 1280))


def test_custom_sizes_snap_and_known_sizes_find_their_preset(qtbot) -> None:
    picker = SizePicker()
    qtbot.addWidget(picker)
    picker.set_size(1000, 600)
    assert picker.image_size() == (1008, 608) and picker.preset()[0] == CUSTOM
    picker.set_size(768, 1024)
    assert picker.preset() == ("3:4", 1024)
    picker.width_spin.setValue(1000)  # typed by hand: snapped, and custom
    assert picker.image_size() == (1008, 1024) and picker.preset()[0] == CUSTOM


def panel(qtbot, locked: bool = False) -> PromptPanel:
    widget = PromptPanel(GenerationDefaults(), seed_locked=locked)
    qtbot.addWidget(widget)
    return widget


def test_a_negative_prompt_says_what_cfg_costs_and_leaves_the_choice_to_the_user(qtbot) -> None:
    p = panel(qtbot)
    p.negative.setPlainText("blurry")
    p.show_checks()
    assert p.cfg.value() == 1.0  # nothing changes behind the user's back
    assert "doubles the time" in p.messages.text() and TURN_CFG_ON in p.messages.text()
    p.messages.linkActivated.emit(TURN_CFG_ON)  # the link in the hint
    assert p.cfg.value() == CFG_WITH_NEGATIVE
    p.show_checks()
    assert TURN_CFG_ON not in p.messages.text()


def test_generate_shows_problems_instead_of_queueing(qtbot) -> None:
    p = panel(qtbot)
    emitted: list[GenerationRequest] = []
    p.generate_requested.connect(emitted.append)
    assert p.messages.text() == ""  # no nagging before the first try
    assert not p.try_generate()
    assert emitted == [] and "prompt is empty" in p.messages.text()
    p.prompt.setPlainText("a cat")
    assert p.try_generate()
    assert emitted[0].prompt == "a cat"


def test_unlocked_seed_rolls_after_generate_locked_seed_stays(qtbot) -> None:
    p = panel(qtbot)
    p.prompt.setPlainText("a cat")
    p.seed.setText("42")
    emitted: list[GenerationRequest] = []
    p.generate_requested.connect(emitted.append)
    p.try_generate()
    assert emitted[0].seed == 42 and p.seed_value() != 42
    p.set_seed(7)
    assert p.seed_locked
    p.try_generate()
    p.try_generate()
    assert [r.seed for r in emitted[1:]] == [7, 7] and p.seed_value() == 7
    p.seed.setText("")
    p.try_generate()
    assert emitted[-1].seed is None  # empty: a random seed per image


def test_chinese_prompt_warning_is_shown(qtbot) -> None:
    p = panel(qtbot)
    p.prompt.setPlainText("一只在窗台上睡觉的橘猫")
    p.show_checks()
    assert "English" in p.messages.text()


def job(request: GenerationRequest, state: JobState = JobState.QUEUED, done: int = 0) -> Job:
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    return Job(1, now, request, state, 1, "", None, None, done)


def test_eta_counts_the_running_image_the_rest_of_its_job_and_the_queue() -> None:
    eta = EtaEstimator()
    request = GenerationRequest("a", steps=10, width=512, height=512, count=3)
    assert eta.image_seconds(request) is None
    eta.learn(StepTiming(512, 512, False, seconds_per_step=0.5, overhead_s=1.0))
    assert eta.image_seconds(request) == 6.0
    bigger = GenerationRequest("b", steps=10, width=1024, height=1024, cfg_scale=2.0)
    assert eta.image_seconds(bigger) == 0.5 * 4 * 2 * 10 + 1.0 * 8
    running = job(request, JobState.RUNNING, done=1)
    total = eta.queue_seconds(running, 2.0, [job(bigger)])
    assert total == 2.0 + 6.0 + eta.image_seconds(bigger)
    assert format_clock(75) == "1:15" and format_clock(3725) == "1:02:05"
    assert format_clock(None) == "–"


class FakeProbe:
    error = ""

    def __init__(self, reading: MemoryReading):
        self.reading = reading

    def read(self) -> MemoryReading:
        return self.reading


def test_gauge_without_gpu_says_so_and_shows_ram(qtbot) -> None:
    gauge = VramGauge(FakeProbe(MemoryReading(False, system_total=16 * GIB, system_used=4 * GIB)))
    qtbot.addWidget(gauge)
    assert gauge.label() == "No NVIDIA GPU · RAM 4.0 / 16.0 GB"
    assert "No NVIDIA GPU found" in gauge.tooltip_html()
    assert gauge.level() == "good"


def test_gauge_with_gpu_shows_plan_budget_peak_and_warns_near_the_limit(qtbot) -> None:
    probe = FakeProbe(MemoryReading(True, "RTX 4070", 12 * GIB, 6 * GIB, 5 * GIB, 32 * GIB, GIB))
    gauge = VramGauge(probe)  # type: ignore[arg-type]
    qtbot.addWidget(gauge)
    gauge.set_plan("fp8-stream", 8 * GIB, "fp8-stream: 11.0 GB free")
    gauge.job_started()
    gauge.poll()
    assert gauge.label() == "VRAM 6.0 / 12.0 GB · fp8-stream"
    tooltip = gauge.tooltip_html()
    for expected in ("RTX 4070", "6.0 / 12.0 GB", "5.0 GB", "8.0 GB", "fp8-stream: 11.0 GB free"):
        assert expected in tooltip
    assert gauge.level() == "good"
    calm = gauge.grab().toImage().pixelColor(8, gauge.height() // 2)  # in the bar's filled part
    assert calm.green() > calm.red()
    probe.reading = MemoryReading(True, "RTX 4070", 12 * GIB, int(11.6 * GIB), 10 * GIB)
    gauge.poll()
    assert gauge.level() == "danger"  # near the limit, and over the plan's budget
    gauge.job_ended()
    assert "10.0 GB" in gauge.tooltip_html()  # the job's peak is kept
    alarm = gauge.grab().toImage().pixelColor(8, gauge.height() // 2)
    assert alarm.red() > alarm.green() and alarm.red() > calm.red()  # the bar turned red


def test_settings_dialog_edits_every_setting(qtbot, tmp_path) -> None:
    from pathlib import Path

    from majicflux_desktop.core.settings import Settings
    from majicflux_desktop.ui.window.settings_dialog import SettingsDialog

    shown = Settings(output_dir=tmp_path / "out", models_dir=tmp_path / "models")
    dialog = SettingsDialog(shown)
    qtbot.addWidget(dialog)
    dialog.language.setCurrentIndex(dialog.language.findData("zh_CN"))
    dialog.theme.setCurrentIndex(dialog.theme.findData("light"))
    dialog.plan.setCurrentIndex(dialog.plan.findData("fp8-stream"))
    dialog.auto_budget.setChecked(False)
    dialog.budget.setValue(6.5)
    dialog.fp8_matmul.setCurrentIndex(dialog.fp8_matmul.findData("off"))
    dialog.compiled_maths.setCurrentIndex(dialog.compiled_maths.findData("off"))
    dialog.models_dir.setText(str(tmp_path / "comfy"))
    dialog.steps.setValue(28)
    dialog.aspect.setCurrentIndex(dialog.aspect.findData("16:9"))
    edited = dialog.result_settings(shown)
    assert (edited.language, edited.theme, edited.memory_plan) == ("zh_CN", "light", "fp8-stream")
    assert edited.vram_budget_gb == 6.5 and edited.fp8_matmul == "off"
    assert edited.compiled_maths == "off"
    assert edited.models_dir == Path(tmp_path / "comfy")
    assert edited.generation.steps == 28 and edited.generation.aspect_ratio == "16:9"
    assert edited.output_dir == tmp_path / "out"


def test_settings_dialog_keeps_what_changed_while_it_was_open(qtbot, tmp_path) -> None:
    """A download finishes Model setup while Settings is open: OK takes only the fields edited in
    the dialog and keeps the new models folder and chosen files."""
    import dataclasses

    from majicflux_desktop.core.settings import Settings
    from majicflux_desktop.ui.window.settings_dialog import SettingsDialog

    shown = Settings(output_dir=tmp_path / "out", models_dir=tmp_path / "old models")
    dialog = SettingsDialog(shown)
    qtbot.addWidget(dialog)
    dialog.theme.setCurrentIndex(dialog.theme.findData("light"))
    chosen = {"dit": (tmp_path / "comfy" / "majicflus_v134.safetensors",)}
    now = dataclasses.replace(
        shown, models_dir=tmp_path / "downloaded", model_files=chosen, seed_locked=True
    )
    edited = dialog.result_settings(now)
    assert edited.theme == "light"
    assert edited.models_dir == tmp_path / "downloaded" and edited.model_files == chosen
    assert edited.seed_locked


def test_gauge_tooltip_says_why_the_plan_was_chosen_including_ram(qtbot) -> None:
    """A 16 GB PC with a 12 GB card: the tooltip gives auto's reason (VRAM and RAM figures,
    the fix when RAM is short) and the plan's predicted peak host RAM."""
    from majicflux_desktop.engine import memory

    reading = MemoryReading(True, "RTX 3060", 12 * GIB, GIB // 2, None, 16 * GIB, int(8.5 * GIB))
    choice = memory.choose_plan(reading)
    gauge = VramGauge(FakeProbe(reading))  # type: ignore[arg-type]
    qtbot.addWidget(gauge)
    gauge.set_plan(choice.plan, choice.budget_bytes, choice.reason.text(), choice.host_bytes)
    tooltip = gauge.tooltip_html()
    assert choice.host_bytes is not None
    need = f"{choice.host_bytes / GIB:.1f}"
    assert "RAM for the plan" in tooltip and f"about {need} GB at its peak" in tooltip
    assert "11.5 GB free" in tooltip and f"{need} GB of RAM" in tooltip
    assert "only 7.5 GB of RAM is available" in tooltip and "Close other programs" in tooltip
    assert "7.5 / 16.0 GB" not in tooltip and "8.5 / 16.0 GB" in tooltip  # the RAM row
    gauge.set_plan("fp8-stream", 8 * GIB)  # a plan from the settings: no reason, no RAM row
    assert "RAM for the plan" not in gauge.tooltip_html()


def test_the_queue_says_when_a_step_compiles_and_shows_its_progress(qtbot, library) -> None:
    from majicflux_desktop.core.results import Phase, Progress
    from majicflux_desktop.ui.generate.queue_panel import QueuePanel

    panel = QueuePanel(library.jobs)
    qtbot.addWidget(panel)
    queued = library.jobs.enqueue(GenerationRequest("a cat", steps=20, width=512, height=512))
    running = library.jobs.mark_running(queued.id)
    assert running is not None
    panel.on_job_changed(running)
    panel.on_progress(running.id, Progress(Phase.COMPILING, 1, 2, None))
    assert "image 1 of 1 · compiling this size (once)" in panel.progress_label.text()
    assert (panel.progress.value(), panel.progress.maximum()) == (1, 2)
    panel.on_progress(running.id, Progress(Phase.PREPARING, 0, 2, None))
    assert "loading compiled maths" in panel.row_texts()[0]
    panel.on_progress(running.id, Progress(Phase.DENOISING, 1, 20, 4.0))
    assert "step 2/20" in panel.progress_label.text()
