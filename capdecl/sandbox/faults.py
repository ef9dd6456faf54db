"""Fault injection: make the sandbox misbehave like a real server behind a real proxy.

A :class:`FaultConfig` says how often each fault happens; a :class:`FaultInjector` draws the
faults from a seeded random generator, so a given seed and request sequence always gives the
same faults. Every request draws the same number of random numbers whatever the outcome, so
the fault that request *n* gets depends only on the seed and *n*.

Fault types:

``drop``         close the TCP connection before processing, without any response
``error``        answer 500 (JSON, like the server), 502 or 503 (HTML, like a proxy) before
                 processing
``throttle``     answer 429 with ``Retry-After`` before processing
``commit_drop``  process a write fully (it is committed), then close the connection without
                 sending the response: the client cannot know the write happened
``latency_ms``   wait this long before processing every request (not counted as a fault)
"""

from __future__ import annotations

import os
import random
import threading
from collections import Counter
from dataclasses import dataclass, fields
from enum import Enum

ENV_VAR = "CAPDECL_SANDBOX_FAULTS"

# Short names accepted in CAPDECL_SANDBOX_FAULTS, mapped to FaultConfig fields.
_ALIASES = {
    "seed": "seed",
    "latency_ms": "latency_ms",
    "latency": "latency_ms",
    "error": "error_rate",
    "error_rate": "error_rate",
    "throttle": "throttle_rate",
    "throttle_rate": "throttle_rate",
    "retry_after": "retry_after",
    "drop": "drop_rate",
    "drop_rate": "drop_rate",
    "commit_drop": "commit_drop_rate",
    "commit_drop_rate": "commit_drop_rate",
}
_KNOWN = "seed, latency_ms, error, throttle, retry_after, drop, commit_drop"
_RATES = ("error_rate", "throttle_rate", "drop_rate", "commit_drop_rate")


@dataclass(frozen=True, slots=True)
class FaultConfig:
    """How often each fault happens (rates are probabilities per request, 0..1)."""

    seed: int = 0
    latency_ms: float = 0.0
    error_rate: float = 0.0
    throttle_rate: float = 0.0
    retry_after: float = 1.0
    drop_rate: float = 0.0
    commit_drop_rate: float = 0.0

    def __post_init__(self) -> None:
        for name in _RATES:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        before = self.error_rate + self.throttle_rate + self.drop_rate
        if before > 1.0:
            raise ValueError("error_rate + throttle_rate + drop_rate must not exceed 1")
        if self.latency_ms < 0 or self.retry_after < 0:
            raise ValueError("latency_ms and retry_after must not be negative")

    @property
    def active(self) -> bool:
        """True when any fault or latency is configured."""
        return self.latency_ms > 0 or any(getattr(self, name) > 0 for name in _RATES)


def parse_faults(text: str) -> FaultConfig:
    """Parse ``"seed=3,error=0.1,throttle=0.05,retry_after=0,drop=0.05,commit_drop=0.05"``."""
    values: dict[str, float | int] = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        key, sep, raw = item.partition("=")
        field = _ALIASES.get(key.strip())
        if not sep or field is None:
            raise ValueError(f"bad fault setting {item!r} (known keys: {_KNOWN})")
        try:
            values[field] = int(raw) if field == "seed" else float(raw)
        except ValueError:
            raise ValueError(f"bad value for {key.strip()}: {raw.strip()!r}") from None
    return FaultConfig(**values)  # type: ignore[arg-type]


def faults_from_env(environ: dict[str, str] | None = None) -> FaultConfig | None:
    """The fault configuration in ``CAPDECL_SANDBOX_FAULTS``, or None when unset or empty."""
    text = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    return parse_faults(text) if text else None


class Fault(str, Enum):
    """A fault decided for one request."""

    DROP = "drop"
    ERROR = "error"
    THROTTLE = "throttle"
    COMMIT_DROP = "commit_drop"


@dataclass(frozen=True, slots=True)
class Decision:
    """What happens to one request: a fault before processing, a dropped reply, or neither."""

    before: Fault | None = None
    error_status: int = 500
    drop_reply: bool = False


_NO_FAULT = Decision()


class FaultInjector:
    """Draws faults per request from a seeded generator and counts the faults injected."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self.configure(config)

    def configure(self, config: FaultConfig | None) -> None:
        """Switch to a new configuration (None: no faults); re-seeds the generator."""
        with self._lock:
            self._config = config or FaultConfig()
            self._random = random.Random(self._config.seed)

    @property
    def config(self) -> FaultConfig:
        return self._config

    def decide(self, is_write: bool) -> Decision:
        """Decide the fate of the next API request (three draws, whatever the outcome)."""
        with self._lock:
            config = self._config
            if not config.active:
                return _NO_FAULT
            draw, pick, late = (self._random.random() for _ in range(3))
            decision = _classify(config, draw, pick, late, is_write)
            if decision.before is not None:
                self._counts[decision.before.value] += 1
            elif decision.drop_reply:
                self._counts[Fault.COMMIT_DROP.value] += 1
            return decision

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {fault.value: self._counts[fault.value] for fault in Fault}

    def reset_counts(self) -> None:
        with self._lock:
            self._counts.clear()


def _classify(config: FaultConfig, draw: float, pick: float, late: float, write: bool) -> Decision:
    """Map three uniform draws to a decision."""
    edge = config.drop_rate
    if draw < edge:
        return Decision(before=Fault.DROP)
    if draw < edge + config.error_rate:
        return Decision(before=Fault.ERROR, error_status=(500, 502, 503)[int(pick * 3) % 3])
    if draw < edge + config.error_rate + config.throttle_rate:
        return Decision(before=Fault.THROTTLE)
    if write and late < config.commit_drop_rate:
        return Decision(drop_reply=True)
    return _NO_FAULT


def config_fields() -> tuple[str, ...]:
    """The FaultConfig field names (for CLI help and tests)."""
    return tuple(f.name for f in fields(FaultConfig))
