"""``capdecl plan`` and ``capdecl apply`` against a server that answers badly.

A tiny server on 127.0.0.1 (:mod:`tests.reliability.hostile.server`) answers capdecl's
reads with HTML pages, truncated or non-JSON bodies, values of the wrong type, hundreds
of megabytes, garbage tokens, forged error messages, redirect loops. Each time both
commands must exit 1 with one clear ``Error:`` line, no traceback, within 10 s and 1 GiB
of address space, and write nothing (the server counts writes). Unexpected extra fields
are the opposite case: they must be accepted.

Answers that capdecl retries (5xx) carry ``Retry-After: 0``, so no test waits on backoff.
"""

from __future__ import annotations

import functools
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.wrappers import Response

from tests.reliability.conftest import Figures
from tests.reliability.hostile.server import (
    Answer,
    HostileServer,
    hostile_server,
    json_answer,
    raw_answer,
)
from tests.reliability.process import Outcome, clean_env, run_cli
from tests.reliability.scenarios import Spec, write_manifests

MiB = 1024 * 1024
PROJECT_UUID = "5d8c8a9e-6f0c-4b8e-9a51-3f1f2a8f0c11"
PROJECT = {"uuid": PROJECT_UUID, "name": "hostile-server", "settings": None}
NO_WAIT = {"Retry-After": "0"}
HTML = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"


def project_exists(*routes: tuple[str, Answer]) -> tuple[tuple[str, Answer], ...]:
    """The declared project exists (empty), and ``routes`` answer its reads."""
    return (*routes, (r"GET /project/", json_answer([PROJECT])))


