"""capdecl.sandbox: a local server implementing the Piccolo AI REST API faithfully.

Used by the test-suite, the README quickstart and anyone without a Piccolo account
(``capdecl sandbox serve``, or ``sandbox://DIR`` server URLs). State lives in a directory
(SQLite + capture files) and survives restarts. Fault injection (:class:`FaultConfig`)
makes it fail like a real deployment behind a proxy, reproducibly.
"""

from __future__ import annotations

from capdecl.sandbox.app import DropRequest, RequestEvent
from capdecl.sandbox.defaults import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    SDK_CLIENT_ID,
    SDK_CLIENT_SECRET,
    SandboxUser,
)
from capdecl.sandbox.faults import FaultConfig, faults_from_env, parse_faults
from capdecl.sandbox.run import SandboxHandle, SandboxStats, running_sandbox

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "SDK_CLIENT_ID",
    "SDK_CLIENT_SECRET",
    "DropRequest",
    "FaultConfig",
    "RequestEvent",
    "SandboxHandle",
    "SandboxStats",
    "SandboxUser",
    "faults_from_env",
    "parse_faults",
    "running_sandbox",
]
