"""Which project and server a read command (``captures``, ``stats``, ``show``) is about.

The project is ``--project NAME``, else the ``project:`` of the manifests in DIR. The
server is ``--server``, else ``$CAPDECL_SERVER``, else ``server:`` in the manifests. Only
the manifest files themselves are read (their data files need not exist, so a directory
exported without ``--download`` works too).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from capdecl.errors import ConfigError


@dataclass(frozen=True)
class Target:
    project: str
    server: str


def resolve_target(directory: Path, project: str | None, server: str | None) -> Target:
    """Project and server URL from the flags, the environment and the manifests."""
    from capdecl.workflow import SERVER_ENV, server_url

    declared_project, declared_server = (None, None)
    if project is None or not (server or os.environ.get(SERVER_ENV)):
        declared_project, declared_server = manifest_target(directory)
    name = project or declared_project
    if not name:
        raise ConfigError(
            f"no project: {directory} holds no manifest declaring `project:`",
            ["pass --project NAME, or name a manifest directory"],
        )
    return Target(name, server_url(server, declared_server))


def manifest_target(directory: Path) -> tuple[str | None, str | None]:
    """``project:`` and ``server:`` of the manifests in ``directory`` (None when absent
    or unreadable; the full validation is ``capdecl validate``'s job)."""
    from capdecl.manifest.documents import manifest_files, read_declarations
    from capdecl.manifest.findings import Findings
    from capdecl.manifest.paths import Root

    if not directory.is_dir():
        return None, None
    root = Root.of(directory)
    findings = Findings()
    decls = read_declarations(root, manifest_files(root, findings), findings)
    project = decls.project.value.strip() if decls.project else None
    server = decls.server.value.strip() if decls.server else None
    return project, server
