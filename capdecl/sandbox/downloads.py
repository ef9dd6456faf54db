"""Capture file downloads: ``.../file/``, ``.../file/local/`` and ``capture-files/``.

The download views have only a binary renderer, so their errors are not JSON (see
:func:`capdecl.sandbox.app.render_error`). Unlike the capture detail route, they require the
capture to belong to the project in the URL.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

from capdecl.sandbox.apierrors import ServerFault, flat_error, not_found
from capdecl.sandbox.captures import SELECT, find_project_capture
from capdecl.sandbox.render import json_response
from capdecl.sandbox.routing import Call, Route
from capdecl.sandbox.store import all_rows

_OCTET = "application/octet-stream"
_NO_FILE = "No capture found or no file found for this capture."


def download(call: Call) -> Response:
    """The stored bytes (for a CSV without ``sequence``: the rewritten file)."""
    if request.accept_mimetypes and not request.accept_mimetypes.best_match([_OCTET]):
        raise flat_error(406, "Could not satisfy the request Accept header.")
    with call.store.read() as db:
        row = find_project_capture(db, call, call.params["c"])
    if row is None:
        raise not_found()
    path = call.store.file_path(row["file_key"]) if row["file_key"] else None
    if path is None or not path.exists():
        raise flat_error(404, _NO_FILE)
    headers = {"Content-Disposition": f"attachment; filename={row['name']}"}
    return Response(path.read_bytes(), 200, headers, mimetype=_OCTET)


def capture_files(call: Call) -> Response:
    """Local-storage download links for a list of capture uuids (unknown ones left out)."""
    body: Any = call.body
    try:
        uuids = list(body.get("capture_uuids"))
        min(body.get("expires_in", 100), 1000)
    except (AttributeError, TypeError) as error:
        raise ServerFault(type(error).__name__, str(error)) from None
    wanted = [uuid for uuid in uuids if isinstance(uuid, str)]
    marks = ", ".join("?" for _ in wanted) or "NULL"
    with call.store.read() as db:
        rows = all_rows(
            db,
            f"{SELECT} WHERE p.uuid = ? AND p.team = ? AND c.uuid IN ({marks}) ORDER BY c.id",
            call.params["p"],
            call.team,
            *wanted,
        )
    project = call.params["p"]
    return json_response(
        [
            {
                "uuid": row["uuid"],
                "url": f"project/{project}/capture/{row['uuid']}/file/local/",
                "file": str(call.store.file_path(row["file_key"])) if row["file_key"] else None,
                "name": row["name"],
                "local": True,
            }
            for row in rows
        ]
    )


ROUTES = [
    Route("/project/{p}/capture/{c}/file/", {"GET": download}, kind="binary"),
    Route("/project/{p}/capture/{c}/file/local/", {"GET": download}, kind="binary"),
    Route("/project/{p}/capture-files/", {"POST": capture_files}),
]
