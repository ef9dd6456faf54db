"""Whole-project readers (``dcli/``, ``capture-stats/``: plain Django views, 403 without a
token) and the unauthenticated ``/health/`` and ``/version/``."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Any

from flask import Response, request

from capdecl.sandbox.apierrors import ServerFault
from capdecl.sandbox.defaults import ENGINE_VERSION
from capdecl.sandbox.projects import find_project
from capdecl.sandbox.render import json_response
from capdecl.sandbox.routing import Call, Route
from capdecl.sandbox.store import all_rows, one


def _metadata_names(db: sqlite3.Connection, project_id: int) -> list[str]:
    """Metadata names in PostgreSQL's (en_US collation) ``ORDER BY name``, approximately."""
    rows = all_rows(db, "SELECT name FROM labels WHERE project_id = ? AND metadata = 1", project_id)
    return sorted((row["name"] for row in rows), key=lambda name: (name.casefold(), name))


def _metadata_values(db: sqlite3.Connection, project_id: int) -> dict[int, dict[str, str]]:
    """capture id → {metadata name: value}."""
    values: dict[int, dict[str, str]] = defaultdict(dict)
    for row in all_rows(
        db,
        "SELECT m.capture_id, l.name, v.value FROM metadata_links m "
        "JOIN labels l ON l.id = m.label_id JOIN label_values v ON v.id = m.value_id "
        "WHERE m.project_id = ? AND l.metadata = 1",
        project_id,
    ):
        values[row["capture_id"]][row["name"]] = row["value"]
    return values


def dcli(call: Call) -> Response:
    """One entry per capture: its name, every metadata name with its value, its sessions."""
    with call.store.read() as db:
        project = find_project(db, call.team, call.params["p"])
        if project is None:
            return json_response([])
        names = _metadata_names(db, project["id"])
        values = _metadata_values(db, project["id"])
        captures = all_rows(
            db, "SELECT id, name FROM captures WHERE project_id = ? ORDER BY id", project["id"]
        )
        segments = all_rows(
            db,
            'SELECT s.capture_id, s.start, s."end", l.name AS label, v.value, g.name AS session '
            "FROM label_links s JOIN labels l ON l.id = s.label_id "
            "JOIN label_values v ON v.id = s.value_id "
            "LEFT JOIN segmenters g ON g.id = s.segmenter_id "
            "WHERE s.project_id = ? ORDER BY s.id",
            project["id"],
        )
    sessions = _sessions(segments)
    return json_response(
        [
            {
                "file_name": capture["name"],
                "metadata": [{"name": n, "value": values[capture["id"]].get(n)} for n in names],
                "sessions": sessions.get(capture["id"], []),
            }
            for capture in captures
        ]
    )


def _sessions(segments: list[sqlite3.Row]) -> dict[int, list[dict[str, Any]]]:
    """capture id → sessions in first-seen order, each with its segments."""
    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    index: dict[tuple[int, str], dict[str, Any]] = {}
    for row in segments:
        if row["session"] is None:
            raise ServerFault("AttributeError", "'NoneType' object has no attribute 'name'")
        key = (row["capture_id"], row["session"])
        if key not in index:
            index[key] = {"session_name": row["session"], "segments": []}
            result[row["capture_id"]].append(index[key])
        index[key]["segments"].append(
            {"name": row["label"], "value": row["value"], "start": row["start"], "end": row["end"]}
        )
    return result


def _django_time(stamp: str) -> str:
    """DjangoJSONEncoder's datetime: milliseconds, ``Z``."""
    if "." in stamp:
        head, fraction = stamp.rstrip("Z").split(".")
        return f"{head}.{fraction[:3]}Z"
    return stamp


def capture_stats(call: Call) -> Response:
    """Per capture: name, uuid, created, size in MB, configuration, one key per metadata
    name, and the number of segments (optionally of one ``?segmenter=``)."""
    with call.store.read() as db:
        project = find_project(db, call.team, call.params["p"])
        if project is None:
            return json_response([])
        segmenter = _segmenter_filter(db, project["id"])
        names = _metadata_names(db, project["id"])
        values = _metadata_values(db, project["id"])
        captures = all_rows(
            db,
            "SELECT c.*, cfg.uuid AS configuration_uuid, (SELECT count(1) FROM label_links s "
            "WHERE s.capture_id = c.id AND (? IS NULL OR s.segmenter_id = ?)) AS events "
            "FROM captures c LEFT JOIN configurations cfg ON cfg.id = c.configuration_id "
            "WHERE c.project_id = ? ORDER BY c.id",
            segmenter,
            segmenter,
            project["id"],
        )
    return json_response([_stat(row, names, values[row["id"]]) for row in captures])


def _segmenter_filter(db: sqlite3.Connection, project_id: int) -> int | None:
    raw = request.args.get("segmenter")
    if not raw:
        return None
    try:
        wanted = int(raw)
    except ValueError:
        raise ServerFault("ValueError", f"Field 'id' expected a number but got '{raw}'.") from None
    row = one(db, "SELECT id FROM segmenters WHERE id = ?", wanted)
    if row is None:
        raise ServerFault("AttributeError", "'NoneType' object has no attribute 'id'")
    return int(row["id"])


def _stat(row: sqlite3.Row, names: list[str], values: dict[str, str]) -> dict[str, Any]:
    pairs: list[tuple[str, Any]] = [
        ("name", row["name"]),
        ("uuid", row["uuid"]),
        ("created", _django_time(row["created_at"])),
        ("file_size_mb", f"{row['file_size'] / 1024**2:.2f}"),
        ("capture_configuration_uuid", row["configuration_uuid"]),
        ("capture_uuid", row["uuid"] if names else None),
    ]
    pairs.extend((name, values.get(name)) for name in names)
    pairs.append(("total_events", row["events"]))
    return dict(pairs)


def health(call: Call) -> Response:
    return json_response({"server": "up", "redis": "up"})


def version(call: Call) -> Response:
    return json_response({"Piccollo Engine": ENGINE_VERSION})


_EVERY = ("GET", "POST", "PUT", "PATCH", "DELETE")
ROUTES = [
    Route("/project/{p}/dcli/", dict.fromkeys(_EVERY, dcli), kind="django"),
    Route("/project/{p}/capture-stats/", dict.fromkeys(_EVERY, capture_stats), kind="django"),
    Route("/health/", {"GET": health}, kind="public"),
    Route("/version/", {"GET": version}, kind="public"),
]
