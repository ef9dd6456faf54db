"""Capture uploads (CREATE and REPLACE) with the ledger kept safe at every point.

Order, per apply:

1. check each capture's dependencies (configuration, metadata names and values) and,
   through the hash cache, that its file still has the SHA-256 the plan recorded;
2. for replacements: back up (optional) and delete the old captures;
3. write one ledger update: a *pending* entry (name -> sha256:size) for every capture
   about to be uploaded, and the removal of the deleted uuids. A process killed during
   the uploads thus leaves content the next plan can vouch for. Writing the pending
   entries only after the old captures are gone means a pending entry can never be
   mistaken for the content of the capture it replaces;
4. upload on ``parallelism`` threads; every ``flush_seconds`` (or ``flush_every``
   uploads, when set) and at the end the finished ones become uuid entries and their
   pending entries go.

A failed upload is reported and skips only that capture's later steps.
"""

from __future__ import annotations

import queue
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from capdecl.apply.backup import Backups
from capdecl.apply.context import ApplyContext
from capdecl.apply.pool import run_parallel
from capdecl.errors import CapdeclError, NotFoundError, ServerError
from capdecl.hashing import HashCache
from capdecl.planner.model import Action, Change, Kind
from capdecl.state import LedgerEntry, LiveCapture

CACHE_DIR = ".capdecl"


@dataclass(frozen=True)
class UploadJob:
    change: Change
    name: str
    path: Path
    entry: LedgerEntry
    configuration_uuid: str | None
    sample_rate: int | None


@dataclass
class UploadOutcome:
    job: UploadJob
    capture: LiveCapture | None = None
    error: Exception | None = None


Uploaded = list[tuple[Change, str]]  # (change, new capture uuid)


def run_uploads(ctx: ApplyContext, backups: Backups | None) -> Uploaded:
    """Upload every CREATE and REPLACE capture; returns those that were uploaded."""
    changes = [
        c
        for c in ctx.plan.changes
        if c.kind is Kind.CAPTURE and c.action in (Action.CREATE, Action.REPLACE)
    ]
    jobs = _verify(ctx, [job for c in changes if (job := _prepare(ctx, c)) is not None])
    jobs = _remove_replaced(ctx, jobs, backups)
    if not jobs:
        return []
    ctx.journal.queue(add_pending={job.name: job.entry for job in jobs})
    error = ctx.flush_ledger()
    if error is not None:
        ctx.journal.add_pending.clear()
        ctx.fail_ledger("pending entries", error)
        for job in jobs:
            ctx.fail(job.change, "upload", "skipped: the ledger could not be updated")
        return []
    ctx.pending_written.update(job.name for job in jobs)
    return _upload_all(ctx, jobs)


def _prepare(ctx: ApplyContext, change: Change) -> UploadJob | None:
    after = change.after or {}
    name = str(after.get("name", change.name))
    metadata = dict(after.get("metadata") or {})
    config = after.get("configuration")
    blocker = ctx.blocker(metadata, config)
    if blocker is not None:
        ctx.fail(change, "upload", blocker)
        return None
    declared = next((c for c in ctx.desired.captures if c.name == name), None)
    path = Path(declared.path) if declared else Path(ctx.desired.root) / str(after["path"])
    rate = after.get("sample_rate")
    return UploadJob(
        change=change,
        name=name,
        path=path,
        entry=LedgerEntry(sha256=str(after["sha256"]), size=int(after["size"])),
        configuration_uuid=ctx.ids.configurations[config] if config is not None else None,
        sample_rate=int(rate) if rate is not None else None,
    )


def _verify(ctx: ApplyContext, jobs: list[UploadJob]) -> list[UploadJob]:
    """Drop (as failures) jobs whose file is unreadable or changed since the plan."""
    if not ctx.options.verify_files or not jobs:
        return jobs
    with HashCache(Path(ctx.desired.root) / CACHE_DIR) as cache:
        digests, problems = cache.try_digest([str(job.path) for job in jobs])
    kept = []
    for job in jobs:
        digest = digests.get(str(job.path))
        if digest is None:
            ctx.fail(job.change, "upload", f"cannot read {job.path}: {problems[str(job.path)]}")
        elif (digest.sha256, digest.size) != (job.entry.sha256, job.entry.size):
            ctx.fail(
                job.change,
                "upload",
                f"{job.path} changed since the plan was made "
                f"(sha256 {digest.sha256[:12]}, planned {job.entry.sha256[:12]})",
            )
        else:
            kept.append(job)
    return kept


