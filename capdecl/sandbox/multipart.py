"""A fast path for ``multipart/form-data`` bodies as HTTP clients write them.

Werkzeug's streaming parser compiles a regular expression per boundary and walks the body
in Python-level events; for the small uploads the sandbox mostly sees that dominates the
request. :func:`parse_form` splits an in-memory body on its boundary instead and returns
``None`` for anything it does not recognise exactly (a preamble, header continuation lines,
non-ASCII part headers, a part ``Content-Type`` on a plain field, a missing closing
delimiter, ...), so the caller falls back to Werkzeug and the outcome never differs.
"""

from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage, Headers, MultiDict
from werkzeug.http import parse_options_header

Form = tuple[MultiDict[str, str], MultiDict[str, FileStorage]]


def parse_form(body: bytes, boundary: str) -> Form | None:
    """Fields and files of a well-formed multipart body, or None to take the slow path."""
    if not boundary or not body.startswith(b"--"):
        return None
    delimiter = b"--" + boundary.encode("latin-1")
    pieces = (b"\r\n" + body).split(b"\r\n" + delimiter)
    if pieces[0] != b"" or pieces[-1] not in (b"--", b"--\r\n") or len(pieces) < 3:
        return None
    if body.count(delimiter) != len(pieces) - 1:
        return None  # the boundary after a bare CR or LF: Werkzeug splits there too
    fields: list[tuple[str, str]] = []
    files: list[tuple[str, FileStorage]] = []
    for piece in pieces[1:-1]:
        part = _part(piece)
        if part is None:
            return None
        name, filename, headers, content = part
        if filename is not None:
            files.append((name, FileStorage(io.BytesIO(content), filename, name, headers=headers)))
        elif "content-type" in headers:
            return None  # a per-part charset: Werkzeug's rules
        else:
            fields.append((name, content.decode("utf-8", "replace")))
    return MultiDict(fields), MultiDict(files)


def _part(piece: bytes) -> tuple[str, str | None, Headers, bytes] | None:
    """One body part: name, filename (None for a plain field), headers, content."""
    head_end = piece.find(b"\r\n\r\n")
    if not piece.startswith(b"\r\n") or head_end < 0:
        return None
    try:
        head = piece[2:head_end].decode("ascii")
    except UnicodeDecodeError:
        return None
    headers = Headers()
    for line in head.split("\r\n"):
        name, colon, value = line.partition(":")
        if not colon or not name or name[0] in " \t":
            return None
        headers.add(name.strip(" \t"), value.strip(" \t"))
    kind, options = parse_options_header(headers.get("content-disposition"))
    if kind != "form-data" or "name" not in options:
        return None
    return options["name"], options.get("filename"), headers, piece[head_end + 4 :]
