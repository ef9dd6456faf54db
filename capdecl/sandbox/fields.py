"""DRF-like field parsing: the same coercions and the same error messages.

A :class:`Form` wraps a request body (JSON object or form fields) and reads typed fields,
collecting errors into ``{"field": ["message"]}`` like a DRF serializer; ``MISSING`` marks a
field that was not sent (so a PATCH leaves it alone).
"""

from __future__ import annotations

import re
import uuid as uuidlib
from collections.abc import Mapping
from typing import Any, Final

from capdecl.sandbox.apierrors import FieldErrors, validation_error


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()

REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."
NOT_BLANK = "This field may not be blank."

_TRUE = {"true", "True", "TRUE", "1", "yes", "Yes", "YES", "on", "On", "ON", "t", "T", "y", "Y"}
_FALSE = {"false", "False", "FALSE", "0", "no", "No", "NO", "off", "Off", "OFF", "f", "F", "n"}
_INTEGRAL = re.compile(r"\.0*\s*$")


def as_object(data: Any) -> Mapping[str, Any]:
    """The body as an object; DRF answers a non-object body with ``non_field_errors``."""
    if isinstance(data, Mapping):
        return data
    kind = type(data).__name__
    raise validation_error(
        {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]}
    )


class Form:
    """Typed access to one object's fields, DRF style."""

    def __init__(self, data: Any, *, partial: bool = False, is_form: bool = False) -> None:
        self.data = as_object(data)
        self.partial = partial
        self.is_form = is_form
        self.errors = FieldErrors()

    def _raw(self, name: str, required: bool) -> Any:
        if name in self.data:
            return self.data[name]
        if required and not self.partial:
            self.errors.add(name, REQUIRED)
        return MISSING

    def string(
        self,
        name: str,
        *,
        required: bool = True,
        allow_null: bool = False,
        max_length: int | None = None,
    ) -> Any:
        """A trimmed, non-blank string (numbers are accepted and stringified)."""
        raw = self._raw(name, required)
        if raw is MISSING:
            return MISSING
        if raw is None or (raw == "" and allow_null and self.is_form):
            return self._null(name, allow_null)
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            self.errors.add(name, "Not a valid string.")
            return MISSING
        text = str(raw).strip()
        if not text:
            self.errors.add(name, NOT_BLANK)
            return MISSING
        if max_length is not None and len(text) > max_length:
            self.errors.add(name, f"Ensure this field has no more than {max_length} characters.")
            return MISSING
        return text

    def boolean(self, name: str, *, default: bool | None = None) -> Any:
        """A boolean; absent from form data it means False (DRF's HTML-input rule)."""
        if name not in self.data:
            if self.partial:
                return MISSING
            if self.is_form:
                return False
            if default is None:
                self.errors.add(name, REQUIRED)
                return MISSING
            return default
        raw = self.data[name]
        if raw is True or raw in _TRUE:
            return True
        if raw is False or raw in _FALSE:
            return False
        if raw is None:
            return self._null(name, False)
        self.errors.add(name, "Must be a valid boolean.")
        return MISSING

    def integer(self, name: str, *, allow_null: bool = True) -> Any:
        raw = self._raw(name, False)
        if raw is MISSING:
            return MISSING
        if raw is None or (raw == "" and self.is_form):
            return self._null(name, allow_null)
        try:
            if isinstance(raw, bool):
                raise ValueError
            return int(_INTEGRAL.sub("", str(raw)))
        except ValueError:
            self.errors.add(name, "A valid integer is required.")
            return MISSING

    def number(self, name: str, *, allow_null: bool = True) -> Any:
        raw = self._raw(name, False)
        if raw is MISSING:
            return MISSING
        if raw is None or (raw == "" and self.is_form):
            return self._null(name, allow_null)
        try:
            return float(raw)
        except (TypeError, ValueError):
            self.errors.add(name, "A valid number is required.")
            return MISSING

    def uuid(self, name: str, *, required: bool = False) -> Any:
        """A UUID, returned lower-case hyphenated."""
        raw = self._raw(name, required)
        if raw is MISSING:
            return MISSING
        if raw is None:
            return self._null(name, False)
        parsed = parse_uuid(raw)
        if parsed is None:
            self.errors.add(name, "Must be a valid UUID.")
            return MISSING
        return parsed

    def _null(self, name: str, allow_null: bool) -> Any:
        if allow_null:
            return None
        self.errors.add(name, NOT_NULL)
        return MISSING

    def raise_if_errors(self) -> None:
        self.errors.raise_if_any()


def parse_uuid(raw: Any) -> str | None:
    """A UUID string in canonical lower-case form, or None when it is not a UUID."""
    if not isinstance(raw, str):
        return None
    try:
        return str(uuidlib.UUID(hex=raw))
    except ValueError:
        return None


def regex_message(value: str, *, spaces: bool) -> str:
    """Piccolo's message for a name or value with forbidden characters."""
    tail = " and spaces" if spaces else ""
    return f'Value "{value}" can only contain letters, numbers and underscores{tail}.'
