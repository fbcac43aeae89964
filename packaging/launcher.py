"""The frozen app's entry point: PyInstaller runs this file as __main__."""

from __future__ import annotations

import multiprocessing
import sys

from majicflux_desktop.__main__ import main

if __name__ == "__main__":
    # a child process started by torch or a library re-runs this executable: let it be a child
    multiprocessing.freeze_support()
    sys.exit(main())
