"""``capdecl sandbox serve``: foreground server, login banner, fault flags, clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests
from click.testing import CliRunner

from capdecl.cli.main import cli
from tests.conftest import fetch_token

SERVE = [sys.executable, "-c", "from capdecl.cli import main; main()", "sandbox", "serve"]


def test_serve_runs_until_interrupted(tmp_path: Path) -> None:
    env = {**os.environ, "CAPDECL_SANDBOX_FAULTS": "seed=5,throttle=1,retry_after=9"}
    command = [*SERVE, "--dir", str(tmp_path / "state"), "--port", "0", "--retry-after", "3"]
    with subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) as process:
        assert process.stderr is not None
        banner = [process.stderr.readline() for _ in range(4)]
        url = banner[0].rsplit(" at ", 1)[1].strip()
        try:
            assert url.startswith("http://127.0.0.1:") and url.endswith("/")
            assert banner[1].strip() == "login: piccolo@sensiml.com / TinyML4Life"
            assert "seed=5" in banner[2] and "throttle_rate=1.0" in banner[2]
            assert "retry_after=3.0" in banner[2]  # the flag overrides the environment
            token = fetch_token(url)
            with requests.Session() as session:
                answer = session.get(url + "project/", headers={"Authorization": f"Bearer {token}"})
            assert (answer.status_code, answer.headers["Retry-After"]) == (429, "3")
        finally:
            process.send_signal(signal.SIGINT)
            _, rest = process.communicate(timeout=30)
    assert process.returncode == 0 and "capdecl sandbox: stopped" in rest
    assert (tmp_path / "state" / "sandbox.sqlite3").exists()


def test_bad_fault_settings_are_reported_without_traceback(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"CAPDECL_SANDBOX_FAULTS": "error=lots"}
    result = runner.invoke(cli, ["sandbox", "serve", "--dir", str(tmp_path)], env=env)
    assert result.exit_code == 1
    assert result.output.strip() == "Error: CAPDECL_SANDBOX_FAULTS: bad value for error: 'lots'"
    env = {"CAPDECL_SANDBOX_FAULTS": "error=0.6"}
    args = ["sandbox", "serve", "--dir", str(tmp_path), "--drop-rate", "0.6"]
    result = runner.invoke(cli, args, env=env)
    assert result.exit_code == 1 and "must not exceed 1" in result.output
    result = runner.invoke(cli, ["sandbox", "serve", "--dir", str(tmp_path), "--error-rate", "2"])
    assert result.exit_code == 2 and "--error-rate" in result.output
