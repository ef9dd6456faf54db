"""Start and stop a sandbox: :func:`running_sandbox` for tests and ``sandbox://`` URLs,
:class:`SandboxServer` for ``capdecl sandbox serve``."""

from __future__ import annotations

import http.client
import json
import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from capdecl.errors import ConfigError
from capdecl.sandbox import (
    capture_relationships,
    captures,
    configurations,
    downloads,
    labelvalues,
    metadata,
    projects,
    readers,
    relationships,
    segments,
)
from capdecl.sandbox.app import RequestHook, RequestStats, Services, create_app
from capdecl.sandbox.auth import TokenAuthority
from capdecl.sandbox.defaults import ACCESS_TOKEN_EXPIRE_SECONDS, DEFAULT_USER, SandboxUser
from capdecl.sandbox.faults import ENV_VAR, FaultConfig, FaultInjector, faults_from_env
from capdecl.sandbox.http11 import KeepAliveHandler, KeepAliveServer
from capdecl.sandbox.routing import Route
from capdecl.sandbox.store import Store

log = logging.getLogger("capdecl.sandbox")
HOST = "127.0.0.1"
USERS_FILE = "users.json"
_POLL_SECONDS = 0.02  # how fast shutdown() is noticed (socketserver's default is 0.5 s)


class SandboxStats(dict[str, int]):
    """Request counts by ``"METHOD /route/template/"`` (the mapping itself; unmatched paths
    count as ``"METHOD <unmatched>"``) plus ``.faults``: faults injected by type."""

    def __init__(self, requests: dict[str, int], faults: dict[str, int]) -> None:
        super().__init__(requests)
        self.faults = faults

    @property
    def requests(self) -> dict[str, int]:
        return dict(self)


class _RequestHeaders(http.client.HTTPMessage):
    """Request headers as ``http.server`` parses them, minus one cost: the e-mail parser
    it uses sees ``Content-Type: multipart/...`` and compiles a regular expression for the
    boundary to split a body it is never given (headers only). Reporting no multipart
    type to that parser skips it; nothing else asks (Werkzeug reads the header values)."""

    def get_content_maintype(self) -> str:
        return "text"


class _QuietHandler(KeepAliveHandler):
    """No access log on stderr (it would interleave with test and CLI output)."""

    timeout = 60
    MessageClass = _RequestHeaders

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.debug('"%s" %s', self.requestline, code)

    def log(self, type: str, message: str, *args: Any) -> None:
        log.debug(message, *args)


