"""End to end through the real CLI, the real client and the sandbox over HTTP on 127.0.0.1.

Covers the apply acceptance criteria: apply then plan is empty for every example; an
apply of an applied plan makes no write request; saved plans made stale by a server edit
or a file edit are refused with the right explanation; thresholds exit 3 unless --force;
replacements need --allow-replace; no TTY and no --yes refuses.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from capdecl.cli.main import cli
from capdecl.sandbox import DEFAULT_PASSWORD, DEFAULT_USERNAME
from tests.golden import assert_golden

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "manifests"
GOLDEN = Path(__file__).parent / "golden"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, sandbox: Any) -> Iterator[Any]:
    """Point capdecl at the running sandbox with its default login."""
    monkeypatch.setenv("CAPDECL_SERVER", sandbox.url)
    monkeypatch.setenv("CAPDECL_USERNAME", DEFAULT_USERNAME)
    monkeypatch.setenv("CAPDECL_PASSWORD", DEFAULT_PASSWORD)
    monkeypatch.delenv("CAPDECL_TOKEN", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    yield sandbox


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def writes(stats: dict[str, int]) -> int:
    """Write requests among the sandbox's counts (keyed "METHOD /route/"); logging in
    (POST /oauth/token/) changes no data and is not counted."""
    return sum(
        n
        for key, n in stats.items()
        if key.split(" ", 1)[0] in WRITE_METHODS and " /oauth/" not in key
    )


def copy_example(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(EXAMPLES / name, target, ignore=shutil.ignore_patterns(".capdecl"))
    return target


def make_project(root: Path, count: int, *, prune: str = "none") -> Path:
    """A small generated project of `count` tiny CSV captures."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    for i in range(count):
        rows = "\n".join(f"{i},{j},{j * 2}" for j in range(5 + i))
        (root / "data" / f"c{i:03d}.csv").write_text(f"AccX,AccY,AccZ\n{rows}\n")
    (root / "capdecl.yaml").write_text(
        "project: e2e\n"
        f"settings:\n  prune: {prune}\n"
        "metadata:\n  Split: {values: [train, test]}\n"
        "captures:\n"
        "  - glob: data/*.csv\n"
        "    sample_rate: 100\n"
        "    metadata: {Split: train}\n"
    )
    return root


