"""Turn HTTP answers into JSON values or capdecl errors with the server's own words.

The API has three error envelopes: DRF validation errors ``{"status","detail","data"}``
(``data`` is any nesting of field -> messages), flat ``{"detail","status"}``, and oauthlib's
``{"error","error_description"}`` on the token endpoint. Anything else (an HTML page from a
proxy or a Django debug page, an empty or truncated body) gets a message that says so
rather than a parser traceback.
"""

from __future__ import annotations

import json
import re
from typing import Any, NoReturn

import requests

from capdecl.errors import (
    AuthError,
    NotFoundError,
    RequestInfo,
    ServerError,
    ServerValidationError,
    TransportError,
)

MAX_MESSAGE = 600  # characters of server message kept in an error
GENERIC_DETAILS = frozenset({"Request failed validation"})


class BodyError(Exception):
    """A 2xx body that is not what the API documents (raised by parsers)."""


def body_bytes(response: requests.Response) -> bytes:
    """The body, or b"" when the connection broke while it was being read."""
    try:
        return response.content
    except requests.RequestException:
        return b""


def describe_body(response: requests.Response) -> str | None:
    """A human description when the body is not JSON (HTML page, empty, garbage)."""
    status = response.status_code
    content = body_bytes(response)
    content_type = response.headers.get("Content-Type", "").lower()
    if _is_html(response):
        return f"the server answered {status} with an HTML page (not the SensiML API?)"
    if not content.strip():
        return f"the server answered {status} with an empty body"
    try:
        json.loads(content)
    except (ValueError, UnicodeDecodeError):
        kind = content_type.split(";")[0].strip() or "no content type"
        return (
            f"the server answered {status} with a body that is not JSON "
            f"({kind}, {len(content)} bytes)"
        )
    return None


def decode_json(response: requests.Response, request: RequestInfo) -> Any:
    """The JSON body of a successful answer; TransportError if there is none.

    The body is parsed once (a project listing can be megabytes); only a body that is an
    HTML page or fails to parse goes through :func:`describe_body` for the message."""
    if not _is_html(response):
        try:
            return json.loads(body_bytes(response))
        except (ValueError, UnicodeDecodeError):
            pass
    problem = describe_body(response) or "the server answered with a body that is not JSON"
    raise TransportError(f"{request.method} {request.path}: {problem}")


def _is_html(response: requests.Response) -> bool:
    """The test :func:`describe_body` applies first: an HTML content type or page start."""
    content_type = response.headers.get("Content-Type", "").lower()
    start = body_bytes(response)[:512].lstrip().lower()
    return "html" in content_type or start.startswith((b"<!doctype html", b"<html"))


def server_message(response: requests.Response) -> str:
    """The server's own error message, flattened into one readable line."""
    problem = describe_body(response)
    if problem is not None:
        return problem
    body = json.loads(body_bytes(response))
    message = _envelope_message(body) or f"the server answered {response.status_code}"
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def raise_for_answer(response: requests.Response, request: RequestInfo) -> NoReturn:
    """Raise the capdecl error for an unsuccessful answer."""
    status = response.status_code
    message = server_message(response)
    if status == 401:
        reason = _token_problem(response.headers.get("WWW-Authenticate", ""))
        error = AuthError(request, f"{message} ({reason})" if reason else message)
        error.details = ("the server refused the access token; check the credentials",)
        raise error
    if status == 403:
        raise AuthError(request, message)
    if status == 404:
        raise NotFoundError(request, message)
    if status == 400:
        raise ServerValidationError(request, message)
    if describe_body(response) is not None:
        raise TransportError(f"{request.method} {request.path}: {message}")
    raise ServerError(request, message)


def _token_problem(header: str) -> str:
    """``error_description`` of a ``WWW-Authenticate: Bearer`` challenge, if any."""
    match = re.search(r'error_description="([^"]*)"', header)
    return match.group(1) if match else ""


def flatten(data: Any) -> str:
    """``{"name": ["msg"]}`` -> ``name: msg``; lists joined with ``; ``."""
    if isinstance(data, dict):
        parts = []
        for key, value in data.items():
            text = flatten(value)
            if not text:
                continue
            parts.append(text if key == "non_field_errors" else f"{key}: {text}")
        return "; ".join(parts)
    if isinstance(data, list):
        return "; ".join(text for text in (flatten(item) for item in data) if text)
    if data is None:
        return ""
    return str(data)


def _envelope_message(body: Any) -> str:
    if isinstance(body, dict):
        if "error" in body:  # oauthlib
            error = str(body.get("error"))
            description = body.get("error_description")
            return f"{description} ({error})" if description else error
        detail = body.get("detail")
        data = flatten(body.get("data"))
        detail_text = "" if detail is None else str(detail)
        if data and (not detail_text or detail_text in GENERIC_DETAILS):
            return data
        if data:
            return f"{detail_text}: {data}"
        return detail_text or flatten({k: v for k, v in body.items() if k not in ("trace",)})
    return flatten(body)
