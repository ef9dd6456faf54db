"""Adopting a project capdecl never wrote to: built with the official SensiML SDK (in its
own venv, ``.venv-sdk``), including metadata on its captures. Exported with --download,
the plan has no changes; only captures whose content cannot be vouched for stay
unverified until --adopt records them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from capdecl.manifest import check_project
from capdecl.sandbox import SandboxHandle
from tests.export.conftest import GOLDEN, normalised, ok, run
from tests.golden import assert_golden
from tests.sandbox.helpers import wav_bytes
from tests.sdk_scripts.runner import run_sdk_script

CONFIGURATION_UUID = "5d0f3c9e-8a41-4c1b-9e2f-7b6a1d3c4e50"
LABELS = {
    "walk.csv": {"Subject": "John", "Activity": "walking"},
    "run.csv": {"Subject": "Jane", "Activity": "running"},
    "clap.wav": {"Subject": "John"},
}


def build_with_sdk(sandbox: SandboxHandle, tmp_path: Path) -> dict[str, Any]:
    """walk.csv (no sequence column: stored rewritten), run.csv (stored as sent) and
    clap.wav, with metadata, all through the SDK."""
    data = tmp_path / "sdk-data"
    data.mkdir()
    (data / "walk.csv").write_bytes(b"AccX,AccY\n1,2.50\n3,4\n5,6\n")
    (data / "run.csv").write_bytes(b"sequence,AccX,AccY\n0,1,2\n1,3,4\n")
    (data / "clap.wav").write_bytes(wav_bytes(frames=100))
    result = run_sdk_script(
        "sdk_labelled_project.py", sandbox.url, tmp_path / "home",
        "--project", "field-study", "--data", str(data), "--labels", json.dumps(LABELS),
        "--configuration-uuid", CONFIGURATION_UUID,
    )  # fmt: skip
    assert result["labels"] == LABELS
    return result


def plan_json(sandbox: SandboxHandle, directory: Path) -> dict[str, Any]:
    result = ok("plan", str(directory), "--server", sandbox.url, "--format", "json")
    body: dict[str, Any] = json.loads(result.stdout)
    return body


def test_sdk_project_exports_to_a_plan_without_changes(env: SandboxHandle, tmp_path: Path) -> None:
    build_with_sdk(env, tmp_path)
    out = tmp_path / "out"
    result = ok("export", "--project", "field-study", "--out", str(out), "--server", env.url,
                "--download")  # fmt: skip
    for name in ("project.yaml", "captures.yaml"):
        text = (out / name).read_text(encoding="utf-8")
        assert_golden(GOLDEN / f"sdk.{name}", normalised(text, env))
    notes = [line for line in result.stderr.splitlines() if not line.startswith("Downloading")]
    assert_golden(GOLDEN / "sdk.export.stderr.txt", "\n".join(notes) + "\n")
    assert check_project(out).errors == ()  # the SDK set 100 Hz on a 16 kHz WAV: a warning

    body = plan_json(env, out)
    assert (body["changes"], body["unverified"]) == ([], ["clap.wav", "run.csv"])
    human = run("plan", str(out), "--server", env.url, "--detailed-exitcode")
    assert human.exit_code == 0, human.output
    assert human.stdout.startswith('No changes. Project "field-study" matches the manifests.')

    adopted = ok("export", "--project", "field-study", "--out", str(out), "--server", env.url,
                 "--download", "--adopt", "--force")  # fmt: skip
    assert adopted.stderr.splitlines()[-3:] == [
        "note: recorded the downloaded content of 2 captures uploaded by another tool (--adopt):",
        "  clap.wav",
        "  run.csv",
    ]
    assert "Ledger: wrote 2 entries in one update." in adopted.stdout
    body = plan_json(env, out)
    assert (body["changes"], body["unverified"]) == ([], [])
