"""W3: a manifest whose globs declare 100,000 tiny captures.

``capdecl plan`` runs as a child process (its peak RSS is its own ``ru_maxrss``, taken
by ``bench/maxrss.py``) against the sandbox, where the project does not exist yet: the
plan creates every capture and prints all of them (human format, to /dev/null). The hash
cache is warmed by a first, untimed run (whose time is reported): the target is the
planning itself, the same as for the 10,000-capture copy of the workload it is compared
with.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from common import CAPDECL, Child, Report, Row, Sandbox, best, clean_env, fmt_s, run_measured
from workloads import Workload, make_w3

SMALL, LARGE = 10_000, 100_000
SMALL_RUNS, LARGE_RUNS = 3, 2
MAX_RSS_MB = 400
MAX_SCALING = 12.0


def plan(sandbox: Sandbox, token: str, workload: Workload) -> Child:
    argv = [CAPDECL, "plan", str(workload.directory), "--server", sandbox.url]
    return run_measured(argv, env=clean_env(CAPDECL_TOKEN=token), keep_stdout=False)


def run(report: Report, sandbox: Sandbox, token: str, work: Path) -> None:
    print("W3: plan 100,000 captures declared by globs", flush=True)
    small, large = make_w3(work, SMALL), make_w3(work, LARGE)
    for workload in (small, large):
        shutil.rmtree(workload.directory / ".capdecl", ignore_errors=True)
    cold_small, cold_large = plan(sandbox, token, small), plan(sandbox, token, large)
    report.note(
        f"W3 first plans (cold hash cache, not targets): {SMALL:,} captures "
        f"{fmt_s(cold_small.seconds)}, {LARGE:,} captures {fmt_s(cold_large.seconds)}"
    )
    smalls = [plan(sandbox, token, small) for _ in range(SMALL_RUNS)]
    larges = [plan(sandbox, token, large) for _ in range(LARGE_RUNS)]
    peak_mb = max(c.maxrss_kib for c in larges) / 1024
    report.add(
        Row(
            f"W3 plan of {LARGE:,} captures: peak RSS",
            f"{peak_mb:.0f} MB (`capdecl plan` child, ru_maxrss; {SMALL:,} captures: "
            f"{max(c.maxrss_kib for c in smalls) / 1024:.0f} MB)",
            peak_mb,
            MAX_RSS_MB,
            unit=" MB",
        )
    )
    small_s = best(c.seconds for c in smalls)
    large_s = best(c.seconds for c in larges)
    report.add(
        Row(
            f"W3 plan time: {LARGE:,} vs {SMALL:,} captures",
            f"{fmt_s(large_s)} vs {fmt_s(small_s)} (best of {LARGE_RUNS} and {SMALL_RUNS}, "
            "warm hash cache, whole `capdecl plan` process)",
            large_s / small_s,
            MAX_SCALING,
        )
    )
