"""The bundled examples validate clean; the committed JSON Schema matches the models and
accepts every example manifest file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from capdecl.cli.main import cli
from capdecl.manifest import load_project, manifest_schema_text

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "manifests"
SCHEMA = REPO / "schemas" / "manifest.schema.json"
MANIFESTS = sorted(EXAMPLES.glob("*/*.y*ml"))

SUMMARIES = {
    "imu-gestures": "OK: 18 captures, 1 configuration, 4 metadata names\n",
    "keyword-spotting": "OK: 6 captures, 1 configuration, 2 metadata names\n",
}


@pytest.mark.parametrize("example", sorted(SUMMARIES))
def test_example_validates_clean(example: str) -> None:
    result = CliRunner().invoke(cli, ["validate", str(EXAMPLES / example)])
    assert result.exit_code == 0
    assert result.output == SUMMARIES[example]


def test_imu_example_loads_groups_and_overrides() -> None:
    loaded = load_project(EXAMPLES / "imu-gestures")
    desired = loaded.desired
    assert loaded.warnings == ()
    assert desired.project == "imu-gestures"
    assert desired.root == str(EXAMPLES / "imu-gestures")
    assert [m.name for m in desired.metadata] == ["Subject", "Gesture", "Split", "Trial"]
    names = [c.name for c in desired.captures]
    assert names == sorted(names) and len(names) == 18
    by_name = {c.name: c for c in desired.captures}
    wave = by_name["S01_wave_1.csv"]
    assert wave.rel_path == "data/S01/wave_1.csv"
    assert wave.path == str(EXAMPLES / "imu-gestures" / "data" / "S01" / "wave_1.csv")
    assert dict(wave.metadata) == {
        "Subject": "S01",
        "Gesture": "wave",
        "Trial": "1",
        "Split": "train",
    }
    assert (wave.configuration, wave.sample_rate, wave.protect) == ("imu-100hz", 100, False)
    assert wave.source is not None and (wave.source.file, wave.source.line) == ("captures.yaml", 9)
    overridden = by_name["S02_tap_2.csv"]
    assert overridden.metadata["Split"] == "test"
    assert overridden.metadata["Subject"] == "S02"  # from the group's pattern
    assert overridden.source is not None and overridden.source.line == 25
    assert by_name["S03_circle_2.csv"].metadata["Split"] == "test"
    (configuration,) = desired.configurations
    assert configuration.uuid == "3c1f8e0a-52d4-4b7e-9a61-0d2b9f6c7e15"
    assert configuration.configuration["capture_sources"][0]["sample_rate"] == 100
    assert desired.policy.protect == ("golden_*",)
    assert desired.policy.thresholds.min_existing == 10


def test_keyword_example_loads_wav_captures() -> None:
    desired = load_project(EXAMPLES / "keyword-spotting").desired
    by_name = {c.name: c for c in desired.captures}
    assert set(by_name) == {
        "no_alice.wav",
        "no_bob.wav",
        "stop_alice.wav",
        "stop_bob.wav",
        "yes_alice.wav",
        "yes_bob (held out).wav",
    }
    held_out = by_name["yes_bob (held out).wav"]
    assert held_out.rel_path == "data/yes_bob.wav"
    assert dict(held_out.metadata) == {"Speaker": "bob", "Split": "test"}
    assert desired.configurations[0].configuration["version"] == 3


def test_example_data_is_what_the_generator_writes(tmp_path: Path) -> None:
    """examples/generate_data.py is deterministic and the committed files are its output."""
    script = (REPO / "examples" / "generate_data.py").read_text()
    copy = tmp_path / "generate_data.py"
    copy.write_text(script)
    subprocess.run([sys.executable, str(copy)], check=True, cwd=tmp_path)
    written = sorted(p for p in (tmp_path / "manifests").rglob("*") if p.is_file())
    assert written
    for path in written:
        committed = EXAMPLES / path.relative_to(tmp_path / "manifests")
        assert committed.read_bytes() == path.read_bytes(), committed


def test_examples_stay_small() -> None:
    total = sum(p.stat().st_size for p in EXAMPLES.rglob("*") if p.is_file())
    assert total < 2 * 1024 * 1024


# --------------------------------------------------------------------------- schema


def test_committed_schema_matches_the_models() -> None:
    """Fails when the models change without `make schema`."""
    assert SCHEMA.read_text(encoding="utf-8") == manifest_schema_text()


def test_schema_command_prints_the_committed_schema() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert result.output == SCHEMA.read_text(encoding="utf-8")


def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_schema_accepts_every_example_manifest(manifest: Path) -> None:
    document = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    errors = list(_validator().iter_errors(document))
    assert errors == []


def test_examples_carry_the_schema_modeline() -> None:
    for manifest in MANIFESTS:
        first = manifest.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../../schemas/manifest.schema.json"
        target = (manifest.parent / "../../../schemas/manifest.schema.json").resolve()
        assert target == SCHEMA


@pytest.mark.parametrize(
    "document",
    [
        {"project": "p", "captures": [{"file": "a.csv", "glob": "*.csv"}]},
        {"project": "p", "captures": [{"name": "x"}]},
        {"project": "p", "configurations": {"c": {"file": "c.json", "configuration": {}}}},
        {"project": "p", "captures": [{"file": "a.csv", "confguration": "c"}]},
        {"project": "p", "captures": [{"file": None}]},
        {"settings": {"prune": "everything"}},
        {"captures": [{"file": "a.csv", "sample_rate": 0}]},
        {"configurations": {"c": {"file": "c.json", "uuid": "ABC"}}},
    ],
)
def test_schema_rejects_what_validate_rejects(document: dict[str, object]) -> None:
    assert list(_validator().iter_errors(document)) != []


def test_schema_allows_empty_sections_and_open_metadata() -> None:
    document = {"project": "p", "metadata": {"Notes": None}, "captures": None}
    assert list(_validator().iter_errors(document)) == []
