"""Run a script under the official SensiML SDK's own venv (``make sdk-venv``), isolated
from the user's home (the SDK writes a token file into its config directory)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from capdecl.sandbox import SDK_CLIENT_ID, SDK_CLIENT_SECRET

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "tests" / "sdk_scripts"


def sdk_python() -> Path:
    """The SDK venv's interpreter ($CAPDECL_SDK_PYTHON, else .venv-sdk/bin/python); the
    test fails (never skips) when it is missing."""
    configured = os.environ.get("CAPDECL_SDK_PYTHON")
    path = Path(configured) if configured else REPO / ".venv-sdk" / "bin" / "python"
    path = path if path.is_absolute() else REPO / path
    if not path.exists():
        pytest.fail(f"the SensiML SDK venv is missing ({path}): run `make sdk-venv`")
    return path


def sdk_environment(home: Path) -> dict[str, str]:
    """A minimal environment whose HOME and config directory are ``home``."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "PYTHONNOUSERSITE": "1",
    }


def run_sdk_script(script: str, url: str, home: Path, *args: str) -> dict[str, Any]:
    """Run ``tests/sdk_scripts/<script>`` against ``url`` with Piccolo's OAuth client and
    return the JSON it prints."""
    command = [
        str(sdk_python()), str(SCRIPTS / script), "--url", url,
        "--client-id", SDK_CLIENT_ID, "--client-secret", SDK_CLIENT_SECRET, *args,
    ]  # fmt: skip
    done = subprocess.run(
        command, env=sdk_environment(home), capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result
