"""Capture metadata relationships, project level: ``/project/{p}/metadata-relationship/``
(GET/POST/PUT), ``capture-metadata-relationship/`` and the v2 bulk delete.

Bodies carry uuids *as the server returned them*: lookups use lower-case string keys, so
other spellings resolve to nothing ("This field may not be null."). A batch is atomic; a
second value for the same (capture, metadata name) is a 400 carrying PostgreSQL's message.
Every change bumps the affected captures' ``version`` and ``last_modified``.
"""

from __future__ import annotations

import sqlite3
import uuid as uuidlib
from collections.abc import Sequence
from typing import Any

from flask import Response

from capdecl.sandbox.apierrors import ServerFault, validation_error
from capdecl.sandbox.captures import bump_captures
from capdecl.sandbox.fields import NOT_NULL
from capdecl.sandbox.projects import find_project
from capdecl.sandbox.render import cursor_paginate, json_response, new_uuid, now_iso
from capdecl.sandbox.routing import Call, Route
from capdecl.sandbox.store import all_rows

LINKS = (
    "SELECT m.*, c.uuid AS capture_uuid, l.uuid AS label_uuid, v.uuid AS value_uuid "
    "FROM metadata_links m JOIN captures c ON c.id = m.capture_id "
    "JOIN labels l ON l.id = m.label_id JOIN label_values v ON v.id = m.value_id "
    "JOIN projects p ON p.id = m.project_id WHERE p.uuid = ? AND p.team = ?"
)
_ITEM_KEYS = ("label", "label_value", "capture")


def link_json(row: sqlite3.Row, capture: str | None = None) -> dict[str, Any]:
    return {
        "uuid": row["uuid"],
        "capture": capture or row["capture_uuid"],
        "label": row["label_uuid"],
        "label_value": row["value_uuid"],
        "created_at": row["created_at"],
        "last_modified": row["last_modified"],
    }


def strict_uuid(value: Any) -> str:
    """``uuid.UUID(value)`` as the server calls it: anything unparsable is a 500."""
    try:
        return str(uuidlib.UUID(value))
    except (AttributeError, TypeError, ValueError) as error:
        raise ServerFault(type(error).__name__, str(error)) from None


def item_field(item: Any, key: str) -> Any:
    """``item[key]`` with the server's failure modes."""
    try:
        return item[key]
    except KeyError:
        raise ServerFault("KeyError", f"'{key}'") from None
    except TypeError as error:
        raise ServerFault("TypeError", str(error)) from None


def listed(body: Any) -> list[Any]:
    """A list body, or the 500 ``uuid.UUID(<object>)`` gives on anything else."""
    if isinstance(body, list):
        return body
    strict_uuid(body)
    return [body]


def duplicate_message(capture_id: int, label_id: int) -> str:
    return (
        "duplicate key value violates unique constraint "
        '"datamanager_capturemetadatavalue_capture_id_label_id_uniq"\n'
        f"DETAIL:  Key (capture_id, label_id)=({capture_id}, {label_id}) already exists.\n"
    )


def ordered(call: Call, rows: Sequence[sqlite3.Row]) -> Sequence[sqlite3.Row]:
    """Cursor pages are ordered ``-created_at``; plain lists in insertion order."""
    if call.request.args.get("page_size"):
        return sorted(rows, key=lambda r: (r["created_at"], r["id"]), reverse=True)
    return rows


def list_links(call: Call) -> Response:
    with call.store.read() as db:
        rows = all_rows(db, f"{LINKS} ORDER BY m.id", call.params["p"], call.team)
    return json_response(cursor_paginate(call.request, ordered(call, rows), link_json))


def _resolve(
    db: sqlite3.Connection, call: Call, items: list[Any]
) -> tuple[int, list[dict[str, Any]]]:
    """The server's ``validate_data``: look up labels, values and captures of a bulk body."""
    wanted = {key: {strict_uuid(item_field(item, key)) for item in items} for key in _ITEM_KEYS}
    project_uuid = call.params["p"]
    labels = _by_uuid(db, "labels", project_uuid, wanted["label"])
    captures = _by_uuid(db, "captures", project_uuid, wanted["capture"])
    values = _by_uuid(db, "label_values", None, wanted["label_value"])
    label_ids = {row["id"] for row in labels.values()}
    if any(row["label_id"] not in label_ids for row in values.values()):
        raise ServerFault("Exception", "Label Value is not associated with Label.")
    project = find_project(db, call.team, project_uuid)
    if project is None:
        raise validation_error(["Project does not exist."])
    resolved = [
        {
            "uuid": item.get("uuid"),
            "label": labels.get(item["label"]),
            "capture": captures.get(item["capture"]),
            "label_value": values.get(item["label_value"]),
        }
        for item in items
    ]
    errors = [{k: [NOT_NULL] for k in _ITEM_KEYS if entry[k] is None} for entry in resolved]
    if any(errors):
        raise validation_error(
            [{k: e[k] for k in ("label", "label_value", "capture") if k in e} for e in errors]
        )
    for entry in resolved:
        if entry["label"]["id"] != entry["label_value"]["label_id"]:
            raise validation_error(["Label is not associated with this Label Value."])
    return int(project["id"]), resolved


