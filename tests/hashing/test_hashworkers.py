"""Cold hashing shared with worker processes gives exactly what the thread pool gives."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

from capdecl import hashing, hashworkers
from capdecl.hashing import HashCache
from capdecl.state import FileDigest


@pytest.fixture
def many_files(tmp_path: Path) -> list[str]:
    """CSVs with LF, CRLF and blank lines, a WAV-less binary, and one unreadable path."""
    bodies = [
        b"a,b\n1,2\n3,4\n",
        b"a,b\r\n1,2\r\n\r\n3,4",
        b"a\n\n\n1\n",
        b"",
        b"x" * 5000,
    ]
    paths = []
    for index in range(40):
        suffix = ".bin" if index % 5 == 4 else ".csv"
        path = tmp_path / "data" / f"f{index:02d}{suffix}"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(bodies[index % 5] + str(index).encode())
        paths.append(str(path))
    paths.append(str(tmp_path / "data" / "missing.csv"))
    return paths


def digest(
    paths: list[str], cache_dir: Path, workers: int
) -> tuple[dict[str, FileDigest], dict[str, str]]:
    with HashCache(cache_dir) as cache:
        return cache.try_digest(paths, workers=workers)


def test_workers_match_threads(
    many_files: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = digest(many_files, tmp_path / "threads", workers=1)
    monkeypatch.setattr(hashing, "PROCESS_MIN_FILES", 1)
    monkeypatch.setattr(hashworkers, "START_COST_FILES", 0)
    shared = digest(many_files, tmp_path / "workers", workers=3)  # two worker processes
    assert shared == threads
    digests, problems = shared
    assert list(problems) == [many_files[-1]]
    first = Path(many_files[0]).read_bytes()
    assert digests[many_files[0]].sha256 == hashlib.sha256(first).hexdigest()
    assert digests[many_files[1]].samples == 2  # CRLF with a blank line, no final newline
    with HashCache(tmp_path / "workers") as cache:  # the workers' digests were cached
        cache.digest(many_files[:-1], workers=3)
        assert (cache.stats.hits, cache.stats.misses) == (40, 0)


def test_a_worker_that_cannot_start_is_replaced_by_this_thread(
    many_files: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = digest(many_files, tmp_path / "threads", workers=1)
    monkeypatch.setattr(hashing, "PROCESS_MIN_FILES", 1)
    monkeypatch.setattr(hashworkers, "START_COST_FILES", 0)
    monkeypatch.setattr(sys, "executable", os.devnull)  # not an interpreter
    assert digest(many_files, tmp_path / "fallback", workers=2) == threads
