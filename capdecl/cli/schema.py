"""``capdecl schema``: print the JSON Schema of one manifest file.

The schema is generated from the pydantic models that also validate the manifests, so
the two cannot disagree; ``make schema`` commits it as schemas/manifest.schema.json
(point editors at it with ``# yaml-language-server: $schema=<path>``).
"""

from __future__ import annotations

import click


@click.command("schema")
def schema() -> None:
    """Print the manifest JSON Schema (generated from the validating models)."""
    from capdecl.manifest.model import manifest_schema_text

    click.echo(manifest_schema_text(), nl=False)
