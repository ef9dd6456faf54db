"""A workspace for apply tests: manifests on disk, the real client, the sandbox over HTTP.

Every test gets a fresh sandbox (the shared ``sandbox`` fixture) and a client whose
retries never sleep. ``Workspace.plan()`` runs the real pipeline: manifest loader, hash
cache, ``read_state``, planner.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from capdecl.apply import ApplyOptions, ApplyResult, HumanReporter, Reporter, apply_plan
from capdecl.client.auth import Authenticator, Credentials
from capdecl.client.http import SensiMLClient
from capdecl.client.retry import RetryPolicy
from capdecl.hashing import digest_files
from capdecl.manifest import load_project
from capdecl.planner import build_plan
from capdecl.planner.model import Plan
from capdecl.sandbox import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    SDK_CLIENT_ID,
    SDK_CLIENT_SECRET,
    SandboxHandle,
)
from capdecl.state import DesiredState, LiveState

PROJECT = "apply-e2e"
FIXED_NOW = datetime(2024, 5, 17, 8, 30, 0, tzinfo=timezone.utc)
WRITES = ("POST", "PUT", "PATCH", "DELETE")

CONFIG = {
    "version": 3,
    "name": "IMU 100 Hz",
    "is_little_endian": True,
    "capture_sources": [
        {
            "name": "Motion",
            "part": "Default",
            "sample_rate": 100,
            "sensors": [
                {
                    "type": "Accelerometer",
                    "sensor_id": 1,
                    "column_count": 2,
                    "column_names": ["AccX", "AccY"],
                    "parameters": [],
                }
            ],
        }
    ],
}

MANIFEST = """\
project: apply-e2e
settings:
  prune: all
  allow_replace: true
metadata:
  Subject: {values: [alice, bob]}
  Split: {values: [train, test]}
configurations:
  imu:
    file: imu.json
captures:
  - file: data/a.csv
    configuration: imu
    sample_rate: 100
    metadata: {Subject: alice, Split: train}
  - file: data/b.csv
    configuration: imu
    sample_rate: 100
    metadata: {Subject: bob, Split: test}
  - file: data/c.csv
    metadata: {Subject: alice}
"""


def csv_text(rows: int, seed: int = 0, *, sequence: bool = False) -> str:
    """A small numeric CSV; with a ``sequence`` column the server stores it verbatim."""
    header = "sequence,AccX,AccY\n" if sequence else "AccX,AccY\n"
    lines = [
        (f"{i}," if sequence else "") + f"{(i * 7 + seed) % 100},{(i * 3 + seed) % 50}\n"
        for i in range(rows)
    ]
    return header + "".join(lines)


def writes(stats: dict[str, int]) -> dict[str, int]:
    """Write requests by route (token requests excluded)."""
    return {
        key: n
        for key, n in stats.items()
        if key.split(" ", 1)[0] in WRITES and "/oauth/" not in key
    }


@dataclass
class Workspace:
    root: Path
    client: SensiMLClient
    sandbox: SandboxHandle
    output: io.StringIO = field(default_factory=io.StringIO)

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="ascii")
        return path

    def standard(self) -> None:
        """The project of MANIFEST: two configured captures, one bare, a configuration."""
        self.write("capdecl.yaml", MANIFEST)
        self.write("imu.json", json.dumps(CONFIG))
        self.write("data/a.csv", csv_text(20, 1, sequence=True))
        self.write("data/b.csv", csv_text(30, 2))
        self.write("data/c.csv", csv_text(10, 3))

    def desired(self) -> DesiredState:
        return load_project(self.root).desired

    def live(self) -> LiveState:
        return self.client.read_state(PROJECT)

    def plan(self, desired: DesiredState | None = None) -> tuple[Plan, DesiredState, LiveState]:
        desired = desired or self.desired()
        paths = [c.path for c in desired.captures]
        digests = digest_files(paths, self.root / ".capdecl")
        live = self.live()
        return build_plan(desired, digests, live), desired, live

    def apply(
        self,
        desired: DesiredState | None = None,
        *,
        writer: Any = None,
        reporter: Reporter | None = None,
        **options: Any,
    ) -> ApplyResult:
        """Plan and apply (default options: two threads, the fixed clock); the human
        output of this apply is in ``self.output``."""
        plan, desired, live = self.plan(desired)
        self.output = io.StringIO()
        settings = {"parallelism": 2, "now": lambda: FIXED_NOW, **options}
        return apply_plan(
            plan,
            desired,
            live,
            writer or self.client,
            ApplyOptions(**settings),
            reporter or HumanReporter(self.output, tty=False),
        )

    def remaining(self, desired: DesiredState | None = None) -> list[str]:
        """The next plan, as ``"<action> <address>"`` lines."""
        plan, _, _ = self.plan(desired)
        return [f"{c.action.value} {c.address}" for c in plan.changes]


@pytest.fixture
def client(sandbox: SandboxHandle) -> Iterator[SensiMLClient]:
    credentials = Credentials(
        username=DEFAULT_USERNAME,
        password=DEFAULT_PASSWORD,
        client_id=SDK_CLIENT_ID,
        client_secret=SDK_CLIENT_SECRET,
        source="test",
    )
    retry = RetryPolicy(max_attempts=6, sleep=lambda _seconds: None, rng=random.Random(0))
    with SensiMLClient(sandbox.url, Authenticator(credentials), retry=retry) as made:
        yield made


@pytest.fixture
def ws(tmp_path: Path, client: SensiMLClient, sandbox: SandboxHandle) -> Workspace:
    return Workspace(tmp_path / "manifests", client, sandbox)
