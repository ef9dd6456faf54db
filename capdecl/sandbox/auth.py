"""OAuth2 as django-oauth-toolkit 1.7 does it for Piccolo's public applications.

``POST /oauth/token/`` (form-encoded) supports the password and refresh-token grants.
Clients authenticate with HTTP Basic or form ``client_id`` (+ optional ``client_secret``,
which must be right when sent). Access tokens last 36000 s; refresh tokens never expire and
rotate: a refresh revokes the old refresh token and its access token. Tokens are stored as
SHA-256 digests, so the database holds no usable secret and tokens survive restarts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import time
from collections.abc import Iterable

from flask import Response, request

from capdecl.sandbox.defaults import (
    ACCESS_TOKEN_EXPIRE_SECONDS,
    OAUTH_CLIENTS,
    OAuthClient,
    SandboxUser,
)
from capdecl.sandbox.render import json_response
from capdecl.sandbox.routing import Call, Route
from capdecl.sandbox.store import Store, one

_ALPHABET = string.ascii_letters + string.digits
_NO_CACHE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
INVALID_TOKEN = "The access token is invalid."
EXPIRED_TOKEN = "The access token has expired."


class OAuthError(Exception):
    """An oauthlib error response: ``{"error": ..., ["error_description": ...]}``."""

    def __init__(self, error: str, description: str | None = None, status: int = 400) -> None:
        super().__init__(error)
        self.body = {"error": error}
        if description:
            self.body["error_description"] = description
        self.status = status


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(30))


class TokenAuthority:
    """Issues, refreshes and checks bearer tokens for a fixed set of users and clients."""

    def __init__(
        self,
        store: Store,
        users: Iterable[SandboxUser],
        clients: Iterable[OAuthClient] = OAUTH_CLIENTS,
        lifetime: float = ACCESS_TOKEN_EXPIRE_SECONDS,
    ) -> None:
        self._store = store
        self._users = {user.username.lower(): user for user in users}
        self._clients = {client.client_id: client for client in clients}
        self._lifetime = lifetime

    def authenticate(self, header: str | None) -> tuple[SandboxUser | None, str | None]:
        """The user behind an ``Authorization: Bearer`` header, else None and, when a token
        was sent, why it was refused (for ``WWW-Authenticate``)."""
        scheme, _, token = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None, None
        with self._store.read() as db:
            row = one(
                db,
                "SELECT username, expires FROM tokens WHERE digest = ? AND kind = 'access'",
                _digest(token.strip()),
            )
        if row is None or row["username"] not in self._users:
            return None, INVALID_TOKEN
        if row["expires"] is not None and row["expires"] < time.time():
            return None, EXPIRED_TOKEN
        return self._users[row["username"]], None

    def token_endpoint(self, call: Call) -> Response:
        """``POST /oauth/token/``."""
        try:
            client = self._authenticate_client()
            grant = request.form.get("grant_type", "")
            if grant == "password":
                body = self._password_grant(client)
            elif grant == "refresh_token":
                body = self._refresh_grant(client)
            elif grant == "client_credentials":
                raise OAuthError("invalid_client", status=401)
            elif not grant:
                raise OAuthError("invalid_request", "Request is missing grant_type parameter.")
            else:
                raise OAuthError("unsupported_grant_type")
        except OAuthError as error:
            headers = dict(_NO_CACHE)
            if error.status == 401:
                headers["WWW-Authenticate"] = f'Bearer error="{error.body["error"]}"'
            return json_response(error.body, error.status, headers)
        return json_response(body, 200, _NO_CACHE)

    def _authenticate_client(self) -> OAuthClient:
        basic = request.authorization
        if basic is not None and basic.type == "basic":
            client_id, secret = basic.username or "", basic.password or ""
        else:
            client_id = request.form.get("client_id", "")
            secret = request.form.get("client_secret", "")
        client = self._clients.get(client_id)
        if client is None:
            raise OAuthError("invalid_client", status=401)
        if (basic is not None or secret) and not hmac.compare_digest(
            secret.encode(), client.client_secret.encode()
        ):
            raise OAuthError("invalid_client", status=401)
        return client

    def _password_grant(self, client: OAuthClient) -> dict[str, object]:
        for param in ("username", "password"):
            if not request.form.get(param):
                raise OAuthError("invalid_request", f"Request is missing {param} parameter.")
        user = self._users.get(request.form["username"].strip().lower())
        if user is None or not hmac.compare_digest(
            request.form["password"].encode(), user.password.encode()
        ):
            raise OAuthError("invalid_grant", "Invalid credentials given.")
        return self._issue(user.username.lower(), client)

    def _refresh_grant(self, client: OAuthClient) -> dict[str, object]:
        token = request.form.get("refresh_token", "")
        if not token:
            raise OAuthError("invalid_request", "Missing refresh token parameter.")
        with self._store.write() as db:
            row = one(
                db,
                "SELECT username, client_id, pair FROM tokens "
                "WHERE digest = ? AND kind = 'refresh'",
                _digest(token),
            )
            if row is None or row["client_id"] != client.client_id:
                raise OAuthError("invalid_grant")
            db.execute("DELETE FROM tokens WHERE digest IN (?, ?)", (_digest(token), row["pair"]))
            return self._issue(row["username"], client)

    def _issue(self, username: str, client: OAuthClient) -> dict[str, object]:
        access, refresh = _new_token(), _new_token()
        expires = time.time() + self._lifetime
        with self._store.write() as db:
            db.executemany(
                "INSERT INTO tokens (digest, kind, username, client_id, expires, pair) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        _digest(access),
                        "access",
                        username,
                        client.client_id,
                        expires,
                        _digest(refresh),
                    ),
                    (
                        _digest(refresh),
                        "refresh",
                        username,
                        client.client_id,
                        None,
                        _digest(access),
                    ),
                ],
            )
        return {
            "access_token": access,
            "expires_in": int(self._lifetime),
            "token_type": "Bearer",
            "scope": "read write",
            "refresh_token": refresh,
        }

    def routes(self) -> list[Route]:
        return [Route("/oauth/token/", {"POST": self.token_endpoint}, kind="public")]
