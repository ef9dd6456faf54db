"""The stat-keyed hash cache: digests, sample counts, cache hits and recovery."""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest

from capdecl import hashing
from capdecl.hashing import CACHE_FILE, HashCache, UnreadableFileError, digest_files


def write(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def reference_rows(data: bytes) -> int:
    """The specification: non-blank lines (empty or a lone CR) after the header line."""
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    return max(0, len([line for line in lines if line not in (b"", b"\r")]) - 1)


def make_wav(path: Path, *, channels: int, width: int, frames: int) -> str:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(16000)
        w.writeframes(bytes(channels * width * frames))
    return str(path)


# ------------------------------------------------------------------ digests


def test_digests_match_hashlib_across_block_boundaries(tmp_path: Path) -> None:
    rng = random.Random(7)
    blobs = {
        "empty.csv": b"",
        "small.bin": b"hello",
        "exact.bin": rng.randbytes(hashing.BLOCK_SIZE),
        "large.bin": rng.randbytes(2 * hashing.BLOCK_SIZE + 12345),
    }
    paths = [write(tmp_path / name, data) for name, data in blobs.items()]
    digests = digest_files(paths, tmp_path / ".capdecl")
    for path, (name, data) in zip(paths, blobs.items(), strict=True):
        assert digests[path].sha256 == hashlib.sha256(data).hexdigest(), name
        assert digests[path].size == len(data), name
    assert digests[paths[1]].samples is None  # neither CSV nor WAV


def test_result_keys_are_the_paths_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "data" / "a.csv", b"x\n1\n")
    monkeypatch.chdir(tmp_path)
    digests = digest_files(["data/a.csv"], tmp_path / ".capdecl")
    assert list(digests) == ["data/a.csv"]
    assert digests["data/a.csv"].samples == 1


# ------------------------------------------------------------------ CSV rows

CSV_CASES = {
    "lf": (b"a,b\n1,2\n3,4\n", 2),
    "crlf": (b"a,b\r\n1,2\r\n3,4\r\n", 2),
    "no final newline": (b"a,b\n1,2\n3,4", 2),
    "crlf no final newline": (b"a,b\r\n1,2\r\n3,4", 2),
    "blank trailing lines": (b"a,b\n1,2\n3,4\n\n\n", 2),
    "blank trailing crlf lines": (b"a,b\r\n1,2\r\n\r\n\r\n", 1),
    "trailing lone cr": (b"a,b\n1,2\n\r", 1),
    "blank line inside": (b"a,b\n1,2\n\n3,4\n", 2),
    "leading blank lines": (b"\n\r\na,b\n1,2\n", 1),
    "header only": (b"a,b\n", 0),
    "header only no newline": (b"a,b", 0),
    "empty": (b"", 0),
    "only blank lines": (b"\n\n\r\n", 0),
}


@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_csv_rows(tmp_path: Path, case: str) -> None:
    data, expected = CSV_CASES[case]
    assert reference_rows(data) == expected  # the cases agree with the specification
    path = write(tmp_path / "c.csv", data)
    assert digest_files([path], tmp_path / ".capdecl")[path].samples == expected


@pytest.mark.parametrize("block_size", [1, 2, 3, 5])
def test_csv_rows_do_not_depend_on_block_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_size: int
) -> None:
    rng = random.Random(block_size)
    pieces = [b"1,2", b"", b"\r", b"33,4"]
    blobs = [
        b"a,b\n" + b"".join(rng.choice(pieces) + rng.choice([b"\n", b"\r\n"]) for _ in range(30))
        for _ in range(20)
    ]
    blobs = [blob[: rng.randrange(len(blob) + 1)] for blob in blobs]  # ragged endings
    paths = [write(tmp_path / f"r{i}.csv", blob) for i, blob in enumerate(blobs)]
    monkeypatch.setattr(hashing, "BLOCK_SIZE", block_size)
    digests = digest_files(paths, tmp_path / ".capdecl")
    for path, blob in zip(paths, blobs, strict=True):
        assert digests[path].samples == reference_rows(blob), blob
        assert digests[path].sha256 == hashlib.sha256(blob).hexdigest()


def test_upper_case_extension_still_counts_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "C.CSV", b"a\n1\n2\n")
    assert digest_files([path], tmp_path / ".capdecl")[path].samples == 2


# ------------------------------------------------------------------ WAV frames


