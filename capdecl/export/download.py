"""Fetch capture files concurrently (a bounded pool) with progress on stderr.

Each file is streamed by :meth:`ServerReader.download_capture`, which writes it whole or
not at all. One failed file does not stop the others: failures are collected and
reported together, and only the files that arrived are recorded in the ledger.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from capdecl.client.base import ServerReader
from capdecl.errors import CapdeclError
from capdecl.export.model import ExportCapture
from capdecl.render.text import format_size

REFRESH_SECONDS = 0.2  # terminal progress line: at most this often
LOG_STEPS = 10  # without a terminal: a line per tenth of the files


@dataclass
class DownloadResult:
    """Files that arrived (capture uuid -> bytes written) and those that did not."""

    done: dict[str, int] = field(default_factory=dict)
    failed: list[tuple[ExportCapture, str]] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        return sum(self.done.values())


class Progress:
    """``Downloading: 12/18 files, 1.2 MiB`` on stderr: rewritten in place on a terminal,
    else a line every tenth of the files. Thread-safe."""

    def __init__(
        self, files: int, stream: TextIO, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.files = files
        self.stream, self.clock = stream, clock
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.count = self.bytes = 0
        self.last = 0.0
        self.lock = threading.Lock()

    def line(self) -> str:
        return f"Downloading: {self.count}/{self.files} files, {format_size(self.bytes)}"

    def advance(self, nbytes: int) -> None:
        with self.lock:
            self.count += 1
            self.bytes += nbytes
            if self.tty:
                now = self.clock()
                if now - self.last >= REFRESH_SECONDS or self.count == self.files:
                    self.last = now
                    self.stream.write("\r" + self.line())
                    self.stream.flush()
            elif self._log_step():
                self.stream.write(self.line() + "\n")
                self.stream.flush()

    def _log_step(self) -> bool:
        step = max(1, -(-self.files // LOG_STEPS))
        return self.count % step == 0 or self.count == self.files

    def finish(self) -> None:
        if self.tty and self.count:
            self.stream.write("\n")
            self.stream.flush()


def download_all(
    reader: ServerReader,
    project_uuid: str,
    root: Path,
    captures: Sequence[ExportCapture],
    *,
    parallelism: int,
    progress: Progress,
) -> DownloadResult:
    """Download every capture to ``root / capture.file``."""
    result = DownloadResult()

    def fetch(capture: ExportCapture) -> int | str:
        try:
            written = reader.download_capture(project_uuid, capture.uuid, root / capture.file)
        except (CapdeclError, OSError) as error:
            return str(error)
        progress.advance(written)
        return written

    for capture, outcome in _parallel(parallelism, captures, fetch):
        if isinstance(outcome, int):
            result.done[capture.uuid] = outcome
        else:
            result.failed.append((capture, outcome))
    progress.finish()
    result.failed.sort(key=lambda item: item[0].file)
    return result


def _parallel(
    parallelism: int,
    items: Sequence[ExportCapture],
    work: Callable[[ExportCapture], int | str],
) -> Iterator[tuple[ExportCapture, int | str]]:
    """``(item, work(item))`` in completion order on at most ``parallelism`` threads;
    an unexpected exception cancels what has not started and propagates."""
    if not items:
        return
    with ThreadPoolExecutor(max_workers=max(1, min(parallelism, len(items)))) as pool:
        futures: dict[Future[int | str], ExportCapture] = {
            pool.submit(work, item): item for item in items
        }
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()
