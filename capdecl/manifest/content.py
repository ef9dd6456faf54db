"""What the server's upload parser would refuse, found offline (sensiml-api.md §4.4).

CSV: UTF-8 without byte-order mark; a header of distinct, non-empty names made of
letters, digits, ``_``, ``-`` and space; at least one data row; no row longer than the
header; every cell numeric (as pandas reads numbers: empty and NA markers count) except
in a column named ``timestamp``. WAV: a RIFF/WAVE file of PCM 16-bit samples.

Files are streamed with the csv module, one regular expression per row, so checking
stays fast without pandas.
"""

from __future__ import annotations

import csv
import re
import struct
from collections.abc import Iterator
from typing import BinaryIO

from capdecl.manifest.findings import Findings, quote
from capdecl.manifest.yamlload import position_of
from capdecl.state import DesiredCapture, SourceRef

_COLUMN = re.compile(r"[A-Za-z0-9_ -]*")
_NA = r"|".join(
    re.escape(t)
    for t in (
        "#N/A N/A", "#N/A", "#NA", "-1.#IND", "-1.#QNAN", "1.#IND", "1.#QNAN", "<NA>",
        "N/A", "NA", "NULL", "None", "n/a", "null",
    )
)  # fmt: skip
_NUMBER = (
    r"[ \t]*(?:[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
    r"|(?i:inf|infinity|nan))|" + _NA + r")?[ \t]*"
)
_CELL = re.compile(_NUMBER)
_ROW = re.compile(f"{_NUMBER}(?:\x00{_NUMBER})*")
EXEMPT_COLUMN = "timestamp"


def check_contents(captures: list[DesiredCapture], findings: Findings) -> None:
    """Check the content of every capture file."""
    for capture in captures:
        if capture.rel_path.endswith(".csv"):
            check_csv(capture.path, capture.rel_path, findings)
        elif capture.rel_path.endswith(".wav"):
            check_wav(capture.path, capture.rel_path, capture.sample_rate, findings)


