"""capdecl.manifest: the manifest format, and everything checked offline.

load_project(directory)   -> LoadedProject(desired, warnings), or ManifestError
check_project(directory)  -> Report(problems, desired | None, files), never raises
ManifestFile              -> the pydantic model of one manifest file
manifest_schema_text()    -> its JSON Schema as committed in schemas/
"""

from __future__ import annotations

from capdecl.manifest.model import ManifestFile, manifest_schema, manifest_schema_text
from capdecl.manifest.project import LoadedProject, Report, check_project, load_project

__all__ = [
    "LoadedProject",
    "ManifestFile",
    "Report",
    "check_project",
    "load_project",
    "manifest_schema",
    "manifest_schema_text",
]
