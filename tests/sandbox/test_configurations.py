"""Capture configurations: CRUD, the v1→v2 rewrite and its 500s, client uuids, SET_NULL."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.sandbox.helpers import Api

V1 = {
    "name": "dev",
    "capture_sources": [
        {
            "name": "Motion",
            "sensors": [{"type": "Accel", "parameters": [{"name": "Range", "value": 4}]}],
        }
    ],
}


def test_create_list_get_patch_delete(api: Api) -> None:
    p = api.project()
    created = api.configuration(p, "cfg", configuration={"version": 3, "b": 1})
    assert list(created) == ["uuid", "name", "configuration", "created_at", "last_modified"]
    c = created["uuid"]
    assert api.ok(api.get(f"project/{p}/captureconfiguration/")) == [created]
    assert api.ok(api.get(f"project/{p}/captureconfiguration/{c.upper()}/")) == created
    patched = api.ok(api.patch(f"project/{p}/captureconfiguration/{c}/", json={"name": "renamed"}))
    assert patched["name"] == "renamed" and patched["configuration"] == created["configuration"]
    assert patched["last_modified"] > created["last_modified"]
    assert api.delete(f"project/{p}/captureconfiguration/{c}/").status_code == 204
    assert api.get(f"project/{p}/captureconfiguration/{c}/").json() == {
        "detail": "Not found.",
        "status": 404,
    }


def test_v1_configuration_is_rewritten_to_v2(api: Api) -> None:
    p = api.project()
    created = api.configuration(p, configuration=json.loads(json.dumps(V1)))
    config = created["configuration"]
    assert config["version"] == 2
    assert config["capture_sources"][0]["sensors"][0]["parameters"][0]["num_bytes"] == 1
    explicit = api.configuration(p, "v1", configuration={**V1, "version": 1})
    assert explicit["configuration"]["version"] == 2


def test_version_2_and_up_is_stored_verbatim(api: Api) -> None:
    p = api.project()
    body = {"version": 3, "capture_sources": "not walked", "num_bytes": 7}
    assert api.configuration(p, configuration=body)["configuration"] == body


@pytest.mark.parametrize(
    ("configuration", "detail"),
    [
        (None, "AttributeError: 'NoneType' object has no attribute 'get'"),
        ([1, 2], "AttributeError: 'list' object has no attribute 'get'"),
        ({"name": "no sources"}, "KeyError: 'capture_sources'"),
        ({"capture_sources": [{"name": "no sensors"}]}, "KeyError: 'sensors'"),
    ],
)
def test_shapes_the_rewrite_cannot_walk_are_500(
    api: Api, configuration: object, detail: str
) -> None:
    p = api.project()
    body = {"name": "x", "configuration": configuration}
    response = api.post(f"project/{p}/captureconfiguration/", json=body)
    assert response.status_code == 500
    assert response.json()["detail"] == detail and list(response.json())[:2] == ["status", "detail"]
    assert api.ok(api.get(f"project/{p}/captureconfiguration/")) == []


def test_omitting_configuration_is_fine(api: Api) -> None:
    p = api.project()
    created = api.ok(api.post(f"project/{p}/captureconfiguration/", json={"name": "empty"}), 201)
    assert created["configuration"] is None


def test_get_returns_jsonb_key_order_while_create_echoes_request_order(api: Api) -> None:
    p = api.project()
    body = {"version": 3, "zebra": 1, "a": {"long_key": 1, "k": 2}, "mid": 0}
    response = api.post(
        f"project/{p}/captureconfiguration/", json={"name": "o", "configuration": body}
    )
    assert list(json.loads(response.text)["configuration"]) == ["version", "zebra", "a", "mid"]
    c = response.json()["uuid"]
    fetched = json.loads(api.get(f"project/{p}/captureconfiguration/{c}/").text)["configuration"]
    assert list(fetched) == ["a", "mid", "zebra", "version"]
    assert list(fetched["a"]) == ["k", "long_key"] and fetched == body


def test_client_uuid_is_kept_on_create_only(api: Api) -> None:
    p = api.project()
    wanted = str(uuid.uuid4())
    created = api.configuration(p, uuid=wanted.upper())
    assert created["uuid"] == wanted
    patched = api.ok(
        api.patch(f"project/{p}/captureconfiguration/{wanted}/", json={"uuid": str(uuid.uuid4())})
    )
    assert patched["uuid"] == wanted
    again = api.post(f"project/{p}/captureconfiguration/", json={"name": "other", "uuid": wanted})
    assert again.json()["data"] == {
        "non_field_errors": ["The fields project, uuid must make a unique set."]
    }
    bad = api.post(f"project/{p}/captureconfiguration/", json={"name": "x", "uuid": "nope"})
    assert bad.json()["data"] == {"uuid": ["Must be a valid UUID."]}


def test_name_rules_and_uniqueness(api: Api) -> None:
    p = api.project()
    api.configuration(p, "  Dev  ")
    dup = api.post(f"project/{p}/captureconfiguration/", json={"name": "Dev"})
    assert dup.json() == {
        "status": 400,
        "detail": "Request failed validation",
        "data": {"non_field_errors": ["The fields name, project must make a unique set."]},
    }
    assert api.post(f"project/{p}/captureconfiguration/", json={"name": "dev"}).status_code == 201
    long = api.post(f"project/{p}/captureconfiguration/", json={"name": "x" * 256})
    assert long.json()["data"] == {"name": ["Ensure this field has no more than 255 characters."]}
    other = api.configuration(p, "other")["uuid"]
    rename = api.patch(f"project/{p}/captureconfiguration/{other}/", json={"name": "Dev"})
    assert rename.json()["data"]["non_field_errors"] == [
        "The fields name, project must make a unique set."
    ]


def test_create_under_unknown_project(api: Api) -> None:
    response = api.post("project/nope/captureconfiguration/", json={"name": "x"})
    assert response.json()["data"] == {"project": ["Project does not exist."]}


def test_put_requires_name(api: Api) -> None:
    p = api.project()
    c = api.configuration(p)["uuid"]
    response = api.put(
        f"project/{p}/captureconfiguration/{c}/", json={"configuration": {"version": 3}}
    )
    assert response.json()["data"] == {"name": ["This field is required."]}
    put = api.ok(api.put(f"project/{p}/captureconfiguration/{c}/", json={"name": "n"}))
    assert put["configuration"] == {"version": 3}


def test_delete_unlinks_captures(api: Api) -> None:
    p = api.project()
    c = api.configuration(p)["uuid"]
    capture = api.capture(p, capture_configuration_uuid=c)
    before = api.ok(api.get(f"project/{p}/capture/{capture['uuid']}/"))
    assert before["capture_configuration_uuid"] == c
    api.delete(f"project/{p}/captureconfiguration/{c}/")
    after = api.ok(api.get(f"project/{p}/capture/{capture['uuid']}/"))
    assert after["capture_configuration_uuid"] is None
    assert after["version"] == before["version"]  # SET_NULL is not a capture update
