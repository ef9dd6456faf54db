"""Parse uploaded capture files the way Piccolo's ``CSVFileReader``/``WaveFileReader`` do,
without pandas: the same accept/reject decisions, statistics and stored bytes.

CSV: header checks (duplicates, blanks, ``^[a-zA-Z0-9_ -]*$``, so a BOM fails), then every
column must be numeric (int64/float64 in pandas terms) except one named ``timestamp``. A CSV
without a ``sequence`` column is stored rewritten, as ``DataFrame.to_csv`` would write it:
a leading ``sequence`` 0..n-1, ints and floats re-rendered (``2.50`` → ``2.5``, missing →
empty), ``\\n`` line endings. WAV: 16-bit PCM frames, columns ``channel_0..``.

Known difference: pandas' fast float parser can round a 17-significant-digit value to a
neighbouring double (``0.30000000000000004`` is stored as ``0.3``); this module keeps
Python's exact value.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from capdecl.sandbox.apierrors import ServerFault, flat_error

Column = Sequence[str]

_COLUMN = re.compile(r"^[a-zA-Z0-9_ -]*$")
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity)$", re.I)
# pandas' default NA strings
_NA = frozenset(
    [
        "#N/A",
        "#N/A N/A",
        "#NA",
        "-1.#IND",
        "-1.#QNAN",
        "-NaN",
        "-nan",
        "1.#IND",
        "1.#QNAN",
        "<NA>",
        "N/A",
        "NA",
        "NULL",
        "NaN",
        "None",
        "n/a",
        "nan",
        "null",
    ]
) | {""}
_INT64 = (-(2**63), 2**63 - 1)
# Whole-column fast paths (one regex over the column joined by newlines): plain ASCII
# numbers without spaces, NA strings or 19+ digit integers, which can neither overflow
# int64 nor be NA; any other column takes the per-value rules of ``_column_type``.
_INT_COLUMN = re.compile(r"[+-]?[0-9]{1,18}(?:\n[+-]?[0-9]{1,18})*")
_CANONICAL_INT = r"-?(?:[1-9][0-9]{0,17}|0)"
_CANONICAL_INT_COLUMN = re.compile(f"{_CANONICAL_INT}(?:\n{_CANONICAL_INT})*")
_EXPONENT = r"(?:[eE][+-]?[0-9]+)"
_NUMBER = (
    rf"[+-]?(?:[0-9]{{1,18}}|[0-9]+\.[0-9]*{_EXPONENT}?|\.[0-9]+{_EXPONENT}?|[0-9]+{_EXPONENT})"
)
_FLOAT_COLUMN = re.compile(f"{_NUMBER}(?:\n{_NUMBER})*")


@dataclass(frozen=True, slots=True)
class ParsedCapture:
    """What an accepted upload yields: statistics, schema and the bytes to store."""

    number_samples: int
    max_sequence: int
    schema: dict[str, dict[str, str | None]]
    stored: bytes


def bad_schema(message: str) -> Exception:
    """Piccolo's ``BadCaptureSchemaError``: 400 with the flat error shape."""
    return flat_error(400, message)


