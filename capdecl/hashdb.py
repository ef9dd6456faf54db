"""The hash cache's SQLite file: opening it (WAL, short busy timeout, schema version
checked and recreated when it differs) and deleting it when it is corrupt."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from pathlib import Path

log = logging.getLogger("capdecl.hashing")

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 0.5


def connect(path: Path) -> sqlite3.Connection:
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


def remove_db_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(f"{path}{suffix}")
        except FileNotFoundError:
            pass
        except OSError as error:
            log.debug("cannot remove %s%s: %s", path, suffix, error)
