"""The manifest file format as pydantic models: the single source of truth for both
validation of each file and the published JSON Schema (``capdecl schema``).

Each ``*.yaml`` file of a manifest directory is one :class:`ManifestFile`; cross-file rules
(a name declared once, references, server naming rules, files on disk) are checked after
the per-file validation, by the other modules of this package.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

# Optional fields are typed `X | None`: absent in a file means None, but
# the schema does not invite writing `null`. Top-level sections may be empty (null).

# Metadata values are text on the server; YAML numbers are accepted and kept as written
# (``Trial: 01`` is the value "01"), booleans and nulls are not.
MetadataValue = Annotated[
    str,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": "^[A-Za-z0-9_ .:-]*$", "maxLength": 64},
                {"type": "number"},
            ],
            "description": "Letters, digits, space and _ . : - ; at most 64 characters.",
        }
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    _nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _not_empty(cls, value: Any, info: ValidationInfo) -> Any:
        """An explicit empty value (``key:`` with nothing after it) is a mistake."""
        if value is None and info.field_name not in cls._nullable:
            raise ValueError("the value is empty: give one, or leave the key out")
        return value


class ThresholdsModel(_Strict):
    """Bulk-change guard: plan/apply refuse (exit 3, unless --force) when deletes plus
    replaces exceed these fractions of the existing captures or recording time."""

    max_fraction: float = Field(
        0.10, ge=0, le=1, description="Largest fraction of existing captures changed at once."
    )
    min_existing: int = Field(
        20, ge=0, description="The guard applies only from this many existing captures on."
    )
    max_recording_fraction: float = Field(
        0.10, ge=0, le=1, description="Largest fraction of existing recording time changed."
    )


class SettingsModel(_Strict):
    """Project-wide policy (at most one file declares it)."""

    prune: Literal["none", "captures", "all"] = Field(
        "none",
        description="What undeclared server objects apply may delete: nothing, captures, "
        "or captures and capture configurations.",
    )
    allow_replace: bool = Field(
        False,
        description="Allow content changes (delete and re-upload) without --allow-replace.",
    )
    protect: list[str] = Field(
        default_factory=list,
        description="fnmatch patterns of capture/configuration names never deleted or replaced.",
    )
    thresholds: ThresholdsModel = Field(default_factory=ThresholdsModel)


class MetadataFieldModel(_Strict):
    """A metadata name of the vocabulary."""

    type: Literal["string", "integer", "float"] = Field(
        "string", description="Server type; integer/float values must parse as such."
    )
    values: list[MetadataValue] | None = Field(
        None, description="The allowed values; omitted means any valid value."
    )


class ConfigurationModel(_Strict):
    """A capture configuration: its JSON from a file or inline."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["file"]}, {"required": ["configuration"]}]}
    )

    file: str | None = Field(
        None, description="JSON file (as Data Studio exports it), relative to this directory."
    )
    configuration: dict[str, Any] | None = Field(
        None, description="The configuration JSON written inline."
    )
    uuid: str | None = Field(
        None,
        pattern=UUID_PATTERN,
        description="Pinned lower-case uuid: matched by uuid, so a rename is an update.",
    )
    protect: bool = Field(False, description="Never delete or replace this configuration.")

    @model_validator(mode="after")
    def _one_source(self) -> ConfigurationModel:
        if (self.file is None) == (self.configuration is None):
            raise ValueError("give exactly one of `file` or `configuration`")
        return self


class CaptureModel(_Strict):
    """One capture (`file`) or a group of captures (`glob` and/or `pattern`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["file"]},
                {"anyOf": [{"required": ["glob"]}, {"required": ["pattern"]}]},
            ]
        }
    )

    file: str | None = Field(None, description="One .csv or .wav file, relative path.")
    glob: str | None = Field(
        None, description='Files of a group, e.g. "data/**/*.csv" (relative, * ? [] **).'
    )
    pattern: str | None = Field(
        None,
        description='Path template, e.g. "data/{Subject}/{Gesture}_{trial}.csv": fields '
        "named like metadata set that metadata; every field can be used in `name`.",
    )
    exclude: list[str] = Field(
        default_factory=list, description="Glob patterns of files the group leaves out."
    )
    name: str | None = Field(
        None,
        description="Server capture name (default: the file name); in a group a template "
        "such as {Subject}_{trial}.csv.",
    )
    configuration: str | None = Field(
        None, description="Name of a capture configuration declared in `configurations`."
    )
    sample_rate: int | None = Field(None, gt=0, description="set_sample_rate on the server.")
    metadata: dict[str, MetadataValue] = Field(
        default_factory=dict, description="Metadata name -> value (group: shared values)."
    )
    protect: bool = Field(False, description="Never delete or replace these captures.")

    @model_validator(mode="after")
    def _one_kind(self) -> CaptureModel:
        group = self.glob is not None or self.pattern is not None
        if (self.file is None) == (not group):
            raise ValueError("give either `file` (one capture) or `glob`/`pattern` (a group)")
        if self.exclude and not group:
            raise ValueError("`exclude` applies to groups (`glob`/`pattern`) only")
        return self


class ManifestFile(_Strict):
    """One capdecl manifest file. Every top-level *.yaml/*.yml file of a directory belongs
    to the same project; `project`, `server` and `settings` appear in one file at most,
    names in `metadata` and `configurations` once across all files."""

    model_config = ConfigDict(title="capdecl manifest")
    _nullable: ClassVar[frozenset[str]] = frozenset({"metadata", "configurations", "captures"})

    project: str | None = Field(None, description="Server project name (required once).")
    server: str | None = Field(
        None, description="Server URL; --server and CAPDECL_SERVER take precedence."
    )
    settings: SettingsModel | None = None
    metadata: dict[str, MetadataFieldModel | None] | None = Field(
        None, description="The metadata vocabulary: name -> type and allowed values."
    )
    configurations: dict[str, ConfigurationModel] | None = Field(
        None, description="Capture configurations by name."
    )
    captures: list[CaptureModel] | None = Field(None, description="Captures and groups.")


def manifest_schema() -> dict[str, Any]:
    """The JSON Schema of one manifest file."""
    schema = ManifestFile.model_json_schema()
    models: list[type[_Strict]] = [
        ManifestFile,
        SettingsModel,
        ThresholdsModel,
        MetadataFieldModel,
        ConfigurationModel,
        CaptureModel,
    ]
    for model in models:
        target = schema if model is ManifestFile else schema["$defs"][model.__name__]
        _drop_null(target, model._nullable)
    return {"$schema": SCHEMA_DIALECT, **schema}


def _drop_null(schema: dict[str, Any], nullable: frozenset[str]) -> None:
    """Remove the ``null`` alternative of optional properties that refuse empty values."""
    for name, spec in schema.get("properties", {}).items():
        options = spec.get("anyOf")
        if name in nullable or not options or {"type": "null"} not in options:
            continue
        rest = [o for o in options if o != {"type": "null"}]
        del spec["anyOf"]
        if spec.get("default", ...) is None:
            del spec["default"]
        if len(rest) == 1:
            spec.update({k: v for k, v in rest[0].items() if k not in spec})
        else:
            spec["anyOf"] = rest


def manifest_schema_text() -> str:
    """The schema as committed in schemas/manifest.schema.json."""
    return json.dumps(manifest_schema(), indent=2, ensure_ascii=False) + "\n"
