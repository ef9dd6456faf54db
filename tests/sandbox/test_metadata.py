"""Metadata names / labels and their values: rules, uniqueness, updates, cascades."""

from __future__ import annotations

from tests.sandbox.helpers import Api, value_uuid

LABEL_KEYS = [
    "name", "uuid", "type", "label_values", "metadata", "is_dropdown", "created_at",
    "last_modified",
]  # fmt: skip


def test_create_with_values_and_list(api: Api) -> None:
    p = api.project()
    created = api.metadata(p, " Subject ", ("John", "Jane"))
    assert list(created) == LABEL_KEYS
    assert (created["name"], created["metadata"], created["is_dropdown"]) == (
        "Subject",
        True,
        False,
    )
    assert [v["value"] for v in created["label_values"]] == ["John", "Jane"]
    assert list(created["label_values"][0]) == [
        "value",
        "color",
        "uuid",
        "created_at",
        "last_modified",
    ]
    assert api.ok(api.get(f"project/{p}/metadata/")) == [created]
    assert api.ok(api.get(f"project/{p}/label/")) == []
    assert api.ok(api.get(f"project/{p}/metadata/{created['uuid'].upper()}/")) == created


def test_labels_and_metadata_share_one_namespace(api: Api) -> None:
    p = api.project()
    api.metadata(p, "Gesture", ())
    body = {"name": "Gesture", "type": "string", "metadata": False}
    response = api.post(f"project/{p}/label/", json=body)
    assert response.json()["data"] == {
        "non_field_errors": ["The fields name, project must make a unique set."]
    }
    label = api.ok(api.post(f"project/{p}/label/", json={**body, "name": "gesture"}), 201)
    assert label["metadata"] is False


def test_metadata_flag_comes_from_the_url_but_is_required_in_json(api: Api) -> None:
    p = api.project()
    missing = api.post(f"project/{p}/metadata/", json={"name": "A", "type": "string"})
    assert missing.json()["data"] == {"metadata": ["This field is required."]}
    forced = api.ok(
        api.post(f"project/{p}/metadata/", json={"name": "A", "type": "string", "metadata": False}),
        201,
    )
    assert forced["metadata"] is True
    form = api.ok(api.post(f"project/{p}/metadata/", data={"name": "B", "type": "string"}), 201)
    assert form["metadata"] is True


def test_name_and_type_rules(api: Api) -> None:
    p = api.project()
    bad = api.post(f"project/{p}/metadata/", json={"name": "a-b", "type": "str", "metadata": True})
    assert bad.json()["data"] == {
        "name": ['Value "a-b" can only contain letters, numbers and underscores.'],
        "type": ['"str" is not a valid choice.'],
    }
    long = api.post(
        f"project/{p}/metadata/", json={"name": "x" * 65, "type": "string", "metadata": True}
    )
    assert long.json()["data"] == {"name": [f'Value "{"x" * 65}" must be less than 64 characters.']}


def test_bad_value_fails_after_the_name_was_created(api: Api) -> None:
    p = api.project()
    body = {"name": "Subject", "type": "string", "metadata": True, "values": ["ok", "no/slash"]}
    response = api.post(f"project/{p}/metadata/", json=body)
    assert response.json() == {
        "status": 400,
        "detail": "Request failed validation",
        "data": ['Value "no/slash" can only contain letters, numbers and underscores.'],
    }
    [kept] = api.ok(api.get(f"project/{p}/metadata/"))
    assert [v["value"] for v in kept["label_values"]] == ["ok"]


def test_update_needs_name_type_and_is_dropdown(api: Api) -> None:
    p = api.project()
    m = api.metadata(p)
    url = f"project/{p}/metadata/{m['uuid']}/"
    response = api.patch(url, json={"name": "Person", "type": "string"})
    assert (response.status_code, response.json()["detail"]) == (500, "KeyError: 'is_dropdown'")
    updated = api.ok(api.patch(url, json={"name": "Person", "type": "string", "is_dropdown": True}))
    assert (updated["name"], updated["is_dropdown"]) == ("Person", True)
    assert updated["label_values"] == m["label_values"]
    put = api.put(url, json={"name": "P", "type": "string", "is_dropdown": False})
    assert put.json()["data"] == {"metadata": ["This field is required."]}


def test_value_crud(api: Api) -> None:
    p = api.project()
    m = api.metadata(p, values=())
    base = f"project/{p}/metadata/{m['uuid']}/labelvalue/"
    created = api.ok(api.post(base, json={"value": " 12.5:x-y ", "color": "#A0B1C2"}), 201)
    assert list(created) == ["uuid", "value", "created_at", "last_modified", "color"]
    assert created["value"] == "12.5:x-y"
    number = api.ok(api.post(base, json={"value": 7}), 201)
    assert number["value"] == "7"
    assert [v["value"] for v in api.ok(api.get(base))] == ["12.5:x-y", "7"]
    dup = api.post(base, json={"value": "7"})
    assert dup.json()["data"] == {
        "non_field_errors": ["The fields label, value must make a unique set."]
    }
    bad = api.post(base, json={"value": "a/b", "color": "red"})
    assert bad.json()["data"] == {
        "value": ['Value "a/b" can only contain letters, numbers and underscores.'],
        "color": ['"red" is not a valid color.'],
    }
    detail = f"{base}{created['uuid']}/"
    assert api.ok(api.patch(detail, json={"color": None}))["color"] is None
    assert api.delete(detail).status_code == 204
    assert api.get(detail).status_code == 404


def test_value_under_unknown_label(api: Api) -> None:
    p = api.project()
    response = api.post(f"project/{p}/metadata/{'0' * 32}/labelvalue/", json={"value": "x"})
    assert response.json()["data"] == {"label": ["Label Does not Exist."]}


def test_deleting_values_and_names_cascades_to_relationships(api: Api) -> None:
    p = api.project()
    a, b = api.capture(p, "a.csv"), api.capture(p, "b.csv")
    m = api.metadata(p)
    john, jane = value_uuid(m, "John"), value_uuid(m, "Jane")
    items = [
        {"capture": a["uuid"], "label": m["uuid"], "label_value": john},
        {"capture": b["uuid"], "label": m["uuid"], "label_value": jane},
    ]
    api.ok(api.post(f"project/{p}/metadata-relationship/", json=items), 201)
    api.delete(f"project/{p}/metadata/{m['uuid']}/labelvalue/{john}/")
    remaining = api.ok(api.get(f"project/{p}/metadata-relationship/"))
    assert [r["capture"] for r in remaining] == [b["uuid"]]
    assert api.delete(f"project/{p}/metadata/{m['uuid']}/").status_code == 204
    assert api.ok(api.get(f"project/{p}/metadata-relationship/")) == []
