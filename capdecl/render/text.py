"""Small text helpers shared by every renderer: safe quoting, units, plurals.

Names and values come from manifests and from the server, so they may hold anything: quotes,
newlines, ANSI escape sequences, bidirectional-override characters. Everything printed goes
through :func:`quote` or :func:`compact`, which escape control and invisible characters, so a
name can neither forge a plan line nor recolour a terminal.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 controls are escaped by json.dumps itself; these are the rest: DEL, C1 controls (0x9b is
# a one-byte CSI on some terminals), zero-width and bidirectional formatting characters.
_UNSAFE = re.compile("[\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_CONTROL = re.compile("[\x00-\x1f]")
_UNITS = ("KiB", "MiB", "GiB", "TiB")
_SHA_SHOWN = 12


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def sanitize(text: str) -> str:
    """``text`` with every control or invisible character written as ``\\uXXXX``."""
    return _UNSAFE.sub(_escape, _CONTROL.sub(_escape, text))


def quote(text: str) -> str:
    """A name or string value as a double-quoted, escaped literal: ``"S01 \\"a\\""``."""
    return _UNSAFE.sub(_escape, json.dumps(text, ensure_ascii=False))


def compact(value: Any) -> str:
    """Any JSON value on one line: ``"a"``, ``100``, ``null``, ``["a", "b"]``."""
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return _UNSAFE.sub(_escape, text)


def short_sha(digest: str) -> str:
    """The first 12 hex digits of a SHA-256, enough to recognise it by eye."""
    return digest if len(digest) <= _SHA_SHOWN else digest[:_SHA_SHOWN] + "…"


def format_size(size: int) -> str:
    """Bytes in binary units with one decimal: ``512 B``, ``1.2 MiB``."""
    if abs(size) < 1024:
        return f"{size} B"
    value = float(size)
    for unit in _UNITS:
        value /= 1024
        if abs(round(value, 1)) < 1024 or unit == _UNITS[-1]:
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable: the last unit always returns")


def format_duration(seconds: float) -> str:
    """Seconds as ``HH:MM:SS`` (rounded to the second; hours may exceed 99)."""
    total = round(abs(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    sign = "-" if seconds < 0 and total else ""
    return f"{sign}{hours:02d}:{minutes:02d}:{secs:02d}"


def signed(text: str, value: float) -> str:
    """Prefix a formatted magnitude with ``+`` or ``-`` (nothing for zero)."""
    if value > 0:
        return f"+{text}"
    if value < 0 and not text.startswith("-"):
        return f"-{text}"
    return text


def signed_size(delta: int) -> str:
    return signed(format_size(abs(delta)), delta)


def signed_duration(delta: float) -> str:
    return signed(format_duration(abs(delta)), delta if round(abs(delta)) else 0)


def plural(count: int, singular: str, many: str | None = None) -> str:
    """``1 capture``, ``3 captures`` (``many`` for irregular plurals)."""
    word = singular if count == 1 else (many or singular + "s")
    return f"{count} {word}"
