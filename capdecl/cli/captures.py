"""``capdecl captures list``: the live captures with their metadata, filtered.

Also home of what the read commands (``captures``, ``stats``, ``show``) share: the
DIR / ``--project`` / ``--server`` options and the one ``read_state`` they make.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from capdecl.cli.options import format_option, server_options
from capdecl.errors import CapdeclError

if TYPE_CHECKING:
    from capdecl.export.queries import CaptureRow
    from capdecl.state import LiveState

F = TypeVar("F", bound=Callable[..., Any])
MISSING = "-"


def target_options(func: F) -> F:
    """``[DIR]``, ``--project NAME``, ``--server URL`` and ``--insecure``."""
    func = server_options(func)
    func = click.option(
        "--project",
        metavar="NAME",
        help="Server project (default: `project:` of the manifests in DIR).",
    )(func)
    return click.argument(
        "directory",
        default=".",
        type=click.Path(file_okay=False, exists=True, path_type=Path),
    )(func)


def where_option(func: F) -> F:
    return click.option(
        "--where",
        multiple=True,
        metavar="KEY=VALUE",
        help="Only captures whose metadata KEY is VALUE (KEY!=VALUE: is not; an empty "
        "VALUE means unset). Repeat to combine (all must hold).",
    )(func)


def read_live(
    directory: Path, project: str | None, server: str | None, insecure: bool
) -> tuple[LiveState, str]:
    """The live project (one read_state) and the server's public URL."""
    from capdecl import workflow
    from capdecl.client.connect import open_client
    from capdecl.export.target import resolve_target

    target = resolve_target(directory, project, server)
    public = workflow.public_url(target.server)
    with open_client(target.server, insecure=insecure) as client:
        live = client.read_state(target.project)
    if live.project is None:
        raise CapdeclError(
            f'project "{target.project}" was not found on {public}',
            ["project names are case-sensitive; check the name and the account"],
        )
    return live, public


def filtered_rows(live: LiveState, where: Sequence[str]) -> list[CaptureRow]:
    """The captures the ``--where`` conditions select; a condition naming a metadata
    name the project lacks is an error (with a did-you-mean)."""
    from capdecl.export.queries import capture_rows, check_keys, matching, parse_where

    conditions = parse_where(where)
    check_keys([c.key for c in conditions], [m.name for m in live.metadata], "--where")
    return matching(capture_rows(live), conditions)


@click.group("captures")
def captures() -> None:
    """Query the live captures of a project."""


@captures.command("list")
@target_options
@where_option
@format_option(("table", "json", "csv"), "table")
def list_captures(
    directory: Path,
    project: str | None,
    server: str | None,
    insecure: bool,
    where: tuple[str, ...],
    output_format: str,
) -> None:
    """List the captures of the project with their configuration, sample rate, size and
    metadata, optionally filtered by metadata (--where)."""
    from capdecl.export.queries import parse_where

    parse_where(where)  # malformed conditions fail before any request
    live, _ = read_live(directory, project, server, insecure)
    rows = filtered_rows(live, where)
    names = sorted({m.name for m in live.metadata})
    if output_format == "json":
        project_name = live.project.name if live.project else None
        body = {"project": project_name, "captures": [_json_row(r) for r in rows]}
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
    elif output_format == "csv":
        click.echo(csv_text(rows, names), nl=False)
    else:
        click.echo(table_text(rows, names), nl=False)
        total = len(live.captures)
        shown = f"{len(rows)} of {total}" if where else str(total)
        click.echo(f"{shown} capture{'' if total == 1 else 's'}")


def _json_row(row: CaptureRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "uuid": row.uuid,
        "configuration": row.configuration,
        "sample_rate": row.sample_rate,
        "samples": row.samples,
        "size": row.size,
        "seconds": None if row.seconds is None else round(row.seconds, 3),
        "metadata": dict(row.metadata),
    }


def table_text(rows: Sequence[CaptureRow], names: Sequence[str]) -> str:
    """The aligned table: name, configuration, rate, samples, size, then metadata."""
    from capdecl.export.tables import render_table
    from capdecl.render.text import format_size

    headers = ["NAME", "CONFIGURATION", "RATE", "SAMPLES", "SIZE", *names]
    right = [False, False, True, True, True, *([False] * len(names))]
    body = [
        [
            row.name,
            row.configuration or MISSING,
            _text(row.sample_rate),
            _text(row.samples),
            format_size(row.size),
            *(row.metadata.get(name, MISSING) for name in names),
        ]
        for row in rows
    ]
    return render_table(headers, body, right)


def csv_text(rows: Sequence[CaptureRow], names: Sequence[str]) -> str:
    """RFC 4180 CSV with a header; empty cells for unset values, sizes in bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "uuid", "configuration", "sample_rate", "samples", "size", *names])
    for row in rows:
        writer.writerow(
            [
                row.name,
                row.uuid,
                row.configuration or "",
                "" if row.sample_rate is None else row.sample_rate,
                "" if row.samples is None else row.samples,
                row.size,
                *(row.metadata.get(name, "") for name in names),
            ]
        )
    return buffer.getvalue()


def _text(value: int | None) -> str:
    return MISSING if value is None else str(value)
