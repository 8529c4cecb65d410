"""The dated register of accepted risks (VTC-RISK-ACCEPTED, §56): who accepted which risk, when,
and by when it must be reviewed.

`policies/risks.toml` is the register: the owners (a named role of a party of the project) and the
risks, each with its owner, the date it was accepted, its review-by date (at most
`MAX_REVIEW_MONTHS` after acceptance) and the rules whose findings it may acknowledge. Every
acknowledgement (`cdk_constructs/risk.py accept_risk(..., risk=<id>)`) names one risk; synthesis
refuses, in one line, an unknown id, a missing owner or date, a malformed date, a review-by before
acceptance or too late, and a rule the risk does not cover. Each acknowledgement made is recorded
as construct metadata (`METADATA_ACCEPTED_RISK`), which lands in the cloud assembly's manifests: the gate
and the compliance report read the register from cdk.out (`accepted_risks`), without the app.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from contract.metadata import METADATA_ACCEPTED_RISK
from policies.synthesis import AssemblySource, SynthesisError, assembly_of

REGISTER_FILE = Path(__file__).with_name("risks.toml")
MAX_REVIEW_MONTHS = 12
NO_ENVIRONMENT = "(outside any environment)"


class RiskRegisterError(ValueError):
    """A problem with an acknowledgement or the register, said in one line."""


@dataclass(frozen=True)
class Owner:
    """Who accepts a risk: a named role of one of the project's parties (the controller decides, §56)."""

    id: str
    party: str
    role: str

    @property
    def label(self) -> str:
        return f"{self.party} {self.role}"


@dataclass(frozen=True)
class Risk:
    """One entry of the register, valid (the dates checked)."""

    id: str
    title: str
    owner: Owner
    accepted: date
    review_by: date
    rules: tuple[str, ...]  # rule ids without their finding suffix: Pack::Pack-RULE

    def covers(self, rule: str) -> bool:
        return rule.split("[", 1)[0] in self.rules


