"""Run the app with some modules absent, as PyInstaller's excludes leave them in the frozen app.

    python without_modules.py tkinter,imageio_ffmpeg -- --self-test

Absent means not found: `import` raises ModuleNotFoundError and `importlib.util.find_spec` says
None, exactly as in a bundle built without them.
"""

from __future__ import annotations

import sys
from typing import Any

HIDDEN = [name for name in sys.argv[1].split(",") if name]


def hidden(name: str) -> bool:
    return any(name == h or name.startswith(h + ".") for h in HIDDEN)


class Hide:
    def __init__(self, finder: Any):
        self.finder = finder

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        return None if hidden(name) else self.finder.find_spec(name, path, target)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.finder, attribute)


sys.meta_path[:] = [Hide(f) if hasattr(f, "find_spec") else f for f in sys.meta_path]

from majicflux_desktop.__main__ import main  # noqa: E402

code = main(sys.argv[sys.argv.index("--") + 1 :])
leaked = sorted(name for name in sys.modules if hidden(name))
if leaked:
    print("imported although absent:", leaked, file=sys.stderr)
    code = code or 1
sys.exit(code)
