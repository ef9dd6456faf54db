"""The sandbox's whole-column CSV typing agrees with the per-value rules it short-cuts."""

from __future__ import annotations

import csv
import io
import random

import pytest

from capdecl.sandbox.capturefiles import (
    _column_type,
    _column_type_by_value,
    _rendered,
    parse_capture,
)

TOKENS = [
    "1", "-12", "+3", "007", "123456789012345678", "-999999999999999999",
    "1234567890123456789", "99999999999999999999", "-9223372036854775808",
    "1.5", "1.", ".5", "-.5", "1e5", "1E-3", "1.e5", ".5e+2", "2.50", "1.0000000000000000001",
    "inf", "-Infinity", "NaN", "nan", "", "NA", "null", " 4 ", "4 ", "\t5",
    "abc", "1_000", "\u0663", "1\n2", "0x10", "1.5.2", "--1", "+", "-", ".", "e5", "1e", "1e+",
]  # fmt: skip


def columns(seed: int, count: int) -> list[list[str]]:
    """Columns mostly of one numeric kind with the odd other token, as real files go."""
    rng = random.Random(seed)
    ints, floats = TOKENS[:7], TOKENS[9:19]
    result = []
    for _ in range(count):
        base = rng.choice([ints, floats, ints + floats])
        column = [rng.choice(base) for _ in range(rng.randint(1, 12))]
        for _ in range(rng.choice([0, 0, 1, 2])):
            column[rng.randrange(len(column))] = rng.choice(TOKENS)
        result.append(column)
    return result


@pytest.mark.parametrize("seed", range(5))
def test_fast_column_typing_matches_the_per_value_rules(seed: int) -> None:
    kinds = {"int": 0, "float": 0, None: 0}
    for column in columns(seed, 2000):
        kind = _column_type(column)
        assert kind == _column_type_by_value(column), column
        kinds[kind] += 1
    assert min(kinds.values()) > 100  # every outcome is exercised


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        (["1", "2", "-3"], "int"),
        (["123456789012345678", "1"], "int"),
        (["9223372036854775807"], "int"),
        (["9223372036854775808"], None),
        (["1", "2.5"], "float"),
        (["1", ""], "float"),
        (["1e5", ".5"], "float"),
        (["1\n2"], None),
        ([" 1 ", "2"], "int"),
        (["1", "x"], None),
    ],
)
def test_column_types(column: list[str], kind: str | None) -> None:
    assert _column_type(column) == kind


@pytest.mark.parametrize(
    ("column", "kind", "stored"),
    [
        (("1", "-20", "0"), "int", ("1", "-20", "0")),
        (("+5", "007", "-0", " 3 "), "int", ["5", "7", "0", "3"]),
        (("2.50", "", "1e-05", "NaN"), "float", ["2.5", "", "1e-05", ""]),
        (("t0", "NA", "noon"), None, ["t0", "", "noon"]),
    ],
)
def test_columns_are_stored_as_pandas_writes_them(
    column: tuple[str, ...], kind: str | None, stored: object
) -> None:
    assert _rendered(column, kind) == stored


@pytest.mark.parametrize("seed", range(3))
def test_numeric_rewrite_writes_what_a_csv_writer_writes(seed: int) -> None:
    rng = random.Random(seed)
    header = ["AccX", "Acc Y", "t_2"]
    cells = [*TOKENS[:7], *TOKENS[9:19], "", "NaN", " 4 "]
    rows = [[rng.choice(cells) for _ in header] for _ in range(50)] + [["1", "2", "3"]]
    text = "\n".join(",".join(row) for row in [header, *rows]) + "\n"
    parsed = parse_capture(text.encode(), ".csv")
    columns = dict(zip(header, zip(*rows, strict=True), strict=True))
    kinds = {name: _column_type(values) for name, values in columns.items()}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["sequence", *header])
    for index, row in enumerate(rows):
        pairs = zip(row, header, strict=True)
        writer.writerow([index, *(_rendered([value], kinds[name])[0] for value, name in pairs)])
    assert parsed.stored == buffer.getvalue().encode()
