"""The root ``capdecl`` command.

Subcommands live in their own modules and are imported only when invoked (so
``capdecl --help`` stays fast). Every :class:`~capdecl.errors.CapdeclError` is turned into
``Error: <message>`` on stderr plus its detail lines and the error's exit code; any other
exception becomes a one-line internal-error message. ``--debug`` shows tracebacks and
redacted HTTP logs instead.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from capdecl import __version__
from capdecl.errors import EXIT_ERROR, CapdeclError

# command name -> (module, attribute, one-line help shown by `capdecl --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": ("capdecl.cli.validate", "validate", "Check manifests offline."),
    "plan": ("capdecl.cli.plan", "plan", "Show what apply would change on the server."),
    "apply": ("capdecl.cli.apply", "apply", "Make the server match the manifests."),
    "schema": ("capdecl.cli.schema", "schema", "Print the manifest JSON Schema."),
    "sandbox": ("capdecl.cli.sandbox", "sandbox", "Run the local sandbox server."),
    "export": ("capdecl.cli.export", "export", "Write manifests describing a live project."),
    "captures": ("capdecl.cli.captures", "captures", "List live captures, filtered by metadata."),
    "stats": ("capdecl.cli.stats", "stats", "Count captures, size and recording time."),
    "show": ("capdecl.cli.show", "show", "Print the live project in manifest form."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(entry[0])
        command = getattr(module, entry[1])
        if not isinstance(command, click.Command):
            raise TypeError(f"{entry[0]}.{entry[1]} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CapdeclError as error:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            report_error(error)
            sys.exit(error.exit_code)


def report_error(error: CapdeclError) -> None:
    """Print a CapdeclError the way every command does."""
    click.echo(f"Error: {error.message}", err=True)
    for line in error.details:
        click.echo(f"  {line}", err=True)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="capdecl")
@click.option("--debug", is_flag=True, help="Show tracebacks and (redacted) HTTP logs.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """capdecl: plan and apply SensiML / Piccolo AI captures from YAML manifests in git."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if debug:
        # capdecl's own loggers only: library loggers (urllib3, werkzeug) stay at WARNING
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
        logging.getLogger("capdecl").setLevel(logging.DEBUG)


def main() -> None:
    """Console-script entry point. ``own_process`` tells commands that the process ends
    with them (``capdecl plan`` then spares the garbage collector a last scan)."""
    try:
        cli.main(standalone_mode=True, obj={"own_process": True})
    except CapdeclError:
        raise  # --debug: let the traceback through
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as error:  # last line of defence: no traceback without --debug
        if "--debug" in sys.argv:
            raise
        click.echo(f"Error: internal error: {type(error).__name__}: {error}", err=True)
        click.echo("  run again with --debug for a traceback", err=True)
        sys.exit(EXIT_ERROR)
