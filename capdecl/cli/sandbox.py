"""``capdecl sandbox serve``: run the local Piccolo-compatible sandbox in the foreground."""

from __future__ import annotations

import dataclasses
import signal
from pathlib import Path
from types import FrameType
from typing import Any

import click

from capdecl.errors import ConfigError
from capdecl.sandbox.defaults import DEFAULT_PASSWORD, DEFAULT_USERNAME
from capdecl.sandbox.faults import ENV_VAR, FaultConfig
from capdecl.sandbox.run import SandboxServer, env_faults

# CLI option -> FaultConfig field
_FAULT_OPTIONS = {
    "fault_seed": "seed",
    "latency_ms": "latency_ms",
    "error_rate": "error_rate",
    "throttle_rate": "throttle_rate",
    "retry_after": "retry_after",
    "drop_rate": "drop_rate",
    "commit_drop_rate": "commit_drop_rate",
}


@click.group()
def sandbox() -> None:
    """Run the local sandbox server (a Piccolo AI REST API on 127.0.0.1)."""


@sandbox.command()
@click.option(
    "--dir",
    "directory",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="State directory (created if missing; reused across restarts).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option("--fault-seed", type=int, help="Seed of the fault generator.")
@click.option("--latency-ms", type=click.FloatRange(min=0), help="Delay before every request.")
@click.option("--error-rate", type=click.FloatRange(0, 1), help="Share of 500/502/503 answers.")
@click.option("--throttle-rate", type=click.FloatRange(0, 1), help="Share of 429 answers.")
@click.option("--retry-after", type=click.FloatRange(min=0), help="Retry-After of a 429 (s).")
@click.option(
    "--drop-rate",
    type=click.FloatRange(0, 1),
    help="Share of connections closed before processing.",
)
@click.option(
    "--commit-drop-rate",
    type=click.FloatRange(0, 1),
    help="Share of writes processed, then closed without an answer.",
)
def serve(directory: Path, port: int, **fault_flags: float | int | None) -> None:
    """Serve until Ctrl-C. Faults start from $CAPDECL_SANDBOX_FAULTS; flags override it."""
    faults = _faults(fault_flags)
    server = SandboxServer(directory.absolute(), faults=faults, port=port)
    try:
        click.echo(f"capdecl sandbox: serving {directory} at {server.url}", err=True)
        click.echo(f"  login: {DEFAULT_USERNAME} / {DEFAULT_PASSWORD}", err=True)
        if faults is not None and faults.active:
            click.echo(f"  faults: {_describe(faults)}", err=True)
        click.echo("  press Ctrl-C to stop", err=True)
        signal.signal(signal.SIGTERM, _interrupt)
        server.serve_forever()  # returns on Ctrl-C (KeyboardInterrupt)
    finally:
        server.close()
    click.echo("capdecl sandbox: stopped", err=True)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM stops the server the way Ctrl-C does."""
    raise KeyboardInterrupt


def _faults(flags: dict[str, float | int | None]) -> FaultConfig | None:
    base = env_faults()
    changes: dict[str, Any] = {
        _FAULT_OPTIONS[key]: value for key, value in flags.items() if value is not None
    }
    if not changes:
        return base
    try:
        return dataclasses.replace(base or FaultConfig(), **changes)
    except ValueError as error:
        raise ConfigError(f"bad fault settings: {error} (flags over ${ENV_VAR})") from None


def _describe(faults: FaultConfig) -> str:
    return ", ".join(f"{f.name}={getattr(faults, f.name)}" for f in dataclasses.fields(faults))
