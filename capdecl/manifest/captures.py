"""From ``captures`` entries to one :class:`~capdecl.state.DesiredCapture` per file.

Groups (``glob``/``pattern``) are expanded first; then each single-file entry either adds
a capture or overrides, field by field (metadata key by key), the values a group gave
that file. Problems that can repeat for every file of a large group are reported a few
times and then summarised.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from capdecl.manifest import rules
from capdecl.manifest.documents import Declarations, Located
from capdecl.manifest.findings import Findings, brief, quote, suggest
from capdecl.manifest.model import CaptureModel
from capdecl.manifest.paths import (
    PathProblem,
    Root,
    check_file,
    glob_regex,
    glob_segments,
    relative_path,
    walk_glob,
)
from capdecl.manifest.rates import SampleRates
from capdecl.manifest.templates import (
    BUILTIN_FIELDS,
    PathPattern,
    Template,
    TemplateError,
    compile_pattern,
    parse_template,
)
from capdecl.manifest.vocabulary import Vocabulary
from capdecl.state import DesiredCapture, DesiredConfiguration, SourceRef

Entry = Located[CaptureModel]
CAPTURE_SUFFIXES = (".csv", ".wav")
_OVERRIDABLE = ("name", "configuration", "sample_rate", "protect")


@dataclass(slots=True)
class _Spec:
    """A capture being assembled; ``entry`` is the declaration that set it last.
    ``metadata`` is in key order unless ``unsorted`` (a single-file entry added to it)."""

    rel: str
    name: str
    entry: Entry
    configuration: str | None = None
    sample_rate: int | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    protect: bool = False
    origins: dict[str, Entry] | None = None  # field -> entry that set it (single files)
    unsorted: bool = False

    def origin(self, name: str) -> Entry:
        return self.origins.get(name, self.entry) if self.origins else self.entry


@dataclass(frozen=True)
class _Group:
    """A group entry, compiled."""

    entry: Entry
    pattern: PathPattern | None
    name: Template | None
    metadata: dict[str, str]  # the entry's own metadata, trimmed
    # every metadata name a file gets, in order: (name, values already checked) for a
    # vocabulary field of the pattern, (name, None) for the entry's own metadata
    keys: tuple[tuple[str, set[str] | None], ...]
    name_from_values: bool  # every field of ``name`` is a pattern field (they win)


class CaptureResolver:
    """Resolves every ``captures`` entry, reporting into ``findings``."""

    def __init__(
        self,
        root: Root,
        decls: Declarations,
        vocabulary: Vocabulary,
        configurations: dict[str, DesiredConfiguration],
        configuration_names: set[str],
        findings: Findings,
    ) -> None:
        self.root = root
        self.decls = decls
        self.vocabulary = vocabulary
        self.configurations = configurations
        self.configuration_names = configuration_names
        self.findings = findings
        self.specs: dict[str, _Spec] = {}
        self.explicit: dict[str, Entry] = {}
        self.reported: set[tuple[Any, ...]] = set()
        self.sources: dict[int, SourceRef] = {}
        self.rates = SampleRates(configurations, findings)

    def resolve(self) -> list[DesiredCapture]:
        groups = [e for e in self.decls.captures if e.value.file is None]
        singles = [e for e in self.decls.captures if e.value.file is not None]
        for entry in groups:
            self._check_entry(entry)
            self._expand(entry)
        for entry in singles:
            self._check_entry(entry)
            self._single(entry)
        return self._finish()

    # ------------------------------------------------------------------ entries

    def _check_entry(self, entry: Entry) -> None:
        """References and metadata of one entry (shared by all its files)."""
        spec = entry.value
        if spec.configuration is not None:
            name = spec.configuration.strip()
            known = name in self.configuration_names
            if not known and not self.decls.may_declare_configuration(name):
                hint = suggest(name, self.configuration_names) or _declared(
                    self.configuration_names, "configurations"
                )
                message = f"unknown configuration {quote(spec.configuration)}{hint}"
                self.findings.error(
                    entry.ref("configuration"), entry.field("configuration"), message
                )
        for key, value in spec.metadata.items():
            self._check_metadata(entry, key, value)

    def _check_metadata(self, entry: Entry, key: str, value: str) -> None:
        problem = self.vocabulary.name_problem(key)
        if problem:
            where = entry.ref("metadata", key, key=True)
            self.findings.error(where, entry.field("metadata", key), problem)
            return
        for message in self.vocabulary.value_problems(key, value):
            self.findings.error(entry.ref("metadata", key), entry.field("metadata", key), message)
        note = rules.untrimmed_note(value)
        if note:
            message = f"value {quote(value)} {note}"
            self.findings.warning(entry.ref("metadata", key), entry.field("metadata", key), message)

    # ------------------------------------------------------------------ groups

    def _expand(self, entry: Entry) -> None:
        group = self._compile(entry)
        if group is None:
            return
        spec = entry.value
        where = "glob" if spec.glob is not None else "pattern"
        glob = (
            spec.glob if spec.glob is not None else group.pattern.as_glob() if group.pattern else ""
        )
        try:
            result = walk_glob(self.root, glob_segments(glob))
        except PathProblem as problem:
            self.findings.error(entry.ref(where), entry.field(where), f"{quote(glob)} {problem}")
            return
        for rel, reason in result.refused:
            self.findings.error(
                entry.ref(where),
                entry.field(where),
                f"{quote(rel)} {reason}",
                similar=(id(entry), "refused"),
            )
        excludes = [glob_regex(x) for x in spec.exclude]
        files = result.files
        if excludes:
            files = [f for f in files if not any(x.fullmatch(f) for x in excludes)]
        if not files:
            detail = "every file it matches is excluded" if result.files else "it matches no files"
            self.findings.error(entry.ref(where), entry.field(where), f"{quote(glob)}: {detail}")
        for rel in files:
            self._group_file(group, rel, where)

    def _compile(self, entry: Entry) -> _Group | None:
        spec = entry.value
        try:
            pattern = compile_pattern(spec.pattern) if spec.pattern is not None else None
        except TemplateError as error:
            self.findings.error(
                entry.ref("pattern"), entry.field("pattern"), f"bad pattern: {error}"
            )
            return None
        try:
            name = parse_template(spec.name) if spec.name is not None else None
        except TemplateError as error:
            self.findings.error(
                entry.ref("name"), entry.field("name"), f"bad name template: {error}"
            )
            return None
        fields = pattern.template.fields if pattern else ()
        vocabulary_fields = tuple(f for f in fields if f in self.vocabulary.fields)
        if not self._check_fields(entry, fields, vocabulary_fields, name):
            return None
        metadata = {k.strip(): v.strip() for k, v in spec.metadata.items()}
        keys: dict[str, set[str] | None] = dict.fromkeys(metadata)
        keys.update({f: set() for f in vocabulary_fields})
        from_values = name is not None and all(f in fields for f in name.fields)
        ordered = tuple(sorted(keys.items(), key=lambda item: item[0]))
        return _Group(entry, pattern, name, metadata, ordered, from_values)

    def _check_fields(
        self,
        entry: Entry,
        fields: tuple[str, ...],
        vocabulary_fields: tuple[str, ...],
        name: Template | None,
    ) -> bool:
        spec, ok = entry.value, True
        for field_name in vocabulary_fields:
            if field_name in spec.metadata:
                message = (
                    f"metadata {quote(field_name)} is set both by the pattern field "
                    "and by `metadata`"
                )
                self.findings.error(
                    entry.ref("metadata", field_name, key=True),
                    entry.field("metadata", field_name),
                    message,
                )
                ok = False
        usable = tuple(
            dict.fromkeys((*fields, *(k.strip() for k in spec.metadata), *BUILTIN_FIELDS))
        )
        for field_name in name.fields if name else ():
            if field_name not in usable:
                hint = suggest(field_name, usable) or f" (usable: {', '.join(usable)})"
                message = f"unknown field {{{field_name}}} in the name template{hint}"
                self.findings.error(entry.ref("name"), entry.field("name"), message)
                ok = False
        used = name.fields if name else ()
        for field_name in fields:
            if field_name in vocabulary_fields or field_name in used:
                continue
            if self.decls.may_declare_metadata(field_name):
                continue
            hint = suggest(field_name, self.vocabulary.fields)
            message = f"field {{{field_name}}} is neither a metadata name nor used in `name`{hint}"
            self.findings.warning(entry.ref("pattern"), entry.field("pattern"), message)
        return ok

    def _group_file(self, group: _Group, rel: str, where: str) -> None:
        entry, spec = group.entry, group.entry.value
        values: dict[str, str] = {}
        if group.pattern is not None:
            matched = group.pattern.match(rel)
            if matched is None:
                self.findings.error(
                    entry.ref("pattern"),
                    entry.field("pattern"),
                    f"{quote(rel)} does not match the pattern",
                    similar=(id(entry), "pattern"),
                )
                return
            values = matched
        if not (rel.endswith(CAPTURE_SUFFIXES) or self._suffix_ok(entry, rel, where)):
            return
        metadata: dict[str, str] = {}  # (in key order)
        for key, checked in group.keys:
            if checked is None:
                metadata[key] = group.metadata[key]
                continue
            value = values[key]
            if value not in checked:  # checked once per value
                checked.add(value)
                self._check_field_value(entry, key, value, rel)
            metadata[key] = value.strip()
        name = rel.rpartition("/")[2]  # posixpath.basename
        if group.name is not None and group.name_from_values:
            name = group.name.render(values)  # pattern values win over everything else
        elif group.name is not None:
            builtins = {"basename": name}
            if "stem" in group.name.fields:
                builtins["stem"] = posixpath.splitext(name)[0]
            name = group.name.render({**builtins, **metadata, **values})
        first = self.specs.get(rel)
        if first is not None:
            message = f"{quote(rel)} is matched by two groups (first at {first.entry.place()})"
            self.findings.error(
                entry.ref(where), entry.field(where), message, similar=(id(entry), "twice")
            )
            return
        self.specs[rel] = _Spec(
            rel, name, entry, spec.configuration, spec.sample_rate, metadata, spec.protect
        )

    def _check_field_value(self, entry: Entry, field_name: str, value: str, rel: str) -> None:
        key = (id(entry), field_name, value)
        if key in self.reported:
            return
        self.reported.add(key)
        for message in self.vocabulary.value_problems(field_name, value):
            self.findings.error(
                entry.ref("pattern"),
                entry.field("pattern"),
                f"field {{{field_name}}} of {quote(rel)}: {message}",
            )

    def _suffix_ok(self, entry: Entry, rel: str, where: str) -> bool:
        if rel.endswith(CAPTURE_SUFFIXES):
            return True
        message = (
            f"{quote(rel)}: capture files must end in .csv or .wav (lower-case); "
            "the server takes the type from the file name"
        )
        self.findings.error(
            entry.ref(where), entry.field(where), message, similar=(id(entry), "suffix")
        )
        return False

    # ------------------------------------------------------------------ single files

    def _single(self, entry: Entry) -> None:
        spec = entry.value
        assert spec.file is not None
        try:
            rel = relative_path(spec.file)
            check_file(self.root, rel)
        except PathProblem as problem:
            self.findings.error(
                entry.ref("file"), entry.field("file"), f"{quote(spec.file)} {problem}"
            )
            return
        if not self._suffix_ok(entry, rel, "file"):
            return
        first = self.explicit.setdefault(rel, entry)
        if first is not entry:
            message = f"{quote(rel)} is listed twice (first at {first.place()})"
            self.findings.error(entry.ref("file"), entry.field("file"), message)
            return
        base = self.specs.get(rel)
        if base is None:
            base = self.specs[rel] = _Spec(rel, posixpath.basename(rel), entry)
        origins = base.origins = base.origins or {}
        for name in _OVERRIDABLE:
            origins.setdefault(name, base.entry)  # what the group set stays its own
        for name in _OVERRIDABLE:
            if name in spec.model_fields_set:
                setattr(base, name, getattr(spec, name))
                origins[name] = entry
        base.metadata.update({k.strip(): v.strip() for k, v in spec.metadata.items()})
        base.unsorted = True
        base.entry = entry

    # ------------------------------------------------------------------ results

    def _finish(self) -> list[DesiredCapture]:
        captures: dict[str, DesiredCapture] = {}
        owners: dict[str, _Spec] = {}
        absolute, check_rate, plain = self.root.absolute, self.rates.check, rules.plain_name
        for spec in self.specs.values():
            name = spec.name.strip()
            if not (name == spec.name and plain(name, rules.MAX_CAPTURE_NAME)):
                self._check_name(spec)  # (a plain, trimmed name has nothing to report)
            first = owners.setdefault(name, spec)
            if first is not spec:
                message = (
                    f"capture name {quote(name)} is used by both {quote(first.rel)} "
                    f"({first.entry.place()}) and {quote(spec.rel)}"
                )
                self._at_name(spec, message, "collision")
                continue
            if spec.sample_rate is not None:
                check_rate(spec.origin("sample_rate"), spec.configuration, spec.sample_rate)
            configuration = spec.configuration.strip() if spec.configuration else None
            metadata = dict(sorted(spec.metadata.items())) if spec.unsorted else spec.metadata
            source = self._source(spec.entry)
            path, rate = absolute(spec.rel), spec.sample_rate
            captures[name] = DesiredCapture(  # positional: quicker than keywords, 10,000 times
                name, path, spec.rel, configuration, rate, metadata, spec.protect, source
            )
        return [captures[n] for n in sorted(captures)]

    def _source(self, entry: Entry) -> SourceRef:
        """Where ``entry`` is declared (computed once per entry, not once per file)."""
        found = self.sources.get(id(entry))
        if found is None:
            found = self.sources[id(entry)] = entry.ref()
        return found

    def _check_name(self, spec: _Spec) -> None:
        for problem in rules.free_name_problems(spec.name, rules.MAX_CAPTURE_NAME):
            self._at_name(spec, f"capture name {brief(spec.name)} {problem}", "name")
        note = rules.untrimmed_note(spec.name)
        if note:
            self._at_name(spec, f"capture name {brief(spec.name)} {note}", "trim", warning=True)

    def _at_name(self, spec: _Spec, message: str, kind: str, *, warning: bool = False) -> None:
        entry = spec.origin("name")
        fields = entry.value.model_fields_set
        key = next(k for k in ("name", "file", "glob", "pattern") if k in fields)
        report = self.findings.warning if warning else self.findings.error
        report(entry.ref(key), entry.field(key), message, similar=(id(entry), kind))


def _declared(names: set[str], section: str) -> str:
    if not names:
        return f" (no {section} are declared)"
    shown = sorted(names)
    return f" (declared: {', '.join(shown[:8])}{', ...' if len(shown) > 8 else ''})"
