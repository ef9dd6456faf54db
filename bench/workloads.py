"""Deterministic benchmark workloads: manifest directories with their data files.

    python bench/workloads.py [--out bench/.work]

- W1 (:func:`make_w1`): 10,000 CSV captures of 2-20 KB (about 100 MB), 4 metadata names,
  2 capture configurations, declared by two ``glob`` + ``pattern`` groups.
- W2 (:func:`make_w2`): 1,000 CSV captures of about 10 KB, each with 4 metadata values,
  declared one group (the files also serve the SDK script, which uploads ``data/*.csv``).
- W3 (:func:`make_w3`): ``n`` tiny CSV files (100,000 for the target, 10,000 for the
  scaling baseline) declared by one glob + pattern group.

Every byte is a function of the parameters (no ``random``, no clock), and every file is
distinct (its first data row holds its index), so content identities never collide. A
directory is regenerated only when its stamp (the parameters) differs, so a second
``make bench`` reuses the files: the stat-keyed hash cache sees the same inodes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

GENERATOR_VERSION = 1
STAMP = ".workload.json"
COLUMNS = ("AccX", "AccY", "AccZ", "GyrX", "GyrY", "GyrZ")
HEADER = ",".join(COLUMNS) + "\n"
GESTURES = ("wave", "circle", "tap", "swipe", "idle")
SESSIONS = ("am", "pm")


@dataclass(frozen=True)
class Workload:
    """What was generated: its directory, project name, file count and bytes."""

    name: str
    directory: Path
    project: str
    files: int
    total_bytes: int

    @property
    def data(self) -> Path:
        return self.directory / "data"


def configuration(name: str, rate: int) -> dict[str, object]:
    """A Data Studio style capture configuration JSON for the six CSV columns."""
    return {
        "version": 3,
        "name": name,
        "is_little_endian": True,
        "capture_sources": [
            {
                "name": "Motion",
                "part": "BMI160",
                "sample_rate": rate,
                "sensors": [
                    {
                        "type": "Accelerometer",
                        "sensor_id": 1,
                        "column_count": 3,
                        "column_names": list(COLUMNS[:3]),
                        "parameters": [],
                    },
                    {
                        "type": "Gyroscope",
                        "sensor_id": 2,
                        "column_count": 3,
                        "column_names": list(COLUMNS[3:]),
                        "parameters": [],
                    },
                ],
            }
        ],
    }


class RowSource:
    """A long deterministic text of CSV rows; files are slices of it (fast to write)."""

    def __init__(self, rows: int = 4096) -> None:
        state = 12345
        lines = []
        for _ in range(rows):
            values = []
            for _ in COLUMNS:
                state = (1664525 * state + 1013904223) & 0xFFFFFFFF
                values.append(str((state >> 8) % 8192 - 4096))
            lines.append(",".join(values) + "\n")
        self.lines = lines

    def csv(self, index: int, size: int) -> bytes:
        """A CSV of about ``size`` bytes whose first row is unique to ``index``."""
        parts = [HEADER, f"{index},{index % 7},{index % 11},0,0,0\n"]
        total = len(parts[0]) + len(parts[1])
        start = (index * 7919) % len(self.lines)
        line = start
        while total < size:
            text = self.lines[line % len(self.lines)]
            parts.append(text)
            total += len(text)
            line += 1
        return "".join(parts).encode("ascii")


def _size(index: int, low: int, high: int) -> int:
    """A size in [low, high) spread evenly and deterministically over the indexes."""
    return low + (index * 2654435761) % (high - low)


def _prepare(directory: Path) -> None:
    """Empty ``directory`` for a new generation."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)


def _finish(directory: Path, params: dict[str, object], workload: Workload) -> Workload:
    info = asdict(workload) | {"directory": str(workload.directory)}
    stamp = {"generator": GENERATOR_VERSION, **params, "workload": info}
    (directory / STAMP).write_text(json.dumps(stamp, sort_keys=True))
    return workload


def _stamped(directory: Path, params: dict[str, object]) -> Workload | None:
    """The workload already in ``directory`` when its stamp has these parameters."""
    stamp = directory / STAMP
    if not stamp.is_file():
        return None
    found = json.loads(stamp.read_text())
    info = found.pop("workload", None)
    if info is None or found != {"generator": GENERATOR_VERSION, **params}:
        return None
    return Workload(**(info | {"directory": Path(info["directory"])}))


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)


def _yaml(value: object) -> str:
    """JSON is YAML: manifests are written as JSON documents (no PyYAML needed)."""
    return json.dumps(value, indent=1) + "\n"


def make_w1(base: Path, subjects: int = 50, trials: int = 10) -> Workload:
    """W1: two configuration groups A and B of ``subjects x 5 gestures x 2 sessions x
    trials`` CSV files each (10,000 by default), 2-20 KB."""
    directory = base / "w1"
    params: dict[str, object] = {"w": 1, "subjects": subjects, "trials": trials}
    found = _stamped(directory, params)
    if found is not None:
        return found
    _prepare(directory)
    source, index, total = RowSource(), 0, 0
    for group in ("A", "B"):
        for subject in range(subjects):
            folder = directory / "data" / group / f"{group}{subject:03d}"
            folder.mkdir(parents=True)
            for gesture in GESTURES:
                for session in SESSIONS:
                    for trial in range(1, trials + 1):
                        data = source.csv(index, _size(index, 2048, 20480))
                        _write(folder / f"{gesture}_{session}_{trial:02d}.csv", data)
                        index, total = index + 1, total + len(data)
    _write_w1_manifests(directory)
    workload = Workload("W1", directory, "bench-w1", index, total)
    return _finish(directory, params, workload)


