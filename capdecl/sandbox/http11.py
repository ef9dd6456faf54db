"""HTTP/1.1 keep-alive for the sandbox, as the servers Piccolo runs behind offer it.

Werkzeug's development server answers every request with ``Connection: close`` (its
handler cannot tell where a request body ends, so it never reads a second request from a
connection). :class:`KeepAliveHandler` replaces its ``run_wsgi``: the request body is read
through a :class:`~werkzeug.wsgi.LimitedStream` of ``Content-Length`` bytes and whatever
the application left unread is read afterwards (up to :data:`DRAIN_LIMIT`), so the
next request on the connection starts where it should. The connection is closed instead
when that cannot be known or done: a chunked request body, an answer without
``Content-Length``, an error half-way through an answer, more than :data:`DRAIN_LIMIT`
unread, or a client asking for ``Connection: close``.

:class:`KeepAliveServer` remembers its open connections, so closing the sandbox closes
them too: a client's pooled connection never reaches a sandbox that was stopped (its
next request gets a fresh connection, or a refusal).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import InternalServerError
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler
from werkzeug.wsgi import LimitedStream

log = logging.getLogger("capdecl.sandbox")

# Unread request bytes read (and dropped) after the answer: up to this much, as a proxy
# in front of Piccolo reads a whole body before the application answers, so a client
# still sending a big upload refused early (a 401) gets the answer, not a reset.
DRAIN_LIMIT = 10 * 2**30
_DRAIN_CHUNK = 2**20
_NO_BODY = frozenset({204, 304})
_DROPPED = (ConnectionError, socket.timeout)

StartResponse = Callable[..., Callable[[bytes], None]]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class KeepAliveServer(ThreadedWSGIServer):
    """A threaded WSGI server that can close every connection it still has open."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def close_connections(self) -> None:
        """Shut every open connection down (idle keep-alive ones included)."""
        with self.connections_lock:
            open_now = list(self.connections)
        for connection in open_now:
            with contextlib.suppress(OSError):  # already closed by the other side
                connection.shutdown(socket.SHUT_RDWR)


class KeepAliveHandler(WSGIRequestHandler):
    """Werkzeug's request handler, keeping the connection open between requests."""

    server: KeepAliveServer

    def setup(self) -> None:
        super().setup()
        # an answer goes out as headers, then body: without TCP_NODELAY the body would
        # wait for the client's delayed ACK of the headers (~40 ms per request)
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        super().finish()

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.environ = environ = self.make_environ()
        body = _limit_body(environ)
        reply = _Reply(self, environ["REQUEST_METHOD"], body)
        try:
            reply.serve(self.server.app, environ)
        except _DROPPED:
            self.close_connection = True
            return
        except Exception:
            self.close_connection = True
            log.exception("sandbox: error on %s %s", self.command, self.path)
            if not reply.started:  # nothing sent yet: a plain 500 instead
                reply.serve(InternalServerError(), environ)
            return
        if reply.must_close or not _drained(body):
            self.close_connection = True


def _limit_body(environ: dict[str, Any]) -> LimitedStream | None:
    """Give the application exactly ``Content-Length`` bytes of body; None when the end
    of the body cannot be known here (chunked: Werkzeug decodes it, then we close)."""
    if environ.get("wsgi.input_terminated"):
        return None
    try:
        length = max(0, int(environ.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return None
    body = LimitedStream(environ["wsgi.input"], length)
    environ["wsgi.input"] = body
    environ["wsgi.input_terminated"] = True
    return body


def _drainable(body: LimitedStream | None) -> bool:
    """True when the end of the request body is known and not too far off."""
    return body is not None and body.limit - body.tell() <= DRAIN_LIMIT


def _drained(body: LimitedStream | None) -> bool:
    """Read what the application left of the body; False when that cannot be done."""
    if body is None or not _drainable(body):
        return False
    try:
        while body.read(_DRAIN_CHUNK):
            pass
    except Exception:  # the client went away (Werkzeug's ClientDisconnected, OSError)
        return False
    return body.is_exhausted


class _Reply:
    """One answer: status line and headers sent with the first body bytes."""

    def __init__(self, handler: KeepAliveHandler, method: str, body: LimitedStream | None) -> None:
        self.handler = handler
        self.method = method
        self.body = body
        self.status = ""
        self.headers: list[tuple[str, str]] = []
        self.started = False
        self.must_close = False

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        if exc_info and self.started:
            raise exc_info[1].with_traceback(exc_info[2])
        self.status, self.headers = status, headers
        return self.write

    def serve(self, app: WsgiApp, environ: dict[str, Any]) -> None:
        chunks = app(environ, self.start_response)
        try:
            for data in chunks:
                self.write(data)
            if not self.started:
                self.write(b"")
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        self.handler.wfile.flush()

    def write(self, data: bytes) -> None:
        if not self.started:
            self._send_head()
        if data:
            self.handler.wfile.write(data)

    def _send_head(self) -> None:
        code_text, _, message = self.status.partition(" ")
        code = int(code_text)
        handler = self.handler
        handler.send_response(code, message)
        names = set()
        for name, value in self.headers:
            handler.send_header(name, value)
            names.add(name.lower())
        sized = "content-length" in names or self.method == "HEAD" or code in _NO_BODY
        # no length: the answer ends with the connection; a request body whose end is
        # unknown or far: the next request cannot be found (the application has read
        # what it wanted by now: answers are built whole before they are sent)
        self.must_close = not sized or code < 200 or not _drainable(self.body)
        if self.must_close or handler.close_connection:  # (or the client asked to close)
            handler.send_header("Connection", "close")
        handler.end_headers()
        self.started = True
