"""Scenarios shared by the reliability tests and ``python -m tests.reliability.report``.

A scenario works on a generated manifest directory (:func:`write_project`) and a sandbox
on 127.0.0.1; :func:`audit` compares the server with the manifests independently of the
planner (names, metadata values, configuration, sample rate, ledger digests), and also
asks the planner whether anything is left to do.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from capdecl.apply import ApplyOptions, ApplyResult, HumanReporter, apply_plan
from capdecl.client.auth import Authenticator, Credentials
from capdecl.client.http import SensiMLClient
from capdecl.client.retry import RetryPolicy
from capdecl.errors import CapdeclError
from capdecl.hashing import digest_files
from capdecl.manifest import load_project
from capdecl.planner import build_plan
from capdecl.planner.model import Plan
from capdecl.sandbox import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    SDK_CLIENT_ID,
    SDK_CLIENT_SECRET,
    FaultConfig,
    SandboxHandle,
)
from capdecl.state import DesiredState, LiveState
from tests.apply.conftest import CONFIG  # the same configuration as the apply tests

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SUBJECTS = tuple(f"s{i:02d}" for i in range(10))

# 15 % of API requests misbehave: 5 % server errors (500 JSON, 502/503 HTML), 3 % throttled
# (429, Retry-After: 0), 3 % dropped connections before processing, and 4 % of writes
# committed with the reply lost (the client cannot know the write happened).
FAULT_RATES = {"error_rate": 0.05, "throttle_rate": 0.03, "drop_rate": 0.03}
COMMIT_DROP_RATE = 0.04


def fault_config(seed: int) -> FaultConfig:
    return FaultConfig(seed=seed, retry_after=0.0, commit_drop_rate=COMMIT_DROP_RATE, **FAULT_RATES)


# --------------------------------------------------------------------------- manifests


def csv_text(index: int) -> str:
    """A small CSV with a ``sequence`` column (stored verbatim), distinct per index."""
    rows = 4 + index % 7
    lines = [f"{i},{(i * 7 + index) % 100},{(i * 3 + index) % 50}\n" for i in range(rows)]
    return "sequence,AccX,AccY\n" + "".join(lines)


@dataclass(frozen=True)
class Spec:
    """One declared capture: file ``data/c<index>.csv`` (content ``csv_text(content)``,
    default ``index``), server name (default the file name), metadata and sample rate."""

    index: int
    split: str = "train"
    rate: int = 100
    name: str | None = None
    content: int | None = None

    @property
    def file(self) -> str:
        return f"c{self.index:04d}.csv"


def write_manifests(root: Path, project: str, specs: list[Spec], *, prune: bool = False) -> None:
    """A manifest directory: two metadata names, one configuration, a capture per spec
    (each with the configuration, a sample rate and two metadata values). Data files are
    (re)written only when their content differs."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "imu.json").write_text(json.dumps(CONFIG), encoding="utf-8")
    (root / "data").mkdir(exist_ok=True)
    lines = [f"project: {project}"]
    if prune:
        lines += ["settings: {prune: captures, allow_replace: true}"]
    lines += [
        "metadata:",
        f"  Subject: {{values: [{', '.join(SUBJECTS)}]}}",
        "  Split: {values: [train, test]}",
        "configurations:",
        "  imu: {file: imu.json}",
        "captures:",
    ]
    for spec in specs:
        path = root / "data" / spec.file
        text = csv_text(spec.index if spec.content is None else spec.content)
        if not path.exists() or path.read_text(encoding="ascii") != text:
            path.write_text(text, encoding="ascii")
        lines.append(f"  - file: data/{spec.file}")
        if spec.name is not None:
            lines.append(f"    name: {spec.name}")
        subject = SUBJECTS[spec.index % len(SUBJECTS)]
        lines += [
            "    configuration: imu",
            f"    sample_rate: {spec.rate}",
            f"    metadata: {{Subject: {subject}, Split: {spec.split}}}",
        ]
    (root / "capdecl.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_project(
    root: Path, project: str, count: int, *, split: str = "train", rate: int = 100
) -> None:
    """``count`` captures ``c0000.csv``... with the same Split and sample rate."""
    write_manifests(root, project, [Spec(i, split, rate) for i in range(count)])


