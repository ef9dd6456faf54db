"""Captures: upload, list, detail, update, delete (``/project/{p}/capture/...``).

Uploads are synchronous (multipart ``file`` + ``name``); the 201 comes back once the file is
parsed, stored and the project's ``capture_sample_schema`` widened. POST/PATCH/PUT responses
omit ``capture_configuration_uuid``; every PATCH/PUT bumps ``version``; a PUT nulls the stored
file path (later downloads 404), exactly like the server's hidden ``file`` default.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from typing import Any

from flask import Response

from capdecl.sandbox.apierrors import ServerFault, not_found, validation_error
from capdecl.sandbox.capturefiles import ParsedCapture, parse_capture
from capdecl.sandbox.fields import MISSING, Form
from capdecl.sandbox.projects import CORE_COLUMNS, find_project
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

SELECT = (
    "SELECT c.*, cfg.uuid AS configuration_uuid FROM captures c "
    "JOIN projects p ON p.id = c.project_id "
    "LEFT JOIN configurations cfg ON cfg.id = c.configuration_id"
)
_CONFIG_MISSING = ("DoesNotExist", "CaptureConfiguration matching query does not exist.")


def capture_json(row: sqlite3.Row, *, with_configuration: bool = True) -> dict[str, Any]:
    """A capture as rendered; create/update responses leave out the configuration link."""
    data: dict[str, Any] = {
        "uuid": row["uuid"],
        "created_at": row["created_at"],
        "last_modified": row["last_modified"],
        "last_modified_video": None,
        "version": row["version"],
        "name": row["name"],
        "file_size": row["file_size"],
        "task_state": None,
        "task_result": None,
        "calculated_sample_rate": row["calculated_sample_rate"],
        "max_sequence": row["max_sequence"],
        "set_sample_rate": row["set_sample_rate"],
        "number_samples": row["number_samples"],
    }
    if with_configuration:
        data["capture_configuration_uuid"] = row["configuration_uuid"]
    return data


def find_capture(db: sqlite3.Connection, team: str, uuid: str) -> sqlite3.Row | None:
    """A capture of the team by uuid (exact string); the URL's project is not checked."""
    return one(db, f"{SELECT} WHERE c.uuid = ? AND p.team = ?", uuid, team)


def find_project_capture(db: sqlite3.Connection, call: Call, uuid: str) -> sqlite3.Row | None:
    """A capture that must belong to the URL's project."""
    return one(
        db,
        f"{SELECT} WHERE c.uuid = ? AND p.uuid = ? AND p.team = ?",
        uuid,
        call.params["p"],
        call.team,
    )


def bump_captures(db: sqlite3.Connection, capture_ids: Iterable[int]) -> None:
    """``version += 1`` and a new ``last_modified`` (relationship changes do this)."""
    ids = sorted(set(capture_ids))
    if ids:
        marks = ", ".join("?" for _ in ids)
        db.execute(
            f"UPDATE captures SET version = version + 1, last_modified = ? WHERE id IN ({marks})",
            (now_iso(), *ids),
        )


def _configuration_id(db: sqlite3.Connection, project_id: int, uuid: Any) -> int | None:
    if uuid is MISSING or uuid is None:
        return None
    row = one(
        db, "SELECT id FROM configurations WHERE project_id = ? AND uuid = ?", project_id, uuid
    )
    if row is None:
        raise ServerFault(*_CONFIG_MISSING)
    return int(row["id"])


def list_captures(call: Call) -> Response:
    with call.store.read() as db:
        rows = all_rows(
            db,
            f"{SELECT} WHERE p.uuid = ? AND p.team = ? ORDER BY c.id",
            call.params["p"],
            call.team,
        )
    return json_response(paginate(call.request, rows, capture_json))


