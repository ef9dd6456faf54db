"""``capdecl stats``: how much data a project holds, per metadata value.

Counts, total size and total recording time, grouped by the values of one or more
metadata names (``--by``; several give one row per combination), plus totals. Recording
time is samples divided by the capture's ``set_sample_rate``, else by its configuration's
``capture_sources[0].sample_rate``; captures where either is unknown are counted apart.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from capdecl.cli.captures import filtered_rows, read_live, target_options, where_option
from capdecl.cli.options import format_option

if TYPE_CHECKING:
    from capdecl.export.queries import Bucket

UNSET = "(unset)"


@click.command("stats")
@target_options
@click.option(
    "--by",
    multiple=True,
    metavar="KEY",
    help="Group by this metadata name; repeat for one row per combination.",
)
@where_option
@format_option(("table", "json"), "table")
def stats(
    directory: Path,
    project: str | None,
    server: str | None,
    insecure: bool,
    by: tuple[str, ...],
    where: tuple[str, ...],
    output_format: str,
) -> None:
    """Count the captures of the project, their size and recording time, per value of
    the --by metadata names, with totals."""
    from capdecl.export.queries import check_keys, parse_where, statistics

    parse_where(where)  # malformed conditions fail before any request
    live, _ = read_live(directory, project, server, insecure)
    check_keys(by, [m.name for m in live.metadata], "--by")
    rows = filtered_rows(live, where)
    buckets, total = statistics(rows, by)
    if output_format == "json":
        body = {
            "project": live.project.name if live.project else None,
            "by": list(by),
            "groups": [_json_bucket(b, by) for b in buckets],
            "total": _json_bucket(total, ()),
        }
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
    else:
        click.echo(stats_table(buckets, total, by), nl=False)


def _json_bucket(bucket: Bucket, by: Sequence[str]) -> dict[str, Any]:
    body: dict[str, Any] = {"values": dict(zip(by, bucket.values, strict=True))} if by else {}
    body.update(
        captures=bucket.captures,
        size=bucket.size,
        seconds=round(bucket.seconds, 3),
        unknown_time=bucket.unknown_time,
    )
    return body


def stats_table(buckets: Sequence[Bucket], total: Bucket, by: Sequence[str]) -> str:
    """One row per bucket, then a TOTAL row (just the TOTAL row without --by)."""
    from capdecl.export.tables import render_table

    headers = [*by, "CAPTURES", "SIZE", "RECORDING", "UNKNOWN TIME"]
    right = [*([False] * len(by)), True, True, True, True]
    if not by:
        return render_table(headers, [_cells(total)], right)
    body = [[*(v if v is not None else UNSET for v in b.values), *_cells(b)] for b in buckets]
    body.append(["TOTAL", *([""] * (len(by) - 1)), *_cells(total)])
    return render_table(headers, body, right)


def _cells(bucket: Bucket) -> list[str]:
    from capdecl.planner.safety import format_duration
    from capdecl.render.text import format_size

    return [
        str(bucket.captures),
        format_size(bucket.size),
        format_duration(bucket.seconds) if bucket.unknown_time < bucket.captures else "-",
        str(bucket.unknown_time),
    ]
