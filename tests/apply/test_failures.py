"""Partial failure: independent steps go on, failures are reported, the next plan shows
exactly what is left. Bad input the manifest validator would stop is built by hand."""

from __future__ import annotations

import dataclasses
from typing import Any

from capdecl.apply.backup import capture_metadata
from capdecl.errors import TransportError
from capdecl.sandbox import FaultConfig
from capdecl.state import DesiredCapture, DesiredConfiguration, DesiredState, MetadataField
from tests.apply.conftest import CONFIG, MANIFEST, Workspace, csv_text


def with_capture(
    ws: Workspace, desired: DesiredState, name: str, text: str, **kw: Any
) -> DesiredState:
    path = ws.write(f"data/{name}", text)
    extra = DesiredCapture(name=name, path=str(path), rel_path=f"data/{name}", **kw)
    return dataclasses.replace(desired, captures=(*desired.captures, extra))


def test_a_rejected_upload_fails_alone(ws: Workspace) -> None:
    ws.standard()
    desired = with_capture(
        ws, ws.desired(), "bad.csv", "AccX,Label\n1,up\n2,down\n", metadata={"Subject": "bob"}
    )
    result = ws.apply(desired)
    assert [f.step for f in result.failures] == ['capture "bad.csv" upload']
    assert result.failures[0].cause.startswith("POST /project/")
    assert result.failures[0].cause.endswith(
        "/capture/ failed 400: Invalid values in column(s) Label. "
        "All columns must contain only numeric data."
    )
    assert (result.failed_steps, result.steps) == (1, 8)
    assert result.counts == {"added": 7, "changed": 0, "replaced": 0, "destroyed": 0}
    live = ws.live()
    assert sorted(c.name for c in live.captures) == ["a.csv", "b.csv", "c.csv"]
    assert len(live.ledger) == 3 and live.pending == {}  # a refused upload vouches nothing
    assert ws.remaining(desired) == ['create capture "bad.csv"']
    text = ws.output.getvalue()
    assert f'! capture "bad.csv" upload failed: {result.failures[0].cause}\n' in text
    assert text.endswith(
        "Apply failed: 1 of 8 steps failed.\n"
        f'  capture "bad.csv" upload: {result.failures[0].cause}\n'
    )


def test_a_failed_metadata_name_skips_the_captures_that_need_it(ws: Workspace) -> None:
    ws.standard()
    desired = ws.desired()
    desired = dataclasses.replace(desired, metadata=(*desired.metadata, MetadataField("Bad-Name")))
    desired = with_capture(ws, desired, "d.csv", csv_text(5, 9), metadata={"Bad-Name": "x"})
    result = ws.apply(desired)
    steps = [f.step for f in result.failures]
    assert steps == ['metadata "Bad-Name" create', 'capture "d.csv" upload']
    assert result.failures[1].cause.startswith('skipped: metadata "Bad-Name" was not created: ')
    assert result.counts["added"] == 7
    assert sorted(c.name for c in ws.live().captures) == ["a.csv", "b.csv", "c.csv"]
    assert ws.remaining(desired) == ['create metadata "Bad-Name"', 'create capture "d.csv"']


def test_a_failed_configuration_skips_its_captures_only(ws: Workspace) -> None:
    ws.standard()
    long_name = "c" * 300  # the server allows 255 characters
    desired = ws.desired()
    config = DesiredConfiguration(name=long_name, configuration=CONFIG)
    desired = dataclasses.replace(desired, configurations=(*desired.configurations, config))
    desired = with_capture(ws, desired, "e.csv", csv_text(5, 4), configuration=long_name)
    result = ws.apply(desired)
    assert [f.step for f in result.failures] == [
        f'configuration "{long_name}" create',
        'capture "e.csv" upload',
    ]
    assert result.counts["added"] == 7
    assert ws.remaining(desired) == [
        f'create configuration "{long_name}"',
        'create capture "e.csv"',
    ]


def test_a_file_edited_after_planning_is_not_uploaded(ws: Workspace) -> None:
    ws.standard()
    plan, desired, live = ws.plan()
    ws.write("data/b.csv", csv_text(31, 2))
    from capdecl.apply import ApplyOptions, HumanReporter, apply_plan

    result = apply_plan(
        plan, desired, live, ws.client, ApplyOptions(), HumanReporter(ws.output, False)
    )
    assert [f.step for f in result.failures] == ['capture "b.csv" upload']
    assert "changed since the plan was made" in result.failures[0].cause
    assert sorted(c.name for c in ws.live().captures) == ["a.csv", "c.csv"]
    assert ws.live().pending == {}
    assert ws.remaining() == ['create capture "b.csv"']


class LedgerOutage:
    """The real client, except that ledger writes after the first ``allow`` fail: an apply
    killed after its uploads, before their uuid entries were written."""

    def __init__(self, inner: Any, allow: int) -> None:
        self.inner = inner
        self.allow = allow
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def update_ledger(self, *args: Any, **kwargs: Any) -> None:
        self.calls += 1
        if self.calls > self.allow:
            raise TransportError("connection reset by peer (injected)")
        self.inner.update_ledger(*args, **kwargs)


