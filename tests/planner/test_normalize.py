"""The server's v1 -> v2 configuration rewrite, and snapshot normalisation."""

from __future__ import annotations

import copy
import dataclasses
from types import MappingProxyType

from capdecl.planner import normalize_configuration
from capdecl.planner.normalize import normalize_desired, normalize_live, short_hash
from capdecl.state import DesiredConfiguration, LiveCapture, LiveState, MetadataField
from tests.planner.builders import declare, desired_state, sensor_config


def test_v1_without_version_gets_num_bytes_on_every_parameter_and_version_2() -> None:
    result = normalize_configuration(sensor_config(version=None))
    assert result["version"] == 2
    sensors = result["capture_sources"][0]["sensors"]
    assert [p["num_bytes"] for s in sensors for p in s["parameters"]] == [1, 1, 1]


def test_explicit_version_1_is_rewritten_and_existing_num_bytes_overwritten() -> None:
    body = sensor_config(version=1)
    result = normalize_configuration(body)
    assert result["version"] == 2
    gyro = result["capture_sources"][0]["sensors"][1]["parameters"][0]
    assert gyro == {"name": "Sensor Range", "value": 2000, "num_bytes": 1}


def test_version_1_as_float_counts_as_1_like_the_server() -> None:
    assert normalize_configuration({"version": 1.0, "capture_sources": []})["version"] == 2


def test_version_2_and_3_are_kept_verbatim() -> None:
    for version in (2, 3):
        body = sensor_config(version=version)
        assert normalize_configuration(body) == body


def test_result_is_a_deep_copy_and_the_input_is_untouched() -> None:
    body = sensor_config(version=None)
    snapshot = copy.deepcopy(body)
    result = normalize_configuration(body)
    result["capture_sources"][0]["name"] = "changed"
    assert body == snapshot


def test_shapes_the_rewrite_cannot_walk_are_left_as_they_are() -> None:
    body = {
        "capture_sources": [
            "not an object",
            {"name": "no sensors"},
            {"name": "odd", "sensors": ["x", {"type": "no parameters"}, {"parameters": 5}]},
            {"name": "ok", "sensors": [{"type": "t", "parameters": ["p", {"name": "n"}]}]},
        ]
    }
    result = normalize_configuration(body)
    assert result == {
        "version": 2,
        "capture_sources": [
            "not an object",
            {"name": "no sensors"},
            {"name": "odd", "sensors": ["x", {"type": "no parameters"}, {"parameters": 5}]},
            {
                "name": "ok",
                "sensors": [{"type": "t", "parameters": ["p", {"name": "n", "num_bytes": 1}]}],
            },
        ],
    }


def test_missing_capture_sources_still_gets_version_2() -> None:
    assert normalize_configuration({"name": "x"}) == {"name": "x", "version": 2}


def test_desired_names_values_and_uuids_are_trimmed_and_sorted() -> None:
    desired = desired_state(
        [
            declare(" b.csv ", metadata={" Subject ": " ann "}, configuration=" nano "),
            declare("a.csv"),
        ],
        metadata=[MetadataField(" Subject", values=(" bob", "ann ", "ann"))],
        configurations=[
            DesiredConfiguration(
                " z ", {"version": 3}, uuid=" ABCDEF00-0000-4000-8000-0000000000AA"
            )
        ],
    ).state
    result = normalize_desired(desired)
    assert [c.name for c in result.captures] == ["a.csv", "b.csv"]
    assert result.captures[1].metadata == {"Subject": "ann"}
    assert result.captures[1].configuration == "nano"
    assert result.metadata[0].name == "Subject"
    assert result.metadata[0].values == ("ann", "bob")
    assert result.configurations[0].name == "z"
    assert result.configurations[0].uuid == "abcdef00-0000-4000-8000-0000000000aa"


def test_live_collections_are_sorted_by_name_then_uuid() -> None:
    live = LiveState(
        project=None,
        captures=(
            LiveCapture(uuid="2", name="b", file_size=1),
            LiveCapture(uuid="9", name=" a", file_size=1),
            LiveCapture(uuid="1", name="b", file_size=1),
        ),
    )
    assert [(c.name, c.uuid) for c in normalize_live(live).captures] == [
        ("a", "9"),
        ("b", "1"),
        ("b", "2"),
    ]


def test_short_hash_ignores_key_order() -> None:
    assert short_hash({"a": 1, "b": [1, 2]}) == short_hash({"b": [1, 2], "a": 1})
    assert len(short_hash(None)) == 16


def test_metadata_given_as_another_mapping_is_copied_into_a_sorted_dict() -> None:
    declared = declare("a.csv", metadata={"Subject": "ann"})
    capture = dataclasses.replace(
        declared.capture, metadata=MappingProxyType({"Split": " train", "Subject": "ann"})
    )
    desired = dataclasses.replace(desired_state([declared]).state, captures=(capture,))
    (result,) = normalize_desired(desired).captures
    assert type(result.metadata) is dict
    assert list(result.metadata.items()) == [("Split", "train"), ("Subject", "ann")]


def test_metadata_already_normal_is_not_copied() -> None:
    declared = declare("a.csv", metadata={"Split": "train", "Subject": "ann"})
    (result,) = normalize_desired(desired_state([declared]).state).captures
    assert result is declared.capture  # no copy for the loader's (already normal) output
