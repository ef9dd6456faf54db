"""Nothing secret in logs (any logger, DEBUG) or in error messages."""

from __future__ import annotations

import logging
import re
import sqlite3
from pathlib import Path

import pytest

from capdecl.client.auth import Credentials
from capdecl.client.http import SensiMLClient
from capdecl.errors import CapdeclError
from capdecl.sandbox import DEFAULT_PASSWORD, SDK_CLIENT_SECRET
from capdecl.sandbox.run import SandboxHandle
from tests.client.conftest import sandbox_credentials, write_csv

WRONG_PASSWORD = "Wr0ng-Pa55word-xyz"
LOG_LINE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) /\S*/ -> (\d{3}|\w+) \(\d+ ms, attempt \d+\)$")


def test_no_secret_in_debug_logs_or_errors(
    make_client,  # type: ignore[no-untyped-def]
    sandbox: SandboxHandle,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    messages: list[str] = []
    with caplog.at_level(logging.DEBUG):
        client: SensiMLClient = make_client()
        p = client.create_project("secrets").uuid
        client.upload_capture(p, "a.csv", write_csv(tmp_path / "a.csv"))
        token = client.transport.auth.header(client.transport.fetch_token).removeprefix("Bearer ")
        with sqlite3.connect(sandbox.directory / "sandbox.sqlite3") as db:
            db.execute("UPDATE tokens SET expires = 0 WHERE kind = 'access'")
        client.list_captures(p)  # 401, refresh grant, retry
        new_token = client.transport.auth.header(client.transport.fetch_token)
        wrong: SensiMLClient = make_client(sandbox_credentials(WRONG_PASSWORD))
        fixed: SensiMLClient = make_client(Credentials(token=token, source="test"))
        for failing in (wrong.list_projects, fixed.list_projects):
            with pytest.raises(CapdeclError) as caught:
                failing()
            messages += [str(caught.value), repr(caught.value), *caught.value.details]
        messages += [repr(client.transport.auth), repr(wrong.transport.auth.credentials)]

    secrets = [DEFAULT_PASSWORD, WRONG_PASSWORD, token, new_token.removeprefix("Bearer "),
               SDK_CLIENT_SECRET]  # fmt: skip
    everything = caplog.text + "\n".join(messages)
    for secret in secrets:
        assert secret not in everything
    http_lines = [r.getMessage() for r in caplog.records if r.name == "capdecl.http"]
    assert "POST /oauth/token/ -> 200 (" in "\n".join(http_lines)
    assert any(line.startswith("GET /project/") and "-> 401" in line for line in http_lines)
    assert all(LOG_LINE.match(line) for line in http_lines), http_lines
