"""``capdecl apply``: make the server match the manifests, or apply a saved plan.

Gates, in order, before anything is written:
1. a saved plan must still match the server and the files (else StalePlanError, exit 1);
2. replacements need ``--allow-replace`` or ``settings.allow_replace`` (exit 1);
3. safety thresholds need ``--force`` (UnsafePlanError, exit 3);
4. a person confirms with ``yes`` on a TTY, or ``--yes`` is given (no TTY, no --yes: refuse).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from capdecl.cli.options import (
    color_option,
    format_option,
    parallelism_option,
    server_options,
    use_color,
)
from capdecl.cli.plan import print_warnings, render_pieces
from capdecl.errors import ApplyError, ConfigError, UnsafePlanError
from capdecl.planner.model import Plan
from capdecl.state import LiveState
from capdecl.workflow import Desired

if TYPE_CHECKING:
    from capdecl.savedplan import SavedPlan


@dataclass(frozen=True)
class Flags:
    """The apply command's switches, grouped so helpers take one argument."""

    yes: bool
    force: bool
    allow_replace: bool
    parallelism: int
    backup: Path | None
    output_format: str
    color: bool


@click.command()
@click.argument("target", default=".", type=click.Path(exists=True, path_type=Path))
@server_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--force", is_flag=True, help="Apply even when a safety threshold is crossed.")
@click.option(
    "--allow-replace",
    is_flag=True,
    help="Allow content changes (delete + re-upload, which drops label segments).",
)
@parallelism_option("uploads")
@click.option(
    "--backup",
    type=click.Path(file_okay=False, path_type=Path),
    help="Download each capture's file and metadata here before deleting or replacing it.",
)
@format_option(("human", "json"), "human")
@color_option
def apply(
    target: Path,
    server: str | None,
    insecure: bool,
    yes: bool,
    force: bool,
    allow_replace: bool,
    parallelism: int,
    backup: Path | None,
    output_format: str,
    no_color: bool,
) -> None:
    """Make the server match the manifests in TARGET (a directory, default `.`),
    or apply a plan saved with `capdecl plan --out FILE` (TARGET is that file).

    Shows the plan first and asks for `yes` unless --yes is given.
    """
    from capdecl import workflow

    flags = Flags(
        yes, force, allow_replace, parallelism, backup, output_format, use_color(no_color)
    )
    saved = _read_saved(target)
    directory = Path(saved.directory) if saved else target
    if saved and server and workflow.public_url(server) != saved.server:
        raise ConfigError(f"the saved plan is for server {saved.server}, not {server}")
    with workflow.connect(
        directory,
        saved.server if saved else server,  # a saved plan's server wins (checked above)
        insecure=insecure,
        on_loaded=lambda loaded: print_warnings(loaded.warnings),
    ) as connected:
        desired, live, client = connected.desired, connected.live, connected.client
        plan = workflow.build(desired, live)
        body = workflow.plan_body(plan)  # built once: its checksum covers every change
        if saved is not None:
            from capdecl.savedplan import verify_fresh

            verify_fresh(saved, body, workflow.live_names(live))
        _show_plan(body, flags)
        if plan.is_empty:
            return
        _check_gates(plan, desired, live, flags)
        _execute(plan, desired, live, client, flags)


def _read_saved(target: Path) -> SavedPlan | None:
    if target.is_dir():
        return None
    from capdecl.savedplan import read_saved_plan

    return read_saved_plan(target)


def _show_plan(body: dict[str, Any], flags: Flags) -> None:
    if flags.output_format == "json":
        import json

        click.echo(json.dumps({"type": "plan", "plan": body}, sort_keys=True))
        return
    for piece in render_pieces(body, "human", flags.color):
        click.echo(piece, nl=False)


def _check_gates(plan: Plan, desired: Desired, live: LiveState, flags: Flags) -> None:
    """Refuse replacements, unsafe plans and unconfirmed applies, in that order."""
    from capdecl.planner import blocked_replacements, check_safety

    policy = desired.state.policy
    blocked = blocked_replacements(plan, flags.allow_replace or policy.allow_replace)
    if blocked:
        raise ConfigError(
            f"{len(blocked)} capture(s) would be replaced (deleted and re-uploaded), "
            "which destroys their label segments; pass --allow-replace or set "
            "settings.allow_replace: true",
            [f"{change.address}: {change.reason}" for change in blocked],
        )
    violations = check_safety(plan, live, policy)
    if violations and not flags.force:
        raise UnsafePlanError("the plan crosses a safety threshold", violations)
    if not flags.yes:
        _confirm()


def _confirm() -> None:
    if not sys.stdin.isatty():
        raise ConfigError(
            "refusing to apply without confirmation: there is no terminal to ask on; "
            "review `capdecl plan` and pass --yes"
        )
    click.echo("\nDo you want to perform these actions? Only 'yes' will be accepted.")
    answer = click.prompt("  Enter a value", default="", show_default=False)
    if answer.strip() != "yes":
        raise ConfigError("apply cancelled: nothing was changed")


def _execute(plan: Plan, desired: Desired, live: LiveState, client: Any, flags: Flags) -> None:
    from capdecl.apply import ApplyOptions, apply_plan
    from capdecl.apply.report import HumanReporter, JsonReporter

    reporter: Any
    if flags.output_format == "json":
        reporter = JsonReporter(sys.stdout)
    else:
        reporter = HumanReporter(sys.stdout, tty=sys.stdout.isatty())
    options = ApplyOptions(parallelism=flags.parallelism, backup_dir=flags.backup)
    result = apply_plan(plan, desired.state, live, client, options, reporter)
    if result.failures:
        raise ApplyError(result.failures)
