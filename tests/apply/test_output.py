"""What a real apply prints: human lines (golden, fixed clock) and JSON events."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from pathlib import Path

from capdecl.apply import HumanReporter, JsonReporter
from capdecl.state import DesiredCapture, DesiredState
from tests.apply.conftest import MANIFEST, Workspace, csv_text
from tests.apply.test_report import TickClock
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def mixed_change(ws: Workspace) -> DesiredState:
    """After the standard project is applied: replace a.csv, rename c.csv, drop b.csv,
    and add a good and a bad (non-numeric) capture."""
    ws.standard()
    assert ws.apply().failures == ()
    ws.write("data/a.csv", csv_text(21, 1, sequence=True))
    manifest = MANIFEST.replace(
        "  - file: data/c.csv\n", "  - file: data/c.csv\n    name: c2.csv\n"
    )
    manifest = manifest.replace(
        "  - file: data/b.csv\n    configuration: imu\n    sample_rate: 100\n"
        "    metadata: {Subject: bob, Split: test}\n",
        "  - file: data/d.csv\n    metadata: {Subject: bob, Split: test}\n",
    )
    ws.write("capdecl.yaml", manifest)
    ws.write("data/d.csv", csv_text(40, 5))
    bad = ws.write("data/bad.csv", "AccX,Label\n1,up\n")
    extra = DesiredCapture(name="bad.csv", path=str(bad), rel_path="data/bad.csv")
    desired = ws.desired()
    return dataclasses.replace(desired, captures=(*desired.captures, extra))


def test_human_output_of_a_mixed_apply(ws: Workspace) -> None:
    desired = mixed_change(ws)
    out = io.StringIO()
    reporter = HumanReporter(out, tty=False, clock=TickClock(0.25), interval=0.5)
    result = ws.apply(desired, reporter=reporter, parallelism=1)
    assert result.counts == {"added": 1, "changed": 1, "replaced": 1, "destroyed": 1}
    assert_golden(GOLDEN / "apply-mixed.txt", UUID.sub("<uuid>", out.getvalue()))


def test_json_events_of_a_mixed_apply(ws: Workspace) -> None:
    desired = mixed_change(ws)
    out = io.StringIO()
    result = ws.apply(desired, reporter=JsonReporter(out), parallelism=1)
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    steps = [
        (e["action"], e["kind"], e["name"], e["status"]) for e in events if e["type"] == "step"
    ]
    assert steps == [
        ("replace", "capture", "a.csv", "ok"),
        ("create", "capture", "bad.csv", "failed"),
        ("create", "capture", "d.csv", "ok"),
        ("update", "capture", "c2.csv", "ok"),
        ("delete", "capture", "b.csv", "ok"),
    ]
    progress = [e for e in events if e["type"] == "progress"]
    assert [(e["done_files"], e["total_files"]) for e in progress] == [
        (0, 3),
        (1, 3),
        (2, 3),
        (3, 3),
    ]
    assert progress[-1]["done_bytes"] == progress[-1]["total_bytes"]
    summary = events[-1]
    assert summary == {
        "type": "summary",
        "status": "failed",
        "counts": {"added": 1, "changed": 1, "replaced": 1, "destroyed": 1},
        "steps": 5,
        "failed_steps": 1,
        "written": result.written,
        "failures": [{"step": 'capture "bad.csv" upload', "cause": result.failures[0].cause}],
    }
