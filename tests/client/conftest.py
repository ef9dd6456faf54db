"""Fixtures for client tests: a client logged in to the sandbox, never sleeping."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from capdecl.client.auth import Authenticator, Credentials
from capdecl.client.http import SensiMLClient
from capdecl.client.retry import RetryPolicy
from capdecl.sandbox import DEFAULT_PASSWORD, DEFAULT_USERNAME, SDK_CLIENT_ID, SDK_CLIENT_SECRET
from capdecl.sandbox.run import SandboxHandle
from capdecl.state import LiveProject


class SleepRecorder:
    """A zero-delay ``sleep`` that remembers what it was asked to wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def sandbox_credentials(password: str = DEFAULT_PASSWORD) -> Credentials:
    return Credentials(
        username=DEFAULT_USERNAME,
        password=password,
        client_id=SDK_CLIENT_ID,
        client_secret=SDK_CLIENT_SECRET,
        source="test",
    )


@pytest.fixture
def slept() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def make_client(
    sandbox: SandboxHandle, slept: SleepRecorder
) -> Iterator[Callable[..., SensiMLClient]]:
    """Build clients against the sandbox; all are closed at the end of the test."""
    made: list[SensiMLClient] = []

    def make(
        credentials: Credentials | None = None, *, max_attempts: int = 5, **kwargs: object
    ) -> SensiMLClient:
        policy = RetryPolicy(max_attempts=max_attempts, sleep=slept, rng=random.Random(0))
        client = SensiMLClient(
            sandbox.url,
            Authenticator(credentials or sandbox_credentials()),
            retry=policy,
            **kwargs,  # type: ignore[arg-type]
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., SensiMLClient]) -> SensiMLClient:
    return make_client()


@pytest.fixture
def project(client: SensiMLClient, request: pytest.FixtureRequest) -> LiveProject:
    """A fresh project named after the test."""
    name = request.node.name.replace("[", "_").replace("]", "")[:60]
    return client.create_project(name)


def write_csv(path: Path, rows: int = 3, *, sequence: bool = False, seed: int = 0) -> Path:
    """A small numeric CSV (optionally with a ``sequence`` column, stored byte-for-byte)."""
    header = "sequence,AccX,AccY\n" if sequence else "AccX,AccY\n"
    lines = [
        (f"{i}," if sequence else "") + f"{(i * 7 + seed) % 100},{(i * 3 + seed) % 50}\n"
        for i in range(rows)
    ]
    path.write_text(header + "".join(lines), encoding="ascii")
    return path


def api_requests(stats: dict[str, int]) -> dict[str, int]:
    """Request counts without the token endpoint."""
    return {key: count for key, count in stats.items() if "/oauth/" not in key}
