"""One ``requests`` session to one server: auth header, timeouts, logging, retries.

:meth:`Transport.send` does exactly one attempt (plus one re-send after a 401 and a
token renewal) and reports a failure to get an answer as :class:`SendFailure`, saying
whether the request may have reached the application. :meth:`Transport.call` wraps it
in the retry policy for *idempotent* requests. Non-idempotent writes (uploads, creates)
drive ``send`` themselves, see :mod:`capdecl.client.recovery`.

Logging: ``capdecl.http`` at DEBUG gets one line per attempt,
``METHOD /path -> status (ms, attempt n)``. Headers and bodies are never logged.
"""

from __future__ import annotations

import http.cookiejar
import logging
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

import requests
import requests.adapters
import requests.auth
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from capdecl import __version__
from capdecl.client.auth import TOKEN_PATH, Authenticator
from capdecl.client.multipart import MultipartStream
from capdecl.client.responses import decode_json, raise_for_answer, server_message
from capdecl.client.retry import RETRY_STATUSES, RetryPolicy, retry_after_seconds
from capdecl.errors import AuthError, RequestInfo, TransportError

log = logging.getLogger("capdecl.http")

JSON = "application/json"
# Largest answer body read into memory. The biggest real answers are whole-project lists:
# about 60 MB of captures for 100,000 captures. Anything larger is refused, not retried.
MAX_BODY_BYTES = 256 * 2**20
_CHUNK = 1024 * 1024
DEFAULT_USER_AGENT = f"capdecl/{__version__} python-requests/{requests.__version__}"


