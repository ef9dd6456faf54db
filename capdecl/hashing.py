"""Content digests of local capture files, with a stat-keyed SQLite cache.

Planning a project of 10,000 captures must not re-read gigabytes of recordings each time.
Like git's index and DVC's state database, a file whose (absolute path, size, mtime_ns,
inode) is unchanged since it was last hashed is taken from the cache: a hit costs one
``os.stat`` and never opens the file. Misses are read once in 1 MiB blocks, and the same
pass counts samples (CSV data rows or WAV frames, :mod:`capdecl.samples`): on a small
thread pool (``hashlib`` releases the GIL on large buffers, so two threads use two cores),
or, for thousands of small files, where Python's per-file work dominates, shared between
this thread and worker processes (:mod:`capdecl.hashworkers`).

The cache lives at ``<manifest root>/.capdecl/hashcache.sqlite3``. It is only an
accelerator: several processes may share it (WAL mode, short busy timeout; a write that
cannot get the lock is skipped), a corrupt database is deleted and recreated, and an
unwritable directory simply means no caching.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from capdecl.errors import CapdeclError
from capdecl.hashdb import connect, remove_db_files
from capdecl.hashworkers import Worker, run_workers, start_workers
from capdecl.samples import CsvRowCounter, wav_frames
from capdecl.state import FileDigest

log = logging.getLogger(__name__)

CACHE_FILE = "hashcache.sqlite3"
BLOCK_SIZE = 1 << 20  # 1 MiB reads
# paths per SELECT ... IN (...): SQLite allows 32,766 variables since 3.32, 999 before
LOOKUP_CHUNK = 5000 if sqlite3.sqlite_version_info >= (3, 32, 0) else 500
CHUNK_FILES = 64  # files per hashing task
PROCESS_MIN_FILES = 2000  # misses from which worker processes hash them (see _outcomes)
COMMIT_EVERY = 200  # digests per write transaction
# On filesystems with whole-second timestamps, a file rewritten within the same second
# keeps its mtime: such "racily clean" files are hashed but not cached (git's rule).
RACY_WINDOW_NS = 2_000_000_000


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
        early = start_workers(workers - 1) if self._all_misses(len(paths), workers) else []
        try:
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
            hashed, failed = self._hash_all(todo, workers, early)
        finally:
            for worker in early:
                worker.close()  # those that got no share
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
                return connect(self.path)
            except (OSError, sqlite3.OperationalError) as error:
                log.warning("hash cache %s not usable (%s): not caching", self.path, error)
                return None
            except sqlite3.DatabaseError as error:
                log.warning("hash cache %s is corrupt (%s): recreating it", self.path, error)
                if attempt == 1:
                    remove_db_files(self.path)
        return None

    def _reset(self, error: sqlite3.DatabaseError) -> None:
        """Recover from an error met after opening: recreate the database file."""
        log.warning("hash cache %s failed (%s): recreating it", self.path, error)
        self.close()
        remove_db_files(self.path)
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

    def _all_misses(self, count: int, workers: int) -> bool:
        """True when ``count`` files will surely be hashed by worker processes (the
        cache is empty): the workers are then started before the ``stat`` pass."""
        if not _use_processes(count, workers):
            return False
        if self._db is None:
            return True
        try:
            return self._db.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None
        except sqlite3.DatabaseError:
            return False

    def _hash_all(
        self, todo: dict[str, StatKey], workers: int, early: list[Worker]
    ) -> tuple[dict[str, FileDigest], list[tuple[str, str]]]:
        """Hash the misses, storing digests in batches as they finish."""
        hashed: dict[str, FileDigest] = {}
        failed: list[tuple[str, str]] = []
        batch: list[tuple[StatKey, FileDigest]] = []
        by_absolute = {key.path: path for path, key in todo.items()}
        for chunk in _outcomes(list(by_absolute), workers, early):
            for absolute, digest, cache_key, error in chunk:
                path = by_absolute[absolute]
                if digest is None:
                    failed.append((path, error or "cannot be read"))
                    continue
                self.stats.count_read(digest.size)
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
        absolute = path if _plainly_absolute(path) else os.path.abspath(path)
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


def _plainly_absolute(path: str) -> bool:
    """True when ``os.path.abspath(path)`` is ``path`` itself, as for the manifest
    loader's paths; checked with a few string tests instead of normalising 10,000 paths.
    Normalising removes ``.`` and ``..`` components, repeated slashes and a trailing
    slash; a dot that only starts a name (``/data/.work/a.csv``) is kept."""
    return (
        os.sep == "/"
        and path.startswith("/")
        and "//" not in path
        and "/./" not in path
        and "/../" not in path
        and not path.endswith(("/", "/.", "/.."))
    )


# (absolute path, digest or None, cache key or None, why it cannot be read or None)
Outcome = tuple[str, FileDigest | None, StatKey | None, str | None]


def _use_processes(count: int, workers: int) -> bool:
    return workers > 1 and count >= PROCESS_MIN_FILES and (os.cpu_count() or 1) > 1


def _outcomes(paths: list[str], workers: int, early: list[Worker]) -> Iterator[list[Outcome]]:
    """Hash ``paths`` in chunks, yielding each chunk's outcomes as it finishes.

    Many small files are shared with worker processes (:mod:`capdecl.hashworkers`: per
    file, Python's own work outweighs SHA-256 and holds the GIL, so threads could not use
    another core); fewer files use a thread pool, which suits big files (hashlib releases
    the GIL on them). ``early`` are workers started already, if any."""
    if _use_processes(len(paths), workers):
        helpers = early or start_workers(workers - 1)
        yield from run_workers(paths, hash_chunk, helpers, head_start=bool(early))
        return
    chunks = [paths[i : i + CHUNK_FILES] for i in range(0, len(paths), CHUNK_FILES)]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as threads:
        yield from threads.map(hash_chunk, chunks)


def hash_chunk(paths: list[str]) -> list[Outcome]:
    """Hash each file (in a worker thread or process); unreadable ones are reported."""
    outcomes: list[Outcome] = []
    for path in paths:
        try:
            digest, key = _hash_file(path)
        except OSError as error:
            outcomes.append((path, None, None, error.strerror or str(error)))
        else:
            outcomes.append((path, digest, key, None))
    return outcomes


def _hash_file(path: str) -> tuple[FileDigest, StatKey | None]:
    """Read one file once: SHA-256 plus samples. The returned key is None when the file
    changed while being read or is racily clean, so the digest must not be cached."""
    sha = hashlib.sha256()
    lower = path.lower()
    rows = CsvRowCounter() if lower.endswith(".csv") else None
    buffer, view = _read_buffer()
    with io.FileIO(path, "rb") as f:
        before = os.fstat(f.fileno())
        size = 0
        while n := f.readinto(buffer):
            sha.update(view[:n])
            size += n
            if rows is not None:
                rows.feed(buffer, n)
        samples = rows.rows() if rows is not None else None
        if lower.endswith(".wav"):
            samples = wav_frames(f, size)
        after = os.fstat(f.fileno())
    digest = FileDigest(sha256=sha.hexdigest(), size=size, samples=samples)
    stable = size == before.st_size == after.st_size and _same_file(before, after)
    return digest, StatKey.of(path, after) if stable and not _racy(after) else None


def _same_file(before: os.stat_result, after: os.stat_result) -> bool:
    """Unchanged while it was read: same inode and modification time."""
    return before.st_mtime_ns == after.st_mtime_ns and before.st_ino == after.st_ino


_buffers = threading.local()


def _read_buffer() -> tuple[bytearray, memoryview]:
    """This thread's read buffer of :data:`BLOCK_SIZE` bytes, reused from file to file
    (a fresh 1 MiB buffer per file would cost more than hashing a small file)."""
    found: tuple[bytearray, memoryview] | None = getattr(_buffers, "pair", None)
    if found is None or len(found[0]) != BLOCK_SIZE:
        buffer = bytearray(BLOCK_SIZE)
        found = _buffers.pair = (buffer, memoryview(buffer))
    return found


def _racy(st: os.stat_result) -> bool:
    """True for a whole-second mtime (coarse filesystem) within the last two seconds."""
    coarse = st.st_mtime_ns % 1_000_000_000 == 0
    return coarse and time.time_ns() - st.st_mtime_ns < RACY_WINDOW_NS
