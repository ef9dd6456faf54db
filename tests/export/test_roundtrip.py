"""Round trips through the real CLI, client and sandbox (HTTP on 127.0.0.1): apply an
example, export it, and the export plans "No changes." and validates clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from capdecl.client.connect import open_client
from capdecl.ledger import read_ledger
from capdecl.manifest import check_project
from capdecl.sandbox import SandboxHandle
from capdecl.state import LedgerEntry
from tests.export.conftest import (
    GOLDEN,
    apply_example,
    normalised,
    ok,
    resolved,
    run,
)
from tests.golden import assert_golden


def export(sandbox: SandboxHandle, project: str, out: Path, *flags: str) -> str:
    """`capdecl export` that must succeed; returns its stdout."""
    args = ("export", "--project", project, "--out", str(out), "--server", sandbox.url)
    return ok(*args, *flags).stdout


def assert_no_changes(sandbox: SandboxHandle, directory: Path) -> None:
    plan = run("plan", str(directory), "--server", sandbox.url, "--detailed-exitcode")
    assert (plan.exit_code, plan.stdout.splitlines()[0]) == (
        0,
        f'No changes. Project "{resolved(directory)["project"]}" matches the manifests.',
    ), plan.output


@pytest.mark.parametrize("example", ["imu-gestures", "keyword-spotting"])
def test_downloaded_export_plans_no_changes_and_validates(
    env: SandboxHandle, tmp_path: Path, example: str
) -> None:
    source = apply_example(example, tmp_path, env.url)
    out = tmp_path / "exported"
    stdout = export(env, example, out, "--download")
    assert_golden(
        GOLDEN / f"{example}.export.txt", normalised(stdout, env).replace(str(out), "OUT")
    )
    for name in ("project.yaml", "captures.yaml"):
        text = (out / name).read_text(encoding="utf-8")
        assert_golden(GOLDEN / f"{example}.{name}", normalised(text, env))
    assert check_project(out).problems == ()  # content checks included
    assert_no_changes(env, out)
    mine, theirs = resolved(out), resolved(source)
    assert mine["captures"].keys() == theirs["captures"].keys()
    assert [(n, c[1:]) for n, c in mine["captures"].items()] == [
        (n, c[1:]) for n, c in theirs["captures"].items()
    ]


def test_grouped_export_declares_the_same_project(env: SandboxHandle, tmp_path: Path) -> None:
    apply_example("imu-gestures", tmp_path, env.url)
    single, grouped = tmp_path / "single", tmp_path / "grouped"
    export(env, "imu-gestures", single, "--download")
    stdout = export(env, "imu-gestures", grouped, "--download", "--group-by-pattern")
    assert "1 pattern group (18 captures, 7 per-file overrides), 0 single entries" in stdout
    text = (grouped / "captures.yaml").read_text(encoding="utf-8")
    assert_golden(GOLDEN / "imu-gestures.grouped.captures.yaml", normalised(text, env))
    assert check_project(grouped).problems == ()
    assert resolved(grouped) == resolved(single)
    assert_no_changes(env, grouped)


def test_export_is_deterministic(env: SandboxHandle, tmp_path: Path) -> None:
    apply_example("keyword-spotting", tmp_path, env.url)
    first, second = tmp_path / "first", tmp_path / "second"
    export(env, "keyword-spotting", first)
    export(env, "keyword-spotting", second, "--group-by-pattern")
    export(env, "keyword-spotting", second, "--force")
    for name in ("project.yaml", "captures.yaml", "configs/microphone-16khz.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_export_without_download_says_what_is_missing(env: SandboxHandle, tmp_path: Path) -> None:
    apply_example("imu-gestures", tmp_path, env.url)
    out = tmp_path / "out"
    stdout = export(env, "imu-gestures", out)
    expected = normalised(stdout, env).replace(str(out), "OUT")
    assert_golden(GOLDEN / "imu-gestures.missing.txt", expected)
    report = check_project(out, check_content=False)
    assert len(report.errors) == 18
    assert {p.message.split(" ", 1)[1] for p in report.errors} == {"file not found"}
    stdout = export(env, "imu-gestures", out, "--download", "--force")
    assert "not written by this export" not in stdout
    assert check_project(out).problems == ()
    assert_no_changes(env, out)


def test_download_records_the_stored_bytes_beside_the_uploaded_ones(
    env: SandboxHandle, tmp_path: Path
) -> None:
    """The example's CSVs have no sequence column: the server stores them rewritten. The
    ledger keeps the uploaded hash and gains the stored one, so the exported directory and
    the original checkout both plan clean."""
    original = apply_example("imu-gestures", tmp_path, env.url)
    before = ledger(env)
    out = tmp_path / "out"
    result = ok("export", "--project", "imu-gestures", "--out", str(out), "--server", env.url,
                "--download")  # fmt: skip
    after = ledger(env)
    assert after.keys() == before.keys() and len(after) == 18
    for uuid, entry in after.items():
        assert (entry.sha256, entry.size) == (before[uuid].sha256, before[uuid].size)
        assert entry.stored_sha256 is not None and entry.stored_sha256 != entry.sha256
    assert "note: the ledger now also records the bytes the server stores for 18 captures" in (
        result.stderr
    )
    assert_no_changes(env, out)
    assert_no_changes(env, original)
    downloads = [line for line in result.stderr.splitlines() if line.startswith("Downloading")]
    assert downloads[-1].startswith("Downloading: 18/18 files, ")


def ledger(sandbox: SandboxHandle) -> dict[str, LedgerEntry]:
    """The content ledger of the imu-gestures project, read from its settings."""
    with open_client(sandbox.url) as client:
        project = client.find_project("imu-gestures")
    assert project is not None
    return dict(read_ledger(project.settings))


def test_failed_downloads_exit_1_and_keep_their_ledger_entry(
    env: SandboxHandle, tmp_path: Path
) -> None:
    apply_example("imu-gestures", tmp_path, env.url)
    before = ledger(env)
    stored = sorted((env.directory / "files").iterdir())
    stored[0].unlink()
    out = tmp_path / "out"
    result = run("export", "--project", "imu-gestures", "--out", str(out), "--server", env.url,
                 "--download")  # fmt: skip
    assert result.exit_code == 1
    assert "Error: 1 capture file could not be downloaded" in result.stderr
    [failed] = [line for line in result.stderr.splitlines() if line.startswith("  data/")]
    name = failed.split()[0].removeprefix("data/")
    after = ledger(env)
    kept = [uuid for uuid in after if after[uuid] == before[uuid]]
    assert len(kept) == 1 and len(after) == 18
    assert not (out / "data" / name).exists()
    assert len(list((out / "data").iterdir())) == 17


def test_export_refuses_a_non_empty_directory(env: SandboxHandle, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    env.reset_stats()
    result = run("export", "--project", "x", "--out", str(out), "--server", env.url)
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {out} is not empty\n"
        "  export into an empty or new directory, or pass --force to write into it\n",
    )
    assert dict(env.stats()) == {}  # refused before any request
    apply_example("keyword-spotting", tmp_path, env.url)
    forced = ok("export", "--project", "keyword-spotting", "--out", str(out),
                "--server", env.url, "--force")  # fmt: skip
    assert "warning: 1 file in the directory not written by this export" in forced.stderr
    assert "  notes.txt" in forced.stderr.splitlines()
    assert (out / "notes.txt").read_text() == "mine\n"


def test_export_errors_are_clear(env: SandboxHandle, tmp_path: Path) -> None:
    out = tmp_path / "out"
    adopt = run("export", "--project", "p", "--out", str(out), "--server", env.url, "--adopt")
    assert (adopt.exit_code, adopt.stderr) == (
        1,
        "Error: --adopt needs --download (it records the downloaded content)\n",
    )
    missing = run("export", "--project", "nope", "--out", str(out), "--server", env.url)
    assert (missing.exit_code, missing.stderr) == (
        1,
        f'Error: project "nope" was not found on {env.url}\n'
        "  project names are case-sensitive; check the name and the account\n",
    )
