"""Per-capture metadata relationships (v2): ``/v2/project/{p}/capture/{c}/metadata-relationship/``.

Quirks kept from the server: POST always answers a list; an unknown ``label_value`` is a 500;
a bulk PUT assigns the new values to existing rows *by position* (rows in storage order), not
by uuid; a detail PUT/PATCH without ``uuid`` in the body changes nothing and answers ``[]``
(which is why the official SDK's update is a no-op).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import Response

from capdecl.sandbox.apierrors import ServerFault, not_found, validation_error
from capdecl.sandbox.captures import bump_captures
from capdecl.sandbox.fields import REQUIRED, parse_uuid
from capdecl.sandbox.projects import find_project
from capdecl.sandbox.relationships import (
    LINKS,
    create_links,
    duplicate_message,
    fetch_links,
    item_field,
    link_json,
    ordered,
    strict_uuid,
)
from capdecl.sandbox.render import cursor_paginate, empty_response, json_response, now_iso
from capdecl.sandbox.routing import Call, Route
from capdecl.sandbox.store import all_rows, one

_CAPTURE_LINKS = f"{LINKS} AND c.uuid = ?"
_LABEL_MISSING = "Label matching query does not exist."
_VALUE_MISSING = ("DoesNotExist", "LabelValue matching query does not exist.")


def _render(call: Call) -> Any:
    return lambda row: link_json(row, call.params["c"])


def _context(db: sqlite3.Connection, call: Call) -> tuple[Any, Any]:
    """The URL's project and capture (either may be None)."""
    project = find_project(db, call.team, call.params["p"])
    capture = one(
        db,
        "SELECT c.* FROM captures c JOIN projects p ON p.id = c.project_id "
        "WHERE c.uuid = ? AND p.uuid = ? AND p.team = ?",
        call.params["c"],
        call.params["p"],
        call.team,
    )
    return project, capture


def _validate_item(
    db: sqlite3.Connection, item: Any, context: tuple[Any, Any], partial: bool
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """One list item through ``V2CaptureMetadataValueSerializer`` field validation."""
    if not isinstance(item, dict):
        kind = type(item).__name__
        return {}, {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]}
    errors: dict[str, list[str]] = {}
    entry: dict[str, Any] = {}
    if "uuid" in item:
        entry["uuid"] = None if item["uuid"] is None else parse_uuid(item["uuid"])
        if item["uuid"] is not None and entry["uuid"] is None:
            errors["uuid"] = ["Must be a valid UUID."]
    elif not partial:
        entry["uuid"] = None
    project, capture = context
    for key in ("label", "label_value"):
        if key not in item:
            if not partial:
                errors[key] = [REQUIRED]
            continue
        canonical = parse_uuid(item[key])
        if canonical is None:
            errors[key] = [f"“{item[key]}” is not a valid UUID."]
        elif key == "label":
            row = one(
                db,
                "SELECT * FROM labels WHERE uuid = ? AND project_id = ?",
                canonical,
                project["id"] if project else -1,
            )
            if row is None:
                errors[key] = [_LABEL_MISSING]
            entry[key] = row
        else:
            row = one(db, "SELECT * FROM label_values WHERE uuid = ?", canonical)
            if row is None:
                raise ServerFault(*_VALUE_MISSING)
            entry[key] = row
    if capture is None:
        errors["capture"] = ["Capture Does not Exist."]
    if project is None:
        errors["project"] = ["Project does not exist."]
    entry["capture"] = capture
    return entry, errors


def _validate(db: sqlite3.Connection, call: Call, *, partial: bool = False) -> list[dict[str, Any]]:
    body = call.body
    items = body if isinstance(body, list) else [body]
    context = _context(db, call)
    results = [_validate_item(db, item, context, partial) for item in items]
    if any(errors for _, errors in results):
        raise validation_error([errors for _, errors in results])
    return [entry for entry, _ in results]


def list_capture_links(call: Call) -> Response:
    with call.store.read() as db:
        rows = all_rows(
            db, f"{_CAPTURE_LINKS} ORDER BY m.id", call.params["p"], call.team, call.params["c"]
        )
    return json_response(cursor_paginate(call.request, ordered(call, rows), _render(call)))


