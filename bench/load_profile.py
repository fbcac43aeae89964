"""Where a load's seconds go, function by function (issue 16 §2: start to first image).

python -m bench.load_profile --models DIR --plan fp8-stream --budget-gb 8 [--top 40]

Loads once untimed (the page cache and T5's float8 file as a later start finds them), then once
under cProfile; prints the load's phases and the functions by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats

from bench.case import stand_in_for_card


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", required=True)
    parser.add_argument("--plan", default="fp8-stream")
    parser.add_argument("--budget-gb", type=float, default=None)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    budget = stand_in_for_card(args.budget_gb)
    from pathlib import Path

    from majicflux_desktop.engine import scan
    from majicflux_desktop.engine.pipeline import Engine

    paths = scan.check(args.models).paths()
    engine = Engine(device="cuda", compile_maths="off")
    engine.weight_cache_dir = Path("/tmp/mf-weight-cache")  # as bench.case
    engine.load(paths, args.plan, budget_bytes=budget)
    engine.unload()
    profile = cProfile.Profile()
    profile.enable()
    report = engine.load(paths, args.plan, budget_bytes=budget)
    profile.disable()
    print(json.dumps({"plan": args.plan, "load_s": round(report.seconds, 2),
                      "phases": dict(report.phases)}))  # fmt: skip
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(args.top)
    print(text.getvalue())


if __name__ == "__main__":
    main()
