"""Captures: identity, content verdict (ledger / pending / unverified), in-place fields,
rename, replace, delete, protection."""

from __future__ import annotations

import dataclasses

import pytest

from capdecl.planner.model import Action, Change, FieldDiff, Kind, Plan
from capdecl.state import (
    DesiredConfiguration,
    LedgerEntry,
    LiveCapture,
    LiveConfiguration,
    MetadataField,
    Policy,
    PruneScope,
)
from tests.planner.builders import (
    declare,
    desired_state,
    live_capture_for,
    live_field,
    mirror,
    only,
    plan_for,
    relationship,
    replace_capture,
    sha,
    uid,
)

SUBJECT = MetadataField("Subject", values=("ann", "bob"))
GESTURE = MetadataField("Gesture", values=("wave", "idle"))
NANO = DesiredConfiguration("nano", {"version": 3})
OTHER = DesiredConfiguration("other", {"version": 3})


def capture_changes(plan: Plan) -> list[Change]:
    return [c for c in plan.changes if c.kind is Kind.CAPTURE]


def test_in_sync_project_gives_an_empty_plan_not_none() -> None:
    walk = declare("walk.csv", configuration="nano", sample_rate=100, metadata={"Subject": "ann"})
    desired = desired_state([walk], metadata=[SUBJECT], configurations=[NANO])
    plan = plan_for(desired, mirror(desired, [walk]))
    assert isinstance(plan, Plan)
    assert plan.is_empty
    assert plan.changes == ()
    assert (plan.unverified, plan.warnings, dict(plan.unmanaged)) == ((), (), {})


def test_missing_capture_is_created_with_the_documented_keys() -> None:
    walk = declare("walk.csv", configuration="nano", sample_rate=50, metadata={"Subject": "ann"})
    desired = desired_state([walk], metadata=[SUBJECT], configurations=[NANO])
    live = mirror(desired)
    change = only(plan_for(desired, live))
    assert (change.kind, change.action, change.uuid, change.before) == (
        Kind.CAPTURE,
        Action.CREATE,
        None,
        None,
    )
    assert change.after == {
        "name": "walk.csv",
        "path": "data/walk.csv",
        "sha256": walk.digest.sha256,
        "size": walk.digest.size,
        "samples": 3,
        "configuration": "nano",
        "sample_rate": 50,
        "metadata": {"Subject": "ann"},
    }


def test_same_size_different_bytes_is_a_replace_by_the_ledger() -> None:
    old = declare("walk.csv", "sequence,x\n0,1\n", metadata={"Subject": "ann"})
    new = declare("walk.csv", "sequence,x\n0,2\n", metadata={"Subject": "ann"})
    assert old.digest.size == new.digest.size
    live = mirror(desired_state([old], metadata=[SUBJECT]), [old])
    live = dataclasses.replace(live, segments={uid("capture:walk.csv"): 4})
    change = only(plan_for(desired_state([new], metadata=[SUBJECT]), live))
    assert (change.action, change.uuid) == (Action.REPLACE, uid("capture:walk.csv"))
    assert change.diffs == (
        FieldDiff("sha256", old.digest.sha256, new.digest.sha256, forces_replace=True),
    )
    assert change.reason == (
        f"content changed (sha256 {old.digest.sha256[:8]}… -> {new.digest.sha256[:8]}…)"
    )
    assert change.segments_lost == 4
    assert change.notes == ()  # the blast radius is data: segments_lost, after.metadata
    assert change.before is not None and change.before["sha256"] == old.digest.sha256
    assert change.after is not None and change.after["sha256"] == new.digest.sha256


def test_replace_without_metadata_or_segments_has_no_notes() -> None:
    old, new = declare("a.csv", "sequence\n0\n"), declare("a.csv", "sequence\n1\n")
    change = only(plan_for(desired_state([new]), mirror(desired_state([old]), [old])))
    assert (change.action, change.notes, change.segments_lost) == (Action.REPLACE, (), 0)


