"""MultipartStream: exact length, streamed file part, fields before the file."""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path

from capdecl.client.multipart import CHUNK, MultipartStream


def _parse(content_type: str, body: bytes) -> list[tuple[str, str | None, bytes]]:
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    parts = []
    for part in message.iter_parts():
        parts.append((part.get_param("name", header="content-disposition"),
                      part.get_filename(), part.get_payload(decode=True)))  # fmt: skip
    return parts


def test_body_is_well_formed_and_of_the_announced_length(tmp_path: Path) -> None:
    data = bytes(range(256)) * 1000  # 256 kB, several chunks
    path = tmp_path / "x.bin"
    path.write_bytes(data)
    fields = [("name", 'walk "1".csv'), ("set_sample_rate", "100")]
    with MultipartStream(fields, "file", 'walk "1".csv', path, "text/csv") as stream:
        body = b"".join(iter(stream))
        assert len(body) == len(stream)
        content_type = stream.content_type
    parts = _parse(content_type, body)
    assert [p[0] for p in parts] == ["name", "set_sample_rate", "file"]
    assert parts[0][2] == b'walk "1".csv'
    assert parts[2][1] == "walk %221%22.csv"  # quotes escaped HTML5-style in the header
    assert parts[2][2] == data


def test_read_returns_bounded_chunks(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"x" * (3 * CHUNK + 5))
    with MultipartStream([("name", "a.csv")], "file", "a.csv", path) as stream:
        sizes = []
        while chunk := stream.read(1000):
            sizes.append(len(chunk))
        assert max(sizes) == 1000 and sum(sizes) == len(stream)
        assert stream.read() == b""


def test_each_stream_reopens_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"one")
    with MultipartStream([], "file", "a.csv", path) as first:
        first_body = first.read()
    path.write_bytes(b"two!")
    with MultipartStream([], "file", "a.csv", path) as second:
        second_body = second.read()
    assert b"one" in first_body and b"two!" in second_body
