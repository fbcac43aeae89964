"""`python -m majicflux_desktop.cli`: the same as the `majicflux` command."""

import sys

from majicflux_desktop.cli import main

sys.exit(main())
