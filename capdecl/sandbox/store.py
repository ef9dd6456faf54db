"""The sandbox's persistent state: one SQLite database plus a folder of capture files.

``DIR/sandbox.sqlite3`` holds every record (and OAuth tokens, hashed); ``DIR/files/`` holds
the stored capture files under random keys, like Piccolo's capture root. One connection is
shared by all request threads behind a re-entrant lock: SQLite serialises writers anyway, and
the work done under the lock is small (file parsing happens outside it).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DB_NAME = "sandbox.sqlite3"
FILES_DIR = "files"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    digest TEXT PRIMARY KEY, kind TEXT NOT NULL, username TEXT NOT NULL,
    client_id TEXT NOT NULL, expires REAL, pair TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS projects (
    id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, team TEXT NOT NULL, name TEXT NOT NULL,
    settings TEXT, optimized INTEGER NOT NULL DEFAULT 0, plugin_config TEXT,
    capture_sample_schema TEXT, description TEXT NOT NULL DEFAULT '',
    lock_schema INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, last_modified TEXT NOT NULL,
    UNIQUE (team, name)
);
CREATE TABLE IF NOT EXISTS configurations (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    uuid TEXT NOT NULL, name TEXT NOT NULL, configuration TEXT,
    created_at TEXT NOT NULL, last_modified TEXT NOT NULL,
    UNIQUE (project_id, name), UNIQUE (project_id, uuid)
);
CREATE TABLE IF NOT EXISTS captures (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    uuid TEXT NOT NULL UNIQUE, name TEXT NOT NULL, file_key TEXT, format TEXT NOT NULL,
    file_size INTEGER NOT NULL, number_samples INTEGER NOT NULL, max_sequence INTEGER,
    set_sample_rate INTEGER, calculated_sample_rate REAL,
    configuration_id INTEGER REFERENCES configurations(id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, last_modified TEXT NOT NULL,
    UNIQUE (project_id, name)
);
CREATE INDEX IF NOT EXISTS captures_project ON captures(project_id);
CREATE TABLE IF NOT EXISTS labels (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    uuid TEXT NOT NULL UNIQUE, name TEXT NOT NULL, type TEXT NOT NULL,
    metadata INTEGER NOT NULL, is_dropdown INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, last_modified TEXT NOT NULL,
    UNIQUE (project_id, name)
);
CREATE TABLE IF NOT EXISTS label_values (
    id INTEGER PRIMARY KEY,
    label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
    uuid TEXT NOT NULL UNIQUE, value TEXT NOT NULL, color TEXT,
    created_at TEXT NOT NULL, last_modified TEXT NOT NULL,
    UNIQUE (label_id, value)
);
CREATE TABLE IF NOT EXISTS metadata_links (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
    label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
    value_id INTEGER NOT NULL REFERENCES label_values(id) ON DELETE CASCADE,
    uuid TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, last_modified TEXT NOT NULL,
    UNIQUE (capture_id, label_id)
);
CREATE INDEX IF NOT EXISTS metadata_links_project ON metadata_links(project_id);
CREATE TABLE IF NOT EXISTS segmenters (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES segmenters(id) ON DELETE CASCADE,
    name TEXT NOT NULL, function TEXT, parameters TEXT, custom INTEGER NOT NULL DEFAULT 0,
    preprocess TEXT, is_locked INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, last_modified TEXT NOT NULL,
    UNIQUE (project_id, name)
);
CREATE TABLE IF NOT EXISTS label_links (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
    label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
    value_id INTEGER NOT NULL REFERENCES label_values(id) ON DELETE CASCADE,
    segmenter_id INTEGER REFERENCES segmenters(id) ON DELETE CASCADE,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    uuid TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, last_modified TEXT NOT NULL,
    UNIQUE (capture_id, segmenter_id, label_id, value_id, start, "end")
);
CREATE INDEX IF NOT EXISTS label_links_project ON label_links(project_id);
"""


class Store:
    """SQLite records and capture files under one directory; safe to share across threads."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files = directory / FILES_DIR
        self.files.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._depth = 0
        self._db = sqlite3.connect(
            directory / DB_NAME, check_same_thread=False, isolation_level=None
        )
        self._db.row_factory = sqlite3.Row
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The connection, for reads (consistent: no writer runs meanwhile)."""
        with self._lock:
            yield self._db

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: committed on success, rolled back on any exception. Nested
        calls join the outer transaction."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._db
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    def file_path(self, key: str) -> Path:
        """Where the capture file with this storage key lives."""
        return self.files / key

    def remove_files(self, keys: list[str]) -> None:
        """Delete stored capture files (after the rows are gone); missing ones are fine."""
        for key in keys:
            self.file_path(key).unlink(missing_ok=True)


def one(db: sqlite3.Connection, sql: str, *args: Any) -> sqlite3.Row | None:
    """The first row of a query, or None."""
    row: sqlite3.Row | None = db.execute(sql, args).fetchone()
    return row


def all_rows(db: sqlite3.Connection, sql: str, *args: Any) -> list[sqlite3.Row]:
    """Every row of a query."""
    return list(db.execute(sql, args).fetchall())
