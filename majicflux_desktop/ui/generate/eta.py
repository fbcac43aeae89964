"""How long the queue will take, from the seconds per step the engine measured."""

from __future__ import annotations

from collections.abc import Iterable

from majicflux_desktop.core.library import Job
from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.core.results import StepTiming


class EtaEstimator:
    """Remembers the latest timing per (size, cfg) and scales it to other sizes.

    A step's cost grows about linearly with the number of image tokens at these sizes, and CFG
    doubles it (two transformer passes).
    """

    def __init__(self) -> None:
        self._timings: dict[tuple[int, int, bool], StepTiming] = {}
        self._latest: StepTiming | None = None

    def learn(self, timing: StepTiming) -> None:
        self._timings[(timing.width, timing.height, timing.cfg)] = timing
        self._latest = timing

    def image_seconds(self, request: GenerationRequest) -> float | None:
        cfg = request.cfg_scale != 1.0
        exact = self._timings.get((request.width, request.height, cfg))
        if exact is not None:
            return exact.seconds_per_step * request.steps + exact.overhead_s
        base = self._latest
        if base is None:
            return None
        scale = (request.width * request.height) / (base.width * base.height)
        scale *= (2.0 if cfg else 1.0) / (2.0 if base.cfg else 1.0)
        return base.seconds_per_step * scale * request.steps + base.overhead_s * scale

    def queue_seconds(
        self, running: Job | None, running_eta_s: float | None, queued: Iterable[Job]
    ) -> float | None:
        """The running image's remaining time, the running job's other images, and the queue."""
        total = 0.0
        if running is not None:
            if running_eta_s is None:
                return None
            total += running_eta_s
            others = max(0, running.remaining - 1)
            if others:
                each = self.image_seconds(running.request)
                if each is None:
                    return None
                total += each * others
        for job in queued:
            each = self.image_seconds(job.request)
            if each is None:
                return None
            total += each * job.remaining
        return total