def test_replace_keeps_fields_capdecl_does_not_manage() -> None:
    old = declare("walk.csv", "sequence\n0\n", configuration="nano", sample_rate=100)
    live = mirror(desired_state([old], configurations=[NANO]), [old])
    legacy = live_field("Legacy", ["x"])
    live = dataclasses.replace(
        live,
        metadata=(legacy,),
        relationships=(relationship(uid("capture:walk.csv"), "Legacy", "x"),),
    )
    new = declare("walk.csv", "sequence\n1\n", metadata={"Subject": "bob"})
    desired = desired_state([new], metadata=[SUBJECT], configurations=[NANO])
    change = next(c for c in capture_changes(plan_for(desired, live)))
    assert change.action is Action.REPLACE
    assert change.after is not None
    assert change.after["configuration"] == "nano"
    assert change.after["sample_rate"] == 100
    assert change.after["metadata"] == {"Legacy": "x", "Subject": "bob"}
    assert change.diffs[1:] == (FieldDiff("metadata.Subject", None, "bob"),)
    assert change.notes == ()


def test_unverified_capture_with_equal_size_and_samples_is_listed_not_changed() -> None:
    walk = declare("walk.csv")
    live = mirror(desired_state([walk]), [walk], ledger={})
    plan = plan_for(desired_state([walk]), live)
    assert plan.is_empty
    assert plan.unverified == ("walk.csv",)


def test_unverified_capture_with_unknown_samples_compares_size_only() -> None:
    walk = declare("walk.csv", samples=None)
    live = replace_capture(
        mirror(desired_state([walk]), [walk], ledger={}), "walk.csv", number_samples=7
    )
    assert plan_for(desired_state([walk]), live).unverified == ("walk.csv",)


@pytest.mark.parametrize(
    ("size", "samples", "diffs", "detail"),
    [
        (10, 3, [FieldDiff("size", 10, 22, True)], "size 10 -> 22 bytes"),
        (22, 9, [FieldDiff("samples", 9, 3, True)], "samples 9 -> 3"),
        (
            10,
            9,
            [FieldDiff("size", 10, 22, True), FieldDiff("samples", 9, 3, True)],
            "size 10 -> 22 bytes, samples 9 -> 3",
        ),
    ],
)
def test_unverified_capture_that_differs_is_replaced(
    size: int, samples: int, diffs: list[FieldDiff], detail: str
) -> None:
    walk = declare("walk.csv")
    assert walk.digest.size == 22
    live = replace_capture(
        mirror(desired_state([walk]), [walk], ledger={}),
        "walk.csv",
        file_size=size,
        number_samples=samples,
    )
    plan = plan_for(desired_state([walk]), live)
    change = only(plan)
    assert change.action is Action.REPLACE
    assert list(change.diffs) == diffs
    assert change.reason == f"content differs from the unverified server copy ({detail})"
    assert change.before is not None and change.before["sha256"] is None
    assert plan.unverified == ()


def test_pending_entry_vouches_for_content_and_plans_ledger_housekeeping() -> None:
    walk = declare("walk.csv")
    entry = LedgerEntry(walk.digest.sha256, walk.digest.size)
    live = mirror(desired_state([walk]), [walk], ledger={}, pending={"walk.csv": entry})
    plan = plan_for(desired_state([walk]), live)
    change = only(plan)
    assert (change.kind, change.action) == (Kind.PROJECT, Action.UPDATE)
    assert plan.unverified == ()


def test_pending_entry_with_other_content_is_a_replace() -> None:
    walk = declare("walk.csv")
    entry = LedgerEntry(sha("something else"), walk.digest.size)
    live = mirror(desired_state([walk]), [walk], ledger={}, pending={"walk.csv": entry})
    changes = capture_changes(plan_for(desired_state([walk]), live))
    assert [c.action for c in changes] == [Action.REPLACE]
    assert changes[0].reason is not None and changes[0].reason.startswith("content changed")


def test_pending_entry_of_another_size_does_not_vouch() -> None:
    walk = declare("walk.csv")
    entry = LedgerEntry(sha("other"), walk.digest.size + 1)
    live = mirror(desired_state([walk]), [walk], ledger={}, pending={"walk.csv": entry})
    plan = plan_for(desired_state([walk]), live)
    assert capture_changes(plan) == []
    assert plan.unverified == ("walk.csv",)


