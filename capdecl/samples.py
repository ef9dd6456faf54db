"""Sample counts computed while a capture file is hashed: CSV data rows and WAV frames,
as the server counts them (its ``number_samples``), so a plan can compare them without
asking the server to re-read anything."""

from __future__ import annotations

import io
import re

# a blank line: a line feed (optionally after CR) right after another line feed
_BLANK_LINE = re.compile(rb"(?<=\n)\r?\n")
_CANDIDATE = re.compile(rb"\n\r?\n")  # where a blank line may be (one search)


class CsvRowCounter:
    """Counts CSV data rows as the server's pandas reader does: non-blank lines after the
    first non-blank (header) line. Handles LF and CRLF, a missing final newline and
    blank lines; fed block by block."""

    def __init__(self) -> None:
        self.newlines = 0
        self.blank = 0
        self.tail = b"\n\n"  # the last two bytes seen; starts as if after a newline
        self.empty = True

    def feed(self, buffer: bytearray, n: int) -> None:
        """Count the first ``n`` bytes of ``buffer``. A blank line is counted where its
        final line feed is: the two positions next to the previous block are checked
        with the previous block's last two bytes, the rest inside the block, where the
        counting regex runs only when one search found a candidate (LF LF or LF CR LF)."""
        self.newlines += buffer.count(b"\n", 0, n)
        if buffer[0] == 10 or (n > 1 and buffer[1] == 10):  # a LF at the block's start
            edge = self.tail + bytes(buffer[: min(n, 2)])
            self.blank += sum(1 for m in _BLANK_LINE.finditer(edge) if m.end() > len(self.tail))
        if _CANDIDATE.search(buffer, 0, n):
            inner = bytes(buffer[:n])
            self.blank += sum(1 for m in _BLANK_LINE.finditer(inner) if m.end() > 2)
        self.tail = bytes(buffer[n - 2 : n]) if n >= 2 else self.tail[-1:] + bytes(buffer[:1])
        self.empty = False

    def rows(self) -> int:
        if self.empty:
            return 0
        lines = self.newlines
        if not self.tail.endswith(b"\n"):  # last line without a final newline
            lines += 1
            if self.tail == b"\n\r":  # ... which is a lone CR: blank
                self.blank += 1
        return max(0, lines - self.blank - 1)


def wav_frames(f: io.FileIO, size: int) -> int | None:
    """Frame count from a RIFF/WAVE header: data chunk size / block_align, walking the
    chunks (an oversized data chunk is clamped to the file). None when not a WAV."""
    f.seek(0)
    head = f.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    block_align = 0
    offset = 12
    while offset + 8 <= size:
        f.seek(offset)
        header = f.read(8)
        chunk_id, chunk_size = header[:4], int.from_bytes(header[4:8], "little")
        body = offset + 8
        if chunk_id == b"fmt ":
            fmt = f.read(min(chunk_size, 16))
            if len(fmt) < 16:
                return None
            channels = int.from_bytes(fmt[2:4], "little")
            bits = int.from_bytes(fmt[14:16], "little")
            block_align = int.from_bytes(fmt[12:14], "little") or channels * ((bits + 7) // 8)
        elif chunk_id == b"data":
            if block_align <= 0:
                return None
            return min(chunk_size, size - body) // block_align
        offset = body + chunk_size + (chunk_size & 1)
    return None
