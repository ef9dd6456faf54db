"""Drive a server with the official SensiML Python SDK (``sensiml`` 2024.2.0).

Runs under the SDK's own virtualenv (``make sdk-venv`` → ``.venv-sdk``), never capdecl's:
the SDK pins numpy<2 and friends. Used by the SDK conformance test (against the sandbox)
and reusable by benchmarks against any server:

    .venv-sdk/bin/python tests/sdk_scripts/sdk_workflow.py --url http://127.0.0.1:8000/ \\
        --project demo --data DIR [--username U --password P] [--configuration-uuid UUID] \\
        [--client-id ID --client-secret SECRET]

Steps: log in, create the project, create a capture configuration, upload every ``*.csv`` /
``*.wav`` of ``--data`` linked to it, list the captures, create a metadata name with a
value, list the metadata names. Prints one JSON object on stdout (uuids, names and per-step
seconds). The SDK writes its token file under the user config dir: point HOME (and
XDG_CONFIG_HOME) somewhere disposable.

OAuth client: the PyPI build of the SDK embeds SensiML Cloud's OAuth application, which a
Piccolo server does not know (its login fails with ``invalid_client``); the SDK shipped in
the Piccolo repository embeds Piccolo's "Piccolo AI SensiML Python Client" instead.
``--client-id``/``--client-secret`` swap the embedded pair before connecting, the one
change needed to point the PyPI SDK at a Piccolo server.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
from pathlib import Path
from typing import Any

CONFIGURATION = {
    "version": 3,
    "name": "SDK conformance device",
    "capture_sources": [
        {
            "name": "Motion (BMI160)",
            "sample_rate": 100,
            "sensors": [
                {
                    "type": "Accelerometer",
                    "parameters": [{"name": "Sensor Range", "value": 4, "num_bytes": 1}],
                    "column_count": 2,
                    "column_names": ["AccX", "AccY"],
                }
            ],
        }
    ],
}


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="server root, e.g. http://127.0.0.1:8000/")
    parser.add_argument("--username", default="piccolo@sensiml.com")
    parser.add_argument("--password", default="TinyML4Life")
    parser.add_argument("--project", required=True)
    parser.add_argument("--data", required=True, type=Path, help="folder of .csv/.wav files")
    parser.add_argument("--configuration-name", default="sdk device")
    parser.add_argument("--configuration-uuid", default=None)
    parser.add_argument("--sample-rate", type=int, default=100)
    parser.add_argument("--client-id", default=None, help="OAuth client id to log in with")
    parser.add_argument("--client-secret", default=None)
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """The workflow; returns what the SDK saw. SDK chatter on stdout is captured apart."""
    from sensiml.connection import Connection
    from sensiml.connection import connection as connection_module
    from sensiml.datamanager import Projects
    from sensiml.datamanager.metadata import Metadata
    from sensiml.datamanager.metadata_value import MetadataValue

    url = args.url if args.url.endswith("/") else args.url + "/"
    if args.client_id:
        connection_module.cid = args.client_id  # read by Connection.__init__
        connection_module.csid = args.client_secret or ""
    timings: dict[str, float] = {}

    def timed(step: str, started: float) -> None:
        timings[step] = round(time.perf_counter() - started, 4)

    started = time.perf_counter()
    connection = Connection(
        server=url,
        auth_url=url + "oauth/",
        username=args.username,
        password=args.password,
        insecure=True,
    )
    timed("login", started)

    started = time.perf_counter()
    project = Projects(connection).create_project(args.project)
    timed("create_project", started)

    started = time.perf_counter()
    configuration = project.capture_configurations.create_capture_configuration(
        args.configuration_name, CONFIGURATION, args.configuration_uuid
    )
    timed("create_configuration", started)

    files = sorted(p for p in args.data.iterdir() if p.suffix in (".csv", ".wav"))
    started = time.perf_counter()
    info = {"capture_configuration_uuid": configuration.uuid, "SampleRate": args.sample_rate}
    uploaded = [
        project.captures.create_capture(p.name, str(p), asynchronous=False, capture_info=info)
        for p in files
    ]
    timed("upload_captures", started)

    started = time.perf_counter()
    listed = project.captures.get_captures()
    timed("list_captures", started)

    started = time.perf_counter()
    metadata = Metadata(connection, project)
    metadata.name = "Subject"
    metadata.insert()
    value = MetadataValue(connection, project, metadata)
    value.value = "John"
    value.color = None  # MetadataValue.__init__ forgets _color (an SDK bug)
    value.insert()
    names = project.captures.get_metadata_names()
    timed("metadata", started)

    return {
        "project_uuid": project.uuid,
        "configuration_uuid": configuration.uuid,
        "uploaded": [c.uuid for c in uploaded],
        "captures": sorted(
            ({"name": c.filename, "uuid": c.uuid} for c in listed), key=lambda c: c["name"]
        ),
        "metadata_uuid": metadata.uuid,
        "metadata_value_uuid": value.uuid,
        "metadata_names": names,
        "timings": timings,
    }


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter):
        result = run(args)
    sys.stderr.write(chatter.getvalue())
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
