"""``capdecl show``: print the live project in manifest form.

The same model and writer as ``capdecl export``, as one YAML document on stdout with the
configurations inline and nothing written to disk: for reviews ("what does the server
hold right now?") and bug reports. Saved to a file, it is a valid manifest once the data
files it names are in place.
"""

from __future__ import annotations

from pathlib import Path

import click

from capdecl.cli.captures import read_live, target_options


@click.command("show")
@target_options
@click.option(
    "--group-by-pattern",
    is_flag=True,
    help="Declare captures named after their metadata as pattern groups.",
)
def show(
    directory: Path,
    project: str | None,
    server: str | None,
    insecure: bool,
    group_by_pattern: bool,
) -> None:
    """Print the live project (default: the one the manifests in DIR declare) as a
    manifest: vocabulary, configurations inline, captures."""
    from capdecl.export import build_export, grouped_layout, show_document, single_layout

    live, public = read_live(directory, project, server, insecure)
    export = build_export(live, public)
    layout = grouped_layout(export.captures) if group_by_pattern else single_layout(export.captures)
    for warning in export.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(show_document(export, layout), nl=False)
