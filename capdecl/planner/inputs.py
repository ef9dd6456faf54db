"""What a plan was computed from (:class:`PlanInputs`), to refuse a stale saved plan.

``files``: every declared capture's file (relative path) -> its SHA-256.
``live``: every server object the planner read -> a short token that changes whenever the
object does:

* ``project`` -> hash of the project's uuid, name and settings (which hold the ledger);
* ``capture:<uuid>`` -> the capture's ``version`` (the server bumps it on every PATCH and
  every metadata or label change of the capture);
* ``configuration:<uuid>`` -> ``last_modified``, or a hash of name and body without one;
* ``metadata:<uuid>`` -> hash of name, type, ``is_dropdown`` and sorted values.
"""

from __future__ import annotations

from collections.abc import Mapping

from capdecl.planner.model import PlanInputs
from capdecl.planner.normalize import short_hash
from capdecl.state import DesiredState, FileDigest, LiveState


def input_files(desired: DesiredState, digests: Mapping[str, FileDigest]) -> dict[str, str]:
    """:attr:`PlanInputs.files`: relative path -> SHA-256, in path order."""
    files = {c.rel_path: digests[c.path].sha256 for c in desired.captures}
    return dict(sorted(files.items()))


def plan_inputs(files: dict[str, str], live: LiveState) -> PlanInputs:
    """The inputs of a plan, given :func:`input_files` of its desired side."""
    tokens: dict[str, str] = {}
    if live.project is not None:
        project = live.project
        tokens["project"] = short_hash(
            {"uuid": project.uuid, "name": project.name, "settings": project.settings}
        )
    for capture in live.captures:
        tokens[f"capture:{capture.uuid}"] = str(capture.version)
    for config in live.configurations:
        tokens[f"configuration:{config.uuid}"] = config.last_modified or short_hash(
            {"name": config.name, "configuration": config.configuration}
        )
    for field in live.metadata:
        tokens[f"metadata:{field.uuid}"] = short_hash(
            {
                "name": field.name,
                "type": field.type,
                "is_dropdown": field.is_dropdown,
                "values": sorted(field.values),
            }
        )
    return PlanInputs(files=files, live=dict(sorted(tokens.items())))
