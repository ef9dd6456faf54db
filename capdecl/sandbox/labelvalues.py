"""Allowed values of a label or metadata name: ``.../{metadata|label}/{label}/labelvalue/``.

As on the server, the collection is looked up by the label uuid alone (the project in the
URL is not checked); deleting a value removes every relationship that used it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import Response

from capdecl.sandbox.apierrors import not_found, unique_error
from capdecl.sandbox.fields import MISSING, Form, parse_uuid
from capdecl.sandbox.metadata import COLOR, value_json, value_problem
from capdecl.sandbox.render import empty_response, json_response, new_uuid, now_iso, paginate
from capdecl.sandbox.routing import Call, Route
from capdecl.sandbox.store import all_rows, one

_VALUES = (
    "SELECT v.* FROM label_values v JOIN labels l ON l.id = v.label_id "
    "JOIN projects p ON p.id = l.project_id WHERE l.uuid = ? AND p.team = ?"
)


def _label(db: sqlite3.Connection, call: Call) -> sqlite3.Row | None:
    uuid = parse_uuid(call.params["label"])
    if uuid is None:
        return None
    return one(
        db,
        "SELECT l.* FROM labels l JOIN projects p ON p.id = l.project_id "
        "WHERE l.uuid = ? AND p.team = ?",
        uuid,
        call.team,
    )


def _find_value(db: sqlite3.Connection, call: Call) -> sqlite3.Row | None:
    label_uuid, uuid = parse_uuid(call.params["label"]), parse_uuid(call.params["uuid"])
    if label_uuid is None or uuid is None:
        return None
    return one(db, f"{_VALUES} AND v.uuid = ?", label_uuid, call.team, uuid)


def _read_value(call: Call, *, partial: bool, no_label: bool = False) -> dict[str, Any]:
    form = Form(call.body, partial=partial, is_form=call.is_form)
    value = form.string("value", max_length=1000)
    if isinstance(value, str) and (problem := value_problem(value)):
        form.errors.add("value", problem)
    color = form.string("color", required=False, allow_null=True, max_length=9)
    if isinstance(color, str) and not COLOR.match(color):
        form.errors.add("color", f'"{color}" is not a valid color.')
    if no_label:
        form.errors.add("label", "Label Does not Exist.")
    form.raise_if_errors()
    return {key: item for key, item in (("value", value), ("color", color)) if item is not MISSING}


def list_values(call: Call) -> Response:
    label_uuid = parse_uuid(call.params["label"]) or ""
    with call.store.read() as db:
        rows = all_rows(db, f"{_VALUES} ORDER BY v.id", label_uuid, call.team)
    return json_response(paginate(call.request, rows, lambda r: value_json(r, nested=False)))


def create_value(call: Call) -> Response:
    with call.store.read() as db:
        label = _label(db, call)
    values = _read_value(call, partial=False, no_label=label is None)
    assert label is not None
    stamp = now_iso()
    with call.store.write() as db:
        if one(
            db,
            "SELECT id FROM label_values WHERE label_id = ? AND value = ?",
            label["id"],
            values["value"],
        ):
            raise unique_error("label, value")
        cursor = db.execute(
            "INSERT INTO label_values (label_id, uuid, value, color, created_at, last_modified) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (label["id"], new_uuid(), values["value"], values.get("color"), stamp, stamp),
        )
        row = one(db, "SELECT * FROM label_values WHERE id = ?", cursor.lastrowid)
    assert row is not None
    return json_response(value_json(row, nested=False), 201)


def get_value(call: Call) -> Response:
    with call.store.read() as db:
        row = _find_value(db, call)
    if row is None:
        raise not_found()
    return json_response(value_json(row, nested=False))


def _update(call: Call, *, partial: bool) -> Response:
    with call.store.read() as db:
        if _find_value(db, call) is None:
            raise not_found()
    values = _read_value(call, partial=partial)
    with call.store.write() as db:
        row = _find_value(db, call)
        if row is None:
            raise not_found()
        if "value" in values and one(
            db,
            "SELECT id FROM label_values WHERE label_id = ? AND value = ? AND id != ?",
            row["label_id"],
            values["value"],
            row["id"],
        ):
            raise unique_error("label, value")
        columns = dict(values, last_modified=now_iso())
        assignments = ", ".join(f"{key} = ?" for key in columns)
        db.execute(
            f"UPDATE label_values SET {assignments} WHERE id = ?", (*columns.values(), row["id"])
        )
        row = one(db, "SELECT * FROM label_values WHERE id = ?", row["id"])
    assert row is not None
    return json_response(value_json(row, nested=False))


def put_value(call: Call) -> Response:
    return _update(call, partial=False)


def patch_value(call: Call) -> Response:
    return _update(call, partial=True)


def delete_value(call: Call) -> Response:
    """Delete; relationships using the value cascade away."""
    with call.store.write() as db:
        row = _find_value(db, call)
        if row is None:
            raise not_found()
        db.execute("DELETE FROM label_values WHERE id = ?", (row["id"],))
    return empty_response()


def routes() -> list[Route]:
    table = []
    for kind in ("metadata", "label"):
        base = f"/project/{{p}}/{kind}/{{label}}/labelvalue/"
        table.append(Route(base, {"GET": list_values, "POST": create_value}))
        table.append(
            Route(
                f"{base}{{uuid}}/",
                {"GET": get_value, "PUT": put_value, "PATCH": patch_value, "DELETE": delete_value},
            )
        )
    return table
