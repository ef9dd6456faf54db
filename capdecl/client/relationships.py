"""Bulk metadata relationships (one metadata value of one capture), in batches.

* create: ``POST project/{p}/metadata-relationship/`` (atomic per batch; a pair that
  already exists fails the whole batch). After an ambiguous failure the project's
  relationships are re-read and only the still-missing (capture, label) pairs are sent.
* update: ``PUT project/{p}/metadata-relationship/`` matched by relationship uuid, so a
  repeat is harmless and it is retried like a read.
* delete: ``POST v2/project/{p}/metadata-relationship/delete/`` answers the count. A
  repeat after a lost answer gets 400 "invalid UUIDs"; then the relationships are re-read
  and only those still present are deleted.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from capdecl.client import parse
from capdecl.client.checks import segment
from capdecl.client.recovery import create_once
from capdecl.client.transport import Transport
from capdecl.errors import AmbiguousWriteError, TransportError
from capdecl.state import LiveRelationship

T = TypeVar("T")
Pair = tuple[str, str]  # (capture uuid, label uuid)
Triple = tuple[str, str, str]  # (capture uuid, label uuid, value uuid)


def batches(values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


_ORDER = operator.attrgetter("capture", "label", "uuid")  # listings come in the server's order


class RelationshipWriter:
    """Batched relationship writes for one client."""

    def __init__(
        self, transport: Transport, list_all: Callable[[str], list[LiveRelationship]]
    ) -> None:
        self.transport = transport
        self.list_all = list_all

    def _parsed(self, method: str, path: str, body: Any) -> list[LiveRelationship]:
        return parse.checked(method, path, lambda: parse.each(body, parse.relationship))

    # ------------------------------------------------------------------ create

    def create(
        self, project_uuid: str, items: Sequence[Triple], batch_size: int
    ) -> list[LiveRelationship]:
        created: list[LiveRelationship] = []
        for batch in batches(items, batch_size):
            created.extend(self._create_batch(project_uuid, batch))
        return created

    def _create_batch(self, project_uuid: str, batch: Sequence[Triple]) -> list[LiveRelationship]:
        path = f"project/{segment(project_uuid)}/metadata-relationship/"
        pending: list[Triple] = list(batch)
        settled: dict[Pair, LiveRelationship] = {}

        def in_order(new: list[LiveRelationship]) -> list[LiveRelationship]:
            for rel in new:
                settled[(rel.capture, rel.label)] = rel
            return [settled[(c, lab)] for c, lab, _ in batch if (c, lab) in settled]

        def find() -> list[LiveRelationship] | None:
            listed = sorted(self.list_all(project_uuid), key=_ORDER)  # (duplicates: the last)
            live = {(r.capture, r.label): r for r in listed}
            missing: list[Triple] = []
            for capture, label, value in pending:
                found = live.get((capture, label))
                if found is None:
                    missing.append((capture, label, value))
                elif found.label_value != value:
                    raise _conflict(capture, label, value, found.label_value)
                else:
                    settled[(capture, label)] = found
            pending[:] = missing
            return in_order([]) if not missing else None

        return create_once(
            self.transport,
            "POST",
            path,
            payload=lambda: [
                {"capture": c, "label": lab, "label_value": v} for c, lab, v in pending
            ],
            parse=lambda body: in_order(self._parsed("POST", path, body)),
            find=find,
        )

    # ------------------------------------------------------------------ update

    def update(
        self, project_uuid: str, items: Sequence[LiveRelationship], batch_size: int
    ) -> list[LiveRelationship]:
        path = f"project/{segment(project_uuid)}/metadata-relationship/"
        updated: list[LiveRelationship] = []
        for batch in batches(items, batch_size):
            body = [
                {
                    "uuid": r.uuid,
                    "capture": r.capture,
                    "label": r.label,
                    "label_value": r.label_value,
                }
                for r in batch
            ]
            answer = self.transport.decode(self.transport.call("PUT", path, json=body), "PUT", path)
            updated.extend(self._parsed("PUT", path, answer))
        return updated

    # ------------------------------------------------------------------ delete

    def delete(self, project_uuid: str, uuids: Sequence[str], batch_size: int) -> int:
        return sum(
            self._delete_batch(project_uuid, list(batch)) for batch in batches(uuids, batch_size)
        )

    def _delete_batch(self, project_uuid: str, uuids: list[str]) -> int:
        path = f"v2/project/{segment(project_uuid)}/metadata-relationship/delete/"

        def find() -> int | None:
            live = {r.uuid for r in self.list_all(project_uuid)}
            still = [u for u in uuids if u in live]
            if len(still) == len(uuids):
                return None  # nothing of ours happened: the 400 stands
            gone = len(uuids) - len(still)
            return gone + (self._delete_batch(project_uuid, still) if still else 0)

        return create_once(
            self.transport,
            "POST",
            path,
            payload=lambda: uuids,
            parse=lambda body: _count(path, body),
            find=find,
            created=200,
            resend_first=True,
        )


def _count(path: str, body: Any) -> int:
    if isinstance(body, bool) or not isinstance(body, int):
        raise TransportError(f"POST /{path}: unexpected answer: expected a count, got {body!r:.40}")
    return body


def _conflict(capture: str, label: str, wanted: str, found: str) -> AmbiguousWriteError:
    return AmbiguousWriteError(
        f"capture {capture} already has metadata {label} = value {found}, not {wanted}; "
        "another writer changed it while capdecl was creating relationships"
    )
