"""The plan pipeline, stage by stage, shared by ``plan``, ``apply`` and the tests.

    load manifests -> hash files (stat-keyed cache) -> read the live project -> build plan

Each stage is one function. :func:`connect` runs the first three the way ``plan`` and
``apply`` do, reading the server while the manifests load and the files are hashed. Nothing here
prints: the CLI decides what to show.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from capdecl.errors import CapdeclError, ConfigError, Problem

if TYPE_CHECKING:  # imported where used: the planner only once the server is being read
    from capdecl.client.http import SensiMLClient
    from capdecl.planner import Prepared
    from capdecl.planner.model import Plan
    from capdecl.state import DesiredState, FileDigest, LiveState

CACHE_DIRNAME = ".capdecl"
SERVER_ENV = "CAPDECL_SERVER"


@dataclass(frozen=True)
class Desired:
    """The manifests, loaded and hashed, and made ready for the planner."""

    state: DesiredState
    digests: dict[str, FileDigest]
    warnings: tuple[Problem, ...]
    prepared: Prepared  # the planner's half of the work that needs no live state


def load_desired(
    directory: Path,
    *,
    check_content: bool = False,
    on_project: Callable[[str, str | None], None] | None = None,
) -> Desired:
    """Load and validate the manifests, then fingerprint every declared file and do the
    planner's desired-side work (:func:`capdecl.planner.prepare`).

    ``on_project(name, server)`` is called once the manifests proved valid, before the
    files are hashed: nothing may reach a server (not even a login) before validation
    passes, so a broken or hostile manifest never causes a request (SECURITY.md). What
    follows it (hashing, the planner's imports and preparation) is what :func:`connect`
    does while the server is read, so it is imported here, not before the first request."""
    from capdecl.manifest import load_project

    loaded = load_project(directory, check_content=check_content)
    state = loaded.desired
    if on_project is not None:
        on_project(state.project, state.server)
    from capdecl.hashing import digest_files
    from capdecl.planner import prepare

    cache_dir = Path(state.root) / CACHE_DIRNAME
    digests = digest_files([c.path for c in state.captures], cache_dir)
    return Desired(state, digests, loaded.warnings, prepare(state, digests))


def resolve_server(flag: str | None, desired: DesiredState | None) -> str:
    """The server URL: ``--server`` wins, then ``$CAPDECL_SERVER``, then the manifests."""
    return server_url(flag, desired.server if desired else None)


def server_url(flag: str | None, declared: str | None) -> str:
    """:func:`resolve_server` given the manifests' ``server:`` value."""
    for candidate in (flag, os.environ.get(SERVER_ENV), declared):
        if candidate:
            return candidate
    raise ConfigError(
        "no server given",
        [
            "pass --server URL, set CAPDECL_SERVER, or declare `server:` in the manifests",
            "try the bundled sandbox: --server sandbox://.capdecl/sandbox",
        ],
    )


def live_names(live: LiveState) -> dict[str, str]:
    """Display names for the live keys used in PlanInputs (``capture:<uuid>`` ...)."""
    names: dict[str, str] = {}
    if live.project is not None:
        names["project"] = f'project "{live.project.name}" (settings)'
    names.update({f"capture:{c.uuid}": f'capture "{c.name}"' for c in live.captures})
    names.update(
        {f"configuration:{c.uuid}": f'configuration "{c.name}"' for c in live.configurations}
    )
    names.update({f"metadata:{m.uuid}": f'metadata "{m.name}"' for m in live.metadata})
    return names


def build(desired: Desired, live: LiveState, *, inputs: bool = True) -> Plan:
    """Diff the loaded manifests against the live project. ``inputs=False``: without
    the plan's inputs (nor, in its JSON form, a checksum), for a plan only displayed."""
    from capdecl.planner import PlanOptions, plan_prepared

    with gc_paused():
        return plan_prepared(desired.prepared, live, PlanOptions(inputs=inputs))


def plan_body(plan: Plan) -> dict[str, Any]:
    """The plan's JSON form (:meth:`Plan.to_dict`), built with the collector paused."""
    with gc_paused():
        return plan.to_dict()


@contextmanager
def gc_paused(*, freeze: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector for one stage of the pipeline (nested pauses
    are part of the outer one).

    A 10,000-capture plan allocates hundreds of thousands of objects, none of them in
    reference cycles (reference counting frees them); left on, the collector would scan
    them again and again, which costs about a sixth of the plan's time. Cycles made
    meanwhile are collected once it is back on, at the cost of one scan of everything
    allocated. ``freeze`` (for a command that is about to end) skips that scan too: what
    was allocated goes to the collector's permanent generation (:func:`gc.freeze`)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if freeze:
                gc.freeze()
            gc.enable()


def public_url(url: str) -> str:
    """The server URL without any user:password part, for saved plans and messages."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    host, slash, path = rest.partition("/")
    if "@" in host:
        host = host.rsplit("@", 1)[1]
    return f"{scheme}://{host}{slash}{path}"


@dataclass(frozen=True)
class Connected:
    """What :func:`connect` yields: the loaded manifests, the server URL, an open client
    and the live project it read."""

    desired: Desired
    server: str
    client: SensiMLClient
    live: LiveState


@contextmanager
def connect(
    directory: Path,
    server_flag: str | None,
    *,
    insecure: bool = False,
    check_content: bool = False,
    on_loaded: Callable[[Desired], None] | None = None,
) -> Iterator[Connected]:
    """Load the manifests and read the live project, overlapped: as soon as the manifests
    are valid, a background thread reads the server (six requests, mostly waiting on the
    network) while this thread hashes the files.

    Observable behaviour is that of doing it in order: a manifest error wins over any
    server error, and ``on_loaded`` (e.g. printing warnings) runs before a server error is
    raised. The client stays open for the ``with`` block."""
    with ExitStack() as stack:
        prefetch = _Prefetch(stack, server_flag, insecure)
        with gc_paused():
            desired = load_desired(
                directory, check_content=check_content, on_project=prefetch.start
            )
            if on_loaded is not None:
                on_loaded(desired)
            server = resolve_server(server_flag, desired.state)  # no server: ConfigError
            client, live = prefetch.result()
        yield Connected(desired, server, client, live)


class _Prefetch:
    """Reads the live project on a daemon thread while the caller loads the manifests.

    Errors (no credentials, an unreachable server ...) are kept and raised by
    :meth:`result`, after the manifests proved valid. When the load fails instead, the
    thread is left to finish on its own: nothing waits for a server that is not needed.
    The server and project read are the ones :func:`resolve_server` and the manifests
    name, since ``start`` receives them once the manifests are valid."""

    def __init__(self, stack: ExitStack, server_flag: str | None, insecure: bool) -> None:
        self._stack = stack
        self._flag = server_flag
        self._insecure = insecure
        self._project = ""
        self._client: SensiMLClient | None = None
        self._live: LiveState | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def start(self, project: str, declared_server: str | None) -> None:
        """``load_desired``'s ``on_project`` hook: open the client and start reading."""
        from capdecl.client.connect import open_client

        try:
            server = server_url(self._flag, declared_server)
        except ConfigError:
            return  # no server anywhere: the caller's resolve_server reports it
        self._project = project
        try:
            self._client = self._stack.enter_context(open_client(server, insecure=self._insecure))
        except CapdeclError as error:
            self._error = error
            return
        self._thread = threading.Thread(target=self._read, name="capdecl-read", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._client is not None
        try:
            self._live = self._client.read_state(self._project)
        except BaseException as error:  # handed to the caller's thread
            self._error = error

    def result(self) -> tuple[SensiMLClient, LiveState]:
        """The client and the live state it read, raising the read's error."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._client is not None and self._live is not None, "start() was not called"
        return self._client, self._live
