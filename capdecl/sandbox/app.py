"""The Flask application: routing, authentication, fault injection, request counting.

Resource modules declare :class:`Route` tables (a path template such as
``/project/{p}/capture/`` plus one handler per method); :func:`create_app` wraps each in the
same pipeline Piccolo's stack applies: count → fault injection → authentication → method
check → handler → error rendering. Unmatched paths get Django's HTML 404, and a path missing
its trailing slash gets Django's ``APPEND_SLASH`` behaviour under ``DEBUG``: 301 for GET and
DELETE, an HTML 500 for POST/PUT/PATCH.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, Response, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import RequestRedirect

from capdecl.sandbox import pages
from capdecl.sandbox.apierrors import ApiError, ServerFault, flat_error
from capdecl.sandbox.auth import TokenAuthority
from capdecl.sandbox.defaults import SandboxUser
from capdecl.sandbox.faults import Decision, Fault, FaultInjector
from capdecl.sandbox.render import json_response
from capdecl.sandbox.routing import Call, Route
from capdecl.sandbox.store import Store

log = logging.getLogger("capdecl.sandbox")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
UNMATCHED = "<unmatched>"


@dataclass
class RequestStats:
    """Requests counted by ``"METHOD /template/"``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, key: str) -> None:
        with self.lock:
            self.counts[key] += 1

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return dict(self.counts)

    def reset(self) -> None:
        with self.lock:
            self.counts.clear()


@dataclass(frozen=True)
class RequestEvent:
    """One routed request as a test hook sees it (see ``SandboxHandle.on_request``).

    ``phase`` is ``"before"`` (counted, nothing processed yet) or ``"after"`` (processed,
    and committed if it is a write, but the answer not sent yet); ``template`` is the route
    (``"/project/{p}/capture/"``); ``status`` is the answer's status in ``"after"``;
    ``user_agent`` tells clients apart."""

    phase: str
    method: str
    template: str
    path: str
    status: int | None = None
    user_agent: str = ""


class DropRequest(Exception):
    """Raised by a request hook: close the client's connection without an answer (in
    ``"before"``: without processing the request either)."""


RequestHook = Callable[[RequestEvent], None]


@dataclass
class Services:
    """Everything the app shares across requests. ``hook``, when set, is called in the
    request's thread before and after each routed request (tests use it to interleave
    clients or stop one at an exact request)."""

    store: Store
    auth: TokenAuthority
    faults: FaultInjector
    stats: RequestStats = field(default_factory=RequestStats)
    hook: RequestHook | None = None


def create_app(services: Services, routes: list[Route]) -> Flask:
    """The WSGI app serving ``routes`` over ``services``."""
    app = Flask("capdecl.sandbox")
    app.config["MAX_CONTENT_LENGTH"] = None
    for route in routes:
        view = _make_view(services, route)
        app.add_url_rule(route.rule, route.template, view, methods=ALL_METHODS)

    @app.before_request
    def _unrouted() -> Response | None:
        error = request.routing_exception
        if error is None:
            return None
        services.stats.add(f"{request.method} {UNMATCHED}")
        if isinstance(error, RequestRedirect):
            return _missing_slash(error.new_url)
        if isinstance(error, NotFound):
            return pages.not_found_page(request.path)
        return None

    return app


def _missing_slash(new_url: str) -> Response:
    """Django's APPEND_SLASH under DEBUG: redirect GET/DELETE, fail POST/PUT/PATCH."""
    if request.method in ("POST", "PUT", "PATCH"):
        return pages.append_slash_page(request.method, request.path)
    return Response(b"", status=301, headers={"Location": new_url})


def _make_view(services: Services, route: Route) -> Callable[..., Response]:
    def view(**params: str) -> Response:
        services.stats.add(f"{request.method} {route.template}")
        if not _run_hook(services, route, "before"):
            _drop_connection()
            return Response(b"", status=500)
        decision = _pre_faults(services, route)
        if decision is not None and decision.before is not None:
            return _inject(services, decision)
        response = _dispatch(services, route, params)
        dropped = not _run_hook(services, route, "after", response.status_code)
        if dropped or (decision is not None and decision.drop_reply):
            _drop_connection()
        return response

    view.__name__ = f"view_{route.template}"
    return view


