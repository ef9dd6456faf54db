"""Capture metadata relationships: project-level bulk routes and the per-capture v2 routes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.helpers import Api, value_uuid

LINK_KEYS = ["uuid", "capture", "label", "label_value", "created_at", "last_modified"]


@pytest.fixture
def world(api: Api) -> dict[str, Any]:
    """A project with three captures and a metadata name ``Subject`` (John, Jane)."""
    p = api.project()
    captures = [api.capture(p, f"c{i}.csv") for i in range(3)]
    m = api.metadata(p)
    return {
        "p": p,
        "captures": [c["uuid"] for c in captures],
        "label": m["uuid"],
        "john": value_uuid(m, "John"),
        "jane": value_uuid(m, "Jane"),
    }


def items(world: dict[str, Any], value: str = "john", count: int = 3) -> list[dict[str, str]]:
    return [
        {"capture": c, "label": world["label"], "label_value": world[value]}
        for c in world["captures"][:count]
    ]


def versions(api: Api, p: str) -> list[int]:
    return [c["version"] for c in api.ok(api.get(f"project/{p}/capture/"))]


def test_bulk_create_list_and_version_bumps(api: Api, world: dict[str, Any]) -> None:
    p = world["p"]
    created = api.ok(api.post(f"project/{p}/metadata-relationship/", json=items(world)), 201)
    assert [list(r) for r in created] == [LINK_KEYS] * 3
    assert [r["capture"] for r in created] == world["captures"]
    assert api.ok(api.get(f"project/{p}/metadata-relationship/")) == created
    assert versions(api, p) == [1, 1, 1]


def test_bulk_create_is_atomic_and_rejects_a_second_value(api: Api, world: dict[str, Any]) -> None:
    p = world["p"]
    api.ok(api.post(f"project/{p}/metadata-relationship/", json=items(world, count=1)), 201)
    response = api.post(f"project/{p}/metadata-relationship/", json=items(world, "jane"))
    body = response.json()
    assert (response.status_code, body["detail"]) == (400, "Request failed validation")
    assert body["data"][0].startswith("duplicate key value violates unique constraint")
    assert "Key (capture_id, label_id)=" in body["data"][0]
    assert len(api.ok(api.get(f"project/{p}/metadata-relationship/"))) == 1  # nothing else


def test_bulk_uuids_must_be_spelled_as_returned(api: Api, world: dict[str, Any]) -> None:
    p = world["p"]
    shouting = [{**item, "capture": item["capture"].upper()} for item in items(world, count=2)]
    response = api.post(f"project/{p}/metadata-relationship/", json=shouting)
    assert response.json()["data"] == [{"capture": ["This field may not be null."]}] * 2


def test_bulk_malformed_bodies_are_500s(api: Api, world: dict[str, Any]) -> None:
    p = world["p"]
    url = f"project/{p}/metadata-relationship/"
    assert api.post(url, json=items(world, count=1)[0]).status_code == 500  # a bare object
    assert (
        api.post(url, json=[{"capture": "x", "label": "y", "label_value": "z"}]).status_code == 500
    )
    assert (
        api.post(url, json=[{"capture": world["captures"][0]}]).json()["detail"]
        == "KeyError: 'label'"
    )


def test_bulk_put_is_matched_by_uuid(api: Api, world: dict[str, Any]) -> None:
    p = world["p"]
    created = api.ok(api.post(f"project/{p}/metadata-relationship/", json=items(world)), 201)
    change = [{**items(world, "jane")[1], "uuid": created[1]["uuid"]}]
    updated = api.ok(api.put(f"project/{p}/metadata-relationship/", json=change))
    assert [(u["uuid"], u["label_value"]) for u in updated] == [(created[1]["uuid"], world["jane"])]
    listed = api.ok(api.get(f"project/{p}/metadata-relationship/"))
    assert [r["label_value"] for r in listed] == [world["john"], world["jane"], world["john"]]
    assert versions(api, p) == [1, 2, 1]


def test_v2_delete_answers_the_count(api: Api, world: dict[str, Any]) -> None:
    p = world["p"]
    created = api.ok(api.post(f"project/{p}/metadata-relationship/", json=items(world)), 201)
    url = f"v2/project/{p}/metadata-relationship/delete/"
    bad = api.post(url, json=[created[0]["uuid"], "00000000-0000-0000-0000-000000000000"])
    assert bad.json()["data"] == ["One or more UUIDs to delete was invalid."]
    response = api.post(url, json=[r["uuid"] for r in created[:2]])
    assert (response.status_code, response.text) == (200, "2")
    assert [r["uuid"] for r in api.ok(api.get(f"project/{p}/metadata-relationship/"))] == [
        created[2]["uuid"]
    ]
    assert versions(api, p) == [2, 2, 1]
    assert api.post(url, json=["not-a-uuid"]).status_code == 500


def test_capture_metadata_relationship_reads_by_capture(api: Api, world: dict[str, Any]) -> None:
    p = world["p"]
    api.ok(api.post(f"project/{p}/metadata-relationship/", json=items(world)), 201)
    body = {"capture_uuid_list": world["captures"][1:]}
    found = api.ok(api.post(f"project/{p}/capture-metadata-relationship/", json=body))
    assert [r["capture"] for r in found] == world["captures"][1:]


def test_cursor_pagination_with_page_size(api: Api, world: dict[str, Any]) -> None:
    p = world["p"]
    created = api.ok(api.post(f"project/{p}/metadata-relationship/", json=items(world)), 201)
    first = api.ok(api.get(f"project/{p}/metadata-relationship/", params={"page_size": 2}))
    assert list(first) == ["next", "previous", "results"] and first["previous"] is None
    second = api.ok(api.get(first["next"].removeprefix(api.url)))
    seen = [r["uuid"] for r in first["results"] + second["results"]]
    assert sorted(seen) == sorted(r["uuid"] for r in created) and second["next"] is None


def test_per_capture_post_get_delete(api: Api, world: dict[str, Any]) -> None:
    p, c = world["p"], world["captures"][0]
    base = f"v2/project/{p}/capture/{c}/metadata-relationship/"
    single = {"label": world["label"], "label_value": world["john"]}
    created = api.ok(api.post(base, json=single), 201)
    assert isinstance(created, list) and created[0]["capture"] == c
    assert api.ok(api.get(base)) == created
    detail = f"{base}{created[0]['uuid']}/"
    assert api.ok(api.get(detail)) == created[0]
    assert api.delete(detail).status_code == 204
    assert api.ok(api.get(base)) == []
    assert api.ok(api.get(f"project/{p}/capture/{c}/"))["version"] == 2


def test_per_capture_errors(api: Api, world: dict[str, Any]) -> None:
    p, c = world["p"], world["captures"][0]
    base = f"v2/project/{p}/capture/{c}/metadata-relationship/"
    unknown_label = api.post(base, json={"label": "0" * 32, "label_value": world["john"]})
    assert unknown_label.json()["data"] == [{"label": ["Label matching query does not exist."]}]
    unknown_value = api.post(base, json={"label": world["label"], "label_value": "0" * 32})
    assert unknown_value.status_code == 500
    missing = api.post(f"v2/project/{p}/capture/nope/metadata-relationship/",
                       json={"label": world["label"], "label_value": world["john"]})  # fmt: skip
    assert missing.json()["data"] == [{"capture": ["Capture Does not Exist."]}]


def test_per_capture_put_without_uuid_is_a_silent_no_op(api: Api, world: dict[str, Any]) -> None:
    p, c = world["p"], world["captures"][0]
    base = f"v2/project/{p}/capture/{c}/metadata-relationship/"
    [link] = api.ok(
        api.post(base, json={"label": world["label"], "label_value": world["john"]}), 201
    )
    change = {"label": world["label"], "label_value": world["jane"]}
    response = api.put(f"{base}{link['uuid']}/", json=change)
    assert (response.status_code, response.json()) == (200, [])
    assert api.ok(api.get(base))[0]["label_value"] == world["john"]
    with_uuid = api.ok(api.put(f"{base}{link['uuid']}/", json={**change, "uuid": link["uuid"]}))
    assert [u["label_value"] for u in with_uuid] == [world["jane"]]
    assert api.ok(api.get(base))[0]["label_value"] == world["jane"]


def test_per_capture_bulk_put_assigns_by_position(api: Api, world: dict[str, Any]) -> None:
    p, c = world["p"], world["captures"][0]
    second = api.metadata(p, "Place", ("Home", "Work"))
    base = f"v2/project/{p}/capture/{c}/metadata-relationship/"
    created = api.ok(api.post(base, json=[
        {"label": world["label"], "label_value": world["john"]},
        {"label": second["uuid"], "label_value": value_uuid(second, "Home")},
    ]), 201)  # fmt: skip
    # Each body item names the *other* row; the server pairs items with rows by position.
    work = value_uuid(second, "Work")
    body = [
        {"uuid": created[1]["uuid"], "label": world["label"], "label_value": world["jane"]},
        {"uuid": created[0]["uuid"], "label": second["uuid"], "label_value": work},
    ]
    updated = api.ok(api.put(base, json=body))
    assert [(u["uuid"], u["label_value"]) for u in updated] == [
        (created[0]["uuid"], world["jane"]),
        (created[1]["uuid"], work),
    ]