def _read_upload(call: Call) -> tuple[dict[str, Any], bytes, str]:
    """Field validation of an upload: values, file bytes, extension."""
    form = Form(call.body, is_form=call.is_form)
    values = {
        "name": form.string("name"),
        "configuration": form.uuid("capture_configuration_uuid"),
        "set_sample_rate": form.integer("set_sample_rate"),
        "calculated_sample_rate": form.number("calculated_sample_rate"),
    }
    form.boolean("asynchronous", default=False)
    upload = call.file("file")
    content = b""
    if upload is None or upload.filename is None:
        form.errors.add("file", "No file was submitted.")
    elif not upload.filename:
        form.errors.add("file", "No filename could be determined.")
    else:
        content = upload.read()
        if not content:
            form.errors.add("file", "The submitted file is empty.")
    if isinstance(values["name"], str):
        with call.store.read() as db:
            if one(
                db,
                "SELECT c.id FROM captures c JOIN projects p ON p.id = c.project_id "
                "WHERE p.uuid = ? AND c.name = ?",
                call.params["p"],
                values["name"],
            ):
                form.errors.add(
                    "name", f"Project already contains a file with the name {values['name']}"
                )
    form.raise_if_errors()
    filename = os.path.basename((upload.filename if upload else "") or "")
    return values, content, os.path.splitext(filename)[1]


def create_capture(call: Call) -> Response:
    values, content, extension = _read_upload(call)
    with call.store.read() as db:
        project = find_project(db, call.team, call.params["p"])
        if project is None:
            raise validation_error(["Project does not exist."])
        configuration_id = _configuration_id(db, project["id"], values["configuration"])
    if extension not in (".csv", ".wav"):
        raise validation_error([f"Extension {extension} is not allowed."])
    parsed = parse_capture(content, extension)
    values.update(file_size=len(content), format=extension, configuration_id=configuration_id)
    key = new_uuid()
    call.store.file_path(key).write_bytes(parsed.stored)
    try:
        row = _insert_capture(call, project["id"], values, parsed, key)
    except BaseException:
        call.store.remove_files([key])
        raise
    return json_response(capture_json(row, with_configuration=False), 201)


def _insert_capture(
    call: Call,
    project_id: int,
    values: dict[str, Any],
    parsed: ParsedCapture,
    key: str,
) -> sqlite3.Row:
    """Insert the row (widening the project schema) in one transaction."""
    stamp = now_iso()
    with call.store.write() as db:
        project = one(db, f"SELECT {CORE_COLUMNS} FROM projects WHERE id = ?", project_id)
        if project is None:
            raise validation_error(["Project does not exist."])
        _merge_schema(db, project, parsed.schema)
        _fits(values["name"])
        try:
            cursor = db.execute(
                "INSERT INTO captures (project_id, uuid, name, file_key, format, file_size, "
                "number_samples, max_sequence, set_sample_rate, calculated_sample_rate, "
                "configuration_id, version, created_at, last_modified) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                (
                    project_id,
                    new_uuid(),
                    values["name"],
                    key,
                    values["format"],
                    values["file_size"],
                    parsed.number_samples,
                    parsed.max_sequence,
                    _value(values["set_sample_rate"]),
                    _value(values["calculated_sample_rate"]),
                    values["configuration_id"],
                    stamp,
                    stamp,
                ),
            )
        except sqlite3.IntegrityError as error:
            raise ServerFault("IntegrityError", _unique_message(str(error))) from None
        row = one(db, f"{SELECT} WHERE c.id = ?", cursor.lastrowid)
    assert row is not None
    return row


def _fits(name: Any) -> None:
    """The name column is varchar(250) and the serializer has no max_length: a 500."""
    if isinstance(name, str) and len(name) > 250:
        raise ServerFault("DataError", "value too long for type character varying(250)\n")


def _value(value: Any) -> Any:
    return None if value is MISSING else value


def _unique_message(detail: str) -> str:
    constraint = "datamanager_capture_name_project_id_uniq"
    return f'duplicate key value violates unique constraint "{constraint}" ({detail})'