def post_capture_links(call: Call) -> Response:
    """Create one or more (label, label_value) pairs on the capture; always answers a list."""
    with call.store.write() as db:
        entries = _validate(db, call)
        project_id = entries[0]["capture"]["project_id"] if entries else 0
        ids = create_links(db, project_id, entries)
        rows = fetch_links(db, call, ids)
    return json_response([_render(call)(row) for row in rows], 201)


def _apply(
    db: sqlite3.Connection, call: Call, pairs: list[tuple[sqlite3.Row, dict[str, Any]]]
) -> list[int]:
    """Write validated entries onto existing rows (label value must belong to the label)."""
    stamp = now_iso()
    for row, entry in pairs:
        if entry["label_value"]["label_id"] != entry["label"]["id"]:
            raise validation_error(["Label value is not associated with this Label"])
        try:
            db.execute(
                "UPDATE metadata_links SET label_id = ?, value_id = ?, last_modified = ? "
                "WHERE id = ?",
                (entry["label"]["id"], entry["label_value"]["id"], stamp, row["id"]),
            )
        except sqlite3.IntegrityError:
            raise validation_error(
                [duplicate_message(row["capture_id"], entry["label"]["id"])]
            ) from None
    bump_captures(db, [row["capture_id"] for row, _ in pairs])
    return [row["id"] for row, _ in pairs]


def put_capture_links(call: Call) -> Response:
    """Bulk PUT: rows found by the body's uuids get the new values *by position*."""
    body = call.body
    if isinstance(body, list):
        uuids = [strict_uuid(item_field(item, "uuid")) for item in body]
        if len(uuids) != len(set(uuids)):
            message = "['Multiple updates to a single label value relationship found. ']"
            raise ServerFault("ValidationError", message)
    else:
        uuids = [strict_uuid(body)]
    with call.store.write() as db:
        marks = ", ".join("?" for _ in uuids)
        rows = all_rows(
            db,
            f"{_CAPTURE_LINKS} AND m.uuid IN ({marks}) ORDER BY m.id",
            call.params["p"],
            call.team,
            call.params["c"],
            *uuids,
        )
        entries = _validate(db, call)
        if len(rows) < len(entries):
            raise ServerFault("IndexError", "list index out of range")
        ids = _apply(db, call, list(zip(rows, entries, strict=False)))
        result = fetch_links(db, call, ids)
    return json_response([_render(call)(row) for row in result])


def _find(db: sqlite3.Connection, call: Call) -> sqlite3.Row | None:
    canonical = parse_uuid(call.params["uuid"])
    if canonical is None:
        return None
    return one(
        db,
        f"{_CAPTURE_LINKS} AND m.uuid = ?",
        call.params["p"],
        call.team,
        call.params["c"],
        canonical,
    )


def get_capture_link(call: Call) -> Response:
    with call.store.read() as db:
        row = _find(db, call)
    if row is None:
        raise not_found()
    return json_response(_render(call)(row))


def update_capture_link(call: Call, *, partial: bool) -> Response:
    """Updates only when the body's ``uuid`` names this row; otherwise ``200 []``."""
    with call.store.write() as db:
        row = _find(db, call)
        if row is None:
            raise not_found()
        entries = _validate(db, call, partial=partial)
        pairs = []
        for entry in entries:
            if "uuid" not in entry:
                raise ServerFault("KeyError", "'uuid'")
            if entry["uuid"] == row["uuid"]:
                pairs.append((row, entry))
        ids = _apply(db, call, pairs)
        result = fetch_links(db, call, ids)
    return json_response([_render(call)(r) for r in result])


def delete_capture_link(call: Call) -> Response:
    with call.store.write() as db:
        row = _find(db, call)
        if row is None:
            raise not_found()
        db.execute("DELETE FROM metadata_links WHERE id = ?", (row["id"],))
        bump_captures(db, [row["capture_id"]])
    return empty_response()


_BASE = "/v2/project/{p}/capture/{c}/metadata-relationship/"
ROUTES = [
    Route(_BASE, {"GET": list_capture_links, "POST": post_capture_links, "PUT": put_capture_links}),
    Route(
        _BASE + "{uuid}/",
        {
            "GET": get_capture_link,
            "PUT": lambda call: update_capture_link(call, partial=False),
            "PATCH": lambda call: update_capture_link(call, partial=True),
            "DELETE": delete_capture_link,
        },
    ),
]
