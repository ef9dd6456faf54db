"""``capdecl plan``: show what apply would change, for people, PR comments and machines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from capdecl.cli.options import color_option, format_option, server_options, use_color
from capdecl.errors import EXIT_CHANGES, EXIT_OK, Problem

if TYPE_CHECKING:
    from capdecl.workflow import Desired


@click.command()
@click.argument(
    "directory", default=".", type=click.Path(file_okay=False, exists=True, path_type=Path)
)
@server_options
@format_option(("human", "markdown", "json"), "human")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save the plan to FILE for `capdecl apply FILE`.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when there are changes, 0 when there are none, 1 on error.",
)
@click.option(
    "--check-content",
    is_flag=True,
    help="Also run validate's CSV/WAV content checks (reads every file).",
)
@color_option
def plan(
    directory: Path,
    server: str | None,
    insecure: bool,
    output_format: str,
    out: Path | None,
    detailed_exitcode: bool,
    check_content: bool,
    no_color: bool,
) -> None:
    """Show what `capdecl apply DIRECTORY` would change on the server.

    Reads the manifests in DIRECTORY (default: the current directory) and the live
    project, and prints every create, update, replace and delete down to the changed
    field. Nothing is written to the server.
    """
    from capdecl import workflow

    root = click.get_current_context().find_root().obj or {}
    own_process = bool(root.get("own_process"))
    body, server_url = plan_body(
        directory,
        server,
        insecure,
        check_content,
        freeze=own_process,
        inputs=out is not None or output_format == "json",
    )
    for piece in render_pieces(body, output_format, use_color(no_color)):
        click.echo(piece, nl=False)
    if out is not None:
        from capdecl.savedplan import write_saved_plan

        write_saved_plan(out, directory, workflow.public_url(server_url), body)
        click.echo(f"Saved the plan to {out} (checksum {body['checksum'][:12]}).", err=True)
    changed = bool(body["changes"])
    raise SystemExit(EXIT_CHANGES if detailed_exitcode and changed else EXIT_OK)


def plan_body(
    directory: Path,
    server: str | None,
    insecure: bool,
    check_content: bool,
    *,
    freeze: bool = False,
    inputs: bool = True,
) -> tuple[dict[str, Any], str]:
    """The plan's JSON form and the server URL, as ``capdecl plan`` computes them (the
    benchmarks time exactly this). The manifests, the live state and the Plan are dropped
    on return, before rendering (a plan of 100,000 captures). The garbage collector is
    off meanwhile; with ``freeze`` (the process ends with the command) everything alive
    then goes to its permanent generation instead of being scanned once more.

    Without ``inputs`` the form has no ``inputs`` or ``checksum`` (the human and Markdown
    formats do not show them; a saved plan and the JSON format need them)."""
    from capdecl import workflow

    with workflow.gc_paused(freeze=freeze):
        with workflow.connect(
            directory,
            server,
            insecure=insecure,
            check_content=check_content,
            on_loaded=_while_reading,
        ) as connected:
            pass
        plan = workflow.build(connected.desired, connected.live, inputs=inputs)
        server_url = connected.server
        del connected  # the manifests and live state are not needed by to_dict()
        return workflow.plan_body(plan), server_url


def _while_reading(desired: Desired) -> None:
    """``connect``'s ``on_loaded``: runs while the server is being read, so the renderer
    is imported then rather than after."""
    print_warnings(desired.warnings)
    import capdecl.render.human  # noqa: F401


def render_pieces(body: dict[str, Any], output_format: str, color: bool) -> Iterator[str]:
    """:func:`render` in pieces to print one after the other (human format: a batch of
    lines at a time, so a huge plan is never held as one text)."""
    if output_format == "human":
        from capdecl.render import iter_human

        return iter_human(body, color=color)
    return iter((render(body, output_format, color),))


def render(body: dict[str, Any], output_format: str, color: bool) -> str:
    """Render a plan dict in the chosen format."""
    from capdecl.render import render_human, render_json, render_markdown

    if output_format == "json":
        return render_json(body)
    if output_format == "markdown":
        return render_markdown(body)
    return render_human(body, color=color)


def print_warnings(warnings: tuple[Problem, ...]) -> None:
    """Manifest warnings go to stderr; they never change the exit code."""
    for problem in warnings:
        click.echo(problem.format(), err=True)
