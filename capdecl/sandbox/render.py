"""Response rendering: JSON like DRF's renderer, timestamps, jsonb key order, pagination."""

from __future__ import annotations

import base64
import json
import uuid as uuidlib
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Request, Response


def now_iso() -> str:
    """The current time as DRF renders it: ISO-8601, microseconds, ``Z`` suffix."""
    stamp = datetime.now(timezone.utc)
    text = stamp.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{stamp.microsecond:06d}Z" if stamp.microsecond else f"{text}Z"


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def dumps(data: Any) -> str:
    """Compact JSON, UTF-8 text, like DRF's JSONRenderer."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(data), status=status, mimetype="application/json", headers=headers)


def empty_response(status: int = 204) -> Response:
    return Response(b"", status=status)


def load_json(text: str | None) -> Any:
    """A JSON column's value (None for SQL NULL)."""
    return None if text is None else json.loads(text)


def store_json(value: Any) -> str | None:
    """A value for a JSON column (SQL NULL for None)."""
    return None if value is None else json.dumps(value, separators=(",", ":"))


def jsonb_order(value: Any) -> Any:
    """Reorder object keys the way PostgreSQL jsonb stores them: by length, then bytes."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))
        return {k: jsonb_order(value[k]) for k in keys}
    if isinstance(value, list):
        return [jsonb_order(item) for item in value]
    return value


def _replace_query(request: Request, **params: int | str | None) -> str:
    """The request's absolute URL with some query parameters replaced or removed."""
    query = dict(parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True))
    for key, value in params.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = str(value)
    base = request.base_url
    return f"{base}?{urlencode(query)}" if query else base


def _positive(raw: str | None) -> int | None:
    try:
        value = int(raw) if raw is not None else None
    except ValueError:
        return None
    return value if value is not None and value > 0 else None


def paginate(request: Request, items: Sequence[Any], render: Callable[[Any], Any]) -> Any:
    """DRF LimitOffsetPagination: a bare list unless a positive ``?limit=`` is given."""
    limit = _positive(request.args.get("limit"))
    if limit is None:
        return [render(item) for item in items]
    try:
        offset = max(int(request.args.get("offset", "0")), 0)
    except ValueError:
        offset = 0
    count = len(items)
    following = _replace_query(request, limit=limit, offset=offset + limit)
    if offset <= 0:
        previous = None
    elif offset - limit <= 0:
        previous = _replace_query(request, limit=limit, offset=None)
    else:
        previous = _replace_query(request, limit=limit, offset=offset - limit)
    return {
        "count": count,
        "next": following if offset + limit < count else None,
        "previous": previous,
        "results": [render(item) for item in items[offset : offset + limit]],
    }


def cursor_paginate(request: Request, items: Sequence[Any], render: Callable[[Any], Any]) -> Any:
    """DRF CursorPagination driven by ``?page_size=`` (items newest first); else a bare list."""
    size = _positive(request.args.get("page_size"))
    if size is None:
        return [render(item) for item in items]
    position = _decode_cursor(request.args.get("cursor"))
    page = items[position : position + size]

    def link(at: int) -> str:
        return _replace_query(request, cursor=base64.b64encode(f"o={at}".encode()).decode())

    return {
        "next": link(position + size) if position + size < len(items) else None,
        "previous": link(max(position - size, 0)) if position > 0 else None,
        "results": [render(item) for item in page],
    }


def _decode_cursor(raw: str | None) -> int:
    if not raw:
        return 0
    try:
        text = base64.b64decode(raw.encode(), validate=True).decode()
        return max(int(dict(parse_qsl(text)).get("o", "0")), 0)
    except ValueError:
        return 0
