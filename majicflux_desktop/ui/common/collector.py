"""Python's garbage collection, run on the UI thread only.

The collector runs on whichever thread allocates when a generation's count passes its threshold:
the engine's worker thread, the thumbnail and file readers, a download. When a cycle it breaks
holds a Qt object (a widget, a timer, a file watcher), Qt deletes it on that thread, which Qt does
not allow, and the app may crash much later. The UI thread collects instead, from a timer, with
the same thresholds (the way Anki does).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 500


class MainThreadCollector(QObject):
    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect)
        self.timer.start(INTERVAL_MS)
        self.destroyed.connect(lambda *_: gc.enable())

    def collect(self) -> None:
        """Collect the generations whose counts passed their thresholds, as gc would."""
        counts = gc.get_count()
        generation = -1
        for level, (count, threshold) in enumerate(zip(counts, self.threshold, strict=True)):
            if count <= threshold:
                break
            generation = level
        if generation >= 0:
            gc.collect(generation)


def collect_on_the_ui_thread() -> MainThreadCollector:
    """Install the collector for the application (once; the same one is returned after)."""
    app = QCoreApplication.instance()
    assert app is not None, "make the QApplication first"
    found = app.findChild(MainThreadCollector)
    return found if found is not None else MainThreadCollector(app)
