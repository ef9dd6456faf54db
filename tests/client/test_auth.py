"""OAuth: lazy login, bad credentials, 401 -> one refresh with rotation, fixed tokens."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from capdecl.client.auth import Authenticator, Credentials
from capdecl.client.http import SensiMLClient
from capdecl.errors import AuthError
from capdecl.sandbox import DEFAULT_USERNAME, SDK_CLIENT_ID
from capdecl.sandbox.run import SandboxHandle
from tests.client.conftest import sandbox_credentials

TOKEN_ROUTE = "POST /oauth/token/"


def _expire_access_tokens(sandbox: SandboxHandle) -> None:
    """Let every issued access token run out (as after its 10 h lifetime)."""
    with sqlite3.connect(sandbox.directory / "sandbox.sqlite3") as db:
        db.execute("UPDATE tokens SET expires = 0 WHERE kind = 'access'")


def _auth(client: SensiMLClient) -> Authenticator:
    return client.transport.auth


def test_one_login_for_many_requests(client: SensiMLClient, sandbox: SandboxHandle) -> None:
    sandbox.reset_stats()
    for _ in range(5):
        client.list_projects()
    stats = sandbox.stats()
    assert stats[TOKEN_ROUTE] == 1 and stats["GET /project/"] == 5
    assert (_auth(client).logins, _auth(client).refreshes) == (1, 0)


def test_bad_password_is_an_auth_error_without_the_password(make_client) -> None:  # type: ignore[no-untyped-def]
    password = "Not-The-Password-123"
    client: SensiMLClient = make_client(sandbox_credentials(password))
    with pytest.raises(AuthError) as caught:
        client.list_projects()
    error = caught.value
    text = "\n".join([str(error), *error.details, repr(error)])
    assert password not in text
    assert str(error) == "POST /oauth/token/ failed 400: Invalid credentials given. (invalid_grant)"
    assert DEFAULT_USERNAME in error.details[0] and "test" in error.details[0]


def test_bad_client_secret_is_invalid_client(make_client) -> None:  # type: ignore[no-untyped-def]
    creds = Credentials(
        username=DEFAULT_USERNAME, password="x", client_id=SDK_CLIENT_ID, client_secret="wrong"
    )
    client: SensiMLClient = make_client(creds)
    with pytest.raises(AuthError, match=r"failed 401: invalid_client"):
        client.list_projects()


def test_expired_token_is_refreshed_once_with_rotation(
    client: SensiMLClient, sandbox: SandboxHandle
) -> None:
    client.list_projects()
    for round_ in (1, 2):  # the second round only works with the rotated refresh token
        _expire_access_tokens(sandbox)
        sandbox.reset_stats()
        client.list_projects()
        assert sandbox.stats() == {TOKEN_ROUTE: 1, "GET /project/": 2}
        assert (_auth(client).logins, _auth(client).refreshes) == (1, round_)


def test_failed_refresh_falls_back_to_password_login(
    client: SensiMLClient, sandbox: SandboxHandle
) -> None:
    client.list_projects()
    with sqlite3.connect(sandbox.directory / "sandbox.sqlite3") as db:
        db.execute("DELETE FROM tokens")  # revoke everything, refresh tokens included
    client.list_projects()
    assert (_auth(client).logins, _auth(client).refreshes) == (2, 0)


def test_concurrent_401s_renew_once(client: SensiMLClient, sandbox: SandboxHandle) -> None:
    client.list_projects()
    _expire_access_tokens(sandbox)
    sandbox.reset_stats()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda _: client.list_projects(), range(32)))
    assert sandbox.stats()[TOKEN_ROUTE] == 1
    assert _auth(client).refreshes == 1


def test_pre_issued_token(make_client, sandbox: SandboxHandle) -> None:  # type: ignore[no-untyped-def]
    issuer: SensiMLClient = make_client()
    token = _auth(issuer).header(issuer.transport.fetch_token).removeprefix("Bearer ")
    holder: SensiMLClient = make_client(Credentials(token=token, source="test"))
    sandbox.reset_stats()
    assert holder.find_project("nothing") is None
    assert TOKEN_ROUTE not in sandbox.stats()

    _expire_access_tokens(sandbox)
    with pytest.raises(AuthError) as caught:
        holder.list_projects()
    assert caught.value.request.status == 401
    assert str(caught.value) == (
        "GET /project/ failed 401: Authentication credentials were not provided. "
        "(The access token has expired.)"
    )
    assert token not in str(caught.value)
