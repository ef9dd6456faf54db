"""What capdecl needs from a server, as two protocols: read for planning, write for apply.

The planner never sees these; the CLI reads a :class:`LiveState` through a
:class:`ServerReader` and hands it over. Only ``apply`` gets a :class:`ServerWriter`.
The ``requests`` implementation is :class:`capdecl.client.http.SensiMLClient`.

All uuids are passed exactly as the server returned them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from capdecl.state import (
    LedgerEntry,
    LiveCapture,
    LiveConfiguration,
    LiveMetadataField,
    LiveProject,
    LiveRelationship,
    LiveState,
)


class ServerReader(Protocol):
    """Read-only access: everything a plan needs."""

    def find_project(self, name: str) -> LiveProject | None:
        """The project with exactly this name (case-sensitive), or None. One request."""
        ...

    def read_state(self, project_name: str) -> LiveState:
        """Full refresh of one project in a fixed number of requests, whatever its size:
        project list, configurations, captures, metadata (with values), metadata
        relationships, label relationships (segment counts). The ledger is decoded from
        the project settings. A missing project gives ``LiveState(project=None)``."""
        ...

    def list_captures(self, project_uuid: str) -> list[LiveCapture]:
        """All captures of a project (one request)."""
        ...

    def download_capture(self, project_uuid: str, capture_uuid: str, dest: Path) -> int:
        """Stream a capture's stored bytes to ``dest``; returns the byte count."""
        ...


class ServerWriter(ServerReader, Protocol):
    """Write access for apply. Every method raises a :class:`capdecl.errors.CapdeclError`."""

    def create_project(self, name: str) -> LiveProject: ...

    def update_ledger(
        self,
        project_uuid: str,
        add: Mapping[str, LedgerEntry],
        remove: Iterable[str] = (),
        *,
        add_pending: Mapping[str, LedgerEntry] | None = None,
        remove_pending: Iterable[str] = (),
    ) -> None:
        """Merge ledger changes into the project settings: re-read the project (GET
        ``project/{uuid}/``), merge (:func:`capdecl.ledger.merge_ledger`), PATCH
        ``settings``. Other settings keys are kept. Safe to retry."""
        ...

    def create_metadata_field(
        self, project_uuid: str, name: str, type_: str, values: Sequence[str]
    ) -> LiveMetadataField: ...

    def create_metadata_value(self, project_uuid: str, field_uuid: str, value: str) -> str:
        """Create one allowed value; returns its uuid."""
        ...

    def create_configuration(
        self, project_uuid: str, name: str, configuration: Mapping[str, Any], uuid: str
    ) -> LiveConfiguration:
        """Create with a client-chosen uuid, so a retried create is recognisable."""
        ...

    def update_configuration(
        self,
        project_uuid: str,
        uuid: str,
        *,
        name: str | None = None,
        configuration: Mapping[str, Any] | None = None,
    ) -> LiveConfiguration:
        """PATCH only the given fields."""
        ...

    def delete_configuration(self, project_uuid: str, uuid: str) -> None: ...

    def upload_capture(
        self,
        project_uuid: str,
        name: str,
        path: Path,
        *,
        configuration_uuid: str | None = None,
        set_sample_rate: int | None = None,
    ) -> LiveCapture:
        """Multipart upload streamed from disk. Never retried blindly: after an ambiguous
        failure the client re-lists and decides by name and ``file_size``."""
        ...

    def update_capture(self, project_uuid: str, uuid: str, fields: Mapping[str, Any]) -> None:
        """PATCH (never PUT) name / capture_configuration_uuid / set_sample_rate."""
        ...

    def delete_capture(self, project_uuid: str, uuid: str) -> None: ...

    def create_relationships(
        self, project_uuid: str, items: Sequence[tuple[str, str, str]]
    ) -> list[LiveRelationship]:
        """Bulk POST (capture, label, label_value) triples, batched."""
        ...

    def update_relationships(
        self, project_uuid: str, items: Sequence[LiveRelationship]
    ) -> list[LiveRelationship]:
        """Bulk PUT matched by relationship uuid, batched."""
        ...

    def delete_relationships(self, project_uuid: str, uuids: Sequence[str]) -> int:
        """v2 bulk delete by relationship uuid, batched; returns the count deleted."""
        ...
