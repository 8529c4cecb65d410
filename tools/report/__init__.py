"""The compliance report of one synthesis (VTC-POLICIES-VISIBLE §55/§58, VTC-RISK-ACCEPTED §56).

    python -m tools.report cdk.out [--config my.toml] [--catalogue policies/conditions.toml]

Reads what the synthesis actually produced — the templates and manifests of every environment's
assembly, `validation-report.json` (every finding and acknowledgement of every rule pack) and
`vtc-evaluations.json` (every evaluation of the VTC pack) — plus the condition catalogue
(`policies/conditions.toml`, with the advice's own Dutch words per paragraph) and the
configuration, and writes for every environment, in `cdk.out/compliance/<env>/`:

    report.md          the tables, for a pull request's job summary and for reviewers
    report.json        the same, for machines
    report.html        one self-contained page an auditor can open offline
    architecture.svg   the picture of the environment, drawn from the templates (tools/diagram.py)
    summary.md         the conditions table alone

Nothing here is a hand-kept list: a condition is "enforced and passing" only when the VTC pack
evaluated resources for it and found them compliant in this very synthesis. The condition a rule
serves is the pack's registry's (`RuleSpec.condition_id`); who administers a key is decided by the
VTC-KEY-CUSTODY-ADMIN rule's own test. Two conditions no per-resource rule evaluates are computed
by the gate's own checks (`policies/gate.py`) on the same inputs: VTC-RISK-ACCEPTED (every
acknowledgement of the environment carries a reason) and VTC-GATE (no unacknowledged finding, no
never-acknowledge rule acknowledged, the VTC pack ran).

How it is built: collect -> model -> render.

    inputs.py      read the cloud assembly, the findings, the evaluations, the catalogue, the config
    model.py       the model: Report, ConditionRow, Context (what a collect function sees), Section
    conditions.py  keys.py  backups.py  logs.py    the collect functions
    markdown.py    html.py                         the renderers of each section
    sections.py    SECTIONS: the one list every format walks
    render.py      build (Inputs, env) -> Report; report.md, report.html, report.json, the SVG

Extension point: a section is a `Section(name, title, collect, markdown, html)` in
`sections.SECTIONS`. `collect(ctx)` returns {JSON key: value} (merged into report.json and
`Report.parts`; it sees what earlier sections collected in `ctx.parts`); `markdown(report)` returns
the Markdown lines, `html(report, svg)` the HTML. Register it once in SECTIONS and it appears in
every format, in the same place.
"""

from __future__ import annotations

from contract.artefacts import EVALUATIONS_FILE, VALIDATION_FILE
from policies.catalogue import CATALOGUE_FILE, Condition, load_catalogue
from tools.report.inputs import Inputs, ReportError, load_inputs
from tools.report.markdown import compliance_table
from tools.report.model import Context, Report, Section
from tools.report.render import build, build_report, render_html, render_markdown, write_reports
from tools.report.sections import SECTIONS

CATALOGUE = CATALOGUE_FILE


def read_catalogue(path=CATALOGUE_FILE) -> list[Condition]:
    """Every condition of the catalogue, in its order."""
    return list(load_catalogue(path).conditions)


def main(argv: list[str] | None = None) -> int:
    from tools.report.__main__ import main as run

    return run(argv)


__all__ = [
    "CATALOGUE",
    "EVALUATIONS_FILE",
    "SECTIONS",
    "VALIDATION_FILE",
    "Context",
    "Inputs",
    "Report",
    "ReportError",
    "Section",
    "build",
    "build_report",
    "compliance_table",
    "load_inputs",
    "main",
    "read_catalogue",
    "render_html",
    "render_markdown",
    "write_reports",
]
