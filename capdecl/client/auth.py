"""OAuth2 for the SensiML / Piccolo API: credentials and the bearer token they buy.

The server speaks django-oauth-toolkit: a *password grant* at ``POST /oauth/token/`` gives
an access token (10 h) and a refresh token that never expires but *rotates* on every
refresh. :class:`Authenticator` keeps the current pair, logs in lazily, and on a 401 from
the API renews once: refresh grant first (storing the rotated refresh token), then a fresh
password login if the refresh fails and a password is known. It is shared by every thread
of an upload pool, so renewal happens once however many requests saw the 401 together.

The token request itself is done by the caller's transport (a :data:`TokenFetch`), which
knows the session, timeouts and TLS settings and never logs the form body.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from capdecl.errors import AuthError, ConfigError, RequestInfo, TransportError

# The "Piccolo AI SensiML Python Client" OAuth application that every Piccolo server installs
# from src/server/datamanager/fixtures/client_oauth.yml. It is a *public* client: the id and
# secret ship with the official SDK and identify the application, not a user.
DEFAULT_CLIENT_ID = "qQ3hZ1VIn8xsHIg4ci5Kugyfj68SrJGi2pJM2rPt"
DEFAULT_CLIENT_SECRET = (
    "0W1wyEPLzTt38Zdq0Ky2odibE2KTWs7vHwzqBDoO9pU97Bp764BEBAlmDXX28dCPloDx0hcjMKBa"
    "PJTyH2jYEZ80sHeIX9SsMIvIcGnRcqcbHIyxSA96mDeSQJ7tKjh2"
)

TOKEN_PATH = "/oauth/token/"

# POSTs one form to the token endpoint and returns the decoded JSON answer; raises
# AuthError for a refused grant. ``retry`` says whether the grant may be sent twice
# (a refresh grant may not: the first one may have rotated the refresh token already).
TokenFetch = Callable[[Mapping[str, str], bool], Mapping[str, Any]]


def _mask(value: str | None) -> str:
    return "None" if value is None else "'***'"


@dataclass(frozen=True, slots=True, repr=False)
class Credentials:
    """Who capdecl logs in as: a username and password, or a pre-issued access token.

    ``source`` says where they came from (for messages), e.g. ``"environment"`` or
    ``"~/.config/capdecl/credentials.yaml"``. ``repr`` and ``str`` never show secrets.
    """

    username: str | None = None
    password: str | None = None
    token: str | None = None
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str | None = DEFAULT_CLIENT_SECRET
    source: str = "arguments"

    def __post_init__(self) -> None:
        if not self.token and not (self.username and self.password):
            raise ConfigError(
                f"credentials from {self.source} need a username and a password, or a token"
            )

    def __repr__(self) -> str:
        return (
            f"Credentials(username={self.username!r}, password={_mask(self.password)}, "
            f"token={_mask(self.token)}, client_id={self.client_id!r}, "
            f"client_secret={_mask(self.client_secret)}, source={self.source!r})"
        )

    __str__ = __repr__

    @property
    def can_login(self) -> bool:
        """True when a password login is possible (not only a fixed token)."""
        return bool(self.username and self.password)


class Authenticator:
    """Holds the current tokens for one set of credentials; thread-safe."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        self._lock = threading.Lock()
        self._access: str | None = credentials.token
        self._refresh: str | None = None
        self.logins = 0  # password grants done (for diagnostics and tests)
        self.refreshes = 0  # refresh grants done

    def __repr__(self) -> str:
        return f"Authenticator({self.credentials!r})"

    def header(self, fetch: TokenFetch) -> str:
        """The ``Authorization`` header value, logging in first if needed."""
        with self._lock:
            if self._access is None:
                self._login(fetch)
            return f"Bearer {self._access}"

    def renew(self, fetch: TokenFetch, rejected: str) -> str | None:
        """Get a new access token after the API refused ``rejected`` (a header value).

        Returns the new header, or None when nothing more can be tried (a fixed token with
        no password). If another thread already renewed, its token is returned as is.
        """
        with self._lock:
            if self._access is not None and f"Bearer {self._access}" != rejected:
                return f"Bearer {self._access}"
            if self._refresh is not None:
                try:
                    self._store(fetch(self._refresh_form(self._refresh), False))
                    self.refreshes += 1
                    return f"Bearer {self._access}"
                except (AuthError, TransportError):
                    self._refresh = None  # refused, or lost after it may have rotated
            if not self.credentials.can_login:
                return None
            self._login(fetch)
            return f"Bearer {self._access}"

    def _login(self, fetch: TokenFetch) -> None:
        if not self.credentials.can_login:
            raise ConfigError(
                f"no password to log in with (credentials from {self.credentials.source})"
            )
        self._store(fetch(self._password_form(), True))
        self.logins += 1

    def _store(self, answer: Mapping[str, Any]) -> None:
        access = answer.get("access_token")
        if not isinstance(access, str) or not access:
            raise AuthError(
                RequestInfo("POST", TOKEN_PATH), "the token answer carries no access_token"
            )
        self._access = access
        refresh = answer.get("refresh_token")
        self._refresh = refresh if isinstance(refresh, str) and refresh else None

    def _client_fields(self) -> dict[str, str]:
        fields = {"client_id": self.credentials.client_id}
        if self.credentials.client_secret:
            fields["client_secret"] = self.credentials.client_secret
        return fields

    def _password_form(self) -> dict[str, str]:
        return {
            "grant_type": "password",
            "username": self.credentials.username or "",
            "password": self.credentials.password or "",
            **self._client_fields(),
        }

    def _refresh_form(self, refresh_token: str) -> dict[str, str]:
        return {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            **self._client_fields(),
        }
