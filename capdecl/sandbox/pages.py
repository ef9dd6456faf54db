"""The non-JSON pages a Piccolo deployment answers with: Django's DEBUG pages and the
HTML a reverse proxy sends for 502/503."""

from __future__ import annotations

from html import escape

from flask import Response

_PROXY_REASONS = {502: "Bad Gateway", 503: "Service Temporarily Unavailable"}


def _html(body: str, status: int) -> Response:
    return Response(body.encode(), status=status, mimetype="text/html")


def not_found_page(path: str) -> Response:
    """Django's (DEBUG) 404 page for a path no URL pattern matches."""
    body = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n'
        f"  <title>Page not found at {escape(path)}</title>\n</head>\n<body>\n"
        f"  <h1>Page not found <span>(404)</span></h1>\n"
        f"  <p>The current path, <code>{escape(path.lstrip('/'))}</code>, didn't match any "
        "of these.</p>\n</body>\n</html>\n"
    )
    return _html(body, 404)


def append_slash_page(method: str, path: str) -> Response:
    """Django's RuntimeError page for a POST/PUT/PATCH to a path without its slash."""
    message = (
        f"You called this URL via {method}, but the URL doesn't end in a slash and you have "
        f"APPEND_SLASH set. Django can't redirect to the slash URL while maintaining {method} "
        f"data. Change your form to point to {path}/ (note the trailing slash), or set "
        "APPEND_SLASH=False in your Django settings."
    )
    return server_error_page(f"RuntimeError: {message}", 500)


def server_error_page(detail: str, status: int = 500) -> Response:
    """Django's (DEBUG) technical 500 page, reduced to the exception line."""
    body = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n'
        "  <title>Server Error</title>\n</head>\n<body>\n"
        f"  <h1>Server Error ({status})</h1>\n  <pre>{escape(detail)}</pre>\n</body>\n</html>\n"
    )
    return _html(body, status)


def proxy_error_page(status: int) -> Response:
    """The page nginx sends when the application server is down or overloaded."""
    reason = _PROXY_REASONS.get(status, "Error")
    body = (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    return _html(body, status)
