"""Keyed structural diff of configuration JSON."""

from __future__ import annotations

import copy
from typing import Any

from capdecl.planner.configdiff import diff_configuration
from capdecl.planner.model import FieldDiff
from tests.planner.builders import sensor_config

PREFIX = "configuration.capture_sources[Motion (BMI160)]"


def reordered(body: Any) -> Any:
    """The same configuration with every key and every keyed list in reverse order."""
    if isinstance(body, dict):
        return {k: reordered(v) for k, v in reversed(list(body.items()))}
    if isinstance(body, list):
        return [reordered(v) for v in body]
    return body


def test_equal_bodies_give_no_diff() -> None:
    assert diff_configuration(sensor_config(), sensor_config()) == ()


def test_key_order_is_ignored() -> None:
    assert diff_configuration(sensor_config(), reordered(sensor_config())) == ()


def test_keyed_list_order_is_ignored() -> None:
    after = sensor_config()
    sensors = after["capture_sources"][0]["sensors"]
    sensors.reverse()
    sensors[1]["parameters"].reverse()
    assert diff_configuration(sensor_config(), after) == ()


def test_nested_parameter_change_has_a_keyed_path() -> None:
    diffs = diff_configuration(sensor_config(16), sensor_config(8))
    assert diffs == (
        FieldDiff(
            path=f"{PREFIX}.sensors[Accelerometer].parameters[Sensor Range].value",
            before=16,
            after=8,
        ),
    )


def test_added_and_removed_items_show_whole_values_in_list_form() -> None:
    before = sensor_config()
    after = copy.deepcopy(before)
    gyro = after["capture_sources"][0]["sensors"].pop()
    after["capture_sources"][0]["sensors"].append({"type": "Magnetometer", "parameters": []})
    assert diff_configuration(before, after) == (
        FieldDiff(f"{PREFIX}.sensors[Gyroscope]", gyro, None),
        FieldDiff(
            f"{PREFIX}.sensors[Magnetometer]", None, {"type": "Magnetometer", "parameters": []}
        ),
    )


def test_ordinary_lists_keep_their_order_and_show_indexes() -> None:
    after = sensor_config()
    after["capture_sources"][0]["sensors"][0]["column_names"] = ["AccX", "AccZ", "AccY"]
    diffs = diff_configuration(sensor_config(), after)
    assert [d.path for d in diffs] == [
        f"{PREFIX}.sensors[Accelerometer].column_names[1]",
        f"{PREFIX}.sensors[Accelerometer].column_names[2]",
    ]


def test_duplicate_keys_fall_back_to_position() -> None:
    before = {"capture_sources": [{"name": "a", "rate": 1}, {"name": "a", "rate": 2}]}
    after = {"capture_sources": [{"name": "a", "rate": 1}, {"name": "a", "rate": 3}]}
    assert diff_configuration(before, after) == (
        FieldDiff("configuration.capture_sources[1].rate", 2, 3),
    )


def test_missing_key_on_one_side_makes_both_sides_positional() -> None:
    before = {"capture_sources": [{"name": "a"}, {"name": "b"}]}
    after = {"capture_sources": [{"name": "b"}, {"rate": 1}, {"name": "c"}]}
    assert diff_configuration(before, after) == (
        FieldDiff("configuration.capture_sources[0].name", "a", "b"),
        FieldDiff("configuration.capture_sources[1]", {"name": "b"}, {"rate": 1}),
        FieldDiff("configuration.capture_sources[2]", None, {"name": "c"}),
    )


def test_positional_fallback_keeps_the_longer_side_items() -> None:
    before = {"sensors": [{"type": "x", "k": 1}, {"type": "x"}, {"type": "y"}]}
    after = {"sensors": [{"type": "x", "k": 1}]}
    diffs = diff_configuration(before, after)
    assert [d.path for d in diffs] == ["configuration.sensors[1]", "configuration.sensors[2]"]
    assert diffs[1].before == {"type": "y"}


def test_keyed_list_only_on_one_side_is_restored_to_list_form() -> None:
    sources = [{"name": "m", "sensors": [{"type": "a"}, {"type": "b"}]}]
    assert diff_configuration({}, {"capture_sources": sources}) == (
        FieldDiff("configuration.capture_sources", None, sources),
    )


def test_unkeyable_list_on_one_side_stays_a_list() -> None:
    sources = [{"name": "m"}, {"name": "m"}]
    assert diff_configuration({"capture_sources": sources}, {}) == (
        FieldDiff("configuration.capture_sources", sources, None),
    )


def test_null_live_configuration_against_a_body_is_one_root_diff() -> None:
    body = sensor_config()
    assert diff_configuration(None, body) == (FieldDiff("configuration", None, body),)


def test_integral_floats_equal_integers_but_fractions_do_not() -> None:
    assert diff_configuration({"rate": 100}, {"rate": 100.0}) == ()
    assert diff_configuration({"rate": 100}, {"rate": 100.5}) == (
        FieldDiff("configuration.rate", 100, 100.5),
    )


def test_booleans_are_not_numbers() -> None:
    assert diff_configuration({"on": 1}, {"on": True}) == (FieldDiff("configuration.on", 1, True),)


def test_type_change_of_a_keyed_field_is_one_row() -> None:
    before = {"capture_sources": {"name": "weird"}}
    after = {"capture_sources": [{"name": "weird"}]}
    assert diff_configuration(before, after) == (
        FieldDiff("configuration.capture_sources", {"name": "weird"}, [{"name": "weird"}]),
    )


def test_rows_are_sorted_with_numeric_indexes() -> None:
    before = {"values": list(range(12)), "a": 1}
    after = {"values": [*range(2), 99, *range(3, 10), 98, 11], "a": 2}
    assert [d.path for d in diff_configuration(before, after)] == [
        "configuration.a",
        "configuration.values[2]",
        "configuration.values[10]",
    ]


def test_custom_prefix() -> None:
    assert diff_configuration({"a": 1}, {"a": 2}, prefix="body")[0].path == "body.a"
