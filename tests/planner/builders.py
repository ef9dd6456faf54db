"""Small builders for planner tests: desired and live snapshots written by hand.

``declare`` gives a desired capture with its file digest; ``desired_state`` assembles the
manifests side; ``mirror`` builds the live side exactly as a completed apply would leave it
(ledger entries, metadata values, configurations stored in v2 form), so a test starts
from "in sync" and changes one thing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import uuid as uuidlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from capdecl.planner import build_plan, configuration_uuid, normalize_configuration
from capdecl.planner.model import Change, Plan
from capdecl.state import (
    DesiredCapture,
    DesiredConfiguration,
    DesiredState,
    FileDigest,
    LedgerEntry,
    LiveCapture,
    LiveConfiguration,
    LiveMetadataField,
    LiveProject,
    LiveRelationship,
    LiveState,
    MetadataField,
    Policy,
)

PROJECT = "gestures"
PROJECT_UUID = "00000000-0000-4000-8000-000000000001"


def sha(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


def uid(seed: str) -> str:
    """A stable, readable-in-tests uuid for a seed."""
    return str(uuidlib.uuid5(uuidlib.NAMESPACE_DNS, seed))


@dataclass(frozen=True)
class Declared:
    """A declared capture and the digest of its local file."""

    capture: DesiredCapture
    digest: FileDigest
    content: str


def declare(
    name: str,
    content: str | None = None,
    *,
    samples: int | None = 3,
    configuration: str | None = None,
    sample_rate: int | None = None,
    metadata: Mapping[str, str] | None = None,
    protect: bool = False,
) -> Declared:
    body = content if content is not None else f"sequence,x\n0,{name}\n"
    capture = DesiredCapture(
        name=name,
        path=f"/work/m/data/{name}",
        rel_path=f"data/{name}",
        configuration=configuration,
        sample_rate=sample_rate,
        metadata=dict(metadata or {}),
        protect=protect,
    )
    digest = FileDigest(sha256=sha(body), size=len(body.encode()), samples=samples)
    return Declared(capture=capture, digest=digest, content=body)


@dataclass(frozen=True)
class Desired:
    state: DesiredState
    digests: dict[str, FileDigest]


def desired_state(
    declared: Iterable[Declared] = (),
    *,
    metadata: Iterable[MetadataField] = (),
    configurations: Iterable[DesiredConfiguration] = (),
    policy: Policy | None = None,
    project: str = PROJECT,
) -> Desired:
    items = list(declared)
    state = DesiredState(
        project=project,
        root="/work/m",
        metadata=tuple(metadata),
        configurations=tuple(configurations),
        captures=tuple(d.capture for d in items),
        policy=policy or Policy(),
    )
    return Desired(state=state, digests={d.capture.path: d.digest for d in items})


def sensor_config(range_value: int = 16, *, version: int | None = 3) -> dict[str, Any]:
    """A small configuration body in the shape Data Capture Lab emits."""
    body: dict[str, Any] = {
        "name": "Nano33 BLE Sense",
        "is_little_endian": True,
        "capture_sources": [
            {
                "name": "Motion (BMI160)",
                "part": "BMI160",
                "sample_rate": 100,
                "sensors": [
                    {
                        "type": "Accelerometer",
                        "column_names": ["AccX", "AccY", "AccZ"],
                        "parameters": [
                            {"name": "Sensor Range", "value": range_value, "num_bytes": 1},
                            {"name": "Output Data Rate", "value": 100, "num_bytes": 2},
                        ],
                    },
                    {
                        "type": "Gyroscope",
                        "column_names": ["GyroX", "GyroY", "GyroZ"],
                        "parameters": [{"name": "Sensor Range", "value": 2000, "num_bytes": 2}],
                    },
                ],
            }
        ],
    }
    if version is not None:
        body["version"] = version
    return body


def live_field(name: str, values: Iterable[str], type_: str = "string") -> LiveMetadataField:
    return LiveMetadataField(
        uuid=uid(f"metadata:{name}"),
        name=name,
        type=type_,
        is_dropdown=False,
        values={v: uid(f"value:{name}={v}") for v in values},
    )


def relationship(capture_uuid: str, field_name: str, value: str) -> LiveRelationship:
    return LiveRelationship(
        uuid=uid(f"rel:{capture_uuid}:{field_name}"),
        capture=capture_uuid,
        label=uid(f"metadata:{field_name}"),
        label_value=uid(f"value:{field_name}={value}"),
    )


def live_capture_for(d: Declared, config_uuid: str | None = None, **changes: Any) -> LiveCapture:
    capture = LiveCapture(
        uuid=uid(f"capture:{d.capture.name}"),
        name=d.capture.name,
        file_size=d.digest.size,
        number_samples=d.digest.samples,
        max_sequence=None if d.digest.samples is None else d.digest.samples - 1,
        set_sample_rate=d.capture.sample_rate,
        configuration_uuid=config_uuid,
        version=1,
    )
    return dataclasses.replace(capture, **changes)


@dataclass
class _Mirror:
    """Accumulates a live state that matches a desired one."""

    desired: Desired
    configurations: list[LiveConfiguration] = field(default_factory=list)
    captures: list[LiveCapture] = field(default_factory=list)
    relationships: list[LiveRelationship] = field(default_factory=list)
    ledger: dict[str, LedgerEntry] = field(default_factory=dict)


def mirror(desired: Desired, declared: Iterable[Declared] = (), **overrides: Any) -> LiveState:
    """The live state a successful apply of ``desired`` leaves behind (then ``overrides``)."""
    state = desired.state
    m = _Mirror(desired)
    config_uuids: dict[str, str] = {}
    for config in state.configurations:
        uuid = config.uuid or configuration_uuid(state.project, config.name)
        config_uuids[config.name] = uuid
        m.configurations.append(
            LiveConfiguration(
                uuid=uuid,
                name=config.name,
                configuration=normalize_configuration(config.configuration),
                last_modified="2026-01-01T00:00:00Z",
            )
        )
    for d in declared:
        capture = live_capture_for(d, config_uuids.get(d.capture.configuration or ""))
        m.captures.append(capture)
        m.ledger[capture.uuid] = LedgerEntry(sha256=d.digest.sha256, size=d.digest.size)
        m.relationships.extend(
            relationship(capture.uuid, k, v) for k, v in d.capture.metadata.items()
        )
    fields = [live_field(f.name, _values(f, state), f.type) for f in state.metadata]
    live = LiveState(
        project=LiveProject(uuid=PROJECT_UUID, name=state.project, settings={"a": 1}),
        metadata=tuple(fields),
        configurations=tuple(m.configurations),
        captures=tuple(m.captures),
        relationships=tuple(m.relationships),
        ledger=m.ledger,
    )
    return dataclasses.replace(live, **overrides)


def _values(field_: MetadataField, state: DesiredState) -> list[str]:
    if field_.values is not None:
        return list(field_.values)
    return sorted({c.metadata[field_.name] for c in state.captures if field_.name in c.metadata})


def plan_for(desired: Desired, live: LiveState) -> Plan:
    return build_plan(desired.state, desired.digests, live)


def only(plan: Plan) -> Change:
    """The plan's single change (fails when there are more or none)."""
    assert len(plan.changes) == 1, [c.to_dict() for c in plan.changes]
    return plan.changes[0]


def replace_capture(live: LiveState, name: str, **changes: Any) -> LiveState:
    """``live`` with one capture's fields changed."""
    captures = tuple(
        dataclasses.replace(c, **changes) if c.name == name else c for c in live.captures
    )
    return dataclasses.replace(live, captures=captures)
