"""Normalisation: bring both snapshots to the form the server would store and report.

The planner never compares raw inputs. Before diffing, both sides go through this module:

* configuration JSON on the desired side gets the server's own v1 -> v2 rewrite
  (:func:`normalize_configuration`), so a v1 body the server stored as v2 is no change;
* names and metadata values are whitespace-trimmed, as the server trims them;
* every collection is sorted by name (then uuid), so the plan does not depend on the order
  manifests were written or the server listed its objects.

Pure functions on frozen values; nothing here reads files or the network.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from capdecl.state import (
    DesiredCapture,
    DesiredConfiguration,
    DesiredState,
    LiveCapture,
    LiveConfiguration,
    LiveMetadataField,
    LiveState,
)

CURRENT_CONFIG_VERSION = 2


def normalize_configuration(config: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``config`` as the server stores it: a deep copy with the v1 -> v2 rewrite.

    The server rewrites a configuration whose ``version`` is missing or equal to 1: it sets
    ``num_bytes: 1`` on every ``capture_sources[].sensors[].parameters[]`` (overwriting any
    value) and then ``version: 2``. Anything else is stored verbatim. Shapes the rewrite
    cannot walk (a missing or non-list ``capture_sources``, a sensor that is not an object,
    ...) are left as they are instead of failing, and ``version`` still becomes 2, so a
    client that sends the result has it stored exactly as sent.
    """
    result: dict[str, Any] = plain_json(dict(config))
    if result.get("version", 1) != 1:  # the server's own test; 1.0 and True count as 1
        return result
    for parameter in _parameters(result):
        parameter["num_bytes"] = 1
    result["version"] = CURRENT_CONFIG_VERSION
    return result


def _parameters(config: dict[str, Any]) -> list[dict[str, Any]]:
    """Every parameter object reachable by the server's rewrite, skipping odd shapes."""
    found: list[dict[str, Any]] = []
    for source in _dicts(config.get("capture_sources")):
        for sensor in _dicts(source.get("sensors")):
            found.extend(_dicts(sensor.get("parameters")))
    return found


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def plain_json(value: Any) -> Any:
    """A deep copy of a JSON-like value using only dict, list and scalars."""
    if isinstance(value, Mapping):
        return {str(key): plain_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_json(item) for item in value]
    return value


def short_hash(value: Any) -> str:
    """First 16 hex digits of the SHA-256 of ``value``'s canonical JSON (a version token)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- snapshots


def normalize_desired(desired: DesiredState) -> DesiredState:
    """Trimmed names and values, normalised configurations, every collection sorted."""
    fields = tuple(
        sorted(
            (
                dataclasses.replace(f, name=f.name.strip(), values=_stripped_values(f.values))
                for f in desired.metadata
            ),
            key=lambda f: f.name,
        )
    )
    configurations = tuple(
        sorted((_desired_configuration(c) for c in desired.configurations), key=lambda c: c.name)
    )
    captures = tuple(sorted((_desired_capture(c) for c in desired.captures), key=lambda c: c.name))
    return dataclasses.replace(
        desired, metadata=fields, configurations=configurations, captures=captures
    )


def _stripped_values(values: tuple[str, ...] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(sorted({str(v).strip() for v in values}))


def _desired_configuration(config: DesiredConfiguration) -> DesiredConfiguration:
    return dataclasses.replace(
        config,
        name=config.name.strip(),
        uuid=config.uuid.strip().lower() if config.uuid else None,
        configuration=normalize_configuration(config.configuration),
    )


def _desired_capture(capture: DesiredCapture) -> DesiredCapture:
    metadata = _normal_metadata(capture.metadata)
    configuration = capture.configuration.strip() if capture.configuration else None
    name = capture.name.strip()
    same = name == capture.name and configuration == capture.configuration
    if same and metadata is capture.metadata:
        return capture  # already normal (the manifest loader's output): no copy
    return dataclasses.replace(capture, name=name, configuration=configuration, metadata=metadata)


def _normal_metadata(metadata: Mapping[str, str]) -> Mapping[str, str]:
    """Keys and values as trimmed text, in key order; ``metadata`` itself when it
    already is (a plain dict), which is the common case and saves a copy per capture."""
    if type(metadata) is dict:
        previous = ""
        for key, value in metadata.items():
            if type(key) is not str or type(value) is not str or (previous and key <= previous):
                break
            if key != key.strip() or value != value.strip():
                break
            previous = key
        else:
            return metadata
    return {
        str(k).strip(): str(v).strip()
        for k, v in sorted(metadata.items(), key=lambda kv: str(kv[0]).strip())
    }


def normalize_live(live: LiveState) -> LiveState:
    """Trimmed names and every collection sorted by name, then uuid; relationships stay
    as read (``LiveIndex.build`` does not depend on their order)."""
    metadata = tuple(
        sorted(
            (dataclasses.replace(m, name=m.name.strip()) for m in live.metadata),
            key=_by_name_uuid,
        )
    )
    configurations = tuple(
        sorted(
            (dataclasses.replace(c, name=c.name.strip()) for c in live.configurations),
            key=_by_name_uuid,
        )
    )
    captures = tuple(sorted((_trimmed(c) for c in live.captures), key=_by_name_uuid))
    return dataclasses.replace(
        live,
        metadata=metadata,
        configurations=configurations,
        captures=captures,
    )


def _trimmed(capture: LiveCapture) -> LiveCapture:
    """The capture with its name trimmed (the same object when it already is)."""
    name = capture.name.strip()
    return capture if name == capture.name else dataclasses.replace(capture, name=name)


def _by_name_uuid(item: LiveMetadataField | LiveConfiguration | LiveCapture) -> tuple[str, str]:
    return (item.name, item.uuid)
