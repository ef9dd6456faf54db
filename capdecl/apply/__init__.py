"""capdecl.apply: carry out a plan against a server (``apply_plan``) and report it.

See :mod:`capdecl.apply.executor` for the order of steps and the partial-failure rules,
:mod:`capdecl.apply.uploads` for how the content ledger stays truthful during uploads,
and :mod:`capdecl.apply.report` for the human and JSON reporters.
"""

from __future__ import annotations

from capdecl.apply.executor import apply_plan
from capdecl.apply.model import ApplyOptions, ApplyResult, StepEvent
from capdecl.apply.report import HumanReporter, JsonReporter, Reporter

__all__ = [
    "ApplyOptions",
    "ApplyResult",
    "HumanReporter",
    "JsonReporter",
    "Reporter",
    "StepEvent",
    "apply_plan",
]
