"""The VRAM gauge: GPU memory used, this app's share, the job's peak and the plan's budget.

Polled twice a second on a QTimer through engine.memory.VramProbe (NVML, no torch). A poll only
reads the probe and schedules a repaint; the tooltip is built when it is asked for.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from majicflux_desktop.engine.memory import GIB, MemoryReading, VramProbe
from majicflux_desktop.ui.common import theme

POLL_MS = 500
WARN_FRACTION = 0.85
DANGER_FRACTION = 0.95


def gb(value: int | None) -> str:
    return "–" if value is None else f"{value / GIB:.1f}"


class VramGauge(QWidget):
    def __init__(self, probe: VramProbe, parent: QWidget | None = None):
        super().__init__(parent)
        self._probe = probe
        self._reading: MemoryReading | None = None
        self._plan = ""
        self._budget: int | None = None
        self._plan_reason = ""
        self._compiled = ""  # whether the maths are compiled, or why not (LoadReport)
        self._plan_host: int | None = None  # the plan's predicted peak host RAM
        self._job_peak: int | None = None
        self._job_running = False
        self.setMinimumSize(QSize(280, 22))
        self.setMouseTracking(True)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        self._timer.start()
        self.poll()

    # -- inputs ------------------------------------------------------------------------------
    def poll(self) -> None:
        reading = self._probe.read()
        self._reading = reading
        if self._job_running and reading.app is not None:
            self._job_peak = max(self._job_peak or 0, reading.app)
        self.update()

    def set_plan(
        self,
        plan: str,
        budget_bytes: int | None,
        reason: str = "",
        host_bytes: int | None = None,
        compiled: str = "",
    ) -> None:
        """`reason`: why `auto` chose the plan (VRAM and RAM); `host_bytes`: its predicted peak
        host RAM (LoadReport.host_bytes); `compiled`: whether the maths are compiled, or why not."""
        self._plan, self._budget, self._plan_reason = plan, budget_bytes, reason
        self._plan_host = host_bytes
        self._compiled = compiled
        self.update()

    def job_started(self) -> None:
        self._job_running, self._job_peak = True, None

    def job_ended(self, peak_bytes: int | None = None) -> None:
        self._job_running = False
        if peak_bytes is not None:
            self._job_peak = max(self._job_peak or 0, peak_bytes)
        self.update()

    @property
    def reading(self) -> MemoryReading | None:
        return self._reading

    # -- what it shows -----------------------------------------------------------------------
    def label(self) -> str:
        r = self._reading
        if r is None:
            return ""
        if not r.has_gpu:
            return self.tr("No NVIDIA GPU · RAM {used} / {total} GB").format(
                used=gb(r.system_used), total=gb(r.system_total)
            )
        text = self.tr("VRAM {used} / {total} GB").format(used=gb(r.used), total=gb(r.total))
        return f"{text} · {self._plan}" if self._plan else text

    def level(self) -> str:
        """good, warning or danger: how close the card is to full."""
        r = self._reading
        if r is None:
            return "good"
        used, total = (r.used, r.total) if r.has_gpu else (r.system_used, r.system_total)
        fraction = used / total if total else 0.0
        over_budget = r.has_gpu and self._budget is not None and (r.app or 0) > self._budget * 1.05
        if fraction >= DANGER_FRACTION:
            return "danger"
        if fraction >= WARN_FRACTION or over_budget:
            return "warning"
        return "good"

    def tooltip_html(self) -> str:
        r = self._reading
        if r is None:
            return ""
        rows: list[tuple[str, str]] = []
        if r.has_gpu:
            rows += [
                (self.tr("GPU"), r.name),
                (self.tr("Used / total"), f"{gb(r.used)} / {gb(r.total)} GB"),
                (self.tr("This app"), f"{gb(r.app)} GB"),
                (self.tr("Job peak"), f"{gb(self._job_peak)} GB"),
                (self.tr("Plan budget"), f"{gb(self._budget)} GB" if self._budget else "–"),
            ]
        else:
            detail = self._probe.error or self.tr("no NVIDIA driver")
            rows += [
                (self.tr("GPU"), self.tr("No NVIDIA GPU found ({detail})").format(detail=detail)),
                (self.tr("Running on"), self.tr("the CPU (very slow; the demo works)")),
            ]
        rows.append((self.tr("RAM"), f"{gb(r.system_used)} / {gb(r.system_total)} GB"))
        rows.append((self.tr("Memory plan"), self._plan or self.tr("not loaded yet")))
        if self._plan_host is not None:
            rows.append(
                (
                    self.tr("RAM for the plan"),
                    self.tr("about {need} GB at its peak").format(need=gb(self._plan_host)),
                )
            )
        if self._plan_reason:
            rows.append((self.tr("Why"), self._plan_reason))
        if self._compiled:
            rows.append((self.tr("Compiled maths"), self._compiled))
        cells = "".join(
            f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>" for k, v in rows
        )
        return f"<table cellspacing='4'>{cells}</table>"

    # -- Qt --------------------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            QToolTip.showText(event.globalPos(), self.tooltip_html(), self)  # type: ignore[attr-defined]
            return True
        return super().event(event)

    def sizeHint(self) -> QSize:
        width = self.fontMetrics().horizontalAdvance(self.label() or "VRAM 00.0 / 00.0 GB · fp8")
        return QSize(max(280, width + 24), 22)

    def paintEvent(self, event: QPaintEvent) -> None:
        r = self._reading
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bar = QRectF(self.rect()).adjusted(1, 2, -1, -2)
        palette = self.palette()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(bar, 4, 4)
        if r is not None:
            self._paint_fill(painter, bar, r)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(bar, Qt.AlignmentFlag.AlignCenter, self.label())
        painter.end()

    def _paint_fill(self, painter: QPainter, bar: QRectF, r: MemoryReading) -> None:
        used, total = (r.used, r.total) if r.has_gpu else (r.system_used, r.system_total)
        if not total:
            return

        def x_at(value: int) -> float:
            return bar.left() + bar.width() * min(1.0, value / total)

        colour = QColor(
            {"good": theme.GOOD, "warning": theme.WARNING, "danger": theme.DANGER}[self.level()]
        )
        colour.setAlpha(150)
        painter.setBrush(colour)
        painter.drawRoundedRect(
            QRectF(bar.left(), bar.top(), x_at(used) - bar.left(), bar.height()), 4, 4
        )
        if r.has_gpu and r.app:
            colour.setAlpha(230)
            painter.setBrush(colour)
            painter.drawRect(
                QRectF(bar.left() + 2, bar.bottom() - 4, x_at(r.app) - bar.left() - 2, 3)
            )
        if r.has_gpu and self._job_peak:
            painter.setPen(QPen(QColor(theme.ACCENT), 2))
            x = x_at(self._job_peak)
            painter.drawLine(int(x), int(bar.bottom() - 6), int(x), int(bar.bottom()))
        if r.has_gpu and self._budget:
            painter.setPen(
                QPen(self.palette().color(QPalette.ColorRole.Text), 2, Qt.PenStyle.DotLine)
            )
            x = x_at(self._budget)
            painter.drawLine(int(x), int(bar.top()), int(x), int(bar.bottom()))
        painter.setPen(Qt.PenStyle.NoPen)
