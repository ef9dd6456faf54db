"""Quarantine copies of captures before apply deletes or replaces them.

Each apply that destroys data writes into one folder ``<backup_dir>/<UTC timestamp>/``:
the capture's stored bytes under its name, and ``<name>.metadata.json`` with what the
file cannot hold (metadata values, configuration, sample rate, segment count, ledger
entry), so a capture deleted by mistake can be restored by hand.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from capdecl.apply.counting import CountingWriter
from capdecl.planner.index import RELATIONSHIP_ORDER
from capdecl.state import LiveState

_UNSAFE = str.maketrans({"/": "_", "\\": "_", "\0": "_", ":": "_"})


def backup_folder(backup_dir: Path, now: datetime) -> Path:
    return backup_dir / now.strftime("%Y%m%dT%H%M%SZ")


class Backups:
    """Downloads captures into one timestamped folder (thread-safe)."""

    def __init__(self, writer: CountingWriter, live: LiveState, folder: Path) -> None:
        self.folder = folder
        self._writer = writer
        self._live = live
        self._lock = threading.Lock()
        self._taken: set[str] = set()

    def save(self, project_uuid: str, capture_uuid: str) -> Path:
        """Download one capture and write its metadata file; returns the data path."""
        capture = next((c for c in self._live.captures if c.uuid == capture_uuid), None)
        name = capture.name if capture else capture_uuid
        dest = self._reserve(name, capture_uuid)
        self._writer.download_capture(project_uuid, capture_uuid, dest)
        meta = dest.with_name(dest.name + ".metadata.json")
        body = self._describe(capture_uuid)
        meta.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return dest

    def _reserve(self, name: str, uuid: str) -> Path:
        """A file name in the folder for this capture, never reused within the apply."""
        safe = name.translate(_UNSAFE).strip() or "_"
        if safe in (".", ".."):
            safe = f"_{safe}"
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            candidate = safe
            if candidate in self._taken or (self.folder / candidate).exists():
                candidate = f"{safe}~{uuid[:8]}"
            self._taken.add(candidate)
        return self.folder / candidate

    def _describe(self, capture_uuid: str) -> dict[str, Any]:
        live = self._live
        capture = next((c for c in live.captures if c.uuid == capture_uuid), None)
        config = next(
            (
                c.name
                for c in live.configurations
                if capture and c.uuid == capture.configuration_uuid
            ),
            None,
        )
        entry = live.ledger.get(capture_uuid)
        return {
            "uuid": capture_uuid,
            "name": capture.name if capture else None,
            "file_size": capture.file_size if capture else None,
            "number_samples": capture.number_samples if capture else None,
            "set_sample_rate": capture.set_sample_rate if capture else None,
            "configuration": config,
            "metadata": capture_metadata(live, capture_uuid),
            "segments": live.segments.get(capture_uuid, 0),
            "ledger": {"sha256": entry.sha256, "size": entry.size} if entry else None,
        }


def capture_metadata(live: LiveState, capture_uuid: str) -> dict[str, str]:
    """The metadata values of one live capture, by metadata name."""
    names = {f.uuid: f.name for f in live.metadata}
    values = {v_uuid: value for f in live.metadata for value, v_uuid in f.values.items()}
    mine = sorted(
        (r for r in live.relationships if r.capture == capture_uuid), key=RELATIONSHIP_ORDER
    )
    return {names.get(r.label, r.label): values.get(r.label_value, r.label_value) for r in mine}
