"""The sandbox's multipart fast path: the same fields and files as Werkzeug's parser, or
no answer at all (so the request takes Werkzeug's path)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from urllib3 import encode_multipart_formdata
from werkzeug.formparser import MultiPartParser

from capdecl.sandbox.multipart import parse_form

BOUNDARY = "b0a1c2d3e4f5"


def werkzeug_form(body: bytes, boundary: str) -> tuple[list[Any], list[Any]]:
    fields, files = MultiPartParser().parse(io.BytesIO(body), boundary.encode(), len(body))
    read = []
    for name, storage in files.items(multi=True):
        read.append((name, storage.filename, storage.read()))
        storage.close()
    return list(fields.items(multi=True)), read


def fast_form(body: bytes, boundary: str) -> tuple[list[Any], list[Any]] | None:
    parsed = parse_form(body, boundary)
    if parsed is None:
        return None
    fields, files = parsed
    return list(fields.items(multi=True)), [
        (name, f.filename, f.read()) for name, f in files.items(multi=True)
    ]


def encoded(fields: list[tuple[str, Any]]) -> bytes:
    body, _ = encode_multipart_formdata(fields, boundary=BOUNDARY)
    return body


CSV = b"AccX,AccY\r\n1,2\r\n3,4\r\n"
TAKEN = {
    "upload": encoded([("name", "walk 1"), ("file", ("walk_1.csv", CSV, "text/csv"))]),
    "fields only": encoded([("name", "a"), ("asynchronous", "false"), ("name", "b")]),
    "empty file": encoded([("file", ("empty.csv", b""))]),
    "empty filename": encoded([("file", ("", CSV))]),
    "unicode field value": encoded([("name", "Gehen – Probe 1")]),
    "quoted filename": encoded([("file", ('we"ird\\name.csv', CSV))]),
    "binary content": encoded([("file", ("x.wav", bytes(range(256)) * 4))]),
    "CRLF inside content": encoded([("file", ("x.csv", b"a\r\n\r\n--b0a1\r\n"))]),
    "epilogue CRLF absent": encoded([("name", "x")]).rstrip(b"\r\n"),
}
DECLINED = {
    "unicode filename": encoded([("file", ("Gehen–1.csv", CSV))]),
    "preamble": b"hello\r\n" + encoded([("name", "x")]),
    "no closing delimiter": encoded([("name", "x")]).rsplit(b"--\r\n", 1)[0],
    "epilogue": encoded([("name", "x")]) + b"trailing words",
    "boundary after a bare LF": encoded([("file", ("x.csv", b"a\n--" + BOUNDARY.encode()))]),
    "header continuation": encoded([("name", "x")]).replace(
        b'form-data; name="name"', b'form-data;\r\n name="name"'
    ),
    "field with a content type": encoded(
        [("name", ("", b"x", "text/plain; charset=latin-1"))]
    ).replace(b'; filename=""', b""),
    "no parts": f"--{BOUNDARY}--\r\n".encode(),
    "not form-data": encoded([("name", "x")]).replace(b"form-data;", b"attachment;"),
    "empty body": b"",
}


@pytest.mark.parametrize("case", sorted(TAKEN))
def test_fast_path_answers_like_werkzeug(case: str) -> None:
    body = TAKEN[case]
    fast = fast_form(body, BOUNDARY)
    assert fast is not None
    assert fast == werkzeug_form(body, BOUNDARY)


@pytest.mark.parametrize("case", sorted(DECLINED))
def test_fast_path_declines_what_it_does_not_recognise(case: str) -> None:
    assert parse_form(DECLINED[case], BOUNDARY) is None


def test_wrong_boundary_is_declined() -> None:
    assert parse_form(TAKEN["upload"], "other") is None
    assert parse_form(TAKEN["upload"], "") is None
