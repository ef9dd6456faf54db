"""Stream a capture's stored bytes to a file, atomically.

The download route has only a binary renderer, so its errors are not JSON: the status
says it all (404: no such capture or no file). A transfer cut off half-way is retried
from the start; ``dest`` only ever holds a complete copy.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import requests

from capdecl.client.transport import SendFailure, Transport

CHUNK = 256 * 1024
ACCEPT = "application/octet-stream"


def download(transport: Transport, path: str, dest: Path) -> int:
    """GET ``path`` into ``dest``; returns the byte count."""
    policy = transport.retry
    reason = ""
    for attempt in range(1, policy.max_attempts + 1):
        if attempt > 1:
            policy.pause(attempt - 1)
        response = transport.call("GET", path, stream=True, accept=ACCEPT)
        try:
            return _save(response, dest)
        except SendFailure as failure:
            reason = failure.reason
        finally:
            response.close()
    raise transport.gave_up("GET", path, reason)


def _save(response: requests.Response, dest: Path) -> int:
    """Write the streamed body next to ``dest``, then move it into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
    written = 0
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                for chunk in response.iter_content(CHUNK):
                    out.write(chunk)
                    written += len(chunk)
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
                raise SendFailure("the download was cut off", maybe_processed=True) from None
        os.replace(temp, dest)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return written
