"""Fault injection: configuration parsing, each fault as a client sees it, determinism."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest
import requests

from capdecl.errors import ConfigError
from capdecl.sandbox import FaultConfig, SandboxHandle, parse_faults, running_sandbox
from capdecl.sandbox.faults import faults_from_env
from tests.conftest import fetch_token
from tests.sandbox.helpers import Api


def outcome(api: Api, method: str, path: str, **kwargs: object) -> int | str:
    """The status code, or ``"dropped"`` when the connection closed without an answer."""
    try:
        return api.request(method, path, **kwargs).status_code  # type: ignore[arg-type]
    except requests.ConnectionError:
        return "dropped"


def test_parse_the_environment_syntax() -> None:
    text = "seed=3,error=0.1,throttle=0.05,retry_after=0,drop=0.05,commit_drop=0.05,latency_ms=2"
    assert parse_faults(text) == FaultConfig(
        seed=3, latency_ms=2.0, error_rate=0.1, throttle_rate=0.05, retry_after=0.0,
        drop_rate=0.05, commit_drop_rate=0.05,
    )  # fmt: skip
    assert faults_from_env({}) is None and faults_from_env({"CAPDECL_SANDBOX_FAULTS": " "}) is None
    with pytest.raises(ValueError, match="bad fault setting 'oops=1'"):
        parse_faults("oops=1")
    with pytest.raises(ValueError, match="error_rate must be between 0 and 1"):
        parse_faults("error=2")
    with pytest.raises(ValueError, match="must not exceed 1"):
        FaultConfig(error_rate=0.6, drop_rate=0.6)


def test_running_sandbox_reads_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAPDECL_SANDBOX_FAULTS", "seed=1,error=1")
    with running_sandbox(tmp_path) as sandbox:
        api = Api(sandbox, fetch_token(sandbox.url))  # the token endpoint is never faulted
        try:
            assert outcome(api, "GET", "project/") in (500, 502, 503)
        finally:
            api.close()
    monkeypatch.setenv("CAPDECL_SANDBOX_FAULTS", "error=lots")
    with pytest.raises(ConfigError, match="CAPDECL_SANDBOX_FAULTS: bad value for error"):
        running_sandbox(tmp_path).__enter__()


def test_errors_are_json_500s_or_proxy_html(api: Api, sandbox: SandboxHandle) -> None:
    sandbox.set_faults(FaultConfig(seed=0, error_rate=1.0))
    seen: dict[int, str] = {}
    for _ in range(20):
        response = api.get("project/")
        seen[response.status_code] = response.headers["Content-Type"]
        if response.status_code == 500:
            assert (
                response.json()["detail"]
                == "OperationalError: server closed the connection unexpectedly"
            )
        else:
            assert "<center>nginx</center>" in response.text
    assert seen == {
        500: "application/json",
        502: "text/html; charset=utf-8",
        503: "text/html; charset=utf-8",
    }
    assert sandbox.stats_faults()["error"] == 20


def test_errors_happen_before_processing(api: Api, sandbox: SandboxHandle) -> None:
    sandbox.set_faults(FaultConfig(error_rate=1.0))
    assert api.post("project/", json={"name": "never"}).status_code in (500, 502, 503)
    sandbox.set_faults(None)
    assert api.ok(api.get("project/")) == []


def test_throttle_is_429_with_retry_after(api: Api, sandbox: SandboxHandle) -> None:
    sandbox.set_faults(FaultConfig(throttle_rate=1.0, retry_after=7))
    response = api.get("project/")
    assert (response.status_code, response.headers["Retry-After"]) == (429, "7")
    assert response.json() == {
        "detail": "Request was throttled. Expected available in 7 second.",
        "status": 429,
    }
    sandbox.set_faults(FaultConfig(throttle_rate=1.0, retry_after=0.5))
    assert api.get("project/").headers["Retry-After"] == "0.5"


def test_drop_closes_the_connection_before_processing(api: Api, sandbox: SandboxHandle) -> None:
    sandbox.set_faults(FaultConfig(drop_rate=1.0))
    assert outcome(api, "POST", "project/", json={"name": "lost"}) == "dropped"
    assert outcome(api, "GET", "project/") == "dropped"
    sandbox.set_faults(None)
    assert api.ok(api.get("project/")) == []
    assert sandbox.stats_faults()["drop"] == 2


def test_commit_drop_processes_the_write_then_hangs_up(api: Api, sandbox: SandboxHandle) -> None:
    sandbox.set_faults(FaultConfig(commit_drop_rate=1.0))
    assert outcome(api, "GET", "project/") == 200  # reads are never commit-dropped
    assert outcome(api, "POST", "project/", json={"name": "landed"}) == "dropped"
    p = api.ok(api.get("project/"))[0]["uuid"]
    assert outcome(api, "POST", f"project/{p}/capture/", files={"file": ("a.csv", b"a\n1\n")},
                   data={"name": "a.csv"}) == "dropped"  # fmt: skip
    sandbox.set_faults(None)
    assert [c["name"] for c in api.ok(api.get(f"project/{p}/capture/"))] == ["a.csv"]
    assert sandbox.stats().faults == {"drop": 0, "error": 0, "throttle": 0, "commit_drop": 2}


def test_same_seed_same_faults(tmp_path: Path) -> None:
    config = FaultConfig(seed=42, error_rate=0.2, throttle_rate=0.1, drop_rate=0.1,
                         commit_drop_rate=0.3, retry_after=0)  # fmt: skip

    def run(directory: Path, faults: FaultConfig) -> list[int | str]:
        with running_sandbox(directory, faults=FaultConfig()) as sandbox:
            api = Api(sandbox, fetch_token(sandbox.url))
            sandbox.set_faults(faults)
            try:
                return [
                    outcome(api, "POST", "project/", json={"name": f"p{i}"}) if i % 3 == 0
                    else outcome(api, "GET", "project/")
                    for i in range(60)
                ]  # fmt: skip
            finally:
                api.close()

    first = run(tmp_path / "a", config)
    assert run(tmp_path / "b", config) == first
    assert run(tmp_path / "c", dataclasses.replace(config, seed=43)) != first
    assert {200, 201, 429, "dropped"} <= set(first) and set(first) & {500, 502, 503}


def test_counts_reset(api: Api, sandbox: SandboxHandle) -> None:
    sandbox.set_faults(FaultConfig(throttle_rate=1.0))
    api.get("project/")
    assert sandbox.stats_faults()["throttle"] == 1 and sandbox.stats()["GET /project/"] == 1
    sandbox.reset_stats()
    assert sandbox.stats() == {} and sandbox.stats_faults()["throttle"] == 0


def test_latency_delays_api_requests(api: Api, sandbox: SandboxHandle) -> None:
    sandbox.set_faults(FaultConfig(latency_ms=60))
    started = time.perf_counter()
    api.get("project/")
    assert time.perf_counter() - started >= 0.06
