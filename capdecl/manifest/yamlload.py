"""A safe, strict YAML reader that remembers where every value came from.

PyYAML's ``safe_load`` silently keeps the last of two duplicate keys, forgets line numbers
and expands aliases without limit. This module builds plain Python values straight from
the parser's event stream (libyaml when available) and, beside them, a tree of
:class:`Node` marks used to point every later message at ``file:line:column``.

Rules, chosen for manifests kept in git:

- UTF-8 only (a byte-order mark is accepted), one YAML document per file, nesting at
  most :data:`MAX_DEPTH` levels deep (the size limit is checked before reading).
- Duplicate keys are errors at any level. Mapping keys are always text: ``2024:`` or
  ``yes:`` give the keys ``"2024"`` and ``"yes"``.
- Anchors, aliases and ``<<`` merge keys work, but the values aliases expand to may
  total at most :data:`MAX_ALIAS_NODES` nodes (this refuses "billion laughs" documents).
- Timestamps stay text; tags other than the standard scalar, list and mapping tags are
  refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from capdecl.manifest.findings import Findings, format_path, quote
from capdecl.state import SourceRef

MAX_DEPTH = 64
MAX_ALIAS_NODES = 100_000

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_TAG + "str", _TAG + "timestamp"}
_CONSTRUCTORS = {
    _TAG + "int": SafeConstructor.construct_yaml_int,
    _TAG + "float": SafeConstructor.construct_yaml_float,
    _TAG + "bool": SafeConstructor.construct_yaml_bool,
    _TAG + "null": SafeConstructor.construct_yaml_null,
}
_IMPLICIT: dict[str | None, list[tuple[str, re.Pattern[str]]]] = Resolver.yaml_implicit_resolvers


def _resolve_plain(value: str) -> str:
    """The tag of a plain scalar, as PyYAML's Resolver decides it (without path
    resolvers, which safe loading never uses), found by first character."""
    for tag, regexp in _IMPLICIT.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return _TAG + "str"


# Characters YAML itself forbids; found up front so the message can name them exactly.
_FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class Node:
    """Where one value stands: its own position, its key's position (for mapping values),
    its children (by key or index) and, for non-text scalars, the text as written."""

    __slots__ = ("children", "column", "key_column", "key_line", "line", "raw")

    def __init__(self, line: int, column: int) -> None:
        self.line = line
        self.column = column
        self.key_line = line
        self.key_column = column
        self.children: dict[str, Node] | list[Node] | None = None
        self.raw: str | None = None

    def find(self, path: tuple[str | int, ...]) -> tuple[Node, bool]:
        """The node at ``path`` (True), or the deepest existing ancestor (False)."""
        node = self
        for part in path:
            children = node.children
            if isinstance(children, dict) and isinstance(part, str) and part in children:
                node = children[part]
                continue
            if isinstance(children, list) and isinstance(part, int) and part < len(children):
                node = children[part]
                continue
            return node, False
        return node, True

    def ref(self, file: str, *, key: bool = False) -> SourceRef:
        if key:
            return SourceRef(file, self.key_line, self.key_column)
        return SourceRef(file, self.line, self.column)


@dataclass(frozen=True)
class YamlDocument:
    """A parsed manifest file: its data (None when empty) and the mark tree beside it."""

    data: Any
    root: Node


class _Failure(Exception):
    """Stops reading a file: the rest of it cannot be trusted."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.message = message


def load_yaml(raw: bytes, file: str, findings: Findings) -> YamlDocument | None:
    """Parse one manifest file; report what is wrong and return None if it is unusable."""
    try:
        text = _decode(raw)
        builder = _Builder(file, findings)
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except _Failure as failure:
        findings.error(SourceRef(file, failure.line, failure.column), "", failure.message)
        return None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        findings.error(SourceRef(file, line, column), "", _syntax_message(error))
        return None
    except yaml.YAMLError as error:  # reader errors: excluded up front, kept as a backstop
        findings.error(SourceRef(file, 1, 1), "", f"invalid YAML: {error}")
        return None
    return YamlDocument(builder.result, builder.root)


