"""Plans for the golden tests, built by hand as the planner would build them.

Each case is a function returning a :class:`Plan`; ``CASES`` maps the golden file stem to
it and to the formats rendered for it (``txt`` human, ``color.txt`` human with ANSI colours,
``md`` Markdown, ``json``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from capdecl.planner.model import Action, Change, FieldDiff, Kind, Plan, PlanInputs
from tests.render.builders import (
    PROJECT,
    capture_after,
    capture_before,
    create,
    motion_config,
    sha,
    wave,
)

ALL_FORMATS = ("txt", "md", "json")

# --------------------------------------------------------------------------- cases


def empty() -> Plan:
    return Plan(project=PROJECT, inputs=PlanInputs(live={"project": "v1"}))


def empty_with_notes() -> Plan:
    names = tuple(wave(f"S{n:02d}", 1) for n in range(1, 24))
    return Plan(
        project=PROJECT,
        unverified=names,
        unmanaged={"capture": 12, "configuration": 1, "metadata": 0},
        inputs=PlanInputs(live={"project": "v1"}),
    )


def project_create() -> Plan:
    """A new project: everything is created, in dependency order."""
    files = {f"data/S01/{wave('S01', n)}": sha(wave("S01", n)) for n in (1, 2)}
    metadata = {"name": "Subject", "type": "string", "values": ["S01"]}
    configuration = {"name": "Motion 100Hz", "uuid": None, "configuration": motion_config()}
    changes = (
        create(Kind.PROJECT, PROJECT, {"name": PROJECT}),
        create(Kind.METADATA, "Subject", metadata),
        create(Kind.CONFIGURATION, "Motion 100Hz", configuration),
        create(Kind.CAPTURE, wave("S01", 1), capture_after(wave("S01", 1))),
        create(Kind.CAPTURE, wave("S01", 2), capture_after(wave("S01", 2), samples=2_500)),
    )
    return Plan(project=PROJECT, changes=changes, inputs=PlanInputs(files=files))


def metadata_changes() -> Plan:
    """A metadata name created, another one's allowed values updated."""
    split = {"name": "Split", "type": "string", "values": ["train", "test"]}
    before = {"name": "Subject", "type": "string", "values": ["S01", "S02", "S04"]}
    after = {"name": "Subject", "type": "string", "values": ["S01", "S02", "S03"]}
    update = Change(
        kind=Kind.METADATA,
        action=Action.UPDATE,
        name="Subject",
        uuid="6f1c0a52-8d4e-4c39-9a51-0f3b7c2d9e10",
        before=before,
        after=after,
        diffs=(FieldDiff("values", before["values"], after["values"]),),
    )
    return Plan(
        project=PROJECT,
        changes=(create(Kind.METADATA, "Split", split), update),
        inputs=PlanInputs(live={"metadata:6f1c0a52-8d4e-4c39-9a51-0f3b7c2d9e10": "t3"}),
    )


def configuration_create() -> Plan:
    after = {
        "name": "Motion 200Hz",
        "uuid": "0b9a7a8e-3f57-4d0e-b6f1-5f6d0c1e2a33",
        "configuration": motion_config(rate=200, gyro=False),
    }
    return Plan(project=PROJECT, changes=(create(Kind.CONFIGURATION, "Motion 200Hz", after),))


def configuration_update() -> Plan:
    """Nested JSON paths: a parameter value, a source's rate, a sensor added."""
    before = motion_config(gyro=False)
    after = motion_config(rate=200, sensor_range=8)
    source = "configuration.capture_sources[Motion (BMI160)]"
    gyro = after["capture_sources"][0]["sensors"][1]
    diffs = (
        FieldDiff(f"{source}.sample_rate", 100, 200),
        FieldDiff(f"{source}.sensors[Accelerometer].parameters[Sensor Range].value", 4, 8),
        FieldDiff(f"{source}.sensors[Gyroscope]", None, gyro),
    )
    change = Change(
        kind=Kind.CONFIGURATION,
        action=Action.UPDATE,
        name="Motion 100Hz",
        uuid="9d2f3c4b-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
        before={"name": "Motion 100Hz", "configuration": before},
        after={"name": "Motion 100Hz", "uuid": None, "configuration": after},
        diffs=diffs,
    )
    return Plan(project=PROJECT, changes=(change,))


