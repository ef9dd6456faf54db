"""Render a :class:`~capdecl.export.model.ProjectExport` as manifest YAML text.

``export`` writes ``project.yaml`` (project, settings, vocabulary, configurations by file)
and ``captures.yaml``; ``show`` prints one document with the configurations inline. The
text is a pure function of the export: sorted, no timestamps, so re-exporting an
unchanged project gives byte-identical files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from capdecl.export.layout import Entry, FileEntry, GroupEntry
from capdecl.export.model import ExportField, ProjectExport
from capdecl.export.yamltext import comment, flow_list, flow_map, scalar
from capdecl.manifest.model import UUID_PATTERN

SETTINGS_BLOCK = """\
# Safe defaults, written out so a review can change them deliberately.
settings:
  prune: none              # never delete server objects that no manifest declares
  allow_replace: false     # changed files need --allow-replace (a replace drops label segments)
  protect: []              # fnmatch patterns of names never deleted or replaced
  thresholds: {max_fraction: 0.1, min_existing: 20, max_recording_fraction: 0.1}
"""


_UUID = re.compile(UUID_PATTERN)


def header(
    export: ProjectExport, what: str, how: str = "exported by `capdecl export`"
) -> list[str]:
    """The comment lines a written file starts with (no timestamp: re-exports diff clean)."""
    source = f" on {export.server}" if export.server else ""
    return [
        comment(f'{what} of project "{export.project}"{source},'),
        comment(f"{how}. Review it, commit it, then run `capdecl plan`."),
    ]


def project_yaml(export: ProjectExport) -> str:
    """``project.yaml``: project, server, settings, vocabulary, configuration files."""
    lines = header(export, "Settings, vocabulary and configurations")
    return "\n".join(lines) + "\n\n" + _project_body(export, inline=False)


def _project_body(export: ProjectExport, *, inline: bool) -> str:
    lines = [f"project: {scalar(export.project)}"]
    if export.server and export.server.startswith(("http://", "https://")):
        lines.append(f"server: {scalar(export.server)}")
    lines.append("")
    lines.extend(SETTINGS_BLOCK.splitlines())
    lines.append("")
    lines.extend(_vocabulary(export.fields))
    lines.append("")
    lines.extend(_configurations(export, inline))
    return "\n".join(lines) + "\n"


def _vocabulary(fields: Sequence[ExportField]) -> list[str]:
    if not fields:
        return ["# The project has no metadata names.", "metadata: {}"]
    lines = ["# Metadata names with their type and the values the server has.", "metadata:"]
    for field in fields:
        if field.note:
            lines.append("  " + comment(field.note))
        parts = [] if field.type == "string" else [f"type: {field.type}"]
        if field.values:
            parts.append(f"values: {flow_list(field.values, values=True)}")
        lines.append(f"  {scalar(field.name)}: {{{', '.join(parts)}}}")
    return lines


def _configurations(export: ProjectExport, inline: bool) -> list[str]:
    if not export.configurations:
        return ["# The project has no capture configurations.", "configurations: {}"]
    lines = ["# Pinned uuids: renaming a configuration here renames it on the server."]
    lines.append("configurations:")
    for config in export.configurations:
        lines.append(f"  {scalar(config.name)}:")
        if inline:
            lines.append("    configuration:")
            lines.extend("      " + line for line in _block_yaml(config.body))
        else:
            lines.append(f"    file: {scalar(config.file)}")
        if _UUID.fullmatch(config.uuid):
            lines.append(f"    uuid: {config.uuid}")
    return lines


def _block_yaml(body: Mapping[str, Any]) -> list[str]:
    """A JSON object as block YAML (keys in the server's order)."""
    import yaml

    if not body:
        return ["{}"]
    text = yaml.safe_dump(
        dict(body), sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000
    )
    return text.splitlines()


def configuration_json(body: Mapping[str, Any]) -> str:
    """A configuration file's text: the JSON the server holds, indented."""
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def captures_yaml(
    export: ProjectExport, layout: Sequence[Entry], *, standalone: bool = True
) -> str:
    """``captures.yaml``: the captures list in the given layout."""
    lines = [*header(export, "The captures"), ""] if standalone else []
    if not layout:
        lines.append("captures: []")
        return "\n".join(lines) + "\n"
    lines.append("captures:")
    for entry in layout:
        if isinstance(entry, GroupEntry):
            lines.extend(_group(entry))
            for override in entry.overrides:
                lines.extend(_file(override))
        else:
            lines.extend(_file(entry))
    return "\n".join(lines) + "\n"


def _file(entry: FileEntry) -> list[str]:
    lines = [f"  - file: {scalar(entry.file)}"]
    if entry.name is not None:
        lines.append(f"    name: {scalar(entry.name)}")
    lines.extend(_common(entry.configuration, entry.sample_rate, entry.metadata))
    return lines


def _group(entry: GroupEntry) -> list[str]:
    noun = "capture" if entry.count == 1 else "captures"
    lines = [
        f"  {comment(f'{entry.count} {noun} named by the pattern; overrides follow the group')}",
        f"  - pattern: {scalar(entry.pattern)}",
    ]
    lines.extend(_common(entry.configuration, entry.sample_rate, entry.metadata))
    if entry.exclude:
        lines.append(f"    exclude: {flow_list(entry.exclude)}")
    return lines


def _common(configuration: str | None, rate: int | None, metadata: Mapping[str, str]) -> list[str]:
    lines = []
    if configuration is not None:
        lines.append(f"    configuration: {scalar(configuration)}")
    if rate is not None:
        lines.append(f"    sample_rate: {rate}")
    if metadata:
        lines.append(f"    metadata: {flow_map(metadata)}")
    return lines


def show_document(export: ProjectExport, layout: Sequence[Entry]) -> str:
    """One manifest document (configurations inline), as ``capdecl show`` prints it."""
    lines = header(export, "The live state", "as `capdecl show` printed it")
    body = _project_body(export, inline=True)
    captures = captures_yaml(export, layout, standalone=False)
    return "\n".join(lines) + "\n\n" + body + "\n" + captures
