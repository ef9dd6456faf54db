"""Plan renderers: human (Terraform-style), Markdown (pull-request comment) and JSON.

Every renderer reads the plan's JSON form (:meth:`capdecl.planner.model.Plan.to_dict`, or a
saved plan file's ``plan`` object), never the :class:`~capdecl.planner.model.Plan` itself,
so the three outputs cannot disagree and a saved plan renders without rebuilding it.

Pipeline: plan dict -> :mod:`.blocks` (one :class:`~.blocks.Block` per change, with
renderer-neutral :class:`~.lines.Line` values) -> :mod:`.human` / :mod:`.markdown`.
:mod:`.summary` holds the numbers every format shares; :mod:`.jsonplan` the JSON format,
its versioning rules and its schema.
"""

from __future__ import annotations

from capdecl.render.human import iter_human, render_human
from capdecl.render.jsonplan import plan_json_schema, render_json
from capdecl.render.markdown import render_markdown
from capdecl.render.summary import summary_line

__all__ = [
    "iter_human",
    "plan_json_schema",
    "render_human",
    "render_json",
    "render_markdown",
    "summary_line",
]
