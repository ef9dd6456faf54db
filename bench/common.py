"""What every benchmark shares: the sandbox in its own process, child processes measured
with their own resource usage, timing helpers and the result rows of the table."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENV_BIN = Path(sys.executable).parent
CAPDECL = str(VENV_BIN / "capdecl")


@dataclass
class Row:
    """One line of the results table: a target, what was measured, the ratio that decides
    it, its limit and whether it holds (``ratio <= limit``)."""

    target: str
    figures: str
    ratio: float
    limit: float
    unit: str = "x"
    at_least: bool = False  # the ratio must reach the limit (a speed-up), not stay under it

    @property
    def holds(self) -> bool:
        return self.ratio >= self.limit if self.at_least else self.ratio <= self.limit

    @property
    def bound(self) -> str:
        return f"{'>=' if self.at_least else '<='} {self.limit:g}{self.unit}"


@dataclass
class Report:
    """Rows plus free-text notes (setup times, request breakdowns) for results.md."""

    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        mark = "yes" if row.holds else "NO"
        print(f"  -> {row.target}: {row.figures}", flush=True)
        print(f"     ratio {row.ratio:.2f}{row.unit}, limit {row.bound}: {mark}", flush=True)

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  .. {text}", flush=True)


class Sandbox:
    """``bench/sandbox_host.py`` in a child process: the server never shares the measuring
    process's GIL. Stats and resets go over the child's stdin, not HTTP, so they are not
    counted as requests."""

    def __init__(self, directory: Path) -> None:
        self._process = subprocess.Popen(
            [sys.executable, str(BENCH / "sandbox_host.py"), str(directory)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=clean_env(),
        )
        assert self._process.stdout is not None
        self.url = self._process.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.close()
            raise RuntimeError(f"the sandbox did not start: {self.url!r}")

    def _command(self, command: str) -> dict[str, Any]:
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        stdin.write(command + "\n")
        stdin.flush()
        answer: dict[str, Any] = json.loads(stdout.readline())
        return answer

    def requests(self) -> dict[str, int]:
        """Requests counted since the last reset, by ``METHOD /template/``."""
        counts: dict[str, int] = self._command("stats")["requests"]
        return counts

    def reset(self) -> None:
        self._command("reset")

    def token(self) -> str:
        """A pre-issued access token (password grant with the sandbox's default login)."""
        from capdecl import sandbox

        answer = requests.post(
            self.url + "oauth/token/",
            data={
                "grant_type": "password",
                "username": sandbox.DEFAULT_USERNAME,
                "password": sandbox.DEFAULT_PASSWORD,
                "client_id": sandbox.SDK_CLIENT_ID,
                "client_secret": sandbox.SDK_CLIENT_SECRET,
            },
            timeout=30,
        )
        answer.raise_for_status()
        token: str = answer.json()["access_token"]
        return token

    def close(self) -> None:
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.write("quit\n")
            self._process.stdin.close()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any CAPDECL_* variable (no stray server, credentials or
    fault injection), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAPDECL_")}
    env.update(extra)
    return env


@dataclass(frozen=True)
class Child:
    """A finished child process: wall seconds, peak RSS (KiB, ``ru_maxrss`` of that child
    alone), exit status and what it printed."""

    seconds: float
    maxrss_kib: int
    returncode: int
    stdout: str
    stderr: str


def run_child(
    argv: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    keep_stdout: bool = True,
    check: bool = True,
) -> Child:
    """Run ``argv`` and measure it with ``os.wait4``: wall time and the peak RSS of that
    child alone. Output goes to temporary files (no pipe to drain while waiting)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(argv),
            env=env if env is not None else clean_env(),
            cwd=cwd,
            stdout=out if keep_stdout else subprocess.DEVNULL,
            stderr=err,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        child = Child(seconds, usage.ru_maxrss, process.returncode, out.read(), err.read())
    if check and child.returncode != 0:
        command = " ".join(str(a) for a in argv[:4])
        raise RuntimeError(f"{command} ... exited {child.returncode}:\n{child.stderr[-3000:]}")
    return child


def run_measured(argv: Sequence[str], **options: Any) -> Child:
    """:func:`run_child` through ``bench/maxrss.py``, for a peak RSS that is the
    command's own (see there); wall time is measured by the launcher too."""
    child = run_child([sys.executable, str(BENCH / "maxrss.py"), *argv], **options)
    stderr, _, last = child.stderr.rstrip().rpartition("\nBENCH ")
    figures = json.loads(last)
    return Child(figures["seconds"], figures["maxrss_kib"], child.returncode, child.stdout, stderr)


def cold_apply(sandbox: Sandbox, token: str, directory: Path) -> tuple[float, int]:
    """``capdecl apply --yes`` of a manifest directory with no hash cache, as a child
    process with a pre-issued token: (seconds, requests the sandbox counted)."""
    shutil.rmtree(directory / ".capdecl", ignore_errors=True)
    sandbox.reset()
    child = run_child(
        [CAPDECL, "apply", str(directory), "--server", sandbox.url, "--yes"],
        env=clean_env(CAPDECL_TOKEN=token),
        keep_stdout=False,
    )
    return child.seconds, sum(sandbox.requests().values())


def timed(function: Callable[[], Any]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def best(samples: Iterable[float]) -> float:
    return min(samples)


def median(samples: Iterable[float]) -> float:
    return statistics.median(samples)


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def read_json_line(text: str) -> dict[str, Any]:
    """The last JSON object printed on ``text`` (scripts print one at the end)."""
    start = text.index("{")
    value: dict[str, Any] = json.loads(text[start:])
    return value
