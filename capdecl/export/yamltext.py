"""YAML scalars and small collections written by hand, so the output is deterministic,
commented and reads like the manifests people write.

Every scalar is written plain when that is unambiguous (it reads back as the same text),
and double-quoted otherwise, with every character YAML cannot carry literally escaped.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping

from yaml.resolver import Resolver

_STR_TAG = "tag:yaml.org,2002:str"
# Plain scalars limited to characters that mean nothing to YAML in block or flow context.
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ ./-]*")
# Metadata values that are numbers: the manifest loader keeps them as written.
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


@functools.lru_cache(maxsize=65536)
def scalar(text: str) -> str:
    """``text`` as a YAML scalar that loads back as exactly this string."""
    if _PLAIN.fullmatch(text) and not text.endswith(" ") and _resolves_to_str(text):
        return text
    return quoted(text)


@functools.lru_cache(maxsize=65536)
def value(text: str) -> str:
    """A metadata value: like :func:`scalar`, but plain numbers stay plain (``Trial: 1``),
    since the manifests keep a number as the text it is written as."""
    return text if _NUMBER.fullmatch(text) else scalar(text)


def quoted(text: str) -> str:
    """A double-quoted YAML scalar; control, format and other unprintable characters are
    escaped (``\\x01``, ``\\u200b``)."""
    return '"' + "".join(_escape(char) for char in text) + '"'


def _escape(char: str) -> str:
    found = _ESCAPES.get(char)
    if found is not None:
        return found
    if char.isprintable() and unicodedata.category(char) not in ("Cf", "Zl", "Zp"):
        return char
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _resolves_to_str(text: str) -> bool:
    """True when YAML reads the plain scalar ``text`` as a string (not a number, boolean,
    null or timestamp), decided as PyYAML's resolver does."""
    for tag, regexp in Resolver.yaml_implicit_resolvers.get(text[:1], ()):
        if regexp.match(text):
            return bool(tag == _STR_TAG)
    return True


def flow_map(mapping: Mapping[str, str]) -> str:
    """``{Gesture: wave, Trial: 1}`` with keys in the given order and metadata values."""
    return "{" + ", ".join(f"{scalar(k)}: {value(v)}" for k, v in mapping.items()) + "}"


def flow_list(items: Iterable[str], *, values: bool = False) -> str:
    """``[a, "b c:d"]``; ``values`` writes metadata values (plain numbers allowed)."""
    render = value if values else scalar
    return "[" + ", ".join(render(item) for item in items) + "]"


def comment(text: str) -> str:
    """A ``#`` comment line; line breaks and other controls in ``text`` are escaped, so
    server-provided names cannot end the comment early."""
    return "# " + "".join(c if c.isprintable() else _escape(c) for c in text)
