"""Non-idempotent writes that are never retried blindly.

A create whose answer was lost may or may not have happened. Sending it again could
duplicate it (a second capture) or fail confusingly ("name already exists"). So after an
*ambiguous* failure (a timeout, a dropped connection, a 5xx) :func:`create_once` asks the
caller's ``find`` what the server now holds: found -> that is our object, done; not found ->
the write did not happen, send it again. ``find`` raises AmbiguousWriteError when it
finds something that is not ours (a capture of that name with another size).

Failures that surely did not reach the application (connection refused, 429) are simply
retried after the backoff. A 400 on a *retry* is treated as ambiguous too: it is usually
the server saying our first attempt already created the object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from capdecl.client.multipart import MultipartStream
from capdecl.client.responses import raise_for_answer
from capdecl.client.retry import retry_after_seconds
from capdecl.client.transport import SendFailure, Transport
from capdecl.errors import RequestInfo

T = TypeVar("T")


def create_once(
    transport: Transport,
    method: str,
    path: str,
    *,
    parse: Callable[[Any], T],
    find: Callable[[], T | None],
    payload: Callable[[], Any] | None = None,
    multipart: Callable[[], MultipartStream] | None = None,
    created: int = 201,
    resend_first: bool = False,
) -> T:
    """Send a non-idempotent write; ``find`` settles ambiguous failures.

    ``payload`` is called for every attempt (so ``find`` may shrink it). With
    ``resend_first`` (writes that fail whole when repeated, like the bulk delete) an
    ambiguous failure is resent as is, and only a 400 on a retry consults ``find``.
    """
    policy = transport.retry
    reason = ""
    retry_after: float | None = None
    for attempt in range(1, policy.max_attempts + 1):
        if attempt > 1:
            policy.pause(attempt - 1, retry_after)
        retry_after = None
        body = None if payload is None else payload()
        try:
            response = transport.send(method, path, attempt=attempt, json=body, multipart=multipart)
        except SendFailure as failure:
            reason = failure.reason
            if failure.maybe_processed and not resend_first and (found := find()) is not None:
                return found
            continue
        status = response.status_code
        if status == created:
            return parse(transport.decode(response, method, path))
        last = attempt == policy.max_attempts
        if status == 429 and not last:  # throttled: not processed
            retry_after = retry_after_seconds(response.headers)
            reason = "the server answered 429"
            continue
        if status >= 500 or (status == 400 and attempt > 1):
            if (status == 400 or not resend_first) and (found := find()) is not None:
                return found
            if status >= 500 and not last:
                retry_after = retry_after_seconds(response.headers)
                reason = f"the server answered {status}"
                continue
        raise_for_answer(response, RequestInfo(method, "/" + path, status))
    raise transport.gave_up(method, path, reason)
