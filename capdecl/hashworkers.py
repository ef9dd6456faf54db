"""Cold-cache hashing in worker processes, for many small files.

Per small file, Python's own work (open, stat, row counting) outweighs SHA-256 and holds
the GIL, so a thread pool cannot use a second core; worker processes can. Each worker is
``python -m capdecl.hashworkers``: it reads a JSON list of absolute paths on stdin and
writes a JSON list of outcomes on stdout, hashing with the very function the thread pool
uses. Plain subprocesses, not ``multiprocessing``: nothing of the caller's program is
re-imported or pickled, and a caller that runs threads is never forked.

:func:`run_workers` hashes in the calling thread too; the share of a worker that cannot
run (no interpreter to start, a failure) is hashed there as well. Workers may be started
early (:func:`start_workers`), while the caller is still working out what to hash.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from capdecl.hashing import Outcome

log = logging.getLogger(__name__)

# [path, sha256, size, samples, [size, mtime_ns, inode] or null, error or null]
Encoded = list[Any]
START_COST_FILES = 1500  # a worker's start-up (interpreter, imports, JSON) in files hashed


class Worker:
    """One worker process, started before its share is known: its interpreter start-up
    and imports then overlap the caller's own ``stat`` pass.

    Its share goes in with one blocking write and its answer comes back with one
    blocking read, both in the caller's thread (no helper thread that would need the
    GIL while the caller hashes); stderr goes to a file, which never fills."""

    def __init__(self) -> None:
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by collect or close)
        self.process: subprocess.Popen[bytes] | None
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", __name__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.stderr,
            )
        except OSError as error:
            log.debug("hash worker could not start: %s", error)
            self.process = None

    def send(self, paths: list[str]) -> None:
        """Hand over the share (the worker starts hashing once it has read it all)."""
        if self.process is None or self.process.stdin is None:
            return
        try:
            with self.process.stdin:
                self.process.stdin.write(json.dumps(paths).encode())
        except OSError as error:  # the worker died
            log.debug("hash worker does not read: %s", error)

    def collect(self, count: int) -> list[Encoded] | None:
        """The worker's answer for its ``count`` paths; None when it failed."""
        with self.stderr:
            if self.process is None or self.process.stdout is None:
                return None
            with self.process.stdout:
                stdout = self.process.stdout.read()
            if self.process.wait() != 0:
                self.stderr.seek(0)
                log.debug("hash worker failed: %s", self.stderr.read()[-2000:])
                return None
        try:
            answer: list[Encoded] = json.loads(stdout)
        except ValueError:
            log.debug("hash worker answered garbage")
            return None
        return answer if len(answer) == count else None

    def close(self) -> None:
        """Stop a worker that got no share (an empty list: it exits at once)."""
        if self.process is not None and self.process.returncode is None:
            self.send([])
            self.collect(0)
        self.stderr.close()


def start_workers(count: int) -> list[Worker]:
    return [Worker() for _ in range(count)]


def run_workers(
    paths: list[str],
    hash_here: Callable[[list[str]], list[Outcome]],
    workers: list[Worker],
    *,
    head_start: bool = False,
) -> Iterator[list[Outcome]]:
    """Hash ``paths`` with the worker processes and, meanwhile, in this thread with
    ``hash_here``, which takes a bigger share to make up for the workers' start-up
    (smaller with a ``head_start``) and takes over the share of a worker that fails.

    Yields this thread's outcomes first, then each worker's: the caller can store the
    first while the workers finish."""
    cost = START_COST_FILES // 3 if head_start else START_COST_FILES
    each = max(0, (len(paths) - cost) // (len(workers) + 1))
    shares = [paths[k * each : (k + 1) * each] for k in range(len(workers))]
    for worker, share in zip(workers, shares, strict=True):
        worker.send(share)
    yield hash_here(paths[len(workers) * each :])
    for worker, share in zip(workers, shares, strict=True):
        encoded = worker.collect(len(share))
        yield hash_here(share) if encoded is None else _decode(encoded)


def _decode(encoded: list[Encoded]) -> list[Outcome]:
    from capdecl.hashing import StatKey
    from capdecl.state import FileDigest

    outcomes: list[Outcome] = []
    for path, sha256, size, samples, key, error in encoded:
        if error is not None:
            outcomes.append((path, None, None, error))
            continue
        cache_key = StatKey(path, *key) if key is not None else None
        outcomes.append((path, FileDigest(sha256, size, samples), cache_key, None))
    return outcomes


def _encode(outcome: Outcome) -> Encoded:
    path, digest, key, error = outcome
    if digest is None:
        return [path, None, None, None, None, error]
    stat = [key.size, key.mtime_ns, key.inode] if key is not None else None
    return [path, digest.sha256, digest.size, digest.samples, stat, None]


def main() -> None:
    """The worker: paths on stdin, outcomes on stdout (both JSON)."""
    from capdecl.hashing import hash_chunk

    paths = json.loads(sys.stdin.buffer.read())
    # one dumps and one write: json.dump would encode piece by piece in Python
    sys.stdout.write(json.dumps([_encode(outcome) for outcome in hash_chunk(paths)]))


if __name__ == "__main__":
    main()
    # The answer is out: end now, as multiprocessing's workers do, instead of tearing
    # the interpreter down (~10 ms the caller would spend waiting for end of file).
    sys.stdout.flush()
    os._exit(0)
