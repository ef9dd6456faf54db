"""The ``api`` fixture: an authenticated HTTP helper for the test's sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from capdecl.sandbox import SandboxHandle
from tests.sandbox.helpers import Api


@pytest.fixture
def api(sandbox: SandboxHandle, sandbox_token: str) -> Iterator[Api]:
    helper = Api(sandbox, sandbox_token)
    yield helper
    helper.close()


@pytest.fixture
def anonymous(sandbox: SandboxHandle) -> Iterator[Api]:
    helper = Api(sandbox, None)
    yield helper
    helper.close()
