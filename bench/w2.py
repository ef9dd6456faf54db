"""W2: create 1,000 captures with 4 metadata values each, capdecl against the official SDK.

Both run as child processes against the same sandbox, each into a new project that is
deleted afterwards, alternating, best of two each; wall time is the whole process
(interpreter, imports, login, capdecl's cold hash cache included). Requests are counted by
the sandbox. capdecl's overhead (requests beyond one per capture) is also measured on a
100-capture copy of the workload: the same figure for 100 and 1,000 captures shows it is
a constant.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests
from common import REPO, Report, Row, Sandbox, best, clean_env, cold_apply, fmt_s, run_child
from workloads import Workload, make_w2, w2_file_name

SDK_PYTHON = REPO / ".venv-sdk" / "bin" / "python"
SDK_PROJECT = "bench-w2-sdk"
RUNS = 2
SPEEDUP = 3.0


def delete_project(sandbox: Sandbox, token: str, name: str) -> None:
    """Remove a project by name, so the next run creates it again."""
    headers = {"Authorization": f"Bearer {token}"}
    projects = requests.get(sandbox.url + "project/", headers=headers, timeout=60).json()
    for project in projects:
        if project["name"] == name:
            url = f"{sandbox.url}project/{project['uuid']}/"
            requests.delete(url, headers=headers, timeout=300).raise_for_status()


def capdecl_apply(sandbox: Sandbox, token: str, workload: Workload) -> tuple[float, int]:
    """``capdecl apply --yes`` of a workload into a new project: (seconds, requests)."""
    measured = cold_apply(sandbox, token, workload.directory)
    delete_project(sandbox, token, workload.project)
    return measured


def sdk_argv(sandbox: Sandbox, workload: Workload, work: Path) -> list[str]:
    """The SDK script's command line; its labels (file name -> metadata) go in a file."""
    from capdecl.sandbox import SDK_CLIENT_ID, SDK_CLIENT_SECRET

    labels = {}
    for index in range(workload.files):
        name = w2_file_name(index)
        subject, gesture, session, trial = name[: -len(".csv")].split("_")
        labels[name] = {"Subject": subject, "Gesture": gesture, "Session": session, "Trial": trial}
    labels_file = work / "w2-labels.json"
    labels_file.write_text(json.dumps(labels), encoding="utf-8")
    argv = [str(SDK_PYTHON), str(Path(__file__).parent / "sdk_w2.py"), "--url", sandbox.url]
    argv += ["--project", SDK_PROJECT, "--data", str(workload.data)]
    argv += ["--labels-file", str(labels_file)]
    return [*argv, "--client-id", SDK_CLIENT_ID, "--client-secret", SDK_CLIENT_SECRET]


def sdk_apply(
    sandbox: Sandbox, token: str, argv: list[str], work: Path
) -> tuple[float, int, dict[str, Any]]:
    """The SDK script into a new project: (seconds, requests, its own summary)."""
    home = work / "sdk-home"
    home.mkdir(exist_ok=True)
    env = clean_env(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), PYTHONNOUSERSITE="1")
    sandbox.reset()
    child = run_child(argv, env=env)
    requests_made = sum(sandbox.requests().values())
    delete_project(sandbox, token, SDK_PROJECT)
    summary: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return child.seconds, requests_made, summary


def run(report: Report, sandbox: Sandbox, token: str, work: Path) -> None:
    print("W2: 1,000 new captures with metadata, capdecl vs the SensiML SDK", flush=True)
    if not SDK_PYTHON.exists():
        raise SystemExit(f"{SDK_PYTHON} is missing: run `make sdk-venv` first")
    small = make_w2(work, count=100, project="bench-w2-small")
    small_seconds, small_requests = capdecl_apply(sandbox, token, small)
    workload = make_w2(work)
    argv = sdk_argv(sandbox, workload, work)
    ours: list[tuple[float, int]] = []
    theirs: list[tuple[float, int, dict[str, Any]]] = []
    for _ in range(RUNS):
        ours.append(capdecl_apply(sandbox, token, workload))
        theirs.append(sdk_apply(sandbox, token, argv, work))
    seconds, sdk_seconds = best(s for s, _ in ours), best(s for s, _, _ in theirs)
    summary = min(theirs, key=lambda run: run[0])[2]
    report.note(
        f"W2 SDK (best run): {fmt_s(sdk_seconds)} in all, of which SDK import "
        f"{fmt_s(summary['import_seconds'])} and work {fmt_s(summary['work_seconds'])}; "
        f"{summary['captures']} captures, {summary['links']} metadata links"
    )
    report.add(
        Row(
            "W2 apply: capdecl at least 3x faster than the SDK (whole processes)",
            f"capdecl {fmt_s(seconds)}, SDK {fmt_s(sdk_seconds)} (best of {RUNS} each, "
            f"alternating; SDK work alone, without its import: {fmt_s(summary['work_seconds'])})",
            sdk_seconds / seconds,
            SPEEDUP,
            at_least=True,
        )
    )
    capdecl_requests, sdk_requests = max(r for _, r in ours), max(r for _, r, _ in theirs)
    overhead, small_overhead = capdecl_requests - workload.files, small_requests - small.files
    report.add(
        Row(
            "W2 apply: at most 1 request per capture + a constant",
            f"capdecl {capdecl_requests} requests for {workload.files} captures "
            f"(= N + {overhead}; N + {small_overhead} for {small.files} captures, "
            f"{fmt_s(small_seconds)}); SDK {sdk_requests} requests",
            capdecl_requests / workload.files,
            1.0 + small_overhead / workload.files,
            unit=" req/capture",
        )
    )
