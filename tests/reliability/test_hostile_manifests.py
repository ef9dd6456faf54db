"""``capdecl plan`` on hostile manifest directories: a clear error, fast, in bounded
memory, and not one request to the server.

Each case of :mod:`tests.reliability.hostile.corpus` is built in a temporary directory and
planned by a separate process limited to 1 GiB of address space and 10 seconds
(:mod:`tests.reliability.process`), against a sandbox that counts every request it
receives, logging in included. The process must exit 1 with one ``Error: ...`` line and
indented ``file:line:column`` details on stderr, nothing on stdout, no traceback; the
error must name the case's problem; and the sandbox must have seen no request at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from capdecl.sandbox import DEFAULT_PASSWORD, DEFAULT_USERNAME, SandboxHandle, running_sandbox
from capdecl.sandbox.faults import FaultConfig
from tests.reliability.conftest import Figures
from tests.reliability.hostile.corpus import CASES, Case
from tests.reliability.process import clean_env, run_cli


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxHandle]:
    directory = tmp_path_factory.mktemp("hostile-sandbox")
    with running_sandbox(directory, faults=FaultConfig()) as handle:
        yield handle


def test_the_corpus_has_at_least_fifty_cases() -> None:
    assert len(CASES) >= 50
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_manifests_are_refused_before_any_request(
    case: Case, server: SandboxHandle, tmp_path: Path, figures: Figures
) -> None:
    root = tmp_path / "manifests"
    case.build(root)
    env = {"CAPDECL_USERNAME": DEFAULT_USERNAME, "CAPDECL_PASSWORD": DEFAULT_PASSWORD}
    if case.glob_limit is not None:
        env["RELIABILITY_GLOB_LIMIT"] = str(case.glob_limit)
    server.reset_stats()
    done = run_cli("plan", str(root), "--server", server.url, env=clean_env(env))
    requests = dict(server.stats())
    done.assert_clear_error(case.expect)
    assert done.stdout == ""
    assert requests == {}, "requests were sent before the manifests were valid"
    figures.record("hostile_manifests", case=case.name, seconds=round(done.seconds, 2), refused=1)
