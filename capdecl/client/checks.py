"""Client-side checks for inputs the server would mishandle (500s, silent rewrites).

The planner and manifest loader validate first; these checks are the last line before the
wire, so a caller bug gives a clear error instead of a server traceback.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from capdecl.errors import ConfigError

CAPTURE_EXTENSIONS = (".csv", ".wav")
CAPTURE_FIELDS = frozenset(
    {"name", "capture_configuration_uuid", "set_sample_rate", "calculated_sample_rate"}
)


class InvalidInputError(ConfigError, ValueError):
    """A value capdecl refuses to send (caught as ConfigError or ValueError)."""


def segment(value: str, what: str = "uuid") -> str:
    """One URL path segment, sent exactly as given (quoted only if it needs it)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"empty {what} in a request path")
    return quote(value, safe="")


def capture_upload(name: str, filename: str) -> None:
    """A capture name must not be blank; the server takes the file type from the multipart
    *filename* (the local file's name), which must end in lower-case .csv or .wav. The
    capture name itself is free text (the server keeps the two apart)."""
    if not name.strip():
        raise InvalidInputError("a capture name must not be blank")
    if not filename.endswith(CAPTURE_EXTENSIONS):
        raise InvalidInputError(
            f"capture {name!r}: the file {filename!r} must end with .csv or .wav (lower case); "
            "the server derives the file type from the file name"
        )


def configuration_body(name: str, configuration: Any) -> Mapping[str, Any]:
    """A configuration the server stores verbatim: an object with ``version >= 2``.

    Version 1 (or none) would be rewritten by the server, and an explicit null is a 500.
    """
    if not isinstance(configuration, Mapping):
        raise InvalidInputError(f"configuration {name!r}: the configuration must be an object")
    version = configuration.get("version")
    if isinstance(version, bool) or not isinstance(version, int | float) or version < 2:
        raise InvalidInputError(
            f"configuration {name!r}: 'version' must be a number >= 2 (got {version!r}); "
            "the server rewrites version-1 configurations"
        )
    return configuration


def client_uuid(value: str) -> str:
    """A client-chosen configuration uuid must be a UUID (else the server answers 400)."""
    try:
        uuid_module.UUID(value)
    except (TypeError, ValueError, AttributeError):
        raise InvalidInputError(f"{value!r} is not a UUID") from None
    return value


def capture_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """PATCH fields of a capture: known keys only, no unlinking (null is a 400)."""
    unknown = sorted(set(fields) - CAPTURE_FIELDS)
    if unknown:
        raise InvalidInputError(f"cannot update capture field(s) {', '.join(unknown)}")
    if "capture_configuration_uuid" in fields and fields["capture_configuration_uuid"] is None:
        raise InvalidInputError(
            "a capture's configuration link cannot be cleared (only by deleting the configuration)"
        )
    if "name" in fields and not str(fields["name"]).strip():
        raise InvalidInputError("a capture name must not be blank")
    return dict(fields)
