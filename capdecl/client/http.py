"""The ``requests`` implementation of :class:`ServerReader` and :class:`ServerWriter`.

One keep-alive session with a connection pool sized for parallel uploads; every request
has connect and read timeouts, a trailing slash, and uuids exactly as the server gave
them. Reads and idempotent writes (PATCH, DELETE, bulk PUT by uuid, the ledger merge) are
retried with backoff; creates go through :func:`capdecl.client.recovery.create_once`,
which re-reads the server after an ambiguous failure instead of sending twice.

Every method raises a :class:`capdecl.errors.CapdeclError` subclass on failure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from capdecl.client import parse
from capdecl.client.auth import Authenticator
from capdecl.client.base import ServerWriter
from capdecl.client.checks import (
    capture_fields,
    capture_upload,
    client_uuid,
    configuration_body,
    segment,
)
from capdecl.client.ledgerwrite import LedgerEdit, write_ledger
from capdecl.client.multipart import MultipartStream
from capdecl.client.parse import checked
from capdecl.client.reads import ClientReads
from capdecl.client.recovery import create_once
from capdecl.client.relationships import RelationshipWriter
from capdecl.client.retry import RetryPolicy
from capdecl.client.transport import DEFAULT_USER_AGENT, Transport
from capdecl.errors import AmbiguousWriteError, ConfigError, NotFoundError
from capdecl.state import (
    LedgerEntry,
    LiveCapture,
    LiveConfiguration,
    LiveMetadataField,
    LiveProject,
    LiveRelationship,
)

CONTENT_TYPES = {".csv": "text/csv", ".wav": "audio/wav"}


class SensiMLClient(ClientReads):
    """A SensiML / Piccolo AI server, for plan (reads, :class:`ClientReads`) and apply
    (writes). Thread-safe."""

    def __init__(
        self,
        base_url: str,
        auth: Authenticator,
        *,
        timeout: tuple[float, float] = (5, 60),
        retry: RetryPolicy | None = None,
        verify: bool | str = True,
        user_agent: str = DEFAULT_USER_AGENT,
        pool_size: int = 16,
        batch_size: int = 5000,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"server URL must start with http:// or https://: {base_url!r}")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.transport = Transport(
            base_url,
            auth,
            timeout=timeout,
            retry=retry or RetryPolicy(),
            verify=verify,
            user_agent=user_agent,
            pool_size=pool_size,
        )
        self.batch_size = batch_size
        self._relationships = RelationshipWriter(self.transport, self.list_relationships)

    @property
    def base_url(self) -> str:
        return self.transport.base_url

    def __repr__(self) -> str:
        return f"SensiMLClient({self.base_url!r})"

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> SensiMLClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ project + ledger

    def create_project(self, name: str) -> LiveProject:
        return create_once(
            self.transport,
            "POST",
            "project/",
            payload=lambda: {"name": name},
            parse=lambda body: checked("POST", "project/", lambda: parse.project(parse.obj(body))),
            find=lambda: self.find_project(name.strip()),
        )

    def update_ledger(
        self,
        project_uuid: str,
        add: Mapping[str, LedgerEntry],
        remove: Iterable[str] = (),
        *,
        add_pending: Mapping[str, LedgerEntry] | None = None,
        remove_pending: Iterable[str] = (),
    ) -> None:
        """Merge-on-write, verified: see :mod:`capdecl.client.ledgerwrite`."""
        path = f"project/{segment(project_uuid)}/"

        def write(settings: dict[str, Any]) -> None:
            self.transport.call("PATCH", path, json={"settings": settings}).close()

        edit = LedgerEdit.of(add, remove, add_pending, remove_pending)
        write_ledger(lambda: self.get_project(project_uuid).settings, write, edit)

    # ------------------------------------------------------------------ metadata

    def create_metadata_field(
        self, project_uuid: str, name: str, type_: str, values: Sequence[str]
    ) -> LiveMetadataField:
        path = f"project/{segment(project_uuid)}/metadata/"
        body = {
            "name": name,
            "type": type_,
            "metadata": True,
            "is_dropdown": False,
            "values": list(values),
        }
        created = create_once(
            self.transport,
            "POST",
            path,
            payload=lambda: body,
            parse=lambda answer: checked(
                "POST", path, lambda: parse.metadata_field(parse.obj(answer))
            ),
            find=lambda: self._metadata_named(project_uuid, name.strip()),
        )
        wanted = {value.strip() for value in values}
        if wanted <= set(created.values):
            return created
        detail = f"{path}{segment(created.uuid)}/"  # the answer lacked the new values
        return self._read(detail, lambda answer: parse.metadata_field(parse.obj(answer)))

    def _metadata_named(self, project_uuid: str, name: str) -> LiveMetadataField | None:
        return next((f for f in self.list_metadata(project_uuid) if f.name == name), None)

    def create_metadata_value(self, project_uuid: str, field_uuid: str, value: str) -> str:
        path = f"project/{segment(project_uuid)}/metadata/{segment(field_uuid)}/labelvalue/"

        def find() -> str | None:
            found = self._read(path, lambda body: parse.each(body, parse.label_value_uuid))
            return dict(found).get(value.strip())

        return create_once(
            self.transport,
            "POST",
            path,
            payload=lambda: {"value": value},
            parse=lambda body: checked("POST", path, lambda: parse.text(parse.obj(body), "uuid")),
            find=find,
        )

    def update_metadata_field(
        self, project_uuid: str, uuid: str, *, name: str, type_: str, is_dropdown: bool
    ) -> LiveMetadataField:
        """PATCH a metadata name's type. The server needs name, type and is_dropdown in
        the body (a PATCH without them is a 500), so all three are always sent."""
        path = f"project/{segment(project_uuid)}/metadata/{segment(uuid)}/"
        body = {"name": name, "type": type_, "is_dropdown": is_dropdown}
        answer = self.transport.decode(self.transport.call("PATCH", path, json=body), "PATCH", path)
        return checked("PATCH", path, lambda: parse.metadata_field(parse.obj(answer)))

    # ------------------------------------------------------------------ configurations

    def create_configuration(
        self, project_uuid: str, name: str, configuration: Mapping[str, Any], uuid: str
    ) -> LiveConfiguration:
        """Create with the caller's uuid; an ambiguous failure is settled by GET-ing it."""
        body = {
            "name": name,
            "configuration": configuration_body(name, configuration),
            "uuid": client_uuid(uuid),
        }
        path = f"project/{segment(project_uuid)}/captureconfiguration/"
        return create_once(
            self.transport,
            "POST",
            path,
            payload=lambda: body,
            parse=lambda answer: checked(
                "POST", path, lambda: parse.configuration(parse.obj(answer))
            ),
            find=lambda: self._configuration_or_none(project_uuid, uuid),
        )

    def get_configuration(self, project_uuid: str, uuid: str) -> LiveConfiguration:
        path = f"project/{segment(project_uuid)}/captureconfiguration/{segment(uuid)}/"
        return self._read(path, lambda body: parse.configuration(parse.obj(body)))

    def _configuration_or_none(self, project_uuid: str, uuid: str) -> LiveConfiguration | None:
        try:
            return self.get_configuration(project_uuid, uuid)
        except NotFoundError:
            return None

    def update_configuration(
        self,
        project_uuid: str,
        uuid: str,
        *,
        name: str | None = None,
        configuration: Mapping[str, Any] | None = None,
    ) -> LiveConfiguration:
        """PATCH only the given fields (never PUT)."""
        body: dict[str, Any] = {}
        if name is not None:
            body["name"] = name
        if configuration is not None:
            body["configuration"] = configuration_body(name or uuid, configuration)
        if not body:
            return self.get_configuration(project_uuid, uuid)
        path = f"project/{segment(project_uuid)}/captureconfiguration/{segment(uuid)}/"
        answer = self.transport.decode(self.transport.call("PATCH", path, json=body), "PATCH", path)
        return checked("PATCH", path, lambda: parse.configuration(parse.obj(answer)))

    def delete_configuration(self, project_uuid: str, uuid: str) -> None:
        path = f"project/{segment(project_uuid)}/captureconfiguration/{segment(uuid)}/"
        self.transport.call("DELETE", path, ok=(200, 204), gone_ok=True).close()

    # ------------------------------------------------------------------ captures

    def upload_capture(
        self,
        project_uuid: str,
        name: str,
        path: Path,
        *,
        configuration_uuid: str | None = None,
        set_sample_rate: int | None = None,
    ) -> LiveCapture:
        """Multipart upload streamed from disk, never retried blindly: after an ambiguous
        failure the captures are re-listed and the one named ``name`` decides (same size:
        done; other size: AmbiguousWriteError; absent: upload again)."""
        capture_upload(name, path.name)
        size = _file_size(path)
        fields = [("name", name)]
        if configuration_uuid is not None:
            fields.append(("capture_configuration_uuid", configuration_uuid))
        if set_sample_rate is not None:
            fields.append(("set_sample_rate", str(set_sample_rate)))
        content_type = CONTENT_TYPES[path.name[-4:]]
        url = f"project/{segment(project_uuid)}/capture/"
        return create_once(
            self.transport,
            "POST",
            url,
            multipart=lambda: _open_upload(fields, path.name, path, content_type),
            parse=lambda body: checked(
                "POST", url, lambda: parse.capture(parse.obj(body), configuration_uuid)
            ),
            find=lambda: self._uploaded(project_uuid, name.strip(), size),
        )

    def _uploaded(self, project_uuid: str, name: str, size: int) -> LiveCapture | None:
        found = next((c for c in self.list_captures(project_uuid) if c.name == name), None)
        if found is None or found.file_size == size:
            return found
        raise AmbiguousWriteError(
            f"upload of capture {name!r} failed without an answer, and the server now has a "
            f"capture of that name with {found.file_size} bytes instead of {size}",
            ["check the capture on the server, delete it if it is wrong, and apply again"],
        )

    def update_capture(self, project_uuid: str, uuid: str, fields: Mapping[str, Any]) -> None:
        """PATCH (never PUT: a PUT wipes the stored file)."""
        body = capture_fields(fields)
        if not body:
            return
        path = f"project/{segment(project_uuid)}/capture/{segment(uuid)}/"
        self.transport.call("PATCH", path, json=body).close()

    def delete_capture(self, project_uuid: str, uuid: str) -> None:
        path = f"project/{segment(project_uuid)}/capture/{segment(uuid)}/"
        self.transport.call("DELETE", path, ok=(200, 204), gone_ok=True).close()

    # ------------------------------------------------------------------ relationships

    def create_relationships(
        self, project_uuid: str, items: Sequence[tuple[str, str, str]]
    ) -> list[LiveRelationship]:
        return self._relationships.create(project_uuid, items, self.batch_size)

    def update_relationships(
        self, project_uuid: str, items: Sequence[LiveRelationship]
    ) -> list[LiveRelationship]:
        return self._relationships.update(project_uuid, items, self.batch_size)

    def delete_relationships(self, project_uuid: str, uuids: Sequence[str]) -> int:
        return self._relationships.delete(project_uuid, uuids, self.batch_size)


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror or error}") from None


def _open_upload(
    fields: list[tuple[str, str]], filename: str, path: Path, content_type: str
) -> MultipartStream:
    """A fresh upload body for one attempt (the file is re-opened every time)."""
    try:
        return MultipartStream(fields, "file", filename, path, content_type)
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror or error}") from None


def _structural_check() -> None:
    """mypy proves the client implements both protocols."""
    _: type[ServerWriter] = SensiMLClient
