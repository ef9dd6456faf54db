"""Files named by the manifests: relative paths that must stay inside the manifest
directory, and a glob walker that scales to hundreds of thousands of files.

Glob rules (documented in the README): paths are relative and use ``/``; ``*`` ``?`` and
``[...]`` match inside one path segment, ``**`` matches any number of directories (a
trailing ``**`` matches every file below). Wildcards do not match names starting with
``.`` unless the pattern segment does, and do not descend into symbolic links to
directories. Matching is case-sensitive. The walk stops after :data:`MAX_ENTRIES`
directory entries.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from dataclasses import dataclass, field
from functools import cached_property

from capdecl.manifest.findings import suggest

MAX_ENTRIES = 1_000_000
MAX_READ_BYTES = 16 * 1024 * 1024  # manifests and configuration JSON files
_WILDCARD = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Root:
    """The manifest directory: as an absolute path and with symbolic links resolved."""

    path: str
    real: str
    _parents: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, directory: str | os.PathLike[str]) -> Root:
        path = os.path.abspath(directory)
        return cls(path, os.path.realpath(path))

    def contains(self, real_path: str) -> bool:
        return real_path == self.real or real_path.startswith(self.real.rstrip("/") + "/")

    def real_parent(self, rel: str) -> str:
        """The resolved directory holding ``rel`` (cached: directories are few)."""
        parent = rel.rpartition("/")[0]
        found = self._parents.get(parent)
        if found is None:
            found = os.path.realpath(self.absolute(parent)) if parent else self.real
            self._parents[parent] = found
        return found

    def absolute(self, rel: str) -> str:
        """The absolute path of a relative posix path below the root."""
        return self._prefix + (rel if os.sep == "/" else rel.replace("/", os.sep))

    @cached_property
    def _prefix(self) -> str:
        return self.path.rstrip(os.sep) + os.sep


class PathProblem(Exception):
    """A declared path that cannot be used; the message says why."""


def relative_path(text: str) -> str:
    """Normalise a declared relative path (posix), refusing escapes from the root."""
    if not text.strip():
        raise PathProblem("the path is empty")
    _refuse_absolute(text)
    normal = posixpath.normpath(text)
    if normal == ".." or normal.startswith("../"):
        raise PathProblem('points outside the manifest directory ("..")')
    if normal == ".":
        raise PathProblem("names the manifest directory itself, not a file")
    return normal


def _refuse_absolute(text: str) -> None:
    if text.startswith("/") or re.match(r"[A-Za-z]:[\\/]", text):
        raise PathProblem("must be relative to the manifest directory, not absolute")


def check_file(root: Root, rel: str) -> None:
    """Raise PathProblem unless ``rel`` is a regular file inside the root (after links)."""
    absolute = root.absolute(rel)
    try:
        mode = os.lstat(absolute).st_mode
        if stat.S_ISLNK(mode):
            if not root.contains(os.path.realpath(absolute)):
                raise PathProblem("is a symbolic link that resolves outside the manifest directory")
            mode = os.stat(absolute).st_mode
        elif not root.contains(root.real_parent(rel)):
            raise PathProblem("is in a directory that links outside the manifest directory")
    except FileNotFoundError:
        raise PathProblem("file not found" + _near_names(root, rel)) from None
    except NotADirectoryError:
        raise PathProblem("file not found (a parent is not a directory)") from None
    except OSError as error:
        raise PathProblem(f"cannot read: {error.strerror}") from None
    if stat.S_ISDIR(mode):
        raise PathProblem("is a directory, not a file")
    if not stat.S_ISREG(mode):
        raise PathProblem("is not a regular file")


def read_small(root: Root, rel: str) -> bytes:
    """The bytes of a manifest or configuration file; PathProblem when larger than
    :data:`MAX_READ_BYTES` (checked before reading) or unreadable."""
    try:
        with open(root.absolute(rel), "rb") as handle:
            if os.fstat(handle.fileno()).st_size > MAX_READ_BYTES:
                raise PathProblem(f"file is larger than {MAX_READ_BYTES // 2**20} MiB")
            return handle.read()
    except OSError as error:
        raise PathProblem(f"cannot read: {error.strerror}") from None


def _near_names(root: Root, rel: str) -> str:
    parent, _, name = rel.rpartition("/")
    try:
        names = os.listdir(root.absolute(parent) if parent else root.path)
    except OSError:
        return ""
    hint = suggest(name, names)
    return hint.replace('"', f'"{parent}/', 1) if hint and parent else hint


# --------------------------------------------------------------------------- globs

_RECURSIVE = "**"


@dataclass
class GlobResult:
    """Regular files matched (sorted, relative) and files refused, with the reason."""

    files: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def glob_segments(pattern: str) -> list[str]:
    """Split and check a glob; raise PathProblem for escapes and empty patterns."""
    if not pattern.strip():
        raise PathProblem("the pattern is empty")
    _refuse_absolute(pattern)
    segments = [s for s in pattern.split("/") if s not in ("", ".")]
    if ".." in segments:
        raise PathProblem('may not leave the manifest directory ("..")')
    if not segments:
        raise PathProblem("matches the manifest directory itself, not files")
    if segments[-1] == _RECURSIVE:
        segments.append("*")
    return segments


def walk_glob(root: Root, segments: list[str], limit: int = MAX_ENTRIES) -> GlobResult:
    """Every file the glob matches. Raise PathProblem beyond ``limit`` directory entries."""
    walker = _Walker(root, limit)
    pending: list[tuple[str, int]] = [("", 0)]
    seen: set[tuple[str, int]] = set()
    while pending:
        state = pending.pop()
        if state not in seen:
            seen.add(state)
            pending.extend(walker.step(state[0], segments, state[1]))
    walker.result.files = sorted(set(walker.result.files))
    return walker.result


class _Walker:
    def __init__(self, root: Root, limit: int) -> None:
        self.root = root
        self.limit = limit
        self.entries = 0
        self.result = GlobResult()
        self.matchers: dict[str, re.Pattern[str]] = {}
        self.listings: dict[str, list[tuple[str, str]]] = {}  # "**" then "*.csv" list twice

    def step(self, directory: str, segments: list[str], index: int) -> list[tuple[str, int]]:
        """Match segment ``index`` inside ``directory``; return the states to visit next."""
        segment, last = segments[index], index == len(segments) - 1
        if segment == _RECURSIVE:
            subdirs = [join(directory, n) for n, kind in self.listing(directory) if kind == "d"]
            return [(directory, index + 1)] + [(d, index) for d in subdirs if not _hidden(d)]
        if not _WILDCARD.search(segment):
            return self.literal(join(directory, segment), last, index)
        matcher = self.matcher(segment)
        hidden_ok = segment.startswith(".")
        nxt: list[tuple[str, int]] = []
        for name, kind in self.listing(directory):
            if (hidden_ok or not name.startswith(".")) and matcher.fullmatch(name):
                if last:
                    self.candidate(join(directory, name), kind)
                elif kind == "d":
                    nxt.append((join(directory, name), index + 1))
        return nxt

    def literal(self, rel: str, last: bool, index: int) -> list[tuple[str, int]]:
        try:
            mode = os.lstat(self.root.absolute(rel)).st_mode
        except OSError:
            return []
        kind = _kind(mode)
        if last:
            self.candidate(rel, kind)
            return []
        if kind == "l" and os.path.isdir(self.root.absolute(rel)):
            if self.root.contains(os.path.realpath(self.root.absolute(rel))):
                return [(rel, index + 1)]
            message = "is a symbolic link to a directory outside the manifest directory"
            self.result.refused.append((rel, message))
        return [(rel, index + 1)] if kind == "d" else []

    def candidate(self, rel: str, kind: str) -> None:
        if kind == "f":
            self.result.files.append(rel)
        elif kind == "l":
            try:
                check_file(self.root, rel)
            except PathProblem as problem:
                self.result.refused.append((rel, str(problem)))
            else:
                self.result.files.append(rel)
        elif kind == "o":
            self.result.refused.append((rel, "is not a regular file"))

    def listing(self, directory: str) -> list[tuple[str, str]]:
        """The directory's (name, kind) entries, read once; each visit still counts."""
        entries = self.listings.get(directory)
        if entries is None:
            try:
                path = self.root.absolute(directory) if directory else self.root.path
                with os.scandir(path) as it:
                    entries = [(e.name, _entry_kind(e)) for e in it]
            except OSError:
                return []
            self.listings[directory] = entries
        self.entries += len(entries)
        if self.entries > self.limit:
            raise PathProblem(f"visits more than {self.limit:,} directory entries; narrow it")
        return entries

    def matcher(self, segment: str) -> re.Pattern[str]:
        found = self.matchers.get(segment)
        if found is None:
            found = self.matchers[segment] = re.compile(segment_regex(segment))
        return found


