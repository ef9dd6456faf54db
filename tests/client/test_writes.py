"""Writes, one test per endpoint and per server quirk the client must handle."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from capdecl.client.checks import InvalidInputError
from capdecl.client.http import SensiMLClient
from capdecl.errors import ConfigError, NotFoundError, ServerValidationError
from capdecl.sandbox.run import SandboxHandle
from capdecl.state import LedgerEntry, LiveProject, LiveRelationship
from tests.client.conftest import api_requests, write_csv

CONFIG = {"version": 3, "name": "SensorTile", "capture_sources": [{"name": "Motion"}]}


def test_create_project_and_duplicate_name(client: SensiMLClient) -> None:
    made = client.create_project("  Walks  ")
    assert made.name == "Walks" and made.uuid
    with pytest.raises(ServerValidationError) as caught:
        client.create_project("Walks")
    assert "The fields team, name must make a unique set." in caught.value.server_message
    assert (caught.value.request.method, caught.value.request.path) == ("POST", "/project/")
    assert caught.value.request.status == 400


def test_update_ledger_keeps_other_settings_keys(
    client: SensiMLClient, project: LiveProject, sandbox: SandboxHandle
) -> None:
    path = f"project/{project.uuid}/"
    other = {"team_notes": {"owner": "qa"}, "capdecl": {"format": 1, "extra": True}}
    client.transport.call("PATCH", path, json={"settings": other})
    one, two = LedgerEntry("a" * 64, 10), LedgerEntry("b" * 64, 20)
    client.update_ledger(project.uuid, {"u1": one, "u2": two}, add_pending={"x.csv": one})
    sandbox.reset_stats()
    client.update_ledger(project.uuid, {}, remove=["u1"], remove_pending=["x.csv"])
    assert api_requests(sandbox.stats()) == {
        "GET /project/{p}/": 2,  # read, then verify after the PATCH
        "PATCH /project/{p}/": 1,
    }
    settings = client.get_project(project.uuid).settings
    assert settings is not None
    assert settings["team_notes"] == {"owner": "qa"}
    assert settings["capdecl"] == {"format": 1, "extra": True, "ledger": {"u2": f"{'b' * 64}:20"}}
    assert client.read_state(project.name).ledger == {"u2": two}


def test_metadata_field_and_value(client: SensiMLClient, project: LiveProject) -> None:
    p = project.uuid
    field = client.create_metadata_field(p, "Subject", "string", ["alice", "bob"])
    assert (field.name, field.type, field.is_dropdown) == ("Subject", "string", False)
    assert sorted(field.values) == ["alice", "bob"]
    value_uuid = client.create_metadata_value(p, field.uuid, "carol")
    (live,) = client.list_metadata(p)
    assert live.values["carol"] == value_uuid and len(live.values) == 3
    with pytest.raises(ServerValidationError, match="label, value must make a unique set"):
        client.create_metadata_value(p, field.uuid, "carol")


def test_metadata_type_update_sends_the_full_body(
    client: SensiMLClient, project: LiveProject, sandbox: SandboxHandle
) -> None:
    p = project.uuid
    field = client.create_metadata_field(p, "Trial", "string", ["1", "2"])
    sandbox.reset_stats()
    updated = client.update_metadata_field(
        p, field.uuid, name="Trial", type_="integer", is_dropdown=False
    )
    assert (updated.uuid, updated.type, sorted(updated.values)) == (
        field.uuid,
        "integer",
        ["1", "2"],
    )
    assert sandbox.stats() == {"PATCH /project/{p}/metadata/{uuid}/": 1}
    (live,) = client.list_metadata(p)
    assert live.type == "integer"


def test_configuration_create_with_client_uuid_and_patch(
    client: SensiMLClient, project: LiveProject, sandbox: SandboxHandle
) -> None:
    p, chosen = project.uuid, str(uuid.uuid4())
    made = client.create_configuration(p, "tile", CONFIG, chosen)
    assert made.uuid == chosen and made.configuration == CONFIG
    sandbox.reset_stats()
    changed = dict(CONFIG, name="SensorTile2")
    updated = client.update_configuration(p, chosen, name="tile v2", configuration=changed)
    assert (updated.name, updated.configuration) == ("tile v2", changed)
    assert api_requests(sandbox.stats()) == {"PATCH /project/{p}/captureconfiguration/{uuid}/": 1}
    assert client.get_configuration(p, chosen).name == "tile v2"


def test_configuration_version_below_2_is_refused_before_sending(
    client: SensiMLClient, project: LiveProject, sandbox: SandboxHandle
) -> None:
    sandbox.reset_stats()
    for bad in ({"capture_sources": []}, {"version": 1}, {"version": True}):
        with pytest.raises(InvalidInputError, match="'version' must be a number >= 2"):
            client.create_configuration(project.uuid, "old", bad, str(uuid.uuid4()))
    with pytest.raises(ValueError, match="not a UUID"):
        client.create_configuration(project.uuid, "x", CONFIG, "not-a-uuid")
    assert api_requests(sandbox.stats()) == {}


def test_delete_configuration_unlinks_captures(
    client: SensiMLClient, project: LiveProject, tmp_path: Path
) -> None:
    p, chosen = project.uuid, str(uuid.uuid4())
    client.create_configuration(p, "tile", CONFIG, chosen)
    client.upload_capture(p, "a.csv", write_csv(tmp_path / "a.csv"), configuration_uuid=chosen)
    client.delete_configuration(p, chosen)
    assert client.list_configurations(p) == []
    assert client.list_captures(p)[0].configuration_uuid is None
    with pytest.raises(NotFoundError):  # a first-attempt 404 is an error
        client.delete_configuration(p, chosen)


def test_upload_fills_in_the_configuration_link_the_answer_omits(
    client: SensiMLClient, project: LiveProject, tmp_path: Path
) -> None:
    p, chosen = project.uuid, str(uuid.uuid4())
    client.create_configuration(p, "tile", CONFIG, chosen)
    path = write_csv(tmp_path / "raw.csv")
    raw = client.transport.send(
        "POST",
        f"project/{p}/capture/",
        multipart=lambda: _stream(path, "raw.csv", chosen),
    )
    assert raw.status_code == 201 and "capture_configuration_uuid" not in raw.json()
    made = client.upload_capture(
        p, "walk.csv", path, configuration_uuid=chosen, set_sample_rate=100
    )
    assert made.configuration_uuid == chosen and made.set_sample_rate == 100
    assert made.file_size == path.stat().st_size and made.number_samples == 3
    listed = {c.name: c for c in client.list_captures(p)}
    assert listed["walk.csv"].configuration_uuid == chosen


def _stream(path: Path, name: str, config: str):  # type: ignore[no-untyped-def]
    from capdecl.client.multipart import MultipartStream

    fields = [("name", name), ("capture_configuration_uuid", config)]
    return MultipartStream(fields, "file", name, path, "text/csv")


def test_upload_checks_and_duplicate_name(
    client: SensiMLClient, project: LiveProject, tmp_path: Path, sandbox: SandboxHandle
) -> None:
    path = write_csv(tmp_path / "a.csv")
    sandbox.reset_stats()
    with pytest.raises(InvalidInputError, match="blank"):
        client.upload_capture(project.uuid, "   ", path)
    for bad_file in ("a.CSV", "a.txt"):  # the server takes the file type from its name
        with pytest.raises(InvalidInputError, match=r"must end with \.csv or \.wav"):
            client.upload_capture(project.uuid, "ok.csv", write_csv(tmp_path / bad_file))
    with pytest.raises(ConfigError, match="cannot read"):
        client.upload_capture(project.uuid, "gone.csv", tmp_path / "gone.csv")
    assert api_requests(sandbox.stats()) == {}
    client.upload_capture(project.uuid, "a.csv", path)
    with pytest.raises(ServerValidationError) as caught:  # first attempt: a real conflict
        client.upload_capture(project.uuid, "a.csv", path)
    assert "Project already contains a file with the name a.csv" in str(caught.value)


def test_capture_name_is_free_text_the_file_name_gives_the_type(
    client: SensiMLClient, project: LiveProject, tmp_path: Path
) -> None:
    made = client.upload_capture(project.uuid, "walk (trial 1)", write_csv(tmp_path / "w.csv"))
    (listed,) = client.list_captures(project.uuid)
    assert (made.name, listed.name, listed.file_size) == (
        "walk (trial 1)",
        "walk (trial 1)",
        (tmp_path / "w.csv").stat().st_size,
    )


def test_update_capture_uses_patch_never_put(
    client: SensiMLClient, project: LiveProject, tmp_path: Path, sandbox: SandboxHandle
) -> None:
    p = project.uuid
    made = client.upload_capture(p, "a.csv", write_csv(tmp_path / "a.csv"))
    sandbox.reset_stats()
    client.update_capture(p, made.uuid, {"name": "b.csv", "set_sample_rate": 200})
    assert api_requests(sandbox.stats()) == {"PATCH /project/{p}/capture/{c}/": 1}
    (after,) = client.list_captures(p)
    assert (after.name, after.set_sample_rate, after.version) == ("b.csv", 200, made.version + 1)
    out = tmp_path / "back.csv"
    assert client.download_capture(p, made.uuid, out) > 0  # the stored file survived
    with pytest.raises(InvalidInputError, match="cannot be cleared"):
        client.update_capture(p, made.uuid, {"capture_configuration_uuid": None})
    with pytest.raises(InvalidInputError, match="file_size"):
        client.update_capture(p, made.uuid, {"file_size": 1})


def test_delete_capture(client: SensiMLClient, project: LiveProject, tmp_path: Path) -> None:
    made = client.upload_capture(project.uuid, "a.csv", write_csv(tmp_path / "a.csv"))
    client.delete_capture(project.uuid, made.uuid)
    assert client.list_captures(project.uuid) == []
    with pytest.raises(NotFoundError):
        client.delete_capture(project.uuid, made.uuid)


def test_relationships_create_update_delete_in_batches(
    make_client,
    sandbox: SandboxHandle,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    client: SensiMLClient = make_client(batch_size=2)
    p = client.create_project("rels").uuid
    captures = [
        client.upload_capture(p, f"c{i}.csv", write_csv(tmp_path / f"c{i}.csv")) for i in range(5)
    ]
    field = client.create_metadata_field(p, "Subject", "string", ["alice", "bob"])
    alice, bob = field.values["alice"], field.values["bob"]
    sandbox.reset_stats()
    created = client.create_relationships(p, [(c.uuid, field.uuid, alice) for c in captures])
    assert api_requests(sandbox.stats()) == {"POST /project/{p}/metadata-relationship/": 3}
    assert [r.capture for r in created] == [c.uuid for c in captures]
    assert all(r.label_value == alice for r in created)

    changed = [LiveRelationship(r.uuid, r.capture, r.label, bob) for r in created[:3]]
    sandbox.reset_stats()
    updated = client.update_relationships(p, changed)
    assert api_requests(sandbox.stats()) == {"PUT /project/{p}/metadata-relationship/": 2}
    assert sorted(updated, key=lambda r: r.uuid) == sorted(changed, key=lambda r: r.uuid)
    live = {r.uuid: r.label_value for r in client.list_relationships(p)}
    assert sorted(live.values()) == sorted([alice, alice, bob, bob, bob])

    sandbox.reset_stats()
    assert client.delete_relationships(p, [r.uuid for r in created[:3]]) == 3
    assert api_requests(sandbox.stats()) == {
        "POST /v2/project/{p}/metadata-relationship/delete/": 2
    }
    assert {r.uuid for r in client.list_relationships(p)} == {r.uuid for r in created[3:]}
