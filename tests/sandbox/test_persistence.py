"""State survives restarts; listing and uploading work at realistic sizes (their speed is
measured by ``make bench``, not here)."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from capdecl.sandbox import FaultConfig, SandboxHandle, running_sandbox
from tests.conftest import fetch_token
from tests.sandbox.helpers import Api, value_uuid

READS = [
    "project/", "project/{p}/", "project/{p}/captureconfiguration/", "project/{p}/capture/",
    "project/{p}/metadata/", "project/{p}/metadata-relationship/", "project/{p}/dcli/",
]  # fmt: skip


def test_everything_survives_a_restart(tmp_path: Path) -> None:
    with running_sandbox(tmp_path, faults=FaultConfig()) as sandbox:
        token = fetch_token(sandbox.url)
        api = Api(sandbox, token)
        try:
            p = api.project()
            cfg = api.configuration(p)["uuid"]
            c = api.capture(p, "a.csv", b"x,y\n1,2.50\n", capture_configuration_uuid=cfg)["uuid"]
            m = api.metadata(p)
            link = {"capture": c, "label": m["uuid"], "label_value": value_uuid(m, "John")}
            api.ok(api.post(f"project/{p}/metadata-relationship/", json=[link]), 201)
            before = [api.get(path.format(p=p)).json() for path in READS]
            stored = api.get(f"project/{p}/capture/{c}/file/").content
        finally:
            api.close()
    with running_sandbox(tmp_path, faults=FaultConfig()) as sandbox:
        api = Api(sandbox, token)
        try:
            after = [api.get(path.format(p=p)).json() for path in READS]
            assert api.get(f"project/{p}/capture/{c}/file/").content == stored
        finally:
            api.close()
    assert [_without_urls(x) for x in before] == [_without_urls(x) for x in after]
    assert stored == b"sequence,x,y\n0,1,2.5\n"


def _without_urls(value: object) -> object:
    """Drop the absolute URLs (the port changes between runs)."""
    if isinstance(value, dict):
        return {
            k: _without_urls(v)
            for k, v in value.items()
            if k not in ("url", "labels", "captures", "segmenters")
        }
    if isinstance(value, list):
        return [_without_urls(v) for v in value]
    return value


def test_ten_thousand_captures_are_listed_in_one_answer(api: Api, sandbox: SandboxHandle) -> None:
    p = api.project()
    api.capture(p)
    with sqlite3.connect(sandbox.directory / "sandbox.sqlite3") as db:
        project_id = db.execute("SELECT id FROM projects WHERE uuid = ?", (p,)).fetchone()[0]
        stamp = "2024-06-19T17:21:28.123456Z"
        db.executemany(
            "INSERT INTO captures (project_id, uuid, name, file_key, format, file_size, "
            "number_samples, max_sequence, version, created_at, last_modified) "
            "VALUES (?, ?, ?, NULL, '.csv', 10, 2, 1, 0, ?, ?)",
            [(project_id, str(uuid.uuid4()), f"bulk{i:05}.csv", stamp, stamp) for i in range(9999)],
        )
    listed = api.ok(api.get(f"project/{p}/capture/"))
    assert len(listed) == 10000 and len({c["name"] for c in listed}) == 10000


def test_a_thousand_uploads_in_a_row_all_land(api: Api) -> None:
    p = api.project()
    content = b"AccX,AccY\n1,2\n3,4\n"
    statuses = {api.upload(p, f"c{i:04}.csv", content).status_code for i in range(1000)}
    assert statuses == {201}
    listed = api.ok(api.get(f"project/{p}/capture/"))
    assert sorted(c["name"] for c in listed) == [f"c{i:04}.csv" for i in range(1000)]
