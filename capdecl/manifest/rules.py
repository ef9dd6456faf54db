"""The server's naming rules (sensiml-api.md §5.2, §5.3, §8.4), checked offline.

Every function returns what is wrong as predicates to put after the subject ("is blank",
"contains ..."), empty when fine. Names and values are checked after trimming, as the
server trims them before validating.
"""

from __future__ import annotations

import math
import re
import unicodedata

from capdecl.manifest.findings import quote

MAX_METADATA = 64
MAX_CAPTURE_NAME = 250
MAX_CONFIGURATION_NAME = 255
MAX_PROJECT_NAME = 200
RESERVED_METADATA_NAMES = ("_Capture_", "_GroupRows_")

_METADATA_NAME = re.compile(r"[A-Za-z0-9_ ]")
_METADATA_VALUE = re.compile(r"[A-Za-z0-9_ .:-]")
_PROJECT_NAME = re.compile(r"[A-Za-z0-9_ .-]")
_INTEGER = re.compile(r"[+-]?[0-9]+")
# Control and format characters (Unicode categories Cc and Cf), as a quick test.
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891"
    "\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001-\U000e007f]"
)
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _bad_chars(text: str, allowed: re.Pattern[str]) -> str:
    bad = dict.fromkeys(c for c in text if not allowed.fullmatch(c))
    return " ".join(quote(c) for c in bad)


def _length(text: str, limit: int) -> list[str]:
    if len(text) > limit:
        return [f"is {len(text)} characters long (the server allows at most {limit})"]
    return []


def _charset_problems(text: str, limit: int, allowed: re.Pattern[str], spelled: str) -> list[str]:
    """Blank, too long, or characters outside ``allowed`` (described as ``spelled``)."""
    text = text.strip()
    if not text:
        return ["is blank"]
    problems = _length(text, limit)
    bad = _bad_chars(text, allowed)
    if bad:
        problems.append(f"contains {bad} (allowed: {spelled})")
    return problems


def metadata_name_problems(name: str) -> list[str]:
    """A metadata name: letters, digits, ``_`` and space, at most 64, not reserved."""
    spelled = "letters, digits, _ and space"
    problems = _charset_problems(name, MAX_METADATA, _METADATA_NAME, spelled)
    if name.strip() in RESERVED_METADATA_NAMES:
        problems.append("is reserved by the server")
    return problems


def metadata_value_problems(value: str) -> list[str]:
    """A metadata value: letters, digits, space and ``_ . : -``, 1 to 64 characters."""
    spelled = "letters, digits, space and _ . : -"
    return _charset_problems(value, MAX_METADATA, _METADATA_VALUE, spelled)


def typed_value_problem(value: str, kind: str) -> str | None:
    """A value of an ``integer`` or ``float`` metadata name must parse as one."""
    value = value.strip()
    if kind == "integer" and not _INTEGER.fullmatch(value):
        return "is not an integer (the metadata name is typed integer)"
    if kind == "float" and not (_FLOAT.fullmatch(value) and math.isfinite(float(value))):
        return "is not a number (the metadata name is typed float)"
    return None


def project_name_problems(name: str) -> list[str]:
    """A project name: letters, digits, space and ``_ . -``, at most 200."""
    spelled = "letters, digits, space and _ . -"
    return _charset_problems(name, MAX_PROJECT_NAME, _PROJECT_NAME, spelled)


def free_name_problems(name: str, limit: int) -> list[str]:
    """A capture or configuration name: any text without control characters."""
    name = name.strip()
    if not name:
        return ["is blank"]
    problems = _length(name, limit)
    if not _CONTROL.search(name):  # fast path: a plain name
        return problems
    controls = dict.fromkeys(c for c in name if unicodedata.category(c) in ("Cc", "Cf"))
    if controls:
        codes = ", ".join(f"U+{ord(c):04X}" for c in controls)
        problems.append(f"contains control characters ({codes})")
    return problems


def plain_name(name: str, limit: int) -> bool:
    """True when ``free_name_problems`` and ``untrimmed_note`` have nothing to say about
    ``name`` (a quick test: trimmed, not blank, short enough, no control characters)."""
    return bool(name) and len(name) <= limit and not _CONTROL.search(name) and name == name.strip()


def untrimmed_note(name: str) -> str | None:
    """A warning when the server would trim the name or value."""
    if name != name.strip() and name.strip():
        return f"has surrounding whitespace; the server stores {quote(name.strip())}"
    return None