def _by_uuid(
    db: sqlite3.Connection, table: str, project_uuid: str | None, uuids: set[str]
) -> dict[str, sqlite3.Row]:
    """Rows of ``table`` by uuid (of the project, unless ``project_uuid`` is None)."""
    if not uuids:
        return {}
    marks = ", ".join("?" for _ in uuids)
    sql = f"SELECT t.* FROM {table} t WHERE t.uuid IN ({marks})"
    args: list[Any] = sorted(uuids)
    if project_uuid is not None:
        sql += " AND t.project_id = (SELECT id FROM projects WHERE uuid = ?)"
        args.append(project_uuid)
    return {row["uuid"]: row for row in all_rows(db, sql, *args)}


def create_links(
    db: sqlite3.Connection, project_id: int, entries: list[dict[str, Any]]
) -> list[int]:
    """Insert relationships atomically (caller's transaction); duplicates are a 400."""
    stamp = now_iso()
    ids = []
    for entry in entries:
        capture_id, label_id = entry["capture"]["id"], entry["label"]["id"]
        try:
            cursor = db.execute(
                "INSERT INTO metadata_links (project_id, capture_id, label_id, value_id, uuid, "
                "created_at, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    project_id,
                    capture_id,
                    label_id,
                    entry["label_value"]["id"],
                    new_uuid(),
                    stamp,
                    stamp,
                ),
            )
        except sqlite3.IntegrityError:
            raise validation_error([duplicate_message(capture_id, label_id)]) from None
        ids.append(int(cursor.lastrowid or 0))
    bump_captures(db, [entry["capture"]["id"] for entry in entries])
    return ids


def fetch_links(db: sqlite3.Connection, call: Call, ids: list[int]) -> list[sqlite3.Row]:
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    rows = all_rows(db, f"{LINKS} AND m.id IN ({marks})", call.params["p"], call.team, *ids)
    by_id = {row["id"]: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def post_links(call: Call) -> Response:
    items = listed(call.body)
    with call.store.write() as db:
        project_id, entries = _resolve(db, call, items)
        ids = create_links(db, project_id, entries)
        rows = fetch_links(db, call, ids)
    return json_response([link_json(row) for row in rows], 201)


def put_links(call: Call) -> Response:
    """Bulk update matched by relationship uuid (unknown uuids are skipped)."""
    items = listed(call.body)
    uuids = [strict_uuid(item_field(item, "uuid")) for item in items]
    if len(uuids) != len(set(uuids)):
        raise validation_error(["Multiple updates to a single uuid found"])
    with call.store.write() as db:
        _, entries = _resolve(db, call, items)
        existing = _by_uuid(db, "metadata_links", call.params["p"], set(uuids))
        updated = []
        stamp = now_iso()
        for uuid, entry in zip(uuids, entries, strict=True):
            row = existing.get(uuid)
            if row is None:
                continue
            capture_id, label_id = entry["capture"]["id"], entry["label"]["id"]
            try:
                db.execute(
                    "UPDATE metadata_links SET capture_id = ?, label_id = ?, value_id = ?, "
                    "last_modified = ? WHERE id = ?",
                    (capture_id, label_id, entry["label_value"]["id"], stamp, row["id"]),
                )
            except sqlite3.IntegrityError:
                raise validation_error([duplicate_message(capture_id, label_id)]) from None
            updated.append(row["id"])
            bump_captures(db, [capture_id])
        rows = fetch_links(db, call, updated)
    return json_response([link_json(row) for row in rows])


def delete_links(call: Call, table: str) -> Response:
    """``POST /v2/project/{p}/{metadata|label}-relationship/delete/``: answers the count."""
    uuids = [strict_uuid(value) for value in listed(call.body)]
    if len(uuids) != len(set(uuids)):
        raise validation_error(["Multiple updates to a single label value relationship found. "])
    with call.store.write() as db:
        rows = _by_uuid(db, table, call.params["p"], set(uuids))
        if len(rows) != len(uuids):
            raise validation_error(["One or more UUIDs to delete was invalid."])
        ids = [row["id"] for row in rows.values()]
        marks = ", ".join("?" for _ in ids)
        if ids:
            db.execute(f"DELETE FROM {table} WHERE id IN ({marks})", ids)
        bump_captures(db, [row["capture_id"] for row in rows.values()])
    return json_response(len(ids))


def links_of_captures(call: Call) -> Response:
    """``POST /project/{p}/capture-metadata-relationship/`` (a GET with a body)."""
    body = call.body
    raw = body.get("capture_uuid_list") if isinstance(body, dict) else None
    if not isinstance(raw, list):
        raise ServerFault("TypeError", f"'{type(raw).__name__}' object is not iterable")
    wanted = sorted({strict_uuid(value) for value in raw})
    marks = ", ".join("?" for _ in wanted) or "NULL"
    with call.store.read() as db:
        rows = all_rows(
            db,
            f"{LINKS} AND c.uuid IN ({marks}) ORDER BY m.id",
            call.params["p"],
            call.team,
            *wanted,
        )
    return json_response([link_json(row) for row in rows])


ROUTES = [
    Route(
        "/project/{p}/metadata-relationship/",
        {"GET": list_links, "POST": post_links, "PUT": put_links},
    ),
    Route("/project/{p}/capture-metadata-relationship/", {"POST": links_of_captures}),
    Route(
        "/v2/project/{p}/metadata-relationship/delete/",
        {"POST": lambda call: delete_links(call, "metadata_links")},
    ),
    Route(
        "/v2/project/{p}/label-relationship/delete/",
        {"POST": lambda call: delete_links(call, "label_links")},
    ),
]
