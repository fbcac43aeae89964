"""The frozen app's entry point: PyInstaller runs this file as __main__."""

from __future__ import annotations

import multiprocessing
import sys
import traceback

if __name__ == "__main__":
    # a child process started by torch or a library re-runs this executable: let it be a child
    multiprocessing.freeze_support()
    try:
        from majicflux_desktop.__main__ import main
    except BaseException:
        if "--self-test" not in sys.argv or sys.stderr is None:
            raise  # a person double-clicked: PyInstaller's dialog says what failed
        # a build's smoke test: the reason on stderr and a failing exit, never a dialog that
        # waits for a click on a machine nobody watches
        traceback.print_exc()
        sys.exit(1)
    sys.exit(main())
