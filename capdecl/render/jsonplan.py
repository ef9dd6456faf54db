"""The JSON plan format (``capdecl plan --format json``) and its JSON Schema.

``render_json`` prints :meth:`capdecl.planner.model.Plan.to_dict` exactly; the human and
Markdown renderers read the same dict, so the three outputs cannot disagree, and a saved
plan file renders without rebuilding the plan.

Format (``format_version`` "1.0")::

    {
      "format_version": "1.0",
      "project": "gestures",
      "summary": {"create": 3, "update": 2, "replace": 1, "delete": 0},
      "changes": [                      # in apply order
        {"kind": "project" | "metadata" | "configuration" | "capture",
         "action": "create" | "update" | "replace" | "delete",
         "name": "...",                 # after the change (before it, for a delete)
         "uuid": "..." | null,          # live uuid when the object exists
         "before": {...} | null,        # normalised live object; null for a create
         "after": {...} | null,         # normalised desired object; null for a delete
         "diffs": [{"path", "before", "after", "forces_replace"}],  # updates/replaces
         "reason": "..." | null,        # display only, never used to decide anything
         "segments_lost": 0,            # label segments a replace/delete destroys
         "notes": ["..."]}
      ],
      "unverified": ["capture name", ...],  # matched by size and sample count only
      "unmanaged": {"capture": 12},      # undeclared objects the deletion policy keeps
      "warnings": ["..."],
      "inputs": {"files": {"rel/path.csv": "<sha256>"}, "live": {"capture:<uuid>": "<token>"}},
      "checksum": "<sha256 of the canonical JSON of everything above>"
    }

Versioning follows Terraform's promise: within a major version (1.x) fields are only added,
never removed, renamed or re-typed, so consumers must ignore unknown keys; the minor number
says which additions exist. A new major version means a breaking change, and this capdecl
refuses to render a plan whose major version it does not know. ``schemas/plan.schema.json``
is generated from :func:`plan_json_schema` (``python -m capdecl.render.jsonplan --schema``)
and allows unknown keys for that reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from capdecl.errors import ConfigError
from capdecl.planner.model import FORMAT_VERSION, Action, Kind

SUPPORTED_MAJOR = FORMAT_VERSION.split(".", 1)[0]


def render_json(plan: Mapping[str, Any]) -> str:
    """The plan dict exactly, as indented JSON with sorted keys and a final newline."""
    return json.dumps(plan, indent=2, sort_keys=True) + "\n"


def require_supported(plan: Mapping[str, Any]) -> None:
    """Refuse a plan written in a major format version this capdecl does not read."""
    version = plan.get("format_version")
    if not isinstance(version, str) or version.split(".", 1)[0] != SUPPORTED_MAJOR:
        raise ConfigError(
            f"plan format_version {version!r} is not supported "
            f"(this capdecl reads {SUPPORTED_MAJOR}.x)"
        )


def _nullable(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {"anyOf": [{"type": "null"}, dict(schema)]}


def _object(required: Sequence[str], properties: Mapping[str, Any]) -> dict[str, Any]:
    """An object schema; unknown keys stay allowed (additive fields within 1.x)."""
    return {"type": "object", "required": list(required), "properties": dict(properties)}


_SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_COUNT = {"type": "integer", "minimum": 0}
_RATE = {"type": "number", "exclusiveMinimum": 0}
_METADATA_VALUES = {"type": "object", "additionalProperties": {"type": "string"}}
_VALUE_LIST = {"type": "array", "items": {"type": "string"}}
_CAPTURE_KEYS = ("name", "sha256", "size", "samples", "configuration", "sample_rate", "metadata")

_DEFS: dict[str, Any] = {
    "project": _object(
        [],
        {
            "name": {"type": "string"},
            "ledger_entries": _COUNT,
            "pending": _COUNT,
        },
    ),
    "metadata_after": _object(
        ["name", "type", "values"],
        {
            "name": {"type": "string"},
            "type": {"enum": ["string", "integer", "float"]},
            "values": _nullable(_VALUE_LIST),
        },
    ),
    "metadata_before": _object(
        ["name"],
        {"name": {"type": "string"}, "type": {"type": "string"}, "values": _nullable(_VALUE_LIST)},
    ),
    "configuration_after": _object(
        ["name", "configuration"],
        {"name": {"type": "string"}, "uuid": {"type": ["string", "null"]}, "configuration": {}},
    ),
    "configuration_before": _object(
        ["name", "configuration"], {"name": {"type": "string"}, "configuration": {}}
    ),
    "capture_after": _object(
        ["path", *_CAPTURE_KEYS],
        {
            "name": {"type": "string"},
            "path": {"type": "string"},
            "sha256": _SHA256,
            "size": _COUNT,
            "samples": _nullable(_COUNT),
            "configuration": {"type": ["string", "null"]},
            "sample_rate": _nullable(_RATE),
            "metadata": _METADATA_VALUES,
        },
    ),
    "capture_before": _object(
        _CAPTURE_KEYS,
        {
            "name": {"type": "string"},
            "sha256": _nullable(_SHA256),
            "size": _COUNT,
            "samples": _nullable(_COUNT),
            "configuration": {"type": ["string", "null"]},
            "sample_rate": _nullable(_RATE),
            "metadata": _METADATA_VALUES,
        },
    ),
    "field_diff": _object(
        ["path", "before", "after", "forces_replace"],
        {
            "path": {"type": "string", "minLength": 1},
            "before": {"description": "JSON value; null means absent"},
            "after": {"description": "JSON value; null means absent"},
            "forces_replace": {"type": "boolean"},
        },
    ),
}


def _when(key: str, value: str, then: Mapping[str, Any]) -> dict[str, Any]:
    return {"if": {"required": [key], "properties": {key: {"const": value}}}, "then": dict(then)}


def _sides(kind: Kind, before: str, after: str) -> dict[str, Any]:
    """Per-kind shapes of ``before`` and ``after``."""
    return _when(
        "kind",
        kind.value,
        {
            "properties": {
                "before": _nullable({"$ref": f"#/$defs/{before}"}),
                "after": _nullable({"$ref": f"#/$defs/{after}"}),
            }
        },
    )


_CHANGE: dict[str, Any] = {
    **_object(
        [
            "kind",
            "action",
            "name",
            "uuid",
            "before",
            "after",
            "diffs",
            "reason",
            "segments_lost",
            "notes",
        ],
        {
            "kind": {"enum": [k.value for k in Kind]},
            "action": {"enum": [a.value for a in Action]},
            "name": {"type": "string"},
            "uuid": {"type": ["string", "null"]},
            "before": {"type": ["object", "null"]},
            "after": {"type": ["object", "null"]},
            "diffs": {"type": "array", "items": {"$ref": "#/$defs/field_diff"}},
            "reason": {"type": ["string", "null"]},
            "segments_lost": _COUNT,
            "notes": {"type": "array", "items": {"type": "string"}},
        },
    ),
    "allOf": [
        _when("action", Action.CREATE.value, {"properties": {"before": {"type": "null"}}}),
        _when("action", Action.DELETE.value, {"properties": {"after": {"type": "null"}}}),
        _sides(Kind.PROJECT, "project", "project"),
        _sides(Kind.METADATA, "metadata_before", "metadata_after"),
        _sides(Kind.CONFIGURATION, "configuration_before", "configuration_after"),
        _sides(Kind.CAPTURE, "capture_before", "capture_after"),
    ],
}

_TOP_KEYS = (
    "format_version",
    "project",
    "summary",
    "changes",
    "unverified",
    "unmanaged",
    "warnings",
    "inputs",
    "checksum",
)


def plan_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the plan format; a fresh copy on every call."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "capdecl plan",
        "description": (
            "Output of `capdecl plan --format json`. Within format_version 1.x fields are "
            "only added, so consumers must ignore unknown keys."
        ),
        **_object(
            _TOP_KEYS,
            {
                "format_version": {"type": "string", "pattern": rf"^{SUPPORTED_MAJOR}\.[0-9]+$"},
                "project": {"type": "string"},
                "summary": _object([a.value for a in Action], {a.value: _COUNT for a in Action}),
                "changes": {"type": "array", "items": {"$ref": "#/$defs/change"}},
                "unverified": {"type": "array", "items": {"type": "string"}},
                "unmanaged": {"type": "object", "additionalProperties": _COUNT},
                "warnings": {"type": "array", "items": {"type": "string"}},
                "inputs": _object(
                    ["files", "live"],
                    {
                        "files": {"type": "object", "additionalProperties": _SHA256},
                        "live": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                ),
                "checksum": _SHA256,
            },
        ),
        "$defs": {**_DEFS, "change": _CHANGE},
    }
    copy: dict[str, Any] = json.loads(json.dumps(schema))
    return copy


def schema_text() -> str:
    """The schema exactly as committed in ``schemas/plan.schema.json``."""
    return json.dumps(plan_json_schema(), indent=2, sort_keys=True) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m capdecl.render.jsonplan --schema`` prints the plan JSON Schema."""
    parser = argparse.ArgumentParser(
        prog="python -m capdecl.render.jsonplan", description="The capdecl JSON plan format."
    )
    parser.add_argument("--schema", action="store_true", help="print the plan JSON Schema")
    args = parser.parse_args(argv)
    if not args.schema:
        parser.print_usage(sys.stderr)
        return 2
    sys.stdout.write(schema_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