def _run_hook(services: Services, route: Route, phase: str, status: int | None = None) -> bool:
    """Call the test hook, if any; False when it asks for the connection to be dropped."""
    hook = services.hook
    if hook is None:
        return True
    try:
        agent = request.headers.get("User-Agent", "")
        hook(RequestEvent(phase, request.method, route.template, request.path, status, agent))
    except DropRequest:
        return False
    return True


def _pre_faults(services: Services, route: Route) -> Decision | None:
    """Latency and the fault decision for API routes (public routes are never faulted)."""
    if route.kind == "public":
        return None
    config = services.faults.config
    if config.latency_ms > 0:
        time.sleep(config.latency_ms / 1000.0)
    return services.faults.decide(request.method in WRITE_METHODS)


def _inject(services: Services, decision: Decision) -> Response:
    if decision.before is Fault.DROP:
        _drop_connection()
        return Response(b"", status=500)
    if decision.before is Fault.THROTTLE:
        wait = services.faults.config.retry_after
        seconds = str(int(wait)) if float(wait).is_integer() else f"{wait:g}"
        detail = f"Request was throttled. Expected available in {seconds} second."
        return json_response({"detail": detail, "status": 429}, 429, {"Retry-After": seconds})
    if decision.error_status == 500:
        fault = ServerFault("OperationalError", "server closed the connection unexpectedly")
        return json_response(fault.body, 500)
    return pages.proxy_error_page(decision.error_status)


def _drop_connection() -> None:
    """Close the client's TCP connection; the response written afterwards goes nowhere."""
    sock = request.environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _dispatch(services: Services, route: Route, params: dict[str, str]) -> Response:
    user: SandboxUser | None = None
    if route.kind != "public":
        user, problem = services.auth.authenticate(request.headers.get("Authorization"))
        if user is None:
            return _unauthenticated(route, problem)
    handler = route.handlers.get(request.method)
    if handler is None and request.method == "HEAD":
        handler = route.handlers.get("GET")  # Werkzeug drops the body of a HEAD answer
    if handler is None:
        return _not_allowed(route)
    call = Call(services.store, user or _ANONYMOUS, params)
    try:
        return handler(call)
    except ApiError as error:
        return render_error(route, error)
    except Exception as error:  # a sandbox bug: answer like the server's 500 handler
        log.exception("sandbox handler failed")
        return render_error(route, ServerFault(type(error).__name__, str(error)))


_ANONYMOUS = SandboxUser("", "", "")


def _unauthenticated(route: Route, problem: str | None) -> Response:
    if route.kind == "django":
        return Response(b"", status=403)
    header = 'Bearer realm="api"'
    if problem:
        header += f', error="invalid_token", error_description="{problem}"'
    error = flat_error(401, "Authentication credentials were not provided.")
    error.headers["WWW-Authenticate"] = header
    return render_error(route, error)


def _not_allowed(route: Route) -> Response:
    allow = ", ".join(sorted(route.handlers))
    if route.kind == "public":
        return Response(b"", status=405, headers={"Allow": allow})
    error = flat_error(405, f'Method "{request.method}" not allowed.', {"Allow": allow})
    return render_error(route, error)


def render_error(route: Route, error: ApiError) -> Response:
    """An ApiError in the shape the route's kind produces."""
    if route.kind == "binary":
        # DRF hands the error dict to a binary-only renderer; Django then joins the dict's
        # keys: the body is literally b"detailstatus".
        body = error.body if isinstance(error.body, dict) else {}
        content = "".join(str(key) for key in body).encode()
        return Response(content, error.status, error.headers, mimetype="application/octet-stream")
    if route.kind == "django" and error.status >= 500:
        return pages.server_error_page(str(error.body.get("detail", "")), error.status)
    return json_response(error.body, error.status, error.headers)
