"""Where credentials come from: environment variables, then a per-user credentials file.

Never from manifests (they live in git). The file maps server URLs to logins::

    https://sensiml.example.com:
      username: ci@example.com
      password: "..."
    http://localhost:8000/:
      token: "..."            # a pre-issued access token instead of a password
      client_id: "..."        # optional: another OAuth application
      client_secret: "..."

It should be readable by its owner only (``chmod 600``); wider permissions get a warning.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from capdecl.client.auth import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Credentials
from capdecl.errors import ConfigError

log = logging.getLogger("capdecl")

ENV_USERNAME = "CAPDECL_USERNAME"
ENV_PASSWORD = "CAPDECL_PASSWORD"
ENV_TOKEN = "CAPDECL_TOKEN"
ENV_CLIENT_ID = "CAPDECL_CLIENT_ID"
ENV_CLIENT_SECRET = "CAPDECL_CLIENT_SECRET"
ENV_FILE = "CAPDECL_CREDENTIALS_FILE"
DEFAULT_FILE = "~/.config/capdecl/credentials.yaml"
ENTRY_KEYS = frozenset({"username", "password", "token", "client_id", "client_secret"})


def credentials_file(env: Mapping[str, str] | None = None) -> Path:
    """The credentials file to read: ``$CAPDECL_CREDENTIALS_FILE`` or the default."""
    env = os.environ if env is None else env
    return Path(env.get(ENV_FILE) or DEFAULT_FILE).expanduser()


def missing_credentials_error(server: str, env: Mapping[str, str] | None = None) -> ConfigError:
    """The error for a real server with no credentials anywhere."""
    return ConfigError(
        f"no credentials for {server}",
        [
            f"set {ENV_USERNAME} and {ENV_PASSWORD} (or {ENV_TOKEN}),",
            f"or add an entry for {server} to {credentials_file(env)}",
        ],
    )


def env_credentials(env: Mapping[str, str] | None = None) -> Credentials | None:
    """Credentials from ``CAPDECL_*`` environment variables, or None if none are set."""
    env = os.environ if env is None else env
    username, password, token = (
        env.get(k) or None for k in (ENV_USERNAME, ENV_PASSWORD, ENV_TOKEN)
    )
    if not (username or password or token):
        return None
    if not token and not (username and password):
        given = ENV_USERNAME if username else ENV_PASSWORD
        missing = ENV_PASSWORD if username else ENV_USERNAME
        raise ConfigError(f"{given} is set but {missing} is not (or set {ENV_TOKEN})")
    return Credentials(
        username=username,
        password=password,
        token=token,
        client_id=env.get(ENV_CLIENT_ID) or DEFAULT_CLIENT_ID,
        client_secret=_env_secret(env),
        source="environment",
    )


def load_credentials(server: str, env: Mapping[str, str] | None = None) -> Credentials | None:
    """Credentials for ``server``: environment first, then the credentials file."""
    env = os.environ if env is None else env
    found = env_credentials(env)
    if found is not None:
        return found
    path = credentials_file(env)
    if not path.is_file():
        return None
    return _file_credentials(path, server, env)


def _env_secret(env: Mapping[str, str]) -> str | None:
    if ENV_CLIENT_SECRET in env:
        return env[ENV_CLIENT_SECRET] or None  # set but empty: send no secret
    if env.get(ENV_CLIENT_ID):
        return None  # another application: the default secret would not match
    return DEFAULT_CLIENT_SECRET


def _file_credentials(path: Path, server: str, env: Mapping[str, str]) -> Credentials | None:
    _warn_if_readable_by_others(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        reason = type(error).__name__
        raise ConfigError(f"{path}: cannot read the credentials file ({reason})") from None
    if document is None:
        return None
    if not isinstance(document, Mapping):
        raise ConfigError(f"{path}: expected a mapping of server URL -> credentials")
    entry = _entry_for(document, server)
    if entry is None:
        return None
    return _entry_credentials(path, server, entry, env)


def _entry_for(document: Mapping[Any, Any], server: str) -> Any:
    wanted = _normalise(server)
    for key, value in document.items():
        if isinstance(key, str) and _normalise(key) == wanted:
            return value
    return None


def _entry_credentials(path: Path, server: str, entry: Any, env: Mapping[str, str]) -> Credentials:
    where = f"{path}: entry {server!r}"
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: expected a mapping with username/password or token")
    unknown = sorted(str(k) for k in entry if k not in ENTRY_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    values: dict[str, str | None] = {}
    for key in ENTRY_KEYS:
        value = entry.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
            raise ConfigError(f"{where}: {key} must be a string")
        values[key] = None if value is None else str(value)
    if not values["token"] and not (values["username"] and values["password"]):
        raise ConfigError(f"{where}: needs username and password, or token")
    client_id = values["client_id"] or env.get(ENV_CLIENT_ID) or DEFAULT_CLIENT_ID
    secret = values["client_secret"]
    if "client_secret" not in entry:
        default = client_id == DEFAULT_CLIENT_ID
        secret = DEFAULT_CLIENT_SECRET if default else env.get(ENV_CLIENT_SECRET)
    return Credentials(
        username=values["username"],
        password=values["password"],
        token=values["token"],
        client_id=client_id,
        client_secret=secret or None,
        source=str(path),
    )


def _normalise(url: str) -> str:
    return url.strip().rstrip("/").lower()


def _warn_if_readable_by_others(path: Path) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return
    if mode & 0o077:
        log.warning(
            "credentials file %s has permissions %04o; it should be readable by its owner "
            "only (chmod 600 %s)",
            path,
            mode,
            path,
        )
