"""Two writers on one project: the ledger's merge-on-write, and two applies at once.

The ledger lives in the project settings, which the API only replaces whole, so two
writers can lose each other's changes (GET, GET, PATCH, PATCH). The sandbox hook
interleaves two clients deterministically - one writer's PATCH is held until the other
has written - with no sleeps: each step waits for the event the previous step sets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from capdecl.apply import ApplyResult
from capdecl.client.http import SensiMLClient
from capdecl.ledger import merge_ledger
from capdecl.planner.project import ledger_housekeeping
from capdecl.sandbox import RequestEvent, SandboxHandle
from capdecl.state import LedgerEntry, LiveProject
from tests.reliability.conftest import Figures
from tests.reliability.oracle import known
from tests.reliability.scenarios import (
    Spec,
    apply_once,
    audit,
    csv_text,
    make_client,
    plan_lines,
    write_manifests,
)

LEDGER = "/project/{p}/"


def entry(char: str, size: int) -> LedgerEntry:
    return LedgerEntry(char * 64, size)


@dataclass
class Writer:
    """A client of its own, told apart by the sandbox through its User-Agent."""

    agent: str
    client: SensiMLClient

    def owns(self, event: RequestEvent) -> bool:
        return event.user_agent == self.agent and event.template == LEDGER


@pytest.fixture
def writers(sandbox: SandboxHandle) -> Iterator[tuple[Writer, Writer]]:
    with make_client(sandbox.url) as first, make_client(sandbox.url) as second:
        for made, agent in ((first, "writer-a"), (second, "writer-b")):
            made.transport.session.headers["User-Agent"] = agent
        yield Writer("writer-a", first), Writer("writer-b", second)
    sandbox.on_request(None)


@pytest.fixture
def project(writers: tuple[Writer, Writer]) -> LiveProject:
    return writers[0].client.create_project("ledger-race")


@dataclass
class Interleaving:
    """Sandbox hook: when A's PATCH arrives, hold it and run ``b_write`` in a thread until
    B's PATCH is processed; let B's later reads wait for A's PATCH when ``b_reads_after``.

    Gives: A GET, B GET, B PATCH, A PATCH (A overwrites B's change), then B's verifying
    read (after A's PATCH, or before it when ``b_reads_after`` is False)."""

    a: Writer
    b: Writer
    b_write: Callable[[], None]
    b_reads_after: bool
    b_patched: threading.Event = field(default_factory=threading.Event)
    a_patched: threading.Event = field(default_factory=threading.Event)
    b_done: threading.Event = field(default_factory=threading.Event)
    patches: dict[str, int] = field(default_factory=dict)
    thread: threading.Thread | None = None

    def __call__(self, event: RequestEvent) -> None:
        by_a, by_b = self.a.owns(event), self.b.owns(event)
        patch, read = event.method == "PATCH", event.method == "GET"
        if patch and event.phase == "after" and (by_a or by_b):
            self.patches[event.user_agent] = self.patches.get(event.user_agent, 0) + 1
            (self.a_patched if by_a else self.b_patched).set()
        if by_a and patch and event.phase == "before" and self.thread is None:
            self.thread = threading.Thread(target=self._run_b)
            self.thread.start()
            assert (self.b_patched if self.b_reads_after else self.b_done).wait(30)
        b_verifies = by_b and read and event.phase == "before" and self.b_patched.is_set()
        if b_verifies and self.b_reads_after:
            assert self.a_patched.wait(30)

    def _run_b(self) -> None:
        try:
            self.b_write()
        finally:
            self.b_done.set()

    def join(self) -> None:
        assert self.thread is not None
        self.thread.join(30)


def naive_update(client: SensiMLClient, project_uuid: str, add: dict[str, LedgerEntry]) -> None:
    """The ledger write without verification (what update_ledger did before the fix)."""
    settings = client.get_project(project_uuid).settings
    merged = merge_ledger(settings, add)
    client.transport.call("PATCH", f"project/{project_uuid}/", json={"settings": merged}).close()


def test_unverified_merge_loses_an_update_in_this_interleaving(
    sandbox: SandboxHandle, writers: tuple[Writer, Writer], project: LiveProject
) -> None:
    """Control: the interleaving really does overwrite one writer's change."""
    a, b = writers
    hook = Interleaving(a, b, lambda: naive_update(b.client, project.uuid, {"u-b": entry("b", 2)}),
                        b_reads_after=True)  # fmt: skip
    sandbox.on_request(hook)
    naive_update(a.client, project.uuid, {"u-a": entry("a", 1)})
    hook.join()
    assert a.client.read_state(project.name).ledger == {"u-a": entry("a", 1)}  # "u-b" lost


def test_verified_merge_repairs_an_overwrite_seen_by_its_verifying_read(
    sandbox: SandboxHandle, writers: tuple[Writer, Writer], project: LiveProject
) -> None:
    a, b = writers
    add_b = {"u-b": entry("b", 2)}
    hook = Interleaving(
        a,
        b,
        lambda: b.client.update_ledger(project.uuid, add_b, add_pending={"b.csv": entry("c", 3)}),
        b_reads_after=True,
    )
    sandbox.on_request(hook)
    a.client.update_ledger(project.uuid, {"u-a": entry("a", 1)}, remove_pending=["gone.csv"])
    hook.join()
    state = a.client.read_state(project.name)
    assert state.ledger == {"u-a": entry("a", 1), "u-b": entry("b", 2)}
    assert state.pending == {"b.csv": entry("c", 3)}
    assert hook.patches == {"writer-a": 1, "writer-b": 2}  # B noticed and wrote again


def test_an_overwrite_after_the_verifying_read_is_caught_by_pending_entries(
    sandbox: SandboxHandle, writers: tuple[Writer, Writer], tmp_path: Path
) -> None:
    """The case no client can detect without a conditional write: B reads, writes and
    verifies entirely between A's read and A's PATCH. B's finalised uuid entries are
    overwritten, but A's PATCH restores the pending entries A read, which vouch for B's
    uploads; the next plan finalises them (ledger housekeeping)."""
    a, b = writers
    project = a.client.create_project("ledger-race")
    path = tmp_path / "b.csv"
    path.write_text(csv_text(7), encoding="ascii")
    local = entry("d", path.stat().st_size)
    b.client.update_ledger(project.uuid, {}, add_pending={"b.csv": local})
    capture = b.client.upload_capture(project.uuid, "b.csv", path)
    hook = Interleaving(
        a,
        b,
        lambda: b.client.update_ledger(
            project.uuid, {capture.uuid: local}, remove_pending=["b.csv"]
        ),
        b_reads_after=False,
    )
    sandbox.on_request(hook)
    a.client.update_ledger(project.uuid, {"u-a": entry("a", 1)})
    hook.join()
    live = a.client.read_state(project.name)
    assert capture.uuid not in live.ledger  # B's finalisation was overwritten ...
    assert known(live, live.captures[0]) == local  # ... but the pending entry vouches
    assert ledger_housekeeping(live).finalise == {capture.uuid: local}


# --------------------------------------------------------------------------- two applies


def test_two_applies_at_once_make_no_duplicate_and_lose_no_ledger_entry(
    sandbox: SandboxHandle, tmp_path: Path, figures: Figures
) -> None:
    """Two applies of overlapping manifests (captures 0-29 and 15-44) run at the same time
    on one project, each with its own client. Afterwards: no capture twice, every capture
    known to the ledger; then each directory applies cleanly and plans empty."""
    first, second = tmp_path / "first", tmp_path / "second"
    write_manifests(first, "together", [])
    with make_client(sandbox.url) as client:
        assert apply_once(first, client).ok  # project, vocabulary and configuration
    write_manifests(first, "together", [Spec(i) for i in range(30)])
    write_manifests(second, "together", [Spec(i) for i in range(15, 45)])
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def run(root: Path) -> None:
        with make_client(sandbox.url) as own:
            barrier.wait(30)
            results[root.name] = apply_once(root, own, parallelism=4)

    threads = [threading.Thread(target=run, args=(root,)) for root in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert set(results) == {"first", "second"}
    with make_client(sandbox.url) as client:
        live = client.read_state("together")
        names = [c.name for c in live.captures]
        duplicates = len(names) - len(set(names))
        unknown = [c.name for c in live.captures if known(live, c) is None]
        assert duplicates == 0
        assert sorted(names) == [f"c{i:04d}.csv" for i in range(45)]
        assert unknown == []  # every capture vouched for by a uuid or pending entry
        for root in (first, second):
            assert apply_once(root, client).ok
            found = audit(root, client, plan=False)
            assert (found.duplicates, found.lost_values, found.ledger) == ([], [], [])
            assert plan_lines(root, client) == []
    reported = sum(len(r.failures) for r in results.values() if isinstance(r, ApplyResult))
    figures.record(
        "two_applies",
        captures=len(names),
        overlapping=15,
        duplicates=duplicates,
        lost_entries=len(unknown),
        conflicts_reported=reported,
    )
