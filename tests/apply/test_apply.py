"""Apply flows end to end: real manifests, hash cache, client, planner and sandbox."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

from capdecl.apply import ApplyResult
from capdecl.apply.backup import capture_metadata
from capdecl.state import DesiredCapture
from tests.apply.conftest import FIXED_NOW, MANIFEST, Workspace, csv_text, writes

BACKUP_STAMP = FIXED_NOW.strftime("%Y%m%dT%H%M%SZ")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_clean(result: ApplyResult) -> None:
    assert result.failures == (), result.failures
    assert result.failed_steps == 0


def test_apply_creates_everything_and_the_next_plan_is_empty(ws: Workspace) -> None:
    ws.standard()
    result = ws.apply()
    assert_clean(result)
    # project, 2 metadata names, 1 configuration, 3 captures
    assert result.counts == {"added": 7, "changed": 0, "replaced": 0, "destroyed": 0}
    assert ws.remaining() == []
    live = ws.live()
    by_name = {c.name: c for c in live.captures}
    assert sorted(by_name) == ["a.csv", "b.csv", "c.csv"]
    config = live.configurations[0]
    assert (config.name, config.configuration["capture_sources"][0]["name"]) == ("imu", "Motion")
    assert by_name["a.csv"].configuration_uuid == config.uuid
    assert by_name["c.csv"].configuration_uuid is None
    assert by_name["b.csv"].set_sample_rate == 100
    assert capture_metadata(live, by_name["a.csv"].uuid) == {"Subject": "alice", "Split": "train"}
    assert capture_metadata(live, by_name["c.csv"].uuid) == {"Subject": "alice"}


def test_ledger_holds_exactly_the_uploaded_uuids(ws: Workspace) -> None:
    ws.standard()
    assert_clean(ws.apply())
    live = ws.live()
    expected = {
        c.uuid: (sha(ws.root / "data" / c.name), (ws.root / "data" / c.name).stat().st_size)
        for c in live.captures
    }
    assert {u: (e.sha256, e.size) for u, e in live.ledger.items()} == expected
    assert live.pending == {}


def test_apply_of_an_applied_project_makes_no_write_request(ws: Workspace) -> None:
    ws.standard()
    assert_clean(ws.apply())
    ws.sandbox.reset_stats()
    result = ws.apply()
    assert result.written == 0
    assert writes(ws.sandbox.stats()) == {}
    assert ws.output.getvalue() == "Apply complete: 0 added, 0 changed, 0 replaced, 0 destroyed.\n"


def test_uploads_flush_the_ledger_every_n_and_write_metadata_in_bulk(ws: Workspace) -> None:
    lines = ["project: apply-e2e", "metadata:", "  Split: {values: [train]}", "captures:"]
    lines += ["  - glob: data/*.csv", "    metadata: {Split: train}"]
    ws.write("capdecl.yaml", "\n".join(lines) + "\n")
    for i in range(25):
        ws.write(f"data/c{i:02d}.csv", csv_text(3 + i, i))
    ws.sandbox.reset_stats()
    result = ws.apply(parallelism=4, flush_every=10, flush_seconds=1e9, monotonic=lambda: 0.0)
    assert_clean(result)
    assert writes(ws.sandbox.stats()) == {
        "POST /project/": 1,
        "POST /project/{p}/metadata/": 1,
        "PATCH /project/{p}/": 4,  # pending entries, after 10 and 20 uploads, at the end
        "POST /project/{p}/capture/": 25,
        "POST /project/{p}/metadata-relationship/": 1,
    }
    assert result.written == 1 + 1 + 4 + 25 + 1
    assert len(ws.live().ledger) == 25


def test_replace_backs_up_then_uploads_the_new_content(ws: Workspace) -> None:
    ws.standard()
    assert_clean(ws.apply())
    before = {c.name: c for c in ws.live().captures}
    old_bytes = (ws.root / "data" / "a.csv").read_bytes()
    # same size, different content: only the ledger can tell
    ws.write("data/a.csv", csv_text(20, 1, sequence=True).replace("AccX,AccY", "AccY,AccX"))
    assert ws.remaining() == ['replace capture "a.csv"']
    backups = ws.root.parent / "backups"
    result = ws.apply(backup_dir=backups)
    assert_clean(result)
    assert result.counts["replaced"] == 1
    folder = backups / BACKUP_STAMP
    assert (folder / "a.csv").read_bytes() == old_bytes  # sequence column: stored verbatim
    meta = json.loads((folder / "a.csv.metadata.json").read_text())
    assert meta["metadata"] == {"Subject": "alice", "Split": "train"}
    assert (meta["uuid"], meta["configuration"], meta["segments"]) == (
        before["a.csv"].uuid,
        "imu",
        0,
    )
    assert meta["ledger"]["sha256"] == hashlib.sha256(old_bytes).hexdigest()
    live = ws.live()
    after = {c.name: c for c in live.captures}
    assert after["a.csv"].uuid != before["a.csv"].uuid
    assert after["b.csv"].uuid == before["b.csv"].uuid
    assert live.ledger[after["a.csv"].uuid].sha256 == sha(ws.root / "data" / "a.csv")
    assert before["a.csv"].uuid not in live.ledger
    assert capture_metadata(live, after["a.csv"].uuid) == {"Subject": "alice", "Split": "train"}
    assert ws.remaining() == []


def test_rename_keeps_the_capture(ws: Workspace) -> None:
    ws.standard()
    assert_clean(ws.apply())
    before = {c.name: c.uuid for c in ws.live().captures}
    ws.write(
        "capdecl.yaml",
        MANIFEST.replace("  - file: data/c.csv\n", "  - file: data/c.csv\n    name: renamed.csv\n"),
    )
    assert ws.remaining() == ['update capture "renamed.csv"']
    ws.sandbox.reset_stats()
    result = ws.apply()
    assert_clean(result)
    assert writes(ws.sandbox.stats()) == {"PATCH /project/{p}/capture/{c}/": 1}
    after = {c.name: c.uuid for c in ws.live().captures}
    assert after["renamed.csv"] == before["c.csv"]
    assert "c.csv" not in after
    assert ws.output.getvalue().splitlines()[0] == '~ capture "renamed.csv" updated (name)'
    assert ws.remaining() == []


def test_in_place_update_of_metadata_link_and_sample_rate(ws: Workspace) -> None:
    ws.standard()
    assert_clean(ws.apply())
    manifest = MANIFEST.replace(
        "metadata: {Subject: bob, Split: test}", "metadata: {Subject: alice}"
    ).replace(
        "  - file: data/c.csv\n    metadata: {Subject: alice}",
        "  - file: data/c.csv\n    configuration: imu\n    sample_rate: 50\n"
        "    metadata: {Subject: bob, Split: test}",
    )
    ws.write("capdecl.yaml", manifest)
    assert ws.remaining() == ['update capture "b.csv"', 'update capture "c.csv"']
    ws.sandbox.reset_stats()
    result = ws.apply()
    assert_clean(result)
    assert result.counts["changed"] == 2
    assert writes(ws.sandbox.stats()) == {
        "PATCH /project/{p}/capture/{c}/": 1,  # c.csv: link + sample rate, one PATCH
        "POST /v2/project/{p}/metadata-relationship/delete/": 1,  # b.csv loses Split
        "PUT /project/{p}/metadata-relationship/": 1,  # Subject bob -> alice, c.csv too
        "POST /project/{p}/metadata-relationship/": 1,  # c.csv gains Split
    }
    live = ws.live()
    by_name = {c.name: c for c in live.captures}
    assert capture_metadata(live, by_name["b.csv"].uuid) == {"Subject": "alice"}
    assert capture_metadata(live, by_name["c.csv"].uuid) == {"Subject": "bob", "Split": "test"}
    assert by_name["c.csv"].set_sample_rate == 50
    assert by_name["c.csv"].configuration_uuid == live.configurations[0].uuid
    lines = ws.output.getvalue().splitlines()
    assert lines[:2] == [
        '~ capture "b.csv" updated (metadata.Split, metadata.Subject)',
        '~ capture "c.csv" updated (configuration, sample_rate, metadata.Split, metadata.Subject)',
    ]
    assert ws.remaining() == []


def test_deletes_back_up_captures_and_drop_ledger_entries(ws: Workspace) -> None:
    ws.standard()
    assert_clean(ws.apply())
    old = {c.name: c.uuid for c in ws.live().captures}
    ws.write(
        "capdecl.yaml",
        "project: apply-e2e\nsettings:\n  prune: all\n"
        "metadata:\n  Subject: {values: [alice, bob]}\n  Split: {values: [train, test]}\n"
        "captures:\n  - file: data/c.csv\n    metadata: {Subject: alice}\n",
    )
    assert ws.remaining() == [
        'delete capture "a.csv"',
        'delete capture "b.csv"',
        'delete configuration "imu"',
    ]
    backups = ws.root.parent / "backups"
    result = ws.apply(backup_dir=backups)
    assert_clean(result)
    assert result.counts["destroyed"] == 3
    folder = backups / BACKUP_STAMP
    assert sorted(p.name for p in folder.iterdir()) == [
        "a.csv",
        "a.csv.metadata.json",
        "b.csv",
        "b.csv.metadata.json",
    ]
    live = ws.live()
    assert [c.name for c in live.captures] == ["c.csv"]
    assert live.configurations == ()
    assert set(live.ledger) == {old["c.csv"]}
    assert ws.remaining() == []


def test_backup_file_names_are_safe_and_never_collide(ws: Workspace) -> None:
    ws.standard()
    desired = ws.desired()
    odd = [("a\\b.csv", "ab.csv"), ("x/y.csv", "xy1.csv"), ("x_y.csv", "xy2.csv")]
    extra = tuple(
        DesiredCapture(name=name, path=str(ws.write(f"data/{f}", csv_text(4, i))), rel_path=f)
        for i, (name, f) in enumerate(odd)
    )
    assert ws.apply(dataclasses.replace(desired, captures=desired.captures + extra)).ok
    uuids = {c.name: c.uuid for c in ws.live().captures}
    backups = ws.root.parent / "backups"
    result = ws.apply(desired, backup_dir=backups, parallelism=1)
    assert result.counts["destroyed"] == 3
    folder = backups / BACKUP_STAMP
    suffix = uuids["x_y.csv"][:8]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [
            "a_b.csv",
            "a_b.csv.metadata.json",
            "x_y.csv",
            "x_y.csv.metadata.json",
            f"x_y.csv~{suffix}",
            f"x_y.csv~{suffix}.metadata.json",
        ]
    )
    meta = json.loads((folder / "x_y.csv.metadata.json").read_text())
    assert (meta["name"], meta["uuid"]) == ("x/y.csv", uuids["x/y.csv"])
    assert (folder / "x_y.csv").read_text().splitlines()[0] == "sequence,AccX,AccY"
