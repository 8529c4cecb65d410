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


# One row a section, in the report's order: name, title, collect, markdown, html.
SECTIONS: list[Section] = [
    # The environment's configuration is in the report's head.
    Section("environment", "Environment", _nothing, markdown.environment, html.environment),
    Section("conditions", "VTC conditions", collect_conditions, markdown.conditions, html.conditions),
    Section("who-can", "Who can do what", access.collect_access, access.markdown, access.html),
    Section("register", "Accepted-risks register", collect_register, markdown.register, html.register),
    Section("keys", "Keys", collect_keys, markdown.keys, html.keys),
    Section("backups", "Backups", collect_backups, markdown.backups, html.backups),
    Section("logs", "Logs and who can read them", collect_logs, markdown.logs, html.logs),
    Section("stacks", "Stacks and outputs", collect_stacks, markdown.stacks, html.stacks),
    Section("personal-data", "Personal-data stores", collect_personal_data, markdown.personal_data, html.personal_data),
    # The picture (tools/diagram.py) draws the network too.
    Section("architecture", "Architecture", collect_network, markdown.architecture, html.architecture),
    # VTC-RIGHT-SIZED (§52-54): tools/cost, the five biggest lines and the total.
    Section("cost", "Cost estimate", cost.collect_cost, cost.markdown, cost.html),
]