def _merge_schema(db: sqlite3.Connection, project: sqlite3.Row, schema: dict[str, Any]) -> None:
    """Widen the project's column union; with ``lock_schema`` a file missing a column fails."""
    current = load_json(project["capture_sample_schema"])
    if not current:
        merged = dict(schema)
    else:
        merged = dict(current)
        for column, kind in schema.items():
            merged.setdefault(column, kind)
        if project["lock_schema"] and sorted(merged) != sorted(schema):
            raise validation_error(
                [
                    f"Uploaded file does not match project schema {sorted(merged)}. "
                    f"The uploaded file schema is: {sorted(schema)}"
                ]
            )
        if merged == current:
            return
    db.execute(
        "UPDATE projects SET capture_sample_schema = ? WHERE id = ?",
        (store_json(merged), project["id"]),
    )


def get_capture(call: Call) -> Response:
    with call.store.read() as db:
        row = find_capture(db, call.team, call.params["c"])
    if row is None:
        raise not_found()
    return json_response(capture_json(row))


def _read_update(call: Call, *, partial: bool) -> dict[str, Any]:
    form = Form(call.body, partial=partial, is_form=call.is_form)
    values = {
        "name": form.string("name"),
        "configuration": form.uuid("capture_configuration_uuid"),
        "set_sample_rate": form.integer("set_sample_rate"),
        "calculated_sample_rate": form.number("calculated_sample_rate"),
    }
    form.boolean("asynchronous", default=False)
    form.raise_if_errors()
    return {key: value for key, value in values.items() if value is not MISSING}


def _update(call: Call, *, partial: bool) -> Response:
    with call.store.read() as db:
        if find_capture(db, call.team, call.params["c"]) is None:
            raise not_found()
    values = _read_update(call, partial=partial)
    with call.store.write() as db:
        row = find_capture(db, call.team, call.params["c"])
        if row is None:
            raise not_found()
        project = find_project(db, call.team, call.params["p"])
        if project is None:
            raise validation_error(["Project does not exist."])
        columns: dict[str, Any] = {}
        if "configuration" in values:
            columns["configuration_id"] = _configuration_id(
                db, project["id"], values.pop("configuration")
            )
        columns.update(values)
        _fits(columns.get("name"))
        if not partial:
            columns["file_key"] = None  # the hidden `file` field's default lands on the model
        columns["last_modified"] = now_iso()
        assignments = ", ".join(f"{key} = ?" for key in columns)
        try:
            db.execute(
                f"UPDATE captures SET {assignments}, version = version + 1 WHERE id = ?",
                (*columns.values(), row["id"]),
            )
        except sqlite3.IntegrityError as error:
            raise ServerFault("IntegrityError", _unique_message(str(error))) from None
        row = one(db, f"{SELECT} WHERE c.id = ?", row["id"])
    assert row is not None
    return json_response(capture_json(row, with_configuration=False))


def patch_capture(call: Call) -> Response:
    return _update(call, partial=True)


def put_capture(call: Call) -> Response:
    """Like the server: requires ``name`` and orphans the stored file."""
    return _update(call, partial=False)


def delete_capture(call: Call) -> Response:
    """Delete the row (relationships cascade) and the stored file."""
    with call.store.write() as db:
        row = find_capture(db, call.team, call.params["c"])
        if row is None:
            raise not_found()
        db.execute("DELETE FROM captures WHERE id = ?", (row["id"],))
    if row["file_key"]:
        call.store.remove_files([row["file_key"]])
    return empty_response()


ROUTES = [
    Route("/project/{p}/capture/", {"GET": list_captures, "POST": create_capture}),
    Route(
        "/project/{p}/capture/{c}/",
        {"GET": get_capture, "PATCH": patch_capture, "PUT": put_capture, "DELETE": delete_capture},
    ),
]
