"""OAuth2 token endpoint and bearer authentication, as django-oauth-toolkit answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from capdecl.sandbox import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    SDK_CLIENT_ID,
    SDK_CLIENT_SECRET,
    FaultConfig,
    SandboxHandle,
    SandboxUser,
    running_sandbox,
)
from capdecl.sandbox.defaults import OAUTH_CLIENTS
from tests.conftest import fetch_token
from tests.sandbox.helpers import Api

PASSWORD_GRANT = {
    "grant_type": "password",
    "username": DEFAULT_USERNAME,
    "password": DEFAULT_PASSWORD,
}


def token_request(anonymous: Api, data: dict[str, str], auth: Any = None) -> tuple[int, Any]:
    response = anonymous.post("oauth/token/", data=data, auth=auth)
    return response.status_code, response.json()


def test_password_grant_with_basic_client_auth(anonymous: Api) -> None:
    status, body = token_request(anonymous, PASSWORD_GRANT, (SDK_CLIENT_ID, SDK_CLIENT_SECRET))
    assert status == 200
    assert list(body) == ["access_token", "expires_in", "token_type", "scope", "refresh_token"]
    assert (body["expires_in"], body["token_type"], body["scope"]) == (
        36000,
        "Bearer",
        "read write",
    )
    assert len(body["access_token"]) == 30 and body["access_token"] != body["refresh_token"]


@pytest.mark.parametrize("client", OAUTH_CLIENTS, ids=lambda c: c.name)
def test_every_fixture_app_logs_in_with_form_credentials(anonymous: Api, client: Any) -> None:
    form = {**PASSWORD_GRANT, "client_id": client.client_id, "client_secret": client.client_secret}
    assert token_request(anonymous, form)[0] == 200


def test_public_client_needs_no_secret_and_username_is_case_insensitive(anonymous: Api) -> None:
    form = {**PASSWORD_GRANT, "username": DEFAULT_USERNAME.upper(), "client_id": SDK_CLIENT_ID}
    assert token_request(anonymous, form)[0] == 200


@pytest.mark.parametrize(
    ("form", "auth", "status", "body"),
    [
        ({**PASSWORD_GRANT, "password": "nope"}, "basic", 400,
         {"error": "invalid_grant", "error_description": "Invalid credentials given."}),
        ({**PASSWORD_GRANT, "username": "someone@else.com"}, "basic", 400,
         {"error": "invalid_grant", "error_description": "Invalid credentials given."}),
        (PASSWORD_GRANT, ("unknown-client", "x"), 401, {"error": "invalid_client"}),
        (PASSWORD_GRANT, (SDK_CLIENT_ID, "wrong-secret"), 401, {"error": "invalid_client"}),
        ({**PASSWORD_GRANT, "client_id": SDK_CLIENT_ID, "client_secret": "wrong"}, None, 401,
         {"error": "invalid_client"}),
        (PASSWORD_GRANT, None, 401, {"error": "invalid_client"}),
        ({"grant_type": "password", "username": DEFAULT_USERNAME}, "basic", 400,
         {"error": "invalid_request",
          "error_description": "Request is missing password parameter."}),
        ({"grant_type": "client_credentials"}, "basic", 401, {"error": "invalid_client"}),
        ({"grant_type": "magic"}, "basic", 400, {"error": "unsupported_grant_type"}),
        ({"grant_type": "refresh_token", "refresh_token": "bogus"}, "basic", 400,
         {"error": "invalid_grant"}),
    ],
    ids=["bad-password", "unknown-user", "unknown-client", "bad-basic-secret", "bad-form-secret",
         "no-client", "missing-password", "client-credentials", "unknown-grant", "bad-refresh"],
)  # fmt: skip
def test_token_errors(
    anonymous: Api, form: dict[str, str], auth: Any, status: int, body: Any
) -> None:
    basic = (SDK_CLIENT_ID, SDK_CLIENT_SECRET) if auth == "basic" else auth
    assert token_request(anonymous, form, basic) == (status, body)


def test_token_errors_never_echo_the_password(anonymous: Api) -> None:
    response = anonymous.post(
        "oauth/token/",
        data={**PASSWORD_GRANT, "password": "S3cret-Value"},
        auth=(SDK_CLIENT_ID, SDK_CLIENT_SECRET),
    )
    assert response.status_code == 400 and "S3cret-Value" not in response.text


def test_token_endpoint_only_takes_post(anonymous: Api) -> None:
    response = anonymous.get("oauth/token/")
    assert (response.status_code, response.content) == (405, b"")


def test_refresh_rotates_and_revokes_the_old_pair(anonymous: Api, sandbox: SandboxHandle) -> None:
    basic = (SDK_CLIENT_ID, SDK_CLIENT_SECRET)
    first = token_request(anonymous, PASSWORD_GRANT, basic)[1]
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    status, second = token_request(anonymous, refresh, basic)
    assert status == 200 and second["refresh_token"] != first["refresh_token"]
    assert token_request(anonymous, refresh, basic) == (400, {"error": "invalid_grant"})
    old, new = Api(sandbox, first["access_token"]), Api(sandbox, second["access_token"])
    try:
        assert old.get("project/").status_code == 401
        assert new.get("project/").status_code == 200
    finally:
        old.close()
        new.close()


def test_refresh_token_belongs_to_its_client(anonymous: Api) -> None:
    first = token_request(anonymous, PASSWORD_GRANT, (SDK_CLIENT_ID, SDK_CLIENT_SECRET))[1]
    other = OAUTH_CLIENTS[1]
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    assert token_request(anonymous, refresh, (other.client_id, other.client_secret))[0] == 400


def test_missing_token_is_401_with_www_authenticate(anonymous: Api) -> None:
    response = anonymous.get("project/")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "status": 401,
    }
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_invalid_token_names_the_problem(sandbox: SandboxHandle) -> None:
    api = Api(sandbox, "not-a-token")
    try:
        response = api.get("project/")
    finally:
        api.close()
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == (
        'Bearer realm="api", error="invalid_token", '
        'error_description="The access token is invalid."'
    )


def test_expired_token_says_so(tmp_path: Path) -> None:
    with running_sandbox(tmp_path, faults=FaultConfig(), token_lifetime=-1) as sandbox:
        api = Api(sandbox, fetch_token(sandbox.url))
        try:
            response = api.get("project/")
        finally:
            api.close()
    assert response.status_code == 401
    assert (
        'error_description="The access token has expired."' in response.headers["WWW-Authenticate"]
    )


@pytest.mark.parametrize("path", ["project/{p}/dcli/", "project/{p}/capture-stats/"])
def test_plain_django_views_answer_403_empty(api: Api, anonymous: Api, path: str) -> None:
    p = api.project()
    response = anonymous.get(path.format(p=p))
    assert (response.status_code, response.content) == (403, b"")


def test_health_and_version_need_no_token(anonymous: Api) -> None:
    assert anonymous.ok(anonymous.get("health/")) == {"server": "up", "redis": "up"}
    assert list(anonymous.ok(anonymous.get("version/"))) == ["Piccollo Engine"]


def test_tokens_survive_a_restart_and_are_stored_hashed(tmp_path: Path) -> None:
    with running_sandbox(tmp_path, faults=FaultConfig()) as sandbox:
        token = fetch_token(sandbox.url)
    assert token.encode() not in (tmp_path / "sandbox.sqlite3").read_bytes()
    with running_sandbox(tmp_path, faults=FaultConfig()) as sandbox:
        api = Api(sandbox, token)
        try:
            assert api.get("project/").status_code == 200
        finally:
            api.close()


def test_extra_users_and_team_isolation(tmp_path: Path) -> None:
    (tmp_path / "users.json").write_text(
        json.dumps([{"username": "Other@Team.org", "password": "pw-2", "team": "Other"}])
    )
    extra = [SandboxUser("mate@piccolo.org", "pw-3")]
    with running_sandbox(tmp_path, faults=FaultConfig(), users=extra) as sandbox:
        mine = Api(sandbox, fetch_token(sandbox.url))
        mate = Api(sandbox, fetch_token(sandbox.url, "mate@piccolo.org", "pw-3"))
        other = Api(sandbox, fetch_token(sandbox.url, "other@team.org", "pw-2"))
        try:
            p = mine.project("shared")
            assert [x["name"] for x in mate.ok(mate.get("project/"))] == ["shared"]
            assert other.ok(other.get("project/")) == []
            assert other.get(f"project/{p}/").status_code == 404
            assert other.ok(other.get(f"project/{p}/capture/")) == []
        finally:
            for api in (mine, mate, other):
                api.close()
