"""Garbage is collected on the UI thread, never on the worker's or a reader's."""

from __future__ import annotations

import gc
import threading
from typing import ClassVar

from majicflux_desktop.ui.common.collector import MainThreadCollector, collect_on_the_ui_thread


class Cycle:
    collected_on: ClassVar[list[str]] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        Cycle.collected_on.append(threading.current_thread().name)


def test_cycles_made_and_dropped_on_another_thread_are_collected_on_the_ui_thread(qtbot) -> None:
    collector = collect_on_the_ui_thread()
    assert collect_on_the_ui_thread() is collector  # one per application
    assert not gc.isenabled()
    gc.collect()
    Cycle.collected_on.clear()

    made: list[list[int]] = []

    def busy_worker() -> None:
        Cycle()  # garbage from now on
        # the worker's next allocations pass the threshold: a plain gc collects on this thread
        made.extend([] for _ in range(20 * gc.get_threshold()[0]))

    worker = threading.Thread(target=busy_worker, name="worker")
    worker.start()
    worker.join()
    assert Cycle.collected_on == []
    qtbot.waitUntil(lambda: Cycle.collected_on == ["MainThread"], timeout=5_000)


def test_collection_follows_the_thresholds(qtbot) -> None:
    collector = collect_on_the_ui_thread()
    gc.collect()
    Cycle.collected_on.clear()
    Cycle()
    collector.collect()  # few allocations since: nothing to do yet
    assert Cycle.collected_on == []
    made = [[] for _ in range(2 * gc.get_threshold()[0])]
    collector.collect()
    assert Cycle.collected_on == ["MainThread"]
    assert made


def test_gc_is_on_again_when_the_collector_goes(qtbot) -> None:
    from PySide6.QtCore import QObject

    parent = QObject()
    MainThreadCollector(parent)
    assert not gc.isenabled()
    parent.deleteLater()
    qtbot.waitUntil(gc.isenabled)
    collect_on_the_ui_thread()  # the application's collector is still there: off again
    assert collect_on_the_ui_thread() is not None
