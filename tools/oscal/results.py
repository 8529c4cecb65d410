"""The OSCAL assessment results of one synthesis of one environment.

Nothing is recomputed: each condition's finding is the compliance report's row for it
(`tools/report/`, the same report.json beside this file): "satisfied" only when the report says
"enforced and passing"; failing, accepted risk, organisational and not checked are "not-satisfied"
(reason fail for failing, other for the rest), and the report's own status stays in the finding's
`report-status` property. The observations are what the VTC pack evaluated (every compliant
resource by stack, logical id and construct path) and every failure (rule, construct path); the
risks are the acknowledgements the gate lists (tools/oscal/risks.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from trestle.common import const
from trestle.oscal.assessment_results import AssessmentResults, ImportAp, LocalDefinitions1, Result
from trestle.oscal.common import (
    AssociatedRisk,
    ControlSelections,
    Finding,
    FindingTarget,
    ObjectiveStatus,
    Observation,
    Origin,
    OriginActor,
    Property,
    RelatedObservation,
    RelevantEvidence,
    ReviewedControls,
    SelectControlById,
    Status,
    SubjectReference,
    SystemComponent,
)

from contract.artefacts import COMPONENT_DEFINITION_FILE, REPORT_JSON
from policies.catalogue import Catalogue, Condition
from policies.gate import Acknowledgement
from policies.registry import PACK_NAME
from policies.risks import AcceptedRisk as Record
from tools.oscal.common import (
    TRESTLE_NS,
    OscalError,
    Uuids,
    advice_link,
    back_matter,
    metadata,
    one_line,
    prop,
    report_href,
)
from tools.oscal.component import component_uuid
from tools.oscal.risks import AcceptedRisk, accepted_risks, cited_conditions
from tools.report.conditions import rule_id
from tools.report.model import ENFORCED, FAILING, RISK_ACCEPTED, STATUS_LABELS

SATISFIED = "satisfied"
NOT_SATISFIED = "not-satisfied"


def objective_status(row: dict[str, Any]) -> ObjectiveStatus:
    """The report's status as OSCAL's: satisfied only when enforced and passing."""
    status = row["status"]
    if status == ENFORCED:
        return ObjectiveStatus(state=SATISFIED, reason="pass", remarks=row["note"])
    return ObjectiveStatus(state=NOT_SATISFIED, reason="fail" if status == FAILING else "other", remarks=row["note"])


def _where(item: dict[str, Any]) -> list[Property]:
    return [
        *prop("rule", item.get("rule")),
        *prop("stack", item.get("stack")),
        *prop("logical-id", item.get("logical_id")),
        *prop("resource-type", item.get("type")),
        *prop("construct-path", item.get("path")),
    ]


class _Builder:
    """Builds the observations, findings and risks of one environment's result."""

    def __init__(
        self, report: dict[str, Any], acks: list[Acknowledgement], when: dt.datetime, records: Sequence[Record] = ()
    ) -> None:
        self.env = report["environment"]
        self.ids = Uuids(self.env)
        self.when = when
        self.tool = self.ids.of("component", "vtc-pack")
        self.origins = [Origin(actors=[OriginActor(type="tool", actor_uuid=self.tool)])]
        self.subjects = [
            SubjectReference(
                subject_uuid=component_uuid(self.ids), type="component", title=f"LED landing zone, {self.env}"
            )
        ]
        self.risks = accepted_risks(self.ids, acks, when, self.origins, records)
        self.observations: list[Observation] = [r.observation for r in self.risks]

    def _observation(self, name: tuple[str, ...], title: str, description: str, **fields: Any) -> Observation:
        observation = Observation(
            uuid=self.ids.new("observation", *name),
            title=one_line(title),
            description=description,
            methods=["TEST"],
            origins=self.origins,
            subjects=self.subjects,
            collected=self.when,
            **fields,
        )
        self.observations.append(observation)
        return observation

    def evidence(self, condition: Condition, row: dict[str, Any]) -> list[Observation]:
        """What the pack (or the gate) evaluated for the condition, and every failure."""
        cid, out = condition.id, []
        resources = row.get("compliant_resources") or []
        evaluated = row.get("evaluated") or {}
        checks = row.get("gate_checks")
        if resources or any(evaluated.values()) or checks:
            evidence = [
                RelevantEvidence(
                    href=report_href(self.ids),
                    description=one_line(f"{r['rule']}: compliant: {r['stack']} {r['logical_id']} ({r['type']})"),
                    props=_where(r) or None,
                )
                for r in resources
            ]
            evidence.append(RelevantEvidence(href=report_href(self.ids), description=f"report.json, condition {cid}"))
            counts = [p for result, n in sorted(evaluated.items()) for p in prop(f"evaluated-{result}", n)]
            gate = [p for name, value in sorted((checks or {}).items()) for p in prop(name, _flat(value))]
            out.append(
                self._observation(
                    ("evaluations", cid),
                    f"{cid}: what this synthesis evaluated",
                    row["note"],
                    types=["control-objective"],
                    props=[*counts, *gate, *prop("rules", ", ".join(row.get("rules") or []))] or None,
                    relevant_evidence=evidence,
                )
            )
        for failure in row.get("failures") or []:
            at = failure.get("path") or failure.get("stack") or self.env
            out.append(
                self._observation(
                    ("failure", cid, failure.get("rule", ""), at, failure.get("description", "")),
                    f"{cid}: {failure.get('rule', '')} fails at {at}",
                    failure.get("description") or "non-compliant",
                    types=["finding"],
                    props=_where(failure) or None,
                )
            )
        return out

    def related_risks(self, condition: Condition, row: dict[str, Any]) -> list[AcceptedRisk]:
        """The acknowledgements of the condition's findings (as the report's row lists them), those
        whose reason cites the condition, and all of them for VTC-RISK-ACCEPTED (the register)."""
        listed = {(rule_id(a.get("rule", "")), a.get("path", "")) for a in row.get("accepted_risks") or []}
        return [
            r
            for r in self.risks
            if condition.id == RISK_ACCEPTED
            or (r.ack.pack == PACK_NAME and (rule_id(r.ack.rule), r.ack.path) in listed)
            or condition.id in cited_conditions(r.ack)
        ]

    def finding(self, condition: Condition, row: dict[str, Any]) -> Finding:
        observations = self.evidence(condition, row)
        risks = self.related_risks(condition, row)
        label = STATUS_LABELS.get(row["status"], row["status"])
        return Finding(
            uuid=self.ids.of("finding", condition.id),
            title=one_line(f"{condition.id} ({condition.citation}): {label}"),
            description=row["note"],
            props=[
                *prop("report-status", row["status"]),
                *prop("paragraphs", condition.citation),
                *[p for r in row.get("rules") or [] for p in prop(const.RULE_ID, r, ns=TRESTLE_NS)],
            ],
            origins=self.origins,
            target=FindingTarget(
                type="objective-id",
                target_id=condition.id,
                title=one_line(condition.statement),
                status=objective_status(row),
            ),
            related_observations=[RelatedObservation(observation_uuid=o.uuid) for o in observations] or None,
            related_risks=[AssociatedRisk(risk_uuid=r.risk.uuid) for r in risks] or None,
        )


