"""Run a capdecl sandbox in its own process for the benchmarks, controlled over stdin.

    python bench/sandbox_host.py STATE_DIR

The server runs in this process so it never competes for the measuring process's GIL.
It prints its URL as the first line of stdout, then answers one JSON line per command
line read from stdin:

- ``stats``: ``{"requests": {"METHOD /template/": n, ...}, "faults": {...}}``
- ``reset``: zeroes the counters, answers ``{"ok": true}``
- ``quit`` (or end of input): stops the server and exits.

Fault injection is off whatever ``CAPDECL_SANDBOX_FAULTS`` says.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from capdecl.sandbox.faults import FaultConfig
from capdecl.sandbox.run import running_sandbox


def serve(directory: Path) -> None:
    """Serve until ``quit`` or end of input, answering the commands."""
    with running_sandbox(directory, faults=FaultConfig()) as handle:
        print(handle.url, flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "stats":
                stats = handle.stats()
                answer: dict[str, object] = {"requests": dict(stats), "faults": stats.faults}
            elif command == "reset":
                handle.reset_stats()
                answer = {"ok": True}
            elif command == "quit":
                break
            else:
                answer = {"error": f"unknown command {command!r}"}
            print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    serve(Path(sys.argv[1]).absolute())