def test_in_place_fields_are_one_update() -> None:
    old = declare("walk.csv", configuration="nano", sample_rate=100, metadata={"Subject": "ann"})
    new = declare("walk.csv", configuration="other", sample_rate=50, metadata={"Subject": "bob"})
    live = mirror(desired_state([old], metadata=[SUBJECT], configurations=[NANO, OTHER]), [old])
    desired = desired_state([new], metadata=[SUBJECT], configurations=[NANO, OTHER])
    change = only(plan_for(desired, live))
    assert (change.action, change.uuid) == (Action.UPDATE, uid("capture:walk.csv"))
    assert change.diffs == (
        FieldDiff("configuration", "nano", "other"),
        FieldDiff("sample_rate", 100, 50),
        FieldDiff("metadata.Subject", "ann", "bob"),
    )
    assert change.before == {
        "name": "walk.csv",
        "sha256": old.digest.sha256,
        "size": old.digest.size,
        "samples": 3,
        "configuration": "nano",
        "sample_rate": 100,
        "metadata": {"Subject": "ann"},
    }
    assert change.after is not None
    assert (change.after["configuration"], change.after["sample_rate"]) == ("other", 50)


def test_metadata_value_missing_from_the_manifest_is_removed() -> None:
    old = declare("walk.csv", metadata={"Subject": "ann", "Gesture": "wave"})
    new = declare("walk.csv", metadata={"Gesture": "wave"})
    vocabulary = [SUBJECT, GESTURE]
    live = mirror(desired_state([old], metadata=vocabulary), [old])
    change = only(plan_for(desired_state([new], metadata=vocabulary), live))
    assert change.diffs == (FieldDiff("metadata.Subject", "ann", None),)
    assert change.after is not None and change.after["metadata"] == {"Gesture": "wave"}


def test_metadata_names_outside_the_vocabulary_are_untouched() -> None:
    walk = declare("walk.csv", metadata={"Subject": "ann"})
    desired = desired_state([walk], metadata=[SUBJECT])
    live = mirror(desired, [walk])
    live = dataclasses.replace(
        live,
        metadata=(*live.metadata, live_field("Legacy", ["x"])),
        relationships=(*live.relationships, relationship(uid("capture:walk.csv"), "Legacy", "x")),
    )
    assert plan_for(desired, live).is_empty


def test_unset_configuration_and_sample_rate_are_not_managed() -> None:
    linked = declare("walk.csv", configuration="nano", sample_rate=100)
    live = mirror(desired_state([linked], configurations=[NANO]), [linked])
    bare = declare("walk.csv")
    assert plan_for(desired_state([bare], configurations=[NANO]), live).is_empty


def test_relationships_with_unknown_uuids_are_ignored() -> None:
    walk = declare("walk.csv", metadata={"Subject": "ann"})
    desired = desired_state([walk], metadata=[SUBJECT])
    live = mirror(desired, [walk])
    stray = [
        live.relationships[0]._replace(uuid="r2", label="no-such-field"),
        live.relationships[0]._replace(uuid="r3", label_value="no-such-value"),
    ]
    live = dataclasses.replace(live, relationships=(*live.relationships, *stray))
    assert plan_for(desired, live).is_empty


def test_link_to_an_unknown_configuration_counts_as_unlinked() -> None:
    walk = declare("walk.csv", configuration="nano")
    desired = desired_state([walk], configurations=[NANO])
    live = replace_capture(mirror(desired, [walk]), "walk.csv", configuration_uuid="gone")
    assert only(plan_for(desired, live)).diffs == (FieldDiff("configuration", None, "nano"),)


def test_rename_is_detected_by_sha256() -> None:
    old = declare("walk-1.csv", "sequence,x\n0,1\n", metadata={"Subject": "ann"})
    new = declare("walk.csv", "sequence,x\n0,1\n", metadata={"Subject": "bob"})
    live = mirror(desired_state([old], metadata=[SUBJECT]), [old])
    change = only(plan_for(desired_state([new], metadata=[SUBJECT]), live))
    assert (change.action, change.name, change.uuid) == (
        Action.UPDATE,
        "walk.csv",
        uid("capture:walk-1.csv"),
    )
    assert change.diffs == (
        FieldDiff("name", "walk-1.csv", "walk.csv"),
        FieldDiff("metadata.Subject", "ann", "bob"),
    )
    assert change.reason == 'renamed from "walk-1.csv" (same SHA-256)'


