"""Start-up: ``capdecl --help`` and ``capdecl validate`` on a bundled example, against
``python -c pass`` with the same interpreter, alternating, best of N. The target is the
whole command under 0.3 s; the bare interpreter's time shows how much of it is capdecl's
(imports loaded lazily keep that small)."""

from __future__ import annotations

import sys

from common import CAPDECL, REPO, Report, Row, best, fmt_s, median, run_child

RUNS = 9
LIMIT_S = 0.3
EXAMPLE = REPO / "examples" / "manifests" / "imu-gestures"


def run(report: Report) -> None:
    print("Start-up: capdecl --help / validate vs python -c pass", flush=True)
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "capdecl --help": [CAPDECL, "--help"],
        "capdecl validate": [CAPDECL, "validate", str(EXAMPLE)],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():
        run_child(argv)  # warm the page cache and __pycache__
    for _ in range(RUNS):
        for name, argv in commands.items():
            times[name].append(run_child(argv).seconds)
    bare = best(times["python -c pass"])
    for name in ("capdecl --help", "capdecl validate"):
        own = best(times[name])
        report.add(
            Row(
                f"start-up: `{name}`",
                f"{fmt_s(own)} (median {fmt_s(median(times[name]))}); `python -c pass` "
                f"{fmt_s(bare)}, so capdecl adds {fmt_s(own - bare)}; best of {RUNS}",
                own,
                LIMIT_S,
                unit=" s",
            )
        )
