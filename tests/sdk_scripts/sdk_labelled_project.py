"""Build a project with metadata on its captures using only the official SensiML SDK.

Runs under the SDK's own virtualenv, like ``sdk_workflow.py``, whose steps it reuses (log
in, create the project and a capture configuration, upload every file of ``--data``,
create the metadata name "Subject" with the value "John"), then gives captures metadata
the SDK way: a metadata name per key (``Metadata.insert``), a value per distinct value
(``MetadataValue.insert``) and one ``MetadataRelationship.insert`` per capture and name.

    .venv-sdk/bin/python tests/sdk_scripts/sdk_labelled_project.py --url URL \\
        --project NAME --data DIR --labels '{"walk.csv": {"Subject": "John"}}' \\
        [--client-id ID --client-secret SECRET]

Prints one JSON object on stdout: sdk_workflow's result plus ``labels`` (the metadata
set, by capture name). Used by the export tests: a project capdecl never wrote to.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import sdk_workflow  # the sibling script (its directory is on sys.path)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--username", default="piccolo@sensiml.com")
    parser.add_argument("--password", default="TinyML4Life")
    parser.add_argument("--project", required=True)
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--labels", required=True, help="JSON: capture name -> {name: value}")
    parser.add_argument("--configuration-name", default="sdk device")
    parser.add_argument("--configuration-uuid", default=None)
    parser.add_argument("--sample-rate", type=int, default=100)
    parser.add_argument("--client-id", default=None)
    parser.add_argument("--client-secret", default=None)
    return parser.parse_args(argv)


def label(args: argparse.Namespace, result: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Set the metadata of ``--labels`` on the uploaded captures, with SDK objects."""
    from sensiml.connection import Connection
    from sensiml.datamanager.metadata import Metadata
    from sensiml.datamanager.metadata_relationship import MetadataRelationship
    from sensiml.datamanager.metadata_value import MetadataValue
    from sensiml.datamanager.project import Project

    url = args.url if args.url.endswith("/") else args.url + "/"
    connection = Connection(
        server=url,
        auth_url=url + "oauth/",
        username=args.username,
        password=args.password,
        insecure=True,
    )
    project = Project(connection)  # Projects.get_project_by_name also builds a query profile
    project.uuid, project.name = result["project_uuid"], args.project
    wanted: dict[str, dict[str, str]] = json.loads(args.labels)
    captures = {c["name"]: c["uuid"] for c in result["captures"]}

    subject = Metadata(connection, project)
    subject.uuid, subject.name = result["metadata_uuid"], "Subject"
    names: dict[str, Any] = {"Subject": subject}
    values: dict[tuple[str, str], str] = {("Subject", "John"): result["metadata_value_uuid"]}
    for capture_name, metadata in sorted(wanted.items()):
        for key, text in sorted(metadata.items()):
            if key not in names:
                created = Metadata(connection, project)
                created.name = key
                created.insert()
                names[key] = created
            if (key, text) not in values:
                value = MetadataValue(connection, project, names[key])
                value.value = text
                value.color = None  # MetadataValue.__init__ forgets _color (an SDK bug)
                value.insert()
                values[key, text] = value.uuid
            link = MetadataRelationship(
                connection, project, captures[capture_name], names[key].uuid, values[key, text]
            )
            link.insert()
    return wanted


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter):
        result = sdk_workflow.run(args)
        result["labels"] = label(args, result)
    sys.stderr.write(chatter.getvalue())
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
