"""Open a client for a server URL the way every command does.

* ``http://…`` / ``https://…``: used as given; credentials from the arguments, else the
  environment, else the credentials file; none -> ConfigError naming all three.
* ``sandbox://DIR``: starts capdecl's in-process sandbox server on a free loopback port
  over the data directory ``DIR`` (relative to the working directory, or absolute), logs
  in with its default account unless credentials are given (arguments or environment),
  and stops it on exit.

``insecure=True`` turns TLS certificate verification off (for self-signed test servers)
and says so in a warning; it is on by default.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from urllib3.exceptions import InsecureRequestWarning

from capdecl.client.auth import Authenticator, Credentials
from capdecl.client.credentials import env_credentials, load_credentials, missing_credentials_error
from capdecl.client.http import SensiMLClient
from capdecl.client.retry import RetryPolicy
from capdecl.errors import ConfigError

log = logging.getLogger("capdecl")

SANDBOX_SCHEME = "sandbox://"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@contextmanager
def open_client(
    server: str,
    *,
    insecure: bool = False,
    credentials: Credentials | None = None,
    retry: RetryPolicy | None = None,
) -> Iterator[SensiMLClient]:
    """A connected client for ``server``, closed (and a sandbox stopped) on exit."""
    server = server.strip()
    if server.startswith(SANDBOX_SCHEME):
        with _sandbox_client(server, credentials, retry) as client:
            yield client
        return
    url = _checked_url(server)
    found = credentials or load_credentials(url)
    if found is None:
        raise missing_credentials_error(url)
    if insecure:
        log.warning("TLS certificate verification is OFF for %s (--insecure)", url)
        warnings.filterwarnings("ignore", category=InsecureRequestWarning)
    elif urlsplit(url).scheme == "http" and urlsplit(url).hostname not in LOOPBACK_HOSTS:
        log.warning("%s is plain http: credentials and data travel unencrypted", url)
    with SensiMLClient(url, Authenticator(found), verify=not insecure, retry=retry) as client:
        yield client


@contextmanager
def _sandbox_client(
    server: str, credentials: Credentials | None, retry: RetryPolicy | None
) -> Iterator[SensiMLClient]:
    from capdecl import sandbox
    from capdecl.sandbox.run import running_sandbox

    raw = server[len(SANDBOX_SCHEME) :]
    if not raw:
        raise ConfigError("sandbox:// needs a data directory, e.g. sandbox://.sandbox")
    directory = Path(raw).expanduser().absolute()
    found = credentials or env_credentials() or Credentials(
        username=sandbox.DEFAULT_USERNAME,
        password=sandbox.DEFAULT_PASSWORD,
        client_id=sandbox.SDK_CLIENT_ID,
        client_secret=sandbox.SDK_CLIENT_SECRET,
        source="the sandbox defaults",
    )  # fmt: skip
    with (
        running_sandbox(directory) as handle,
        SensiMLClient(handle.url, Authenticator(found), retry=retry) as client,
    ):
        yield client


def _checked_url(server: str) -> str:
    parts = urlsplit(server)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"server {server!r} is not a URL: use http(s)://HOST[:PORT]/ or sandbox://DIR"
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"server URL {server!r} must not have a query or fragment")
    return server if server.endswith("/") else server + "/"