def test_a_declared_live_capture_is_never_renamed() -> None:
    a = declare("a.csv", "same\n")
    b = declare("b.csv", "same\n")
    live = mirror(desired_state([a]), [a])
    plan = plan_for(desired_state([a, b]), live)
    assert [(c.action, c.name) for c in plan.changes] == [(Action.CREATE, "b.csv")]


def test_ambiguous_rename_candidates_pair_up_in_name_order() -> None:
    olds = [declare(n, "same\n") for n in ("old-b.csv", "old-a.csv")]
    news = [declare(n, "same\n") for n in ("new-2.csv", "new-1.csv", "new-3.csv")]
    live = mirror(desired_state(olds), olds)
    plan = plan_for(desired_state(news), live)
    assert [(c.action, c.name, c.diffs[0].before if c.diffs else None) for c in plan.changes] == [
        (Action.CREATE, "new-3.csv", None),
        (Action.UPDATE, "new-1.csv", "old-a.csv"),
        (Action.UPDATE, "new-2.csv", "old-b.csv"),
    ]


def test_rename_can_use_a_pending_entry() -> None:
    old = declare("old.csv", "bytes\n")
    entry = LedgerEntry(old.digest.sha256, old.digest.size)
    live = mirror(desired_state([old]), [old], ledger={}, pending={"old.csv": entry})
    plan = plan_for(desired_state([declare("new.csv", "bytes\n")]), live)
    assert [(c.kind, c.action) for c in plan.changes] == [
        (Kind.PROJECT, Action.UPDATE),
        (Kind.CAPTURE, Action.UPDATE),
    ]


def test_unverified_undeclared_capture_is_not_a_rename_candidate() -> None:
    old = declare("old.csv", "bytes\n")
    live = mirror(desired_state([old]), [old], ledger={})
    plan = plan_for(desired_state([declare("new.csv", "bytes\n")]), live)
    assert [c.action for c in plan.changes] == [Action.CREATE]
    assert plan.unmanaged == {"capture": 1}


@pytest.mark.parametrize("prune", [PruneScope.CAPTURES, PruneScope.ALL])
def test_undeclared_captures_are_deleted_when_pruning(prune: PruneScope) -> None:
    gone = declare("gone.csv", metadata={"Subject": "ann"})
    live = mirror(desired_state([gone], metadata=[SUBJECT]), [gone])
    live = dataclasses.replace(live, segments={uid("capture:gone.csv"): 2})
    desired = desired_state(metadata=[SUBJECT], policy=Policy(prune=prune))
    change = only(plan_for(desired, live))
    assert (change.action, change.name, change.uuid) == (
        Action.DELETE,
        "gone.csv",
        uid("capture:gone.csv"),
    )
    assert change.after is None
    assert change.before is not None and change.before["metadata"] == {"Subject": "ann"}
    assert (change.segments_lost, change.notes) == (2, ())


def test_delete_without_segments_has_no_notes() -> None:
    gone = declare("gone.csv")
    live = mirror(desired_state([gone]), [gone])
    change = only(plan_for(desired_state(policy=Policy(prune=PruneScope.CAPTURES)), live))
    assert (change.action, change.notes) == (Action.DELETE, ())


def test_undeclared_captures_are_unmanaged_without_pruning_or_when_protected() -> None:
    kept = [declare(n) for n in ("keep-1.csv", "keep-2.csv", "other.csv")]
    live = mirror(desired_state(kept), kept)
    assert plan_for(desired_state(), live).unmanaged == {"capture": 3}
    policy = Policy(prune=PruneScope.CAPTURES, protect=("keep-*",))
    plan = plan_for(desired_state(policy=policy), live)
    assert [(c.action, c.name) for c in plan.changes] == [(Action.DELETE, "other.csv")]
    assert plan.unmanaged == {"capture": 2}


@pytest.mark.parametrize(
    ("protect", "patterns"), [(True, ()), (False, ("walk*",))], ids=["flag", "pattern"]
)
def test_protected_capture_with_new_content_is_not_replaced(
    protect: bool, patterns: tuple[str, ...]
) -> None:
    old = declare("walk.csv", "sequence\n0\n", sample_rate=100)
    new = declare("walk.csv", "sequence\n1\n", sample_rate=50, protect=protect)
    live = mirror(desired_state([old]), [old])
    plan = plan_for(desired_state([new], policy=Policy(protect=patterns)), live)
    change = only(plan)
    assert change.action is Action.UPDATE
    assert change.diffs == (FieldDiff("sample_rate", 100, 50),)
    assert change.after is not None and change.after["sha256"] == old.digest.sha256
    assert plan.warnings == (
        'capture "walk.csv" is protected: its content changed but it will not be replaced',
    )


