"""HTTP/1.1 keep-alive: several requests on one connection, bodies the application did
not read drained first, and the connection closed when its end cannot be known."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from capdecl.sandbox import FaultConfig, SandboxHandle, running_sandbox
from capdecl.sandbox.http11 import DRAIN_LIMIT


@pytest.fixture
def connection(sandbox: SandboxHandle) -> Iterator[http.client.HTTPConnection]:
    address = urlsplit(sandbox.url)
    assert address.hostname == "127.0.0.1" and address.port is not None
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    yield conn
    conn.close()


def raw_connection(sandbox: SandboxHandle) -> socket.socket:
    address = urlsplit(sandbox.url)
    assert address.hostname == "127.0.0.1" and address.port is not None
    return socket.create_connection((address.hostname, address.port), timeout=30)


def exchange(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bool, bytes]:
    """One request on ``conn``: (status, whether the server closes, body)."""
    conn.request(method, path, body=body, headers=headers or {})
    answer = conn.getresponse()
    data = answer.read()
    return answer.status, answer.will_close, data


def local_port(conn: http.client.HTTPConnection) -> int:
    assert conn.sock is not None
    port: int = conn.sock.getsockname()[1]
    return port


def test_requests_share_one_connection(
    connection: http.client.HTTPConnection, sandbox_token: str
) -> None:
    auth = {"Authorization": f"Bearer {sandbox_token}"}
    first = exchange(connection, "GET", "/project/", headers=auth)
    port = local_port(connection)
    second = exchange(connection, "GET", "/project/", headers=auth)
    assert first == second == (200, False, b"[]")
    assert local_port(connection) == port  # the same TCP connection


def test_a_body_left_unread_is_drained_before_the_next_request(
    connection: http.client.HTTPConnection, sandbox_token: str
) -> None:
    body = b"x" * 50_000  # refused (no token) before the application reads it
    status, closes, _ = exchange(connection, "POST", "/project/", body=body)
    assert (status, closes) == (401, False)
    port = local_port(connection)
    auth = {"Authorization": f"Bearer {sandbox_token}"}
    assert exchange(connection, "GET", "/project/", headers=auth) == (200, False, b"[]")
    assert local_port(connection) == port


def test_a_big_upload_refused_unread_gets_its_answer_and_keeps_the_connection(
    connection: http.client.HTTPConnection, sandbox_token: str
) -> None:
    # an upload whose token is refused before the body is read (an expired token in the
    # middle of an apply): the client sends it all, gets the 401, and the connection goes on
    body = b"AccX\n" + b"1\n" * 2_500_000
    status, closes, _ = exchange(connection, "POST", "/project/", body=body)
    assert (status, closes) == (401, False)
    auth = {"Authorization": f"Bearer {sandbox_token}"}
    assert exchange(connection, "GET", "/project/", headers=auth) == (200, False, b"[]")


def test_too_much_unread_body_closes_the_connection(sandbox: SandboxHandle) -> None:
    # a body declared bigger than the drain limit, of which only the start is sent: the
    # answer (401, no token: the body is not read) says the connection ends, and it does
    with raw_connection(sandbox) as conn:
        head = f"POST /project/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {DRAIN_LIMIT + 1}"
        conn.sendall(head.encode() + b"\r\n\r\n" + b"x" * 1000)
        answer = http.client.HTTPResponse(conn)
        answer.begin()
        assert (answer.status, answer.will_close) == (401, True)
        answer.read()
        assert conn.recv(65536) == b""


def test_a_chunked_body_closes_the_connection_after_the_answer(
    connection: http.client.HTTPConnection, sandbox_token: str
) -> None:
    headers = {"Authorization": f"Bearer {sandbox_token}", "Content-Type": "application/json"}
    connection.request(
        "POST", "/project/", body=iter([b'{"name": ', b'"chunked"}']), headers=headers
    )
    answer = connection.getresponse()
    assert answer.status == 201 and b'"name":"chunked"' in answer.read().replace(b" ", b"")
    assert answer.will_close


def test_a_client_asking_to_close_gets_a_closed_connection(
    connection: http.client.HTTPConnection,
) -> None:
    status, closes, _ = exchange(connection, "GET", "/project/", headers={"Connection": "close"})
    assert (status, closes) == (401, True)


def test_stopping_the_sandbox_closes_idle_connections(tmp_path: Path) -> None:
    with running_sandbox(tmp_path / "state", faults=FaultConfig()) as sandbox:
        idle = raw_connection(sandbox)
        idle.sendall(b"GET /project/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = http.client.HTTPResponse(idle)
        answer.begin()
        assert answer.status == 401 and not answer.will_close
        answer.read()
    with idle:
        assert idle.recv(65536) == b""  # the server shut it down on close
