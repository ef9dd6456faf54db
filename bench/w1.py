"""W1: 10,000 small CSV captures in sync with the sandbox.

* setup: ``capdecl apply`` once (not a target; its time is reported);
* no-op plan with a warm hash cache, in-process (:func:`capdecl.workflow.connect` +
  build + render, as ``capdecl plan`` does) and as the CLI, against the floor (the same
  listing requests made raw with ``requests`` plus ``os.stat`` of every file: in-process
  for the first, as a ``python bench/floor.py`` process for the second). Requests are
  counted by the sandbox; the token is pre-issued (``CAPDECL_TOKEN``), so no OAuth
  request is made or counted;
* cold hash cache: capdecl's hashing (``workers=2``, as plan and apply: this thread plus
  one worker process for this many files; a fresh cache) against ``sha256sum`` (one
  process) over the same files, page cache warm, alternating.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from common import (
    BENCH,
    CAPDECL,
    Report,
    Row,
    Sandbox,
    best,
    clean_env,
    cold_apply,
    fmt_s,
    median,
    run_child,
    timed,
)
from floor import floor
from workloads import Workload, make_w1

PLAN_RUNS = 7
CLI_RUNS = 5
HASH_RUNS = 5
MAX_REQUESTS = 6
PLAN_LIMIT = 1.5
HASH_LIMIT = 0.9


def setup(report: Report, sandbox: Sandbox, token: str, work: Path) -> Workload:
    """Generate W1 and apply it once (cold hash cache), reporting both times."""
    print("W1: 10,000 captures in sync with the sandbox", flush=True)
    seconds = timed(lambda: make_w1(work))
    workload = make_w1(work)
    report.note(
        f"W1 workload: {workload.files:,} files, {workload.total_bytes / 1e6:.0f} MB "
        f"(generated or reused in {fmt_s(seconds)})"
    )
    apply_seconds, requests = cold_apply(sandbox, token, workload.directory)
    os.sync()  # the sandbox's 10,000 new files are written back now, not while timing
    report.note(
        f"W1 setup (not a target): `capdecl apply` of {workload.files:,} captures took "
        f"{fmt_s(apply_seconds)}, {requests:,} requests"
    )
    return workload


def declared_files(workload: Workload) -> list[str]:
    from capdecl.manifest import load_project

    return [c.path for c in load_project(workload.directory, check_content=False).desired.captures]


def noop_plan(report: Report, sandbox: Sandbox, token: str, workload: Workload) -> None:
    """The no-op plan in-process, against the in-process floor, interleaved."""
    from capdecl.cli.plan import plan_body, render_pieces

    def plan() -> None:  # what `capdecl plan` runs in its own process, minus click and tty
        # (human format: no saved-plan inputs or checksum, as the command computes it)
        body, _ = plan_body(
            workload.directory, sandbox.url, False, False, freeze=True, inputs=False
        )
        if body["changes"]:
            raise SystemExit("W1 is not in sync: the no-op plan has changes")
        for _piece in render_pieces(body, "human", False):
            pass

    files = declared_files(workload)
    os.environ["CAPDECL_TOKEN"] = token
    plan()  # warm-up: imports, sockets, page cache
    floor(sandbox.url, token, workload.project, files)
    plans: list[float] = []
    floors: list[float] = []
    counts: list[int] = []
    for _ in range(PLAN_RUNS):
        sandbox.reset()
        plans.append(timed(plan))
        counts.append(sum(sandbox.requests().values()))
        floors.append(timed(lambda: floor(sandbox.url, token, workload.project, files)))
    del os.environ["CAPDECL_TOKEN"]
    report.add(
        Row(
            "W1 no-op plan, in-process: HTTP requests",
            f"{max(counts)} requests per plan (each of {PLAN_RUNS} runs; pre-issued token, "
            "so no OAuth request)",
            max(counts),
            MAX_REQUESTS,
            unit=" req",
        )
    )
    report.add(
        Row(
            "W1 no-op plan, in-process: time vs floor",
            f"plan {fmt_s(best(plans))} (median {fmt_s(median(plans))}), floor "
            f"{fmt_s(best(floors))} (median {fmt_s(median(floors))}); best of {PLAN_RUNS}",
            best(plans) / best(floors),
            PLAN_LIMIT,
        )
    )


def noop_cli(report: Report, sandbox: Sandbox, token: str, workload: Workload, work: Path) -> None:
    """``capdecl plan`` as a process against ``python bench/floor.py`` as a process."""
    file_list = work / "w1-files.txt"
    file_list.write_text("\n".join(declared_files(workload)) + "\n", encoding="utf-8")
    env = clean_env(CAPDECL_TOKEN=token)
    plan_argv = [CAPDECL, "plan", str(workload.directory), "--server", sandbox.url]
    floor_argv = [
        sys.executable, str(BENCH / "floor.py"), sandbox.url, workload.project, str(file_list)
    ]  # fmt: skip
    run_child(plan_argv, env=env)  # warm-up
    plans: list[float] = []
    floors: list[float] = []
    counts: list[int] = []
    for _ in range(CLI_RUNS):
        sandbox.reset()
        child = run_child(plan_argv, env=env)
        counts.append(sum(sandbox.requests().values()))
        if "No changes." not in child.stdout:
            raise SystemExit(f"W1 is not in sync:\n{child.stdout[-2000:]}")
        plans.append(child.seconds)
        floors.append(run_child(floor_argv, env=env).seconds)
    report.add(
        Row(
            "W1 no-op plan, CLI: HTTP requests",
            f"{max(counts)} requests per `capdecl plan` (pre-issued token)",
            max(counts),
            MAX_REQUESTS,
            unit=" req",
        )
    )
    report.add(
        Row(
            "W1 no-op plan, CLI: time vs floor script",
            f"`capdecl plan` {fmt_s(best(plans))} (median {fmt_s(median(plans))}), "
            f"`python bench/floor.py` {fmt_s(best(floors))} (median {fmt_s(median(floors))}); "
            f"best of {CLI_RUNS}",
            best(plans) / best(floors),
            PLAN_LIMIT,
        )
    )


def cold_hash(report: Report, workload: Workload) -> None:
    """Throughput of a cold-cache digest against sha256sum, alternating, best of 3."""
    from capdecl.hashing import HashCache

    files = declared_files(workload)
    rel = [os.path.relpath(f, workload.directory) for f in files]
    total = sum(os.path.getsize(f) for f in files)
    sha_argv = ["sha256sum", "--", *rel]
    run_child(sha_argv, cwd=workload.directory)  # page cache warm for both
    os.sync()  # no write-back of the setup's files (the sandbox's copies) during the runs

    def capdecl_hash() -> None:
        with tempfile.TemporaryDirectory() as cache_dir, HashCache(Path(cache_dir)) as cache:
            digests = cache.digest(files, workers=2)
            if len(digests) != len(files):
                raise SystemExit("the cold hash missed files")

    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(HASH_RUNS):
        ours.append(timed(capdecl_hash))
        theirs.append(run_child(sha_argv, cwd=workload.directory).seconds)
    mb = total / 1e6
    report.add(
        Row(
            "W1 cold hash cache: throughput vs sha256sum",
            f"capdecl (this thread + 1 worker process; SHA-256, sample count, cache write) "
            f"{mb / best(ours):.0f} MB/s "
            f"({fmt_s(best(ours))}), sha256sum (1 process) {mb / best(theirs):.0f} MB/s "
            f"({fmt_s(best(theirs))}) over {len(files):,} files, {mb:.0f} MB; best of {HASH_RUNS}",
            (mb / best(ours)) / (mb / best(theirs)),
            HASH_LIMIT,
            unit="x",
            at_least=True,
        )
    )


def run(report: Report, sandbox: Sandbox, token: str, work: Path) -> None:
    workload = setup(report, sandbox, token, work)
    noop_plan(report, sandbox, token, workload)
    noop_cli(report, sandbox, token, workload, work)
    cold_hash(report, workload)
