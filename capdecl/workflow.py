"""The plan pipeline, stage by stage, shared by ``plan``, ``apply`` and the tests.

    load manifests -> hash files (stat-keyed cache) -> read the live project -> build plan

Each stage is one function; :func:`compute_plan` runs them in order. Nothing here prints:
the CLI decides what to show.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from capdecl.client.base import ServerReader
from capdecl.errors import ConfigError, Problem
from capdecl.planner.model import Plan
from capdecl.state import DesiredState, FileDigest, LiveState

CACHE_DIRNAME = ".capdecl"
SERVER_ENV = "CAPDECL_SERVER"


@dataclass(frozen=True)
class Desired:
    """The manifests, loaded and hashed."""

    state: DesiredState
    digests: dict[str, FileDigest]
    warnings: tuple[Problem, ...]


def load_desired(directory: Path, *, check_content: bool = False) -> Desired:
    """Load and validate the manifests, then fingerprint every declared file."""
    from capdecl.hashing import digest_files
    from capdecl.manifest import load_project

    loaded = load_project(directory, check_content=check_content)
    state = loaded.desired
    cache_dir = Path(state.root) / CACHE_DIRNAME
    digests = digest_files([c.path for c in state.captures], cache_dir)
    return Desired(state=state, digests=digests, warnings=loaded.warnings)


def resolve_server(flag: str | None, desired: DesiredState | None) -> str:
    """The server URL: ``--server`` wins, then ``$CAPDECL_SERVER``, then the manifests."""
    for candidate in (flag, os.environ.get(SERVER_ENV), desired.server if desired else None):
        if candidate:
            return candidate
    raise ConfigError(
        "no server given",
        [
            "pass --server URL, set CAPDECL_SERVER, or declare `server:` in the manifests",
            "try the bundled sandbox: --server sandbox://.capdecl/sandbox",
        ],
    )


def read_live(reader: ServerReader, desired: DesiredState) -> LiveState:
    """Read everything the server holds for the declared project."""
    return reader.read_state(desired.project)


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


def build(desired: Desired, live: LiveState) -> Plan:
    """Diff the loaded manifests against the live project."""
    from capdecl.planner import build_plan

    return build_plan(desired.state, desired.digests, live)


def public_url(url: str) -> str:
    """The server URL without any user:password part, for saved plans and messages."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    host, slash, path = rest.partition("/")
    if "@" in host:
        host = host.rsplit("@", 1)[1]
    return f"{scheme}://{host}{slash}{path}"
