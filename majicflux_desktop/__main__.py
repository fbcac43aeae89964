"""`majicflux-desktop` and `python -m majicflux_desktop`: the desktop app."""

from __future__ import annotations

import argparse
import sys

from majicflux_desktop import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="majicflux-desktop", description="MajicFlux Desktop: offline FLUX image generator."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir",
        help="keep everything (settings, library, images, logs, models) under this folder",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="try the interface with a tiny random-weight model instead of the 22 GB download",
    )
    parser.add_argument(
        "--start-queue",
        action="store_true",
        help="run the jobs left in the queue at once instead of waiting for a click",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="start the window offscreen on the demo model in a temporary folder (inside "
        "--data-dir if given), make one image, check it, and exit 0 if all is well",
    )
    parser.add_argument(
        "--compiled-maths",
        choices=("auto", "on", "off"),
        help="with --self-test: the Compiled maths setting to test (on: also on the CPU, which "
        "needs a C++ compiler); the test then checks that the blocks did compile",
    )
    parser.add_argument("--device", choices=("cpu", "cuda"), help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from majicflux_desktop.engine import toolchain

    toolchain.use_bundled()  # before anything imports Triton
    if args.self_test:
        from majicflux_desktop.selftest import run_self_test

        return run_self_test(args, sys.argv[:1])
    from majicflux_desktop.app import run  # Qt loads here, after --help and --version

    return run(args, sys.argv[:1])


if __name__ == "__main__":
    sys.exit(main())
