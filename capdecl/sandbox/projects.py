"""Projects: ``/project/`` and ``/project/{p}/`` (Piccolo's ``ProjectSerializer``)."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from flask import Response

from capdecl.sandbox.apierrors import ServerFault, not_found, unique_error
from capdecl.sandbox.fields import MISSING, Form, regex_message
from capdecl.sandbox.render import (
    empty_response,
    json_response,
    load_json,
    new_uuid,
    now_iso,
    paginate,
    store_json,
)
from capdecl.sandbox.routing import Call, Route
from capdecl.sandbox.store import all_rows, one

_NAME = re.compile(r"^[a-zA-Z0-9_ .-]*$")
# Declared serializer defaults: a PUT that omits them resets them.
_DECLARED_DEFAULTS: dict[str, Any] = {"settings": None, "plugin_config": None, "optimized": False}


# Every column but the two JSON documents only a project's own answer shows: ``settings``
# can be megabytes (capdecl keeps its content ledger there), and most requests look a
# project up only for its id.
CORE_COLUMNS = (
    "id, uuid, team, name, optimized, capture_sample_schema, description, lock_schema, "
    "created_at, last_modified"
)


def find_project(db: sqlite3.Connection, team: str, uuid: str) -> sqlite3.Row | None:
    """The team's project with this uuid (exact, case-sensitive: uuids are text columns),
    without its settings and plugin_config (:func:`whole_project` has them)."""
    return one(db, f"SELECT {CORE_COLUMNS} FROM projects WHERE uuid = ? AND team = ?", uuid, team)


def whole_project(db: sqlite3.Connection, team: str, uuid: str) -> sqlite3.Row | None:
    """:func:`find_project` with every column, for the project's own answer."""
    return one(db, "SELECT * FROM projects WHERE uuid = ? AND team = ?", uuid, team)


def project_json(row: sqlite3.Row, base_url: str) -> dict[str, Any]:
    """A project as the API renders it."""
    link = f"{base_url}project/{row['uuid']}/"
    return {
        "uuid": row["uuid"],
        "url": link,
        "name": row["name"],
        "labels": f"{link}label/",
        "capture_sample_schema": load_json(row["capture_sample_schema"]),
        "captures": f"{link}capture/",
        "team": row["team"],
        "settings": load_json(row["settings"]),
        "optimized": bool(row["optimized"]),
        "segmenters": f"{link}segmenter/",
        "profile": None,
        "plugin_config": load_json(row["plugin_config"]),
        "created_at": row["created_at"],
        "active_pipelines": None,
        "description": row["description"],
        "lock_schema": bool(row["lock_schema"]),
        "last_modified": row["last_modified"],
    }


def json_field(form: Form, name: str) -> Any:
    """A DRF JSONField: any JSON value; in form data, a JSON text."""
    if name not in form.data:
        return MISSING
    value = form.data[name]
    if form.is_form and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            form.errors.add(name, "Value must be valid JSON.")
            return MISSING
    return value


def _read_fields(call: Call, *, partial: bool) -> dict[str, Any]:
    """Validate a create/update body into column values (MISSING fields left out)."""
    form = Form(call.body, partial=partial, is_form=call.is_form)
    values: dict[str, Any] = {"name": form.string("name")}
    if isinstance(values["name"], str) and not _NAME.match(values["name"]):
        form.errors.add("name", regex_message(values["name"], spaces=True))
    settings = json_field(form, "settings")
    if settings is not MISSING and settings is not None and not isinstance(settings, dict):
        form.errors.add("settings", "Settings must be a dictionary object.")
    values["settings"] = settings
    values["plugin_config"] = json_field(form, "plugin_config")
    values["optimized"] = form.boolean("optimized", default=False)
    values["lock_schema"] = form.boolean("lock_schema", default=False)
    if "lock_schema" not in form.data and not partial:
        values["lock_schema"] = MISSING  # model default applies on create only
    description = form.data.get("description", MISSING)
    if description is not MISSING and not isinstance(description, str | None):
        form.errors.add("description", "Not a valid string.")
    values["description"] = description
    form.raise_if_errors()
    if not partial:
        for key, default in _DECLARED_DEFAULTS.items():
            if values[key] is MISSING:
                values[key] = default
    return {key: value for key, value in values.items() if value is not MISSING}


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    """Python values to SQLite column values."""
    converted = dict(values)
    for key in ("settings", "plugin_config"):
        if key in converted:
            converted[key] = store_json(converted[key])
    for key in ("optimized", "lock_schema"):
        if key in converted:
            converted[key] = int(bool(converted[key]))
    if converted.get("description", "") is None:
        converted["description"] = ""
    return converted


