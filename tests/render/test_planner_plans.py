"""Plans made by the real planner render and validate: the renderers and the schema agree
with the shapes :func:`capdecl.planner.build_plan` produces, not only with hand-made ones."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import jsonschema

from capdecl.planner import build_plan
from capdecl.planner.model import Plan
from capdecl.render import plan_json_schema, render_human, render_json, render_markdown
from capdecl.render.blocks import build_blocks
from capdecl.state import (
    DesiredCapture,
    DesiredConfiguration,
    DesiredState,
    FileDigest,
    LedgerEntry,
    LiveCapture,
    LiveConfiguration,
    LiveMetadataField,
    LiveProject,
    LiveRelationship,
    LiveState,
    MetadataField,
    Policy,
    PruneScope,
)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _desired() -> tuple[DesiredState, dict[str, FileDigest]]:
    captures = []
    digests = {}
    for name, rate, subject in (
        ("a.csv", 100, "S01"),
        ("b.csv", 100, "S01"),
        ("c.csv", 200, "S02"),
    ):
        capture = DesiredCapture(
            name=name,
            path=f"/m/data/{name}",
            rel_path=f"data/{name}",
            configuration="Motion",
            sample_rate=rate,
            metadata={"Subject": subject},
        )
        captures.append(capture)
        digests[capture.path] = FileDigest(sha256=_sha(f"new {name}"), size=4_000, samples=400)
    config = {"version": 3, "capture_sources": [{"name": "Motion", "sample_rate": 100}]}
    state = DesiredState(
        project="gestures",
        root="/m",
        metadata=(MetadataField(name="Subject", values=("S01", "S02")),),
        configurations=(DesiredConfiguration(name="Motion", configuration=config),),
        captures=tuple(captures),
        policy=Policy(prune=PruneScope.CAPTURES, allow_replace=True),
    )
    return state, digests


def _live() -> LiveState:
    """b.csv exists with other content (replace), c.csv with the old rate and subject
    (update), e.csv is undeclared (delete), f.csv has no ledger entry."""
    subject = LiveMetadataField(
        uuid="m-subject", name="Subject", type="string", is_dropdown=False, values={"S01": "v1"}
    )

    def capture(name: str, uuid: str, **kw: Any) -> LiveCapture:
        return LiveCapture(uuid=uuid, name=name, file_size=4_000, number_samples=400, **kw)

    return LiveState(
        project=LiveProject(uuid="p-1", name="gestures"),
        metadata=(subject,),
        configurations=(LiveConfiguration(uuid="cfg-old", name="Old", configuration=None),),
        captures=(
            capture("b.csv", "cap-b", set_sample_rate=100),
            capture("c.csv", "cap-c", set_sample_rate=100),
            capture("e.csv", "cap-e", set_sample_rate=50),
            capture("f.csv", "cap-f"),
        ),
        relationships=(LiveRelationship("r1", "cap-c", "m-subject", "v1"),),
        segments={"cap-b": 2, "cap-e": 7},
        ledger={
            "cap-b": LedgerEntry(sha256=_sha("old b.csv"), size=4_000),
            "cap-c": LedgerEntry(sha256=_sha("new c.csv"), size=4_000),
            "cap-e": LedgerEntry(sha256=_sha("e.csv"), size=4_000),
        },
    )


def _plan() -> Plan:
    state, digests = _desired()
    return build_plan(state, digests, _live())


def test_planner_plan_validates_and_renders() -> None:
    body = _plan().to_dict()
    assert {c["action"] for c in body["changes"]} == {"create", "update", "replace", "delete"}
    validator = jsonschema.Draft202012Validator(plan_json_schema())
    assert [e.message for e in validator.iter_errors(body)] == []

    human = render_human(body)
    markdown = render_markdown(body)
    for block in build_blocks(body):
        assert human.count(f"  # {block.headline}\n") == 1
        assert f"| `{block.action.symbol}` | {block.kind} |" in markdown
    assert json.loads(render_json(body)) == body


def test_planner_blast_radius_is_said_once() -> None:
    """The planner also writes the blast radius as notes; the renderer shows it once."""
    human = render_human(_plan().to_dict())
    assert human.count("label segments") == human.count("# destroys") + human.count(
        "no label segments are lost"
    )
    assert human.count("destroys 7 label segments") == 1