# --------------------------------------------------------------------------- client, plan, apply


TEST_AGENT = "capdecl-reliability-tests"


def make_client(url: str, seed: int = 0, attempts: int = 5) -> SensiMLClient:
    """A client whose retries never sleep (backoff delays are computed, not waited)."""
    credentials = Credentials(
        username=DEFAULT_USERNAME,
        password=DEFAULT_PASSWORD,
        client_id=SDK_CLIENT_ID,
        client_secret=SDK_CLIENT_SECRET,
        source="test",
    )
    retry = RetryPolicy(max_attempts=attempts, sleep=lambda _s: None, rng=random.Random(seed))
    return SensiMLClient(url, Authenticator(credentials), retry=retry, user_agent=TEST_AGENT)


def make_plan(root: Path, client: SensiMLClient) -> tuple[Plan, DesiredState, LiveState]:
    """The real plan pipeline: manifests, hash cache, live state, planner."""
    desired = load_project(root).desired
    digests = digest_files([c.path for c in desired.captures], root / ".capdecl")
    live = client.read_state(desired.project)
    return build_plan(desired, digests, live), desired, live


def plan_lines(root: Path, client: SensiMLClient) -> list[str]:
    """The next plan as ``"<action> <address>"`` lines."""
    plan, _, _ = make_plan(root, client)
    return [f"{c.action.value} {c.address}" for c in plan.changes]


def apply_once(root: Path, client: SensiMLClient, parallelism: int = 4) -> ApplyResult:
    plan, desired, live = make_plan(root, client)
    options = ApplyOptions(parallelism=parallelism)
    return apply_plan(plan, desired, live, client, options, HumanReporter(io.StringIO(), tty=False))


@dataclass
class Convergence:
    """The applies it took to converge: each one's result, or the error that stopped it
    before it could start (a read that failed even after retries)."""

    results: list[ApplyResult | CapdeclError] = field(default_factory=list)

    @property
    def runs(self) -> int:
        return len(self.results)

    @property
    def failures(self) -> int:
        """Step failures and whole runs that could not start."""
        return sum(len(r.failures) if isinstance(r, ApplyResult) else 1 for r in self.results)

    @property
    def changes(self) -> int:
        first = next((r for r in self.results if isinstance(r, ApplyResult)), None)
        return first.steps if first else 0

    @property
    def converged(self) -> bool:
        return (
            bool(self.results)
            and isinstance(self.results[-1], ApplyResult)
            and (self.results[-1].ok)
        )


def apply_until_converged(root: Path, client: SensiMLClient, max_runs: int) -> Convergence:
    """Apply until a run ends without failures (at most ``max_runs`` runs); a run whose
    plan could not be read counts as a failed run, as it would for the CLI (exit 1)."""
    done = Convergence()
    while done.runs < max_runs and not done.converged:
        try:
            done.results.append(apply_once(root, client))
        except CapdeclError as error:
            done.results.append(error)
    return done


# --------------------------------------------------------------------------- audit


@dataclass
class Audit:
    """Differences between the server and the manifests (all empty: they agree)."""

    duplicates: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    undeclared: list[str] = field(default_factory=list)
    lost_values: list[str] = field(default_factory=list)
    wrong_fields: list[str] = field(default_factory=list)
    ledger: list[str] = field(default_factory=list)
    plan: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not any(vars(self).values())


