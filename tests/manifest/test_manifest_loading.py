"""load_project: the API other modules use, on small manifest directories built here."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from capdecl.errors import ManifestError
from capdecl.manifest import load_project
from capdecl.state import Policy, PruneScope, SourceRef

CSV = "AccX,AccY\n1,2\n"


def make(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def test_errors_raise_manifest_error_with_every_problem(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "capdecl.yaml": "project: p\nmetadata:\n  Split: {values: [train, Train]}\n"
            "captures:\n  - file: data/a.csv\n    metadata: {Split: tets}\n",
            "data/a.csv": CSV,
        },
    )
    with pytest.raises(ManifestError) as raised:
        load_project(tmp_path)
    problems = raised.value.problems
    assert [(p.file, p.line, p.column, p.path, p.severity) for p in problems] == [
        ("capdecl.yaml", 3, 27, "metadata.Split.values[1]", "warning"),
        ("capdecl.yaml", 6, 23, "captures[0].metadata.Split", "error"),
    ]
    assert problems[0].message == 'value "Train" differs from "train" only in case'
    assert problems[1].message == (
        'value "tets" is not an allowed value of Split (allowed: train, Train)'
    )
    assert raised.value.message == "1 problem(s) in the manifests"
    assert raised.value.details[1].startswith("capdecl.yaml:6:23: captures[0].metadata.Split: ")


def test_warnings_come_back_with_the_desired_state(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "capdecl.yaml": "project: p\nserver: http://localhost:8000/\n"
            "captures:\n  - file: data/a.csv\n    name: ' a.csv'\n",
            "data/a.csv": CSV,
        },
    )
    loaded = load_project(tmp_path)
    assert loaded.desired.server == "http://localhost:8000/"
    assert loaded.desired.policy == Policy()
    assert [c.name for c in loaded.desired.captures] == ["a.csv"]
    (warning,) = loaded.warnings
    assert warning.severity == "warning"
    assert warning.format() == (
        'capdecl.yaml:5:11: captures[0].name: warning: capture name " a.csv" '
        'has surrounding whitespace; the server stores "a.csv"'
    )


def test_files_merge_in_name_order_and_singles_override_groups(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "b.yaml": "captures:\n  - file: data/S1/x_2.csv\n    name: special.csv\n"
            "    protect: true\n    metadata: {Split: test}\n",
            "a.yml": "project: p\nsettings: {prune: all, allow_replace: true, protect: [keep*]}\n"
            "metadata:\n  Subject: {}\n  Split: {values: [train, test]}\n"
            "configurations:\n  c: {configuration: {version: 3}, protect: true}\n"
            "captures:\n  - pattern: 'data/{Subject}/x_{n}.csv'\n    configuration: c\n"
            "    sample_rate: 10\n    metadata: {Split: train}\n",
            "data/S1/x_1.csv": CSV,
            "data/S1/x_2.csv": CSV,
            "notes/ignored.yaml.txt": "not a manifest",
            ".hidden.yaml": "this: is ignored",
        },
    )
    desired = load_project(tmp_path, check_content=False).desired
    assert desired.policy.prune is PruneScope.ALL
    assert desired.policy.allow_replace and desired.policy.protect == ("keep*",)
    assert desired.configurations[0].protect is True
    special, one = desired.captures
    assert (one.name, dict(one.metadata)) == ("x_1.csv", {"Split": "train", "Subject": "S1"})
    assert (special.name, special.protect, special.sample_rate) == ("special.csv", True, 10)
    assert dict(special.metadata) == {"Split": "test", "Subject": "S1"}
    assert special.configuration == "c"
    assert special.source == SourceRef("b.yaml", 2, 5)
    assert one.source == SourceRef("a.yml", 9, 5)


def test_anchors_and_merge_keys_share_settings(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "capdecl.yaml": "project: p\nmetadata: {Split: {}}\n"
            "x-defaults: &defaults {sample_rate: 50, metadata: {Split: train}}\n",
            "captures.yaml": "captures:\n"
            "  - &one {file: data/a.csv, sample_rate: 100, metadata: {Split: test}}\n"
            "  - <<: *one\n    file: data/b.csv\n",
            "data/a.csv": CSV,
            "data/b.csv": CSV,
        },
    )
    with pytest.raises(ManifestError) as raised:
        load_project(tmp_path)
    (problem,) = raised.value.problems
    assert (problem.file, problem.path) == ("capdecl.yaml", "x-defaults")
    (tmp_path / "capdecl.yaml").write_text("project: p\nmetadata: {Split: {}}\n")
    a, b = load_project(tmp_path).desired.captures
    assert (a.name, a.sample_rate, dict(a.metadata)) == ("a.csv", 100, {"Split": "test"})
    assert (b.name, b.sample_rate, dict(b.metadata)) == ("b.csv", 100, {"Split": "test"})


def test_numbers_in_metadata_keep_their_spelling(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "capdecl.yaml": "project: p\nmetadata:\n  Trial: {type: integer, values: [01, 2]}\n"
            "  Gain: {type: float}\n"
            "captures:\n  - file: a.csv\n    metadata: {Trial: 01, Gain: 0.50}\n",
            "a.csv": CSV,
        },
    )
    (capture,) = load_project(tmp_path).desired.captures
    assert dict(capture.metadata) == {"Trial": "01", "Gain": "0.50"}


def test_content_checks_can_be_skipped(tmp_path: Path) -> None:
    make(tmp_path, {"m.yaml": "project: p\ncaptures: [{file: a.csv}]\n", "a.csv": "x,y\na,b\n"})
    assert len(load_project(tmp_path, check_content=False).desired.captures) == 1
    with pytest.raises(ManifestError):
        load_project(tmp_path)


def test_a_directory_without_manifests_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError) as raised:
        load_project(tmp_path)
    (problem,) = raised.value.problems
    assert (problem.file, problem.line) == (".", 0)
    assert "no manifest files" in problem.message


def test_oversized_manifest_is_refused_without_parsing(tmp_path: Path) -> None:
    (tmp_path / "big.yaml").write_bytes(b"# " + b"x" * (16 * 1024 * 1024) + b"\n")
    with pytest.raises(ManifestError) as raised:
        load_project(tmp_path)
    assert [p.format() for p in raised.value.problems] == [
        "big.yaml:1:1: file is larger than 16 MiB"
    ]


def test_wav_chunks_before_fmt_are_skipped(tmp_path: Path) -> None:
    samples = struct.pack("<4h", 1, -1, 2, -2)
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    body = (
        b"WAVE"
        + b"LIST"
        + struct.pack("<I", 5)
        + b"INFO!\x00"
        + b"fmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", len(samples))
        + samples
    )
    wav = b"RIFF" + struct.pack("<I", len(body)) + body
    make(tmp_path, {"m.yaml": "project: p\ncaptures: [{file: a.wav, sample_rate: 8000}]\n"})
    (tmp_path / "a.wav").write_bytes(wav)
    loaded = load_project(tmp_path)
    assert loaded.warnings == ()
    assert loaded.desired.captures[0].sample_rate == 8000


def test_a_glob_over_thousands_of_files_resolves(tmp_path: Path) -> None:
    """The scale path: 5,000 files, two directory levels, a pattern and a name template."""
    data = tmp_path / "data"
    for subject in range(5):
        folder = data / f"S{subject}"
        folder.mkdir(parents=True)
        for trial in range(1000):
            (folder / f"walk_{trial}.csv").write_text(CSV)
    os.mkfifo(tmp_path / "not-matched.fifo")
    (tmp_path / "m.yaml").write_text(
        "project: p\nmetadata: {Subject: {}}\ncaptures:\n"
        "  - glob: 'data/**/*.csv'\n    pattern: 'data/{Subject}/walk_{trial}.csv'\n"
        "    name: '{Subject}-{trial:>}.csv'\n"
    )
    with pytest.raises(ManifestError):  # "{trial:>}" is no field of the pattern
        load_project(tmp_path, check_content=False)
    text = (tmp_path / "m.yaml").read_text().replace("{trial:>}", "{trial}")
    (tmp_path / "m.yaml").write_text(text)
    captures = load_project(tmp_path).desired.captures
    assert len(captures) == 5000
    assert captures[0].name == "S0-0.csv"
    last = captures[-1]
    assert (last.name, last.rel_path, dict(last.metadata)) == (
        "S4-999.csv",
        "data/S4/walk_999.csv",
        {"Subject": "S4"},
    )
