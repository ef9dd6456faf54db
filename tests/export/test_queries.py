"""`captures list`, `stats` and `show` against a sandbox project of known content, built
with `capdecl apply` from a small generated manifest."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from capdecl.sandbox import SandboxHandle
from tests.export.conftest import GOLDEN, PORT_PLACEHOLDER, normalised, ok, resolved, run
from tests.golden import assert_golden

MANIFEST = """\
project: queries
metadata:
  Subject: {values: [S01, S02, S10]}
  Gesture: {values: [wave, tap]}
  Split: {values: [train, test]}
configurations:
  imu-50hz:
    configuration:
      version: 3
      name: IMU 50 Hz
      capture_sources:
        - name: Motion
          sample_rate: 50
          sensors:
            - {type: Accelerometer, column_count: 1, column_names: [AccX], parameters: []}
captures:
  - file: data/S01_wave.csv
    configuration: imu-50hz
    sample_rate: 100
    metadata: {Subject: S01, Gesture: wave, Split: train}
  - file: data/S01_tap.csv
    configuration: imu-50hz
    metadata: {Subject: S01, Gesture: tap, Split: train}
  - file: data/S02_wave.csv
    configuration: imu-50hz
    sample_rate: 100
    metadata: {Subject: S02, Gesture: wave, Split: test}
  - file: data/S02_tap.csv
    sample_rate: 25
    metadata: {Subject: S02, Gesture: tap, Split: train}
  - file: data/S10_tap.csv
    metadata: {Subject: S10, Gesture: tap}
"""
ROWS = {"S01_wave": 100, "S01_tap": 50, "S02_wave": 200, "S02_tap": 25, "S10_tap": 30}


@pytest.fixture
def project(env: SandboxHandle, tmp_path: Path) -> Path:
    """The applied manifest directory (project "queries")."""
    root = tmp_path / "queries"
    (root / "data").mkdir(parents=True)
    (root / "capdecl.yaml").write_text(MANIFEST)
    for name, rows in ROWS.items():
        body = "".join(f"{i},{i % 7}\n" for i in range(rows))
        (root / "data" / f"{name}.csv").write_text(f"sequence,AccX\n{body}")
    ok("apply", str(root), "--yes", "--server", env.url)
    return root


def query(env: SandboxHandle, *args: str) -> str:
    return ok(*args, "--project", "queries", "--server", env.url).stdout


def test_captures_list_table(env: SandboxHandle, project: Path) -> None:
    assert_golden(GOLDEN / "captures.all.txt", query(env, "captures", "list"))
    filtered = query(env, "captures", "list", "--where", "Gesture=tap", "--where", "Split!=test")
    assert_golden(GOLDEN / "captures.tap-not-test.txt", filtered)


def test_captures_list_json_and_csv(env: SandboxHandle, project: Path) -> None:
    body = json.loads(query(env, "captures", "list", "--where", "Subject=S02", "--format", "json"))
    assert body["project"] == "queries"
    fields = ("name", "sample_rate", "samples", "seconds", "configuration", "metadata")
    assert [tuple(c[f] for f in fields) for c in body["captures"]] == [
        ("S02_tap.csv", 25, 25, 1.0, None, {"Gesture": "tap", "Split": "train", "Subject": "S02"}),
        (
            "S02_wave.csv",
            100,
            200,
            2.0,
            "imu-50hz",
            {"Gesture": "wave", "Split": "test", "Subject": "S02"},
        ),
    ]
    assert all(len(c["uuid"]) == 36 and c["size"] > 0 for c in body["captures"])
    unset = query(env, "captures", "list", "--where", "Split=", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(unset)))
    assert [(r["name"], r["Split"], r["sample_rate"], r["Subject"]) for r in rows] == [
        ("S10_tap.csv", "", "", "S10")
    ]


def test_stats_tables(env: SandboxHandle, project: Path) -> None:
    assert_golden(GOLDEN / "stats.total.txt", query(env, "stats"))
    assert_golden(GOLDEN / "stats.by-subject.txt", query(env, "stats", "--by", "Subject"))
    both = query(env, "stats", "--by", "Gesture", "--by", "Split")
    assert_golden(GOLDEN / "stats.by-gesture-split.txt", both)


def test_stats_json(env: SandboxHandle, project: Path) -> None:
    body = json.loads(query(env, "stats", "--by", "Split", "--format", "json"))
    groups = {g["values"]["Split"]: g for g in body["groups"]}
    assert list(groups) == ["test", "train", None]
    assert (groups["train"]["captures"], groups["train"]["seconds"]) == (3, 3.0)
    assert (groups[None]["captures"], groups[None]["unknown_time"]) == (1, 1)
    total = body["total"]
    assert (total["captures"], total["seconds"], total["unknown_time"]) == (5, 5.0, 1)
    assert total["size"] == sum(g["size"] for g in body["groups"])


def test_show_prints_a_loadable_manifest(env: SandboxHandle, project: Path, tmp_path: Path) -> None:
    shown = ok("show", str(project), "--server", env.url).stdout  # project from the manifests
    assert_golden(GOLDEN / "show.queries.yaml", normalised(shown, env))
    copy = tmp_path / "shown"
    shutil.copytree(project / "data", copy / "data")
    (copy / "capdecl.yaml").write_text(shown.replace(PORT_PLACEHOLDER, env.url))
    assert resolved(copy)["captures"] == resolved(project)["captures"]
    grouped = ok("show", str(project), "--server", env.url, "--group-by-pattern").stdout
    assert grouped == shown  # no three captures share a configuration and a rate


def test_where_syntax_errors_exit_1_before_any_request(env: SandboxHandle) -> None:
    env.reset_stats()
    result = run("captures", "list", "--project", "queries", "--server", env.url,
                 "--where", "Subject")  # fmt: skip
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "Error: --where 'Subject': expected KEY=VALUE or KEY!=VALUE\n"
        "  KEY is a metadata name, e.g. --where Subject=S01 --where Split!=test\n",
    )
    assert dict(env.stats()) == {}
    empty = run("stats", "--project", "queries", "--server", env.url, "--where", "=S01")
    assert empty.exit_code == 1 and empty.stderr.startswith("Error: --where '=S01': expected")


def test_unknown_metadata_names_are_named(env: SandboxHandle, project: Path) -> None:
    where = run("captures", "list", "--project", "queries", "--server", env.url,
                "--where", "subject=S01")  # fmt: skip
    assert (where.exit_code, where.stderr) == (
        1,
        'Error: --where: the project has no metadata name "subject"; did you mean "Subject"?\n',
    )
    by = run("stats", "--project", "queries", "--server", env.url, "--by", "Colour")
    assert (by.exit_code, by.stderr) == (
        1,
        'Error: --by: the project has no metadata name "Colour" '
        "(metadata names: Gesture, Split, Subject)\n",
    )


def test_project_comes_from_the_manifests_or_is_asked_for(
    env: SandboxHandle, project: Path, tmp_path: Path
) -> None:
    listed = ok("captures", "list", str(project), "--server", env.url, "--format", "json")
    assert len(json.loads(listed.stdout)["captures"]) == 5
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("stats", str(empty), "--server", env.url)
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: no project: {empty} holds no manifest declaring `project:`\n"
        "  pass --project NAME, or name a manifest directory\n",
    )
