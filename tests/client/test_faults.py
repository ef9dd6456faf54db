"""Retries and ambiguity resolution under injected faults (zero-delay sleeps)."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from capdecl.client.http import SensiMLClient
from capdecl.errors import ServerError, TransportError
from capdecl.sandbox.faults import FaultConfig
from capdecl.sandbox.run import SandboxHandle
from tests.client.conftest import SleepRecorder, write_csv

MIXED = FaultConfig(
    seed=11,
    error_rate=0.1,
    throttle_rate=0.05,
    retry_after=0,
    drop_rate=0.05,
    commit_drop_rate=0.15,
)


def test_uploads_under_faults_land_exactly_once(
    make_client,
    sandbox: SandboxHandle,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    client: SensiMLClient = make_client(max_attempts=10)
    p = client.create_project("faulty").uuid
    files = {
        f"f{i:02}.csv": write_csv(tmp_path / f"f{i:02}.csv", rows=2 + i % 7, seed=i)
        for i in range(60)
    }
    sandbox.set_faults(MIXED)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda item: client.upload_capture(p, *item), files.items()))
    injected = sandbox.stats_faults()
    sandbox.set_faults(None)

    listed = client.list_captures(p)
    assert Counter(c.name for c in listed) == Counter(list(files))  # each exactly once
    sizes = {name: path.stat().st_size for name, path in files.items()}
    assert {c.name: c.file_size for c in listed} == sizes
    assert {c.name: c.uuid for c in results} == {c.name: c.uuid for c in listed}
    assert all(injected[kind] > 0 for kind in ("error", "throttle", "drop", "commit_drop"))


def test_configuration_create_is_settled_by_its_client_uuid(
    make_client,
    sandbox: SandboxHandle,  # type: ignore[no-untyped-def]
) -> None:
    client: SensiMLClient = make_client(max_attempts=10)
    p = client.create_project("configs").uuid
    wanted = {f"cfg {i}": str(uuid.uuid4()) for i in range(15)}
    sandbox.set_faults(FaultConfig(seed=3, error_rate=0.15, drop_rate=0.1, commit_drop_rate=0.3))
    made = [client.create_configuration(p, n, {"version": 3}, u) for n, u in wanted.items()]
    commit_drops = sandbox.stats_faults()["commit_drop"]
    sandbox.set_faults(None)
    assert {c.name: c.uuid for c in made} == wanted
    assert {c.name: c.uuid for c in client.list_configurations(p)} == wanted
    assert commit_drops > 0


def test_relationship_writes_under_faults(
    make_client,
    sandbox: SandboxHandle,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    client: SensiMLClient = make_client(max_attempts=10, batch_size=3)
    p = client.create_project("rels").uuid
    csv = write_csv(tmp_path / "a.csv")
    captures = [client.upload_capture(p, f"c{i}.csv", csv) for i in range(12)]
    field = client.create_metadata_field(p, "Subject", "string", ["alice"])
    items = [(c.uuid, field.uuid, field.values["alice"]) for c in captures]
    sandbox.set_faults(FaultConfig(seed=5, error_rate=0.1, drop_rate=0.1, commit_drop_rate=0.4))
    created = client.create_relationships(p, items)
    deleted = client.delete_relationships(p, [r.uuid for r in created[:7]])
    commit_drops = sandbox.stats_faults()["commit_drop"]
    sandbox.set_faults(None)
    assert [(r.capture, r.label, r.label_value) for r in created] == items
    assert deleted == 7
    remaining = client.list_relationships(p)
    assert {r.uuid for r in remaining} == {r.uuid for r in created[7:]}
    assert commit_drops > 0


def test_throttling_honours_retry_after(
    make_client,
    sandbox: SandboxHandle,
    slept: SleepRecorder,  # type: ignore[no-untyped-def]
) -> None:
    client: SensiMLClient = make_client(max_attempts=30)
    client.find_project("log in first")
    sandbox.set_faults(FaultConfig(seed=1, throttle_rate=0.5, retry_after=7))
    for _ in range(10):
        client.list_projects()
    throttled = sandbox.stats_faults()["throttle"]
    sandbox.set_faults(None)
    assert throttled > 0 and slept.calls == [7.0] * throttled


def test_backoff_without_retry_after_is_bounded(
    make_client,
    sandbox: SandboxHandle,
    slept: SleepRecorder,  # type: ignore[no-untyped-def]
) -> None:
    client: SensiMLClient = make_client(max_attempts=4)
    client.find_project("log in first")
    sandbox.set_faults(FaultConfig(seed=2, drop_rate=1.0))
    with pytest.raises(TransportError) as caught:
        client.list_projects()
    sandbox.set_faults(None)
    message = str(caught.value)
    assert message.startswith("GET /project/: ") and "gave up after 4 attempts" in message
    assert len(slept.calls) == 3 and all(0 <= s <= 0.2 * 2**i for i, s in enumerate(slept.calls))


def test_upload_that_keeps_failing_gives_up_with_the_servers_message(
    make_client,
    sandbox: SandboxHandle,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    client: SensiMLClient = make_client(max_attempts=3)
    p = client.create_project("down").uuid
    csv = write_csv(tmp_path / "a.csv")
    sandbox.set_faults(FaultConfig(seed=4, error_rate=1.0))
    with pytest.raises((ServerError, TransportError)) as caught:
        client.upload_capture(p, "a.csv", csv)
    sandbox.set_faults(None)
    assert "/capture/" in str(caught.value) or "/project/" in str(caught.value)
    assert client.list_captures(p) == []


def test_creates_whose_every_reply_is_lost_are_settled_by_reading(
    client: SensiMLClient, sandbox: SandboxHandle, tmp_path: Path
) -> None:
    p = client.create_project("lost replies").uuid
    csv = write_csv(tmp_path / "a.csv")
    chosen = str(uuid.uuid4())
    sandbox.set_faults(FaultConfig(seed=1, commit_drop_rate=1.0))
    capture = client.upload_capture(p, "a.csv", csv)
    config = client.create_configuration(p, "tile", {"version": 3}, chosen)
    field = client.create_metadata_field(p, "Subject", "string", ["alice"])
    bob = client.create_metadata_value(p, field.uuid, "bob")
    (rel,) = client.create_relationships(p, [(capture.uuid, field.uuid, bob)])
    other = client.create_project("another")
    injected = sandbox.stats_faults()["commit_drop"]
    sandbox.set_faults(None)

    state = client.read_state("lost replies")
    assert [(c.name, c.uuid, c.file_size) for c in state.captures] == [
        ("a.csv", capture.uuid, csv.stat().st_size)
    ]
    assert [(c.name, c.uuid) for c in state.configurations] == [("tile", config.uuid)]
    assert config.uuid == chosen
    assert [(f.name, dict(f.values)) for f in state.metadata] == [
        ("Subject", {"alice": field.values["alice"], "bob": bob})
    ]
    assert state.relationships == (rel,)
    assert client.find_project("another") == other
    assert injected == 6  # every create committed once, its reply lost once


def test_bulk_delete_repeat_after_a_lost_reply_deletes_only_what_is_left(
    make_client,  # type: ignore[no-untyped-def]
    sandbox: SandboxHandle,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client: SensiMLClient = make_client(max_attempts=10, batch_size=1)
    p = client.create_project("deletes").uuid
    csv = write_csv(tmp_path / "a.csv")
    captures = [client.upload_capture(p, f"c{i}.csv", csv) for i in range(12)]
    field = client.create_metadata_field(p, "Subject", "string", ["alice"])
    created = client.create_relationships(
        p, [(c.uuid, field.uuid, field.values["alice"]) for c in captures]
    )
    sandbox.set_faults(FaultConfig(seed=8, commit_drop_rate=0.5))
    with caplog.at_level(logging.DEBUG, logger="capdecl.http"):
        deleted = client.delete_relationships(p, [r.uuid for r in created[:10]])
    sandbox.set_faults(None)
    assert deleted == 10
    assert {r.uuid for r in client.list_relationships(p)} == {r.uuid for r in created[10:]}
    lines = [r.getMessage() for r in caplog.records]
    repeats = [line for line in lines if "/delete/ -> 400" in line and "attempt 1)" not in line]
    assert repeats, lines  # a repeated delete met "invalid UUIDs" and was settled by a re-read
