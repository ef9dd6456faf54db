"""``capdecl validate``: check a manifest directory offline.

Prints every problem as ``file:line:column: field.path: message`` (warnings prefixed
``warning: ``), then a summary line; exits 0 when there is no error (warnings allowed),
1 otherwise. Nothing is sent anywhere.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import TYPE_CHECKING

import click

from capdecl.cli.options import format_option
from capdecl.errors import EXIT_ERROR, Problem

if TYPE_CHECKING:
    from capdecl.manifest import Report


@click.command("validate")
@click.argument(
    "directory", default=".", type=click.Path(exists=True, file_okay=False, dir_okay=True)
)
@format_option(("text", "json"), "text")
@click.option("--no-content", is_flag=True, help="Do not read CSV/WAV contents (faster).")
@click.pass_context
def validate(ctx: click.Context, directory: str, output_format: str, no_content: bool) -> None:
    """Check the manifests in DIRECTORY (default: the current directory) offline:
    YAML and schema, references, the server's naming rules, files on disk and, unless
    --no-content, the content of every CSV/WAV file."""
    from capdecl.manifest import check_project

    report = check_project(Path(directory), check_content=not no_content)
    shown = [_displayed(p, directory) for p in report.problems]
    if output_format == "json":
        click.echo(json.dumps([p.to_dict() for p in shown], indent=2, ensure_ascii=False))
    else:
        for problem in shown:
            click.echo(_format(problem))
        click.echo(summary(report))
    if report.error_count:
        ctx.exit(EXIT_ERROR)


def _displayed(problem: Problem, directory: str) -> Problem:
    """The problem with its file shown relative to where the user is."""
    if directory in (".", "./", ""):
        file = problem.file
    elif problem.file in (".", ""):
        file = directory
    else:
        file = posixpath.join(directory.replace("\\", "/"), problem.file)
    return Problem(
        file, problem.line, problem.column, problem.path, problem.message, problem.severity
    )


def _format(problem: Problem) -> str:
    if problem.line == 0:  # about the directory as a whole
        prefix = "warning: " if problem.severity == "warning" else ""
        return f"{problem.file}: {prefix}{problem.message}"
    return problem.format()


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary(report: Report) -> str:
    """``2 errors, 1 warning in 3 files`` or ``OK: 18 captures, ...``."""
    errors, warnings, desired = report.error_count, report.warning_count, report.desired
    if errors or desired is None:
        files = len({p.file for p in report.problems})
        counts = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
        return f"{counts} in {_plural(files, 'file')}"
    text = (
        f"OK: {_plural(len(desired.captures), 'capture')}, "
        f"{_plural(len(desired.configurations), 'configuration')}, "
        f"{_plural(len(desired.metadata), 'metadata name')}"
    )
    if warnings:
        text += f" ({_plural(warnings, 'warning')})"
    return text