def _check_name(db: sqlite3.Connection, team: str, name: str | None, own_id: int | None) -> None:
    if name is None:
        return
    if len(name) > 200:
        raise ServerFault("DataError", "value too long for type character varying(200)")
    row = one(db, "SELECT id FROM projects WHERE team = ? AND name = ?", team, name)
    if row is not None and row["id"] != own_id:
        raise unique_error("team, name")


def list_projects(call: Call) -> Response:
    with call.store.read() as db:
        rows = all_rows(db, "SELECT * FROM projects WHERE team = ? ORDER BY id", call.team)
    return json_response(paginate(call.request, rows, lambda r: project_json(r, call.base_url)))


def create_project(call: Call) -> Response:
    values = _read_fields(call, partial=False)
    values["description"] = ""  # Piccolo overwrites it with NEW_PROJECT_DESCRIPTION
    stamp = now_iso()
    values.update(uuid=new_uuid(), team=call.team, created_at=stamp, last_modified=stamp)
    columns = _columns(values)
    with call.store.write() as db:
        _check_name(db, call.team, values["name"], None)
        names = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        db.execute(f"INSERT INTO projects ({names}) VALUES ({marks})", tuple(columns.values()))
        row = whole_project(db, call.team, values["uuid"])
    assert row is not None
    return json_response(project_json(row, call.base_url), 201)


def get_project(call: Call) -> Response:
    with call.store.read() as db:
        row = whole_project(db, call.team, call.params["p"])
    if row is None:
        raise not_found()
    return json_response(project_json(row, call.base_url))


def _update(call: Call, *, partial: bool) -> Response:
    with call.store.read() as db:
        if find_project(db, call.team, call.params["p"]) is None:
            raise not_found()
    values = _read_fields(call, partial=partial)
    values["last_modified"] = now_iso()
    columns = _columns(values)
    with call.store.write() as db:
        row = find_project(db, call.team, call.params["p"])
        if row is None:
            raise not_found()
        _check_name(db, call.team, values.get("name"), row["id"])
        assignments = ", ".join(f"{key} = ?" for key in columns)
        db.execute(
            f"UPDATE projects SET {assignments} WHERE id = ?", (*columns.values(), row["id"])
        )
        row = whole_project(db, call.team, call.params["p"])
    assert row is not None
    return json_response(project_json(row, call.base_url))


def patch_project(call: Call) -> Response:
    return _update(call, partial=True)


def put_project(call: Call) -> Response:
    return _update(call, partial=False)


def delete_project(call: Call) -> Response:
    """Synchronous delete: every record of the project cascades, files are removed."""
    with call.store.write() as db:
        row = find_project(db, call.team, call.params["p"])
        if row is None:
            raise not_found()
        keys = [
            r["file_key"]
            for r in all_rows(db, "SELECT file_key FROM captures WHERE project_id = ?", row["id"])
            if r["file_key"]
        ]
        db.execute("DELETE FROM projects WHERE id = ?", (row["id"],))
    call.store.remove_files(keys)
    return empty_response()


ROUTES = [
    Route("/project/", {"GET": list_projects, "POST": create_project}),
    Route(
        "/project/{p}/",
        {"GET": get_project, "PATCH": patch_project, "PUT": put_project, "DELETE": delete_project},
    ),
]
