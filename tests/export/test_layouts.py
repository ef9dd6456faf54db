"""Offline: the one-entry-per-file and the grouped layouts declare exactly the same
captures as the live project holds, whatever the names look like. Proven with the
manifest loader itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from capdecl.export import build_export, grouped_layout, single_layout
from capdecl.export.layout import GroupEntry
from capdecl.export.model import ProjectExport
from capdecl.manifest import check_project
from tests.export.builders import Spec, live_state, write_export
from tests.export.conftest import resolved


def imu(subjects: tuple[str, ...] = ("S01", "S02", "S03")) -> list[Spec]:
    specs: list[Spec] = []
    for subject in subjects:
        for gesture in ("wave", "tap"):
            for trial in ("1", "2"):
                test = subject == "S03" or (subject, gesture, trial) == ("S02", "tap", "2")
                split = "test" if test else "train"
                metadata = {"Subject": subject, "Gesture": gesture, "Trial": trial, "Split": split}
                specs.append((f"{subject}_{gesture}_{trial}.csv", metadata, "imu", 100))
    return specs


def expected(live_specs: list[Spec]) -> dict[str, tuple[str | None, int | None, dict[str, str]]]:
    return {name: (config, rate, dict(metadata)) for name, metadata, config, rate in live_specs}


def loaded(root: Path) -> dict[str, tuple[str | None, int | None, dict[str, str]]]:
    captures = resolved(root)["captures"]
    return {name: (c[1], c[2], c[3]) for name, c in captures.items()}


def both_layouts(tmp_path: Path, specs: list[Spec]) -> tuple[ProjectExport, tuple[object, ...]]:
    """Write both layouts, check each loads clean and declares exactly ``specs``."""
    export = build_export(live_state(specs))
    grouped = grouped_layout(export.captures)
    single = write_export(tmp_path / "single", export, single_layout(export.captures))
    group = write_export(tmp_path / "grouped", export, grouped)
    for root in (single, group):
        assert check_project(root).errors == ()
        assert loaded(root) == expected(specs)
    assert resolved(single) == resolved(group)
    return export, grouped


def groups(layout: tuple[object, ...]) -> list[GroupEntry]:
    return [e for e in layout if isinstance(e, GroupEntry)]


def test_metadata_named_files_become_one_group_with_overrides(tmp_path: Path) -> None:
    _, layout = both_layouts(tmp_path, imu())
    [group] = groups(layout)
    assert group.pattern == "data/{Subject}_{Gesture}_{Trial}.csv"
    assert (group.count, dict(group.metadata), group.exclude) == (12, {"Split": "train"}, ())
    assert [o.file for o in group.overrides] == [
        "data/S02_tap_2.csv",
        *(f"data/S03_{g}_{t}.csv" for g in ("tap", "wave") for t in ("1", "2")),
    ]


def test_values_the_pattern_would_misread_stay_single_and_are_excluded(tmp_path: Path) -> None:
    odd = [
        (
            "S01_wave_fast_1.csv",
            {"Subject": "S01", "Gesture": "wave_fast", "Trial": "1"},
            "imu",
            100,
        )
    ]
    _, layout = both_layouts(tmp_path, imu() + odd)
    [group] = groups(layout)
    assert group.exclude == ("data/S01_wave_fast_1.csv",)


def test_same_template_with_other_rate_gets_its_own_group(tmp_path: Path) -> None:
    slow = [(f"S09_{g}_1.csv", {"Subject": "S09", "Gesture": g, "Trial": "1"}, "imu", 50)
            for g in ("wave", "tap", "circle")]  # fmt: skip
    _, layout = both_layouts(tmp_path, imu() + slow)
    assert [(g.sample_rate, g.count, len(g.exclude)) for g in groups(layout)] == [
        (50, 3, 12),
        (100, 12, 3),
    ]


def test_metadata_only_some_members_have_is_set_per_file(tmp_path: Path) -> None:
    specs = imu()
    name, metadata, config, rate = specs[0]
    specs[0] = (name, {**metadata, "Note": "noisy"}, config, rate)
    _, layout = both_layouts(tmp_path, specs)
    [group] = groups(layout)
    assert "Note" not in group.metadata
    assert dict(group.overrides[0].metadata) == {"Note": "noisy"}


def test_wildcards_and_braces_in_names_are_literal(tmp_path: Path) -> None:
    specs: list[Spec] = [
        (f"{{x}}{s}*_[{g}]_?.csv", {"Subject": s, "Gesture": g}, None, None)
        for s in ("S01", "S02")
        for g in ("wave", "tap")
    ]
    _, layout = both_layouts(tmp_path, specs)
    [group] = groups(layout)
    assert group.pattern == "data/{{x}}{Subject}[*]_[[]{Gesture}]_[?].csv"


def test_unusable_file_names_get_safe_files_and_an_explicit_name(tmp_path: Path) -> None:
    specs: list[Spec] = [
        ("walk/run.csv", {"Subject": "S01"}, "imu", 100),
        ("..", {"Subject": "S01"}, None, None),
        (".hidden.wav", {}, None, None),
        ("a\\b.csv", {}, None, None),
        ("Upper.csv", {}, None, None),
        ("upper.csv", {}, None, None),
        ("upper~2.csv", {}, None, None),
        ("report.CSV", {}, None, None),
        ("no suffix", {}, None, None),
    ]
    export, _ = both_layouts(tmp_path, specs)
    files = {c.name: (c.file, c.explicit_name) for c in export.captures}
    assert files == {
        "walk/run.csv": ("data/walk_run.csv", True),
        "..": ("data/_...csv", True),
        ".hidden.wav": ("data/_.hidden.wav", True),
        "a\\b.csv": ("data/a_b.csv", True),
        "Upper.csv": ("data/Upper.csv", False),
        "upper.csv": ("data/upper~3.csv", True),
        "upper~2.csv": ("data/upper~2.csv", False),
        "report.CSV": ("data/report.csv", True),
        "no suffix": ("data/no suffix.csv", True),
    }
    assert any("no .csv/.wav suffix" in w for w in export.warnings)


@pytest.mark.parametrize(
    "value",
    [
        "yes",
        "null",
        "1.5",
        "01",
        "-3",
        "1e3",
        "2024-01-01",
        "a: b",
        ":x",
        "- x",
        "1:30",
        ".5",
        "0x1F",
    ],
)
def test_metadata_values_that_look_like_other_yaml_types_stay_text(
    tmp_path: Path, value: str
) -> None:
    specs: list[Spec] = [("a.csv", {"Note": value.strip()}, None, None)]
    both_layouts(tmp_path, specs)


def test_awkward_names_are_quoted_and_read_back(tmp_path: Path) -> None:
    names = ['he said "hi": #1.csv', "café ☕.csv", "x{y}.csv", "a*b?[c].csv", "- dash.csv"]
    specs: list[Spec] = [(name, {"Subject": f"S{i}"}, "imu", 100) for i, name in enumerate(names)]
    export, _ = both_layouts(tmp_path, specs)
    assert [c.explicit_name for c in export.captures] == [False] * len(names)
