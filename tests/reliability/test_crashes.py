"""``capdecl apply`` killed with SIGKILL at ten exact write requests, then resumed.

The apply runs as a real process (the ``capdecl`` console script) against a sandbox in
this process on 127.0.0.1. A sandbox hook counts the apply's write requests and, at the
k-th, kills the process with SIGKILL either *before* the server processes that request
or *after* (the write is committed, its answer never arrives). No timing is involved:
the kill points are request numbers drawn by a seeded RNG. From the kill on, the hook
drops any request of the dead process that was still on its way.

Each time: every capture on the server is known to the ledger (uuid or pending entry);
the next plan lists exactly the remaining work, as worked out independently from the
server state (:mod:`tests.reliability.oracle`); the next apply converges to a server
equal to the manifests (no duplicates, no lost metadata value, correct ledger).

Two workloads: *create* (a new project of 20 captures) and *change* (on that project:
6 captures added, 4 pruned, 6 metadata changes, 3 sample-rate changes, 1 rename, 1
content replacement).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from capdecl.sandbox import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    DropRequest,
    FaultConfig,
    RequestEvent,
    SandboxHandle,
    running_sandbox,
)
from tests.reliability.conftest import Figures
from tests.reliability.oracle import expected_work
from tests.reliability.scenarios import (
    TEST_AGENT,
    WRITE_METHODS,
    Spec,
    apply_once,
    audit,
    make_client,
    make_plan,
    write_manifests,
)

CLI = str(Path(sys.executable).with_name("capdecl"))
SEED = 20240517
KILLS_PER_WORKLOAD = 5
BASE = 20  # captures of the create workload


def create_specs() -> list[Spec]:
    return [Spec(i) for i in range(BASE)]


def change_specs() -> list[Spec]:
    """From ``create_specs``: 0-5 change Split, 6-8 their sample rate, 9 its content,
    10 its name; 16-19 disappear (pruned); 20-25 are new."""
    specs = []
    for i in range(16):
        if i < 6:
            specs.append(Spec(i, split="test"))
        elif i < 9:
            specs.append(Spec(i, rate=200))
        elif i == 9:
            specs.append(Spec(i, content=1009))
        elif i == 10:
            specs.append(Spec(i, name="renamed-c0010.csv"))
        else:
            specs.append(Spec(i))
    return specs + [Spec(i) for i in range(BASE, BASE + 6)]


WORKLOADS = {"create": create_specs, "change": change_specs}


# --------------------------------------------------------------------------- the hook


def is_write(event: RequestEvent) -> bool:
    return event.method in WRITE_METHODS and "/oauth/" not in event.template


LEDGER_WRITE = "PATCH /project/{p}/"


@dataclass
class KillSwitch:
    """Counts the apply process's write requests (those of ``route`` only, when given);
    at the ``kill_at``-th (never when None) kills it ``when`` ("before" or "after" the
    server processes it). After the kill, every request not made by the test's own
    client is dropped unprocessed."""

    kill_at: int | None
    when: str = "before"
    route: str | None = None
    writes: int = 0
    fired: threading.Event = field(default_factory=threading.Event)
    armed: threading.Event = field(default_factory=threading.Event)
    pid: int = 0
    target: int | None = None  # thread serving the k-th write
    killed_request: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def arm(self, pid: int) -> None:
        self.pid = pid
        self.armed.set()

    def __call__(self, event: RequestEvent) -> None:
        if event.user_agent == TEST_AGENT:
            return
        if self.fired.is_set():
            raise DropRequest
        if not is_write(event):
            return
        if self.route is not None and f"{event.method} {event.template}" != self.route:
            return
        if event.phase == "before":
            with self.lock:
                self.writes += 1
                if self.writes == self.kill_at:
                    self.target = threading.get_ident()
        if self.target == threading.get_ident() and event.phase == self.when:
            self._kill(event)

    def _kill(self, event: RequestEvent) -> None:
        self.armed.wait(30)
        os.kill(self.pid, signal.SIGKILL)
        self.killed_request = f"{event.method} {event.template}"
        self.fired.set()
        if event.phase == "before":
            raise DropRequest


# --------------------------------------------------------------------------- running apply


def cli_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAPDECL_")}
    env.update(
        CAPDECL_USERNAME=DEFAULT_USERNAME,
        CAPDECL_PASSWORD=DEFAULT_PASSWORD,
        CAPDECL_SERVER=url,
        NO_COLOR="1",
    )
    return env


def run_apply(sandbox: SandboxHandle, root: Path, switch: KillSwitch) -> int:
    """``capdecl apply ROOT --yes`` in a process, with ``switch`` watching its requests;
    returns the exit status (negative: killed by that signal)."""
    sandbox.on_request(switch)
    process = subprocess.Popen(
        [CLI, "apply", str(root), "--yes", "--force", "--parallelism", "4"],
        env=cli_env(sandbox.url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    switch.arm(process.pid)
    _out, err = process.communicate(timeout=120)
    assert sandbox.wait_idle(10.0), "requests of the killed apply still running"
    assert b"Traceback" not in err
    return process.returncode


# --------------------------------------------------------------------------- the lab


@dataclass
class Lab:
    sandbox: SandboxHandle
    base: Path
    writes: dict[str, int]  # write requests of an uninterrupted apply, by workload
    ledger_writes: dict[str, int]  # ledger writes (project PATCH) among them
    points: list[tuple[str, int, str]]  # (workload, k, when)

    def prepare(self, name: str, workload: str) -> Path:
        """A project ready for ``workload``: for *change*, the create workload applied."""
        root = self.base / name
        if workload == "change":
            write_manifests(root, name, create_specs(), prune=True)
            with make_client(self.sandbox.url) as client:
                assert apply_once(root, client).ok
        write_manifests(root, name, WORKLOADS[workload](), prune=True)
        return root


def kill_points(writes: dict[str, int]) -> list[tuple[str, int, str]]:
    rng = random.Random(SEED)
    points = []
    for workload in ("create", "change"):
        for k in sorted(rng.sample(range(1, writes[workload] + 1), KILLS_PER_WORKLOAD)):
            points.append((workload, k, rng.choice(("before", "after"))))
    return points


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    base = tmp_path_factory.mktemp("crashes")
    with running_sandbox(base / "sandbox", faults=FaultConfig()) as sandbox:
        writes, ledger_writes = {}, {}
        for workload in ("create", "change"):
            root = Lab(sandbox, base, {}, {}, []).prepare(f"calibrate-{workload}", workload)
            switch = KillSwitch(kill_at=None)
            assert run_apply(sandbox, root, switch) == 0
            writes[workload] = switch.writes
            root = Lab(sandbox, base, {}, {}, []).prepare(f"calibrate-ledger-{workload}", workload)
            switch = KillSwitch(kill_at=None, route=LEDGER_WRITE)
            assert run_apply(sandbox, root, switch) == 0
            ledger_writes[workload] = switch.writes
        yield Lab(sandbox, base, writes, ledger_writes, kill_points(writes))
        sandbox.on_request(None)


def kill_and_resume(
    lab: Lab, name: str, workload: str, switch: KillSwitch, *, last: bool = False
) -> int:
    """Run the workload's apply until ``switch`` kills it; check the next plan against the
    oracle; apply again and audit. Returns the number of changes that were left (none only
    when the kill came ``last``: after the apply's final write)."""
    root = lab.prepare(name, workload)
    assert run_apply(lab.sandbox, root, switch) == -signal.SIGKILL
    with make_client(lab.sandbox.url) as client:
        plan, desired, live = make_plan(root, client)
        expected = expected_work(desired, live)
        assert expected.problems == []
        assert {(c.action.value, c.kind.value, c.name) for c in plan.changes} == expected.work
        assert expected.work or (last and switch.when == "after"), "the kill came too late"
        result = apply_once(root, client)
        assert result.failures == ()
        found = audit(root, client)
    assert found.clean, found
    return len(expected.work)


@pytest.mark.parametrize("index", range(2 * KILLS_PER_WORKLOAD))
def test_apply_killed_at_a_write_resumes_exactly(lab: Lab, index: int, figures: Figures) -> None:
    workload, k, when = lab.points[index]
    switch = KillSwitch(kill_at=k, when=when)
    last = k == lab.writes[workload]
    left = kill_and_resume(lab, f"crash-{index}", workload, switch, last=last)
    figures.record(
        "crashes",
        workload=workload,
        kill_at_write=k,
        of_writes=lab.writes[workload],
        when=when,
        request=switch.killed_request,
        remaining_changes=left,
        survived=1,
    )


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("workload", ["create", "change"])
def test_apply_killed_at_every_ledger_write_resumes_exactly(
    lab: Lab, workload: str, when: str, figures: Figures
) -> None:
    """The ledger writes are the delicate ones: pending entries before the uploads,
    uuid entries after, removals with deletes. Kill at each of them."""
    assert lab.ledger_writes[workload] >= 2
    for k in range(1, lab.ledger_writes[workload] + 1):
        switch = KillSwitch(kill_at=k, when=when, route=LEDGER_WRITE)
        last = k == lab.ledger_writes[workload]
        left = kill_and_resume(lab, f"ledger-{workload}-{when}-{k}", workload, switch, last=last)
        figures.record(
            "crashes",
            workload=workload,
            kill_at_ledger_write=k,
            of_ledger_writes=lab.ledger_writes[workload],
            when=when,
            request=switch.killed_request,
            remaining_changes=left,
            survived=1,
        )
