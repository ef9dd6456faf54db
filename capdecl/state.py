"""The two snapshots the planner compares: what the manifests want, what the server has.

Both are plain frozen values with no behaviour and no I/O, so the planner can be tested by
building them by hand. ``DesiredState`` is produced by :mod:`capdecl.manifest` (manifests
-> resolved captures) plus :mod:`capdecl.hashing` (file digests); ``LiveState`` by a
:class:`capdecl.client.base.ServerReader` in a fixed number of requests.

JSON values (capture-configuration bodies, project settings) are kept as parsed Python
objects (``dict``/``list``/scalars) and must be treated as read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, NamedTuple

MetadataType = Literal["string", "integer", "float"]

# --------------------------------------------------------------------------- desired


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a declaration stands in the manifests (for messages and plan output)."""

    file: str  # path relative to the manifest directory, e.g. "captures.yaml"
    line: int  # 1-based
    column: int  # 1-based


class PruneScope(str, Enum):
    """What undeclared server objects capdecl may delete (the deletion policy)."""

    NONE = "none"  # default: never delete anything undeclared
    CAPTURES = "captures"  # undeclared captures
    ALL = "all"  # undeclared captures and capture configurations


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Bulk-change guard: refuse (exit 3, unless --force) when deletes + replaces exceed
    ``max_fraction`` of the existing captures (counted only when at least ``min_existing``
    captures exist), or ``max_recording_fraction`` of the existing recording time."""

    max_fraction: float = 0.10
    min_existing: int = 20
    max_recording_fraction: float = 0.10


@dataclass(frozen=True, slots=True)
class Policy:
    """Project-wide settings from the manifests."""

    prune: PruneScope = PruneScope.NONE
    allow_replace: bool = False  # content changes (delete + re-upload) allowed without flag
    thresholds: Thresholds = field(default_factory=Thresholds)
    # fnmatch patterns of capture / configuration names that are never deleted or replaced,
    # declared or not (per-object ``protect: true`` adds to this)
    protect: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MetadataField:
    """A metadata name of the vocabulary. ``values`` is None when any value is allowed."""

    name: str
    type: MetadataType = "string"
    values: tuple[str, ...] | None = None
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True)
class DesiredConfiguration:
    """A capture configuration as declared (configuration JSON already parsed)."""

    name: str
    configuration: Mapping[str, Any]
    uuid: str | None = None  # pinned uuid: matched by uuid, so a rename is an update
    protect: bool = False
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True)
class DesiredCapture:
    """A capture after group expansion: one file, one server name."""

    name: str  # server name (trimmed)
    path: str  # absolute path of the local file
    rel_path: str  # path relative to the manifest directory, for display
    configuration: str | None = None  # capture-configuration *name*
    sample_rate: int | None = None  # -> set_sample_rate
    metadata: Mapping[str, str] = field(default_factory=dict)  # metadata name -> value
    protect: bool = False
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True)
class FileDigest:
    """Content fingerprint of a local file (from the stat-keyed hash cache)."""

    sha256: str  # lower-case hex
    size: int  # bytes
    samples: int | None = None  # CSV data rows / WAV frames, None when unknown


@dataclass(frozen=True, slots=True)
class DesiredState:
    """Everything the manifests declare for one server project."""

    project: str
    root: str  # absolute manifest directory
    server: str | None = None  # server URL from the manifests (CLI flag / env win)
    metadata: tuple[MetadataField, ...] = ()
    configurations: tuple[DesiredConfiguration, ...] = ()
    captures: tuple[DesiredCapture, ...] = ()
    policy: Policy = field(default_factory=Policy)


# --------------------------------------------------------------------------- live


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """What capdecl uploaded under a capture uuid: its SHA-256 and byte size.

    ``stored_sha256`` is the SHA-256 of the bytes the server *serves* for that capture when
    they differ from the upload (the server stores a CSV without a ``sequence`` column
    rewritten); ``capdecl export --download`` records it. Local content equal to either
    hash is the capture's content."""

    sha256: str
    size: int
    stored_sha256: str | None = None

    def matches(self, sha256: str) -> bool:
        """True when ``sha256`` is the uploaded or the stored content of the capture."""
        return sha256 in (self.sha256, self.stored_sha256)


@dataclass(frozen=True, slots=True)
class LiveProject:
    uuid: str
    name: str
    settings: Mapping[str, Any] | None = None  # the project's settings JSON, verbatim


@dataclass(frozen=True, slots=True)
class LiveMetadataField:
    """A metadata name on the server with its values (value string -> value uuid)."""

    uuid: str
    name: str
    type: str
    is_dropdown: bool
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LiveConfiguration:
    uuid: str
    name: str
    configuration: Any  # parsed JSON or None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class LiveCapture:
    uuid: str
    name: str
    file_size: int
    number_samples: int | None = None
    max_sequence: int | None = None
    set_sample_rate: int | None = None
    calculated_sample_rate: float | None = None
    configuration_uuid: str | None = None
    version: int = 0
    last_modified: str | None = None


class LiveRelationship(NamedTuple):
    """One metadata value of one capture (a CaptureMetadataValue row). A named tuple, not
    a frozen dataclass like the others: a project holds tens of thousands, and building
    one costs a third (no per-field ``object.__setattr__``)."""

    uuid: str
    capture: str  # capture uuid
    label: str  # metadata-name uuid
    label_value: str  # value uuid


@dataclass(frozen=True, slots=True)
class LiveState:
    """Everything the server holds for one project, read in a fixed number of requests.

    ``project`` is None when no project of that name exists (then every other field is
    empty). ``segments`` counts label segments per capture uuid (captures with none are
    absent). ``ledger`` is capdecl's content ledger read from the project settings
    (capture uuid -> entry); ``pending`` are ledger entries written *before* an upload,
    keyed by capture name, that vouch for a capture whose upload finished but whose uuid
    entry was never written (an interrupted apply). See :mod:`capdecl.ledger`.
    """

    project: LiveProject | None
    metadata: tuple[LiveMetadataField, ...] = ()
    configurations: tuple[LiveConfiguration, ...] = ()
    captures: tuple[LiveCapture, ...] = ()
    relationships: tuple[LiveRelationship, ...] = ()
    segments: Mapping[str, int] = field(default_factory=dict)
    ledger: Mapping[str, LedgerEntry] = field(default_factory=dict)
    pending: Mapping[str, LedgerEntry] = field(default_factory=dict)
