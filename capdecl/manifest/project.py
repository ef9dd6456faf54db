"""Loading a manifest directory into a :class:`~capdecl.state.DesiredState`, stage by
stage, collecting every problem on the way:

    files -> per-file YAML + schema -> merge -> vocabulary -> configurations
          -> captures (groups, overrides, names) -> file contents -> project and policy
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from capdecl.errors import ManifestError, Problem
from capdecl.manifest import rules
from capdecl.manifest.captures import CaptureResolver
from capdecl.manifest.configs import build_configurations
from capdecl.manifest.documents import Declarations, manifest_files, read_declarations
from capdecl.manifest.findings import Findings, brief
from capdecl.manifest.paths import Root
from capdecl.manifest.vocabulary import build_vocabulary
from capdecl.state import DesiredState, Policy, PruneScope, SourceRef, Thresholds

SERVER_SCHEMES = ("http", "https", "sandbox")


@dataclass(frozen=True, slots=True)
class LoadedProject:
    """A valid manifest directory: what it declares, and the warnings found."""

    desired: DesiredState
    warnings: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of checking a directory: every problem, and the desired state when
    there is no error."""

    problems: tuple[Problem, ...]
    desired: DesiredState | None
    files: tuple[str, ...]
    error_count: int  # every error found, including those summarised as similar
    warning_count: int

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


def load_project(directory: Path, *, check_content: bool = True) -> LoadedProject:
    """Load and check a manifest directory; raise ManifestError listing every problem
    (warnings included) when there is at least one error."""
    report = check_project(directory, check_content=check_content)
    if report.desired is None:
        raise ManifestError(report.problems)
    return LoadedProject(report.desired, report.problems)


def check_project(directory: Path, *, check_content: bool = True) -> Report:
    """Run every check on a manifest directory (nothing is raised for bad input)."""
    root = Root.of(directory)
    findings = Findings()
    files = manifest_files(root, findings)
    decls = read_declarations(root, files, findings)
    vocabulary = build_vocabulary(decls, findings)
    configurations, configuration_names = build_configurations(root, decls, findings)
    by_name = {c.name: c for c in configurations}
    captures = CaptureResolver(
        root, decls, vocabulary, by_name, configuration_names, findings
    ).resolve()
    if check_content:
        from capdecl.manifest.content import check_contents  # (reads every file: opt-in)

        check_contents(captures, findings)
    project = _project(decls, files, findings)
    server = _server(decls, findings)
    desired = None
    if findings.error_count == 0 and project is not None:
        desired = DesiredState(
            project=project,
            root=root.path,
            server=server,
            metadata=tuple(vocabulary.fields.values()),
            configurations=tuple(configurations),
            captures=tuple(captures),
            policy=_policy(decls),
        )
    return Report(
        findings.problems(files),
        desired,
        tuple(files),
        findings.error_count,
        findings.warning_count,
    )


def _project(decls: Declarations, files: list[str], findings: Findings) -> str | None:
    located = decls.project
    if located is None:
        if files and not decls.incomplete and "project" not in decls.dropped:
            findings.error(
                SourceRef(files[0], 1, 1),
                "",
                "no manifest file declares `project` (the server project name)",
            )
        return None
    name = located.value
    for problem in rules.project_name_problems(name):
        findings.error(located.ref(), "project", f"project name {brief(name)} {problem}")
    note = rules.untrimmed_note(name)
    if note:
        findings.warning(located.ref(), "project", f"project name {brief(name)} {note}")
    return name.strip()


def _server(decls: Declarations, findings: Findings) -> str | None:
    located = decls.server
    if located is None:
        return None
    url = located.value.strip()
    try:
        parts = urlsplit(url)
        has_credentials = parts.username is not None or parts.password is not None
    except ValueError:
        findings.error(located.ref(), "server", "is not a valid URL")
        return None
    if parts.scheme not in SERVER_SCHEMES or not (parts.netloc or parts.path):
        findings.error(located.ref(), "server", "must be an http://, https:// or sandbox:// URL")
    elif has_credentials:
        # never echo the URL: it holds a secret
        findings.error(
            located.ref(),
            "server",
            "must not contain credentials; use CAPDECL_USERNAME/CAPDECL_PASSWORD or CAPDECL_TOKEN",
        )
    return url


def _policy(decls: Declarations) -> Policy:
    if decls.settings is None:
        return Policy()
    settings = decls.settings.value
    thresholds = settings.thresholds
    return Policy(
        prune=PruneScope(settings.prune),
        allow_replace=settings.allow_replace,
        thresholds=Thresholds(
            max_fraction=thresholds.max_fraction,
            min_existing=thresholds.min_existing,
            max_recording_fraction=thresholds.max_recording_fraction,
        ),
        protect=tuple(settings.protect),
    )
