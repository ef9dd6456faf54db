"""Hand-built live states for the offline export tests (no server involved)."""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from capdecl.export.exporter import write_manifests
from capdecl.export.layout import Entry
from capdecl.export.model import ProjectExport
from capdecl.state import (
    LiveCapture,
    LiveConfiguration,
    LiveMetadataField,
    LiveProject,
    LiveRelationship,
    LiveState,
)
from tests.sandbox.helpers import wav_bytes

CONFIG_BODY = {"version": 3, "capture_sources": [{"name": "Motion", "sample_rate": 100}]}


def _uuid(*parts: str) -> str:
    return str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, "/".join(parts)))


Spec = tuple[str, Mapping[str, str], str | None, int | None]  # name, metadata, config, rate


def live_state(captures: Sequence[Spec], configurations: Sequence[str] = ("imu",)) -> LiveState:
    """A project holding ``captures``; metadata names and values are taken from them."""
    configs = [
        LiveConfiguration(_uuid("config", name), name, CONFIG_BODY) for name in configurations
    ]
    config_uuid = {c.name: c.uuid for c in configs}
    values: dict[str, dict[str, str]] = {}
    for _, metadata, _, _ in captures:
        for key, value in metadata.items():
            values.setdefault(key, {})[value] = _uuid("value", key, value)
    fields = [
        LiveMetadataField(_uuid("field", key), key, "string", False, found)
        for key, found in values.items()
    ]
    field_uuid = {f.name: f.uuid for f in fields}
    live_captures, links = [], []
    for name, metadata, config, rate in captures:
        capture_uuid = _uuid("capture", name)
        live_captures.append(
            LiveCapture(
                uuid=capture_uuid,
                name=name,
                file_size=10,
                number_samples=1,
                set_sample_rate=rate,
                configuration_uuid=config_uuid[config] if config else None,
            )
        )
        links += [
            LiveRelationship(_uuid("link", name, k), capture_uuid, field_uuid[k], values[k][v])
            for k, v in metadata.items()
        ]
    return LiveState(
        project=LiveProject(_uuid("project"), "offline"),
        metadata=tuple(fields),
        configurations=tuple(configs),
        captures=tuple(live_captures),
        relationships=tuple(links),
    )


def write_export(root: Path, export: ProjectExport, layout: Sequence[Entry]) -> Path:
    """Write the manifests and a small CSV for every capture file."""
    root.mkdir(parents=True, exist_ok=True)
    write_manifests(root, export, tuple(layout))
    for capture in export.captures:
        path = root / capture.file
        path.parent.mkdir(parents=True, exist_ok=True)
        if capture.file.endswith(".wav"):
            path.write_bytes(wav_bytes(frames=10))
        else:
            path.write_text("sequence,AccX\n0,1\n")
    return root
