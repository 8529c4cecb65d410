"""The conditions of one environment, the accepted-risks register and the unacknowledged findings.

A condition is "enforced and passing" only when the VTC pack evaluated resources for it and found
them compliant in this very synthesis. Which condition a rule serves comes from the pack's registry
(`RuleSpec.condition_id`), and for a rule the registry does not know, from the rules list the pack
that ran wrote into vtc-evaluations.json: never from the rule's name.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract.artefacts import VALIDATION_FILE
from contract.metadata import METADATA_CONDITIONS
from policies import gate
from policies.catalogue import Condition
from policies.registry import RULES
from policies.risks import AcceptedRisk
from tools.report.access import overclaimed
from tools.report.inputs import Finding, in_env
from tools.report.model import (
    ACCEPTED,
    ENFORCED,
    FAILING,
    GATE,
    NOT_CHECKED,
    ORGANISATIONAL,
    PACK_DID_NOT_RUN,
    RISK_ACCEPTED,
    ConditionRow,
    Context,
    QuoteRow,
)

VTC_ID = re.compile(r"(VTC-[A-Z0-9-]+)")
RESULTS = ("compliant", "non_compliant", "not_applicable")


def rule_id(rule: str) -> str:
    """`VTC-ENCRYPT-ALL-LOGS` from `VTC-ENCRYPT-ALL-LOGS`, `Pack-VTC-ENCRYPT-ALL-LOGS[x]` and the like."""
    match = VTC_ID.search(rule)
    return match[1].rstrip("-") if match else rule


def rule_conditions(evaluations: dict[str, Any] | None) -> dict[str, str]:
    """Rule id -> condition id: the pack's registry, then the rules the evaluations file declares."""
    declared = {r["rule_id"]: r["condition_id"] for r in (evaluations or {}).get("rules", [])}
    return {**declared, **{r.rule_id: r.condition_id for r in RULES}}


@dataclass
class _Evidence:
    """What the pack said about the environment, by condition."""

    findings: dict[str, list[Finding]] = field(default_factory=lambda: defaultdict(list))
    evaluations: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    rules: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    reported_at: set[tuple[str, str]] = field(default_factory=set)
    implemented_by: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))
    described_by: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def _evidence(ctx: Context) -> _Evidence:
    mapping = rule_conditions(ctx.inputs.evaluations)
    out = _Evidence()
    for rule in (ctx.inputs.evaluations or {}).get("rules", []):  # the rules of the pack that ran
        out.rules[rule["condition_id"]].add(rule["rule_id"])
    for finding in ctx.inputs.findings:
        condition = mapping.get(rule_id(finding.rule)) if VTC_ID.search(finding.rule) else None
        if condition and any(in_env(p, ctx.env) for p in finding.paths):
            out.findings[condition].append(finding)
            # An evaluation that is non-compliant there is already reported through the finding.
            out.reported_at.update((rule_id(finding.rule), p) for p in finding.paths)
    for evaluation in (ctx.inputs.evaluations or {}).get("evaluations", []):
        condition = mapping.get(evaluation["rule_id"])
        if condition and evaluation.get("stage") == ctx.env:
            out.evaluations[condition].append(evaluation)
    for stack in ctx.stacks:
        for cid in VTC_ID.findall(stack.description):
            out.described_by[cid.rstrip(".,")].add(stack.stack_name)
        for lid, resource in stack.resources.items():
            for cid in (resource.get("Metadata") or {}).get(METADATA_CONDITIONS, []):
                out.implemented_by[cid].append(
                    {
                        "stack": stack.stack_name,
                        "logical_id": lid,
                        "type": resource["Type"],
                        "path": stack.paths.get(lid, ""),
                    }
                )
    return out


def _status(condition: Condition, failing: bool, acknowledged: bool, compliant: int, pack_ran: bool) -> tuple[str, str]:
    if condition.organisational:
        return ORGANISATIONAL, f"outside what synthesis can prove; ask for: {condition.evidence}"
    if failing:
        return FAILING, "the VTC pack found resources that do not meet this condition"
    if acknowledged:
        return ACCEPTED, "the controller accepted the risk of the findings below (§56)"
    if compliant:
        return ENFORCED, f"{compliant} resource evaluation(s) compliant"
    if not pack_ran:
        return NOT_CHECKED, PACK_DID_NOT_RUN
    return NOT_CHECKED, "not checked: no VTC rule evaluated a resource for this condition here"


