"""Run a command and report its wall time and peak RSS on the last line of stderr:
``BENCH {"seconds": s, "maxrss_kib": n}``.

    python bench/maxrss.py COMMAND [ARG...]

Why a launcher: on Linux a child's ``ru_maxrss`` starts from the memory of the process
that forked it (the high-water mark of the pre-exec image is kept), so a big benchmark
process would inflate the figure of every command it runs. Forked from this small
process instead, the command's figure is its own (plus at most this launcher's ~10 MB).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main() -> int:
    started = time.perf_counter()
    process = subprocess.Popen(sys.argv[1:])
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    result = {"seconds": seconds, "maxrss_kib": usage.ru_maxrss}
    sys.stderr.write("\nBENCH " + json.dumps(result) + "\n")
    return process.returncode


if __name__ == "__main__":
    sys.exit(main())