def _write_w1_manifests(directory: Path) -> None:
    project = {
        "project": "bench-w1",
        "settings": {"prune": "captures"},
        "metadata": {
            "Subject": {},
            "Gesture": {"values": list(GESTURES)},
            "Session": {"values": list(SESSIONS)},
            "Trial": {"type": "integer"},
        },
        "configurations": {
            "imu-a": {"configuration": configuration("IMU A", 100)},
            "imu-b": {"configuration": configuration("IMU B", 200)},
        },
    }
    captures = {
        "captures": [
            {
                "glob": f"data/{group}/**/*.csv",
                "pattern": f"data/{group}/{{Subject}}/{{Gesture}}_{{Session}}_{{Trial}}.csv",
                "name": "{Subject}_{Gesture}_{Session}_{Trial}.csv",
                "configuration": f"imu-{group.lower()}",
                "sample_rate": rate,
            }
            for group, rate in (("A", 100), ("B", 200))
        ]
    }
    (directory / "project.yaml").write_text(_yaml(project))
    (directory / "captures.yaml").write_text(_yaml(captures))


def make_w2(base: Path, count: int = 1000, project: str = "bench-w2") -> Workload:
    """W2: ``count`` CSV files of 9-11 KB in one folder, 4 metadata values each (from the
    file name), one configuration."""
    directory = base / f"w2-{count}"
    params: dict[str, object] = {"w": 2, "count": count, "project": project}
    found = _stamped(directory, params)
    if found is not None:
        return found
    _prepare(directory)
    (directory / "data").mkdir()
    source, total = RowSource(), 0
    for index in range(count):
        data = source.csv(1_000_000 + index, _size(index, 9216, 11264))
        _write(directory / "data" / w2_file_name(index), data)
        total += len(data)
    manifest = {
        "project": project,
        "metadata": {
            "Subject": {},
            "Gesture": {"values": list(GESTURES)},
            "Session": {"values": list(SESSIONS)},
            "Trial": {"type": "integer"},
        },
        "configurations": {"imu": {"configuration": configuration("IMU", 100)}},
        "captures": [
            {
                "pattern": "data/{Subject}_{Gesture}_{Session}_{Trial}.csv",
                "configuration": "imu",
                "sample_rate": 100,
            }
        ],
    }
    (directory / "capdecl.yaml").write_text(_yaml(manifest))
    return _finish(directory, params, Workload("W2", directory, project, count, total))


def w2_file_name(index: int) -> str:
    """``S<subject>_<gesture>_<session>_<trial>.csv``: the file name carries the four
    metadata values (the SDK script parses them back from it)."""
    subject, rest = divmod(index, len(GESTURES) * len(SESSIONS) * 10)
    gesture, rest = divmod(rest, len(SESSIONS) * 10)
    session, trial = divmod(rest, 10)
    return f"S{subject:03d}_{GESTURES[gesture]}_{SESSIONS[session]}_{trial + 1}.csv"


def make_w3(base: Path, count: int, per_folder: int = 100) -> Workload:
    """W3: ``count`` tiny CSV files (``per_folder`` per folder) matched by one group."""
    directory = base / f"w3-{count}"
    params: dict[str, object] = {"w": 3, "count": count, "per_folder": per_folder}
    found = _stamped(directory, params)
    if found is not None:
        return found
    _prepare(directory)
    total = 0
    for index in range(count):
        folder, item = divmod(index, per_folder)
        path = directory / "data" / f"d{folder:04d}" / f"f{item:03d}.csv"
        if item == 0:
            path.parent.mkdir(parents=True)
        data = f"{HEADER}{index},{folder},{item},0,0,0\n".encode("ascii")
        _write(path, data)
        total += len(data)
    manifest = {
        "project": f"bench-w3-{count}",
        "metadata": {"Folder": {}},
        "configurations": {"imu": {"configuration": configuration("IMU", 100)}},
        "captures": [
            {
                "glob": "data/**/*.csv",
                "pattern": "data/{Folder}/{item}.csv",
                "name": "{Folder}_{item}.csv",
                "configuration": "imu",
            }
        ],
    }
    (directory / "capdecl.yaml").write_text(_yaml(manifest))
    workload = Workload(f"W3-{count}", directory, f"bench-w3-{count}", count, total)
    return _finish(directory, params, workload)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / ".work")
    args = parser.parse_args()
    for workload in (
        make_w1(args.out),
        make_w2(args.out),
        make_w3(args.out, 10_000),
        make_w3(args.out, 100_000),
    ):
        print(f"{workload.name}: {workload.files} files, {workload.total_bytes:,} bytes")
    os.sync()


if __name__ == "__main__":
    main()
