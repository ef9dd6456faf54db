"""Segmenters ("sessions") and labelled segments (capture label relationships).

* ``/project/{p}/segmenter/`` GET/POST, ``/project/{p}/segmenter/{s}/`` GET
* ``/project/{p}/capture/{c}/label-relationship/`` GET/POST: segments of one capture,
  validated ``0 <= start < end <= max_sequence``; duplicates are a 400
* ``/project/{p}/label-relationship/`` GET: every segment of the project
"""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import Response

from capdecl.sandbox.apierrors import not_found, unique_error, validation_error
from capdecl.sandbox.captures import bump_captures
from capdecl.sandbox.fields import MISSING, REQUIRED, Form, parse_uuid
from capdecl.sandbox.projects import find_project, json_field
from capdecl.sandbox.relationships import ordered
from capdecl.sandbox.render import (
    cursor_paginate,
    json_response,
    load_json,
    new_uuid,
    now_iso,
    paginate,
    store_json,
)
from capdecl.sandbox.routing import Call, Route
from capdecl.sandbox.store import all_rows, one

SEGMENTS = (
    "SELECT s.*, c.uuid AS capture_uuid, l.uuid AS label_uuid, v.uuid AS value_uuid "
    "FROM label_links s JOIN captures c ON c.id = s.capture_id "
    "JOIN labels l ON l.id = s.label_id JOIN label_values v ON v.id = s.value_id "
    "JOIN projects p ON p.id = s.project_id WHERE p.uuid = ? AND p.team = ?"
)
_SEGMENTERS = (
    "SELECT s.* FROM segmenters s JOIN projects p ON p.id = s.project_id "
    "WHERE p.uuid = ? AND p.team = ?"
)


def segmenter_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "parent": row["parent_id"],
        "name": row["name"],
        "function": row["function"],
        "parameters": load_json(row["parameters"]),
        "custom": bool(row["custom"]),
        "preprocess": load_json(row["preprocess"]),
        "is_locked": bool(row["is_locked"]),
        "created_at": row["created_at"],
        "last_modified": row["last_modified"],
    }


def segment_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "uuid": row["uuid"],
        "capture": row["capture_uuid"],
        "label": row["label_uuid"],
        "label_value": row["value_uuid"],
        "capture_sample_sequence_start": row["start"],
        "capture_sample_sequence_end": row["end"],
        "segmenter": row["segmenter_id"],
        "created_at": row["created_at"],
        "last_modified": row["last_modified"],
    }


def list_segmenters(call: Call) -> Response:
    with call.store.read() as db:
        rows = all_rows(db, f"{_SEGMENTERS} ORDER BY s.id", call.params["p"], call.team)
    return json_response(paginate(call.request, rows, segmenter_json))


def _segmenter_pk(db: sqlite3.Connection, project_id: int, raw: Any) -> tuple[Any, str | None]:
    """A segmenter id of the project, as DRF's PrimaryKeyRelatedField validates it."""
    if raw is None:
        return None, None
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        return None, f"Incorrect type. Expected pk value, received {type(raw).__name__}."
    row = one(
        db,
        "SELECT id FROM segmenters WHERE id = ? AND project_id = ?",
        str(raw).strip(),
        project_id,
    )
    if row is None:
        return None, f'Invalid pk "{raw}" - object does not exist.'
    return row["id"], None


def create_segmenter(call: Call) -> Response:
    form = Form(call.body, is_form=call.is_form)
    with call.store.read() as db:
        project = find_project(db, call.team, call.params["p"])
        parent, problem = _segmenter_pk(
            db, project["id"] if project else -1, form.data.get("parent")
        )
    if project is None:
        form.errors.add("project", "Project does not exist.")
    if problem:
        form.errors.add("parent", problem)
    name = form.string("name", max_length=255)
    function = form.string("function", required=False, allow_null=True, max_length=255)
    parameters, preprocess = json_field(form, "parameters"), json_field(form, "preprocess")
    custom = form.boolean("custom", default=False)
    locked = form.boolean("is_locked", default=False)
    form.raise_if_errors()
    assert project is not None
    stamp = now_iso()
    with call.store.write() as db:
        if one(
            db, "SELECT id FROM segmenters WHERE project_id = ? AND name = ?", project["id"], name
        ):
            raise unique_error("name, project")
        cursor = db.execute(
            "INSERT INTO segmenters (project_id, parent_id, name, function, parameters, custom, "
            "preprocess, is_locked, created_at, last_modified) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                project["id"],
                parent,
                name,
                None if function is MISSING else function,
                store_json(None if parameters is MISSING else parameters),
                int(custom),
                store_json(None if preprocess is MISSING else preprocess),
                int(locked),
                stamp,
                stamp,
            ),
        )
        row = one(db, "SELECT * FROM segmenters WHERE id = ?", cursor.lastrowid)
    assert row is not None
    return json_response(segmenter_json(row), 201)


def get_segmenter(call: Call) -> Response:
    with call.store.read() as db:
        row = one(db, f"{_SEGMENTERS} AND s.id = ?", call.params["p"], call.team, call.params["s"])
    if row is None:
        raise not_found()
    return json_response(segmenter_json(row))


def list_capture_segments(call: Call) -> Response:
    with call.store.read() as db:
        rows = all_rows(
            db,
            f"{SEGMENTS} AND c.uuid = ? ORDER BY s.id",
            call.params["p"],
            call.team,
            call.params["c"],
        )
    return json_response(paginate(call.request, rows, segment_json))


def list_project_segments(call: Call) -> Response:
    with call.store.read() as db:
        rows = all_rows(db, f"{SEGMENTS} ORDER BY s.id", call.params["p"], call.team)
    return json_response(cursor_paginate(call.request, ordered(call, rows), segment_json))


