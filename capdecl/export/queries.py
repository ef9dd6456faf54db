"""Read-side queries over one live project: captures with their metadata, filtered by
``--where`` conditions, and statistics grouped by metadata values.

Pure functions of a :class:`~capdecl.state.LiveState` (one ``read_state``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from capdecl.errors import ConfigError
from capdecl.export.model import natural_key
from capdecl.state import LiveState


@dataclass(frozen=True)
class Condition:
    """``KEY=VALUE`` (``negate`` False) or ``KEY!=VALUE``; an empty VALUE means unset."""

    key: str
    value: str
    negate: bool = False

    def holds(self, metadata: Mapping[str, str]) -> bool:
        current = metadata.get(self.key, "")
        return (current == self.value) != self.negate


def parse_where(texts: Iterable[str]) -> list[Condition]:
    """Parse ``--where`` arguments; a ConfigError names the first malformed one."""
    conditions = []
    for text in texts:
        key, negate, rest = _split(text)
        if not key:
            raise ConfigError(
                f"--where {text!r}: expected KEY=VALUE or KEY!=VALUE",
                ["KEY is a metadata name, e.g. --where Subject=S01 --where Split!=test"],
            )
        conditions.append(Condition(key, rest.strip(), negate))
    return conditions


def _split(text: str) -> tuple[str, bool, str]:
    if "=" not in text:
        return "", False, ""
    before, _, after = text.partition("=")
    negate = before.endswith("!")
    return before.removesuffix("!").strip(), negate, after


def check_keys(keys: Iterable[str], known: Iterable[str], option: str) -> None:
    """Every key must be a metadata name of the project."""
    from capdecl.manifest.findings import suggest

    names = sorted(set(known))
    for key in keys:
        if key not in names:
            hint = suggest(key, names) or (
                f" (metadata names: {', '.join(names)})" if names else " (it has none)"
            )
            raise ConfigError(f'{option}: the project has no metadata name "{key}"{hint}')


@dataclass(frozen=True)
class CaptureRow:
    """One capture as the read commands show it."""

    name: str
    uuid: str
    configuration: str | None
    sample_rate: int | None
    samples: int | None
    size: int
    seconds: float | None  # recording time; None when samples or rate are unknown
    metadata: Mapping[str, str] = field(default_factory=dict)


def capture_rows(live: LiveState) -> list[CaptureRow]:
    """Every capture, sorted naturally by name."""
    from capdecl.planner import recording_seconds
    from capdecl.planner.index import LiveIndex

    index = LiveIndex.build(live)
    seconds = recording_seconds(live)
    rows = [
        CaptureRow(
            name=c.name,
            uuid=c.uuid,
            configuration=index.configuration_name(c.configuration_uuid),
            sample_rate=c.set_sample_rate,
            samples=c.number_samples,
            size=c.file_size,
            seconds=seconds.get(c.uuid),
            metadata=dict(sorted(index.capture_metadata.get(c.uuid, {}).items())),
        )
        for c in live.captures
    ]
    return sorted(rows, key=lambda r: (natural_key(r.name), r.uuid))


def matching(rows: Sequence[CaptureRow], conditions: Sequence[Condition]) -> list[CaptureRow]:
    """The rows every condition holds for."""
    return [r for r in rows if all(c.holds(r.metadata) for c in conditions)]


@dataclass
class Bucket:
    """Totals over some captures: count, bytes, known recording time, unknown-time count."""

    values: tuple[str | None, ...] = ()
    captures: int = 0
    size: int = 0
    seconds: float = 0.0
    unknown_time: int = 0

    def add(self, row: CaptureRow) -> None:
        self.captures += 1
        self.size += row.size
        if row.seconds is None:
            self.unknown_time += 1
        else:
            self.seconds += row.seconds


def statistics(rows: Sequence[CaptureRow], by: Sequence[str]) -> tuple[list[Bucket], Bucket]:
    """One bucket per combination of the ``by`` values (None: unset), and the total.
    Buckets are sorted naturally, unset values last."""
    buckets: dict[tuple[str | None, ...], Bucket] = {}
    total = Bucket()
    for row in rows:
        key = tuple(row.metadata.get(name) for name in by)
        buckets.setdefault(key, Bucket(values=key)).add(row)
        total.add(row)
    ordered = sorted(buckets.values(), key=lambda b: [_unset_last(v) for v in b.values])
    return ordered, total


def _unset_last(value: str | None) -> tuple[int, tuple[tuple[int, int | str], ...]]:
    return (1, ()) if value is None else (0, natural_key(value))