def check_csv(path: str, rel: str, findings: Findings) -> None:
    """Report the first reason the server would refuse this CSV file."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(3)
        if not start:
            findings.error(SourceRef(rel, 1, 1), "", "the file is empty")
            return
        if start == b"\xef\xbb\xbf":
            message = (
                "starts with a UTF-8 byte-order mark, which the server refuses; save without BOM"
            )
            findings.error(SourceRef(rel, 1, 1), "", message)
            return
        with open(path, encoding="utf-8", newline="") as handle:
            _CsvCheck(rel, findings).run(csv.reader(handle))
    except UnicodeDecodeError:
        with open(path, "rb") as handle:
            raw = handle.read()
        offset = _bad_utf8(raw)
        line, column = position_of(raw, offset)
        findings.error(
            SourceRef(rel, line, column), "", f"not valid UTF-8 (byte 0x{raw[offset]:02x})"
        )
    except csv.Error as error:
        findings.error(SourceRef(rel, 1, 1), "", f"unreadable CSV: {error}")
    except OSError as error:
        findings.error(SourceRef(rel, 1, 1), "", f"cannot read: {error.strerror}")


def _bad_utf8(raw: bytes) -> int:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start
    return 0


class _CsvCheck:
    """One pass over a CSV file: header, then rows (fast path: one regex per row)."""

    def __init__(self, rel: str, findings: Findings) -> None:
        self.rel = rel
        self.findings = findings

    def error(self, line: int, column: int, message: str) -> None:
        self.findings.error(SourceRef(self.rel, line, column), "", message)

    def run(self, reader: Iterator[list[str]]) -> None:
        header = next(reader, None)
        if not header:
            self.error(1, 1, "the first line must be the header of column names")
            return
        if not self.header_ok(header):
            return
        exempt = header.index(EXEMPT_COLUMN) if EXEMPT_COLUMN in header else None
        width, rows, bad = len(header), 0, dict[int, bool]()
        for row in reader:
            if not row:
                continue
            rows += 1
            if len(row) > width:
                line = reader.line_num  # type: ignore[attr-defined]
                self.error(
                    line,
                    _column(row, width),
                    f"this row has {len(row)} fields; the header has {width}",
                )
                return
            cells = row if exempt is None else row[:exempt] + row[exempt + 1 :]
            if not _ROW.fullmatch("\x00".join(cells)):
                self.bad_cells(header, row, exempt, bad, reader.line_num)  # type: ignore[attr-defined]
        if rows == 0:
            self.error(2, 1, "no data rows: the server needs at least one row of numbers")

    def header_ok(self, header: list[str]) -> bool:
        ok, seen = True, set()
        for index, name in enumerate(header):
            column = _column(header, index)
            if not name:
                self.error(1, column, f"column {index + 1} has no name")
                ok = False
            elif not _COLUMN.fullmatch(name):
                bad = " ".join(quote(c) for c in dict.fromkeys(name) if not _COLUMN.fullmatch(c))
                self.error(
                    1,
                    column,
                    f"column name {quote(name)} contains {bad} "
                    "(allowed: letters, digits, space and _ -)",
                )
                ok = False
            elif name in seen:
                self.error(1, column, f"column name {quote(name)} is used twice")
                ok = False
            seen.add(name)
        return ok

    def bad_cells(
        self, header: list[str], row: list[str], exempt: int | None, bad: dict[int, bool], line: int
    ) -> None:
        """Report the first non-numeric cell of each column."""
        for index, cell in enumerate(row):
            if index == exempt or index in bad or _CELL.fullmatch(cell):
                continue
            bad[index] = True
            message = (
                f"column {quote(header[index])}: {quote(cell)} is not a number "
                f"(only a column named {quote(EXEMPT_COLUMN)} may hold other values)"
            )
            self.error(line, _column(row, index), message)


def _column(row: list[str], index: int) -> int:
    """1-based character column where field ``index`` starts (exact without quoting)."""
    return sum(len(cell) + 1 for cell in row[:index]) + 1


def check_wav(path: str, rel: str, sample_rate: int | None, findings: Findings) -> None:
    """Report why the server's wave reader would refuse this file (PCM 16-bit only)."""
    where = SourceRef(rel, 1, 1)
    try:
        with open(path, "rb") as handle:
            problem, rate = _wav_problem(handle)
    except OSError as error:
        problem, rate = f"cannot read: {error.strerror}", None
    if problem:
        findings.error(where, "", problem)
    elif sample_rate is not None and rate is not None and sample_rate != rate:
        message = f"sample_rate {sample_rate} is declared, but the WAV header says {rate}"
        findings.warning(where, "", message)


def _wav_problem(handle: BinaryIO) -> tuple[str | None, int | None]:
    """Walk the RIFF chunks up to the data chunk; return (problem, sample rate)."""
    head = handle.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return "not a WAV file (no RIFF/WAVE header)", None
    fmt: tuple[int, int, int, int] | None = None
    while len(chunk := handle.read(8)) == 8:
        chunk_id, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
        if chunk_id == b"fmt ":
            body = handle.read(size + (size & 1))
            if size < 16 or len(body) < 16:
                return "WAV fmt chunk is too short", None
            audio_format, channels, rate, _byte_rate, _align, bits = struct.unpack_from(
                "<HHIIHH", body
            )
            fmt = (audio_format, channels, rate, bits)
        elif chunk_id == b"data":
            return _wav_format_problem(fmt, size), fmt[2] if fmt else None
        else:
            handle.seek(size + (size & 1), 1)
    return "WAV file has no data chunk", None


def _wav_format_problem(fmt: tuple[int, ...] | None, size: int) -> str | None:
    if fmt is None:
        return "WAV data chunk comes before its fmt chunk"
    audio_format, channels, _rate, bits = fmt
    if audio_format != 1:
        return f"WAV format {audio_format} is not PCM (format 1); the server reads PCM only"
    if bits != 16:
        return f"WAV samples are {bits}-bit; the server reads 16-bit PCM only"
    if channels < 1:
        return "WAV file declares no channels"
    if size == 0:
        return "WAV file has no samples"
    return None
