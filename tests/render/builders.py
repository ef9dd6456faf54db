"""Builders for the hand-made plans of the golden cases: capture objects shaped like the
planner's, and a capture-configuration JSON as Data Capture Lab writes it."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from capdecl.planner.model import Action, Change, Kind

PROJECT = "gestures"


def sha(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def capture_after(
    name: str,
    *,
    size: int = 48_213,
    samples: int | None = 1_000,
    rate: int | None = 100,
    configuration: str | None = "Motion 100Hz",
    metadata: Mapping[str, str] | None = None,
    seed: str = "",
) -> dict[str, Any]:
    subject = name.split("_", 1)[0]
    return {
        "name": name,
        "path": f"data/{subject}/{name}",
        "sha256": sha(seed or name),
        "size": size,
        "samples": samples,
        "configuration": configuration,
        "sample_rate": rate,
        "metadata": dict(metadata if metadata is not None else {"Subject": subject}),
    }


def capture_before(name: str, *, verified: bool = True, **kwargs: Any) -> dict[str, Any]:
    after = capture_after(name, **kwargs)
    del after["path"]
    if not verified:
        after["sha256"] = None
    return after


def motion_config(*, rate: int = 100, sensor_range: int = 4, gyro: bool = True) -> dict[str, Any]:
    """A capture configuration JSON as Data Capture Lab writes it (version 3)."""
    sensors: list[dict[str, Any]] = [
        {
            "type": "Accelerometer",
            "column_count": 3,
            "column_names": ["AccelerometerX", "AccelerometerY", "AccelerometerZ"],
            "parameters": [{"name": "Sensor Range", "num_bytes": 1, "value": sensor_range}],
        }
    ]
    if gyro:
        sensors.append(
            {
                "type": "Gyroscope",
                "column_count": 3,
                "column_names": ["GyroscopeX", "GyroscopeY", "GyroscopeZ"],
                "parameters": [{"name": "Sensor Range", "num_bytes": 1, "value": 2}],
            }
        )
    return {
        "version": 3,
        "name": "Nano33 BLE Sense",
        "is_little_endian": True,
        "capture_sources": [
            {"name": "Motion (BMI160)", "part": "BMI160", "sample_rate": rate, "sensors": sensors}
        ],
    }


def create(kind: Kind, name: str, after: Mapping[str, Any], **kw: Any) -> Change:
    return Change(kind=kind, action=Action.CREATE, name=name, after=after, **kw)


def wave(subject: str, take: int) -> str:
    return f"{subject}_wave_{take}.csv"
