"""Per-file validation against :class:`~capdecl.manifest.model.ManifestFile`, with
pydantic's errors turned into located, readable problems.

When a file has errors, the offending entries (one capture, one configuration, one
metadata name, or a whole top-level key) are dropped and the rest is validated again, so
the cross-file checks still run on everything that is valid.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from capdecl.manifest.findings import Findings, format_path, quote, suggest
from capdecl.manifest.model import ManifestFile
from capdecl.manifest.yamlload import Node

ENTITY_SECTIONS = ("metadata", "configurations", "captures")
# Fields of an entry that can be dropped alone when invalid: the rest of the entry is
# still checked, and their absence cannot cause a false report elsewhere. (So are
# single capture metadata values.) Other failures drop the whole entry.
SAFE_FIELDS = {
    "captures": ("sample_rate", "protect", "configuration"),
    "configurations": ("uuid", "protect"),
}
_TYPE_WORDS = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
}


@dataclass
class CheckedFile:
    """A manifest file after per-file validation: the valid part as a model, and what
    was dropped. ``capture_index`` maps positions in ``model.captures`` to positions in
    the file; ``dropped`` holds ``(section, key)`` pairs of invalid entries (key "" for
    a whole top-level key)."""

    model: ManifestFile
    capture_index: list[int]
    dropped: set[tuple[str, str | int]] = field(default_factory=set)


def check_document(data: Any, root: Node, file: str, findings: Findings) -> CheckedFile:
    """Validate one parsed manifest file, reporting every problem."""
    if data is None:
        findings.warning(root.ref(file), "", "the file declares nothing")
        return CheckedFile(ManifestFile(), [])
    if not isinstance(data, dict):
        findings.error(root.ref(file), "", "a manifest file must be a mapping of keys")
        return CheckedFile(ManifestFile(), [])
    data = _stringify_metadata(data, root)
    try:
        model = ManifestFile.model_validate(data)
    except ValidationError as error:
        details = error.errors(include_url=False)
        for detail in details:
            _report(detail, root, file, findings)
        return _salvage(data, details)
    return CheckedFile(model, list(range(len(model.captures or ()))))


def _stringify_metadata(data: dict[str, Any], root: Node) -> dict[str, Any]:
    """Metadata values written as YAML numbers become the text as written."""
    data = dict(data)
    captures = data.get("captures")
    if isinstance(captures, list):
        data["captures"] = [
            {**item, "metadata": _texts(item["metadata"], root, ("captures", i, "metadata"))}
            if isinstance(item, dict) and isinstance(item.get("metadata"), dict)
            else item
            for i, item in enumerate(captures)
        ]
    vocabulary = data.get("metadata")
    if isinstance(vocabulary, dict):
        fixed = {}
        for name, spec in vocabulary.items():
            if isinstance(spec, dict) and isinstance(spec.get("values"), list):
                values = _texts(spec["values"], root, ("metadata", name, "values"))
                spec = {**spec, "values": values}
            fixed[name] = spec
        data["metadata"] = fixed
    return data


def _texts(values: Any, root: Node, path: tuple[str | int, ...]) -> Any:
    def text(key: str | int, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            node, found = root.find((*path, key))
            return node.raw if found and node.raw is not None else str(value)
        return value

    if isinstance(values, dict):
        return {k: text(k, v) for k, v in values.items()}
    return [text(i, v) for i, v in enumerate(values)]


def _report(detail: ErrorDetails, root: Node, file: str, findings: Findings) -> None:
    loc = tuple(detail["loc"])
    kind = detail["type"]
    node, found = root.find(loc)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        message = f"unknown key {quote(key)}" + _expected_keys(key, loc[:-1])
        findings.error(node.ref(file, key=True), format_path(loc), message)
        return
    findings.error(node.ref(file), format_path(loc), _message(detail, node if found else None))


def _message(detail: ErrorDetails, node: Node | None) -> str:
    kind, value = detail["type"], detail["input"]
    if kind in _TYPE_WORDS:
        message = f"expected {_TYPE_WORDS[kind]}, got {_describe(value, node)}"
        if isinstance(value, bool) and kind == "string_type":
            message += f" (YAML reads {value_text(value, node)} as a boolean: quote it)"
        return message
    if kind == "literal_error":
        expected = detail.get("ctx", {}).get("expected", "")
        options = [part.strip(" '") for part in expected.replace(" or ", ", ").split(",")]
        hint = suggest(value, options) if isinstance(value, str) else ""
        return f"{_describe(value, node)} is not one of {expected}{hint}"
    if kind == "string_pattern_mismatch" and detail["loc"][-1] == "uuid":
        return f"{_describe(value, node)} is not a lower-case uuid (8-4-4-4-12 hex digits)"
    if kind == "value_error":
        return detail["msg"].removeprefix("Value error, ")
    message = detail["msg"].replace("Input should be", "must be", 1)
    return f"{message}, got {_describe(value, node)}"


def value_text(value: Any, node: Node | None) -> str:
    """A scalar as the user wrote it, when known."""
    if node is not None and node.raw is not None:
        return node.raw
    return str(value)


def _describe(value: Any, node: Node | None) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"boolean {value_text(value, node)}"
    if isinstance(value, (int, float)):
        return f"number {value_text(value, node)}"
    if isinstance(value, str):
        return quote(value)
    return "a mapping" if isinstance(value, dict) else "a list"


def _expected_keys(key: str, parent: tuple[Any, ...]) -> str:
    names = keys_at(parent)
    hint = suggest(key, names)
    if hint:
        return hint
    return f"; expected one of: {', '.join(names)}" if names else ""


def keys_at(loc: Iterable[Any]) -> list[str]:
    """The field names of the model found at ``loc`` inside a ManifestFile."""
    annotation: Any = ManifestFile
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    model = _model_of(annotation)
    return list(model.model_fields) if model else []


def _step(annotation: Any, part: Any) -> Any:
    model = _model_of(annotation)
    if model is not None:
        found = model.model_fields.get(str(part))
        return found.annotation if found else None
    for arg in _members(annotation):
        origin = typing.get_origin(arg)
        if origin is list and isinstance(part, int):
            return typing.get_args(arg)[0]
        if origin is dict and isinstance(part, str):
            return typing.get_args(arg)[1]
    return None


def _members(annotation: Any) -> tuple[Any, ...]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return (annotation,)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for arg in _members(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _salvage(data: dict[str, Any], details: list[ErrorDetails]) -> CheckedFile:
    """Drop what failed and validate the rest: first only the failing fields where that
    is safe, then (if that is not enough) the failing entries."""
    for fine in (True, False):
        kept, checked = _prune(data, details, fine=fine)
        try:
            model = ManifestFile.model_validate(kept)
        except ValidationError:
            continue
        return CheckedFile(model, checked.capture_index, checked.dropped)
    return CheckedFile(ManifestFile(), [], {(s, "") for s in ENTITY_SECTIONS})


def _prune(
    data: dict[str, Any], details: list[ErrorDetails], *, fine: bool
) -> tuple[dict[str, Any], CheckedFile]:
    """A copy of ``data`` without the failing parts, and a record of what was removed."""
    checked = CheckedFile(ManifestFile(), [])
    fields: set[tuple[Any, ...]] = set()
    for detail in details:
        loc = tuple(detail["loc"])
        if fine and _field_droppable(loc, detail["type"]):
            fields.add(loc[:4] if loc[2] == "metadata" else loc[:3])
        elif len(loc) >= 2 and loc[0] in ENTITY_SECTIONS:
            checked.dropped.add((str(loc[0]), loc[1]))
        else:
            checked.dropped.add((str(loc[0]), ""))
    kept = {k: v for k, v in data.items() if (k, "") not in checked.dropped}
    for section in ENTITY_SECTIONS:
        value = kept.get(section)
        keys = (
            range(len(value))
            if isinstance(value, list)
            else value
            if isinstance(value, dict)
            else ()
        )
        good = [k for k in keys if (section, k) not in checked.dropped]
        entries = [(k, _without(value[k], (section, k), fields)) for k in good]  # type: ignore[index]
        if isinstance(value, list):
            checked.capture_index = list(good)
            kept[section] = [v for _, v in entries]
        elif isinstance(value, dict):
            kept[section] = dict(entries)
    return kept, checked


def _field_droppable(loc: tuple[Any, ...], kind: str) -> bool:
    """Fields whose removal cannot cause false reports elsewhere (see CheckedFile)."""
    if len(loc) < 3 or loc[0] not in SAFE_FIELDS or kind == "extra_forbidden":
        return False
    if loc[0] == "captures" and loc[2] == "metadata":
        return len(loc) == 4
    return loc[2] in SAFE_FIELDS[loc[0]]


def _without(entry: Any, prefix: tuple[Any, ...], fields: set[tuple[Any, ...]]) -> Any:
    if not isinstance(entry, dict) or not any(f[:2] == prefix for f in fields):
        return entry
    result = {k: v for k, v in entry.items() if (*prefix, k) not in fields}
    metadata = result.get("metadata")
    if isinstance(metadata, dict):
        result["metadata"] = {
            k: v for k, v in metadata.items() if (*prefix, "metadata", k) not in fields
        }
    return result
