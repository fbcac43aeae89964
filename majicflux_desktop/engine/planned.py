"""One file of a download plan: where it comes from and where it goes on disk.

Apart from download.py (which makes plans and runs them) so that transfer.py, which keeps the
`.part` file of one of them, can name it without importing download.py back: no import circle.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from majicflux_desktop.engine import catalog
from majicflux_desktop.engine.hub import RemoteFile, Source

PART, STATE = ".part", ".part.json"  # a file on its way in, and what it was started from


def beside(target: Path, ending: str) -> Path:
    return target.with_name(target.name + ending)


def target_path(models_dir: Path, spec: catalog.FileSpec, path: str) -> Path:
    """Where a repository file lands: <models_dir>/<repo>/<its path in the repository>."""
    return models_dir.joinpath(*spec.repo.split("/"), *path.split("/"))


@dataclass(frozen=True)
class PlannedFile:
    role: str
    repo: str
    path: str  # inside the repository; also the path under <models_dir>/<repo>/
    source: Source
    remote: RemoteFile
    target: Path
    present: bool = False  # complete on disk before the download started
    url: str = ""  # a file with no hub behind it (a LoRA's download link): its own address

    @property
    def where(self) -> str:
        """Where it comes from, for people: the repository and path, or the address."""
        return self.url or f"{self.repo}/{self.path}"

    @property
    def size(self) -> int:
        return self.remote.size

    @property
    def part(self) -> Path:
        return beside(self.target, PART)

    @property
    def state_file(self) -> Path:
        return beside(self.target, STATE)

    @property
    def corrupt(self) -> Path:
        return beside(self.target, ".corrupt")

    @property
    def title(self) -> str:
        spec = catalog.SPECS.get(self.role)
        return spec.title if spec is not None else self.target.name
