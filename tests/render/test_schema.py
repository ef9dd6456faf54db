"""The JSON plan format: the committed schema, its validity, and plans against it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from capdecl.planner.model import Action, Change, Kind, Plan
from capdecl.render import plan_json_schema, render_json
from capdecl.render.jsonplan import schema_text
from tests.golden import assert_golden
from tests.render.builders import capture_after
from tests.render.cases import CASES

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "schemas" / "plan.schema.json"
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = plan_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schema_is_generated() -> None:
    assert_golden(SCHEMA_FILE, schema_text())
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == plan_json_schema()


def test_schema_module_prints_the_schema() -> None:
    command = [sys.executable, "-m", "capdecl.render.jsonplan", "--schema"]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    assert (done.returncode, done.stdout) == (0, schema_text())
    usage = subprocess.run(command[:-1], capture_output=True, text=True, check=False, timeout=60)
    assert usage.returncode == 2
    assert "--schema" in usage.stderr


def test_golden_json_files_validate(validator: jsonschema.Draft202012Validator) -> None:
    files = sorted(GOLDEN.glob("*.json"))
    assert len(files) >= 14
    for path in files:
        errors = [e.message for e in validator.iter_errors(json.loads(path.read_text("utf-8")))]
        assert errors == [], path.name


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_case_validates(name: str, validator: jsonschema.Draft202012Validator) -> None:
    body = CASES[name].build().to_dict()
    assert [e.message for e in validator.iter_errors(body)] == []


def test_render_json_prints_the_dict_exactly() -> None:
    body = CASES["mixed"].build().to_dict()
    text = render_json(body)
    assert text.endswith("}\n")
    assert json.loads(text) == body
    assert text == json.dumps(body, indent=2, sort_keys=True) + "\n"


def _created_capture() -> dict[str, Any]:
    change = Change(
        kind=Kind.CAPTURE, action=Action.CREATE, name="a.csv", after=capture_after("a.csv")
    )
    return Plan(project="p", changes=(change,)).to_dict()


def _broken(mutate: str) -> dict[str, Any]:
    body = _created_capture()
    change = body["changes"][0]
    if mutate == "before on create":
        change["before"] = dict(change["after"])
    elif mutate == "capture without sha256":
        del change["after"]["sha256"]
    elif mutate == "short sha256":
        change["after"]["sha256"] = "abc"
    elif mutate == "major version 2":
        body["format_version"] = "2.0"
    elif mutate == "unknown action":
        change["action"] = "import"
    elif mutate == "negative count":
        body["summary"]["create"] = -1
    return body


@pytest.mark.parametrize(
    "mutate",
    [
        "before on create",
        "capture without sha256",
        "short sha256",
        "major version 2",
        "unknown action",
        "negative count",
    ],
)
def test_schema_rejects(mutate: str, validator: jsonschema.Draft202012Validator) -> None:
    assert not validator.is_valid(_broken(mutate))


def test_schema_allows_additive_fields(validator: jsonschema.Draft202012Validator) -> None:
    """Within 1.x fields are only added: a 1.3 plan with new keys still validates."""
    body = _created_capture()
    body["format_version"] = "1.3"
    body["new_top_level"] = {"x": 1}
    body["changes"][0]["new_change_field"] = True
    body["changes"][0]["after"]["new_capture_field"] = "y"
    assert validator.is_valid(body)