def configuration_rename() -> Plan:
    uuid = "0b9a7a8e-3f57-4d0e-b6f1-5f6d0c1e2a33"
    config = motion_config()
    change = Change(
        kind=Kind.CONFIGURATION,
        action=Action.UPDATE,
        name="Motion 100Hz (BMI160)",
        uuid=uuid,
        before={"name": "Motion 100Hz", "configuration": config},
        after={"name": "Motion 100Hz (BMI160)", "uuid": uuid, "configuration": config},
        diffs=(FieldDiff("name", "Motion 100Hz", "Motion 100Hz (BMI160)"),),
        reason="matched by its pinned uuid",
    )
    return Plan(project=PROJECT, changes=(change,))


def configuration_delete() -> Plan:
    change = Change(
        kind=Kind.CONFIGURATION,
        action=Action.DELETE,
        name="Old board",
        uuid="5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c",
        before={"name": "Old board", "configuration": motion_config(rate=50, gyro=False)},
        reason="not declared, and settings.prune is all",
        notes=("no capture links to it",),
    )
    return Plan(project=PROJECT, changes=(change,))


def project_ledger() -> Plan:
    """Ledger housekeeping: an update of the project whose diff is a nested object."""
    before = {"ledger_entries": 40, "pending": 2}
    after = {"ledger_entries": 41, "pending": 0}
    change = Change(
        kind=Kind.PROJECT,
        action=Action.UPDATE,
        name=PROJECT,
        uuid="7e57ab1e-0000-4000-8000-000000000000",
        before=before,
        after=after,
        diffs=(FieldDiff("ledger", before, after),),
        reason="ledger housekeeping",
        notes=("pending entries recorded: 1", "pending entries dropped: 1"),
    )
    return Plan(project=PROJECT, changes=(change,))


def capture_create() -> Plan:
    name = wave("S02", 3)
    metadata = {"Subject": "S02", "Split": "train", "Gesture": "wave"}
    after = capture_after(name, size=2_315_402, samples=24_000, metadata=metadata)
    return Plan(
        project=PROJECT,
        changes=(create(Kind.CAPTURE, name, after),),
        inputs=PlanInputs(files={after["path"]: after["sha256"]}),
    )


def capture_update() -> Plan:
    """Sample rate and configuration link changed in place; the rest is hidden."""
    name = wave("S01", 1)
    before = capture_before(name)
    after = capture_after(name, rate=200, configuration="Motion 200Hz")
    change = Change(
        kind=Kind.CAPTURE,
        action=Action.UPDATE,
        name=name,
        uuid="c0ffee00-0000-4000-8000-000000000001",
        before=before,
        after=after,
        diffs=(
            FieldDiff("sample_rate", 100, 200),
            FieldDiff("configuration", "Motion 100Hz", "Motion 200Hz"),
        ),
    )
    return Plan(project=PROJECT, changes=(change,))


def capture_metadata() -> Plan:
    """A metadata value changed, one removed, one added."""
    name = wave("S01", 2)
    before = capture_before(name, metadata={"Subject": "S01", "Split": "train"})
    after = capture_after(name, metadata={"Subject": "S02", "Gesture": "wave"})
    change = Change(
        kind=Kind.CAPTURE,
        action=Action.UPDATE,
        name=name,
        uuid="c0ffee00-0000-4000-8000-000000000002",
        before=before,
        after=after,
        diffs=(
            FieldDiff("metadata.Gesture", None, "wave"),
            FieldDiff("metadata.Split", "train", None),
            FieldDiff("metadata.Subject", "S01", "S02"),
        ),
    )
    return Plan(project=PROJECT, changes=(change,))


def capture_replace() -> Plan:
    """The file's content changed: delete and re-upload, losing its label segments."""
    name = wave("S01", 3)
    metadata = {"Subject": "S01", "Split": "train", "Gesture": "wave"}
    before = capture_before(name, seed="old", size=48_213, metadata=metadata)
    after = capture_after(name, seed="new", size=52_881, samples=1_100, metadata=metadata)
    change = Change(
        kind=Kind.CAPTURE,
        action=Action.REPLACE,
        name=name,
        uuid="c0ffee00-0000-4000-8000-000000000003",
        before=before,
        after=after,
        diffs=(
            FieldDiff("sha256", before["sha256"], after["sha256"], forces_replace=True),
            FieldDiff("size", 48_213, 52_881),
            FieldDiff("samples", 1_000, 1_100),
        ),
        reason="the file content changed; the server cannot replace a capture's data in place",
        segments_lost=3,
        # the planner restates the blast radius in notes: the renderer shows it once
    )
    return Plan(
        project=PROJECT,
        changes=(change,),
        inputs=PlanInputs(files={after["path"]: after["sha256"]}),
    )


