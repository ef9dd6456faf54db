"""RetryPolicy: full-jitter backoff, Retry-After honoured and capped."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from capdecl.client.retry import RetryPolicy, retry_after_seconds


def test_backoff_is_full_jitter_under_an_exponential_ceiling() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0, rng=random.Random(7))
    for failures, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (9, 3.0)]:
        delays = [policy.delay(failures) for _ in range(200)]
        assert min(delays) >= 0.0 and max(delays) <= ceiling
        assert max(delays) > ceiling * 0.8  # jitter spans the whole range


def test_retry_after_wins_and_is_capped() -> None:
    policy = RetryPolicy(max_retry_after=30.0)
    assert policy.delay(1, retry_after=0.0) == 0.0
    assert policy.delay(3, retry_after=4.5) == 4.5
    assert policy.delay(1, retry_after=3600.0) == 30.0


def test_pause_calls_the_injected_sleep() -> None:
    slept: list[float] = []
    policy = RetryPolicy(base_delay=1.0, sleep=slept.append, rng=random.Random(1))
    policy.pause(1)
    policy.pause(2, retry_after=2.0)
    assert len(slept) == 2 and 0.0 <= slept[0] <= 1.0 and slept[1] == 2.0


def test_retry_after_header_forms() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds({"Retry-After": "7"}) == 7.0
    assert retry_after_seconds({"Retry-After": " 0 "}) == 0.0
    assert retry_after_seconds({"Retry-After": later}, now=now) == 90.0
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({"Retry-After": "nan"}) is None
    assert retry_after_seconds({}) is None


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(base_delay=-1)
