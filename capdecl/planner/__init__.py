"""The pure planner: what must change on the server to match the manifests.

Data flow (the planner is the middle box; it does no I/O: no files, no network, no clock)::

    manifests --capdecl.manifest--> DesiredState ---+
    local files --capdecl.hashing--> FileDigests ---+
                                                    +--> normalise both --> diff
    server --client.read_state--> LiveState --------+         |
                                                              v
                                           ordered, immutable Plan (always a value)
                                              |                         |
                                    capdecl.render             capdecl.apply
                              (human / Markdown / JSON)     (executes in plan order)

Stages, one module each:

* :mod:`~capdecl.planner.normalize` - trimmed names, the server's v1 -> v2 configuration
  rewrite, every collection sorted (so input order never matters);
* :mod:`~capdecl.planner.project` - project create, content-ledger housekeeping;
* :mod:`~capdecl.planner.vocabulary` - metadata names and their values;
* :mod:`~capdecl.planner.configurations` (+ :mod:`~capdecl.planner.configdiff`) -
  capture configurations, keyed structural JSON diff;
* :mod:`~capdecl.planner.captures` (+ :mod:`~capdecl.planner.capturefields`) - capture
  identity, content verdict, rename, replace, delete;
* :mod:`~capdecl.planner.order` - apply order; :mod:`~capdecl.planner.inputs` - the version
  tokens behind a saved plan's staleness check;
* :mod:`~capdecl.planner.safety` - thresholds and replacements needing consent, judged on a
  finished plan by the CLI.
"""

from __future__ import annotations

from capdecl.planner.build import PlanOptions, Prepared, build_plan, plan_prepared, prepare
from capdecl.planner.configurations import configuration_uuid
from capdecl.planner.normalize import normalize_configuration
from capdecl.planner.order import order_changes, phase
from capdecl.planner.project import LedgerHousekeeping, ledger_housekeeping
from capdecl.planner.safety import blocked_replacements, check_safety, recording_seconds

__all__ = [
    "LedgerHousekeeping",
    "PlanOptions",
    "Prepared",
    "blocked_replacements",
    "build_plan",
    "check_safety",
    "configuration_uuid",
    "ledger_housekeeping",
    "normalize_configuration",
    "order_changes",
    "phase",
    "plan_prepared",
    "prepare",
    "recording_seconds",
]