def sha256_of(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def audit(root: Path, client: SensiMLClient, *, plan: bool = True) -> Audit:
    """Compare the server with the manifests in ``root``, field by field."""
    desired = load_project(root).desired
    live = client.read_state(desired.project)
    found = Audit()
    counts = Counter(c.name for c in live.captures)
    found.duplicates = sorted(name for name, n in counts.items() if n > 1)
    declared = {c.name: c for c in desired.captures}
    found.missing = sorted(set(declared) - set(counts))
    found.undeclared = sorted(set(counts) - set(declared))
    _audit_captures(desired, live, found)
    if plan:
        found.plan = plan_lines(root, client)
    return found


def _audit_captures(desired: DesiredState, live: LiveState, found: Audit) -> None:
    names = {f.uuid: f.name for f in live.metadata}
    values = {v: value for f in live.metadata for value, v in f.values.items()}
    configurations = {c.uuid: c.name for c in live.configurations}
    declared = {c.name: c for c in desired.captures}
    for capture in live.captures:
        want = declared.get(capture.name)
        if want is None:
            continue
        rows = [r for r in live.relationships if r.capture == capture.uuid]
        have = Counter((names.get(r.label), values.get(r.label_value)) for r in rows)
        for key, value in want.metadata.items():
            if have[(key, value)] != 1:
                found.lost_values.append(f"{capture.name}: {key}={value} x{have[(key, value)]}")
        if len(rows) != len(want.metadata):
            found.lost_values.append(f"{capture.name}: {len(rows)} metadata rows")
        if configurations.get(capture.configuration_uuid or "") != want.configuration:
            found.wrong_fields.append(f"{capture.name}: configuration")
        if capture.set_sample_rate != want.sample_rate:
            found.wrong_fields.append(f"{capture.name}: sample rate {capture.set_sample_rate}")
        entry = live.ledger.get(capture.uuid)
        expected = (sha256_of(want.path), Path(want.path).stat().st_size)
        if entry is None or (entry.sha256, entry.size) != expected:
            found.ledger.append(f"{capture.name}: ledger entry {entry}")
    found.ledger += [f"pending entry {name}" for name in sorted(live.pending)]


def write_requests(stats: dict[str, int]) -> int:
    """Write requests among the sandbox's counts (logging in is not a write)."""
    return sum(
        n
        for key, n in stats.items()
        if key.split(" ", 1)[0] in WRITE_METHODS and "/oauth/" not in key
    )


# --------------------------------------------------------------------------- fault scenario


@dataclass
class FaultRun:
    """Figures of one seeded fault scenario."""

    seed: int
    attempts: int
    changes: int
    applies: int
    step_failures: int
    requests: int
    faults: dict[str, int]
    audit: Audit

    def figures(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "attempts_per_request": self.attempts,
            "changes": self.changes,
            "applies": self.applies,
            "step_failures_survived": self.step_failures,
            "requests": self.requests,
            "faults": self.faults,
            "faults_total": sum(self.faults.values()),
            "data_lost": 0 if self.audit.clean else 1,
        }


CAPTURES = 150
MAX_RUNS = 3


def fault_scenario(
    sandbox: SandboxHandle, root: Path, seed: int, *, attempts: int = 5, max_runs: int = MAX_RUNS
) -> FaultRun:
    """150 captures (2 metadata values each) and a configuration, then 150 updates (a
    metadata value and the sample rate of every capture), applied under 15 % faults until
    converged; audited with faults off. ``attempts`` is the client's retry budget per
    request: a small one turns faults into step failures that only another apply repairs."""
    project = f"faults-{seed}"
    sandbox.reset_stats()
    sandbox.set_faults(fault_config(seed))
    runs: list[Convergence] = []
    with make_client(sandbox.url, seed, attempts) as client:
        try:
            write_project(root, project, CAPTURES)
            runs.append(apply_until_converged(root, client, max_runs))
            write_project(root, project, CAPTURES, split="test", rate=200)
            runs.append(apply_until_converged(root, client, max_runs))
        finally:
            faults = sandbox.stats_faults()
            requests = sum(sandbox.stats().values())
            sandbox.set_faults(FaultConfig())
        found = audit(root, client)
    return FaultRun(
        seed=seed,
        attempts=attempts,
        changes=sum(r.changes for r in runs),
        applies=sum(r.runs for r in runs),
        step_failures=sum(r.failures for r in runs),
        requests=requests,
        faults=faults,
        audit=found,
    )
