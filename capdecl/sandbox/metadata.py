"""Metadata names and labels (one ``Label`` table, ``metadata`` true/false) and their values.

``/project/{p}/metadata/`` and ``/project/{p}/label/`` serve the same model; the path picks
the flag. Names and values share Piccolo's character rules; names are unique per project
across labels *and* metadata. ``values`` on create adds values one by one, with no
transaction: a bad value fails the request after the name was created.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from typing import Any

from flask import Response

from capdecl.sandbox.apierrors import ServerFault, not_found, unique_error, validation_error
from capdecl.sandbox.fields import MISSING, Form, parse_uuid, regex_message
from capdecl.sandbox.projects import find_project
from capdecl.sandbox.render import empty_response, json_response, new_uuid, now_iso, paginate
from capdecl.sandbox.routing import Call, Route
from capdecl.sandbox.store import all_rows, one

_NAME = re.compile(r"^[a-zA-Z0-9_ ]*$")
_VALUE = re.compile(r"^[a-zA-Z0-9_ .:-]*$")
COLOR = re.compile(r"^#([0-9a-fA-F]{6}|[A-Fa-f0-9]{8})$")
_RESERVED = ("_Capture_", "_GroupRows_")
_TYPES = ("string", "integer", "float")
_LABELS = (
    "SELECT l.* FROM labels l JOIN projects p ON p.id = l.project_id "
    "WHERE p.uuid = ? AND p.team = ? AND l.metadata = ?"
)


def name_problem(name: str) -> str | None:
    """Piccolo's ``validate_label_name``."""
    if not _NAME.match(name):
        return regex_message(name, spaces=False)
    if len(name) > 64:
        return f'Value "{name}" must be less than 64 characters.'
    if name in _RESERVED:
        return f'Value "{name}" is a reserved word.'
    return None


def value_problem(value: str) -> str | None:
    """Piccolo's ``validate_label_value``."""
    if not _VALUE.match(value):
        return regex_message(value, spaces=False)
    if len(value) > 64:
        return f'Value "{value}" must be less than 64 characters.'
    return None


def value_json(row: sqlite3.Row, *, nested: bool) -> dict[str, Any]:
    if nested:  # LabelValueSerializer (inside a label)
        keys = ("value", "color", "uuid", "created_at", "last_modified")
    else:  # LabelValueDetailSerializer
        keys = ("uuid", "value", "created_at", "last_modified", "color")
    return {key: row[key] for key in keys}


def label_json(row: sqlite3.Row, values: list[sqlite3.Row]) -> dict[str, Any]:
    return {
        "name": row["name"],
        "uuid": row["uuid"],
        "type": row["type"],
        "label_values": [value_json(v, nested=True) for v in values],
        "metadata": bool(row["metadata"]),
        "is_dropdown": bool(row["is_dropdown"]),
        "created_at": row["created_at"],
        "last_modified": row["last_modified"],
    }


def _values_of(db: sqlite3.Connection, label_ids: list[int]) -> dict[int, list[sqlite3.Row]]:
    grouped: dict[int, list[sqlite3.Row]] = defaultdict(list)
    if label_ids:
        marks = ", ".join("?" for _ in label_ids)
        sql = f"SELECT * FROM label_values WHERE label_id IN ({marks}) ORDER BY id"
        for row in all_rows(db, sql, *label_ids):
            grouped[row["label_id"]].append(row)
    return grouped


def _find_label(db: sqlite3.Connection, call: Call, flag: bool) -> sqlite3.Row | None:
    uuid = parse_uuid(call.params["uuid"] if "uuid" in call.params else call.params["label"])
    if uuid is None:
        return None
    return one(db, f"{_LABELS} AND l.uuid = ?", call.params["p"], call.team, int(flag), uuid)


def _read_label(call: Call, *, partial: bool, no_project: bool = False) -> dict[str, Any]:
    form = Form(call.body, partial=partial, is_form=call.is_form)
    if no_project:
        form.errors.add("project", "Project does not exist.")
    values: dict[str, Any] = {"name": form.string("name", max_length=1000)}
    if isinstance(values["name"], str) and (problem := name_problem(values["name"])):
        form.errors.add("name", problem)
    kind = form.data.get("type", MISSING)
    if kind is MISSING and not partial:
        form.errors.add("type", "This field is required.")
    elif kind is not MISSING and kind not in _TYPES:
        form.errors.add("type", f'"{kind}" is not a valid choice.')
    values["type"] = kind
    values["metadata"] = form.boolean("metadata")
    dropdown_sent = "is_dropdown" in form.data or (form.is_form and not partial)
    values["is_dropdown"] = form.boolean("is_dropdown") if dropdown_sent else MISSING
    raw_values = form.data.get("values", [])
    if not isinstance(raw_values, list):
        kind = type(raw_values).__name__
        form.errors.add("values", f'Expected a list of items but got type "{kind}".')
    values["values"] = raw_values
    form.raise_if_errors()
    return values


