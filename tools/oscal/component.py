"""The OSCAL component definition: the landing zone of one environment as a component whose
control implementations implement the VTC conditions of the project's catalogue.

Every condition of `policies/conditions.toml` is one implemented requirement (control id = the
condition id), described by what the landing zone builds or checks for it, with the advice's
paragraphs and own Dutch words. The rules of the VTC pack that check it are the pack's registry's
(`policies/registry.py`, `RuleSpec.condition_id`), written the way trestle's own tools read rules:
the component carries one rule set per rule (`Rule_Id`, `Rule_Description`, the rule's paragraph),
an implemented requirement names its rules by `Rule_Id`. Organisational conditions are marked
`implementation = organisational`, with the evidence an auditor must ask for; the two conditions
the gate checks on the whole synthesis (VTC-GATE, VTC-RISK-ACCEPTED) `implementation = gate`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from trestle.common import const
from trestle.oscal.common import Property
from trestle.oscal.component import ComponentDefinition, ControlImplementation, DefinedComponent, ImplementedRequirement

from policies.catalogue import Catalogue, Condition
from policies.registry import PACK_NAME, RULES, RuleSpec
from tools.oscal.common import TRESTLE_NS, Uuids, advice_link, back_matter, metadata, one_line, prop
from tools.report.model import GATE, RISK_ACCEPTED

ORGANISATIONAL = "organisational"
BY_THE_GATE = "gate"
IN_CODE = "landing-zone"
GATE_CHECKED = (GATE, RISK_ACCEPTED)


def component_uuid(ids: Uuids) -> str:
    """The landing zone's component: the same UUID in the component definition and the results."""
    return ids.of("component", "landing-zone")


def implementation(condition: Condition) -> str:
    if condition.organisational:
        return ORGANISATIONAL
    if condition.id in GATE_CHECKED:
        return BY_THE_GATE
    return IN_CODE


def rules_of(condition_id: str) -> list[RuleSpec]:
    """The VTC pack's rules that check the condition, from the pack's registry."""
    return [r for r in RULES if r.condition_id == condition_id]


def _rule_set_id(index: int) -> str:
    return f"rule_set_{index:02d}"


def rule_sets() -> list[Property]:
    """Every rule of the VTC pack as a trestle rule set on the component."""
    out: list[Property] = []
    for index, rule in enumerate(RULES):
        rs = _rule_set_id(index)
        out += prop(const.RULE_ID, rule.rule_id, ns=TRESTLE_NS, remarks=rs)
        out += prop(const.RULE_DESCRIPTION, rule.title, ns=TRESTLE_NS, remarks=rs)
        out += prop("Rule_Paragraph", rule.paragraph, remarks=rs)
        out += prop("Rule_Condition", rule.condition_id, remarks=rs)
    return out


def _description(condition: Condition) -> str:
    kind = implementation(condition)
    if kind == ORGANISATIONAL:
        return (
            f"Organisational: outside what the landing zone can implement or a synthesis can prove "
            f"({condition.controls}). Evidence to ask for: {condition.evidence}"
        )
    if kind == BY_THE_GATE:
        return (
            f"{condition.controls}. Checked on the whole synthesis by the gate (python -m policies.gate), "
            "not by a per-resource rule."
        )
    rules = ", ".join(f"{r.rule_id} ({r.paragraph})" for r in rules_of(condition.id))
    checked = f" Checked on every synthesis by the {PACK_NAME} pack's rules {rules}." if rules else ""
    return f"{condition.controls}.{checked}"


def implemented_requirement(ids: Uuids, condition: Condition) -> ImplementedRequirement:
    rules = rules_of(condition.id)
    props = [
        *prop("implementation", implementation(condition)),
        *prop("checkable", condition.checkable),
        *prop("paragraphs", condition.citation),
        *prop("statement", condition.statement),
        *prop("evidence", condition.evidence),
    ]
    for rule in rules:
        props += prop(const.RULE_ID, rule.rule_id, ns=TRESTLE_NS)
    quotes = "\n\n".join(f"{q.label}: «{q.text}»" for q in condition.quotes)
    return ImplementedRequirement(
        uuid=ids.of("implemented-requirement", condition.id),
        control_id=condition.id,
        description=_description(condition),
        props=props,
        remarks=f"The advice's own words (Dutch):\n\n{quotes}",
    )


def build_component_definition(report: dict[str, Any], catalogue: Catalogue, when: dt.datetime) -> ComponentDefinition:
    """The component definition of one environment, from the catalogue and the pack's registry
    (the report gives the environment's name and configuration)."""
    env = report["environment"]
    ids = Uuids(env)
    cfg = report.get("environment_config") or {}
    accounts = cfg.get("accounts") or {}
    advice = catalogue.advice
    component = DefinedComponent(
        uuid=component_uuid(ids),
        type="software",
        title=f"LED landing zone, environment {env}",
        description=(
            "The AWS landing zone of the Flemish database of qualifications (LED), as infrastructure as code "
            f"(AWS CDK): key custody, workload, backup and log archive accounts of environment {env}."
        ),
        purpose=one_line(f"Meet the conditions of {advice.title} for the LED in a public cloud"),
        links=[advice_link(ids, catalogue)],
        props=[
            *prop("environment", env),
            *prop("region", cfg.get("region")),
            *prop("holds-personal-data", str(cfg.get("holds_personal_data", "")).lower()),
            *[p for role, account in sorted(accounts.items()) for p in prop(f"account-{role}", account)],
            *rule_sets(),
        ],
        control_implementations=[
            ControlImplementation(
                uuid=ids.of("control-implementation", "vtc"),
                source=f"#{ids.of('resource', 'advice')}",
                description=one_line(
                    f"How the landing zone implements the conditions of {advice.title} ({advice.subject}), "
                    "one implemented requirement per condition of the catalogue."
                ),
                implemented_requirements=[implemented_requirement(ids, c) for c in catalogue.conditions],
            )
        ],
    )
    return ComponentDefinition(
        uuid=ids.of("component-definition"),
        metadata=metadata(
            f"LED landing zone ({env}): implementation of the VTC conditions",
            when,
            report,
            "Written by python -m tools.report (tools/oscal/) from the condition catalogue and the VTC pack's "
            "registry; the assessment results of the same synthesis are assessment-results.json beside it.",
        ),
        components=[component],
        back_matter=back_matter(ids, catalogue, with_report=False),
    )
