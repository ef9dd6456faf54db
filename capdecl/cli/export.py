"""``capdecl export``: write a manifest directory describing a live project.

The adoption path for a project that already exists on the server: export it, review and
commit the manifests, and from then on manage it with ``plan``/``apply``. With
``--download`` the capture files are fetched too and the content ledger is seeded, so the
first plan of the exported directory reports no changes.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from capdecl.cli.options import parallelism_option, server_options
from capdecl.errors import CapdeclError, ConfigError
from capdecl.render.text import quote, sanitize

if TYPE_CHECKING:
    from capdecl.export import ExportOptions, ExportReport, Seeding

SHOWN = 10  # names listed before "... and N more"


@click.command("export")
@click.option("--project", required=True, metavar="NAME", help="The server project to export.")
@click.option(
    "--out",
    required=True,
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write (new or empty, unless --force).",
)
@server_options
@click.option(
    "--download",
    is_flag=True,
    help="Also download every capture into DIR/data/ and record its content in the ledger.",
)
@click.option(
    "--adopt",
    is_flag=True,
    help="With --download: also record the content of captures other tools uploaded "
    "(without it they stay unverified: compared by size and sample count).",
)
@click.option(
    "--group-by-pattern",
    is_flag=True,
    help="Declare captures named after their metadata as pattern groups.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write into a non-empty directory (other files are kept, and listed).",
)
@parallelism_option("downloads")
def export(
    project: str,
    out: Path,
    server: str | None,
    insecure: bool,
    download: bool,
    adopt: bool,
    group_by_pattern: bool,
    force: bool,
    parallelism: int,
) -> None:
    """Write manifests describing the live project NAME into DIR: project.yaml (settings,
    vocabulary, configurations), configs/*.json and captures.yaml."""
    from capdecl import workflow
    from capdecl.client.connect import open_client
    from capdecl.export import ExportOptions, check_target, export_project, read_project

    if adopt and not download:
        raise ConfigError("--adopt needs --download (it records the downloaded content)")
    check_target(out, force=force)
    server_url = workflow.resolve_server(server, None)
    options = ExportOptions(
        project=project,
        out=out,
        server=workflow.public_url(server_url),
        download=download,
        adopt=adopt,
        group_by_pattern=group_by_pattern,
        force=force,
        parallelism=parallelism,
    )
    with open_client(server_url, insecure=insecure) as client:
        live = read_project(client, project, options.server)
        report = export_project(client, live, options, sys.stderr)
    for line in summary(report, options):
        click.echo(line)
    for line in notes(report):
        click.echo(line, err=True)
    if not download and report.missing:
        for line in missing_hint(report, options, server is not None):
            click.echo(line)
    _fail_on_problems(report)


def summary(report: ExportReport, options: ExportOptions) -> list[str]:
    """What was written and downloaded (stdout)."""
    export = report.export
    counts = ", ".join(
        _plural(n, noun)
        for n, noun in (
            (len(export.captures), "capture"),
            (len(export.configurations), "configuration"),
            (len(export.fields), "metadata name"),
        )
    )
    lines = [f"Exported project {quote(export.project)} to {options.out}: {counts}."]
    lines.append(f"  wrote {', '.join(report.written)}")
    from capdecl.export import GroupEntry

    groups = [e for e in report.layout if isinstance(e, GroupEntry)]
    if groups:
        grouped = sum(g.count for g in groups)
        overrides = sum(len(g.overrides) for g in groups)
        lines.append(
            f"  captures.yaml: {_plural(len(groups), 'pattern group')} "
            f"({_plural(grouped, 'capture')}, {_plural(overrides, 'per-file override')}), "
            f"{_plural(len(report.layout) - len(groups), 'single entry', 'single entries')}"
        )
    if report.download is not None:
        from capdecl.render.text import format_size

        done = report.download
        lines.append(
            f"Downloaded {_plural(len(done.done), 'file')} ({format_size(done.total_bytes)})."
        )
    if report.seeding is not None:
        lines.append(_ledger_line(report))
    return lines


def _ledger_line(report: ExportReport) -> str:
    seeding = report.seeding
    assert seeding is not None
    if not seeding.needed:
        return "Ledger: already up to date."
    return f"Ledger: wrote {_plural(len(seeding.add), 'entry', 'entries')} in one update."


def notes(report: ExportReport) -> list[str]:
    """Warnings and notes (stderr)."""
    lines = [f"warning: {text}" for text in report.export.warnings]
    if report.seeding is not None:
        lines += _seeding_notes(report.seeding)
    if report.download is not None:
        failed = [f"{c.file} ({why})" for c, why in report.download.failed]
        head = f"error: {_plural(len(failed), 'capture file')} could not be downloaded:"
        lines += _listed(failed, head)
    head = (
        f"warning: {_plural(len(report.stale), 'file')} in the directory not written by this "
        "export (delete stale ones: top-level YAML files are read as manifests, and data "
        "files can match pattern groups):"
    )
    return lines + _listed(report.stale, head)


def _seeding_notes(seeding: Seeding) -> list[str]:
    refreshed = (
        f"note: the ledger now also records the bytes the server stores for "
        f"{_plural(len(seeding.refreshed), 'capture')}, which differ from what was uploaded "
        "(the server rewrites a CSV without a `sequence` column); the exported files and "
        "the original files both count as their content:"
    )
    rewritten = (
        f"note: recorded the downloaded content of "
        f"{_plural(len(seeding.rewritten), 'capture')} uploaded by another tool: the server "
        "stored the file rewritten (a CSV without a `sequence` column), so its size no "
        "longer identifies it and plan would replace it:"
    )
    adopted = (
        f"note: recorded the downloaded content of {_plural(len(seeding.adopted), 'capture')} "
        "uploaded by another tool (--adopt):"
    )
    lines = _listed(seeding.refreshed, refreshed) + _listed(seeding.rewritten, rewritten)
    lines += _listed(seeding.adopted, adopted)
    if seeding.unverified:
        lines.append(
            f"note: {_plural(len(seeding.unverified), 'capture')} uploaded by another tool "
            "remain unverified (plan compares them by size and sample count); to record "
            "their content, export again with --download --adopt --force."
        )
    return lines


def _listed(items: list[str], head: str) -> list[str]:
    if not items:
        return []
    lines = [head, *(f"  {sanitize(item)}" for item in items[:SHOWN])]
    if len(items) > SHOWN:
        lines.append(f"  ... and {len(items) - SHOWN} more")
    return lines


def missing_hint(report: ExportReport, options: ExportOptions, server_flag: bool) -> list[str]:
    """Which data files are missing and how to fetch them (stdout)."""
    missing = report.missing
    command = ["capdecl", "export", "--project", options.project, "--out", str(options.out)]
    if server_flag:
        command += ["--server", options.server]
    command += ["--download", "--force"]
    lines = [f"The manifests name {_plural(len(missing), 'capture file')} not downloaded yet:"]
    lines += [f"  {sanitize(path)}" for path in missing[:SHOWN]]
    if len(missing) > SHOWN:
        lines.append(f"  ... and {len(missing) - SHOWN} more")
    lines.append("Fetch them (and record their content) with:")
    lines.append("  " + shlex.join(command))
    lines.append(
        "Until then `capdecl validate` reports them as missing files and `capdecl plan` "
        "refuses to run."
    )
    return lines


def _fail_on_problems(report: ExportReport) -> None:
    errors = [p for p in report.problems if p.severity == "error"]
    for problem in report.problems:
        if problem.severity != "error":
            click.echo(problem.format(), err=True)
    if report.download is not None and report.download.failed:
        raise CapdeclError(
            f"{_plural(len(report.download.failed), 'capture file')} could not be downloaded",
            ["run the same command again with --force to retry"],
        )
    if errors:
        raise CapdeclError(
            f"the exported manifests do not validate ({_plural(len(errors), 'problem')}): "
            "the server holds data capdecl's rules refuse; fix it before planning",
            [p.format() for p in errors[:20]],
        )


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
