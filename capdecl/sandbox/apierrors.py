"""Error responses in Piccolo's shapes.

Piccolo's DRF exception handler gives three JSON shapes:

* validation errors: ``{"status": 400, "detail": "Request failed validation", "data": ...}``
* other API errors:  ``{"detail": "...", "status": N}``
* unhandled errors:  ``{"status": 500, "detail": "<ExceptionClass>: <message>", "trace": ...}``
  (the docker image runs with ``DEBUG=True``, so a trace is included)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ApiError(Exception):
    """An error response: status, JSON body, extra headers."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


def validation_error(data: Any) -> ApiError:
    """400 with the validation envelope around DRF-style error ``data``."""
    return ApiError(400, {"status": 400, "detail": "Request failed validation", "data": data})


def flat_error(status: int, detail: str, headers: Mapping[str, str] | None = None) -> ApiError:
    """A non-validation API error: ``{"detail", "status"}``."""
    return ApiError(status, {"detail": detail, "status": status}, headers)


def not_found() -> ApiError:
    """DRF's 404 for a missing (or foreign) object on a detail route."""
    return flat_error(404, "Not found.")


class ServerFault(ApiError):
    """What an unhandled exception on the real server turns into: a 500 naming the class."""

    def __init__(self, exc_class: str, message: str) -> None:
        detail = f"{exc_class}: {message}"
        trace = f"Traceback (most recent call last):\n  [capdecl sandbox]\n{detail}\n"
        super().__init__(500, {"status": 500, "detail": detail, "trace": trace})


class FieldErrors:
    """Collects DRF-style field errors (``{"field": ["message", ...]}``) for one object."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise validation_error(self.errors)


def unique_error(fields: str) -> ApiError:
    """DRF's UniqueTogetherValidator message, e.g. ``fields="name, project"``."""
    return validation_error({"non_field_errors": [f"The fields {fields} must make a unique set."]})