def stream(size: int) -> Iterator[bytes]:
    """``size`` bytes of JSON whitespace, a mebibyte at a time, then ``[]``."""
    chunk = b" " * MiB
    for _ in range(size // MiB):
        yield chunk
    yield b"[]"


@functools.cache
def gzip_bomb(size: int) -> bytes:
    """A gzip body of a few hundred kilobytes that inflates to ``size`` bytes (made on
    first use)."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=6) as packed:
        chunk = b" " * MiB
        for _ in range(size // MiB):
            packed.write(chunk)
        packed.write(b"[]")
    return out.getvalue()


def declared_huge(_request: object) -> Response:
    response = Response(b"[]", 200, content_type="application/json")
    response.headers["Content-Length"] = str(10 * 1024 * MiB)
    response.automatically_set_content_length = False
    return response


@dataclass(frozen=True)
class Scenario:
    name: str
    routes: tuple[tuple[str, Answer], ...]
    expect: str


READ_SCENARIOS = [
    Scenario("html-error-page", ((r"GET /project/", raw_answer(HTML, 502, "text/html", NO_WAIT)),),
             "HTML page"),
    Scenario("html-200-page", ((r"GET /project/", raw_answer(HTML, 200, "text/html")),),
             "HTML page"),
    Scenario("truncated-json", ((r"GET /project/", raw_answer(b'[{"uuid": "5d8c')),), "not JSON"),
    Scenario("non-json-200", ((r"GET /project/", raw_answer(b"OK", 200, "text/plain")),),
             "not JSON"),
    Scenario("empty-200", ((r"GET /project/", raw_answer(b"")),), "empty body"),
    Scenario("object-for-list", ((r"GET /project/", json_answer({"projects": []})),),
             "expected a JSON array"),
    Scenario("list-for-object", ((r"GET /project/", json_answer([[PROJECT]])),),
             "expected a JSON object"),
    Scenario("project-name-number", ((r"GET /project/", json_answer([{"uuid": "x", "name": 5}])),),
             "'name' should be a string"),
    Scenario("capture-size-big", project_exists((r"GET /project/.*/capture/", json_answer(
        [{"uuid": "c1", "name": "c0000.csv", "file_size": "big"}]))), "'file_size'"),
    Scenario("metadata-values-text", project_exists((r"GET /project/.*/metadata/", json_answer(
        [{"uuid": "m1", "name": "Split", "label_values": "train,test"}]))), "label_values"),
    Scenario("relationship-nulls", project_exists((r"GET /project/.*/metadata-relationship/",
        json_answer([{"uuid": None, "capture": None}]))), "'uuid' should be a string"),
    Scenario("paginated-list", project_exists((r"GET /project/.*/capture/", json_answer(
        {"results": [], "next": "http://127.0.0.1:1/?cursor=x"}))), "paginated"),
    Scenario("settings-a-list", ((r"GET /project/", json_answer([{**PROJECT, "settings": [1]}])),),
             "'settings'"),
    Scenario("huge-streamed-body", ((r"GET /project/", raw_answer(lambda: stream(300 * MiB))),),
             "larger than 256 MiB"),
    Scenario("huge-declared-length", ((r"GET /project/", declared_huge),), "larger than 256 MiB"),
    Scenario("gzip-bomb", ((r"GET /project/", raw_answer(lambda: [gzip_bomb(300 * MiB)], 200,
        "application/json", {"Content-Encoding": "gzip"})),), "larger than 256 MiB"),
    Scenario("token-html", ((r"POST /oauth/token/", raw_answer(HTML, 200, "text/html")),),
             "HTML page"),
    Scenario("token-without-access-token", ((r"POST /oauth/token/", json_answer({"ok": 1})),),
             "no access_token"),
    Scenario("token-number", ((r"POST /oauth/token/", json_answer({"access_token": 7})),),
             "no access_token"),
    Scenario("token-truncated", ((r"POST /oauth/token/", raw_answer(b'{"access_to')),),
             "not JSON"),
    Scenario("token-error-page", ((r"POST /oauth/token/", raw_answer(HTML, 503, "text/html",
        NO_WAIT)),), "HTML page"),
    Scenario("token-refused", ((r"POST /oauth/token/", json_answer(
        {"error": "invalid_grant", "error_description": "Invalid credentials given."}, 400)),),
        "Invalid credentials given."),
    Scenario("always-401", ((r"GET /project/", json_answer(
        {"detail": "Authentication credentials were not provided."}, 401)),), "401"),
    Scenario("redirect-loop", ((r"GET /project/", raw_answer(b"", 301, "text/html",
        {"Location": "/project/"})),), "TooManyRedirects"),
    Scenario("forged-error-lines", ((r"GET /project/", json_answer(
        {"detail": "bad\nError: forged line\x1b[2J\u202e"}, 400)),), "bad\\u000aError: forged"),
]  # fmt: skip


@pytest.fixture
def manifests(tmp_path: Path) -> Path:
    root = tmp_path / "manifests"
    write_manifests(root, "hostile-server", [Spec(0), Spec(1)])
    return root


def run(command: str, root: Path, server: HostileServer, home: Path) -> Outcome:
    env = clean_env({"CAPDECL_USERNAME": "someone", "CAPDECL_PASSWORD": "pw", "HOME": str(home)})
    args = [command, str(root), "--server", server.url]
    return run_cli(*args, "--yes", env=env) if command == "apply" else run_cli(*args, env=env)


@pytest.mark.parametrize("scenario", READ_SCENARIOS, ids=[s.name for s in READ_SCENARIOS])
def test_hostile_replies_give_a_clear_error_and_nothing_is_written(
    scenario: Scenario, manifests: Path, tmp_path: Path, figures: Figures
) -> None:
    with hostile_server(*scenario.routes) as server:
        for command in ("plan", "apply"):
            done = run(command, manifests, server, tmp_path)
            done.assert_clear_error(scenario.expect)
            assert server.writes == 0
        logins = server.requests.count("POST /oauth/token/")
    assert logins <= 2 * 5  # bounded: at most the five attempts of one login per command
    figures.record("hostile_replies", scenario=scenario.name, refused=1, writes=0)


def test_forged_error_text_cannot_add_lines_or_escapes(manifests: Path, tmp_path: Path) -> None:
    (scenario,) = [s for s in READ_SCENARIOS if s.name == "forged-error-lines"]
    with hostile_server(*scenario.routes) as server:
        done = run("plan", manifests, server, tmp_path)
    assert "\x1b" not in done.stderr and "\u202e" not in done.stderr
    assert not any(line.startswith("Error: forged") for line in done.stderr.splitlines())


def test_extra_fields_are_accepted(manifests: Path, tmp_path: Path) -> None:
    """A newer server's unknown keys, on every object and around a list, change nothing."""
    extra = {"new_field": {"nested": [1, 2]}, "another": None}
    routes = (
        (r"GET /project/", json_answer([{**PROJECT, **extra, "capture_sample_schema": {}}])),
        (r"GET /project/.*/capture/", json_answer({"results": [], "count": 0, "next": None})),
        (r"GET /project/.*/metadata/", json_answer([{
            "uuid": "m1", "name": "Split", "type": "string", "is_dropdown": False, **extra,
            "label_values": [{"uuid": "v1", "value": "train", **extra}],
        }])),
    )  # fmt: skip
    with hostile_server(*routes) as server:
        done = run("plan", manifests, server, tmp_path)
        assert server.writes == 0
    assert (done.returncode, "Traceback" in done.stderr) == (0, False), done.stderr
    assert 'capture "c0000.csv"' in done.stdout
    assert 'metadata "Subject"' in done.stdout  # Split exists; Subject is to be created


@pytest.mark.parametrize(
    ("answer", "expect"),
    [
        (raw_answer(b'{"uuid": "5d8c', 201), "not JSON"),
        (json_answer({"uuid": 5, "name": "hostile-server"}, 201), "'uuid' should be a string"),
    ],
    ids=["truncated", "wrong-type"],
)
def test_a_bad_answer_to_a_create_is_not_sent_twice(
    answer: Answer, expect: str, manifests: Path, tmp_path: Path
) -> None:
    with hostile_server((r"POST /project/", answer)) as server:
        done = run("apply", manifests, server, tmp_path)
        assert server.writes == 1
    done.assert_clear_error(expect)


def test_a_redirect_never_carries_the_token_to_another_host(
    manifests: Path, tmp_path: Path
) -> None:
    with hostile_server(
        (r"GET /project/", json_answer({"detail": "no credentials"}, 401))
    ) as elsewhere:
        target = elsewhere.url.replace("127.0.0.1", "localhost") + "project/"
        moved = raw_answer(b"", 302, "text/html", {"Location": target})
        with hostile_server((r"GET /project/", moved)) as server:
            done = run("plan", manifests, server, tmp_path)
            assert any(a.startswith("Bearer ") for a in server.authorizations)
        assert elsewhere.requests  # the redirect was followed (and the 401 retried once)
        assert set(elsewhere.authorizations) == {""}
    done.assert_clear_error("401")