@pytest.mark.parametrize("example", ["imu-gestures", "keyword-spotting"])
def test_apply_then_plan_is_empty_for_every_example(env: Any, tmp_path: Path, example: str) -> None:
    manifests = copy_example(example, tmp_path)
    first = run("plan", str(manifests))
    assert first.exit_code == 0, first.output
    assert_golden(GOLDEN / f"{example}.plan.txt", first.stdout)
    applied = run("apply", str(manifests), "--yes")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete:" in applied.stdout
    again = run("plan", str(manifests), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("No changes.")


def test_apply_of_applied_project_makes_no_write_request(env: Any, tmp_path: Path) -> None:
    manifests = copy_example("imu-gestures", tmp_path)
    assert run("apply", str(manifests), "--yes").exit_code == 0
    env.reset_stats()
    result = run("apply", str(manifests), "--yes")
    assert result.exit_code == 0, result.output
    assert writes(env.stats()) == 0


def test_detailed_exitcode_reports_changes_and_formats_parse(env: Any, tmp_path: Path) -> None:
    manifests = make_project(tmp_path / "p", 3)
    result = run("plan", str(manifests), "--detailed-exitcode", "--format", "json")
    assert result.exit_code == 2, result.output
    body = json.loads(result.stdout)
    assert body["summary"]["create"] == 5  # project, metadata, 3 captures
    markdown = run("plan", str(manifests), "--format", "markdown")
    assert markdown.stdout.startswith("<!-- capdecl-plan -->")


def test_saved_plan_applies_when_nothing_moved(env: Any, tmp_path: Path) -> None:
    manifests = make_project(tmp_path / "p", 3)
    saved = tmp_path / "plan.json"
    assert run("plan", str(manifests), "--out", str(saved)).exit_code == 0
    result = run("apply", str(saved), "--yes")
    assert result.exit_code == 0, result.output
    assert run("plan", str(manifests), "--detailed-exitcode").exit_code == 0


def test_saved_plan_is_stale_after_a_file_edit(env: Any, tmp_path: Path) -> None:
    manifests = make_project(tmp_path / "p", 3)
    assert run("apply", str(manifests), "--yes").exit_code == 0
    (manifests / "data" / "c001.csv").write_text("AccX,AccY,AccZ\n1,2,3\n")
    saved = tmp_path / "plan.json"
    assert run("plan", str(manifests), "--out", str(saved)).exit_code == 0
    (manifests / "data" / "c001.csv").write_text("AccX,AccY,AccZ\n1,2,4\n")
    result = run("apply", str(saved), "--yes", "--allow-replace")
    assert result.exit_code == 1
    assert "saved plan is stale" in result.stderr
    assert "file data/c001.csv changed" in result.stderr


def test_saved_plan_is_stale_after_a_server_edit(env: Any, tmp_path: Path) -> None:
    manifests = make_project(tmp_path / "p", 3)
    assert run("apply", str(manifests), "--yes").exit_code == 0
    (manifests / "capdecl.yaml").write_text(
        (manifests / "capdecl.yaml").read_text().replace("sample_rate: 100", "sample_rate: 50")
    )
    saved = tmp_path / "plan.json"
    assert run("plan", str(manifests), "--out", str(saved)).exit_code == 0
    _patch_capture_on_server(env.url, "e2e", "c002.csv", {"set_sample_rate": 75})
    result = run("apply", str(saved), "--yes")
    assert result.exit_code == 1
    assert 'server object capture "c002.csv" changed' in result.stderr


def test_threshold_refuses_with_exit_3_unless_forced(env: Any, tmp_path: Path) -> None:
    manifests = make_project(tmp_path / "p", 20, prune="captures")
    assert run("apply", str(manifests), "--yes").exit_code == 0
    for i in range(3):
        (manifests / "data" / f"c{i:03d}.csv").unlink()
    refused = run("apply", str(manifests), "--yes")
    assert refused.exit_code == 3, refused.output
    assert "3 of 20 captures (15.0%)" in refused.stderr
    forced = run("apply", str(manifests), "--yes", "--force")
    assert forced.exit_code == 0, forced.output
    assert run("plan", str(manifests), "--detailed-exitcode").exit_code == 0


def test_replace_needs_allow_replace(env: Any, tmp_path: Path) -> None:
    manifests = make_project(tmp_path / "p", 2)
    assert run("apply", str(manifests), "--yes").exit_code == 0
    (manifests / "data" / "c000.csv").write_text("AccX,AccY,AccZ\n9,9,9\n")
    refused = run("apply", str(manifests), "--yes")
    assert refused.exit_code == 1
    assert "--allow-replace" in refused.stderr
    allowed = run("apply", str(manifests), "--yes", "--allow-replace")
    assert allowed.exit_code == 0, allowed.output
    assert run("plan", str(manifests), "--detailed-exitcode").exit_code == 0


def test_apply_without_tty_or_yes_refuses_and_writes_nothing(env: Any, tmp_path: Path) -> None:
    manifests = make_project(tmp_path / "p", 2)
    env.reset_stats()
    result = run("apply", str(manifests))
    assert result.exit_code == 1
    assert "pass --yes" in result.stderr
    assert writes(env.stats()) == 0


def _patch_capture_on_server(url: str, project: str, name: str, fields: dict[str, Any]) -> None:
    """An out-of-band edit, as another tool or the web UI would make it."""
    from capdecl.client.connect import open_client

    with open_client(url) as client:
        live = client.read_state(project)
        assert live.project is not None
        capture = next(c for c in live.captures if c.name == name)
        client.update_capture(live.project.uuid, capture.uuid, fields)
