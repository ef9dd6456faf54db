"""open_client: sandbox://, http(s) URLs, credentials sources, --insecure."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from capdecl.client.auth import Credentials
from capdecl.client.connect import open_client
from capdecl.errors import ConfigError

ENV_VARS = (
    "CAPDECL_USERNAME",
    "CAPDECL_PASSWORD",
    "CAPDECL_TOKEN",
    "CAPDECL_CLIENT_ID",
    "CAPDECL_CLIENT_SECRET",
)


@pytest.fixture
def no_env_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    missing = tmp_path / "no-credentials.yaml"
    monkeypatch.setenv("CAPDECL_CREDENTIALS_FILE", str(missing))
    return missing


def test_sandbox_url_starts_logs_in_and_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_env_credentials: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    with open_client("sandbox://data") as client:
        url = client.base_url
        assert url.startswith("http://127.0.0.1:")
        made = client.create_project("from sandbox url")
        assert client.find_project("from sandbox url") == made
    assert (tmp_path / "data").is_dir()
    with open_client(f"sandbox://{tmp_path / 'data'}") as again:  # absolute, same data
        found = again.find_project("from sandbox url")
        assert found is not None and found.uuid == made.uuid


def test_real_server_without_credentials_names_every_source(no_env_credentials: Path) -> None:
    with pytest.raises(ConfigError) as caught, open_client("https://sensiml.example.com"):
        pass
    text = "\n".join([caught.value.message, *caught.value.details])
    assert "no credentials for https://sensiml.example.com/" in text
    for name in ("CAPDECL_USERNAME", "CAPDECL_PASSWORD", "CAPDECL_TOKEN", str(no_env_credentials)):
        assert name in text


def test_insecure_turns_verification_off_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    creds = Credentials(token="t", source="test")
    with caplog.at_level(logging.WARNING, logger="capdecl"):
        with open_client("https://self-signed.example.com", credentials=creds) as client:
            assert client.transport.verify is True
        assert caplog.records == []
        with open_client(
            "https://self-signed.example.com", credentials=creds, insecure=True
        ) as client:
            assert client.transport.verify is False
    assert "TLS certificate verification is OFF" in caplog.text


@pytest.mark.parametrize(
    "server", ["ftp://host/", "sensiml.example.com", "https://", "sandbox://", "http://h/?x=1"]
)
def test_bad_server_urls(server: str, no_env_credentials: Path) -> None:
    with pytest.raises(ConfigError), open_client(server):
        pass
