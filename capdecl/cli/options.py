"""Options shared by several commands, so they read the same everywhere."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def server_options(func: F) -> F:
    """``--server`` and ``--insecure``."""
    func = click.option(
        "--insecure",
        is_flag=True,
        help="Do not verify the server's TLS certificate (prints a warning).",
    )(func)
    func = click.option(
        "--server",
        metavar="URL",
        help="Server URL (http(s)://... or sandbox://DIR). Default: $CAPDECL_SERVER, "
        "then `server:` in the manifests.",
    )(func)
    return func


def format_option(choices: tuple[str, ...], default: str) -> Callable[[F], F]:
    """``--format`` with the given choices."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )


def parallelism_option(what: str) -> Callable[[F], F]:
    """``--parallelism N``: how many transfers (uploads, downloads) run at once."""
    return click.option(
        "--parallelism",
        type=click.IntRange(1, 32),
        default=4,
        show_default=True,
        help=f"Concurrent {what}.",
    )


def color_option(func: F) -> F:
    """``--no-color`` (colour is also off with NO_COLOR or when stdout is not a TTY)."""
    return click.option("--no-color", is_flag=True, help="Disable ANSI colours.")(func)


def use_color(no_color: bool, stream: Any = None) -> bool:
    """Colour only on a TTY, unless disabled by flag or the NO_COLOR convention."""
    stream = stream if stream is not None else sys.stdout
    if no_color or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
