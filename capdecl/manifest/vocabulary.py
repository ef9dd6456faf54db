"""The metadata vocabulary: declared names, their types and allowed values, and the
(cached) checks of every metadata key and value a capture uses.

Caching matters: a group over 100,000 files yields the same few values again and again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from capdecl.manifest import rules
from capdecl.manifest.documents import Declarations, Located
from capdecl.manifest.findings import Findings, brief, quote, suggest
from capdecl.manifest.model import MetadataFieldModel
from capdecl.state import MetadataField

_SHOWN_VALUES = 12


@dataclass
class Vocabulary:
    """Declared metadata names (trimmed) and cached checks against them."""

    decls: Declarations
    fields: dict[str, MetadataField] = field(default_factory=dict)
    _names: dict[str, str | None] = field(default_factory=dict)
    _values: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def name_problem(self, name: str) -> str | None:
        """Why a capture may not use this metadata name, or None."""
        if name not in self._names:
            self._names[name] = self._name_problem(name)
        return self._names[name]

    def _name_problem(self, name: str) -> str | None:
        if name.strip() in self.fields or self.decls.may_declare_metadata(name):
            return None
        hint = suggest(name, self.fields) or " (declare it under `metadata:`)"
        return f"unknown metadata name {quote(name)}{hint}"

    def value_problems(self, name: str, value: str) -> list[str]:
        """Why a capture may not use this value for this (known) name; [] when fine."""
        key = (name, value)
        found = self._values.get(key)
        if found is None:
            found = self._values[key] = self._value_problems(name, value)
        return found

    def _value_problems(self, name: str, value: str) -> list[str]:
        subject = f"value {brief(value)}"
        problems = [f"{subject} {p}" for p in rules.metadata_value_problems(value)]
        spec = self.fields.get(name.strip())
        if spec is None or problems:
            return problems
        typed = rules.typed_value_problem(value, spec.type)
        if typed:
            problems.append(f"{subject} {typed}")
        if spec.values is not None and value.strip() not in spec.values:
            problems.append(
                f"{subject} is not an allowed value of {spec.name}" + _allowed(value, spec.values)
            )
        return problems


def _allowed(value: str, allowed: tuple[str, ...]) -> str:
    hint = suggest(value.strip(), allowed)
    if hint:
        return hint
    shown = ", ".join(allowed[:_SHOWN_VALUES]) + (", ..." if len(allowed) > _SHOWN_VALUES else "")
    return f" (allowed: {shown})"


def build_vocabulary(decls: Declarations, findings: Findings) -> Vocabulary:
    """Check the declared vocabulary and index it by trimmed name."""
    vocabulary = Vocabulary(decls)
    by_fold: dict[str, str] = {}
    for raw_name, located in decls.metadata.items():
        name = raw_name.strip()
        where = located.ref(key=True)
        _check_name(raw_name, located, findings)
        first = vocabulary.fields.get(name)
        if first is not None:
            message = f"metadata name {quote(raw_name)} is {quote(name)} after trimming, "
            findings.error(where, located.field(), message + "which is declared already")
            continue
        other = by_fold.setdefault(name.casefold(), name)
        if other != name:
            findings.warning(
                where, located.field(), f"differs from metadata name {quote(other)} only in case"
            )
        values = _check_values(located, findings)
        kind = located.value.type if located.value is not None else "string"
        vocabulary.fields[name] = MetadataField(name, kind, values, where)
    return vocabulary


def _check_name(name: str, located: Located[MetadataFieldModel | None], findings: Findings) -> None:
    where = located.ref(key=True)
    for problem in rules.metadata_name_problems(name):
        findings.error(where, located.field(), f"metadata name {brief(name)} {problem}")
    note = rules.untrimmed_note(name)
    if note:
        findings.warning(where, located.field(), f"metadata name {brief(name)} {note}")


def _check_values(
    located: Located[MetadataFieldModel | None], findings: Findings
) -> tuple[str, ...] | None:
    spec = located.value
    if spec is None or spec.values is None:
        return None
    seen: dict[str, int] = {}
    folded: dict[str, str] = {}
    for index, raw in enumerate(spec.values):
        where, path = located.ref("values", index), located.field("values", index)
        value, subject = raw.strip(), f"value {brief(raw)}"
        for problem in rules.metadata_value_problems(raw):
            findings.error(where, path, f"{subject} {problem}")
        typed = None if not value else rules.typed_value_problem(value, spec.type)
        if typed:
            findings.error(where, path, f"{subject} {typed}")
        note = rules.untrimmed_note(raw)
        if note:
            findings.warning(where, path, f"{subject} {note}")
        if value in seen:
            findings.error(
                where, path, f"{subject} is listed twice (first as values[{seen[value]}])"
            )
            continue
        seen[value] = index
        other = folded.setdefault(value.casefold(), value)
        if other != value:
            findings.warning(where, path, f"{subject} differs from {quote(other)} only in case")
    return tuple(seen)