class SendFailure(Exception):
    """No answer. ``maybe_processed`` is False only when the request surely never reached
    the server (connection refused, connect timeout)."""

    def __init__(self, reason: str, *, maybe_processed: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.maybe_processed = maybe_processed


class _Bearer(requests.auth.AuthBase):
    """Sets the Authorization header (an explicit auth also stops .netrc lookups)."""

    def __init__(self, header: str | None) -> None:
        self._header = header

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self._header is not None:
            request.headers["Authorization"] = self._header
        return request

    def __repr__(self) -> str:
        return "_Bearer('Bearer ***')"


class Transport:
    """Session, base URL, authentication and retry policy of one client; thread-safe."""

    def __init__(
        self,
        base_url: str,
        auth: Authenticator,
        *,
        timeout: tuple[float, float],
        retry: RetryPolicy,
        verify: bool | str,
        user_agent: str,
        pool_size: int,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.auth = auth
        self.timeout = timeout
        self.retry = retry
        self.verify = verify
        self.max_body = MAX_BODY_BYTES
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self._resolve_environment()
        self.session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=2, pool_maxsize=pool_size, max_retries=0
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def _resolve_environment(self) -> None:
        """Read the proxy and CA-bundle environment variables once, for the server's host.

        ``requests`` re-reads them on every request (scanning the whole environment,
        which costs more CPU than a loopback request itself) when ``trust_env`` is on; the
        answer only depends on the host, which is fixed. ``.netrc`` is never consulted
        either way (every request carries explicit auth)."""
        settings = self.session.merge_environment_settings(
            self.base_url, {}, None, self.verify, None
        )
        self.session.trust_env = False
        self.session.proxies.update(settings["proxies"])
        resolved = settings["verify"]  # True may become $REQUESTS_CA_BUNDLE's path
        self._send_verify: bool | str = self.verify if resolved is None else resolved

    def close(self) -> None:
        self.session.close()

    # ------------------------------------------------------------------ one attempt

    def send(
        self,
        method: str,
        path: str,
        *,
        attempt: int = 1,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        multipart: Callable[[], MultipartStream] | None = None,
        stream: bool = False,
        accept: str = JSON,
    ) -> requests.Response:
        """One attempt, re-sent once with a renewed token if the API answers 401."""
        header = self.auth.header(self.fetch_token)
        kwargs: dict[str, Any] = {"json": json, "params": params, "stream": stream}
        response = self._send_body(method, path, attempt, header, kwargs, multipart, accept)
        if response.status_code != 401:
            return response
        renewed = self.auth.renew(self.fetch_token, header)
        if renewed is None:
            return response
        response.close()
        return self._send_body(method, path, attempt, renewed, kwargs, multipart, accept)

    def _send_body(
        self,
        method: str,
        path: str,
        attempt: int,
        header: str,
        kwargs: dict[str, Any],
        multipart: Callable[[], MultipartStream] | None,
        accept: str,
    ) -> requests.Response:
        headers = {"Accept": accept}
        if multipart is None:
            return self._raw(method, path, attempt, _Bearer(header), headers=headers, **kwargs)
        with multipart() as body:
            headers["Content-Type"] = body.content_type
            return self._raw(
                method, path, attempt, _Bearer(header), headers=headers, data=body, **kwargs
            )

    def _raw(
        self, method: str, path: str, attempt: int, auth: _Bearer, **kwargs: Any
    ) -> requests.Response:
        """One HTTP exchange. Unless the caller streams, the body is read here, at most
        :data:`MAX_BODY_BYTES` of it (requests alone would read any size into memory)."""
        stream = bool(kwargs.pop("stream", False))
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                auth=auth,
                timeout=self.timeout,
                verify=self._send_verify,
                allow_redirects=method == "GET",
                stream=True,
                **kwargs,
            )
            if not stream:
                read_body(response, self.max_body, f"{method} /{path}")
        except requests.RequestException as error:
            failure = self._failure(method, path, error)
            log.debug(
                "%s /%s -> %s (%.0f ms, attempt %d)",
                method,
                path,
                type(error).__name__,
                (time.monotonic() - started) * 1000,
                attempt,
            )
            raise failure from None
        log.debug(
            "%s /%s -> %d (%.0f ms, attempt %d)",
            method,
            path,
            response.status_code,
            (time.monotonic() - started) * 1000,
            attempt,
        )
        return response

    def _failure(self, method: str, path: str, error: requests.RequestException) -> SendFailure:
        host = self.base_url
        if isinstance(error, requests.exceptions.SSLError):
            raise TransportError(
                f"{method} /{path}: TLS verification of {host} failed "
                "(self-signed certificate? --insecure turns verification off)"
            ) from None
        if isinstance(error, requests.exceptions.ConnectTimeout):
            return SendFailure(f"timed out connecting to {host}", maybe_processed=False)
        if isinstance(error, requests.exceptions.ReadTimeout):
            return SendFailure(
                f"no answer from {host} within {self.timeout[1]:g} s", maybe_processed=True
            )
        if isinstance(error, requests.ConnectionError) and _never_connected(error):
            return SendFailure(f"could not connect to {host}", maybe_processed=False)
        if isinstance(error, requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
            return SendFailure(f"the connection to {host} was dropped", maybe_processed=True)
        raise TransportError(f"{method} /{path}: {type(error).__name__}") from None

    # ------------------------------------------------------------------ retried calls

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        ok: Collection[int] = (200,),
        gone_ok: bool = False,
        stream: bool = False,
        accept: str = JSON,
    ) -> requests.Response:
        """An idempotent request, retried on no answer and on 429, 500, 502, 503, 504.

        Returns the first answer with a status in ``ok`` (or a 404 on a retry when
        ``gone_ok``: a DELETE whose first attempt got through); raises otherwise.
        """
        reason = ""
        retry_after: float | None = None
        for attempt in range(1, self.retry.max_attempts + 1):
            if attempt > 1:
                self.retry.pause(attempt - 1, retry_after)
            retry_after = None
            try:
                response = self.send(
                    method, path, attempt=attempt, json=json, params=params,
                    stream=stream, accept=accept,
                )  # fmt: skip
            except SendFailure as failure:
                reason = failure.reason
                continue
            status = response.status_code
            if status in ok or (gone_ok and status == 404 and attempt > 1):
                return response
            if status in RETRY_STATUSES and attempt < self.retry.max_attempts:
                retry_after = retry_after_seconds(response.headers)
                response.close()
                reason = f"the server answered {status}"
                continue
            raise_for_answer(response, RequestInfo(method, "/" + path, status))
        raise self.gave_up(method, path, reason)

    def gave_up(self, method: str, path: str, reason: str) -> TransportError:
        attempts = self.retry.max_attempts
        return TransportError(f"{method} /{path}: {reason} (gave up after {attempts} attempts)")

    def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """GET and decode a JSON answer."""
        return self.decode(self.call("GET", path, params=params), "GET", path)

    def decode(self, response: requests.Response, method: str, path: str) -> Any:
        return decode_json(response, RequestInfo(method, "/" + path, response.status_code))

    # ------------------------------------------------------------------ token endpoint

    def fetch_token(self, form: Mapping[str, str], retry: bool) -> Mapping[str, Any]:
        """POST a grant to the token endpoint (see :data:`capdecl.client.auth.TokenFetch`).
        The form (password, refresh token) is never logged."""
        path = TOKEN_PATH.lstrip("/")
        attempts = self.retry.max_attempts if retry else 1
        reason = ""
        retry_after: float | None = None
        for attempt in range(1, attempts + 1):
            if attempt > 1:
                self.retry.pause(attempt - 1, retry_after)
            retry_after = None
            try:
                response = self._raw(
                    "POST", path, attempt, _Bearer(None), data=dict(form), headers={"Accept": JSON}
                )
            except SendFailure as failure:
                reason = failure.reason
                continue
            if response.status_code in RETRY_STATUSES and attempt < attempts:
                retry_after = retry_after_seconds(response.headers)
                reason = f"the server answered {response.status_code}"
                continue
            return self._token_answer(response, form.get("grant_type", ""))
        raise self.gave_up("POST", path, reason)

    def _token_answer(self, response: requests.Response, grant: str) -> Mapping[str, Any]:
        request = RequestInfo("POST", TOKEN_PATH, response.status_code)
        if response.status_code in (400, 401, 403):
            error = AuthError(request, server_message(response))
            user = self.auth.credentials.username
            who = f" as {user!r}" if user and grant == "password" else ""
            error.details = (
                f"the {grant} grant{who} was refused; check the credentials "
                f"(from {self.auth.credentials.source})",
            )
            raise error
        if response.status_code != 200:
            raise_for_answer(response, request)
        body = decode_json(response, request)
        if not isinstance(body, Mapping) or not isinstance(body.get("access_token"), str):
            raise AuthError(request, "the token answer carries no access_token")
        return body


def read_body(response: requests.Response, limit: int, what: str) -> None:
    """Read the whole body into ``response`` (as a non-streamed request would), refusing
    it as soon as it is known to exceed ``limit`` bytes (declared or actually sent,
    counted after decompression)."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        response.close()
        raise _too_large(what, limit)
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_content(_CHUNK):
        total += len(chunk)
        if total > limit:
            response.close()
            raise _too_large(what, limit)
        chunks.append(chunk)
    response._content = b"".join(chunks)
    response._content_consumed = True  # type: ignore[attr-defined]


def _too_large(what: str, limit: int) -> TransportError:
    return TransportError(
        f"{what}: the server's answer is larger than {limit // 2**20} MiB; refusing to read it "
        "(is this the SensiML API?)"
    )


def _never_connected(error: requests.ConnectionError) -> bool:
    """True when the connection was never established (nothing was sent)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, NewConnectionError | ConnectTimeoutError):
            return True
        reason = getattr(current, "reason", None)
        nested = current.args[0] if current.args else None
        current = reason if isinstance(reason, BaseException) else (
            nested if isinstance(nested, BaseException) else current.__cause__
        )  # fmt: skip
    return False