def test_declarations_the_planner_cannot_honour_are_warned_about() -> None:
    walk = declare("walk.csv", configuration="missing", metadata={"Unknown": "x"})
    plan = plan_for(desired_state([walk]), mirror(desired_state()))
    assert plan.warnings == (
        'capture "walk.csv" links configuration "missing", which is neither declared nor on '
        "the server",
        'capture "walk.csv" sets metadata "Unknown", which is not in the vocabulary; it is ignored',
    )
    assert only(plan).action is Action.CREATE


def test_configuration_only_on_the_server_can_be_linked_without_warning() -> None:
    walk = declare("walk.csv", configuration="server-side")
    config = LiveConfiguration(uuid="cfg", name="server-side", configuration=None)
    plan = plan_for(desired_state([walk]), mirror(desired_state(), configurations=(config,)))
    assert plan.warnings == ()


def test_names_are_matched_after_trimming() -> None:
    walk = declare("walk.csv")
    live = mirror(desired_state([walk]), [walk])
    padded = dataclasses.replace(walk, capture=dataclasses.replace(walk.capture, name=" walk.csv "))
    assert plan_for(desired_state([padded]), live).is_empty


def test_capture_fields_before_and_after_match_the_change_contract() -> None:
    walk = declare("walk.csv", sample_rate=5)
    live = replace_capture(mirror(desired_state([walk]), [walk]), "walk.csv", set_sample_rate=9)
    change = only(plan_for(desired_state([walk]), live))
    assert set(change.before or {}) == {
        "name",
        "sha256",
        "size",
        "samples",
        "configuration",
        "sample_rate",
        "metadata",
    }
    assert set(change.after or {}) == {
        "name",
        "path",
        "sha256",
        "size",
        "samples",
        "configuration",
        "sample_rate",
        "metadata",
    }


def test_live_capture_builder_sets_ledger_sized_fields() -> None:
    walk = declare("walk.csv")
    capture = live_capture_for(walk)
    assert isinstance(capture, LiveCapture)
    assert (capture.file_size, capture.number_samples) == (walk.digest.size, 3)


def test_local_copy_of_the_stored_bytes_is_the_same_content() -> None:
    """After `export --download` the ledger knows both the uploaded and the stored bytes of
    a capture the server rewrote; a checkout holding either plans no change."""
    uploaded = declare("walk.csv", "x\n1\n", metadata={"Subject": "ann"})
    stored = declare("walk.csv", "sequence,x\n0,1\n", metadata={"Subject": "ann"})
    live = mirror(desired_state([uploaded], metadata=[SUBJECT]), [uploaded])
    uuid = uid("capture:walk.csv")
    entry = live.ledger[uuid]
    both = dataclasses.replace(entry, stored_sha256=stored.digest.sha256)
    live = dataclasses.replace(live, ledger={uuid: both})
    for copy in (uploaded, stored):
        assert plan_for(desired_state([copy], metadata=[SUBJECT]), live).changes == ()


def test_rename_by_the_stored_hash_claims_the_capture_once() -> None:
    """After `export --download` a live capture is known by its uploaded and its stored
    hash; a local copy of either renames it, but only one declared capture can."""
    uploaded = declare("old.csv", "x\n1\n")
    stored_text = "sequence,x\n0,1\n"
    live = mirror(desired_state([uploaded]), [uploaded])
    uuid = uid("capture:old.csv")
    stored = declare("new-1.csv", stored_text)
    both = dataclasses.replace(live.ledger[uuid], stored_sha256=stored.digest.sha256)
    live = dataclasses.replace(live, ledger={uuid: both})
    again = declare("new-2.csv", "x\n1\n")  # the uploaded bytes, under another new name
    plan = plan_for(desired_state([stored, again]), live)
    assert [(c.action, c.name, c.uuid) for c in plan.changes] == [
        (Action.CREATE, "new-2.csv", None),
        (Action.UPDATE, "new-1.csv", uuid),
    ]
