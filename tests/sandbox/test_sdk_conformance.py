"""Proof of fidelity: the official SensiML SDK (PyPI ``sensiml==2024.2.0``) works against
the sandbox. It runs in its own venv (``make sdk-venv``), driven by a reusable script."""

from __future__ import annotations

import uuid
from pathlib import Path

from capdecl.sandbox import SandboxHandle
from tests.sandbox.helpers import Api, wav_bytes
from tests.sdk_scripts.runner import run_sdk_script


def test_official_sdk_workflow(sandbox: SandboxHandle, api: Api, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "walk.csv").write_bytes(b"AccX,AccY\n1,2\n3,4\n5,6\n")
    (data / "run.csv").write_bytes(b"sequence,AccX,AccY\n0,1,2\n1,3,4\n")
    (data / "clap.wav").write_bytes(wav_bytes(frames=100))
    home = tmp_path / "home"
    wanted = str(uuid.uuid4())
    sandbox.reset_stats()
    result = run_sdk_script(
        "sdk_workflow.py", sandbox.url, home,
        "--project", "SDK project", "--data", str(data), "--configuration-uuid", wanted,
    )  # fmt: skip

    # What the SDK saw
    assert result["configuration_uuid"] == wanted
    names = ["clap.wav", "run.csv", "walk.csv"]
    assert [c["name"] for c in result["captures"]] == names
    assert sorted(c["uuid"] for c in result["captures"]) == sorted(result["uploaded"])
    assert result["metadata_names"] == ["Subject", "capture_uuid", "segment_uuid"]

    # What the sandbox holds
    [project] = api.ok(api.get("project/"))
    assert (project["uuid"], project["name"]) == (result["project_uuid"], "SDK project")
    p = project["uuid"]
    captures = {c["name"]: c for c in api.ok(api.get(f"project/{p}/capture/"))}
    assert sorted(captures) == names
    assert {c["capture_configuration_uuid"] for c in captures.values()} == {wanted}
    assert {c["set_sample_rate"] for c in captures.values()} == {100}
    assert captures["clap.wav"]["number_samples"] == 100
    [metadata] = api.ok(api.get(f"project/{p}/metadata/"))
    assert [v["value"] for v in metadata["label_values"]] == ["John"]
    assert (home / ".config" / "sensiml" / "127.0.0.1_token.json").exists()

    stats = sandbox.stats()
    assert stats["POST /oauth/token/"] == 1
    assert not [key for key in stats if "<unmatched>" in key]
