"""Build capdecl's live-state values from API JSON, checking every field used.

A field of the wrong type or a missing required key raises :class:`BodyError` naming the
item and field; the client wraps it into a TransportError naming the request. Fields
capdecl does not use are ignored, so a newer server with extra keys keeps working.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from capdecl.client.responses import BodyError
from capdecl.errors import TransportError
from capdecl.state import (
    LiveCapture,
    LiveConfiguration,
    LiveMetadataField,
    LiveProject,
    LiveRelationship,
)

T = TypeVar("T")


def checked(method: str, path: str, build: Callable[[], T]) -> T:
    """Run a parser; a body that is not what the API documents becomes a TransportError
    naming the request."""
    try:
        return build()
    except BodyError as error:
        raise TransportError(f"{method} /{path}: unexpected answer: {error}") from None


def items(body: Any) -> list[Any]:
    """A list answer: a bare array, or a single unpaginated page ``{"results": [...]}``."""
    if isinstance(body, list):
        return body
    if isinstance(body, Mapping) and isinstance(body.get("results"), list):
        if body.get("next"):
            raise BodyError("the answer is paginated, but capdecl asked for a plain list")
        return list(body["results"])
    raise BodyError(f"expected a JSON array, got {_kind(body)}")


def each(body: Any, parse: Callable[[Mapping[str, Any]], T]) -> list[T]:
    """Parse every element of a list answer, naming the element on failure."""
    parsed: list[T] = []
    for index, element in enumerate(items(body)):
        try:
            parsed.append(parse(obj(element)))
        except BodyError as error:
            raise BodyError(f"element {index}: {error}") from None
    return parsed


def obj(value: Any) -> Mapping[str, Any]:
    if type(value) is dict:  # what json.loads gives: skip the slower ABC check
        return value
    if not isinstance(value, Mapping):
        raise BodyError(f"expected a JSON object, got {_kind(value)}")
    return value


def text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise BodyError(_wrong(data, key, "a string"))
    return value


def opt_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise BodyError(_wrong(data, key, "a string or null"))
    return value


def integer(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BodyError(_wrong(data, key, "an integer"))
    return value


def opt_integer(data: Mapping[str, Any], key: str) -> int | None:
    return None if data.get(key) is None else integer(data, key)


def opt_number(data: Mapping[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BodyError(_wrong(data, key, "a number or null"))
    return float(value)


def flag(data: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise BodyError(_wrong(data, key, "true or false"))
    return value


def project(data: Mapping[str, Any]) -> LiveProject:
    settings = data.get("settings")
    if settings is not None and not isinstance(settings, Mapping):
        raise BodyError(_wrong(data, "settings", "an object or null"))
    return LiveProject(uuid=text(data, "uuid"), name=text(data, "name"), settings=settings)


def configuration(data: Mapping[str, Any]) -> LiveConfiguration:
    return LiveConfiguration(
        uuid=text(data, "uuid"),
        name=text(data, "name"),
        configuration=data.get("configuration"),
        last_modified=opt_text(data, "last_modified"),
    )


def capture(data: Mapping[str, Any], configuration_uuid: str | None = None) -> LiveCapture:
    """A capture; ``configuration_uuid`` fills in the link when the answer omits it (the
    POST and PATCH answers never carry ``capture_configuration_uuid``)."""
    fast = _plain_capture(data, configuration_uuid)
    if fast is not None:
        return fast
    if "capture_configuration_uuid" in data:
        configuration_uuid = opt_text(data, "capture_configuration_uuid")
    return LiveCapture(
        uuid=text(data, "uuid"),
        name=text(data, "name"),
        file_size=integer(data, "file_size"),
        number_samples=opt_integer(data, "number_samples"),
        max_sequence=opt_integer(data, "max_sequence"),
        set_sample_rate=opt_integer(data, "set_sample_rate"),
        calculated_sample_rate=opt_number(data, "calculated_sample_rate"),
        configuration_uuid=configuration_uuid,
        version=opt_integer(data, "version") or 0,
        last_modified=opt_text(data, "last_modified"),
    )


def _plain_capture(data: Mapping[str, Any], configuration_uuid: str | None) -> LiveCapture | None:
    """:func:`capture` for the common case, in one pass (a listing has thousands): every
    field has exactly its JSON type. None sends the caller down the checked path, which
    gives the same value or names the bad field."""
    get = data.get
    uuid, name, size = get("uuid"), get("name"), get("file_size")
    samples, sequence, rate = get("number_samples"), get("max_sequence"), get("set_sample_rate")
    version, modified = get("version"), get("last_modified")
    calculated = get("calculated_sample_rate")
    if "capture_configuration_uuid" in data:
        configuration_uuid = get("capture_configuration_uuid")
    if type(uuid) is not str or type(name) is not str or type(size) is not int:
        return None
    for value in (samples, sequence, rate, version):
        if value is not None and type(value) is not int:
            return None
    for value in (modified, configuration_uuid):
        if value is not None and type(value) is not str:
            return None
    if calculated is not None:
        if type(calculated) is not float and type(calculated) is not int:
            return None
        calculated = float(calculated)
    return LiveCapture(
        uuid, name, size, samples, sequence, rate, calculated, configuration_uuid,
        version or 0, modified,
    )  # fmt: skip


def metadata_field(data: Mapping[str, Any]) -> LiveMetadataField:
    values: dict[str, str] = {}
    raw_values = data.get("label_values") or []
    if not isinstance(raw_values, list):
        raise BodyError(_wrong(data, "label_values", "an array"))
    for index, raw in enumerate(raw_values):
        try:
            value = obj(raw)
            values[text(value, "value")] = text(value, "uuid")
        except BodyError as error:
            raise BodyError(f"label_values[{index}]: {error}") from None
    return LiveMetadataField(
        uuid=text(data, "uuid"),
        name=text(data, "name"),
        type=opt_text(data, "type") or "string",
        is_dropdown=flag(data, "is_dropdown"),
        values=values,
    )


def label_value_uuid(data: Mapping[str, Any]) -> tuple[str, str]:
    """(value, uuid) of a label value."""
    return text(data, "value"), text(data, "uuid")


def relationship(data: Mapping[str, Any]) -> LiveRelationship:
    get = data.get
    uuid, capture, label, value = get("uuid"), get("capture"), get("label"), get("label_value")
    if type(uuid) is str and type(capture) is str and type(label) is str and type(value) is str:
        return LiveRelationship(uuid, capture, label, value)  # the common case, fast
    return LiveRelationship(
        uuid=text(data, "uuid"),
        capture=text(data, "capture"),
        label=text(data, "label"),
        label_value=text(data, "label_value"),
    )


def segment_capture(data: Mapping[str, Any]) -> str:
    """The capture uuid of a label relationship (segment)."""
    return text(data, "capture")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _wrong(data: Mapping[str, Any], key: str, expected: str) -> str:
    if key not in data:
        return f"field {key!r} is missing"
    return f"field {key!r} should be {expected}, got {_kind(data[key])}"
