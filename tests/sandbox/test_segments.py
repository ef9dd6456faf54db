"""Segmenters, labelled segments, and the whole-project readers (dcli/, capture-stats/)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.helpers import Api, value_uuid

SEGMENT_KEYS = [
    "uuid", "capture", "label", "label_value", "capture_sample_sequence_start",
    "capture_sample_sequence_end", "segmenter", "created_at", "last_modified",
]  # fmt: skip


@pytest.fixture
def labelled(api: Api) -> dict[str, Any]:
    """A project with one 10-sample capture, a segmenter and a label ``Gesture`` (Wave)."""
    p = api.project()
    capture = api.capture(p, "c.csv", b"a\n" + b"".join(b"%d\n" % i for i in range(10)))
    body = {"name": "Gesture", "type": "string", "metadata": False, "values": ["Wave", "Idle"]}
    label = api.ok(api.post(f"project/{p}/label/", json=body), 201)
    segmenter = api.ok(
        api.post(f"project/{p}/segmenter/", json={"name": "Manual", "custom": True}), 201
    )
    return {"p": p, "c": capture["uuid"], "label": label, "segmenter": segmenter["id"]}


def segment(world: dict[str, Any], start: int, end: int, value: str = "Wave") -> dict[str, Any]:
    return {
        "label": world["label"]["uuid"],
        "label_value": value_uuid(world["label"], value),
        "segmenter": world["segmenter"],
        "capture_sample_sequence_start": start,
        "capture_sample_sequence_end": end,
    }


def test_segmenters(api: Api) -> None:
    p = api.project()
    body = {"name": "Auto", "parameters": '{"a": 1}', "preprocess": None, "function": "Windowing"}
    created = api.ok(api.post(f"project/{p}/segmenter/", json=body), 201)
    assert list(created) == [
        "id", "parent", "name", "function", "parameters", "custom", "preprocess", "is_locked",
        "created_at", "last_modified",
    ]  # fmt: skip
    assert (created["parameters"], created["custom"], created["parent"]) == (
        '{"a": 1}',
        False,
        None,
    )
    assert api.ok(api.get(f"project/{p}/segmenter/")) == [created]
    assert api.ok(api.get(f"project/{p}/segmenter/{created['id']}/")) == created
    dup = api.post(f"project/{p}/segmenter/", json={"name": "Auto"})
    assert dup.json()["data"] == {
        "non_field_errors": ["The fields name, project must make a unique set."]
    }
    child = api.post(f"project/{p}/segmenter/", json={"name": "Child", "parent": 999})
    assert child.json()["data"] == {"parent": ['Invalid pk "999" - object does not exist.']}


def test_segments_are_created_listed_and_bump_the_capture(
    api: Api, labelled: dict[str, Any]
) -> None:
    p, c = labelled["p"], labelled["c"]
    url = f"project/{p}/capture/{c}/label-relationship/"
    created = api.ok(
        api.post(url, json=[segment(labelled, 0, 4), segment(labelled, 5, 9, "Idle")]), 201
    )
    assert [list(s) for s in created] == [SEGMENT_KEYS] * 2
    assert [(s["capture_sample_sequence_start"], s["segmenter"]) for s in created] == [
        (0, labelled["segmenter"]), (5, labelled["segmenter"]),
    ]  # fmt: skip
    assert api.ok(api.get(url)) == created
    assert api.ok(api.get(f"project/{p}/label-relationship/")) == created
    page = api.ok(api.get(f"project/{p}/label-relationship/", params={"page_size": 1}))
    assert len(page["results"]) == 1 and page["next"]
    assert api.ok(api.get(f"project/{p}/capture/{c}/"))["version"] == 1


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (-1, 3, "Capture sample sequence start cannot be less than 0."),
        (4, 4, "Capture sample sequence end cannot be less than start."),
        (
            0,
            10,
            "Capture sample sequence end cannot be greater than the max sequence of the "
            "capture file.",
        ),
    ],
)
def test_segment_bounds_are_validated(
    api: Api, labelled: dict[str, Any], start: int, end: int, message: str
) -> None:
    url = f"project/{labelled['p']}/capture/{labelled['c']}/label-relationship/"
    response = api.post(url, json=[segment(labelled, 0, 2), segment(labelled, start, end)])
    assert response.json()["data"] == [{}, {"non_field_errors": [message]}]
    assert api.ok(api.get(url)) == []


def test_duplicate_segment_and_wrong_value_are_400(api: Api, labelled: dict[str, Any]) -> None:
    url = f"project/{labelled['p']}/capture/{labelled['c']}/label-relationship/"
    api.ok(api.post(url, json=segment(labelled, 1, 3)), 201)
    dup = api.post(url, json=segment(labelled, 1, 3))
    assert dup.status_code == 400 and dup.json()["data"][0].startswith("duplicate key value")
    other = api.metadata(labelled["p"], "Subject", ("John",))
    wrong = {**segment(labelled, 1, 2), "label_value": value_uuid(other, "John")}
    assert api.post(url, json=wrong).json()["data"] == [
        {"label_value": ["LabelValue matching query does not exist."]}
    ]


def test_dcli_export_shape(api: Api, labelled: dict[str, Any]) -> None:
    p, c = labelled["p"], labelled["c"]
    api.capture(p, "d.csv")
    zone = api.metadata(p, "zone", ("north",))
    subject = api.metadata(p, "Subject", ("John",))
    link = {"capture": c, "label": subject["uuid"], "label_value": value_uuid(subject, "John")}
    api.ok(api.post(f"project/{p}/metadata-relationship/", json=[link]), 201)
    api.ok(
        api.post(f"project/{p}/capture/{c}/label-relationship/", json=segment(labelled, 2, 6)), 201
    )
    assert api.ok(api.get(f"project/{p}/dcli/")) == [
        {
            "file_name": "c.csv",
            "metadata": [{"name": "Subject", "value": "John"}, {"name": "zone", "value": None}],
            "sessions": [
                {
                    "session_name": "Manual",
                    "segments": [{"name": "Gesture", "value": "Wave", "start": 2, "end": 6}],
                }
            ],
        },
        {
            "file_name": "d.csv",
            "metadata": [{"name": "Subject", "value": None}, {"name": "zone", "value": None}],
            "sessions": [],
        },
    ]
    assert zone["name"] == "zone"
    assert api.ok(api.get("project/nope/dcli/")) == []


def test_capture_stats_shape(api: Api, labelled: dict[str, Any]) -> None:
    p, c = labelled["p"], labelled["c"]
    subject = api.metadata(p, "Subject", ("John",))
    link = {"capture": c, "label": subject["uuid"], "label_value": value_uuid(subject, "John")}
    api.ok(api.post(f"project/{p}/metadata-relationship/", json=[link]), 201)
    api.ok(
        api.post(f"project/{p}/capture/{c}/label-relationship/", json=segment(labelled, 2, 6)), 201
    )
    [row] = api.ok(api.get(f"project/{p}/capture-stats/"))
    assert list(row) == [
        "name", "uuid", "created", "file_size_mb", "capture_configuration_uuid", "capture_uuid",
        "Subject", "total_events",
    ]  # fmt: skip
    assert (row["name"], row["uuid"], row["capture_uuid"]) == ("c.csv", c, c)
    assert (row["file_size_mb"], row["Subject"], row["total_events"]) == ("0.00", "John", 1)
    assert row["created"].endswith("Z") and len(row["created"]) == 24  # milliseconds
    other = api.ok(
        api.get(f"project/{p}/capture-stats/", params={"segmenter": labelled["segmenter"]})
    )
    assert other[0]["total_events"] == 1
