"""Error answers become clear capdecl errors: server message, method, path, status."""

from __future__ import annotations

import random
import socket
from pathlib import Path

import pytest

from capdecl.client import parse
from capdecl.client.auth import Authenticator, Credentials
from capdecl.client.http import SensiMLClient
from capdecl.client.parse import checked
from capdecl.client.retry import RetryPolicy
from capdecl.errors import NotFoundError, ServerError, ServerValidationError, TransportError
from capdecl.sandbox.faults import FaultConfig
from capdecl.sandbox.run import SandboxHandle
from capdecl.state import LiveProject
from tests.client.conftest import SleepRecorder, write_csv


def test_unknown_route_html_page(client: SensiMLClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.transport.call("GET", "no-such-thing/", params={"q": "1"})
    error = caught.value
    assert (error.request.method, error.request.path, error.request.status) == (
        "GET",
        "/no-such-thing/",
        404,
    )
    assert (
        error.server_message == "the server answered 404 with an HTML page (not the SensiML API?)"
    )
    assert str(error) == f"GET /no-such-thing/ failed 404: {error.server_message}"


def test_proxy_html_and_json_500_pages(
    make_client,
    sandbox: SandboxHandle,  # type: ignore[no-untyped-def]
) -> None:
    client: SensiMLClient = make_client(max_attempts=1)
    client.find_project("log in first")
    sandbox.set_faults(FaultConfig(seed=9, error_rate=1.0))
    messages = set()
    for _ in range(15):
        with pytest.raises((TransportError, ServerError)) as caught:
            client.list_projects()
        messages.add(str(caught.value))
    sandbox.set_faults(None)
    assert {
        "GET /project/: the server answered 502 with an HTML page (not the SensiML API?)",
        "GET /project/: the server answered 503 with an HTML page (not the SensiML API?)",
        "GET /project/ failed 500: OperationalError: server closed the connection unexpectedly",
    } == messages


def test_non_json_success_body(client: SensiMLClient, project: LiveProject, tmp_path: Path) -> None:
    made = client.upload_capture(project.uuid, "a.csv", write_csv(tmp_path / "a.csv"))
    with pytest.raises(TransportError) as caught:
        client.transport.get_json(f"project/{project.uuid}/capture/{made.uuid}/file/")
    assert "with a body that is not JSON" in str(caught.value)
    assert str(caught.value).startswith(f"GET /project/{project.uuid}/capture/{made.uuid}/file/:")


def test_wrong_shape_body_names_request_and_field(client: SensiMLClient) -> None:
    body = client.transport.get_json("version/")
    with pytest.raises(TransportError) as caught:
        checked("GET", "version/", lambda: parse.each(body, parse.project))
    assert str(caught.value) == (
        "GET /version/: unexpected answer: expected a JSON array, got an object"
    )
    with pytest.raises(TransportError, match=r"element 1: field 'file_size' is missing"):
        checked(
            "GET", "x/", lambda: parse.each([_capture(), {"uuid": "u", "name": "n"}], parse.capture)
        )
    with pytest.raises(
        TransportError, match=r"field 'file_size' should be an integer, got a string"
    ):
        checked("GET", "x/", lambda: parse.capture({**_capture(), "file_size": "12"}))
    extra = parse.capture({**_capture(), "surprise": {"new": "field"}})
    assert extra.file_size == 12


def _capture() -> dict[str, object]:
    return {"uuid": "u", "name": "a.csv", "file_size": 12}


def test_validation_envelope_is_flattened(
    client: SensiMLClient, project: LiveProject, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("AccX,AccY\n1,hello\n", encoding="ascii")
    with pytest.raises(ServerValidationError) as caught:
        client.upload_capture(project.uuid, "bad.csv", bad)
    assert "All columns must contain only numeric data" in caught.value.server_message
    with pytest.raises(ServerValidationError) as caught:
        client.create_metadata_field(project.uuid, "has-dash", "string", [])
    assert caught.value.server_message.startswith("name: Value")


def test_missing_object_is_not_found(client: SensiMLClient, project: LiveProject) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.get_configuration(project.uuid, "3f1c5bb2-7a43-4a35-9b9f-7b0bbd53c2a1")
    assert caught.value.server_message == "Not found."
    assert caught.value.request.status == 404


def test_nothing_listening(slept: SleepRecorder) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    policy = RetryPolicy(max_attempts=3, sleep=slept, rng=random.Random(0))
    creds = Credentials(token="t", source="test")
    url = f"http://127.0.0.1:{port}/"
    with (
        SensiMLClient(url, Authenticator(creds), retry=policy) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.list_projects()
    assert str(caught.value) == (
        f"GET /project/: could not connect to {url} (gave up after 3 attempts)"
    )
    assert len(slept.calls) == 2


def test_read_timeout(make_client, sandbox: SandboxHandle) -> None:  # type: ignore[no-untyped-def]
    client: SensiMLClient = make_client(max_attempts=2, timeout=(5, 0.05))
    client.find_project("log in first")
    sandbox.set_faults(FaultConfig(latency_ms=300))
    with pytest.raises(TransportError) as caught:
        client.list_projects()
    sandbox.set_faults(None)
    assert str(caught.value) == (
        f"GET /project/: no answer from {sandbox.url} within 0.05 s (gave up after 2 attempts)"
    )
