"""Projects: CRUD, uniqueness, name rules, PUT resets, cascading delete."""

from __future__ import annotations

from capdecl.sandbox import SandboxHandle
from tests.sandbox.helpers import Api

PROJECT_KEYS = [
    "uuid", "url", "name", "labels", "capture_sample_schema", "captures", "team", "settings",
    "optimized", "segmenters", "profile", "plugin_config", "created_at", "active_pipelines",
    "description", "lock_schema", "last_modified",
]  # fmt: skip


def test_create_list_get(api: Api, sandbox: SandboxHandle) -> None:
    created = api.ok(api.post("project/", json={"name": "  Demo  ", "description": "x"}), 201)
    assert list(created) == PROJECT_KEYS
    p = created["uuid"]
    assert created["name"] == "Demo"  # trimmed
    assert created["url"] == f"{sandbox.url}project/{p}/"
    assert created["captures"] == f"{sandbox.url}project/{p}/capture/"
    assert (created["team"], created["description"], created["settings"]) == ("Piccolo", "", None)
    assert created["created_at"].endswith("Z") and len(created["created_at"]) == 27
    assert api.ok(api.get(f"project/{p}/")) == created
    assert api.ok(api.get("project/")) == [created]


def test_duplicate_name_is_a_validation_error_case_sensitive(api: Api) -> None:
    api.project("Foo")
    response = api.post("project/", json={"name": "Foo"})
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "detail": "Request failed validation",
        "data": {"non_field_errors": ["The fields team, name must make a unique set."]},
    }
    assert api.post("project/", json={"name": "foo"}).status_code == 201


def test_name_rules(api: Api) -> None:
    bad = api.post("project/", json={"name": "a/b"})
    assert bad.json()["data"] == {
        "name": ['Value "a/b" can only contain letters, numbers and underscores and spaces.']
    }
    assert api.post("project/", json={"name": "   "}).json()["data"] == {
        "name": ["This field may not be blank."]
    }
    assert api.post("project/", json={}).json()["data"] == {"name": ["This field is required."]}
    assert api.post("project/", json={"name": "ok.name-1 _x"}).status_code == 201


def test_settings_must_be_an_object(api: Api) -> None:
    response = api.post("project/", json={"name": "x", "settings": [1]})
    assert response.json()["data"] == {"settings": ["Settings must be a dictionary object."]}


def test_patch_keeps_settings_and_put_resets_declared_defaults(api: Api) -> None:
    body = {"name": "P", "settings": {"a": 1}, "plugin_config": {"b": 2}, "optimized": True}
    p = api.ok(api.post("project/", json=body), 201)["uuid"]
    patched = api.ok(api.patch(f"project/{p}/", json={"name": "Q"}))
    assert (patched["name"], patched["settings"], patched["optimized"]) == ("Q", {"a": 1}, True)
    put = api.ok(api.put(f"project/{p}/", json={"name": "R"}))
    assert (put["settings"], put["plugin_config"], put["optimized"]) == (None, None, False)
    assert api.put(f"project/{p}/", json={}).json()["data"] == {"name": ["This field is required."]}


def test_read_only_schema_is_ignored_and_last_modified_bumps(api: Api) -> None:
    created = api.ok(
        api.post("project/", json={"name": "P", "capture_sample_schema": {"x": {}}}), 201
    )
    assert created["capture_sample_schema"] is None
    patched = api.ok(api.patch(f"project/{created['uuid']}/", json={"settings": {"k": "v"}}))
    assert patched["last_modified"] > created["last_modified"]


def test_rename_onto_existing_name_is_400(api: Api) -> None:
    api.project("A")
    b = api.project("B")
    response = api.patch(f"project/{b}/", json={"name": "A"})
    assert response.json()["data"] == {
        "non_field_errors": ["The fields team, name must make a unique set."]
    }


def test_unknown_project_is_404_but_lists_under_it_are_empty(api: Api) -> None:
    assert api.get("project/nope/").json() == {"detail": "Not found.", "status": 404}
    assert api.ok(api.get("project/nope/capture/")) == []
    assert api.ok(api.get("project/nope/captureconfiguration/")) == []


def test_uuid_lookup_is_case_sensitive(api: Api) -> None:
    p = api.project()
    assert api.get(f"project/{p.upper()}/").status_code == 404


def test_delete_cascades_to_everything(api: Api, sandbox: SandboxHandle) -> None:
    p = api.project()
    cfg = api.configuration(p)
    api.capture(p, capture_configuration_uuid=cfg["uuid"])
    api.metadata(p)
    files = sandbox.directory / "files"
    assert len(list(files.iterdir())) == 1
    response = api.delete(f"project/{p}/")
    assert (response.status_code, response.content) == (204, b"")
    assert api.get(f"project/{p}/").status_code == 404
    assert api.ok(api.get(f"project/{p}/capture/")) == []
    assert api.ok(api.get(f"project/{p}/metadata/")) == []
    assert list(files.iterdir()) == []