@pytest.mark.parametrize(("channels", "width", "frames"), [(1, 2, 1000), (2, 2, 777), (1, 1, 5)])
def test_wav_frames_from_header(tmp_path: Path, channels: int, width: int, frames: int) -> None:
    path = make_wav(tmp_path / "s.wav", channels=channels, width=width, frames=frames)
    assert digest_files([path], tmp_path / ".capdecl")[path].samples == frames


def riff(*chunks: tuple[bytes, bytes], data_size: int | None = None) -> bytes:
    body = b"WAVE"
    for chunk_id, payload in chunks:
        size = data_size if chunk_id == b"data" and data_size is not None else len(payload)
        body += chunk_id + size.to_bytes(4, "little") + payload + b"\0" * (len(payload) & 1)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


FMT_STEREO16 = (
    (1).to_bytes(2, "little")  # PCM
    + (2).to_bytes(2, "little")
    + (8000).to_bytes(4, "little")
    + (32000).to_bytes(4, "little")
    + (4).to_bytes(2, "little")  # block_align
    + (16).to_bytes(2, "little")
)


def test_wav_chunk_walk_skips_odd_sized_chunks(tmp_path: Path) -> None:
    data = riff(
        (b"LIST", b"abc"), (b"fmt ", FMT_STEREO16), (b"junk", b"x" * 9), (b"data", bytes(40))
    )
    path = write(tmp_path / "w.wav", data)
    assert digest_files([path], tmp_path / ".capdecl")[path].samples == 10


def test_wav_oversized_data_chunk_is_clamped_to_the_file(tmp_path: Path) -> None:
    data = riff((b"fmt ", FMT_STEREO16), (b"data", bytes(40)), data_size=0xFFFFFFFF)
    path = write(tmp_path / "w.wav", data)
    assert digest_files([path], tmp_path / ".capdecl")[path].samples == 10


@pytest.mark.parametrize(
    "data",
    [b"not a wav at all", riff((b"data", bytes(8))), riff((b"fmt ", b"short"), (b"data", b""))],
    ids=["not riff", "data before fmt", "short fmt"],
)
def test_malformed_wav_has_unknown_samples(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path / "bad.wav", data)
    digest = digest_files([path], tmp_path / ".capdecl")[path]
    assert digest.samples is None
    assert digest.sha256 == hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------ the cache


def test_second_digest_of_1000_unchanged_files_opens_none(tmp_path: Path) -> None:
    paths = [write(tmp_path / "d" / f"f{i:04d}.csv", b"a\n%d\n" % i) for i in range(1000)]
    cache_dir = tmp_path / ".capdecl"
    with HashCache(cache_dir) as first:
        expected = first.digest(paths)
        assert (first.stats.misses, first.stats.files_opened) == (1000, 1000)
    with HashCache(cache_dir) as second:
        assert second.digest(paths) == expected
        assert second.stats.hits == 1000
        assert second.stats.misses == 0
        assert second.stats.files_opened == 0


def test_a_hit_never_reads_the_file(tmp_path: Path) -> None:
    """Same size, mtime and inode: the cached digest wins without reading (the contract)."""
    path = write(tmp_path / "a.csv", b"a\n1\n")
    cache_dir = tmp_path / ".capdecl"
    before = digest_files([path], cache_dir)[path]
    st = os.stat(path)
    with open(path, "r+b") as f:  # same inode, same size
        f.write(b"b\n2\n")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert digest_files([path], cache_dir)[path] == before


@pytest.mark.parametrize("edit", ["content and mtime", "size", "mtime only", "new inode"])
def test_stat_changes_are_misses(tmp_path: Path, edit: str) -> None:
    path = write(tmp_path / "a.csv", b"a\n1\n")
    cache_dir = tmp_path / ".capdecl"
    digest_files([path], cache_dir)
    st = os.stat(path)
    new = {"content and mtime": b"a\n7\n", "size": b"a\n1\n2\n"}.get(edit, b"a\n1\n")
    if edit == "new inode":
        os.rename(write(tmp_path / "other.csv", new), path)
    else:
        Path(path).write_bytes(new)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + (0 if edit == "new inode" else 10**6)))
    with HashCache(cache_dir) as cache:
        digest = cache.digest([path])[path]
        assert (cache.stats.hits, cache.stats.misses) == (0, 1)
    assert digest.sha256 == hashlib.sha256(new).hexdigest()
    assert digest.samples == reference_rows(new)


