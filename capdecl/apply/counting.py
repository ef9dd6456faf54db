"""A :class:`ServerWriter` wrapper that counts write calls (for ``ApplyResult.written``)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from capdecl.client.base import ServerWriter
from capdecl.state import (
    LedgerEntry,
    LiveCapture,
    LiveConfiguration,
    LiveMetadataField,
    LiveProject,
    LiveRelationship,
    LiveState,
)


class CountingWriter:
    """Delegates every call to ``inner``; ``written`` counts the write calls made."""

    def __init__(self, inner: ServerWriter) -> None:
        self.inner = inner
        self.written = 0
        self._lock = threading.Lock()

    def count_write(self) -> None:
        """Count a write made through ``inner`` directly (an optional capability)."""
        with self._lock:
            self.written += 1

    # reads
    def find_project(self, name: str) -> LiveProject | None:
        return self.inner.find_project(name)

    def read_state(self, project_name: str) -> LiveState:
        return self.inner.read_state(project_name)

    def list_captures(self, project_uuid: str) -> list[LiveCapture]:
        return self.inner.list_captures(project_uuid)

    def download_capture(self, project_uuid: str, capture_uuid: str, dest: Path) -> int:
        return self.inner.download_capture(project_uuid, capture_uuid, dest)

    # writes
    def create_project(self, name: str) -> LiveProject:
        self.count_write()
        return self.inner.create_project(name)

    def update_ledger(
        self,
        project_uuid: str,
        add: Mapping[str, LedgerEntry],
        remove: Iterable[str] = (),
        *,
        add_pending: Mapping[str, LedgerEntry] | None = None,
        remove_pending: Iterable[str] = (),
    ) -> None:
        self.count_write()
        self.inner.update_ledger(
            project_uuid, add, remove, add_pending=add_pending, remove_pending=remove_pending
        )

    def create_metadata_field(
        self, project_uuid: str, name: str, type_: str, values: Sequence[str]
    ) -> LiveMetadataField:
        self.count_write()
        return self.inner.create_metadata_field(project_uuid, name, type_, values)

    def create_metadata_value(self, project_uuid: str, field_uuid: str, value: str) -> str:
        self.count_write()
        return self.inner.create_metadata_value(project_uuid, field_uuid, value)

    def create_configuration(
        self, project_uuid: str, name: str, configuration: Mapping[str, Any], uuid: str
    ) -> LiveConfiguration:
        self.count_write()
        return self.inner.create_configuration(project_uuid, name, configuration, uuid)

    def update_configuration(
        self,
        project_uuid: str,
        uuid: str,
        *,
        name: str | None = None,
        configuration: Mapping[str, Any] | None = None,
    ) -> LiveConfiguration:
        self.count_write()
        return self.inner.update_configuration(
            project_uuid, uuid, name=name, configuration=configuration
        )

    def delete_configuration(self, project_uuid: str, uuid: str) -> None:
        self.count_write()
        self.inner.delete_configuration(project_uuid, uuid)

    def upload_capture(
        self,
        project_uuid: str,
        name: str,
        path: Path,
        *,
        configuration_uuid: str | None = None,
        set_sample_rate: int | None = None,
    ) -> LiveCapture:
        self.count_write()
        return self.inner.upload_capture(
            project_uuid,
            name,
            path,
            configuration_uuid=configuration_uuid,
            set_sample_rate=set_sample_rate,
        )

    def update_capture(self, project_uuid: str, uuid: str, fields: Mapping[str, Any]) -> None:
        self.count_write()
        self.inner.update_capture(project_uuid, uuid, fields)

    def delete_capture(self, project_uuid: str, uuid: str) -> None:
        self.count_write()
        self.inner.delete_capture(project_uuid, uuid)

    def create_relationships(
        self, project_uuid: str, items: Sequence[tuple[str, str, str]]
    ) -> list[LiveRelationship]:
        self.count_write()
        return self.inner.create_relationships(project_uuid, items)

    def update_relationships(
        self, project_uuid: str, items: Sequence[LiveRelationship]
    ) -> list[LiveRelationship]:
        self.count_write()
        return self.inner.update_relationships(project_uuid, items)

    def delete_relationships(self, project_uuid: str, uuids: Sequence[str]) -> int:
        self.count_write()
        return self.inner.delete_relationships(project_uuid, uuids)
