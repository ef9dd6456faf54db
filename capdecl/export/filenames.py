"""File names for exported objects: one per capture under ``data/``, one per
configuration under ``configs/``.

A capture's file is named like the capture whenever that name is a usable, portable file
name; otherwise a safe variant is used and the manifests give the real name in ``name:``.
Names are assigned in sorted order and compared case-insensitively, so the result is
deterministic and a checkout on a case-insensitive file system gets distinct files.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Iterable

DATA_DIR = "data"
CONFIGS_DIR = "configs"
CAPTURE_SUFFIXES = (".csv", ".wav")
DEFAULT_SUFFIX = ".csv"
MAX_NAME_BYTES = 200  # leaves room for a "~N" suffix and a download's temporary name
_SEPARATORS = frozenset("/\\")
_SLUG_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _unsafe_char(char: str) -> bool:
    return char in _SEPARATORS or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def capture_stem_and_suffix(name: str) -> tuple[str, str, bool]:
    """Split a capture name into a safe stem and a lower-case ``.csv``/``.wav`` suffix;
    the flag says the suffix was missing and :data:`DEFAULT_SUFFIX` was assumed."""
    cleaned = "".join("_" if _unsafe_char(c) else c for c in name.strip())
    base, ext = posixpath.splitext(cleaned)
    guessed = ext.lower() not in CAPTURE_SUFFIXES
    suffix = DEFAULT_SUFFIX if guessed else ext.lower()
    stem = cleaned if guessed else base
    if not stem or stem.startswith("."):
        stem = "_" + stem  # no hidden files, no "." or ".."
    return _truncate(stem), suffix, guessed


def _truncate(stem: str) -> str:
    while len(stem.encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem


class NameAllocator:
    """Hands out distinct file names (case-insensitively) in one directory."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = {name.casefold() for name in taken}

    def allocate(self, stem: str, suffix: str, separator: str = "~") -> str:
        candidate = stem + suffix
        number = 2
        while candidate.casefold() in self.taken:
            candidate = f"{stem}{separator}{number}{suffix}"
            number += 1
        self.taken.add(candidate.casefold())
        return candidate


def capture_files(names: Iterable[str]) -> dict[str, tuple[str, bool]]:
    """Capture name -> (relative file path under ``data/``, suffix guessed), for names
    taken in sorted order. Names usable as they are keep their own file name first,
    whatever else the project holds; the others get a free variant."""
    ordered = sorted(set(names))
    allocator = NameAllocator()
    split = {name: capture_stem_and_suffix(name) for name in ordered}
    result: dict[str, tuple[str, bool]] = {}
    for name in ordered:  # pass 1: names that are usable file names, first come first
        stem, suffix, guessed = split[name]
        if stem + suffix == name and name.casefold() not in allocator.taken:
            result[name] = (f"{DATA_DIR}/{allocator.allocate(stem, suffix)}", guessed)
    for name in ordered:  # pass 2: everything else
        if name not in result:
            stem, suffix, guessed = split[name]
            result[name] = (f"{DATA_DIR}/{allocator.allocate(stem, suffix)}", guessed)
    return result


def configuration_files(names: Iterable[str]) -> dict[str, str]:
    """Configuration name -> relative path ``configs/<slug>.json``."""
    allocator = NameAllocator()
    result: dict[str, str] = {}
    for name in sorted(set(names)):
        slug = _SLUG_UNSAFE.sub("-", name.strip()).strip("-.")[:100] or "configuration"
        result[name] = f"{CONFIGS_DIR}/{allocator.allocate(slug, '.json', '-')}"
    return result
