"""A ``multipart/form-data`` body that streams its file part from disk.

``requests``' own ``files=`` support reads the whole file into memory; this reader yields
the small form fields, then the file in chunks, then the closing boundary, and reports its
exact length so the request goes out with a ``Content-Length`` (no chunked encoding).
One instance is one attempt: it opens the file on construction and must be closed; a retry
builds a new one, so it re-reads the file from the start.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

CHUNK = 64 * 1024


def _quote(value: str) -> str:
    """Header parameter value as browsers (and urllib3) send it: HTML5-style escaping."""
    return value.translate({10: "%0A", 13: "%0D", 34: "%22"})


class MultipartStream:
    """File-like request body; ``len()`` is the exact byte count."""

    def __init__(
        self,
        fields: Sequence[tuple[str, str]],
        file_field: str,
        filename: str,
        path: Path,
        content_type: str = "application/octet-stream",
    ) -> None:
        boundary = secrets.token_hex(16)
        self.content_type = f"multipart/form-data; boundary={boundary}"
        head = bytearray()
        for name, value in fields:
            head += (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote(name)}"'.encode()
            )
            head += b"\r\n\r\n" + value.encode("utf-8") + b"\r\n"
        head += (
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{_quote(file_field)}"; filename="{_quote(filename)}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        self._head = bytes(head)
        self._tail = f"\r\n--{boundary}--\r\n".encode()
        self._file: BinaryIO = path.open("rb")
        self._size = os.fstat(self._file.fileno()).st_size
        self._pending = self._chunks()
        self._buffer = b""

    def __len__(self) -> int:
        return len(self._head) + self._size + len(self._tail)

    def __enter__(self) -> MultipartStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    def __iter__(self) -> Iterator[bytes]:
        while True:
            chunk = self.read(CHUNK)
            if not chunk:
                return
            yield chunk

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all the rest when negative); b"" at the end."""
        out = bytearray(self._buffer)
        while size < 0 or len(out) < size:
            chunk = next(self._pending, b"")
            if not chunk:
                break
            out += chunk
        if size >= 0 and len(out) > size:
            self._buffer = bytes(out[size:])
            return bytes(out[:size])
        self._buffer = b""
        return bytes(out)

    def _chunks(self) -> Iterator[bytes]:
        yield self._head
        remaining = self._size
        while remaining > 0:
            chunk = self._file.read(min(CHUNK, remaining))
            if not chunk:
                raise OSError(f"{self._file.name} shrank while it was being uploaded")
            remaining -= len(chunk)
            yield chunk
        yield self._tail