def list_labels(call: Call, flag: bool) -> Response:
    with call.store.read() as db:
        rows = all_rows(db, f"{_LABELS} ORDER BY l.id", call.params["p"], call.team, int(flag))
        values = _values_of(db, [row["id"] for row in rows])
    return json_response(paginate(call.request, rows, lambda r: label_json(r, values[r["id"]])))


def create_label(call: Call, flag: bool) -> Response:
    """Create a name, then its ``values`` one by one (a bad one fails after the name exists)."""
    with call.store.read() as db:
        project = find_project(db, call.team, call.params["p"])
    values = _read_label(call, partial=False, no_project=project is None)
    assert project is not None
    stamp = now_iso()
    with call.store.write() as db:
        if one(
            db,
            "SELECT id FROM labels WHERE project_id = ? AND name = ?",
            project["id"],
            values["name"],
        ):
            raise unique_error("name, project")
        cursor = db.execute(
            "INSERT INTO labels (project_id, uuid, name, type, metadata, is_dropdown, created_at,"
            " last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                project["id"],
                new_uuid(),
                values["name"],
                values["type"],
                int(flag),
                int(values["is_dropdown"] is True),
                stamp,
                stamp,
            ),
        )
        label_id = cursor.lastrowid
    for value in values["values"]:
        _add_value_unchecked(call, label_id, value)
    return _label_response(call, label_id, 201)


def _add_value_unchecked(call: Call, label_id: int | None, value: Any) -> None:
    """One entry of ``values``: validated like the server, inserted in its own transaction."""
    text = None if value is None else str(value)
    if text is not None and (problem := value_problem(text)):
        raise validation_error([problem])
    stamp = now_iso()
    with call.store.write() as db:
        try:
            db.execute(
                "INSERT INTO label_values (label_id, uuid, value, color, created_at, "
                "last_modified) VALUES (?, ?, ?, NULL, ?, ?)",
                (label_id, new_uuid(), text, stamp, stamp),
            )
        except sqlite3.IntegrityError as error:
            raise ServerFault("IntegrityError", str(error)) from None


def _label_response(call: Call, label_id: int | None, status: int = 200) -> Response:
    with call.store.read() as db:
        row = one(db, "SELECT * FROM labels WHERE id = ?", label_id)
        assert row is not None
        values = _values_of(db, [row["id"]])
    return json_response(label_json(row, values[row["id"]]), status)


def get_label(call: Call, flag: bool) -> Response:
    with call.store.read() as db:
        row = _find_label(db, call, flag)
    if row is None:
        raise not_found()
    return _label_response(call, row["id"])


def update_label(call: Call, flag: bool, *, partial: bool) -> Response:
    """PUT/PATCH: the body must hold name, type and is_dropdown, or it is a 500 KeyError."""
    with call.store.read() as db:
        if _find_label(db, call, flag) is None:
            raise not_found()
    values = _read_label(call, partial=partial)
    for key in ("name", "is_dropdown", "type"):
        if values[key] is MISSING:
            raise ServerFault("KeyError", f"'{key}'")
    with call.store.write() as db:
        row = _find_label(db, call, flag)
        if row is None:
            raise not_found()
        if one(
            db,
            "SELECT id FROM labels WHERE project_id = ? AND name = ? AND id != ?",
            row["project_id"],
            values["name"],
            row["id"],
        ):
            raise unique_error("name, project")
        db.execute(
            "UPDATE labels SET name = ?, is_dropdown = ?, type = ?, last_modified = ? WHERE id = ?",
            (values["name"], int(values["is_dropdown"]), values["type"], now_iso(), row["id"]),
        )
    return _label_response(call, row["id"])


def delete_label(call: Call, flag: bool) -> Response:
    """Delete; its values and every relationship using it cascade."""
    with call.store.write() as db:
        row = _find_label(db, call, flag)
        if row is None:
            raise not_found()
        db.execute("DELETE FROM labels WHERE id = ?", (row["id"],))
    return empty_response()


def routes() -> list[Route]:
    """The label and metadata name routes (values live in labelvalues.py)."""
    table = []
    for kind, flag in (("metadata", True), ("label", False)):
        base = f"/project/{{p}}/{kind}/"

        def bind(function: Any, flag: bool = flag, **kw: Any) -> Any:
            return lambda call: function(call, flag, **kw)

        table.append(Route(base, {"GET": bind(list_labels), "POST": bind(create_label)}))
        table.append(
            Route(
                f"{base}{{uuid}}/",
                {
                    "GET": bind(get_label),
                    "PUT": bind(update_label, partial=False),
                    "PATCH": bind(update_label, partial=True),
                    "DELETE": bind(delete_label),
                },
            )
        )
    return table