class _InFlight:
    """WSGI wrapper counting requests being processed, so shutdown can wait for them."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.count = 0
        self.idle = threading.Condition()

    def __call__(self, environ: Any, start_response: Any) -> list[bytes]:
        with self.idle:
            self.count += 1
        try:
            result = self.app(environ, start_response)
            try:
                return list(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            with self.idle:
                self.count -= 1
                self.idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self.idle:
            return self.idle.wait_for(lambda: self.count == 0, timeout)


def env_faults() -> FaultConfig | None:
    """``CAPDECL_SANDBOX_FAULTS``, or None; a bad value is a ConfigError naming the variable."""
    try:
        return faults_from_env()
    except ValueError as error:
        raise ConfigError(f"{ENV_VAR}: {error}") from None


def load_users(directory: Path, extra: Iterable[SandboxUser] | None = None) -> list[SandboxUser]:
    """The default user, users from ``DIR/users.json`` and ``extra`` (later ones win).

    ``users.json`` is a list of ``{"username", "password"[, "team"]}`` objects or a
    ``{"username": "password"}`` object."""
    users = [DEFAULT_USER]
    path = directory / USERS_FILE
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            users += [SandboxUser(str(name), str(password)) for name, password in data.items()]
        else:
            users += [SandboxUser(**entry) for entry in data]
    users += list(extra or ())
    return users


def all_routes(auth: TokenAuthority) -> list[Route]:
    """Every route the sandbox serves."""
    return [
        *auth.routes(),
        *projects.ROUTES,
        *configurations.ROUTES,
        *captures.ROUTES,
        *downloads.ROUTES,
        *metadata.routes(),
        *labelvalues.routes(),
        *relationships.ROUTES,
        *capture_relationships.ROUTES,
        *segments.ROUTES,
        *readers.ROUTES,
    ]


class SandboxServer:
    """A sandbox bound to 127.0.0.1, serving one state directory."""

    def __init__(
        self,
        directory: Path,
        *,
        faults: FaultConfig | None = None,
        port: int = 0,
        users: Iterable[SandboxUser] | None = None,
        token_lifetime: float = ACCESS_TOKEN_EXPIRE_SECONDS,
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        store = Store(directory)
        try:
            auth = TokenAuthority(store, load_users(directory, users), lifetime=token_lifetime)
            self.services = Services(store, auth, FaultInjector(faults), RequestStats())
            self._app = _InFlight(create_app(self.services, all_routes(auth)))
            self._server = KeepAliveServer(HOST, port, self._app, handler=_QuietHandler)
        except BaseException:
            store.close()
            raise
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self._server.port}/"

    def serve_forever(self) -> None:
        """Serve in this thread until :meth:`shutdown` is called from another one."""
        self._server.serve_forever(poll_interval=_POLL_SECONDS)

    def start(self) -> None:
        """Serve from a background thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": _POLL_SECONDS},
            name="capdecl-sandbox",
            daemon=True,
        )
        self._thread.start()

    def shutdown(self) -> None:
        self._server.shutdown()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no request is being processed; False if ``timeout`` ran out."""
        return self._app.wait_idle(timeout)

    def close(self) -> None:
        """Stop serving, let in-flight requests finish (briefly), release every resource."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
        self._server.close_connections()  # idle keep-alive ones too
        self._app.wait_idle(timeout=10.0)
        self.services.store.close()


class SandboxHandle:
    """What :func:`running_sandbox` yields."""

    def __init__(self, server: SandboxServer) -> None:
        self._server = server
        self.url = server.url
        self.directory = server.directory

    def set_faults(self, faults: FaultConfig | None) -> None:
        """Switch fault injection (None: off); the generator restarts from the seed."""
        self._server.services.faults.configure(faults)

    def stats(self) -> SandboxStats:
        """Requests counted since start (or the last reset), with ``.faults``."""
        services = self._server.services
        return SandboxStats(services.stats.snapshot(), services.faults.counts())

    def stats_faults(self) -> dict[str, int]:
        """Faults injected by type: ``drop``, ``error``, ``throttle``, ``commit_drop``."""
        return self._server.services.faults.counts()

    def reset_stats(self) -> None:
        self._server.services.stats.reset()
        self._server.services.faults.reset_counts()

    def on_request(self, hook: RequestHook | None) -> None:
        """Test hook (None: off): called in the serving thread before and after each routed
        request with a :class:`~capdecl.sandbox.app.RequestEvent`; it may block, and may
        raise :class:`~capdecl.sandbox.app.DropRequest` to close the connection instead of
        answering (before: without processing the request)."""
        self._server.services.hook = hook

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no request is being processed; False if ``timeout`` ran out."""
        return self._server.wait_idle(timeout)


@contextmanager
def running_sandbox(
    directory: Path,
    *,
    faults: FaultConfig | None = None,
    port: int = 0,
    users: Iterable[SandboxUser] | None = None,
    token_lifetime: float = ACCESS_TOKEN_EXPIRE_SECONDS,
) -> Iterator[SandboxHandle]:
    """Run a sandbox on 127.0.0.1 (a free port when ``port`` is 0) in a background thread,
    with its state in ``directory``; it is shut down cleanly when the block exits.

    ``faults=None`` takes the fault configuration from ``CAPDECL_SANDBOX_FAULTS`` (none when
    unset); pass ``FaultConfig()`` for a sandbox that never misbehaves."""
    if faults is None:
        faults = env_faults()
    server = SandboxServer(
        directory, faults=faults, port=port, users=users, token_lifetime=token_lifetime
    )
    server.start()
    try:
        yield SandboxHandle(server)
    finally:
        server.close()