def test_racily_clean_files_on_coarse_clocks_are_not_cached(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", b"a\n1\n")
    whole_second = (time.time_ns() // 10**9) * 10**9
    os.utime(path, ns=(whole_second, whole_second))
    cache_dir = tmp_path / ".capdecl"
    digest_files([path], cache_dir)
    with HashCache(cache_dir) as cache:
        cache.digest([path])
        assert (cache.stats.hits, cache.stats.misses) == (0, 1)


def test_corrupt_database_is_recreated(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", b"a\n1\n")
    cache_dir = tmp_path / ".capdecl"
    cache_dir.mkdir()
    (cache_dir / CACHE_FILE).write_bytes(b"this is not an SQLite database" * 100)
    expected = hashlib.sha256(b"a\n1\n").hexdigest()
    assert digest_files([path], cache_dir)[path].sha256 == expected
    with HashCache(cache_dir) as cache:  # the recreated database works
        assert cache.digest([path])[path].sha256 == expected
        assert cache.stats.hits == 1


def test_old_schema_version_is_replaced(tmp_path: Path) -> None:
    cache_dir = tmp_path / ".capdecl"
    cache_dir.mkdir()
    with sqlite3.connect(cache_dir / CACHE_FILE) as db:
        db.execute("CREATE TABLE files (path TEXT)")
        db.execute("PRAGMA user_version=99")
    db.close()
    path = write(tmp_path / "a.csv", b"a\n1\n")
    digest_files([path], cache_dir)
    with HashCache(cache_dir) as cache:
        cache.digest([path])
        assert cache.stats.hits == 1


def test_unusable_cache_directory_still_digests(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    path = write(tmp_path / "a.csv", b"a\n1\n")
    with HashCache(blocker / ".capdecl") as cache:
        assert cache.digest([path])[path].samples == 1
        assert cache.digest([path])[path].samples == 1
        assert cache.stats.misses == 2  # nothing could be cached


def test_a_locked_database_does_not_block_digesting(tmp_path: Path) -> None:
    cache_dir = tmp_path / ".capdecl"
    a = write(tmp_path / "a.csv", b"a\n1\n")
    b = write(tmp_path / "b.csv", b"b\n1\n2\n")
    digest_files([a], cache_dir)
    other = sqlite3.connect(cache_dir / CACHE_FILE, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")  # another process writing
        with HashCache(cache_dir) as cache:
            assert cache.digest([a, b])[b].samples == 2
            assert (cache.stats.hits, cache.stats.misses) == (1, 1)  # readers still read
        other.execute("ROLLBACK")
    finally:
        other.close()
    with HashCache(cache_dir) as cache:
        cache.digest([a, b])
        # the locked write of b was skipped, not queued; a's row was kept
        assert (cache.stats.hits, cache.stats.misses) == (1, 1)


def test_unreadable_files_are_all_named(tmp_path: Path) -> None:
    good = write(tmp_path / "a.csv", b"a\n1\n")
    with pytest.raises(UnreadableFileError) as raised:
        digest_files([good, str(tmp_path / "gone.csv"), str(tmp_path)], tmp_path / ".capdecl")
    details = raised.value.details
    assert len(details) == 2
    assert details[0].startswith(str(tmp_path / "gone.csv") + ": No such file")
    assert details[1] == f"{tmp_path}: not a regular file"


def test_concurrent_processes_share_the_cache(tmp_path: Path) -> None:
    for i in range(300):
        write(tmp_path / "d" / f"f{i:03d}.csv", b"a\n%d\n" % i)
    script = (
        "import json, sys; from pathlib import Path; from capdecl.hashing import digest_files;"
        "paths = sorted(str(p) for p in Path(sys.argv[1]).glob('d/*.csv'));"
        "d = digest_files(paths, Path(sys.argv[1]) / '.capdecl');"
        "print(json.dumps({p: v.sha256 for p, v in d.items()}))"
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0]
    assert [err for _, err in outputs] == ["", "", ""]
    first = json.loads(outputs[0][0])
    assert len(first) == 300
    assert all(json.loads(out) == first for out, _ in outputs)
    with HashCache(tmp_path / ".capdecl") as cache:
        cache.digest(sorted(first))
        assert cache.stats.files_opened == 0
