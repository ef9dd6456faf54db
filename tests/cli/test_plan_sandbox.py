"""The plan acceptance cases against the sandbox, through the CLI and the JSON plan.

- a configuration declared without `version` is stored rewritten by the server and, read
  back, plans as no change;
- changing one metadata value plans exactly one change with one field diff;
- changing a file's bytes without changing its size plans a replace;
- renaming a file plans a rename that keeps the capture's uuid.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from capdecl.cli.main import cli
from capdecl.sandbox import DEFAULT_PASSWORD, DEFAULT_USERNAME

MANIFEST = """\
project: plan-cases
settings:
  prune: captures
metadata:
  Subject: {values: [alice, bob]}
configurations:
  v1-config:
    configuration:
      capture_sources:
        - name: Motion
          sample_rate: 50
          sensors:
            - type: Accelerometer
              parameters: [{name: Sensor Range, value: 4}]
captures:
  - file: data/a.csv
    configuration: v1-config
    metadata: {Subject: alice}
  - file: data/b.csv
    metadata: {Subject: bob}
"""


@pytest.fixture
def project(monkeypatch: pytest.MonkeyPatch, sandbox: Any, tmp_path: Path) -> Path:
    """The manifest above, applied to the sandbox."""
    monkeypatch.setenv("CAPDECL_SERVER", sandbox.url)
    monkeypatch.setenv("CAPDECL_USERNAME", DEFAULT_USERNAME)
    monkeypatch.setenv("CAPDECL_PASSWORD", DEFAULT_PASSWORD)
    root = tmp_path / "m"
    (root / "data").mkdir(parents=True)
    (root / "capdecl.yaml").write_text(MANIFEST)
    (root / "data" / "a.csv").write_text("AccX,AccY\n1,2\n3,4\n")
    (root / "data" / "b.csv").write_text("AccX,AccY\n5,6\n7,8\n9,10\n")
    applied = CliRunner().invoke(cli, ["apply", str(root), "--yes"], catch_exceptions=False)
    assert applied.exit_code == 0, applied.output
    return root


def plan_json(root: Path) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli, ["plan", str(root), "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    body: dict[str, Any] = json.loads(result.stdout)
    return body


def test_version_less_configuration_is_stored_rewritten_and_plans_no_change(
    project: Path, sandbox: Any
) -> None:
    from capdecl.client.connect import open_client

    with open_client(sandbox.url) as client:
        live = client.read_state("plan-cases")
    (config,) = live.configurations
    assert config.configuration["version"] == 2  # the server's rewrite...
    sensor = config.configuration["capture_sources"][0]["sensors"][0]
    assert sensor["parameters"][0]["num_bytes"] == 1  # ...including num_bytes
    assert plan_json(project)["changes"] == []


def test_one_metadata_value_change_is_exactly_one_change(project: Path) -> None:
    manifest = project / "capdecl.yaml"
    manifest.write_text(manifest.read_text().replace("{Subject: bob}", "{Subject: alice}"))
    (change,) = plan_json(project)["changes"]
    assert (change["action"], change["kind"], change["name"]) == ("update", "capture", "b.csv")
    assert change["diffs"] == [
        {"path": "metadata.Subject", "before": "bob", "after": "alice", "forces_replace": False}
    ]


def test_same_size_different_bytes_plans_a_replace(project: Path) -> None:
    path = project / "data" / "a.csv"
    before = path.read_bytes()
    after = before.replace(b"3,4", b"3,5")
    assert len(after) == len(before)
    path.write_bytes(after)
    (change,) = plan_json(project)["changes"]
    assert (change["action"], change["name"]) == ("replace", "a.csv")
    assert change["diffs"][0]["path"] == "sha256"
    assert change["diffs"][0]["forces_replace"] is True


def test_renaming_a_file_plans_a_rename_keeping_the_uuid(project: Path, sandbox: Any) -> None:
    from capdecl.client.connect import open_client

    with open_client(sandbox.url) as client:
        original = {c.name: c.uuid for c in client.read_state("plan-cases").captures}
    (project / "data" / "b.csv").rename(project / "data" / "b2.csv")
    manifest = project / "capdecl.yaml"
    manifest.write_text(manifest.read_text().replace("data/b.csv", "data/b2.csv"))
    (change,) = plan_json(project)["changes"]
    assert (change["action"], change["name"]) == ("update", "b2.csv")
    assert change["uuid"] == original["b.csv"]
    assert change["diffs"] == [
        {"path": "name", "before": "b.csv", "after": "b2.csv", "forces_replace": False}
    ]
    applied = CliRunner().invoke(cli, ["apply", str(project), "--yes"], catch_exceptions=False)
    assert applied.exit_code == 0, applied.output
    assert plan_json(project)["changes"] == []
    with open_client(sandbox.url) as client:
        renamed = {c.name: c.uuid for c in client.read_state("plan-cases").captures}
    assert renamed == {"a.csv": original["a.csv"], "b2.csv": original["b.csv"]}


# `capdecl` as its own process (the garbage collector frozen, the renderer imported while
# the server is read): what it prints and its exit status must be exactly the command's.
LAUNCH = "import sys; sys.argv[0] = 'capdecl'; from capdecl.cli import main; main()"


@pytest.mark.parametrize(
    "args",
    [
        ["--detailed-exitcode"],
        ["--format", "markdown", "--detailed-exitcode"],
        ["--format", "json"],
    ],
    ids=["human", "markdown", "json"],
)
def test_plan_in_its_own_process_prints_what_the_command_prints(
    project: Path, args: list[str]
) -> None:
    manifest = project / "capdecl.yaml"
    manifest.write_text(manifest.read_text().replace("{Subject: bob}", "{Subject: alice}"))
    argv = ["plan", str(project), "--no-color", *args]
    expected = CliRunner().invoke(cli, argv, catch_exceptions=False)
    done = subprocess.run(
        [sys.executable, "-c", LAUNCH, *argv], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout) == (expected.exit_code, expected.stdout)
    assert done.returncode == (0 if "json" in args else 2)
    assert "Traceback" not in done.stderr
