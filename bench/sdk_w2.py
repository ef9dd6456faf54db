"""W2 with the official SensiML SDK: run under the SDK's virtualenv (``make sdk-venv``).

    .venv-sdk/bin/python bench/sdk_w2.py --url URL --project NAME --data DIR \
        --labels-file LABELS.json --client-id ID --client-secret SECRET

Reuses ``tests/sdk_scripts``: :func:`sdk_workflow.run` logs in, creates the project and a
capture configuration and uploads every file of ``--data`` with ``create_capture`` (one at a
time, linked to the configuration); :func:`sdk_labelled_project.label` then gives every
capture its metadata the SDK way: ``Metadata.insert`` per name, ``MetadataValue.insert``
per distinct value and one ``MetadataRelationship.insert`` per capture and name. The
labels come from a file (1,000 captures do not fit in one command-line argument).

Prints one JSON object: the SDK import time, the work time and the per-step timings.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from pathlib import Path

started = time.perf_counter()
SCRIPTS = Path(__file__).resolve().parent.parent / "tests" / "sdk_scripts"
sys.path.insert(0, str(SCRIPTS))

import sdk_labelled_project  # noqa: E402
import sdk_workflow  # noqa: E402


def main(argv: list[str]) -> int:
    labels_file = Path(argv[argv.index("--labels-file") + 1])
    rest = [
        a for i, a in enumerate(argv) if a != "--labels-file" and argv[i - 1] != "--labels-file"
    ]
    args = sdk_labelled_project._arguments([*rest, "--labels", "{}"])
    args.labels = labels_file.read_text(encoding="utf-8")
    import sensiml.connection  # noqa: F401  (the SDK's import cost, measured apart)

    imported = time.perf_counter()
    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter):
        result = sdk_workflow.run(args)
        labels = sdk_labelled_project.label(args, result)
    done = time.perf_counter()
    summary = {
        "import_seconds": round(imported - started, 3),
        "work_seconds": round(done - imported, 3),
        "captures": len(result["uploaded"]),
        "links": sum(len(v) for v in labels.values()),
        "timings": result["timings"],
    }
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