def parse_capture(data: bytes, extension: str) -> ParsedCapture:
    """Validate an upload (``.csv`` or ``.wav``) and compute what the server stores."""
    if extension == ".wav":
        return _parse_wav(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ServerFault("UnicodeDecodeError", str(error)) from None
    plain = _int_table(text)
    if plain is not None:
        return plain
    rows = list(csv.reader(io.StringIO(text, newline=None)))
    header = rows[0] if rows else None
    if header is None:
        raise ServerFault("TypeError", "object of type 'NoneType' has no len()")
    _check_header(header)
    return _parse_rows(header, rows[1:], original=data)


def _int_table(text: str) -> ParsedCapture | None:
    """The usual sensor file, parsed with one regular expression instead of cell by cell:
    an unquoted header without ``sequence``, then only rows of canonical integers
    (``str(int(x)) == x``, at most 18 digits) of the header's width, ending in LF or
    CRLF, no blank line. None for anything else (the general path decides)."""
    first, newline, body = text.partition("\n")
    if not newline or not body or '"' in first:
        return None
    head = first.removesuffix("\r")
    if not head or "\r" in head:  # (the csv reader: no columns; a line break)
        return None
    header = head.split(",")
    if "sequence" in header or not _int_rows(len(header)).fullmatch(body):
        return None
    _check_header(header)
    lines = body.replace("\r\n", "\n").removesuffix("\n").split("\n")
    schema: dict[str, dict[str, str | None]] = {
        n.replace(" ", "_"): {"type": "int"} for n in header
    }
    stored = [f"sequence,{head}\n", *(f"{i},{line}\n" for i, line in enumerate(lines))]
    return ParsedCapture(len(lines), len(lines) - 1, schema, "".join(stored).encode("utf-8"))


@functools.lru_cache(maxsize=32)
def _int_rows(width: int) -> re.Pattern[str]:
    """Rows of ``width`` canonical integers, the last newline optional."""
    row = ",".join([_CANONICAL_INT] * width)
    return re.compile(f"(?:{row}\r?\n)*{row}(?:\r?\n)?")


def _check_header(header: list[str]) -> None:
    if not header:
        raise ServerFault("EmptyDataError", "No columns to parse from file")
    if len(header) != len(set(header)):
        raise bad_schema("Invalid file schema: duplicate column names are not allowed.")
    if any(not name for name in header):
        raise bad_schema("Invalid column name: blank column names are not allowed.")
    for name in header:
        if not _COLUMN.match(name):
            raise bad_schema(
                f'Value "{name}" can only contain letters, numbers and underscores and spaces.'
            )


def _parse_rows(header: list[str], raw_rows: list[list[str]], original: bytes) -> ParsedCapture:
    rows = _padded(raw_rows, len(header))
    columns = dict(zip(header, _transpose(rows, len(header)), strict=True))
    typed = {name: _column_type(values) for name, values in columns.items()}
    data_columns = [name for name in header if name != "sequence"]
    invalid = [n for n in data_columns if typed[n] is None and n != "timestamp"]
    if invalid:
        raise bad_schema(
            f"Invalid values in column(s) {','.join(invalid)}. "
            "All columns must contain only numeric data."
        )
    schema = {name.replace(" ", "_"): {"type": typed[name]} for name in data_columns}
    if not rows:
        raise ServerFault("IndexError", "index -1 is out of bounds for axis 0 with size 0")
    if "sequence" in columns:
        last = _sequence_value(columns["sequence"][-1])
        return ParsedCapture(len(rows), last, schema, original)
    stored = _rewrite(header, columns, typed)
    return ParsedCapture(len(rows), len(rows) - 1, schema, stored)


def _padded(raw_rows: list[list[str]], width: int) -> list[list[str]]:
    """The data rows without blank lines (pandas skips them), short rows padded with
    empty cells; a row longer than the header is pandas' tokenizing error."""
    if all(len(row) == width for row in raw_rows):
        return raw_rows
    rows: list[list[str]] = []
    for line, row in enumerate(raw_rows, start=2):
        if not row:
            continue
        if len(row) > width:
            raise ServerFault(
                "ParserError",
                f"Error tokenizing data. C error: Expected {width} fields in line {line}, "
                f"saw {len(row)}\n",
            )
        rows.append(row + [""] * (width - len(row)))
    return rows


def _transpose(rows: list[list[str]], width: int) -> list[Column]:
    """Rows to columns (``width`` empty columns when there is no row)."""
    if not rows:
        return [() for _ in range(width)]
    return list(zip(*rows, strict=True))


def _column_type(values: Column) -> str | None:
    """pandas' dtype for a column, as the schema names it: "int", "float" or None (object)."""
    if not values:
        return None
    joined = "\n".join(values)
    if joined.count("\n") == len(values) - 1:  # no cell holds a newline itself
        if _CANONICAL_INT_COLUMN.fullmatch(joined) or _INT_COLUMN.fullmatch(joined):
            return "int"
        if _FLOAT_COLUMN.fullmatch(joined):
            return "float"
    return _column_type_by_value(values)


def _column_type_by_value(values: Column) -> str | None:
    kind = "int"
    for raw in values:
        if raw in _NA:
            kind = "float"
            continue
        text = raw.strip()
        if _INT.match(text):
            if not _INT64[0] <= int(text) <= _INT64[1]:
                return None
        elif _FLOAT.match(text):
            kind = "float"
        else:
            return None
    return kind


def _sequence_value(raw: str) -> int:
    text = raw.strip()
    try:
        value = float(text) if _FLOAT.match(text) else None
    except ValueError:
        value = None
    if value is None or value != value or not value.is_integer():
        raise ServerFault("DataError", f'invalid input syntax for type bigint: "{raw}"')
    return int(value)


def _rendered(values: Column, kind: str | None) -> Column:
    """One column as ``DataFrame.to_csv`` writes it back: NA as empty, ints and floats
    re-rendered (``int``/``float`` accept the surrounding spaces a cell may have)."""
    if kind == "int":
        if _CANONICAL_INT_COLUMN.fullmatch("\n".join(values)):
            return values  # already as ``str(int(value))`` writes it
        return [str(int(raw)) for raw in values]
    if kind == "float":
        return ["" if raw in _NA else repr(float(raw)) for raw in values]
    return ["" if raw in _NA else raw for raw in values]


def _rewrite(header: list[str], columns: dict[str, Column], typed: dict[str, Any]) -> bytes:
    count = len(columns[header[0]])
    rendered = [_rendered(columns[name], typed[name]) for name in header]
    rows = zip(map(str, range(count)), *rendered, strict=True)
    if all(typed[name] is not None for name in header):
        # numbers and empty cells only, and names the header rules allow: nothing a CSV
        # writer would quote, so joining the cells writes the same bytes
        lines = ["sequence," + ",".join(header), *map(",".join, rows), ""]
        return "\n".join(lines).encode("utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["sequence", *header])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _parse_wav(data: bytes) -> ParsedCapture:
    """16-bit PCM only; anything ``wave``/numpy would choke on is a 500."""
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            channels, width = reader.getnchannels(), reader.getsampwidth()
            frames = reader.readframes(reader.getnframes())
    except (wave.Error, EOFError, ValueError) as error:
        raise ServerFault(type(error).__name__, str(error)) from None
    if width != 2 or len(frames) % (2 * channels):
        raise ServerFault("ValueError", f"cannot reshape {width * 8}-bit samples as int16")
    count = len(frames) // (2 * channels)
    names = [f"channel_{i}" for i in range(channels)]
    if count == 0:
        raise bad_schema(
            f"Invalid values in column(s) {','.join(names)}. "
            "All columns must contain only numeric data."
        )
    schema: dict[str, dict[str, str | None]] = {name: {"type": "int"} for name in names}
    return ParsedCapture(count, count - 1, schema, data)
