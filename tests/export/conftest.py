"""Shared helpers for the export and query tests: the CLI against the sandbox over real
HTTP on 127.0.0.1, with the sandbox's default login in the environment."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from capdecl.cli.main import cli
from capdecl.manifest import load_project
from capdecl.sandbox import DEFAULT_PASSWORD, DEFAULT_USERNAME, SandboxHandle

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "manifests"
GOLDEN = Path(__file__).parent / "golden"
PORT_PLACEHOLDER = "http://127.0.0.1:PORT/"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, sandbox: SandboxHandle) -> Iterator[SandboxHandle]:
    """The sandbox, with CAPDECL_USERNAME/PASSWORD set (no CAPDECL_SERVER: tests pass
    --server, as a user exporting from a known server would)."""
    monkeypatch.setenv("CAPDECL_USERNAME", DEFAULT_USERNAME)
    monkeypatch.setenv("CAPDECL_PASSWORD", DEFAULT_PASSWORD)
    monkeypatch.delenv("CAPDECL_TOKEN", raising=False)
    monkeypatch.delenv("CAPDECL_SERVER", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    yield sandbox


def run(*args: str) -> Result:
    """The capdecl CLI in-process (stdout and stderr kept apart)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def ok(*args: str) -> Result:
    """Run and require exit 0, showing both streams otherwise."""
    result = run(*args)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def apply_example(name: str, tmp_path: Path, server: str) -> Path:
    """Copy an example to ``tmp_path`` and apply it."""
    target = tmp_path / "source" / name
    shutil.copytree(EXAMPLES / name, target, ignore=shutil.ignore_patterns(".capdecl"))
    ok("apply", str(target), "--yes", "--server", server)
    return target


def resolved(directory: Path, *, check_content: bool = True) -> dict[str, Any]:
    """What a manifest directory declares, independent of where it lies and how its
    captures list is written: capture name -> (file, configuration, rate, metadata)."""
    desired = load_project(directory, check_content=check_content).desired
    return {
        "project": desired.project,
        "metadata": [(f.name, f.type, f.values) for f in desired.metadata],
        "configurations": [(c.name, c.uuid, dict(c.configuration)) for c in desired.configurations],
        "captures": {
            c.name: (c.rel_path, c.configuration, c.sample_rate, dict(c.metadata))
            for c in desired.captures
        },
        "policy": desired.policy,
    }


def normalised(text: str, sandbox: SandboxHandle) -> str:
    """Output with the sandbox's random port replaced, for golden files."""
    return text.replace(sandbox.url, PORT_PLACEHOLDER)
