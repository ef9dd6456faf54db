"""Apply reporters: human (TTY and plain) and JSON lines, with a fixed clock."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest

from capdecl.apply import ApplyResult, HumanReporter, JsonReporter, Reporter, StepEvent
from capdecl.apply.report import format_duration, format_size
from capdecl.errors import StepFailure
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"


class TickClock:
    """Monotonic time that advances by ``step`` seconds on every reading."""

    def __init__(self, step: float) -> None:
        self.now = 100.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


FAILED = ApplyResult(
    counts={"added": 1, "changed": 1, "replaced": 1, "destroyed": 1},
    failures=(StepFailure('capture "bad.csv" upload', "POST /project/{p}/capture/ failed 400"),),
    written=9,
    steps=6,
    failed_steps=1,
)
OK = ApplyResult(counts={"added": 3, "changed": 2, "replaced": 1, "destroyed": 0}, steps=6)


def drive(reporter: Reporter, result: ApplyResult) -> None:
    """A typical apply: three uploads (one fails), an update, a delete."""
    sizes = [12_700, 2_048, 1_500_000]
    total = sum(sizes)
    reporter.step(StepEvent("metadata", "create", "Subject"))
    reporter.step(StepEvent("configuration", "update", "imu", fields=("configuration",)))
    reporter.progress(0, 3, 0, total)
    reporter.step(StepEvent("capture", "create", "S01_wave_1.csv", size=sizes[0]))
    reporter.progress(1, 3, sizes[0], total)
    reporter.step(StepEvent("capture", "create", "bad.csv", "failed", "upload", "server said no"))
    reporter.progress(2, 3, sizes[0] + sizes[1], total)
    reporter.step(StepEvent("capture", "replace", "S02_idle.wav", size=sizes[2]))
    reporter.progress(3, 3, total, total)
    reporter.step(
        StepEvent("capture", "update", "x.csv", fields=("sample_rate", "metadata.Subject"))
    )
    reporter.step(StepEvent("capture", "delete", "old.csv"))
    reporter.step(StepEvent("ledger", "update", "ledger", "failed", "update", "timed out"))
    reporter.finish(result)


def test_human_plain_output(tmp_path: Path) -> None:
    out = io.StringIO()
    drive(HumanReporter(out, tty=False, clock=TickClock(6.0), interval=10.0), FAILED)
    assert_golden(GOLDEN / "human-plain.txt", out.getvalue())


def test_human_tty_output_rewrites_the_progress_line() -> None:
    out = io.StringIO()
    drive(HumanReporter(out, tty=True, clock=TickClock(2.0)), OK)
    text = out.getvalue()
    assert_golden(GOLDEN / "human-tty.txt", text)
    # what a terminal finally shows: no progress line left behind
    screen = [line.rsplit("\r\x1b[K", 1)[-1] for line in text.split("\n")]
    assert not any(line.startswith("Uploading:") for line in screen)


def test_json_events_parse() -> None:
    out = io.StringIO()
    drive(JsonReporter(out), FAILED)
    text = out.getvalue()
    assert_golden(GOLDEN / "events.jsonl", text)
    events = [json.loads(line) for line in text.splitlines()]
    assert [e["type"] for e in events].count("progress") == 4
    failed = [e for e in events if e["type"] == "step" and e["status"] == "failed"]
    assert [(e["kind"], e["name"], e["error"]) for e in failed] == [
        ("capture", "bad.csv", "server said no"),
        ("ledger", "ledger", "timed out"),
    ]
    summary = events[-1]
    assert summary["type"] == "summary" and summary["status"] == "failed"
    assert summary["failures"] == [
        {"step": 'capture "bad.csv" upload', "cause": "POST /project/{p}/capture/ failed 400"}
    ]


@pytest.mark.parametrize("tty", [True, False])
def test_human_summary_of_a_clean_apply(tty: bool) -> None:
    out = io.StringIO()
    HumanReporter(out, tty=tty, clock=TickClock(1.0)).finish(OK)
    assert out.getvalue() == "Apply complete: 3 added, 2 changed, 1 replaced, 0 destroyed.\n"


def test_reporters_are_thread_safe() -> None:
    out = io.StringIO()
    reporter = JsonReporter(out)

    def emit(worker: int) -> None:
        for i in range(200):
            reporter.step(StepEvent("capture", "create", f"w{worker}-{i}.csv", size=i))
            reporter.progress(i, 200, i, 200)

    threads = [threading.Thread(target=emit, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(events) == 4 * 200 * 2
    names = {e["name"] for e in events if e["type"] == "step"}
    assert len(names) == 800


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (12_700, "12.4 KiB"),
        (3 << 20, "3.0 MiB"),
        (5 << 40, "5.0 TiB"),
        (5 << 50, "5120.0 TiB"),
    ],
)
def test_format_size(size: int, text: str) -> None:
    assert format_size(size) == text


@pytest.mark.parametrize(("seconds", "text"), [(0, "0:00"), (59.6, "1:00"), (3725, "1:02:05")])
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
