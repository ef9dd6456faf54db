"""When and how long to wait before trying a request again.

Exponential backoff with *full jitter* (a uniform draw between 0 and the exponential
ceiling), so parallel uploads that fail together do not retry together. A server's
``Retry-After`` wins over the computed delay but is capped, so a misbehaving proxy cannot
park an apply for an hour. ``sleep`` and ``rng`` are injectable: tests pass a sleep that
records the delays instead of waiting.

Which *requests* may be retried is decided by the caller (idempotent reads and writes
only); this module only says which *answers* are worth another try.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

# Answers worth another try for an idempotent request: 429 says the request was not
# processed; 502/503/504 come from proxies and gateways in front of the application; 500 is
# the application failing, which for a repeatable request costs only a few retries even
# when it is deterministic.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How many attempts a request gets and how long to wait between them."""

    max_attempts: int = 5
    base_delay: float = 0.2  # seconds; ceiling of the first backoff
    max_delay: float = 10.0  # ceiling of any computed backoff
    max_retry_after: float = 30.0  # cap on a server-requested Retry-After
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.max_retry_after < 0:
            raise ValueError("RetryPolicy delays must not be negative")

    def delay(self, failures: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``failures``-th failed attempt (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        ceiling = min(self.max_delay, self.base_delay * (2 ** max(failures - 1, 0)))
        return self.rng.uniform(0.0, ceiling)

    def pause(self, failures: int, retry_after: float | None = None) -> None:
        """Sleep before the next attempt."""
        self.sleep(self.delay(failures, retry_after))


def retry_after_seconds(headers: Mapping[str, str], *, now: datetime | None = None) -> float | None:
    """The ``Retry-After`` header as seconds (delta-seconds or HTTP-date), None if absent
    or unreadable."""
    raw = headers.get("Retry-After")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = now or datetime.now(timezone.utc)
    return max((when - current).total_seconds(), 0.0)