def _flat(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items()) or "none"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _local_definitions(builder: _Builder) -> LocalDefinitions1:
    env = builder.env
    return LocalDefinitions1(
        components=[
            SystemComponent(
                uuid=component_uuid(builder.ids),
                type="software",
                title=f"LED landing zone, environment {env}",
                description="The landing zone as synthesized: the templates of this cloud assembly (cdk.out). "
                f"Its implementation of the VTC conditions: {COMPONENT_DEFINITION_FILE}.",
                status=Status(state="other", remarks="synthesized, as the pipeline deploys it"),
            ),
            SystemComponent(
                uuid=builder.tool,
                type="software",
                title="VTC rule pack, gate and compliance report",
                description="The VTC pack (policies/) evaluates every resource of every synthesis; the gate "
                "(python -m policies.gate) checks the acknowledgements; python -m tools.report writes these results.",
                status=Status(state="operational"),
            ),
        ]
    )


def build_assessment_results(
    report: dict[str, Any],
    catalogue: Catalogue,
    acks: list[Acknowledgement],
    when: dt.datetime,
    records: Sequence[Record] = (),
) -> AssessmentResults:
    """The assessment results of one environment from its compliance report, the gate's acknowledgements
    and the register's records of them (owner, dates)."""
    builder = _Builder(report, acks, when, records)
    env, ids = builder.env, builder.ids
    rows = {r["id"]: r for r in report.get("conditions", [])}
    missing = [c.id for c in catalogue.conditions if c.id not in rows]
    if missing:
        raise OscalError(f"oscal error: the compliance report of {env} has no row for {', '.join(missing)}")
    findings = [builder.finding(c, rows[c.id]) for c in catalogue.conditions]
    summary = report.get("summary") or {}
    remarks = (
        ""
        if report.get("inputs", {}).get("validation_report", True)
        else (" No validation-report.json in this cdk.out: no acknowledgement could be read, the gate fails.")
    )
    result = Result(
        uuid=ids.of("result"),
        title=f"Synthesis of environment {env}",
        description="The VTC conditions of this synthesis, as the compliance report computed them "
        f"({REPORT_JSON} beside this file): one finding per condition, the evaluations and failures as "
        "observations, the acknowledgements as risks." + remarks,
        start=when,
        end=when,
        links=[advice_link(ids, catalogue)],
        props=[p for status in STATUS_LABELS for p in prop(f"conditions-{status}", summary.get(status, 0))],
        local_definitions=_local_definitions(builder),
        reviewed_controls=ReviewedControls(
            control_selections=[
                ControlSelections(include_controls=[SelectControlById(control_id=c.id) for c in catalogue.conditions])
            ]
        ),
        observations=builder.observations or None,
        risks=[r.risk for r in builder.risks] or None,
        findings=findings,
    )
    return AssessmentResults(
        uuid=ids.of("assessment-results"),
        metadata=metadata(
            f"LED landing zone ({env}): assessment of the VTC conditions in this synthesis",
            when,
            report,
            "Written by python -m tools.report (tools/oscal/) from the compliance report of the same synthesis.",
        ),
        import_ap=ImportAp(
            href=COMPONENT_DEFINITION_FILE,
            remarks="No separate assessment plan: every synthesis runs the VTC pack on every resource; the "
            "controls assessed are the implemented requirements of this component definition.",
        ),
        results=[result],
        back_matter=back_matter(ids, catalogue, with_report=True),
    )
