"""The building blocks: YAML reader, templates, glob walker, naming rules, CSV cells."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from capdecl.manifest import rules
from capdecl.manifest.content import _CELL
from capdecl.manifest.findings import Findings, format_path, suggest
from capdecl.manifest.paths import (
    PathProblem,
    Root,
    glob_regex,
    glob_segments,
    relative_path,
    walk_glob,
)
from capdecl.manifest.templates import TemplateError, compile_pattern, parse_template
from capdecl.manifest.yamlload import MAX_ALIAS_NODES, load_yaml

# --------------------------------------------------------------------------- YAML


def load(text: str) -> tuple[object, list[str]]:
    findings = Findings()
    document = load_yaml(text.encode("utf-8"), "m.yaml", findings)
    return (document.data if document else None), [p.format() for p in findings.problems()]


def test_yaml_keeps_scalars_json_friendly_and_keys_textual() -> None:
    data, problems = load("a: 2024-01-01\nyes: on\n1.5: ~\nb: [0x10, 1_000, .5, '7']\n")
    assert problems == []
    assert data == {"a": "2024-01-01", "yes": True, "1.5": None, "b": [16, 1000, 0.5, "7"]}


def test_yaml_marks_point_at_values_and_keys() -> None:
    findings = Findings()
    document = load_yaml(b"top:\n  - {a: 1}\n  - b: [x, y]\n", "m.yaml", findings)
    assert document is not None
    node, found = document.root.find(("top", 1, "b", 1))
    assert found and (node.line, node.column) == (3, 12)
    parent, found = document.root.find(("top", 1, "missing"))
    assert not found and (parent.line, parent.column) == (3, 5)
    assert (parent.key_line, parent.key_column) == (3, 5)


def test_merge_keys_let_explicit_keys_win() -> None:
    data, problems = load(
        "base: &b {x: 1, y: 2}\nmore: &m {y: 3, z: 4}\nc:\n  <<: [*b, *m]\n  x: 9\n"
    )
    assert problems == []
    assert data["c"] == {"x": 9, "y": 2, "z": 4}  # type: ignore[index]


def test_aliases_within_the_budget_are_expanded() -> None:
    data, problems = load("a: &a [1, 2]\nb: [*a, *a]\n")
    assert problems == []
    assert data == {"a": [1, 2], "b": [[1, 2], [1, 2]]}


def test_alias_expansion_is_bounded() -> None:
    rows = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 7):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        rows.append(f"a{level}: &a{level} [{refs}]")
    data, problems = load("\n".join(rows) + "\n")
    assert data is None
    assert problems == [
        f"m.yaml:5:45: aliases expand to more than {MAX_ALIAS_NODES:,} values "
        "(an alias bomb?); write the values out"
    ]


def test_recursive_and_undefined_aliases_are_refused() -> None:
    assert load("a: &a [*a]\n")[1] == ["m.yaml:1:8: alias *a refers to its own enclosing value"]
    assert load("a: *nope\n")[1] == ["m.yaml:1:4: alias *nope refers to no anchor"]


def test_duplicate_keys_are_reported_where_they_repeat() -> None:
    _, problems = load("a:\n  b: 1\n  c: {d: 1, d: 2}\n  b: 3\n")
    assert problems == [
        'm.yaml:3:13: a.c.d: duplicate key "d" (first at line 3)',
        'm.yaml:4:3: a.b: duplicate key "b" (first at line 2)',
    ]


# --------------------------------------------------------------------------- templates


def test_pattern_fields_match_shortest_first_and_repeat_consistently() -> None:
    pattern = compile_pattern("data/{Subject}/{Gesture}_{trial}.csv")
    assert pattern.match("data/S01/wave_fast_2.csv") == {
        "Subject": "S01",
        "Gesture": "wave",
        "trial": "fast_2",
    }
    assert pattern.match("data/S01/extra/wave_1.csv") is None
    assert pattern.as_glob() == "data/*/*_*.csv"
    twice = compile_pattern("{Subject}/{Subject}_{n}.csv")
    assert twice.match("S1/S1_3.csv") == {"Subject": "S1", "n": "3"}
    assert twice.match("S1/S2_3.csv") is None


def test_pattern_literals_allow_wildcards_and_braces() -> None:
    pattern = compile_pattern("**/take-?/{Subject}_*.csv")
    assert pattern.match("a/b/take-1/S9_anything.csv") == {"Subject": "S9"}
    assert pattern.match("take-1/S9_x.csv") == {"Subject": "S9"}
    assert parse_template("{{literal}}_{x}").render({"x": "1"}) == "{literal}_1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("data/{Subject.csv", 'unbalanced "{" at character 6'),
        ("data/Subject}.csv", 'unbalanced "}" at character 13'),
        ("data/{}.csv", "empty field {} at character 6"),
        ("data/*.csv", "the pattern has no {field}; use `glob` for plain wildcards"),
    ],
)
def test_malformed_patterns_say_why(text: str, message: str) -> None:
    with pytest.raises(TemplateError) as raised:
        compile_pattern(text)
    assert str(raised.value) == message


# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize(
    ("declared", "expected"),
    [("data/a.csv", "data/a.csv"), ("./data//a.csv", "data/a.csv"), ("a/../b.csv", "b.csv")],
)
def test_relative_paths_are_normalised(declared: str, expected: str) -> None:
    assert relative_path(declared) == expected


@pytest.mark.parametrize("declared", ["/etc/passwd", "C:\\data\\a.csv", "../a.csv", "a/../..", "."])
def test_escaping_paths_are_refused(declared: str) -> None:
    with pytest.raises(PathProblem):
        relative_path(declared)


def tree(root: Path, *paths: str) -> Root:
    for rel in paths:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x")
    return Root.of(root)


def test_glob_walker_rules(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        "a.csv",
        ".hidden.csv",
        "d/b.csv",
        "d/e/c.csv",
        "d/.git/x.csv",
        "d/.keep/y.csv",
        "D/upper.csv",
        "d/[x].csv",
    )
    os.symlink(tmp_path / "d", tmp_path / "linked-dir")

    def files(pattern: str) -> list[str]:
        return walk_glob(root, glob_segments(pattern)).files

    assert files("*.csv") == ["a.csv"]
    assert files(".*.csv") == [".hidden.csv"]
    assert files("**/*.csv") == ["D/upper.csv", "a.csv", "d/[x].csv", "d/b.csv", "d/e/c.csv"]
    assert files("d/**") == ["d/[x].csv", "d/b.csv", "d/e/c.csv"]
    assert files("d/.keep/*.csv") == ["d/.keep/y.csv"]
    assert files("d/[[]x].csv") == ["d/[x].csv"]
    assert files("d/[!b]*.csv") == ["d/[x].csv"]
    assert files("linked-dir/b.csv") == ["linked-dir/b.csv"]
    assert files("linked-*/b.csv") == []  # wildcards do not follow directory links


def test_glob_walk_is_capped(tmp_path: Path) -> None:
    root = tree(tmp_path, *[f"d/{i}.csv" for i in range(20)])
    with pytest.raises(PathProblem) as raised:
        walk_glob(root, glob_segments("**/*.csv"), limit=10)
    assert str(raised.value) == "visits more than 10 directory entries; narrow it"


def test_exclude_patterns_match_whole_paths() -> None:
    exclude = glob_regex("data/**/bad_*.csv")
    assert exclude.fullmatch("data/bad_1.csv")
    assert exclude.fullmatch("data/x/y/bad_2.csv")
    assert not exclude.fullmatch("data/x/good.csv")
    assert not exclude.fullmatch("other/bad_1.csv")


# --------------------------------------------------------------------------- rules


def test_server_naming_rules() -> None:
    assert rules.metadata_name_problems("Sensor Position_2") == []
    assert rules.metadata_name_problems(" ") == ["is blank"]
    assert rules.metadata_name_problems("_GroupRows_") == ["is reserved by the server"]
    assert rules.metadata_value_problems("12:30-a.b c_d") == []
    assert rules.metadata_value_problems("a/b") == [
        'contains "/" (allowed: letters, digits, space and _ . : -)'
    ]
    assert rules.typed_value_problem(" -12 ", "integer") is None
    assert rules.typed_value_problem("1.5", "integer") is not None
    assert rules.typed_value_problem("1.5e3", "float") is None
    assert rules.typed_value_problem("nan", "float") is not None
    assert rules.project_name_problems("my-project 2.0_x") == []
    assert rules.free_name_problems("x" * 250, rules.MAX_CAPTURE_NAME) == []
    assert rules.free_name_problems("a\u200bb", 10) == ["contains control characters (U+200B)"]
    assert rules.untrimmed_note(" a") == 'has surrounding whitespace; the server stores "a"'


def test_messages_helpers() -> None:
    assert format_path(("captures", 3, "metadata", "Sensor Position")) == (
        'captures[3].metadata["Sensor Position"]'
    )
    assert suggest("subject", ["Subject", "Gesture"]) == '; did you mean "Subject"?'
    assert suggest("zzz", ["Subject"]) == ""


# --------------------------------------------------------------------------- CSV cells


@pytest.mark.parametrize(
    "cell", ["1", "-2", "+3.5", ".5", "5.", "1e-3", "1E+3", "", " 7 ", "NaN", "-inf", "NA", "null"]
)
def test_numeric_cells_as_pandas_reads_them(cell: str) -> None:
    assert _CELL.fullmatch(cell)


@pytest.mark.parametrize("cell", ["True", "1,000", "0x10", "1_000", "one", "1.2.3", "--1", "e5"])
def test_non_numeric_cells(cell: str) -> None:
    assert not _CELL.fullmatch(cell)
