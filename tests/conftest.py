"""Fixtures shared by every test package: a fresh sandbox server and a token for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from capdecl.sandbox import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    SDK_CLIENT_ID,
    SDK_CLIENT_SECRET,
    FaultConfig,
    SandboxHandle,
    running_sandbox,
)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxHandle]:
    """A sandbox on 127.0.0.1 with empty state in ``tmp_path/sandbox``; no faults (whatever
    ``CAPDECL_SANDBOX_FAULTS`` says) until the test calls ``set_faults``."""
    with running_sandbox(tmp_path / "sandbox", faults=FaultConfig()) as handle:
        yield handle


def fetch_token(
    url: str, username: str = DEFAULT_USERNAME, password: str = DEFAULT_PASSWORD
) -> str:
    """An access token from the sandbox at ``url`` (password grant, SDK client, HTTP Basic)."""
    response = requests.post(
        url + "oauth/token/",
        data={"grant_type": "password", "username": username, "password": password},
        auth=(SDK_CLIENT_ID, SDK_CLIENT_SECRET),
        timeout=30,
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


@pytest.fixture
def sandbox_token(sandbox: SandboxHandle) -> str:
    """An access token for the default user of ``sandbox``."""
    return fetch_token(sandbox.url)
