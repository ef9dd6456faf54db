"""capdecl's exception tree.

Every error a user can meet derives from :class:`CapdeclError`; the CLI turns it into
``Error: <message>`` (plus indented detail lines) and an exit code, and never shows a
traceback unless ``--debug`` is given. Messages never contain credentials.

    CapdeclError                      exit 1
    ├── ManifestError                 manifests failed to load or validate (carries Problems)
    ├── ConfigError                   bad CLI flags, credentials or server URL
    ├── ServerError                   the server answered with an error
    │   ├── AuthError                 401/403, bad credentials, token refresh failed
    │   ├── NotFoundError             404
    │   └── ServerValidationError     400 with the server's own message
    ├── TransportError                no usable answer: connection failed, timed out,
    │                                 HTML or unparseable body after retries
    ├── AmbiguousWriteError           a write may or may not have happened and could not be
    │                                 resolved by re-reading the server
    ├── StalePlanError                a saved plan no longer matches server or files
    ├── UnsafePlanError               exit 3: a safety threshold was crossed (needs --force)
    └── ApplyError                    one or more apply steps failed (partial failure)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_UNSAFE = 3


class CapdeclError(Exception):
    """Base of every error capdecl reports to a user."""

    exit_code: int = EXIT_ERROR

    def __init__(self, message: str, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details: tuple[str, ...] = tuple(details)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about the manifests, located at ``file:line:column``.

    ``path`` is the dotted field path inside the document (``captures[3].metadata.Subject``),
    empty when the problem is about the file as a whole.
    """

    file: str
    line: int
    column: int
    path: str
    message: str
    severity: str = "error"  # "error" | "warning"

    def format(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        prefix = "warning: " if self.severity == "warning" else ""
        if self.path:
            return f"{where}: {self.path}: {prefix}{self.message}"
        return f"{where}: {prefix}{self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
            "severity": self.severity,
        }


class ManifestError(CapdeclError):
    """The manifests could not be loaded; ``problems`` lists every finding."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(
            f"{len(errors)} problem(s) in the manifests", [p.format() for p in self.problems]
        )


class ConfigError(CapdeclError):
    """A CLI flag, credential source or server URL is unusable."""


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """Where an HTTP error happened. ``path`` never carries a query string."""

    method: str
    path: str
    status: int | None = None


def printable(text: str) -> str:
    """``text`` with every character that does not print (newlines, ANSI escapes, other
    controls, bidi overrides) written as ``\\uXXXX``: text from a server goes into one
    message line and must not be able to forge or hide output."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


class ServerError(CapdeclError):
    """The server answered with an error status. ``server_message`` is the server's own
    text, made :func:`printable`."""

    def __init__(self, request: RequestInfo, server_message: str) -> None:
        server_message = printable(server_message)
        self.request = request
        self.server_message = server_message
        status = f" {request.status}" if request.status is not None else ""
        super().__init__(f"{request.method} {request.path} failed{status}: {server_message}")


class AuthError(ServerError):
    """Authentication or authorisation failed."""


class NotFoundError(ServerError):
    """The object does not exist (or belongs to another team)."""


class ServerValidationError(ServerError):
    """The server rejected the request body (400)."""


class TransportError(CapdeclError):
    """No usable answer from the server, even after retries."""


class AmbiguousWriteError(CapdeclError):
    """A write may or may not have happened and re-reading the server could not tell."""


class StalePlanError(CapdeclError):
    """A saved plan no longer matches the server or the local files."""


class UnsafePlanError(CapdeclError):
    """A safety threshold was crossed; ``--force`` overrides."""

    exit_code = EXIT_UNSAFE


@dataclass(frozen=True, slots=True)
class StepFailure:
    """One apply step that failed, with its cause."""

    step: str
    cause: str


class ApplyError(CapdeclError):
    """Some apply steps failed; the rest were carried out."""

    def __init__(self, failures: Sequence[StepFailure]) -> None:
        self.failures: tuple[StepFailure, ...] = tuple(failures)
        super().__init__(
            f"{len(self.failures)} step(s) failed",
            [f"{f.step}: {f.cause}" for f in self.failures],
        )
