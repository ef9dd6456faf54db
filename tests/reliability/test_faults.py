"""Applies of about 300 changes against a sandbox where 15 % of the requests fail.

Each seed applies 150 captures (two metadata values each) and a configuration, then 150
updates (a metadata value and the sample rate of every capture), repeating ``apply``
until a run ends without failures. Afterwards, with faults off, the server must equal the
manifests: no duplicate capture, no missing or extra capture, every declared metadata
value present exactly once, configuration and sample rate right, a ledger entry with the
local file's SHA-256 for every capture, no pending entry left, and an empty plan.

Retries never sleep (the client's RetryPolicy gets a no-op sleep; Retry-After is 0).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from capdecl.sandbox import SandboxHandle
from tests.reliability.conftest import Figures
from tests.reliability.scenarios import FaultRun, fault_scenario

# The client's default budget of 5 attempts per request absorbs nearly every fault.
STANDARD_SEEDS = (1, 2, 3, 4, 5)
# With 2 attempts per request, faults become step failures that only another apply can
# repair: this proves that re-running apply converges, and how fast.
HARSH_SEEDS = (11, 12, 13)


def assert_no_data_lost(run: FaultRun) -> None:
    found = run.audit
    assert found.duplicates == [], "duplicate captures"
    assert (found.missing, found.undeclared) == ([], []), "captures missing or extra"
    assert found.lost_values == [], "lost metadata values"
    assert found.wrong_fields == [], "wrong configuration or sample rate"
    assert found.ledger == [], "ledger entries wrong, missing or pending"
    assert found.plan == [], "a fresh plan is not empty"


def assert_faults_happened(run: FaultRun) -> None:
    assert all(count > 0 for count in run.faults.values()), run.faults
    # about 15 % of the requests (drop/error/throttle on any request, commit_drop on writes)
    assert 0.08 * run.requests <= sum(run.faults.values()) <= 0.22 * run.requests


@pytest.mark.parametrize("seed", STANDARD_SEEDS)
def test_apply_under_15_percent_faults_loses_nothing(
    seed: int, sandbox: SandboxHandle, tmp_path: Path, figures: Figures
) -> None:
    run = fault_scenario(sandbox, tmp_path / "manifests", seed)
    figures.record("faults", **run.figures())
    assert run.changes >= 300
    assert_faults_happened(run)
    assert_no_data_lost(run)
    assert run.applies <= 4  # two phases; at most one extra apply in all


@pytest.mark.parametrize("seed", HARSH_SEEDS)
def test_step_failures_are_repaired_by_applying_again(
    seed: int, sandbox: SandboxHandle, tmp_path: Path, figures: Figures
) -> None:
    run = fault_scenario(sandbox, tmp_path / "manifests", seed, attempts=2, max_runs=6)
    figures.record("faults_two_attempts", **run.figures())
    assert_faults_happened(run)
    assert run.step_failures > 0  # the earlier applies did fail part-way
    assert_no_data_lost(run)
    assert run.applies <= 8  # two phases, four applies each at most
