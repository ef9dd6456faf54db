"""A bounded thread pool whose results are handled on the calling thread."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def run_parallel(
    parallelism: int, items: Sequence[T], work: Callable[[T], R]
) -> Iterator[tuple[T, R]]:
    """Run ``work`` on every item with at most ``parallelism`` threads; yield
    ``(item, result)`` in completion order. ``work`` must catch its expected errors:
    anything it raises cancels the items not started yet and propagates."""
    if not items:
        return
    with ThreadPoolExecutor(max_workers=max(1, min(parallelism, len(items)))) as pool:
        futures: dict[Future[R], T] = {pool.submit(work, item): item for item in items}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()
