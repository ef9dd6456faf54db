"""The sandbox's whole-column CSV typing agrees with the per-value rules it short-cuts."""

from __future__ import annotations

import csv
import io
import random

import pytest

from capdecl.sandbox import capturefiles
from capdecl.sandbox.capturefiles import (
    _column_type,
    _column_type_by_value,
    _int_table,
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


INT_CELLS = ["0", "7", "-3", "12", "100", "-999999999999999999", "123456789012345678"]
ODD_CELLS = ["+1", "007", "-0", "1.5", "", " 4", "1234567890123456789", '"5"', "x"]
ENDINGS = ["\n", "\r\n"]


def int_table(rng: random.Random) -> str:
    """A CSV text mostly of canonical integers, sometimes with one thing that is not."""
    width = rng.randint(1, 6)
    header = ["AccX", "AccY", "Gyr Z", "t_1", "sequence", "a"][:width]
    if rng.random() < 0.1:
        header[rng.randrange(width)] = rng.choice(["sequence", "bad.name", '"q"', "", "a\rb"])
    rows = [[rng.choice(INT_CELLS) for _ in header] for _ in range(rng.randint(0, 8))]
    if rows and rng.random() < 0.3:
        rows[rng.randrange(len(rows))][rng.randrange(width)] = rng.choice(ODD_CELLS)
    if rows and rng.random() < 0.1:
        rows.insert(rng.randrange(len(rows)), [] if rng.random() < 0.5 else ["1"] * (width + 1))
    end = rng.choice(ENDINGS)
    text = end.join(",".join(row) for row in [header, *rows])
    return text + (end if rng.random() < 0.8 else "")


def outcome(text: str) -> object:
    try:
        return parse_capture(text.encode(), ".csv")
    except Exception as error:  # (the error itself is compared)
        return (type(error).__name__, str(error), getattr(error, "body", None))


def shortcut_decides(text: str) -> bool:
    try:
        return _int_table(text) is not None
    except Exception:  # a header error raised by the shortcut: it decided
        return True


@pytest.mark.parametrize("seed", range(3))
def test_the_integer_table_shortcut_gives_what_the_general_path_gives(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    texts = [int_table(rng) for _ in range(1500)]
    taken = [text for text in texts if shortcut_decides(text)]
    fast = [outcome(text) for text in texts]
    monkeypatch.setattr(capturefiles, "_int_table", lambda text: None)
    assert [outcome(text) for text in texts] == fast
    assert 300 < len(taken) < len(texts)  # both paths are exercised
