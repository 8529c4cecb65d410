"""The accepted risks (§56) as OSCAL risks: one per acknowledgement the gate lists for the
environment (`policies.gate.acknowledgements`), with status deviation-approved and its reason.

An acknowledgement without a reason is no approved deviation (VTC-RISK-ACCEPTED fails on it): its
risk stays "open". Owner, acceptance date and review-by date come from the register's record of the
acknowledgement (policies/risks.py `accepted_risks`, matched by `acceptance`): the owner and both
dates as properties, the review-by date as the risk's deadline, the acceptance as the risk log's entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from trestle.oscal.common import Entry, Observation, RelatedObservation, Risk, RiskLog, RiskStatus

from policies.gate import Acknowledgement
from policies.risks import AcceptedRisk as Record
from tools.oscal.common import Uuids, one_line, prop
from tools.report.conditions import VTC_ID, rule_id

APPROVED = "deviation-approved"
OPEN = "open"


@dataclass(frozen=True, kw_only=True)
class Acceptance:
    """Who accepted the risk, when, and when it is reviewed again (each may be unknown)."""

    owner: str = ""
    accepted: dt.date | None = None
    review_by: dt.date | None = None


def _made_by(record: Record, ack: Acknowledgement) -> bool:
    """The register's record is the acknowledgement: the same rule, made at the construct or above it."""
    path, at = ack.path.lstrip("/"), record.path.lstrip("/")
    return record.rule.split("::", 1)[-1] == ack.rule and (path == at or path.startswith(at + "/"))


def acceptance(ack: Acknowledgement, records: Sequence[Record] = ()) -> Acceptance:
    """Owner and dates of the register's record of the acknowledgement (empty: none records it, and
    the gate fails on it)."""
    record = next((r for r in records if _made_by(r, ack)), None)
    if record is None:
        return Acceptance()
    return Acceptance(owner=one_line(record.owner.label), accepted=record.accepted, review_by=record.review_by)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def key(pack: str, rule: str, path: str) -> tuple[str, str, str]:
    """How an acknowledgement is matched to the report's rows: the pack, the bare rule id, the path."""
    return pack, rule_id(rule), path


def cited_conditions(ack: Acknowledgement) -> list[str]:
    """The VTC conditions the acknowledgement's rule or reason names (as the report's register does)."""
    return sorted({m.rstrip(".,") for m in VTC_ID.findall(ack.rule) + VTC_ID.findall(ack.reason)})


@dataclass(frozen=True, kw_only=True)
class AcceptedRisk:
    """One acknowledgement as OSCAL: the observed (suppressed) finding and the risk."""

    ack: Acknowledgement
    observation: Observation
    risk: Risk


def accepted_risk(
    ids: Uuids, ack: Acknowledgement, when: dt.datetime, origins: list[Any], records: Sequence[Record] = ()
) -> AcceptedRisk:
    name = ("acknowledgement", ack.pack, ack.rule, ack.path)
    where = [*prop("pack", ack.pack), *prop("rule", ack.rule), *prop("construct-path", ack.path)]
    observation = Observation(
        uuid=ids.new("observation", *name),
        title=one_line(f"Acknowledged: {ack.pack} {ack.rule} at {ack.path}"),
        description=(
            f"The {ack.pack} pack's finding {ack.rule} at {ack.path} is acknowledged (suppressed) in this synthesis. "
            f"Reason: {ack.reason or '(none given)'}"
        ),
        props=where,
        methods=["TEST"],
        types=["finding"],
        origins=origins or None,
        collected=when,
    )
    accepted = acceptance(ack, records)
    props = [
        *where,
        *prop("conditions", ", ".join(cited_conditions(ack))),
        *prop("risk-owner", accepted.owner),
        *prop("accepted-on", accepted.accepted.isoformat() if accepted.accepted else ""),
        *prop("review-by", accepted.review_by.isoformat() if accepted.review_by else ""),
    ]
    status = APPROVED if ack.reason else OPEN
    log = None
    if accepted.accepted:
        log = RiskLog(
            entries=[
                Entry(
                    uuid=ids.new("risk-log", *name),
                    title="Risk accepted",
                    description=f"Accepted{f' by {accepted.owner}' if accepted.owner else ''}: {ack.reason}",
                    start=_midnight(accepted.accepted),
                    status_change=RiskStatus(APPROVED),
                )
            ]
        )
    risk = Risk(
        uuid=ids.new("risk", *name),
        title=one_line(f"Accepted risk: {ack.pack} {ack.rule} at {ack.path}"),
        description=ack.reason or "No reason given: this is no approved deviation (VTC-RISK-ACCEPTED fails).",
        statement=(
            f"The {ack.pack} rule {ack.rule} is not met at {ack.path}; "
            + (f"the controller accepted the risk (§56): {ack.reason}" if ack.reason else "no risk was accepted.")
        ),
        props=props,
        status=RiskStatus(status),
        origins=origins or None,
        deadline=_midnight(accepted.review_by) if accepted.review_by else None,
        risk_log=log,
        related_observations=[RelatedObservation(observation_uuid=observation.uuid)],
    )
    return AcceptedRisk(ack=ack, observation=observation, risk=risk)


def accepted_risks(
    ids: Uuids, acks: list[Acknowledgement], when: dt.datetime, origins: list[Any], records: Sequence[Record] = ()
) -> list[AcceptedRisk]:
    """Every acknowledgement of the environment, in a stable order, with the register's owner and dates."""
    ordered = sorted(acks, key=lambda a: (a.pack, a.rule, a.path, a.reason))
    return [accepted_risk(ids, a, when, origins, records) for a in ordered]
