"""capdecl.export: the read side. A live project as manifests (``export``, ``show``) and
queries over it (``captures list``, ``stats``).

build_export(live, server)            -> ProjectExport: the project as manifests declare it
single_layout(captures)               -> one ``file:`` entry per capture
grouped_layout(captures)              -> pattern groups + overrides + singles (exact)
project_yaml / captures_yaml / show_document -> the YAML text
export_project(client, live, options, stderr) -> ExportReport (writes, downloads, seeds)
plan_seeding(live, downloaded, adopt) -> the ledger write after a download
capture_rows / parse_where / matching / statistics -> the query commands' data
"""

from __future__ import annotations

from capdecl.export.exporter import (
    ExportOptions,
    ExportReport,
    check_target,
    export_project,
    read_project,
)
from capdecl.export.layout import FileEntry, GroupEntry, single_layout
from capdecl.export.model import ExportCapture, ProjectExport, build_export
from capdecl.export.patterns import grouped_layout
from capdecl.export.queries import (
    CaptureRow,
    Condition,
    capture_rows,
    matching,
    parse_where,
    statistics,
)
from capdecl.export.seed import Seeding, plan_seeding
from capdecl.export.writer import captures_yaml, project_yaml, show_document

__all__ = [
    "CaptureRow",
    "Condition",
    "ExportCapture",
    "ExportOptions",
    "ExportReport",
    "FileEntry",
    "GroupEntry",
    "ProjectExport",
    "Seeding",
    "build_export",
    "capture_rows",
    "captures_yaml",
    "check_target",
    "export_project",
    "grouped_layout",
    "matching",
    "parse_where",
    "plan_seeding",
    "project_yaml",
    "read_project",
    "show_document",
    "single_layout",
    "statistics",
]
