"""The broken-manifest corpus: ``capdecl validate <case>`` output compared whole.

Each directory under ``cases/`` is a manifest directory that breaks one or more rules,
with ``expected.txt`` holding the complete output. Cases named ``warn-*`` hold only
warnings and exit 0; every other case exits 1. Each case runs on a copy in a temporary
directory (cwd = the copy's parent), so paths in the output are stable, and so that the
few things git cannot hold (symbolic links, a FIFO) can be added.

Regenerate the expected files with ``CAPDECL_UPDATE_GOLDEN=1`` (``make golden``).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from capdecl.cli.main import cli
from tests.golden import assert_golden

CASES = Path(__file__).parent / "cases"
EXPECTED = "expected.txt"


def _symlinks(case: Path) -> None:
    """Links that leave the manifest directory, and a FIFO among the data files."""
    outside = case.parent.parent / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("AccX\n1\n")
    os.symlink(outside / "secret.csv", case / "data" / "outside.csv")
    os.symlink(outside, case / "linked")
    os.mkfifo(case / "data" / "pipe.csv")


SETUP: dict[str, Callable[[Path], None]] = {"symlink-escape": _symlinks}


def _case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if p.is_dir())


def run_case(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    """Copy the case to tmp_path/cases/<name> and run validate on it from there."""
    work = tmp_path / "cases" / name
    shutil.copytree(CASES / name, work, ignore=shutil.ignore_patterns(EXPECTED))
    if name in SETUP:
        SETUP[name](work)
    monkeypatch.chdir(work.parent)
    return CliRunner().invoke(cli, ["validate", name, *args])


def test_the_corpus_is_large_enough() -> None:
    assert len(_case_names()) >= 30


@pytest.mark.parametrize("name", _case_names())
def test_validate_output(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run_case(name, tmp_path, monkeypatch)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.exit_code == (0 if name.startswith("warn-") else 1), result.output
    assert_golden(CASES / name / EXPECTED, result.output)


def test_json_format_lists_the_same_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = run_case("bad-metadata-key-value", tmp_path / "text", monkeypatch)
    result = run_case("bad-metadata-key-value", tmp_path / "json", monkeypatch, "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.output)
    assert all(
        set(p) == {"file", "line", "column", "path", "message", "severity"} for p in problems
    )
    lines = text.output.splitlines()[:-1]  # without the summary line
    rendered = [
        f"{p['file']}:{p['line']}:{p['column']}: {p['path']}: {p['message']}" for p in problems
    ]
    assert rendered == lines
    assert_golden(Path(__file__).parent / "golden" / "bad-metadata-key-value.json", result.output)


def test_json_format_of_a_clean_directory_is_an_empty_list() -> None:
    examples = Path(__file__).resolve().parents[2] / "examples" / "manifests"
    result = CliRunner().invoke(
        cli, ["validate", str(examples / "keyword-spotting"), "--format", "json"]
    )
    assert result.exit_code == 0
    assert json.loads(result.output) == []


def test_no_content_skips_reading_data_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_case("csv-non-numeric", tmp_path, monkeypatch, "--no-content")
    assert result.exit_code == 0, result.output
    assert result.output == "OK: 3 captures, 0 configurations, 0 metadata names\n"


def test_default_directory_is_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(
        CASES / "duplicate-key-top-level", tmp_path / "m", ignore=shutil.ignore_patterns(EXPECTED)
    )
    monkeypatch.chdir(tmp_path / "m")
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 1
    assert result.output == (
        'capdecl.yaml:4:1: project: duplicate key "project" (first at line 1)\n'
        "1 error, 0 warnings in 1 file\n"
    )


def test_repeated_problems_of_a_group_are_summarised(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    for i in range(8):
        (tmp_path / "data" / f"take{i}.csv").write_text("AccX\n1\n")
    (tmp_path / "m.yaml").write_text(
        "project: p\nmetadata: {Subject: {}}\n"
        "captures:\n  - glob: data/*.csv\n    pattern: data/{Subject}_{n}.csv\n"
        "    name: '{n}.csv'\n"
    )
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    where = f"{tmp_path}/m.yaml:5:14: captures[0].pattern: "
    assert lines == [
        *(f'{where}"data/take{i}.csv" does not match the pattern' for i in range(5)),
        f"{where}... and 3 more problems like the one above",
        "8 errors, 0 warnings in 1 file",
    ]