def _row(ctx: Context, condition: Condition, ev: _Evidence, gate_row: dict[str, Any] | None) -> ConditionRow:
    cid, env = condition.id, ctx.env
    evals = ev.evaluations.get(cid, [])
    violations = [f for f in ev.findings.get(cid, []) if not f.suppressed]
    acknowledged = [f for f in ev.findings.get(cid, []) if f.suppressed]
    # A non-compliant evaluation without any finding (e.g. a validation report from another run)
    # still fails the condition.
    non_compliant = [
        e for e in evals if e["result"] == "non_compliant" and (e["rule_id"], e.get("path", "")) not in ev.reported_at
    ]
    compliant = [e for e in evals if e["result"] == "compliant"]
    if gate_row is not None:
        status, note = gate_row["status"], gate_row["note"]
    else:
        status, note = _status(
            condition,
            bool(violations or non_compliant),
            bool(acknowledged),
            len(compliant),
            ctx.inputs.evaluations is not None,
        )
    # Issue #9: never "enforced and passing" while the who-can-do-what matrix finds a forbidden
    # outcome of this condition allowed.
    broken = overclaimed(ctx).get(cid, [])
    if broken and status == ENFORCED:
        status = FAILING
        note = "a forbidden outcome is allowed (who can do what): " + "; ".join(broken)

    def resource(e: dict[str, Any]) -> dict[str, str]:
        return {
            "stack": ctx.stack_name(e.get("stack", "")),
            "logical_id": e.get("logical_id", ""),
            "path": e.get("path", ""),
        }

    failures = (gate_row or {}).get("failures", []) + [
        {"rule": f.rule, "description": f.description, **ctx.locate(p)}
        for f in violations
        for p in f.paths
        if in_env(p, env)
    ]
    failures += [
        {"rule": e["rule_id"], "description": "non-compliant evaluation", **resource(e)} for e in non_compliant
    ]
    failures += [
        {"rule": "who-can-do-what", "description": b, "stack": "", "logical_id": "", "path": ""} for b in broken
    ]
    return ConditionRow(
        id=cid,
        paragraph=condition.paragraph,
        paraphrase=condition.statement,
        quotes=[QuoteRow(paragraph=q.paragraph, label=q.label, text=q.text) for q in condition.quotes],
        checkable=condition.checkable,
        expected_control=condition.controls,
        evidence=condition.evidence,
        status=status,
        note=note,
        rules=sorted({e["rule_id"] for e in evals} | ev.rules.get(cid, set())),
        evaluated={result: sum(1 for e in evals if e["result"] == result) for result in RESULTS},
        compliant_resources=[
            {"rule": e["rule_id"], **resource(e), "type": e.get("resource_type", "")} for e in compliant
        ],
        failures=failures,
        accepted_risks=[
            {
                "rule": f.rule,
                "acknowledged_id": f.acknowledged_id,
                "acknowledged_at": f.acknowledged_at,
                "reason": f.reason,
                **ctx.locate(p),
            }
            for f in acknowledged
            for p in f.paths
            if in_env(p, env)
        ],
        implemented_by=ev.implemented_by.get(cid, []),
        stacks_citing=sorted(ev.described_by.get(cid, set())),
        gate_checks=gate_row["checks"] if gate_row is not None else None,
    )


def collect_conditions(ctx: Context) -> dict[str, Any]:
    """One row for every condition of the catalogue, in its order."""
    ev = _evidence(ctx)
    gate_rows = gate_rows_of(ctx)
    return {"conditions": [_row(ctx, c, ev, gate_rows.get(c.id)) for c in ctx.inputs.catalogue.conditions]}


def _environments(ctx: Context) -> set[str]:
    config = ctx.inputs.config
    return set(config.environments) if config else set(ctx.inputs.envs)


def _dated(ctx: Context, records: list[AcceptedRisk], finding: Finding) -> dict[str, Any]:
    """Owner, dates and days left of the register's record of the acknowledgement that suppressed
    `finding` (empty values when none did: the gate then fails on it)."""
    suppressed = ("", finding.acknowledged_id, finding.acknowledged_at.lstrip("/"), finding.paths)
    record = next((r for r in records if gate.suppresses(r, suppressed)), None)
    if record is None:
        return {
            **dict.fromkeys(("risk", "risk_title", "owner", "owner_party", "accepted", "review_by"), ""),
            "days_left": None,
        }
    return {
        "risk": record.risk,
        "risk_title": record.title,
        "owner": record.owner.label,
        "owner_party": record.owner.party,
        "accepted": str(record.accepted or ""),
        "review_by": str(record.review_by or ""),
        "days_left": record.days_left(ctx.inputs.today),
    }


def collect_register(ctx: Context) -> dict[str, Any]:
    """Every acknowledgement of every pack in the environment, with its owner, the date it was
    accepted, its review-by date and the days left until then (from the report's date); and what is
    still unacknowledged."""
    env_findings = [f for f in ctx.inputs.findings if any(in_env(p, ctx.env) for p in f.paths)]
    source = ctx.inputs.assembly_source
    records = gate.accepted_risks(source, _environments(ctx)) if source else []
    register = [
        {
            "pack": f.pack,
            "rule": f.rule,
            "acknowledged_id": f.acknowledged_id,
            "acknowledged_at": f.acknowledged_at,
            "reason": f.reason,
            "conditions": [m.rstrip(".,") for m in sorted(set(VTC_ID.findall(f.reason)) | set(VTC_ID.findall(f.rule)))],
            **_dated(ctx, records, f),
            **ctx.locate(p),
        }
        for f in env_findings
        if f.suppressed
        for p in f.paths
        if in_env(p, ctx.env)
    ]
    unacknowledged = [
        {"pack": f.pack, "rule": f.rule, "description": f.description, **ctx.locate(p)}
        for f in env_findings
        if not f.suppressed
        for p in f.paths
        if in_env(p, ctx.env)
    ]
    return {
        "accepted_risks": register,
        "accepted_risks_as_of": ctx.inputs.today.isoformat(),
        "unacknowledged_findings": unacknowledged,
    }