def latest_review(accepted: date) -> date:
    """The last review-by date allowed: MAX_REVIEW_MONTHS after acceptance (28 February for a 29th)."""
    months = accepted.month - 1 + MAX_REVIEW_MONTHS
    year, month = accepted.year + months // 12, months % 12 + 1
    for day in (accepted.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # every month has a 28th


def parse_date(value: Any) -> date | None:
    """A TOML date or an ISO string (YYYY-MM-DD); None when it is neither."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if len(value) == 10 else None
        except ValueError:
            return None
    return None


def date_problem(accepted: Any, review_by: Any) -> str | None:
    """What is wrong with an acceptance's dates (field, got, allowed), or None."""
    got = {"accepted": accepted, "review_by": review_by}
    parsed = {name: parse_date(value) for name, value in got.items()}
    for name, value in got.items():
        if value is None or value == "":
            return f"field '{name}' is missing; allowed: a date YYYY-MM-DD"
        if parsed[name] is None:
            return f"field '{name}': got {value!r}; allowed: a date YYYY-MM-DD"
    start, end = parsed["accepted"], parsed["review_by"]
    assert start is not None and end is not None
    if end <= start:
        return f"field 'review_by': got {end}, not after accepted {start}; allowed: a date after 'accepted'"
    if end > latest_review(start):
        return (
            f"field 'review_by': got {end}, more than {MAX_REVIEW_MONTHS} months after accepted {start}; "
            f"allowed: at the latest {latest_review(start)}"
        )
    return None


@dataclass(frozen=True)
class Register:
    """The register as read: its owners and its raw entries, checked when an acknowledgement uses one."""

    path: Path
    owners: dict[str, Owner]
    entries: dict[str, dict[str, Any]]

    def risk(self, risk_id: str, *, rule: str, where: str) -> Risk:
        """The entry `risk_id` for the acknowledgement of `rule` at construct path `where`; one-line
        RiskRegisterError (what, where, what is allowed) if it cannot carry it."""
        head = f"risk register error: {self.path.name}: acknowledgement {rule} at {where}: risk {risk_id!r}"
        entry = self.entries.get(risk_id)
        if entry is None:
            raise RiskRegisterError(f"{head} is not in the register; allowed: {', '.join(sorted(self.entries))}")
        owner = self.owners.get(str(entry.get("owner", "")))
        if owner is None:
            got = f"got {entry['owner']!r}" if entry.get("owner") else "it is missing"
            raise RiskRegisterError(f"{head}: field 'owner': {got}; allowed: {', '.join(sorted(self.owners))}")
        problem = date_problem(entry.get("accepted"), entry.get("review_by"))
        if problem:
            raise RiskRegisterError(f"{head}: {problem}")
        rules = tuple(str(r) for r in entry.get("rules", ()))
        title = str(entry.get("title", "")).strip()
        if not title:
            raise RiskRegisterError(f"{head}: field 'title' is missing; allowed: the accepted risk in a sentence")
        found = Risk(risk_id, title, owner, parse_date(entry["accepted"]), parse_date(entry["review_by"]), rules)  # type: ignore[arg-type]
        if not found.covers(rule):
            raise RiskRegisterError(
                f"{head} does not cover {rule.split('[', 1)[0]}; allowed: {', '.join(rules) or 'no rule'} "
                f"(add the rule to the risk's 'rules' only if its owner accepts it)"
            )
        return found


def load_register(path: Path = REGISTER_FILE) -> Register:
    """Read the register file (its entries are checked when used: the error then names the rule and
    the construct path)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RiskRegisterError(f"risk register error: {path}: {exc}") from None
    owners = {}
    for oid, raw in (data.get("owners") or {}).items():
        if not (isinstance(raw, dict) and raw.get("party") and raw.get("role")):
            raise RiskRegisterError(f"risk register error: {path.name}: owner {oid!r}: allowed: a party and a role")
        owners[oid] = Owner(oid, str(raw["party"]), str(raw["role"]))
    entries = data.get("risks") or {}
    if not isinstance(entries, dict) or not all(isinstance(e, dict) for e in entries.values()):
        raise RiskRegisterError(f"risk register error: {path.name}: allowed: [risks.<id>] tables")
    return Register(path, owners, entries)


@cache
def default_register() -> Register:
    return load_register(REGISTER_FILE)


def metadata(risk: Risk, rule: str, reason: str) -> dict[str, str]:
    """What one acknowledgement records in the cloud assembly (construct metadata, METADATA_ACCEPTED_RISK)."""
    return {
        "risk": risk.id,
        "title": risk.title,
        "owner": risk.owner.id,
        "party": risk.owner.party,
        "role": risk.owner.role,
        "accepted": risk.accepted.isoformat(),
        "review_by": risk.review_by.isoformat(),
        "rule": rule,
        "reason": reason,
    }


# The register as the synthesis recorded it ---------------------------------------------------


@dataclass(frozen=True)
class AcceptedRisk:
    """One acknowledgement made, as recorded in cdk.out: the rule, where, why, who accepted it and
    the dates. `accepted`/`review_by` are None only when the record in the assembly is malformed."""

    environment: str
    path: str  # the construct path the acknowledgement was made at
    rule: str  # Pack::Pack-RULE[finding], as acknowledged
    reason: str
    risk: str
    title: str
    owner: Owner
    accepted: date | None
    review_by: date | None

    def days_left(self, today: date) -> int | None:
        """Days until the review is due (negative: overdue)."""
        return (self.review_by - today).days if self.review_by else None

    @property
    def where(self) -> str:
        return f"{self.rule} at {self.path} (risk {self.risk!r}, owner {self.owner.label})"


def _records(source: AssemblySource) -> list[tuple[str, dict[str, Any]]]:
    """(construct path, data) of every METADATA_ACCEPTED_RISK entry of the stacks of the assembly and its
    nested assemblies (one per stage), read by the one reader of the synthesis. An assembly that cannot
    be read holds no records here: the gate and the report refuse it themselves, in their own words."""
    try:
        stacks = assembly_of(source).stacks
    except SynthesisError:
        return []
    return [(path, data) for stack in stacks for path, data in stack.metadata_of_type(METADATA_ACCEPTED_RISK)]


def accepted_risks(source: AssemblySource, environments: set[str]) -> list[AcceptedRisk]:
    """Every acknowledgement made in the synthesis `source` (its directory or the Assembly read from
    it), with its owner and dates (the register as the compliance report, the gate and the OSCAL
    assessment results read it)."""
    found = []
    for path, data in _records(source):
        first = path.split("/", 1)[0]
        owner = Owner(str(data.get("owner", "")), str(data.get("party", "")), str(data.get("role", "")))
        found.append(
            AcceptedRisk(
                environment=first if first in environments else NO_ENVIRONMENT,
                path=path,
                rule=str(data.get("rule", "")),
                reason=str(data.get("reason", "")),
                risk=str(data.get("risk", "")),
                title=str(data.get("title", "")),
                owner=owner,
                accepted=parse_date(data.get("accepted")),
                review_by=parse_date(data.get("review_by")),
            )
        )
    return sorted(found, key=lambda r: (r.environment, r.path, r.rule))
