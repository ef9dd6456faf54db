"""Capture configurations: names, pinned uuids, and the configuration JSON (inline or
from a file), checked against what the server does with it (sensiml-api.md §3.3).

The server rewrites a configuration whose ``version`` is missing or 1 (it adds
``version: 2`` and sets ``num_bytes: 1`` on every sensor parameter) and answers 500 when
that rewrite meets an unexpected shape. Both are caught here.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from capdecl.manifest import rules
from capdecl.manifest.documents import Declarations, Located
from capdecl.manifest.findings import Findings, brief, format_path, quote
from capdecl.manifest.model import ConfigurationModel
from capdecl.manifest.paths import PathProblem, Root, check_file, read_small, relative_path
from capdecl.manifest.yamlload import MAX_DEPTH, position_of
from capdecl.state import DesiredConfiguration, SourceRef

JsonPath = tuple[str | int, ...]
Report = Callable[[JsonPath, str, str], None]  # (path in the JSON, message, severity)

VERSION_WARNING = (
    "the server rewrites version-1 configurations (adds version 2 and num_bytes: 1); "
    "capdecl compares after the same rewrite, but declare version >= 2 to store exactly "
    "what you declare"
)


def build_configurations(
    root: Root, decls: Declarations, findings: Findings
) -> tuple[list[DesiredConfiguration], set[str]]:
    """The valid configurations, and every declared (trimmed) name."""
    result: list[DesiredConfiguration] = []
    names: dict[str, Located[ConfigurationModel]] = {}
    uuids: dict[str, Located[ConfigurationModel]] = {}
    for raw_name, located in decls.configurations.items():
        name = raw_name.strip()
        if not _check_name(raw_name, located, names, findings):
            continue
        names[name] = located
        spec = located.value
        if spec.uuid is not None:
            first = uuids.setdefault(spec.uuid, located)
            if first is not located:
                message = f"uuid {spec.uuid} is pinned twice (first at {first.place()})"
                findings.error(located.ref("uuid"), located.field("uuid"), message)
        body = (
            _inline(located, findings) if spec.file is None else _from_file(root, located, findings)
        )
        if body is not None:
            source = located.ref(key=True)
            result.append(DesiredConfiguration(name, body, spec.uuid, spec.protect, source))
    return result, set(names)


def source_rate(configuration: DesiredConfiguration | None) -> Any:
    """The ``sample_rate`` of the configuration's capture_sources[0] (None when unset)."""
    if configuration is None:
        return None
    sources = configuration.configuration.get("capture_sources")
    first = sources[0] if isinstance(sources, list) and sources else None
    return first.get("sample_rate") if isinstance(first, dict) else None


def _check_name(
    raw: str,
    located: Located[ConfigurationModel],
    names: dict[str, Located[ConfigurationModel]],
    findings: Findings,
) -> bool:
    where, path, subject = (
        located.ref(key=True),
        located.field(),
        f"configuration name {brief(raw)}",
    )
    for problem in rules.free_name_problems(raw, rules.MAX_CONFIGURATION_NAME):
        findings.error(where, path, f"{subject} {problem}")
    note = rules.untrimmed_note(raw)
    if note:
        findings.warning(where, path, f"{subject} {note}")
    first = names.get(raw.strip())
    if first is not None:
        message = f"{subject} equals {quote(str(first.path[-1]))} after trimming ({first.place()})"
        findings.error(where, path, message)
        return False
    return True


def _inline(located: Located[ConfigurationModel], findings: Findings) -> dict[str, Any] | None:
    body = located.value.configuration
    assert body is not None

    def report(path: JsonPath, message: str, severity: str) -> None:
        where = located.ref("configuration", *path)
        field = located.field("configuration", *path)
        add = findings.error if severity == "error" else findings.warning
        add(where, field, message)

    bad = _non_finite(body, ())
    if bad is not None:
        report(bad, "NaN and infinite numbers are not valid JSON; the server rejects them", "error")
        return None
    return body if check_body(body, report) else None


def _from_file(
    root: Root, located: Located[ConfigurationModel], findings: Findings
) -> dict[str, Any] | None:
    declared = located.value.file
    assert declared is not None
    try:
        rel = relative_path(declared)
        check_file(root, rel)
        raw = read_small(root, rel)
    except PathProblem as problem:
        findings.error(located.ref("file"), located.field("file"), f"{quote(declared)} {problem}")
        return None
    return _parse_json(raw, rel, findings)