def capture_rename() -> Plan:
    old, new = "S01_wave_1.csv", "S01_wave_01.csv"
    before = capture_before(old, seed="same")
    after = capture_after(new, seed="same")
    change = Change(
        kind=Kind.CAPTURE,
        action=Action.UPDATE,
        name=new,
        uuid="c0ffee00-0000-4000-8000-000000000004",
        before=before,
        after=after,
        diffs=(FieldDiff("name", old, new),),
        reason="same content: its SHA-256 matches the ledger entry of the old name",
    )
    return Plan(project=PROJECT, changes=(change,))


def capture_delete() -> Plan:
    name = wave("S09", 1)
    before = capture_before(name, size=1_048_576, samples=30_000, rate=100)
    change = Change(
        kind=Kind.CAPTURE,
        action=Action.DELETE,
        name=name,
        uuid="c0ffee00-0000-4000-8000-000000000009",
        before=before,
        reason="not declared, and settings.prune is captures",
        segments_lost=5,
        notes=("it is in 2 queries",),
    )
    return Plan(project=PROJECT, changes=(change,))


def warnings() -> Plan:
    name = wave("S03", 1)
    after = capture_after(name, samples=None, rate=None, configuration=None)
    return Plan(
        project=PROJECT,
        changes=(create(Kind.CAPTURE, name, after),),
        unverified=(wave("S01", 1),),
        unmanaged={"capture": 1},
        warnings=(
            f'capture "{name}" has no sample_rate: the server keeps its default',
            "settings.thresholds.max_fraction is 0.5: a bulk delete of half the captures\n"
            "would not be refused",
        ),
    )


def mixed() -> Plan:
    """One of each action, with data and recording deltas: the colour golden."""
    changes = (
        *capture_update().changes,
        *capture_replace().changes,
        *capture_create().changes,
        *capture_delete().changes,
        *metadata_changes().changes,
    )
    return Plan(project=PROJECT, changes=changes, unverified=(wave("S05", 2),))


def escaping() -> Plan:
    """Names that would break Markdown, HTML or a terminal if printed raw."""
    names = (
        "a|b|c.csv",
        "<img src=x onerror=alert(1)>.csv",
        "```fence``` and `tick`.csv",
        "@octo-org/team *bold* _it_ [link](http://x).csv",
        "- leading dash.csv",
        "1. numbered.csv",
        "#42 & more.csv",
        'quote " and \\ backslash.csv',
        "line\nbreak\x1b[31mred\u202etxt.csv",
    )
    changes = tuple(
        create(Kind.CAPTURE, n, capture_after(n, metadata={"Note": n}, seed=n)) for n in names
    )
    return Plan(
        project="team|<b>x</b>",
        changes=changes,
        unverified=("`odd`|name",),
        warnings=("capture <script>alert(1)</script> | @everyone",),
    )


def large(count: int = 600) -> Plan:
    """600 captures created plus a few deleted, for Markdown truncation."""
    creates = tuple(
        create(
            Kind.CAPTURE,
            wave(f"S{n // 10:02d}", n % 10),
            capture_after(wave(f"S{n // 10:02d}", n % 10), samples=1_000 + n),
        )
        for n in range(count)
    )
    deletes = tuple(
        Change(
            kind=Kind.CAPTURE,
            action=Action.DELETE,
            name=f"legacy_{n}.csv",
            uuid=f"c0ffee00-0000-4000-8000-{n:012d}",
            before=capture_before(f"legacy_{n}.csv"),
            segments_lost=n,
        )
        for n in range(3)
    )
    return Plan(project=PROJECT, changes=deletes + creates)


@dataclass(frozen=True)
class Case:
    build: Callable[[], Plan]
    formats: tuple[str, ...] = ALL_FORMATS


CASES: dict[str, Case] = {
    "empty": Case(empty),
    "empty_with_notes": Case(empty_with_notes),
    "project_create": Case(project_create, (*ALL_FORMATS, "color.txt")),
    "project_ledger": Case(project_ledger),
    "metadata_changes": Case(metadata_changes),
    "configuration_create": Case(configuration_create),
    "configuration_update": Case(configuration_update),
    "configuration_rename": Case(configuration_rename),
    "configuration_delete": Case(configuration_delete),
    "capture_create": Case(capture_create),
    "capture_update": Case(capture_update),
    "capture_metadata": Case(capture_metadata),
    "capture_replace": Case(capture_replace),
    "capture_rename": Case(capture_rename),
    "capture_delete": Case(capture_delete),
    "warnings": Case(warnings),
    "mixed": Case(mixed, (*ALL_FORMATS, "color.txt")),
    "escaping": Case(escaping),
    # the full human/JSON output of 603 changes would be a 400 KB golden: Markdown only
    "large": Case(large, ("md", "small.md")),
}
SMALL_LIMIT = 6_000
