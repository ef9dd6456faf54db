"""Apply reporters: how the executor tells the user what it did, as it does it.

The executor calls :meth:`Reporter.step` once per completed or failed step,
:meth:`Reporter.progress` after every finished upload, and :meth:`Reporter.finish` once.
Calls can come from several threads; both implementations serialise them with a lock.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Protocol, TextIO

from capdecl.apply.model import ApplyResult, StepEvent

_PAST = {"create": "created", "update": "updated", "replace": "replaced", "delete": "destroyed"}
_SYMBOL = {"create": "+", "update": "~", "replace": "-/+", "delete": "-"}
_UNITS = ("KiB", "MiB", "GiB", "TiB")
_CLEAR_LINE = "\r\x1b[K"


class Reporter(Protocol):
    """Receives apply events (thread-safe implementations only)."""

    def step(self, event: StepEvent) -> None: ...

    def progress(
        self, done_files: int, total_files: int, done_bytes: int, total_bytes: int
    ) -> None:
        """Upload progress; called once before the first upload and after each one."""
        ...

    def finish(self, result: ApplyResult) -> None: ...


def format_size(size: int) -> str:
    """Binary units with one decimal: ``512 B``, ``12.4 KiB``, ``3.0 MiB``."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in _UNITS:
        value /= 1024
        if value < 1024 or unit == _UNITS[-1]:
            break
    return f"{value:.1f} {unit}"


def format_duration(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss``."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def step_line(event: StepEvent) -> str:
    """One human line per event, e.g. ``+ capture "a.csv" created (12.4 KiB)``."""
    if event.status == "failed":
        return f"! {event.failure.step} failed: {event.failure.cause}"
    symbol = _SYMBOL.get(event.action, "*")
    past = _PAST.get(event.action, event.action)
    detail = ""
    if event.fields:
        detail = f" ({', '.join(event.fields)})"
    elif event.size is not None:
        detail = f" ({format_size(event.size)})"
    return f"{symbol} {event.address} {past}{detail}"


def summary_lines(result: ApplyResult) -> list[str]:
    """The closing lines: counts, or the failed-step count and every failure."""
    if result.ok:
        c = result.counts
        return [
            f"Apply complete: {c.get('added', 0)} added, {c.get('changed', 0)} changed, "
            f"{c.get('replaced', 0)} replaced, {c.get('destroyed', 0)} destroyed."
        ]
    lines = [f"Apply failed: {result.failed_steps} of {result.steps} steps failed."]
    lines.extend(f"  {failure.step}: {failure.cause}" for failure in result.failures)
    return lines


class HumanReporter:
    """Plain text. On a TTY a live progress line (files, bytes, rate, ETA) is rewritten
    in place; otherwise a progress line is printed every ``interval`` seconds and when
    the uploads are done."""

    def __init__(
        self,
        stream: TextIO,
        tty: bool,
        *,
        clock: Callable[[], float] = time.monotonic,
        interval: float = 10.0,
    ) -> None:
        self._stream = stream
        self._tty = tty
        self._clock = clock
        self._interval = interval
        self._lock = threading.Lock()
        self._live = ""  # the progress line currently shown on the TTY
        self._started: float | None = None
        self._last_line: float | None = None
        self._printed = False

    def step(self, event: StepEvent) -> None:
        with self._lock:
            self._hide()
            self._write(step_line(event) + "\n")
            self._printed = True
            self._show()

    def progress(
        self, done_files: int, total_files: int, done_bytes: int, total_bytes: int
    ) -> None:
        with self._lock:
            now = self._clock()
            if self._started is None or done_files == 0:
                self._started = self._last_line = now
            elapsed = now - self._started
            if done_files >= total_files:
                self._hide()
                self._live = ""
                size = format_size(done_bytes)
                took = format_duration(elapsed)
                self._write(f"Uploaded {done_files}/{total_files} files ({size}) in {took}.\n")
                return
            line = _progress_line(done_files, total_files, done_bytes, total_bytes, elapsed)
            if self._tty:
                self._live = line
                self._write(_CLEAR_LINE + line)
            elif done_files and now - (self._last_line or now) >= self._interval:
                self._last_line = now
                self._write(line + "\n")

    def finish(self, result: ApplyResult) -> None:
        with self._lock:
            self._hide()
            self._live = ""
            if self._printed:
                self._write("\n")
            self._write("\n".join(summary_lines(result)) + "\n")

    def _hide(self) -> None:
        if self._tty and self._live:
            self._write(_CLEAR_LINE)

    def _show(self) -> None:
        if self._tty and self._live:
            self._write(self._live)

    def _write(self, text: str) -> None:
        self._stream.write(text)
        self._stream.flush()


def _progress_line(
    done_files: int, total_files: int, done_bytes: int, total_bytes: int, elapsed: float
) -> str:
    line = (
        f"Uploading: {done_files}/{total_files} files, "
        f"{format_size(done_bytes)} of {format_size(total_bytes)}"
    )
    if elapsed > 0 and done_bytes > 0:
        rate = done_bytes / elapsed
        eta = (total_bytes - done_bytes) / rate
        line += f", {format_size(int(rate))}/s, ETA {format_duration(eta)}"
    return line


class JsonReporter:
    """One JSON object per line: ``step`` and ``progress`` events, then a ``summary``."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def step(self, event: StepEvent) -> None:
        self._emit(
            {
                "type": "step",
                "action": event.action,
                "kind": event.kind,
                "name": event.name,
                "status": event.status,
                "step": event.step or None,
                "error": event.error,
                "size": event.size,
                "fields": list(event.fields),
            }
        )

    def progress(
        self, done_files: int, total_files: int, done_bytes: int, total_bytes: int
    ) -> None:
        self._emit(
            {
                "type": "progress",
                "done_files": done_files,
                "total_files": total_files,
                "done_bytes": done_bytes,
                "total_bytes": total_bytes,
            }
        )

    def finish(self, result: ApplyResult) -> None:
        self._emit(
            {
                "type": "summary",
                "status": "ok" if result.ok else "failed",
                "counts": dict(result.counts),
                "steps": result.steps,
                "failed_steps": result.failed_steps,
                "written": result.written,
                "failures": [{"step": f.step, "cause": f.cause} for f in result.failures],
            }
        )

    def _emit(self, body: dict[str, object]) -> None:
        line = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()