# VTC-RISK-ACCEPTED and VTC-GATE: the gate's own checks --------------------------------------------


def _listed(problems: list[str], most: int = 5) -> str:
    more = f"; and {len(problems) - most} more" if len(problems) > most else ""
    return "; ".join(problems[:most]) + more


def _failures(rule: str, problems: list[str]) -> list[dict[str, str]]:
    return [{"rule": rule, "description": p, "stack": "", "logical_id": "", "path": ""} for p in problems]


def _without_report() -> dict[str, dict[str, Any]]:
    missing = f"no {VALIDATION_FILE} in this cdk.out (synthesize with @aws-cdk/core:validationReportJson)"
    return {
        RISK_ACCEPTED: {"status": NOT_CHECKED, "note": f"not checked: {missing}", "failures": [], "checks": {}},
        GATE: {
            "status": FAILING,
            "note": f"the gate cannot run: {missing}",
            "failures": _failures(GATE, [missing]),
            "checks": {},
        },
    }


def _risk_row(checks: gate.EnvironmentGate, summary: dict[str, Any], counted: str) -> dict[str, Any]:
    register = checks.register
    if checks.without_reason or register.problems:
        problems = [*checks.without_reason, *register.problems]
        return {
            "status": FAILING,
            "failures": _failures(RISK_ACCEPTED, problems),
            "checks": summary,
            "note": f"of {len(checks.acknowledgements)} acknowledgement(s) in the register (by pack: {counted}), "
            f"{len(checks.without_reason)} carry no reason, {len(register.expired)} are past their review-by date, "
            f"{len(register.unmatched)} match no finding, {len(register.unregistered)} are outside the dated "
            f"register: {_listed(problems)}",
        }
    return {
        "status": ENFORCED,
        "failures": [],
        "checks": summary,
        "note": f"every acknowledgement carries a reason, an owner and a review-by date not passed, and suppresses "
        f"a finding: {len(checks.acknowledgements)} in the register (by pack: {counted})",
    }


def _gate_row(checks: gate.EnvironmentGate, summary: dict[str, Any]) -> dict[str, Any]:
    passing = (
        "no unacknowledged finding, no never-acknowledge rule acknowledged, the VTC pack ran, every "
        "acknowledgement carries a reason, is in the dated register, is not past its review and suppresses a finding"
    )
    if not checks.passes:
        scope = "holds personal data" if checks.holds_personal_data else "holds no personal data"
        return {
            "status": FAILING,
            "failures": _failures(GATE, checks.problems),
            "checks": summary,
            "note": f"the gate (python -m policies.gate) fails for this environment, which {scope}: "
            f"{_listed(checks.problems)}",
        }
    if checks.holds_personal_data:
        note = f"the gate passes for this personal-data environment: {passing}"
    else:
        note = (
            "the gate applies to environments that hold personal data only, and this one holds "
            f"none; its checks pass all the same ({passing}), and the VTC pack fails "
            "synthesis on any finding here too"
        )
    return {"status": ENFORCED, "failures": [], "checks": summary, "note": note}


def gate_rows_of(ctx: Context) -> dict[str, dict[str, Any]]:
    """VTC-RISK-ACCEPTED and VTC-GATE of one environment, from the gate's own checks on the same
    inputs as `python -m policies.gate` (validation-report.json, vtc-evaluations.json, the config)."""
    inputs = ctx.inputs
    if inputs.validation_report is None:
        return _without_report()
    config = inputs.config
    environments = set(config.environments) if config else set(inputs.envs)
    personal = {n for n, e in config.environments.items() if e.holds_personal_data} if config else set()
    checks = gate.check_environment(
        inputs.validation_report, inputs.assembly_source or Path("."), ctx.env, personal, environments, inputs.today
    )
    by_pack = dict(sorted(Counter(a.pack for a in checks.acknowledgements).items()))
    counted = ", ".join(f"{pack} {n}" for pack, n in by_pack.items()) or "none"
    summary = {
        "holds_personal_data": checks.holds_personal_data,
        "acknowledgements_by_pack": by_pack,
        "acknowledgements_without_reason": len(checks.without_reason),
        "acknowledgements_past_review": len(checks.register.expired),
        "acknowledgements_matching_no_finding": len(checks.register.unmatched),
        "suppressions_outside_the_register": len(checks.register.unregistered),
        "unacknowledged_findings": len(checks.unacknowledged),
        "never_acknowledge_rules_acknowledged": len(checks.never_acknowledged),
        "vtc_pack_ran": not checks.pack_did_not_run,
    }
    return {RISK_ACCEPTED: _risk_row(checks, summary, counted), GATE: _gate_row(checks, summary)}
