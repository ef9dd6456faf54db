"""Credentials never leak: not in output, logs, saved plans, caches or exception text.

Every command runs with unique secrets (a password, an access token, wrong ones, one in a
credentials file), in the ways a user meets errors: success, ``--debug``, failed logins,
refused tokens, a server that keeps failing, a manifest that tries to carry a secret.
Everything they produce is searched for every secret. TLS verification is on by default
(a self-signed server is refused before any HTTP is spoken) and ``--insecure`` says so;
a credentials file readable by others is warned about.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from capdecl.cli.main import cli
from capdecl.client.auth import Credentials
from capdecl.client.connect import open_client
from capdecl.sandbox import FaultConfig, SandboxHandle, SandboxUser, running_sandbox
from tests.conftest import fetch_token
from tests.reliability.hostile.server import hostile_server
from tests.reliability.process import Outcome, clean_env, run_cli
from tests.reliability.scenarios import Spec, write_manifests

USER = "secrets@example.com"
PASSWORD = f"pw-{secrets.token_hex(12)}"
WRONG_PASSWORD = f"wrong-{secrets.token_hex(12)}"
WRONG_TOKEN = f"tok-{secrets.token_hex(16)}"
FILE_PASSWORD = f"file-{secrets.token_hex(12)}"
MANIFEST_SECRET = f"leak-{secrets.token_hex(12)}"
TLS = Path(__file__).parent / "tls"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxHandle]:
    directory = tmp_path_factory.mktemp("secrets-sandbox")
    users = [SandboxUser(USER, PASSWORD), SandboxUser("file@example.com", FILE_PASSWORD)]
    with running_sandbox(directory, faults=FaultConfig(), users=users) as handle:
        yield handle


def leaks(text: str | bytes, known: list[str]) -> list[str]:
    """The secrets found in ``text``."""
    data = text.encode("utf-8", "replace") if isinstance(text, str) else text
    return [secret for secret in known if secret.encode() in data]


def files_under(*roots: Path) -> Iterator[Path]:
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from (p for p in root.rglob("*") if p.is_file())


def test_no_output_file_or_cache_holds_a_secret(server: SandboxHandle, tmp_path: Path) -> None:
    token = fetch_token(server.url, USER, PASSWORD)
    known = [PASSWORD, token, WRONG_PASSWORD, WRONG_TOKEN, FILE_PASSWORD]
    root = tmp_path / "manifests"
    write_manifests(root, "secrets", [Spec(0), Spec(1)])
    login = {"CAPDECL_USERNAME": USER, "CAPDECL_PASSWORD": PASSWORD}
    url = ["--server", server.url]
    saved = tmp_path / "saved-plan.json"
    runs: list[Outcome] = []

    def cli_run(*args: str, **env: str) -> Outcome:
        done = run_cli(*args, env=clean_env({"HOME": str(tmp_path), **env}))
        runs.append(done)
        return done

    assert cli_run("validate", str(root)).returncode == 0
    assert cli_run("plan", str(root), *url, **login).returncode == 0
    assert cli_run("plan", str(root), *url, "--out", str(saved), **login).returncode == 0
    assert cli_run("apply", str(saved), "--yes", **login).returncode == 0
    write_manifests(root, "secrets", [Spec(0, split="test"), Spec(1), Spec(2)])
    assert (
        cli_run("--debug", "apply", str(root), *url, "--yes", CAPDECL_TOKEN=token).returncode == 0
    )
    assert cli_run("--debug", "plan", str(root), *url, CAPDECL_TOKEN=token).returncode == 0
    for debug in ((), ("--debug",)):
        wrong = {"CAPDECL_USERNAME": USER, "CAPDECL_PASSWORD": WRONG_PASSWORD}
        assert cli_run(*debug, "plan", str(root), *url, **wrong).returncode == 1
        assert cli_run(*debug, "apply", str(root), *url, "--yes", **wrong).returncode == 1
        assert cli_run(*debug, "plan", str(root), *url, CAPDECL_TOKEN=WRONG_TOKEN).returncode == 1
        server.set_faults(FaultConfig(throttle_rate=1.0, retry_after=0.0))
        try:
            assert cli_run(*debug, "plan", str(root), *url, **login).returncode == 1
            assert cli_run(*debug, "apply", str(root), *url, "--yes", **login).returncode == 1
        finally:
            server.set_faults(FaultConfig())
    credentials = tmp_path / "credentials.yaml"
    credentials.write_text(
        f"{server.url}:\n  username: file@example.com\n  password: {FILE_PASSWORD}\n"
    )
    credentials.chmod(0o644)
    done = cli_run("plan", str(root), *url, CAPDECL_CREDENTIALS_FILE=str(credentials))
    assert done.returncode == 0 and "permissions 0644" in done.stderr
    assert any("Traceback" in r.stderr for r in runs)  # --debug did show tracebacks
    assert any("capdecl.http: GET /project/" in r.stderr for r in runs)  # and HTTP logs
    for done in runs:
        assert leaks(done.stdout + done.stderr, known) == []
    for path in files_under(root / ".capdecl", saved, tmp_path / ".config"):
        assert leaks(path.read_bytes(), known) == [], path


def test_exceptions_and_log_records_hold_no_secret(
    server: SandboxHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """In process, with every logger at DEBUG (urllib3's too): the records and the whole
    chain of the raised exception (message, repr, args) are clean."""
    root = tmp_path / "manifests"
    write_manifests(root, "secrets-in-process", [Spec(0)])
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("CAPDECL_USERNAME", USER)
    monkeypatch.setenv("HOME", str(tmp_path))
    for variable, value in (("CAPDECL_PASSWORD", WRONG_PASSWORD), ("CAPDECL_TOKEN", WRONG_TOKEN)):
        monkeypatch.delenv("CAPDECL_PASSWORD", raising=False)
        monkeypatch.setenv(variable, value)
        result = CliRunner().invoke(cli, ["--debug", "plan", str(root), "--server", server.url])
        assert result.exit_code == 1 and result.exception is not None
        chain: list[BaseException] = []
        error: BaseException | None = result.exception
        while error is not None and error not in chain:
            chain.append(error)
            error = error.__cause__ or error.__context__
        texts = [f"{e}|{e!r}|{e.args!r}|{getattr(e, 'details', '')}" for e in chain]
        assert leaks("\n".join(texts) + result.output, [value]) == []
    records = [f"{r.getMessage()}|{r.args!r}|{r.exc_text or ''}" for r in caplog.records]
    assert any(r.name == "capdecl.http" for r in caplog.records)
    assert leaks("\n".join(records), [WRONG_PASSWORD, WRONG_TOKEN]) == []
    assert not any("Authorization" in text for text in records)


def test_a_manifest_cannot_carry_credentials_and_is_not_echoed(tmp_path: Path) -> None:
    root = tmp_path / "manifests"
    write_manifests(root, "secrets", [Spec(0)])
    text = (root / "capdecl.yaml").read_text()
    (root / "capdecl.yaml").write_text(
        text + f"server: http://me:{MANIFEST_SECRET}@127.0.0.1:9/\npassword: {MANIFEST_SECRET}\n"
    )
    env = clean_env({"HOME": str(tmp_path)})
    checked = run_cli("validate", str(root), env=env)
    planned = run_cli("plan", str(root), env=env)
    planned.assert_clear_error("must not contain credentials")
    assert checked.returncode == 1 and "must not contain credentials" in checked.stdout
    for done in (checked, planned):
        assert 'unknown key "password"' in done.stdout + done.stderr  # the key is named ...
        assert leaks(done.stdout + done.stderr, [MANIFEST_SECRET]) == []  # ... not its value


def test_tls_is_verified_by_default_and_insecure_says_so(tmp_path: Path) -> None:
    root = tmp_path / "manifests"
    write_manifests(root, "tls", [Spec(0)])
    env = clean_env({"CAPDECL_USERNAME": USER, "CAPDECL_PASSWORD": PASSWORD, "HOME": str(tmp_path)})
    tls = (str(TLS / "cert.pem"), str(TLS / "key.pem"))
    with hostile_server(tls=tls) as server:
        with open_client(server.url, credentials=Credentials(token="t")) as client:
            assert client.transport.verify is True
        refused = run_cli("plan", str(root), "--server", server.url, env=env)
        assert server.requests == []  # nothing, not even the login, went over the wire
        accepted = run_cli("plan", str(root), "--server", server.url, "--insecure", env=env)
        assert server.requests[0] == "POST /oauth/token/"
    refused.assert_clear_error("TLS verification of")
    assert (accepted.returncode, "Traceback" in accepted.stderr) == (0, False), accepted.stderr
    assert "TLS certificate verification is OFF" in accepted.stderr
    assert leaks(refused.stderr + accepted.stderr + accepted.stdout, [PASSWORD]) == []


@pytest.mark.parametrize(("mode", "warned"), [(0o600, False), (0o640, True), (0o604, True)])
def test_a_credentials_file_readable_by_others_is_warned_about(
    mode: int, warned: bool, server: SandboxHandle, tmp_path: Path
) -> None:
    root = tmp_path / "manifests"
    write_manifests(root, "secrets-file", [Spec(0)])
    credentials = tmp_path / "credentials.yaml"
    credentials.write_text(
        f"{server.url}:\n  username: file@example.com\n  password: {FILE_PASSWORD}\n"
    )
    os.chmod(credentials, mode)
    env = clean_env({"CAPDECL_CREDENTIALS_FILE": str(credentials), "HOME": str(tmp_path)})
    done = run_cli("plan", str(root), "--server", server.url, env=env)
    assert done.returncode == 0, done.stderr
    assert (f"permissions {mode:04o}" in done.stderr) is warned
    assert ("chmod 600" in done.stderr) is warned
    assert leaks(done.stdout + done.stderr, [FILE_PASSWORD]) == []
