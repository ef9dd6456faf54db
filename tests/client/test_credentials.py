"""Credentials: environment, credentials file, permission warning, redaction."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from capdecl.client.auth import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Credentials
from capdecl.client.credentials import (
    env_credentials,
    load_credentials,
    missing_credentials_error,
)
from capdecl.errors import ConfigError

SERVER = "https://sensiml.example.com/"
PASSWORD = "s3cret-Pa55word"
TOKEN = "tok-0123456789abcdef"


def _file(tmp_path: Path, text: str, mode: int = 0o600) -> dict[str, str]:
    path = tmp_path / "credentials.yaml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return {"CAPDECL_CREDENTIALS_FILE": str(path)}


def test_environment_password_login_uses_the_sdk_application() -> None:
    env = {"CAPDECL_USERNAME": "ci@example.com", "CAPDECL_PASSWORD": PASSWORD}
    found = env_credentials(env)
    assert found is not None
    assert (found.username, found.password, found.token) == ("ci@example.com", PASSWORD, None)
    assert (found.client_id, found.client_secret) == (DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
    assert found.source == "environment"


def test_environment_token_and_custom_application() -> None:
    env = {"CAPDECL_TOKEN": TOKEN, "CAPDECL_CLIENT_ID": "app", "CAPDECL_CLIENT_SECRET": "x"}
    found = env_credentials(env)
    assert found is not None and found.token == TOKEN and not found.can_login
    assert (found.client_id, found.client_secret) == ("app", "x")
    other_app = env_credentials({"CAPDECL_TOKEN": TOKEN, "CAPDECL_CLIENT_ID": "app"})
    assert other_app is not None and other_app.client_secret is None


def test_half_set_environment_is_an_error() -> None:
    with pytest.raises(ConfigError, match="CAPDECL_USERNAME is set but CAPDECL_PASSWORD"):
        env_credentials({"CAPDECL_USERNAME": "ci@example.com"})
    assert env_credentials({}) is None


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    env = _file(tmp_path, f"{SERVER}:\n  token: from-file\n")
    env["CAPDECL_TOKEN"] = TOKEN
    found = load_credentials(SERVER, env)
    assert found is not None and found.token == TOKEN


def test_file_entry_matched_by_url_without_trailing_slash(tmp_path: Path) -> None:
    env = _file(
        tmp_path,
        "https://SENSIML.example.com:\n"
        f"  username: ci@example.com\n  password: {PASSWORD}\n"
        "http://other/:\n  token: nope\n",
    )
    found = load_credentials(SERVER, env)
    assert found is not None
    assert (found.username, found.password) == ("ci@example.com", PASSWORD)
    assert found.source.endswith("credentials.yaml")
    assert load_credentials("https://unknown.example.com/", env) is None


def test_file_entry_errors_name_the_file_but_no_secret(tmp_path: Path) -> None:
    env = _file(tmp_path, f"{SERVER}:\n  username: ci@example.com\n  pasword: {PASSWORD}\n")
    with pytest.raises(ConfigError) as caught:
        load_credentials(SERVER, env)
    assert "credentials.yaml" in str(caught.value) and "pasword" in str(caught.value)
    assert PASSWORD not in str(caught.value)
    env = _file(tmp_path, f"- {PASSWORD}\n")
    with pytest.raises(ConfigError, match="mapping of server URL"):
        load_credentials(SERVER, env)
    env = _file(tmp_path, f"{SERVER}: [{PASSWORD}\n")  # broken YAML
    with pytest.raises(ConfigError, match="cannot read the credentials file") as caught:
        load_credentials(SERVER, env)
    assert PASSWORD not in str(caught.value)


def test_loose_file_permissions_warn(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    env = _file(tmp_path, f"{SERVER}:\n  token: {TOKEN}\n", mode=0o644)
    with caplog.at_level(logging.WARNING, logger="capdecl"):
        assert load_credentials(SERVER, env) is not None
    warnings = [r for r in caplog.records if r.name == "capdecl" and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "0644" in warnings[0].getMessage() and "chmod 600" in warnings[0].getMessage()
    assert TOKEN not in caplog.text


def test_private_file_does_not_warn(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    env = _file(tmp_path, f"{SERVER}:\n  token: {TOKEN}\n", mode=0o600)
    with caplog.at_level(logging.WARNING, logger="capdecl"):
        assert load_credentials(SERVER, env) is not None
    assert caplog.records == []


def test_missing_file_gives_none_and_the_error_names_every_source(tmp_path: Path) -> None:
    env = {"CAPDECL_CREDENTIALS_FILE": str(tmp_path / "nope.yaml")}
    assert load_credentials(SERVER, env) is None
    error = missing_credentials_error(SERVER, env)
    text = "\n".join([error.message, *error.details])
    for name in ("CAPDECL_USERNAME", "CAPDECL_PASSWORD", "CAPDECL_TOKEN", "nope.yaml", SERVER):
        assert name in text


def test_repr_and_str_redact_secrets() -> None:
    creds = Credentials(username="ci@example.com", password=PASSWORD, token=TOKEN)
    for text in (repr(creds), str(creds), f"{creds}", repr([creds])):
        assert PASSWORD not in text and TOKEN not in text and DEFAULT_CLIENT_SECRET not in text
        assert "ci@example.com" in text and "***" in text


def test_credentials_need_a_password_or_token() -> None:
    with pytest.raises(ConfigError, match="username and a password, or a token"):
        Credentials(username="ci@example.com")
