"""The read side of :class:`~capdecl.client.http.SensiMLClient`: a project in six
requests (:meth:`ClientReads.read_state`), the listings it is made of, and downloads.

Listings are decoded and checked into the frozen snapshots of :mod:`capdecl.state`; a
body of the wrong shape is an error naming the request (:func:`capdecl.client.parse.checked`).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from capdecl.client import parse
from capdecl.client.checks import segment
from capdecl.client.download import download
from capdecl.client.parse import checked
from capdecl.client.transport import Transport
from capdecl.ledger import read_ledger, read_pending
from capdecl.state import (
    LiveCapture,
    LiveConfiguration,
    LiveMetadataField,
    LiveProject,
    LiveRelationship,
    LiveState,
)

T = TypeVar("T")


class ClientReads:
    """Reads through :attr:`transport` (set by the subclass)."""

    transport: Transport

    def _read(self, path: str, build: Callable[[Any], T]) -> T:
        """GET ``path`` and build a value from the JSON, naming the request on bad bodies."""
        body = self.transport.get_json(path)
        return checked("GET", path, lambda: build(body))

    def list_projects(self) -> list[LiveProject]:
        return self._read("project/", lambda body: parse.each(body, parse.project))

    def find_project(self, name: str) -> LiveProject | None:
        return next((p for p in self.list_projects() if p.name == name), None)

    def get_project(self, project_uuid: str) -> LiveProject:
        path = f"project/{segment(project_uuid)}/"
        return self._read(path, lambda body: parse.project(parse.obj(body)))

    def list_configurations(self, project_uuid: str) -> list[LiveConfiguration]:
        path = f"project/{segment(project_uuid)}/captureconfiguration/"
        found = self._read(path, lambda body: parse.each(body, parse.configuration))
        return sorted(found, key=lambda c: (c.name, c.uuid))

    def list_captures(self, project_uuid: str) -> list[LiveCapture]:
        path = f"project/{segment(project_uuid)}/capture/"
        found = self._read(path, lambda body: parse.each(body, parse.capture))
        return sorted(found, key=lambda c: (c.name, c.uuid))

    def list_metadata(self, project_uuid: str) -> list[LiveMetadataField]:
        path = f"project/{segment(project_uuid)}/metadata/"
        found = self._read(path, lambda body: parse.each(body, parse.metadata_field))
        return sorted(found, key=lambda f: (f.name, f.uuid))

    def list_relationships(self, project_uuid: str) -> list[LiveRelationship]:
        """In the server's order (tens of thousands, the last listing of a plan to arrive:
        sorting them would delay every plan; whoever needs an order sorts)."""
        path = f"project/{segment(project_uuid)}/metadata-relationship/"
        return self._read(path, lambda body: parse.each(body, parse.relationship))

    def segment_counts(self, project_uuid: str) -> dict[str, int]:
        """Label segments per capture uuid (captures without segments are absent)."""
        path = f"project/{segment(project_uuid)}/label-relationship/"
        captures = self._read(path, lambda body: parse.each(body, parse.segment_capture))
        counts: dict[str, int] = {}
        for capture_uuid in captures:
            counts[capture_uuid] = counts.get(capture_uuid, 0) + 1
        return dict(sorted(counts.items()))

    def read_state(self, project_name: str) -> LiveState:
        """Six requests whatever the project size (one when the project does not exist).

        The five listings of the project are sent at once, each on its own thread, which
        also decodes its answer: the largest (relationships, captures) first. The first
        failure in the order below is raised, as if they had been sent one by one."""
        project = self.find_project(project_name)
        if project is None:
            return LiveState(project=None)
        uuid = project.uuid
        with ThreadPoolExecutor(max_workers=5, thread_name_prefix="capdecl-list") as pool:
            relationships = pool.submit(self.list_relationships, uuid)
            captures = pool.submit(self.list_captures, uuid)
            configurations = pool.submit(self.list_configurations, uuid)
            metadata = pool.submit(self.list_metadata, uuid)
            segments = pool.submit(self.segment_counts, uuid)
            ledger, pending = read_ledger(project.settings), read_pending(project.settings)
            return LiveState(
                project=project,
                configurations=tuple(configurations.result()),
                captures=tuple(captures.result()),
                metadata=tuple(metadata.result()),
                relationships=tuple(relationships.result()),
                segments=segments.result(),
                ledger=ledger,
                pending=pending,
            )

    def download_capture(self, project_uuid: str, capture_uuid: str, dest: Path) -> int:
        """Stream the stored bytes to ``dest`` (written whole or not at all)."""
        path = f"project/{segment(project_uuid)}/capture/{segment(capture_uuid)}/file/"
        return download(self.transport, path, dest)
