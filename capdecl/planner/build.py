"""``build_plan``: run the planner stages in order and assemble one immutable Plan."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from capdecl.planner.capturefields import CaptureContext
from capdecl.planner.captures import plan_captures
from capdecl.planner.configurations import plan_configurations
from capdecl.planner.index import LiveIndex
from capdecl.planner.inputs import input_files, plan_inputs
from capdecl.planner.model import Kind, Plan
from capdecl.planner.normalize import normalize_desired, normalize_live
from capdecl.planner.order import order_changes
from capdecl.planner.project import plan_project
from capdecl.planner.vocabulary import plan_vocabulary
from capdecl.state import DesiredState, FileDigest, LiveState


@dataclass(frozen=True)
class PlanOptions:
    """Planner switches. ``inputs=False`` leaves :attr:`Plan.inputs` out (None): the
    version tokens behind a saved plan's staleness check, which only a saved plan and the
    JSON format carry."""

    inputs: bool = True


DEFAULT_OPTIONS = PlanOptions()


def build_plan(
    desired: DesiredState,
    digests: Mapping[str, FileDigest],
    live: LiveState,
    options: PlanOptions = DEFAULT_OPTIONS,
) -> Plan:
    """Diff what the manifests declare against what the server holds.

    ``digests`` maps every declared capture's ``path`` to its fingerprint. Pure: the same
    inputs, in any order, give the same plan (and the same checksum). Raises ValueError
    when the desired state breaks the manifest loader's guarantees (duplicate names, a
    capture without a digest).
    """
    return plan_prepared(prepare(desired, digests), live, options)


@dataclass(frozen=True)
class Prepared:
    """The desired side of a plan, normalised and checked: what :func:`build_plan` does
    before it looks at the live state (so a caller can do it while the server is read)."""

    desired: DesiredState
    digests: Mapping[str, FileDigest]
    files: dict[str, str]  # PlanInputs.files


def prepare(desired: DesiredState, digests: Mapping[str, FileDigest]) -> Prepared:
    """The first half of :func:`build_plan` (same errors); :func:`plan_prepared` is the
    second."""
    wanted = normalize_desired(desired)
    _check_desired(wanted, digests)
    return Prepared(wanted, digests, input_files(wanted, digests))


def plan_prepared(
    prepared: Prepared, live: LiveState, options: PlanOptions = DEFAULT_OPTIONS
) -> Plan:
    """:func:`build_plan` of a desired side made ready by :func:`prepare`."""
    wanted, digests = prepared.desired, prepared.digests
    index = LiveIndex.build(normalize_live(live))
    vocabulary = plan_vocabulary(wanted, index)
    configurations = plan_configurations(wanted, index)
    context = CaptureContext(
        index=index,
        vocabulary=frozenset(field.name for field in wanted.metadata),
        planned_names=configurations.planned_names,
        available_configurations=configurations.available,
    )
    captures = plan_captures(wanted, digests, context)
    changes = order_changes(
        [
            *plan_project(wanted, index.live),
            *vocabulary.changes,
            *configurations.changes,
            *captures.changes,
        ]
    )
    unmanaged = {
        Kind.METADATA.value: vocabulary.unmanaged,
        Kind.CONFIGURATION.value: configurations.unmanaged,
        Kind.CAPTURE.value: captures.unmanaged,
    }
    return Plan(
        project=wanted.project,
        changes=changes,
        unverified=tuple(sorted(captures.unverified)),
        unmanaged={kind: count for kind, count in sorted(unmanaged.items()) if count},
        warnings=tuple(sorted(set(configurations.warnings) | set(captures.warnings))),
        inputs=plan_inputs(prepared.files, index.live) if options.inputs else None,
    )


def _check_desired(desired: DesiredState, digests: Mapping[str, FileDigest]) -> None:
    """Guard the guarantees the stages rely on (the manifest loader enforces them)."""
    _unique("metadata name", (f.name for f in desired.metadata))
    _unique("configuration name", (c.name for c in desired.configurations))
    _unique("configuration uuid", (c.uuid for c in desired.configurations if c.uuid))
    _unique("capture name", (c.name for c in desired.captures))
    missing = sorted(c.path for c in desired.captures if c.path not in digests)
    if missing:
        raise ValueError(f"no file digest for {missing[0]} ({len(missing)} missing)")


def _unique(what: str, names: Iterable[str]) -> None:
    duplicates = sorted(name for name, count in Counter(names).items() if count > 1)
    if duplicates:
        raise ValueError(f"duplicate {what} in the desired state: {duplicates[0]!r}")
