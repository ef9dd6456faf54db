"""What is left to do, worked out from the server state without the planner.

Used after an apply was killed: the planner's next plan must list exactly this work.
The rules are capdecl's promises, stated simply:

* content is known only through the ledger: a capture's uuid entry, else a pending entry
  of its name with the same size (an upload whose ledger write was interrupted);
* a capture on the server that capdecl uploaded is always known (pending entries are
  written before uploads start) - one that is not is reported as a problem;
* a declared capture that is missing is created, unless an undeclared capture holds the
  same content (then it is renamed, an update); known but different content is replaced;
  a wrong metadata value, sample rate or configuration is an update;
* under ``prune: captures`` undeclared captures are deleted;
* pending entries, or uuid entries of vanished captures, make a ledger housekeeping
  update of the project.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from capdecl.state import DesiredCapture, DesiredState, LedgerEntry, LiveCapture, LiveState

Work = set[tuple[str, str, str]]  # (action, kind, name)


@dataclass
class Expected:
    work: Work = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def expected_work(desired: DesiredState, live: LiveState) -> Expected:
    found = Expected()
    if live.project is None:
        found.work.add(("create", "project", desired.project))
        found.work |= {("create", "metadata", m.name) for m in desired.metadata}
        found.work |= {("create", "configuration", c.name) for c in desired.configurations}
        found.work |= {("create", "capture", c.name) for c in desired.captures}
        return found
    _vocabulary(desired, live, found)
    _captures(desired, live, found)
    existing = {c.uuid for c in live.captures}
    if live.pending or any(uuid not in existing for uuid in live.ledger):
        found.work.add(("update", "project", desired.project))
    return found


def _vocabulary(desired: DesiredState, live: LiveState, found: Expected) -> None:
    fields = {f.name: f for f in live.metadata}
    for wanted in desired.metadata:
        have = fields.get(wanted.name)
        if have is None:
            found.work.add(("create", "metadata", wanted.name))
        elif set(wanted.values or ()) - set(have.values):
            found.work.add(("update", "metadata", wanted.name))
    configurations = {c.name for c in live.configurations}
    for configuration in desired.configurations:
        if configuration.name not in configurations:
            found.work.add(("create", "configuration", configuration.name))


def known(live: LiveState, capture: LiveCapture) -> LedgerEntry | None:
    entry = live.ledger.get(capture.uuid)
    if entry is not None:
        return entry
    pending = live.pending.get(capture.name)
    return pending if pending is not None and pending.size == capture.file_size else None


def local(capture: DesiredCapture) -> LedgerEntry:
    data = Path(capture.path).read_bytes()
    return LedgerEntry(hashlib.sha256(data).hexdigest(), len(data))


def _captures(desired: DesiredState, live: LiveState, found: Expected) -> None:
    declared = {c.name for c in desired.captures}
    by_name = {c.name: c for c in live.captures}
    for capture in live.captures:
        if known(live, capture) is None:
            found.problems.append(f'capture "{capture.name}" is on the server, not in the ledger')
    renamed: set[str] = set()
    for capture in sorted(desired.captures, key=lambda c: c.name):
        have = by_name.get(capture.name)
        content = local(capture)
        if have is None:
            source = next(
                (
                    c
                    for c in live.captures
                    if c.name not in declared
                    and c.uuid not in renamed
                    and (k := known(live, c)) is not None
                    and k.sha256 == content.sha256
                ),
                None,
            )
            if source is not None:
                renamed.add(source.uuid)
            action = "update" if source is not None else "create"
            found.work.add((action, "capture", capture.name))
            continue
        entry = known(live, have)
        if entry is not None and entry.sha256 != content.sha256:
            found.work.add(("replace", "capture", capture.name))
        elif _fields_differ(capture, have, live):
            found.work.add(("update", "capture", capture.name))
    if desired.policy.prune.value != "none":
        for capture in live.captures:
            if capture.name not in declared and capture.uuid not in renamed:
                found.work.add(("delete", "capture", capture.name))


def _fields_differ(capture: DesiredCapture, have: LiveCapture, live: LiveState) -> bool:
    names = {f.uuid: f.name for f in live.metadata}
    values = {v: value for f in live.metadata for value, v in f.values.items()}
    metadata = {
        names[r.label]: values[r.label_value]
        for r in live.relationships
        if r.capture == have.uuid and r.label in names and r.label_value in values
    }
    configuration = {c.uuid: c.name for c in live.configurations}.get(have.configuration_uuid or "")
    return (
        metadata != dict(capture.metadata)
        or have.set_sample_rate != capture.sample_rate
        or configuration != capture.configuration
    )
