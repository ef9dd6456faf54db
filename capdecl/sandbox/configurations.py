"""Capture configurations: ``/project/{p}/captureconfiguration/[{uuid}/]``.

The ``configuration`` JSON is free-form. A missing or ``1`` ``version`` triggers Piccolo's
v1→v2 rewrite (``num_bytes: 1`` on every sensor parameter, ``version: 2``), which fails with
a 500 when the shape cannot be walked, and on ``null``. Stored JSON is read back in jsonb key
order; create/update responses echo the request order.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import Response

from capdecl.sandbox.apierrors import ServerFault, not_found, unique_error
from capdecl.sandbox.fields import MISSING, Form, parse_uuid
from capdecl.sandbox.projects import find_project, json_field
from capdecl.sandbox.render import (
    empty_response,
    json_response,
    jsonb_order,
    load_json,
    new_uuid,
    now_iso,
    paginate,
    store_json,
)
from capdecl.sandbox.routing import Call, Route
from capdecl.sandbox.store import all_rows, one

_SELECT = (
    "SELECT c.* FROM configurations c JOIN projects p ON p.id = c.project_id "
    "WHERE p.uuid = ? AND p.team = ?"
)


def configuration_json(row: sqlite3.Row, configuration: Any = MISSING) -> dict[str, Any]:
    """A configuration as rendered; ``configuration`` overrides the stored (jsonb) value."""
    if configuration is MISSING:
        configuration = jsonb_order(load_json(row["configuration"]))
    return {
        "uuid": row["uuid"],
        "name": row["name"],
        "configuration": configuration,
        "created_at": row["created_at"],
        "last_modified": row["last_modified"],
    }


def migrate_configuration(configuration: Any) -> Any:
    """Piccolo's ``validate_configuration``: rewrite v1 (or unversioned) to v2 in place.
    Whatever the walk trips over becomes the 500 the server would answer."""
    try:
        if configuration.get("version", 1) == 1:
            for source in configuration["capture_sources"]:
                for sensor in source["sensors"]:
                    for parameter in sensor["parameters"]:
                        parameter["num_bytes"] = 1
            configuration["version"] = 2
    except (AttributeError, KeyError, TypeError) as error:
        raise ServerFault(type(error).__name__, str(error)) from None
    return configuration


def find_configuration(db: sqlite3.Connection, call: Call, uuid: str) -> sqlite3.Row | None:
    """A configuration of the URL's project (uuid matched as a UUID: case does not matter)."""
    canonical = parse_uuid(uuid)
    if canonical is None:
        return None
    return one(db, f"{_SELECT} AND c.uuid = ?", call.params["p"], call.team, canonical)


def _read(call: Call, *, partial: bool, create: bool) -> tuple[Form, dict[str, Any]]:
    form = Form(call.body, partial=partial, is_form=call.is_form)
    values: dict[str, Any] = {}
    if create:
        values["uuid"] = form.uuid("uuid")
    values["name"] = form.string("name", max_length=255)
    configuration = json_field(form, "configuration")
    if configuration is not MISSING:
        configuration = migrate_configuration(configuration)
    values["configuration"] = configuration
    return form, {key: value for key, value in values.items() if value is not MISSING}


def _check_unique(
    db: sqlite3.Connection, project_id: int, values: dict[str, Any], own: int
) -> None:
    messages = []
    if "name" in values and one(
        db,
        "SELECT id FROM configurations WHERE project_id = ? AND name = ? AND id != ?",
        project_id,
        values["name"],
        own,
    ):
        messages.append("name, project")
    if "uuid" in values and one(
        db,
        "SELECT id FROM configurations WHERE project_id = ? AND uuid = ?",
        project_id,
        values["uuid"],
    ):
        messages.append("project, uuid")
    if messages:
        error = unique_error(messages[0])
        error.body["data"]["non_field_errors"] = [
            f"The fields {fields} must make a unique set." for fields in messages
        ]
        raise error


def list_configurations(call: Call) -> Response:
    with call.store.read() as db:
        rows = all_rows(db, f"{_SELECT} ORDER BY c.id", call.params["p"], call.team)
    return json_response(paginate(call.request, rows, configuration_json))


def create_configuration(call: Call) -> Response:
    with call.store.read() as db:
        project = find_project(db, call.team, call.params["p"])
    form, values = _read(call, partial=False, create=True)
    if project is None:
        form.errors.add("project", "Project does not exist.")
    form.raise_if_errors()
    assert project is not None
    stamp = now_iso()
    uuid = values.get("uuid") or new_uuid()
    with call.store.write() as db:
        _check_unique(db, project["id"], values, own=-1)
        cursor = db.execute(
            "INSERT INTO configurations (project_id, uuid, name, configuration, created_at, "
            "last_modified) VALUES (?, ?, ?, ?, ?, ?)",
            (
                project["id"],
                uuid,
                values["name"],
                store_json(values.get("configuration")),
                stamp,
                stamp,
            ),
        )
        row = one(db, "SELECT * FROM configurations WHERE id = ?", cursor.lastrowid)
    assert row is not None
    return json_response(configuration_json(row, values.get("configuration")), 201)


def get_configuration(call: Call) -> Response:
    with call.store.read() as db:
        row = find_configuration(db, call, call.params["uuid"])
    if row is None:
        raise not_found()
    return json_response(configuration_json(row))


def _update(call: Call, *, partial: bool) -> Response:
    with call.store.read() as db:
        if find_configuration(db, call, call.params["uuid"]) is None:
            raise not_found()
    form, values = _read(call, partial=partial, create=False)
    form.raise_if_errors()
    with call.store.write() as db:
        row = find_configuration(db, call, call.params["uuid"])
        if row is None:
            raise not_found()
        _check_unique(db, row["project_id"], values, own=row["id"])
        columns = dict(values, last_modified=now_iso())
        if "configuration" in columns:
            columns["configuration"] = store_json(columns["configuration"])
        assignments = ", ".join(f"{key} = ?" for key in columns)
        db.execute(
            f"UPDATE configurations SET {assignments} WHERE id = ?", (*columns.values(), row["id"])
        )
        row = one(db, "SELECT * FROM configurations WHERE id = ?", row["id"])
    assert row is not None
    return json_response(configuration_json(row, values.get("configuration", MISSING)))


def patch_configuration(call: Call) -> Response:
    return _update(call, partial=True)


def put_configuration(call: Call) -> Response:
    return _update(call, partial=False)


def delete_configuration(call: Call) -> Response:
    """Delete; linked captures keep existing with ``capture_configuration_uuid: null``."""
    with call.store.write() as db:
        row = find_configuration(db, call, call.params["uuid"])
        if row is None:
            raise not_found()
        db.execute("DELETE FROM configurations WHERE id = ?", (row["id"],))
    return empty_response()


ROUTES = [
    Route(
        "/project/{p}/captureconfiguration/",
        {"GET": list_configurations, "POST": create_configuration},
    ),
    Route(
        "/project/{p}/captureconfiguration/{uuid}/",
        {
            "GET": get_configuration,
            "PATCH": patch_configuration,
            "PUT": put_configuration,
            "DELETE": delete_configuration,
        },
    ),
]
