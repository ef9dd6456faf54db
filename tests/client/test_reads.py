"""Reads: find_project, read_state (fixed request count), list_captures, download."""

from __future__ import annotations

import uuid
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from capdecl.client.http import SensiMLClient
from capdecl.sandbox.run import SandboxHandle
from capdecl.state import LedgerEntry, LiveProject, LiveState
from tests.client.conftest import api_requests, write_csv

CONFIG = {"version": 3, "name": "SensorTile", "capture_sources": []}


def test_missing_project_is_one_request(client: SensiMLClient, sandbox: SandboxHandle) -> None:
    client.find_project("warm up the token")
    sandbox.reset_stats()
    assert client.read_state("no such project") == LiveState(project=None)
    assert api_requests(sandbox.stats()) == {"GET /project/": 1}


def test_find_project_is_exact_and_case_sensitive(client: SensiMLClient) -> None:
    made = client.create_project("Gestures")
    client.create_project("gestures")
    found = client.find_project("Gestures")
    assert found is not None and found.uuid == made.uuid and found.name == "Gestures"
    assert client.find_project("GESTURES") is None


def test_read_state_reads_everything(
    client: SensiMLClient, project: LiveProject, tmp_path: Path
) -> None:
    p = project.uuid
    config = client.create_configuration(p, "tile", CONFIG, str(uuid.uuid4()))
    first = client.upload_capture(
        p, "a.csv", write_csv(tmp_path / "a.csv"), configuration_uuid=config.uuid
    )
    second = client.upload_capture(p, "b.csv", write_csv(tmp_path / "b.csv", rows=5))
    subject = client.create_metadata_field(p, "Subject", "string", ["alice", "bob"])
    (rel,) = client.create_relationships(p, [(first.uuid, subject.uuid, subject.values["bob"])])
    entry = LedgerEntry("ab" * 32, first.file_size)
    client.update_ledger(p, {first.uuid: entry}, add_pending={"b.csv": entry})
    _add_segments(client, p, first.uuid, count=2)

    state = client.read_state(project.name)

    assert state.project is not None and state.project.uuid == p
    assert [(c.name, c.uuid) for c in state.configurations] == [("tile", config.uuid)]
    assert state.configurations[0].configuration == CONFIG
    assert [(c.name, c.file_size, c.number_samples) for c in state.captures] == [
        ("a.csv", first.file_size, 3),
        ("b.csv", second.file_size, 5),
    ]
    assert state.captures[0].configuration_uuid == config.uuid
    assert state.captures[1].configuration_uuid is None
    assert [(f.name, dict(f.values)) for f in state.metadata] == [("Subject", dict(subject.values))]
    assert state.relationships == (rel,)
    assert state.segments == {first.uuid: 2}
    assert state.ledger == {first.uuid: entry}
    assert state.pending == {"b.csv": entry}


def _add_segments(client: SensiMLClient, p: str, capture: str, count: int) -> None:
    """Label segments through the raw API (the client does not write labels)."""
    t = client.transport
    label = t.decode(
        t.call(
            "POST",
            f"project/{p}/label/",
            json={"name": "Gesture", "type": "string", "metadata": False, "values": ["wave"]},
            ok=(201,),
        ),
        "POST",
        "label",
    )
    segmenter = t.decode(
        t.call(
            "POST", f"project/{p}/segmenter/", json={"name": "manual", "custom": True}, ok=(201,)
        ),
        "POST",
        "segmenter",
    )
    value = label["label_values"][0]["uuid"]
    items = [
        {
            "label": label["uuid"],
            "label_value": value,
            "segmenter": segmenter["id"],
            "capture_sample_sequence_start": i,
            "capture_sample_sequence_end": i + 1,
        }
        for i in range(count)
    ]
    t.call("POST", f"project/{p}/capture/{capture}/label-relationship/", json=items, ok=(201,))


def test_refresh_costs_the_same_requests_for_2_and_2000_captures(
    client: SensiMLClient, sandbox: SandboxHandle, tmp_path: Path
) -> None:
    small = client.create_project("small")
    big = client.create_project("big")
    tiny = write_csv(tmp_path / "tiny.csv", rows=1)
    for i in range(2):
        client.upload_capture(small.uuid, f"s{i}.csv", tiny)
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: client.upload_capture(big.uuid, f"c{i:04}.csv", tiny), range(2000)))

    sandbox.reset_stats()
    small_state = client.read_state("small")
    small_requests = api_requests(sandbox.stats())
    sandbox.reset_stats()
    big_state = client.read_state("big")
    big_requests = api_requests(sandbox.stats())

    assert len(small_state.captures) == 2 and len(big_state.captures) == 2000
    assert big_requests == small_requests
    assert sum(big_requests.values()) == 6


def test_list_captures_and_download(
    client: SensiMLClient, project: LiveProject, tmp_path: Path
) -> None:
    p = project.uuid
    with_sequence = write_csv(tmp_path / "seq.csv", rows=4, sequence=True)
    without = write_csv(tmp_path / "plain.csv", rows=4)
    sound = _write_wav(tmp_path / "tone.wav", frames=50)
    uploaded = {
        c.name: c
        for c in (
            client.upload_capture(p, "seq.csv", with_sequence),
            client.upload_capture(p, "plain.csv", without),
            client.upload_capture(p, "tone.wav", sound),
        )
    }
    listed = client.list_captures(p)
    assert sorted(c.name for c in listed) == ["plain.csv", "seq.csv", "tone.wav"]
    assert {c.uuid for c in listed} == {c.uuid for c in uploaded.values()}
    assert uploaded["tone.wav"].number_samples == 50

    out = tmp_path / "out"
    count = client.download_capture(p, uploaded["seq.csv"].uuid, out / "seq.csv")
    assert (out / "seq.csv").read_bytes() == with_sequence.read_bytes()
    assert count == with_sequence.stat().st_size
    client.download_capture(p, uploaded["tone.wav"].uuid, out / "tone.wav")
    assert (out / "tone.wav").read_bytes() == sound.read_bytes()
    client.download_capture(p, uploaded["plain.csv"].uuid, out / "plain.csv")
    rewritten = (out / "plain.csv").read_text().splitlines()
    assert rewritten[0] == "sequence,AccX,AccY" and len(rewritten) == 5
    assert uploaded["plain.csv"].file_size == without.stat().st_size  # original size kept
    assert sorted(p.name for p in out.iterdir()) == ["plain.csv", "seq.csv", "tone.wav"]


def _write_wav(path: Path, frames: int) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(bytes(2 * frames))
    return path
