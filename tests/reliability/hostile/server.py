"""A tiny misbehaving API server on 127.0.0.1 for the hostile-reply tests.

By default it answers like an empty SensiML server (a token for any login, no projects,
empty lists); a scenario overrides the answer of chosen requests. It counts every request
and every write (POST/PUT/PATCH/DELETE other than logging in), and remembers the
``Authorization`` headers it saw.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

TOKEN = {"access_token": "tok", "refresh_token": "ref", "token_type": "Bearer", "expires_in": 3600}
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Answer = Callable[[Request], Response]


def json_answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    data = json.dumps(body).encode()
    return lambda _request: Response(data, status, headers, content_type="application/json")


def raw_answer(
    body: bytes | Callable[[], Iterable[bytes]], status: int = 200,
    content_type: str = "application/json", headers: dict[str, str] | None = None,
) -> Answer:  # fmt: skip
    """An answer with exactly these bytes, or the chunks a fresh ``body()`` yields (streamed
    without a Content-Length)."""

    def answer(_request: Request) -> Response:
        chunks = body if isinstance(body, bytes) else body()
        return Response(chunks, status, headers, content_type=content_type)

    return answer


@dataclass
class HostileServer:
    """Routes are ``(regex over "METHOD /path", answer)``; the first match answers."""

    routes: list[tuple[str, Answer]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)
    writes: int = 0
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        line = f"{request.method} {request.path}"
        with self.lock:
            self.requests.append(line)
            self.authorizations.append(request.headers.get("Authorization", ""))
            if request.method in WRITES and "/oauth/" not in request.path:
                self.writes += 1
        request.get_data()  # read the body before answering
        for pattern, answer in [*self.routes, *DEFAULTS]:
            if re.fullmatch(pattern, line):
                return answer(request)(environ, start_response)
        return Response(b"", 404)(environ, start_response)


DEFAULTS: list[tuple[str, Answer]] = [
    (r"POST /oauth/token/", json_answer(TOKEN)),
    (r"GET /project/", json_answer([])),
    (r"GET /project/[^/]+/[a-z-]+/", json_answer([])),
]


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def log(self, type: str, message: str, *args: Any) -> None:
        pass


@contextmanager
def hostile_server(
    *routes: tuple[str, Answer], tls: tuple[str, str] | None = None
) -> Iterator[HostileServer]:
    """Serve ``routes`` (then the defaults) on a free port of 127.0.0.1; over HTTPS with
    ``tls`` = (certificate file, key file)."""
    app = HostileServer(list(routes))
    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=_Quiet, ssl_context=tls
    )
    app.url = f"{'https' if tls else 'http'}://127.0.0.1:{server.port}/"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