def _uuid_row(
    db: sqlite3.Connection, item: dict[str, Any], key: str, sql: str, *args: Any
) -> tuple[Any, list[str] | None]:
    """A required uuid field resolved to a row, or the field's error messages."""
    if key not in item:
        return None, [REQUIRED]
    canonical = parse_uuid(item[key])
    if canonical is None:
        return None, [f"“{item[key]}” is not a valid UUID."]
    row = one(db, sql, canonical, *args)
    name = "Label" if key == "label" else "LabelValue"
    return row, None if row is not None else [f"{name} matching query does not exist."]


def _bounds(form: Form) -> tuple[Any, Any]:
    start = form.integer("capture_sample_sequence_start", allow_null=False)
    end = form.integer("capture_sample_sequence_end", allow_null=False)
    return (0 if start is MISSING else start), (0 if end is MISSING else end)


def _validate_segment(
    db: sqlite3.Connection, item: Any, project: Any, capture: Any
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """One item through ``V2CaptureLabelValueSerializer``: fields, then the range checks."""
    if not isinstance(item, dict):
        kind = type(item).__name__
        return {}, {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]}
    form = Form(item)
    project_id = project["id"] if project else -1
    label, label_errors = _uuid_row(
        db, item, "label", "SELECT * FROM labels WHERE uuid = ? AND project_id = ?", project_id
    )
    value, value_errors = _uuid_row(
        db,
        item,
        "label_value",
        "SELECT v.* FROM label_values v JOIN labels l ON l.id = v.label_id "
        "WHERE v.uuid = ? AND l.uuid = ?",
        parse_uuid(item.get("label")) or "",
    )
    errors = {k: v for k, v in (("label", label_errors), ("label_value", value_errors)) if v}
    start, end = _bounds(form)
    errors.update(form.errors.errors)
    segmenter, problem = _segmenter_pk(db, project_id, item.get("segmenter"))
    if problem:
        errors["segmenter"] = [problem]
    if capture is None:
        errors["capture"] = ["Capture Does not Exist."]
    if project is None:
        errors["project"] = ["Project does not exist."]
    if errors:
        return {}, errors
    problem = _range_problem(start, end, capture["max_sequence"])
    if problem:
        return {}, {"non_field_errors": [problem]}
    entry = {
        "label": label,
        "label_value": value,
        "start": start,
        "end": end,
        "segmenter": segmenter,
        "capture": capture,
    }
    return entry, {}


def _range_problem(start: int, end: int, max_sequence: int | None) -> str | None:
    if start < 0:
        return "Capture sample sequence start cannot be less than 0."
    if end <= start:
        return "Capture sample sequence end cannot be less than start."
    if max_sequence is not None and end > max_sequence:
        return (
            "Capture sample sequence end cannot be greater than the max sequence of the "
            "capture file."
        )
    return None


def _duplicate(entry: dict[str, Any]) -> str:
    return (
        "duplicate key value violates unique constraint "
        '"datamanager_capturelabelvalue_capture_id_segmenter_id_label_id_uniq"\n'
        f"DETAIL:  Key (capture_id, segmenter_id, label_id, label_value_id, "
        f"capture_sample_sequence_start, capture_sample_sequence_end)=({entry['capture']['id']}, "
        f"{entry['segmenter']}, {entry['label']['id']}, {entry['label_value']['id']}, "
        f"{entry['start']}, {entry['end']}) already exists.\n"
    )


def create_capture_segments(call: Call) -> Response:
    """Create one or more segments on a capture (atomic; answers a list)."""
    body = call.body
    items = body if isinstance(body, list) else [body]
    stamp = now_iso()
    with call.store.write() as db:
        project = find_project(db, call.team, call.params["p"])
        capture = one(
            db,
            "SELECT * FROM captures WHERE uuid = ? AND project_id = ?",
            call.params["c"],
            project["id"] if project else -1,
        )
        results = [_validate_segment(db, item, project, capture) for item in items]
        if any(errors for _, errors in results):
            raise validation_error([errors for _, errors in results])
        ids = []
        for entry, _ in results:
            try:
                cursor = db.execute(
                    "INSERT INTO label_links (project_id, capture_id, label_id, value_id, "
                    'segmenter_id, start, "end", uuid, created_at, last_modified) '
                    "VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        entry["capture"]["project_id"],
                        entry["capture"]["id"],
                        entry["label"]["id"],
                        entry["label_value"]["id"],
                        entry["segmenter"],
                        entry["start"],
                        entry["end"],
                        new_uuid(),
                        stamp,
                        stamp,
                    ),
                )
            except sqlite3.IntegrityError:
                raise validation_error([_duplicate(entry)]) from None
            ids.append(cursor.lastrowid)
        bump_captures(db, [entry["capture"]["id"] for entry, _ in results])
        marks = ", ".join("?" for _ in ids) or "NULL"
        rows = all_rows(
            db, f"{SEGMENTS} AND s.id IN ({marks}) ORDER BY s.id", call.params["p"], call.team, *ids
        )
    return json_response([segment_json(row) for row in rows], 201)


ROUTES = [
    Route("/project/{p}/segmenter/", {"GET": list_segmenters, "POST": create_segmenter}),
    Route("/project/{p}/segmenter/{s}/", {"GET": get_segmenter}),
    Route(
        "/project/{p}/capture/{c}/label-relationship/",
        {"GET": list_capture_segments, "POST": create_capture_segments},
    ),
    Route("/project/{p}/label-relationship/", {"GET": list_project_segments}),
]
