"""Choosing a memory plan from the card's free memory, with the figures measured on the device."""

from __future__ import annotations

import pytest

from majicflux_desktop.engine import memory
from majicflux_desktop.engine.memory import GIB, MemoryReading


def card(total_gib: float, used_gib: float = 0.5) -> MemoryReading:
    return MemoryReading(True, "card", int(total_gib * GIB), int(used_gib * GIB))


@pytest.mark.parametrize(
    ("total", "plan"),
    [
        (80, "bf16"),
        (48, "bf16"),
        (32, "fp8"),
        (24, "fp8-stream"),
        (12, "fp8-stream"),
        (8, "fp8-stream"),
    ],
)
def test_auto_takes_the_fastest_plan_that_fits(total: float, plan: str) -> None:
    choice = memory.choose_plan(card(total))
    assert choice.plan == plan
    free = total - 0.5
    if plan == "bf16":
        assert choice.budget_bytes is None
    else:  # what is free, less room for the desktop and other apps
        assert choice.budget_bytes == pytest.approx((free - memory.HEADROOM) * GIB, abs=1)


def test_bigger_images_need_more_memory() -> None:
    # 35.1 GB at 1024x1024 plus the headroom fits 36.5 GB free; 1536x1536 does not.
    reading = card(37.0)
    assert memory.choose_plan(reading, 1024, 1024).plan == "bf16"
    assert memory.choose_plan(reading, 1536, 1536).plan == "fp8"


def test_the_reason_names_the_plan_and_the_numbers() -> None:
    text = memory.choose_plan(card(12)).reason.text()
    assert "fp8-stream" in text and "11.5 GB free" in text and "10.6 GB budget" in text
    assert "CPU" in memory.choose_plan(MemoryReading(False)).reason.text()


def test_no_nvml_reading_is_said_in_words() -> None:
    """The gauge's tooltip shows why there is no GPU reading: not pynvml's class names."""
    import pynvml

    for code, words in (
        (pynvml.NVML_ERROR_LIBRARY_NOT_FOUND, "no NVIDIA driver is installed"),
        (pynvml.NVML_ERROR_DRIVER_NOT_LOADED, "installed but not running"),
        (pynvml.NVML_ERROR_NO_PERMISSION, "no permission"),
        (pynvml.NVML_ERROR_GPU_IS_LOST, "gave no reading"),
    ):
        text = memory.nvml_problem(pynvml.NVMLError(code)).text()
        assert words in text and "NVMLError" not in text
    assert "no NVIDIA driver" in memory.nvml_problem(ImportError("no pynvml")).text()
    probe = memory.VramProbe()
    if not probe.has_gpu:  # this machine: the real error of a machine without the driver
        assert probe.error and "NVMLError" not in probe.error and "Error" not in probe.error
