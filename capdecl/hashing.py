"""Content digests of local capture files, with a stat-keyed SQLite cache.

Planning a project of 10,000 captures must not re-read gigabytes of recordings each time.
Like git's index and DVC's state database, a file whose (absolute path, size, mtime_ns,
inode) is unchanged since it was last hashed is taken from the cache: a hit costs one
``os.stat`` and never opens the file. Misses are read once in 1 MiB blocks on a small
thread pool (``hashlib`` releases the GIL on large buffers, so two workers use two cores),
and the same pass counts samples: CSV data rows or WAV frames.

The cache lives at ``<manifest root>/.capdecl/hashcache.sqlite3``. It is only an
accelerator: several processes may share it (WAL mode, short busy timeout; a write that
cannot get the lock is skipped), a corrupt database is deleted and recreated, and an
unwritable directory simply means no caching.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import re
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from capdecl.errors import CapdeclError
from capdecl.state import FileDigest

log = logging.getLogger(__name__)

CACHE_FILE = "hashcache.sqlite3"
BLOCK_SIZE = 1 << 20  # 1 MiB reads
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 0.5
LOOKUP_CHUNK = 500  # paths per SELECT ... IN (...)
COMMIT_EVERY = 200  # digests per write transaction
# On filesystems with whole-second timestamps, a file rewritten within the same second
# keeps its mtime: such "racily clean" files are hashed but not cached (git's rule).
RACY_WINDOW_NS = 2_000_000_000

# a blank line: a line feed (optionally after CR) right after another line feed
_BLANK_LINE = re.compile(rb"(?<=\n)\r?\n")


class UnreadableFileError(CapdeclError):
    """One or more capture files could not be read."""


@dataclass(frozen=True, slots=True)
class StatKey:
    """What must be unchanged for a cached digest to be reused."""

    path: str  # absolute
    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: str, st: os.stat_result) -> StatKey:
        return cls(path, st.st_size, st.st_mtime_ns, st.st_ino)


@dataclass
class CacheStats:
    """Counters of one :class:`HashCache` (thread-safe increments)."""

    hits: int = 0
    misses: int = 0
    files_opened: int = 0
    bytes_hashed: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count_read(self, nbytes: int) -> None:
        with self._lock:
            self.files_opened += 1
            self.bytes_hashed += nbytes


class HashCache:
    """The SQLite digest cache of one manifest directory (``cache_dir`` is its ``.capdecl``).

    Use as a context manager, or call :meth:`close`. The connection is used only by the
    thread that created the cache; worker threads only read files.
    """

    def __init__(self, cache_dir: Path) -> None:
        self.path = Path(cache_dir) / CACHE_FILE
        self.stats = CacheStats()
        self._db: sqlite3.Connection | None = self._open()

    def __enter__(self) -> HashCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def digest(self, paths: Sequence[str], *, workers: int = 2) -> dict[str, FileDigest]:
        """Digest every path (keys of the result are the paths as given).

        Raises :class:`UnreadableFileError` naming every file that cannot be read."""
        digests, problems = self.try_digest(paths, workers=workers)
        if problems:
            raise UnreadableFileError(
                f"{len(problems)} file(s) cannot be read",
                [f"{path}: {why}" for path, why in problems.items()],
            )
        return digests

    def try_digest(
        self, paths: Sequence[str], *, workers: int = 2
    ) -> tuple[dict[str, FileDigest], dict[str, str]]:
        """Like :meth:`digest` but never raises: (digests, path -> why it is unreadable),
        both in the order of ``paths``."""
        keys, unreadable = _stat_all(paths)
        cached = self._lookup(list(keys.values()))
        result: dict[str, FileDigest] = {}
        todo: dict[str, StatKey] = {}
        for path, key in keys.items():
            hit = cached.get(key)
            if hit is None:
                todo[path] = key
            else:
                result[path] = hit
        self.stats.hits += len(result)
        self.stats.misses += len(todo)
        hashed, failed = self._hash_all(todo, workers)
        result.update(hashed)
        problems = dict(unreadable + failed)
        ordered = {path: result[path] for path in paths if path in result}
        return ordered, {path: problems[path] for path in paths if path in problems}

    # ----------------------------------------------------------------- database

    def _open(self) -> sqlite3.Connection | None:
        """Open (or create) the database; a corrupt one is deleted and recreated once. A
        database locked by another process for too long is left alone (no caching)."""
        for attempt in (1, 2):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                return _connect(self.path)
            except (OSError, sqlite3.OperationalError) as error:
                log.warning("hash cache %s not usable (%s): not caching", self.path, error)
                return None
            except sqlite3.DatabaseError as error:
                log.warning("hash cache %s is corrupt (%s): recreating it", self.path, error)
                if attempt == 1:
                    _remove_db_files(self.path)
        return None

    def _reset(self, error: sqlite3.DatabaseError) -> None:
        """Recover from an error met after opening: recreate the database file."""
        log.warning("hash cache %s failed (%s): recreating it", self.path, error)
        self.close()
        _remove_db_files(self.path)
        self._db = self._open()

    def _lookup(self, keys: list[StatKey]) -> dict[StatKey, FileDigest]:
        if self._db is None or not keys:
            return {}
        try:
            return _select(self._db, keys)
        except sqlite3.OperationalError as error:  # locked for too long: treat as misses
            log.debug("hash cache lookup skipped: %s", error)
            return {}
        except sqlite3.DatabaseError as error:
            self._reset(error)
            return {}

    def _store(self, rows: list[tuple[StatKey, FileDigest]]) -> None:
        if self._db is None or not rows:
            return
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)",
                    [(k.path, k.size, k.mtime_ns, k.inode, d.sha256, d.samples) for k, d in rows],
                )
        except sqlite3.OperationalError as error:  # another writer holds the lock
            log.debug("hash cache write skipped: %s", error)
        except sqlite3.DatabaseError as error:
            self._reset(error)

    # ----------------------------------------------------------------- hashing

    def _hash_all(
        self, todo: dict[str, StatKey], workers: int
    ) -> tuple[dict[str, FileDigest], list[tuple[str, str]]]:
        """Hash the misses on a thread pool, storing digests in batches as they finish."""
        hashed: dict[str, FileDigest] = {}
        failed: list[tuple[str, str]] = []
        batch: list[tuple[StatKey, FileDigest]] = []
        if not todo:
            return hashed, failed
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures: dict[Future[tuple[FileDigest, StatKey | None]], str] = {
                pool.submit(_hash_file, key.path, self.stats): path for path, key in todo.items()
            }
            for future in as_completed(futures):
                path = futures[future]
                try:
                    digest, cache_key = future.result()
                except OSError as error:
                    failed.append((path, error.strerror or str(error)))
                    continue
                hashed[path] = digest
                if cache_key is not None:
                    batch.append((cache_key, digest))
                if len(batch) >= COMMIT_EVERY:
                    self._store(batch)
                    batch = []
        self._store(batch)
        return hashed, failed


def digest_files(
    paths: Sequence[str], cache_dir: Path, *, workers: int = 2
) -> dict[str, FileDigest]:
    """SHA-256, size and sample count of every file, through the cache in ``cache_dir``."""
    with HashCache(cache_dir) as cache:
        return cache.digest(paths, workers=workers)


# --------------------------------------------------------------------- helpers


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    try:
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            # another process may hold a lock (and be switching the mode itself)
            with contextlib.suppress(sqlite3.OperationalError):
                db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            _create_schema(db)
        db.execute("SELECT count(*) FROM files WHERE path = ''").fetchone()
    except BaseException:
        db.close()
        raise
    return db


def _create_schema(db: sqlite3.Connection) -> None:
    """(Re)create the table, serialised with other processes doing the same."""
    db.execute("BEGIN IMMEDIATE")  # waits for the busy timeout, unlike a deferred BEGIN
    try:
        if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            db.execute("DROP TABLE IF EXISTS files")
            db.execute(
                "CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER NOT NULL,"
                " mtime_ns INTEGER NOT NULL, inode INTEGER NOT NULL,"
                " sha256 TEXT NOT NULL, samples INTEGER)"
            )
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        db.commit()
    except BaseException:
        db.rollback()
        raise


def _remove_db_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(f"{path}{suffix}")
        except FileNotFoundError:
            pass
        except OSError as error:
            log.debug("cannot remove %s%s: %s", path, suffix, error)


def _select(db: sqlite3.Connection, keys: list[StatKey]) -> dict[StatKey, FileDigest]:
    wanted = {k.path: k for k in keys}
    found: dict[StatKey, FileDigest] = {}
    paths = list(wanted)
    for start in range(0, len(paths), LOOKUP_CHUNK):
        chunk = paths[start : start + LOOKUP_CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = db.execute(
            "SELECT path, size, mtime_ns, inode, sha256, samples FROM files"
            f" WHERE path IN ({marks})",
            chunk,
        )
        for path, size, mtime_ns, inode, sha256, samples in rows:
            key = wanted[path]
            if (size, mtime_ns, inode) == (key.size, key.mtime_ns, key.inode):
                found[key] = FileDigest(sha256=sha256, size=size, samples=samples)
    return found


def _stat_all(paths: Sequence[str]) -> tuple[dict[str, StatKey], list[tuple[str, str]]]:
    keys: dict[str, StatKey] = {}
    unreadable: list[tuple[str, str]] = []
    for path in paths:
        absolute = os.path.abspath(path)
        try:
            st = os.stat(absolute)  # the only system call of a cache hit
        except OSError as error:
            unreadable.append((path, error.strerror or str(error)))
            continue
        if not stat.S_ISREG(st.st_mode):
            unreadable.append((path, "not a regular file"))
            continue
        keys[path] = StatKey.of(absolute, st)
    return keys, unreadable


def _hash_file(path: str, stats: CacheStats) -> tuple[FileDigest, StatKey | None]:
    """Read one file once: SHA-256 plus samples. The returned key is None when the file
    changed while being read or is racily clean, so the digest must not be cached."""
    sha = hashlib.sha256()
    lower = path.lower()
    rows = _CsvRowCounter() if lower.endswith(".csv") else None
    with open(path, "rb", buffering=0) as f:
        before = os.fstat(f.fileno())
        size = 0
        for block in _blocks(f):
            sha.update(block)
            size += len(block)
            if rows is not None:
                rows.feed(block)
        samples = rows.rows() if rows is not None else None
        if lower.endswith(".wav"):
            samples = wav_frames(f, size)
        after = os.fstat(f.fileno())
    stats.count_read(size)
    digest = FileDigest(sha256=sha.hexdigest(), size=size, samples=samples)
    stable = StatKey.of(path, before) == StatKey.of(path, after) and size == before.st_size
    return digest, StatKey.of(path, after) if stable and not _racy(after) else None


def _blocks(f: io.FileIO) -> Iterator[memoryview]:
    buffer = bytearray(BLOCK_SIZE)
    view = memoryview(buffer)
    while True:
        n = f.readinto(view)
        if not n:
            return
        yield view[:n]


def _racy(st: os.stat_result) -> bool:
    """True for a whole-second mtime (coarse filesystem) within the last two seconds."""
    coarse = st.st_mtime_ns % 1_000_000_000 == 0
    return coarse and time.time_ns() - st.st_mtime_ns < RACY_WINDOW_NS


class _CsvRowCounter:
    """Counts CSV data rows as the server's pandas reader does: non-blank lines after the
    first non-blank (header) line. Handles LF and CRLF, a missing final newline and
    blank lines; fed block by block."""

    def __init__(self) -> None:
        self.newlines = 0
        self.blank = 0
        self.tail = b"\n\n"  # the last two bytes seen; starts as if after a newline
        self.empty = True

    def feed(self, block: memoryview) -> None:
        data = self.tail + bytes(block)
        offset = len(self.tail)
        self.newlines += data.count(b"\n", offset)
        self.blank += sum(1 for m in _BLANK_LINE.finditer(data) if m.end() > offset)
        self.tail = data[-2:]
        self.empty = False

    def rows(self) -> int:
        if self.empty:
            return 0
        lines = self.newlines
        if not self.tail.endswith(b"\n"):  # last line without a final newline
            lines += 1
            if self.tail == b"\n\r":  # ... which is a lone CR: blank
                self.blank += 1
        return max(0, lines - self.blank - 1)


def wav_frames(f: io.FileIO, size: int) -> int | None:
    """Frame count from a RIFF/WAVE header: data chunk size / block_align, walking the
    chunks (an oversized data chunk is clamped to the file). None when not a WAV."""
    f.seek(0)
    head = f.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    block_align = 0
    offset = 12
    while offset + 8 <= size:
        f.seek(offset)
        header = f.read(8)
        chunk_id, chunk_size = header[:4], int.from_bytes(header[4:8], "little")
        body = offset + 8
        if chunk_id == b"fmt ":
            fmt = f.read(min(chunk_size, 16))
            if len(fmt) < 16:
                return None
            channels = int.from_bytes(fmt[2:4], "little")
            bits = int.from_bytes(fmt[14:16], "little")
            block_align = int.from_bytes(fmt[12:14], "little") or channels * ((bits + 7) // 8)
        elif chunk_id == b"data":
            if block_align <= 0:
                return None
            return min(chunk_size, size - body) // block_align
        offset = body + chunk_size + (chunk_size & 1)
    return None