def test_pending_entries_vouch_for_uploads_whose_ledger_write_was_lost(ws: Workspace) -> None:
    ws.standard()
    outage = LedgerOutage(ws.client, allow=1)  # the pending entries get written
    result = ws.apply(writer=outage)
    assert [f.step for f in result.failures] == ["ledger update"]
    assert result.counts["added"] == 7  # every change itself was carried out
    live = ws.live()
    assert live.ledger == {} and sorted(live.pending) == ["a.csv", "b.csv", "c.csv"]
    # the next plan trusts the content (no replace, nothing unverified) and tidies up
    plan, _, _ = ws.plan()
    assert [c.address for c in plan.changes] == ['project "apply-e2e"']
    assert plan.unverified == ()
    assert ws.apply().failures == ()
    live = ws.live()
    assert len(live.ledger) == 3 and live.pending == {}
    assert ws.remaining() == []


def test_no_pending_entries_no_uploads(ws: Workspace) -> None:
    ws.standard()
    result = ws.apply(writer=LedgerOutage(ws.client, allow=0))
    steps = [f.step for f in result.failures]
    assert steps == [
        "ledger pending entries",
        'capture "a.csv" upload',
        'capture "b.csv" upload',
        'capture "c.csv" upload',
    ]
    assert all(f.cause == "skipped: the ledger could not be updated" for f in result.failures[1:])
    assert ws.live().captures == ()
    assert ws.remaining() == [
        'create capture "a.csv"',
        'create capture "b.csv"',
        'create capture "c.csv"',
    ]


def test_a_missing_project_skips_everything(ws: Workspace) -> None:
    ws.standard()
    desired = dataclasses.replace(ws.desired(), project="no/slashes allowed")
    result = ws.apply(desired)
    assert result.failures[0].step == 'project "no/slashes allowed" create'
    assert len(result.failures) == result.steps == 7
    assert all(f.cause.startswith("skipped: project") for f in result.failures[1:])
    assert result.counts == {"added": 0, "changed": 0, "replaced": 0, "destroyed": 0}


def test_apply_under_server_faults_converges(ws: Workspace) -> None:
    """Errors, throttling and lost replies: the first apply may leave work, a second
    one (faults off) finishes it, and the ledger is exact."""
    ws.standard()
    for i in range(12):
        ws.write(f"data/x{i:02d}.csv", csv_text(4 + i, i))
    ws.write(
        "capdecl.yaml",
        ws.root.joinpath("capdecl.yaml").read_text()
        + "  - glob: data/x*.csv\n    metadata: {Split: test}\n",
    )
    faults = FaultConfig(
        seed=11, error_rate=0.1, throttle_rate=0.05, retry_after=0, commit_drop_rate=0.1
    )
    ws.sandbox.set_faults(faults)
    ws.apply(parallelism=1)
    assert sum(ws.sandbox.stats().faults.values()) > 0
    ws.sandbox.set_faults(None)
    ws.apply()
    live = ws.live()
    assert ws.remaining() == []
    assert len(live.captures) == 15 and live.pending == {}
    assert set(live.ledger) == {c.uuid for c in live.captures}
    x05 = next(c for c in live.captures if c.name == "x05.csv")
    assert capture_metadata(live, x05.uuid) == {"Split": "test"}


def test_a_metadata_type_change_is_applied_with_the_capture_update(ws: Workspace) -> None:
    ws.standard()
    vocabulary = "  Split: {values: [train, test]}\n"
    ws.write(
        "capdecl.yaml", MANIFEST.replace(vocabulary, vocabulary + "  Trial: {values: ['1']}\n")
    )
    assert ws.apply().ok
    ws.write(
        "capdecl.yaml",
        MANIFEST.replace(
            vocabulary, vocabulary + "  Trial: {type: integer, values: [1]}\n"
        ).replace(
            "data/c.csv\n    metadata: {Subject: alice}",
            "data/c.csv\n    sample_rate: 10\n    metadata: {Subject: alice}",
        ),
    )
    assert ws.remaining() == ['update metadata "Trial"', 'update capture "c.csv"']
    result = ws.apply()
    assert result.failures == ()
    assert result.counts["changed"] == 2  # the metadata type and the capture
    assert ws.remaining() == []
    trial = next(m for m in ws.live().metadata if m.name == "Trial")
    assert trial.type == "integer"


class RivalUpload:
    """The real client, except that a rival writer uploads ``name`` (other content)
    just before this apply does: the server then refuses ours as a duplicate name."""

    def __init__(self, inner: Any, name: str, rival: Any) -> None:
        self.inner, self.name, self.rival = inner, name, rival

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)

    def upload_capture(self, project_uuid: str, name: str, path: Any, **kwargs: Any) -> Any:
        if name == self.name:
            self.inner.upload_capture(project_uuid, name, self.rival)
        return self.inner.upload_capture(project_uuid, name, path, **kwargs)


def test_a_duplicate_name_refusal_keeps_the_pending_entry(ws: Workspace) -> None:
    """Another apply created the capture first; its pending entry (same name) must
    survive our refusal, or a crash of that other apply would leave it unvouched."""
    ws.standard()
    assert ws.apply(parallelism=1).failures == ()
    ws.write("data/b.csv", csv_text(9, seed=7))
    rival = ws.write("rival/b.csv", csv_text(40, seed=8))
    writer = RivalUpload(ws.client, "b.csv", rival)
    result = ws.apply(writer=writer, parallelism=1)
    assert [f.step for f in result.failures] == ['capture "b.csv" upload']
    assert "b.csv" in ws.live().pending