def _decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = position_of(raw, error.start)
        raise _Failure(line, column, f"not valid UTF-8 (byte 0x{raw[error.start]:02x})") from None
    text = text.removeprefix("\ufeff")
    bad = _FORBIDDEN.search(text)
    if bad:
        line, column = position_of(text, bad.start())
        code = f"U+{ord(bad.group()):04X}"
        raise _Failure(line, column, f"control character {code} is not allowed in YAML")
    return text


def position_of(text: str | bytes, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    newline: Any = b"\n" if isinstance(text, bytes) else "\n"
    line = text.count(newline, 0, offset) + 1
    column = offset - (text.rfind(newline, 0, offset) + 1) + 1
    return line, column


def _syntax_message(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or "syntax error"
    if error.context:
        return f"invalid YAML: {problem} ({error.context})"
    return f"invalid YAML: {problem}"


_MERGE = object()  # the ``<<`` key
_SKIP = object()  # a key that could not be used: its value is dropped


class _Frame:
    __slots__ = ("anchor", "key", "key_node", "merges", "node", "path", "size", "value")

    def __init__(
        self,
        value: dict[str, Any] | list[Any],
        node: Node,
        anchor: str | None,
        path: tuple[str | int, ...],
    ) -> None:
        self.value = value
        self.node = node
        self.anchor = anchor
        self.path = path
        self.size = 1
        self.key: object = None  # pending mapping key, None when a key is expected
        self.key_node = node
        self.merges: list[tuple[Any, Node]] = []


class _Builder:
    """Turns parser events into values and marks (see the module docstring for rules)."""

    def __init__(self, file: str, findings: Findings) -> None:
        self.file = file
        self.findings = findings
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, Node, int] | None] = {}
        self.expanded = 0
        self.documents = 0
        self.result: Any = None
        self.root = Node(1, 1)
        self.constructor = SafeConstructor()

    def feed(self, event: yaml.Event) -> None:
        mark = event.start_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if isinstance(event, yaml.ScalarEvent):
            node = Node(line, column)
            value = self._scalar(event, node)
            self._register(event.anchor, value, node, 1)
            self._add(value, node, 1, event)
        elif isinstance(event, yaml.AliasEvent):
            self._alias(event, line, column)
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            self._open(event, line, column)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            self._close()
        elif isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise _Failure(line, column, "a manifest file holds one YAML document only")

    def _scalar(self, event: yaml.ScalarEvent, node: Node) -> Any:
        tag = event.tag
        if tag is None and event.implicit[0]:
            tag = _resolve_plain(event.value)
        elif tag is None or tag == "!":
            tag = _TAG + "str"
        if tag in _PLAIN_TAGS:
            return event.value
        if tag == _TAG + "merge":
            return _MERGE
        construct = _CONSTRUCTORS.get(tag)
        if construct is None:
            raise _Failure(node.line, node.column, f"unsupported YAML tag {quote(tag)}")
        node.raw = event.value
        try:
            return construct(self.constructor, yaml.ScalarNode(tag, event.value))
        except ValueError as error:  # e.g. an integer of more than 4300 digits
            raise _Failure(node.line, node.column, f"unusable number: {error}") from None

    def _open(self, event: yaml.CollectionStartEvent, line: int, column: int) -> None:
        node = Node(line, column)
        is_map = isinstance(event, yaml.MappingStartEvent)
        standard = _TAG + ("map" if is_map else "seq")
        if event.tag not in (None, "!", standard):
            raise _Failure(line, column, f"unsupported YAML tag {quote(event.tag)}")
        if len(self.stack) >= MAX_DEPTH:
            raise _Failure(line, column, f"nested more than {MAX_DEPTH} levels deep")
        value: dict[str, Any] | list[Any] = {} if is_map else []
        node.children = {} if is_map else []
        if event.anchor is not None:
            self.anchors[event.anchor] = None  # in progress: an alias to it is recursive
        self.stack.append(_Frame(value, node, event.anchor, self._child_path()))

    def _child_path(self) -> tuple[str | int, ...]:
        """The document path of the value about to be added (for messages)."""
        if not self.stack:
            return ()
        parent = self.stack[-1]
        if isinstance(parent.value, list):
            return (*parent.path, len(parent.value))
        return (*parent.path, parent.key) if isinstance(parent.key, str) else parent.path

    def _close(self) -> None:
        frame = self.stack.pop()
        if isinstance(frame.value, dict):
            self._merge(frame)
        self._register(frame.anchor, frame.value, frame.node, frame.size)
        self._add(frame.value, frame.node, frame.size, None)

    def _alias(self, event: yaml.AliasEvent, line: int, column: int) -> None:
        name = event.anchor or ""
        if name not in self.anchors:
            raise _Failure(line, column, f"alias *{name} refers to no anchor")
        target = self.anchors[name]
        if target is None:
            raise _Failure(line, column, f"alias *{name} refers to its own enclosing value")
        value, anchored, size = target
        self.expanded += size
        if self.expanded > MAX_ALIAS_NODES:
            message = f"aliases expand to more than {MAX_ALIAS_NODES:,} values"
            raise _Failure(line, column, message + " (an alias bomb?); write the values out")
        node = Node(line, column)
        node.children, node.raw = anchored.children, anchored.raw
        self._add(value, node, size, event)

    def _register(self, anchor: str | None, value: Any, node: Node, size: int) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, node, size)

    def _add(self, value: Any, node: Node, size: int, event: yaml.Event | None) -> None:
        if not self.stack:
            self.result, self.root = value, node
            return
        frame = self.stack[-1]
        frame.size += size
        if isinstance(frame.value, list):
            frame.value.append(value)
            assert isinstance(frame.node.children, list)
            frame.node.children.append(node)
        elif frame.key is None:
            frame.key, frame.key_node = self._key(value, node, event, frame.path), node
        else:
            self._set(frame, value, node)

    def _key(
        self, value: Any, node: Node, event: yaml.Event | None, path: tuple[str | int, ...]
    ) -> object:
        if value is _MERGE:
            return _MERGE
        if isinstance(event, yaml.ScalarEvent):
            return event.value
        if isinstance(value, str):
            return value
        self._error(node, "a mapping key must be a plain text value", format_path(path))
        return _SKIP

    def _set(self, frame: _Frame, value: Any, node: Node) -> None:
        key, key_node = frame.key, frame.key_node
        frame.key = None
        assert isinstance(frame.value, dict) and isinstance(frame.node.children, dict)
        if key is _MERGE:
            frame.merges.append((value, node))
        elif isinstance(key, str):
            if key in frame.value:
                first = frame.node.children[key]
                self._error(
                    key_node,
                    f"duplicate key {quote(key)} (first at line {first.key_line})",
                    path=format_path((*frame.path, key)),
                )
                return
            node.key_line, node.key_column = key_node.line, key_node.column
            frame.value[key] = value
            frame.node.children[key] = node

    def _merge(self, frame: _Frame) -> None:
        """Apply ``<<`` merge keys: explicit keys win, then earlier merged mappings."""
        assert isinstance(frame.value, dict) and isinstance(frame.node.children, dict)
        for value, node in frame.merges:
            sources: list[tuple[Any, Node]] = [(value, node)]
            if isinstance(value, list) and isinstance(node.children, list):
                sources = list(zip(value, node.children, strict=True))
            for source, source_node in sources:
                if not isinstance(source, dict) or not isinstance(source_node.children, dict):
                    self._error(source_node, "a << merge value must be a mapping or mappings")
                    continue
                for key, item in source.items():
                    if key not in frame.value:
                        frame.value[key] = item
                        frame.node.children[key] = source_node.children[key]

    def _error(self, node: Node, message: str, path: str = "") -> None:
        self.findings.error(node.ref(self.file), path, message)