def _parse_json(raw: bytes, rel: str, findings: Findings) -> dict[str, Any] | None:
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line, column = position_of(raw, error.start)
        findings.error(SourceRef(rel, line, column), "", "not valid UTF-8")
        return None
    duplicates: list[str] = []
    try:
        body = json.loads(
            text,
            object_pairs_hook=lambda pairs: _object(pairs, duplicates),
            parse_constant=_refuse_constant,
        )
    except json.JSONDecodeError as error:
        findings.error(SourceRef(rel, error.lineno, error.colno), "", f"invalid JSON: {error.msg}")
        return None
    except _Constant as error:
        line, column = _locate(text, str(error))
        message = f"{error} is not valid JSON; the server rejects NaN and infinite numbers"
        findings.error(SourceRef(rel, line, column), "", message)
        return None
    except (ValueError, RecursionError) as error:
        findings.error(SourceRef(rel, 1, 1), "", f"unusable JSON: {error}")
        return None
    if _too_deep(body):
        findings.error(SourceRef(rel, 1, 1), "", f"nested more than {MAX_DEPTH} levels deep")
        return None

    def report(path: JsonPath, message: str, severity: str) -> None:
        line, column = _locate_path(text, path)
        add = findings.error if severity == "error" else findings.warning
        add(SourceRef(rel, line, column), format_path(path), message)

    for key in dict.fromkeys(duplicates):
        report(
            (key,),
            f"duplicate key {quote(key)}: the last value is used (as on the server)",
            "warning",
        )
    if not isinstance(body, dict):
        report((), "a capture configuration must be a JSON object", "error")
        return None
    return body if check_body(body, report) else None


def _object(pairs: list[tuple[str, Any]], duplicates: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            duplicates.append(key)
        result[key] = value
    return result


class _Constant(Exception):
    """NaN, Infinity or -Infinity in a JSON file."""


def _refuse_constant(name: str) -> Any:
    raise _Constant(name)


def _too_deep(value: Any) -> bool:
    """True when containers nest deeper than the YAML limit (checked without recursion)."""
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        if children and depth >= MAX_DEPTH:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def check_body(body: dict[str, Any], report: Report) -> bool:
    """Version warning and the v1-rewrite crash check; False when the server would fail."""
    if body.get("version", 1) != 1:
        return True
    report(("version",) if "version" in body else (), VERSION_WARNING, "warning")
    crash = _rewrite_crash(body)
    if crash is None:
        return True
    path, message = crash
    report(path, f"{message}: the server's version-1 rewrite would fail (HTTP 500)", "error")
    return False


def _rewrite_crash(body: dict[str, Any]) -> tuple[JsonPath, str] | None:
    """Where the server's v1 -> v2 rewrite would raise, mirroring its loops exactly."""
    return _walk_rewrite(body, ("capture_sources", "sensors", "parameters"), ())


def _walk_rewrite(
    obj: dict[str, Any], keys: tuple[str, ...], path: JsonPath
) -> tuple[JsonPath, str] | None:
    key = keys[0]
    if key not in obj:
        return path, f"missing {key}"
    items = obj[key]
    if not isinstance(items, list) and not (isinstance(items, (dict, str)) and not items):
        return (*path, key), f"{key} must be a list"
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            return (*path, key, index), "must be an object"
        if len(keys) > 1:
            crash = _walk_rewrite(item, keys[1:], (*path, key, index))
            if crash:
                return crash
    return None


def _non_finite(value: Any, path: JsonPath) -> JsonPath | None:
    if isinstance(value, float) and not math.isfinite(value):
        return path
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        found = _non_finite(item, (*path, key))
        if found is not None:
            return found
    return None


def _locate(text: str, token: str) -> tuple[int, int]:
    found = text.find(token)
    return position_of(text, found) if found >= 0 else (1, 1)


def _locate_path(text: str, path: JsonPath) -> tuple[int, int]:
    """Approximate position of a JSON path: its last key, else the first value."""
    for part in reversed(path):
        if isinstance(part, str):
            match = re.search(re.escape(json.dumps(part)) + r"\s*:", text)
            if match:
                return position_of(text, match.start())
    start = len(text) - len(text.lstrip())
    return position_of(text, start)
