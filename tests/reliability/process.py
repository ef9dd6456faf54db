"""Running the ``capdecl`` CLI in a child process with bounded time and memory.

The memory limit (``RLIMIT_AS``) is set by the child itself, in a tiny launcher, because a
``preexec_fn`` is not safe in a process that runs threads (the sandbox does).
``RELIABILITY_GLOB_LIMIT`` lowers the glob walker's cap on directory entries, so a "huge"
tree can be small in a test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass

TIME_LIMIT = 10.0  # seconds, process start to exit
MEMORY_LIMIT = 1 << 30  # bytes of address space

LAUNCHER = f"""
import os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))
if os.environ.get("RELIABILITY_GLOB_LIMIT"):
    import capdecl.manifest.paths as paths
    paths.walk_glob.__defaults__ = (int(os.environ["RELIABILITY_GLOB_LIMIT"]),)
from capdecl.cli import main
sys.argv[0] = "capdecl"
main()
"""


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def assert_clear_error(self, fragment: str) -> None:
        """Exit 1; stdout empty unless given; ``Error: ...`` then indented details on
        stderr; no traceback; ``fragment`` named."""
        assert "Traceback" not in self.stderr, self.stderr
        assert self.returncode == 1, self.stderr
        lines = self.stderr.splitlines()
        errors = [i for i, line in enumerate(lines) if line.startswith("Error: ")]
        assert len(errors) == 1, self.stderr
        assert all(line.startswith("  ") for line in lines[errors[0] + 1 :]), self.stderr
        assert fragment in self.stderr, self.stderr
        assert self.seconds < TIME_LIMIT


def clean_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The test's environment without CAPDECL_* and RELIABILITY_* variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAPDECL_", "RELIABILITY_"))}
    env.update(NO_COLOR="1", HOME=env.get("HOME", "/nonexistent"))
    env.update(extra)
    return env


def run_cli(*args: str, env: Mapping[str, str], timeout: float = TIME_LIMIT * 3) -> Outcome:
    """``capdecl ARGS`` under the memory limit; its exit status, output and duration."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *args],
        env=dict(env),
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
    )
    return Outcome(done.returncode, done.stdout, done.stderr, time.monotonic() - started)