def _remove_replaced(
    ctx: ApplyContext, jobs: list[UploadJob], backups: Backups | None
) -> list[UploadJob]:
    """Back up and delete the captures being replaced; drop jobs whose delete failed."""
    replacing = [job for job in jobs if job.change.action is Action.REPLACE]

    def remove(job: UploadJob) -> tuple[str, Exception] | None:
        return remove_capture(ctx, str(job.change.uuid), backups)

    failed: set[int] = set()
    for job, problem in run_parallel(ctx.options.parallelism, replacing, remove):
        if problem is not None:
            ctx.fail(job.change, problem[0], str(problem[1]))
            failed.add(id(job))
            continue
        ctx.journal.queue(remove=[str(job.change.uuid)])
        ctx.removed.add(str(job.change.uuid))
        if ctx.ids.captures.get(job.name) == job.change.uuid:
            del ctx.ids.captures[job.name]
    return [job for job in jobs if id(job) not in failed]


def remove_capture(
    ctx: ApplyContext, uuid: str, backups: Backups | None
) -> tuple[str, Exception] | None:
    """Worker thread: back up (optional) and delete one capture. Returns the failed step
    and its error; a capture that is already gone counts as deleted."""
    if backups is not None:
        try:
            backups.save(ctx.project_uuid, uuid)
        except (CapdeclError, OSError) as error:
            return "backup", error
    try:
        ctx.writer.delete_capture(ctx.project_uuid, uuid)
    except NotFoundError:
        pass
    except (CapdeclError, OSError) as error:
        return "delete", error
    return None


def _upload_one(ctx: ApplyContext, job: UploadJob) -> UploadOutcome:
    """Worker thread: one upload; expected errors are returned, not raised."""
    try:
        capture = ctx.writer.upload_capture(
            ctx.project_uuid,
            job.name,
            job.path,
            configuration_uuid=job.configuration_uuid,
            set_sample_rate=job.sample_rate,
        )
    except (CapdeclError, OSError) as error:
        return UploadOutcome(job, error=error)
    return UploadOutcome(job, capture=capture)


def _upload_all(ctx: ApplyContext, jobs: list[UploadJob]) -> Uploaded:
    """Run the uploads on the pool; record results and flush the ledger periodically.

    Finished uploads arrive on a queue (each future posts itself when done), so the main
    thread's work per upload is constant; waiting on the set of running futures would
    cost O(running) per completion, quadratic over a large apply."""
    options = ctx.options
    total_bytes = sum(job.entry.size for job in jobs)
    done_files = done_bytes = unflushed = 0
    uploaded: Uploaded = []
    finished: queue.SimpleQueue[Future[UploadOutcome]] = queue.SimpleQueue()
    ctx.reporter.progress(0, len(jobs), 0, total_bytes)
    last_flush = options.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, min(options.parallelism, len(jobs)))) as pool:
        futures = [pool.submit(_upload_one, ctx, job) for job in jobs]
        for future in futures:
            future.add_done_callback(finished.put)
        try:
            while done_files < len(jobs):
                left = options.flush_seconds - (options.monotonic() - last_flush)
                outcome = _next_outcome(finished, max(0.0, left))
                if outcome is not None:
                    _record(ctx, outcome, uploaded)
                    done_files += 1
                    done_bytes += outcome.job.entry.size
                    unflushed += 1
                    ctx.reporter.progress(done_files, len(jobs), done_bytes, total_bytes)
                elapsed = options.monotonic() - last_flush
                counted = options.flush_every is not None and unflushed >= options.flush_every
                if counted or elapsed >= options.flush_seconds:
                    ctx.flush_ledger()
                    last_flush, unflushed = options.monotonic(), 0
        finally:
            for future in futures:
                future.cancel()
            ctx.flush_ledger()
    return uploaded


def _next_outcome(
    finished: queue.SimpleQueue[Future[UploadOutcome]], timeout: float
) -> UploadOutcome | None:
    """The next finished upload, or None when none finishes within ``timeout``."""
    try:
        return finished.get(timeout=timeout).result()
    except queue.Empty:
        return None


def _record(ctx: ApplyContext, outcome: UploadOutcome, uploaded: Uploaded) -> None:
    """Main thread: queue the ledger entries of one finished upload and report it."""
    job = outcome.job
    if outcome.capture is not None:
        uuid = outcome.capture.uuid
        ctx.journal.queue(add={uuid: job.entry}, remove_pending=[job.name])
        ctx.ids.captures[job.name] = uuid
        uploaded.append((job.change, uuid))
        ctx.ok(job.change, size=job.entry.size)
        return
    if _certainly_not_created(outcome.error):
        ctx.journal.queue(remove_pending=[job.name])  # nothing for it to vouch for
    ctx.fail(job.change, "upload", str(outcome.error))


def _certainly_not_created(error: Exception | None) -> bool:
    """True when the server refused the upload (4xx) or the file could not be read:
    then no capture was created. After a 5xx or a transport error it may have been.

    A refusal because the name already exists is not "not created": another apply may
    have created that capture, and its pending entry (the same name) vouches for it."""
    if isinstance(error, OSError):
        return True
    if isinstance(error, ServerError):
        status = error.request.status
        exists = _NAME_EXISTS in error.server_message
        return status is not None and status < 500 and not exists
    return False


# the server's duplicate-name refusal (sensiml-api.md §4.4)
_NAME_EXISTS = "already contains a file with the name"
