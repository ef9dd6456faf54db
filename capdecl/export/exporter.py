"""``capdecl export``, stage by stage: check the target, read the project, write the
manifests, optionally download the files and seed the ledger, then check the result with
the manifest loader itself.

    target check -> read_state -> model -> layout -> write -> [download -> digest -> ledger]
                 -> self-check (validate without content)

Nothing here prints except the download progress: the CLI reports the returned
:class:`ExportReport`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from capdecl.client.base import ServerWriter
from capdecl.errors import CapdeclError, ConfigError, Problem
from capdecl.export.download import DownloadResult, Progress, download_all
from capdecl.export.layout import Entry, single_layout
from capdecl.export.model import ProjectExport, build_export
from capdecl.export.seed import Seeding, plan_seeding
from capdecl.export.writer import captures_yaml, configuration_json, project_yaml
from capdecl.state import LiveState

PROJECT_FILE = "project.yaml"
CAPTURES_FILE = "captures.yaml"
GITIGNORE = ".gitignore"
CACHE_DIRNAME = ".capdecl"


@dataclass(frozen=True)
class ExportOptions:
    project: str
    out: Path
    server: str  # public URL, written in the header comment
    download: bool = False
    adopt: bool = False
    group_by_pattern: bool = False
    force: bool = False
    parallelism: int = 4


@dataclass
class ExportReport:
    """What an export did, for the CLI to report."""

    export: ProjectExport
    layout: tuple[Entry, ...]
    written: list[str] = field(default_factory=list)  # manifest and configuration files
    missing: list[str] = field(default_factory=list)  # declared data files not on disk
    stale: list[str] = field(default_factory=list)  # files in DIR this export did not write
    download: DownloadResult | None = None
    seeding: Seeding | None = None
    problems: tuple[Problem, ...] = ()  # the self-check's findings


def check_target(out: Path, *, force: bool) -> None:
    """Refuse a file, or a non-empty directory without ``force`` (before any request)."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out} exists and is not a directory")
    try:
        empty = not out.is_dir() or not any(out.iterdir())
    except OSError as error:
        raise ConfigError(f"cannot read {out}: {error.strerror}") from None
    if not force and not empty:
        raise ConfigError(
            f"{out} is not empty",
            ["export into an empty or new directory, or pass --force to write into it"],
        )


def read_project(client: ServerWriter, name: str, server: str) -> LiveState:
    """The live project, or a clear error when it does not exist."""
    live = client.read_state(name)
    if live.project is None:
        raise CapdeclError(
            f'project "{name}" was not found on {server}',
            ["project names are case-sensitive; check the name and the account"],
        )
    return live


def export_project(
    client: ServerWriter, live: LiveState, options: ExportOptions, stderr: TextIO
) -> ExportReport:
    """Write the manifests for ``live`` into ``options.out`` (and download, seed)."""
    export = build_export(live, options.server)
    layout = _layout(export, options.group_by_pattern)
    report = ExportReport(export=export, layout=layout)
    out = options.out
    before = _existing_files(out) if out.is_dir() else set()
    report.written = write_manifests(out, export, layout)
    if options.download:
        assert live.project is not None
        _download_and_seed(client, live, options, report, stderr)
    report.missing = [c.file for c in export.captures if not (out / c.file).is_file()]
    ours = set(report.written) | {c.file for c in export.captures} | {GITIGNORE}
    report.stale = sorted(before - ours)
    if not report.missing:
        report.problems = _self_check(out)
    return report


def _layout(export: ProjectExport, group: bool) -> tuple[Entry, ...]:
    if not group:
        return single_layout(export.captures)
    from capdecl.export.patterns import grouped_layout

    return grouped_layout(export.captures)


def write_manifests(out: Path, export: ProjectExport, layout: tuple[Entry, ...]) -> list[str]:
    """Write project.yaml, captures.yaml, the configuration files and a .gitignore for the
    hash cache (kept if one exists); return the relative paths written."""
    files = {
        PROJECT_FILE: project_yaml(export),
        CAPTURES_FILE: captures_yaml(export, layout),
        **{c.file: configuration_json(c.body) for c in export.configurations},
    }
    gitignore = out / GITIGNORE
    if not gitignore.exists():
        files[GITIGNORE] = f"# capdecl's hash cache\n{CACHE_DIRNAME}/\n"
    for rel, text in files.items():
        path = out / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
        except OSError as error:
            raise CapdeclError(f"cannot write {path}: {error.strerror}") from None
    return sorted(rel for rel in files if rel != GITIGNORE)


def _download_and_seed(
    client: ServerWriter,
    live: LiveState,
    options: ExportOptions,
    report: ExportReport,
    stderr: TextIO,
) -> None:
    from capdecl.hashing import digest_files

    assert live.project is not None
    captures = report.export.captures
    progress = Progress(len(captures), stderr)
    result = download_all(
        client,
        live.project.uuid,
        options.out,
        captures,
        parallelism=options.parallelism,
        progress=progress,
    )
    report.download = result
    root = os.path.abspath(options.out)
    paths = {c.uuid: os.path.join(root, c.file) for c in captures if c.uuid in result.done}
    digests = digest_files(
        list(paths.values()), Path(root) / CACHE_DIRNAME, workers=min(options.parallelism, 4)
    )
    downloaded = {uuid: digests[path] for uuid, path in paths.items()}
    seeding = plan_seeding(live, downloaded, adopt=options.adopt)
    if seeding.needed:
        client.update_ledger(
            live.project.uuid,
            seeding.add,
            seeding.remove,
            remove_pending=seeding.remove_pending,
        )
    report.seeding = seeding


def _existing_files(out: Path) -> set[str]:
    """Relative paths of the files already in ``out`` (the hash cache left out)."""
    found: set[str] = set()
    for directory, subdirs, names in os.walk(out):
        subdirs[:] = [d for d in subdirs if d != CACHE_DIRNAME]
        rel = os.path.relpath(directory, out)
        for name in names:
            found.add(name if rel == "." else f"{rel}/{name}".replace(os.sep, "/"))
    return found


def _self_check(out: Path) -> tuple[Problem, ...]:
    """Validate the written directory as ``capdecl validate --no-content`` would."""
    from capdecl.manifest import check_project

    return check_project(out, check_content=False).problems
