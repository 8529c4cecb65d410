"""The one list of sections: every format (report.json, report.md, report.html) is made by walking
it, so a part of the report exists in all of them or in none.

To add a section, write its collect function (Context -> {JSON key: value}) and its two renderers
(Report -> Markdown lines; Report, svg -> HTML), and register a `Section` in SECTIONS where it
belongs. A collect function sees what the sections before it collected (`ctx.parts`).
"""

from __future__ import annotations

from typing import Any

from tools.report import access, cost, html, markdown
from tools.report.backups import collect_backups
from tools.report.conditions import collect_conditions, collect_register
from tools.report.inputs import text
from tools.report.keys import collect_keys
from tools.report.logs import collect_logs, collect_network, collect_personal_data
from tools.report.model import Context, Section


def _nothing(ctx: Context) -> dict[str, Any]:
    return {}


def collect_stacks(ctx: Context) -> dict[str, Any]:
    return {
        "stacks": [
            {
                "stack": s.stack_name,
                "display_name": s.display_name,
                "account": s.account,
                "region": s.region,
                "description": s.description,
                "outputs": {
                    k: {"description": o.get("Description", ""), "value": text(o.get("Value"))}
                    for k, o in s.template.get("Outputs", {}).items()
                },
            }
            for s in ctx.stacks
        ]
    }


SECTIONS: list[Section] = [
    Section(
        name="environment",
        title="Environment",
        collect=_nothing,  # the environment's configuration is in the report's head
        markdown=markdown.environment,
        html=html.environment,
    ),
    Section(
        name="conditions",
        title="VTC conditions",
        collect=collect_conditions,
        markdown=markdown.conditions,
        html=html.conditions,
    ),
    Section(
        name="who-can",
        title="Who can do what",
        collect=access.collect_access,
        markdown=access.markdown,
        html=access.html,
    ),
    Section(
        name="register",
        title="Accepted-risks register",
        collect=collect_register,
        markdown=markdown.register,
        html=html.register,
    ),
    Section(name="keys", title="Keys", collect=collect_keys, markdown=markdown.keys, html=html.keys),
    Section(name="backups", title="Backups", collect=collect_backups, markdown=markdown.backups, html=html.backups),
    Section(
        name="logs", title="Logs and who can read them", collect=collect_logs, markdown=markdown.logs, html=html.logs
    ),
    Section(
        name="stacks",
        title="Stacks and outputs",
        collect=collect_stacks,
        markdown=markdown.stacks,
        html=html.stacks,
    ),
    Section(
        name="personal-data",
        title="Personal-data stores",
        collect=collect_personal_data,
        markdown=markdown.personal_data,
        html=html.personal_data,
    ),
    Section(
        name="architecture",
        title="Architecture",
        collect=collect_network,  # the picture (tools/diagram.py) draws the network too
        markdown=markdown.architecture,
        html=html.architecture,
    ),
    Section(
        name="cost",
        title="Cost estimate",
        collect=cost.collect_cost,  # VTC-RIGHT-SIZED (§52-54): tools/cost, the five biggest lines and the total
        markdown=cost.markdown,
        html=cost.html,
    ),
]