def join(directory: str, name: str) -> str:
    return f"{directory}/{name}" if directory else name


def _hidden(rel: str) -> bool:
    return rel.rpartition("/")[2].startswith(".")


def _entry_kind(entry: os.DirEntry[str]) -> str:
    """d(irectory), f(ile), l(ink) or o(ther), without following links (most entries
    are files: asked first)."""
    if entry.is_file(follow_symlinks=False):
        return "f"
    if entry.is_dir(follow_symlinks=False):
        return "d"
    return "l" if entry.is_symlink() else "o"


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "l"
    if stat.S_ISDIR(mode):
        return "d"
    return "f" if stat.S_ISREG(mode) else "o"


def segment_regex(segment: str) -> str:
    """Regex source for one glob segment: ``*`` ``?`` ``[...]`` never match ``/``."""
    out, i = [], 0
    while i < len(segment):
        char = segment[i]
        i += 1
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = segment.find("]", i + 1 if segment[i : i + 1] in ("!", "]") else i)
            if end < 0:
                out.append(re.escape(char))
                continue
            body = re.sub(r"([\\\[&~|^])", r"\\\1", segment[i:end])
            body = "^" + body[1:] if body.startswith("!") else body
            out.append(f"(?!/)[{body}]")
            i = end + 1
        else:
            out.append(re.escape(char))
    return "".join(out)


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A regex for a whole relative path, with the glob rules above (for ``exclude``)."""
    out = []
    segments = [s for s in pattern.split("/") if s not in ("", ".")]
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == _RECURSIVE:
            out.append(".*" if last else "(?:[^/]+/)*")
        else:
            out.append(segment_regex(segment) + ("" if last else "/"))
    return re.compile("".join(out))
