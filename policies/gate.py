"""VTC-GATE and VTC-RISK-ACCEPTED after synthesis: `python -m policies.gate cdk.out`.

Reads `<outdir>/validation-report.json` (and the config, for which environments hold personal
data). Fails, one line per problem, when

- any plugin still has an unacknowledged violation (a synthesis run with
  failSynthOnValidationErrors=false would otherwise slip through),
- the VTC pack did not run (no `vtc-evaluations.json`),
- an acknowledgement has no reason,
- a rule of the never-acknowledge list was acknowledged in an environment that holds personal data,
- an accepted risk of the register (policies/risks.py, recorded in the assembly's manifests) is past
  its review-by date (`--today YYYY-MM-DD`, default today), or its acknowledgement no longer matches
  a suppressed finding (a mistyped id or a fixed resource: cdk-nag ignores either silently),
- a finding was suppressed by an acknowledgement outside the register (no owner, no dates).

Otherwise it prints every acknowledgement per environment (pack, rule, construct path, reason,
owner, review-by): the accepted risks of the compliance report.

The checks are importable: `check_environment` gives them for one environment, and the compliance
report (tools/report/) computes its VTC-GATE and VTC-RISK-ACCEPTED rows with it.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from config import ConfigError, load_config
from contract.artefacts import EVALUATIONS_FILE, VALIDATION_FILE
from policies.registry import NEVER_ACKNOWLEDGE, PACK_NAME
from policies.risks import AcceptedRisk, accepted_risks, parse_date
from policies.synthesis import AssemblySource, SynthesisError, directory_of, read_validation_report

NO_ENVIRONMENT = "(outside any environment)"


@dataclass(frozen=True)
class Acknowledgement:
    environment: str
    pack: str
    rule: str
    path: str
    reason: str

    @property
    def rule_base(self) -> str:
        """The rule id without a finding suffix: VTC-X[...] -> VTC-X."""
        return self.rule.split("[", 1)[0]


def _environment(path: str, environments: set[str]) -> str:
    first = path.split("/", 1)[0]
    return first if first in environments else NO_ENVIRONMENT


def acknowledgements(report: dict, environments: set[str]) -> list[Acknowledgement]:
    out = []
    for plugin in report.get("pluginReports", []):
        for violation in plugin.get("suppressedViolations", []):
            rule = str(violation.get("acknowledgedId") or violation.get("ruleName", "")).split("::", 1)[-1]
            for construct in violation.get("violatingConstructs", []):
                path = construct.get("constructPath", "")
                out.append(
                    Acknowledgement(
                        _environment(path, environments),
                        plugin.get("pluginName", "?"),
                        rule,
                        path,
                        str(violation.get("reason") or "").strip(),
                    )
                )
    return out


def unacknowledged(report: dict, environments: set[str], environment: str | None = None) -> list[str]:
    """Every violation some plugin still reports (only those at a construct of `environment`, if given)."""
    found = []
    for plugin in report.get("pluginReports", []):
        for violation in plugin.get("violations", []):
            constructs = [c.get("constructPath", "?") for c in violation.get("violatingConstructs", [])]
            if environment is not None and not any(_environment(p, environments) == environment for p in constructs):
                continue
            found.append(
                f"{plugin.get('pluginName')}: {violation.get('ruleName')} unacknowledged at {', '.join(constructs)}"
            )
    return found


def pack_did_not_run(outdir: Path) -> list[str]:
    """The VTC pack writes its evaluations on every run: without them, it did not run."""
    if (outdir / EVALUATIONS_FILE).exists():
        return []
    return [f"{PACK_NAME}: the VTC pack did not run ({EVALUATIONS_FILE} missing in {outdir})"]


def without_reason(ack: Acknowledgement) -> str | None:
    """VTC-RISK-ACCEPTED: every acknowledgement states the risk it accepts."""
    if ack.reason:
        return None
    return f"{ack.pack}: {ack.rule} acknowledged at {ack.path} without a reason (VTC-RISK-ACCEPTED)"


def never_acknowledged(ack: Acknowledgement, personal: set[str]) -> str | None:
    """VTC-GATE: the never-acknowledge rules stay unacknowledged where personal data is."""
    if ack.pack == PACK_NAME and ack.environment in personal and ack.rule_base in NEVER_ACKNOWLEDGE:
        return (
            f"{ack.pack}: {ack.rule} may never be acknowledged in {ack.environment}, which holds "
            f"personal data (VTC-GATE), but is at {ack.path}"
        )
    return None


# The dated register (VTC-RISK-ACCEPTED, §56) -------------------------------------------------


def _suppressed(report: dict) -> list[tuple[str, str, str, list[str]]]:
    """(plugin, acknowledged id, acknowledged at, violating construct paths) of every suppressed finding."""
    return [
        (
            str(plugin.get("pluginName", "?")),
            str(v.get("acknowledgedId") or ""),
            str(v.get("acknowledgedAt") or "").lstrip("/"),
            [str(c.get("constructPath", "")).lstrip("/") for c in v.get("violatingConstructs", [])],
        )
        for plugin in report.get("pluginReports", [])
        for v in plugin.get("suppressedViolations", [])
    ]


def suppresses(record: AcceptedRisk, finding: tuple[str, str, str, list[str]]) -> bool:
    """The suppressed finding was suppressed by this acknowledgement: same id, made at the same
    construct (or, where the report does not say where, a violating construct at or under it)."""
    _, ack_id, at, paths = finding
    if ack_id != record.rule:
        return False
    if at:
        return at == record.path
    return any(p == record.path or p.startswith(record.path + "/") for p in paths)


def expired(record: AcceptedRisk, today: date) -> str | None:
    """An accepted risk is reviewed by its review-by date (policies/risks.toml)."""
    if record.accepted is None or record.review_by is None:
        return f"accepted risk {record.where} has no valid accepted/review_by date in the assembly (YYYY-MM-DD)"
    if record.review_by >= today:
        return None
    return (
        f"accepted risk {record.where} was due for review on {record.review_by} ({(today - record.review_by).days} "
        f"day(s) ago, today {today}): review it with its owner and renew accepted/review_by in policies/risks.toml, "
        "or fix the finding (VTC-RISK-ACCEPTED)"
    )


def unmatched(record: AcceptedRisk, findings: list[tuple[str, str, str, list[str]]]) -> str | None:
    """cdk-nag drops a mistyped or stale acknowledgement silently: each must have suppressed a finding."""
    if any(suppresses(record, f) for f in findings):
        return None
    return (
        f"accepted risk {record.where} matches no suppressed finding in {VALIDATION_FILE}: the rule id is mistyped "
        "or the finding is gone; allowed: an acknowledgement that suppresses a finding (fix the id or drop it)"
    )


def unregistered(finding: tuple[str, str, str, list[str]], records: list[AcceptedRisk]) -> str | None:
    """A finding suppressed without accept_risk has no owner and no dates."""
    if any(suppresses(r, finding) for r in records):
        return None
    plugin, ack_id, at, paths = finding
    return (
        f"{plugin}: {ack_id or '?'} suppressed at {at or ', '.join(paths)} outside the risk register (no owner, "
        "no dates): acknowledge through cdk_constructs/risk.py accept_risk(..., risk=<id of policies/risks.toml>)"
    )


@dataclass(frozen=True)
class RegisterChecks:
    """The register's checks for one environment (or the whole synthesis)."""

    records: list[AcceptedRisk] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    unregistered: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [*self.expired, *self.unmatched, *self.unregistered]


def check_register(
    report: dict, source: AssemblySource, environments: set[str], today: date, environment: str | None = None
) -> RegisterChecks:
    """Expired, unmatched and unregistered acknowledgements (only those of `environment`, if given)."""
    records = accepted_risks(source, environments)
    findings = _suppressed(report)
    if environment is not None:
        records = [r for r in records if r.environment == environment]
        findings = [f for f in findings if _environment(f[2] or (f[3] or [""])[0], environments) == environment]
    return RegisterChecks(
        records=records,
        expired=[p for r in records if (p := expired(r, today))],
        unmatched=[p for r in records if (p := unmatched(r, findings))],
        unregistered=[p for f in findings if (p := unregistered(f, records))],
    )


@dataclass(frozen=True)
class EnvironmentGate:
    """The gate's checks for one environment (the compliance report's VTC-GATE and VTC-RISK-ACCEPTED rows)."""

    environment: str
    holds_personal_data: bool
    acknowledgements: list[Acknowledgement]
    unacknowledged: list[str]
    pack_did_not_run: list[str]
    without_reason: list[str]
    never_acknowledged: list[str]
    register: RegisterChecks = field(default_factory=RegisterChecks)

    @property
    def problems(self) -> list[str]:
        return [
            *self.unacknowledged,
            *self.pack_did_not_run,
            *self.without_reason,
            *self.never_acknowledged,
            *self.register.problems,
        ]

    @property
    def passes(self) -> bool:
        return not self.problems


def check_environment(
    report: dict,
    source: AssemblySource,
    environment: str,
    personal: set[str],
    environments: set[str],
    today: date | None = None,
) -> EnvironmentGate:
    acks = [a for a in acknowledgements(report, environments) if a.environment == environment]
    return EnvironmentGate(
        environment=environment,
        holds_personal_data=environment in personal,
        acknowledgements=acks,
        unacknowledged=unacknowledged(report, environments, environment),
        pack_did_not_run=pack_did_not_run(directory_of(source)),
        without_reason=[p for a in acks if (p := without_reason(a))],
        never_acknowledged=[p for a in acks if (p := never_acknowledged(a, personal))],
        register=check_register(report, source, environments, today or date.today(), environment),
    )


def problems(
    report: dict, outdir: Path, personal: set[str], environments: set[str], today: date | None = None
) -> list[str]:
    """Every reason the gate fails, over the whole synthesis (every environment and outside them)."""
    found = [*unacknowledged(report, environments), *pack_did_not_run(outdir)]
    for ack in acknowledgements(report, environments):
        found.extend(p for p in (without_reason(ack), never_acknowledged(ack, personal)) if p)
    found += check_register(report, outdir, environments, today or date.today()).problems
    return found


def render_accepted_risks(records: list[AcceptedRisk], today: date) -> str:
    by_env: dict[str, list[AcceptedRisk]] = defaultdict(list)
    for record in records:
        by_env[record.environment].append(record)
    lines = [f"Accepted risks (VTC-RISK-ACCEPTED) on {today}: {len(records)} acknowledgement(s)"]
    for env in sorted(by_env):
        lines.append(f"{env}:")
        for r in sorted(by_env[env], key=lambda r: (r.rule, r.path)):
            lines.append(
                f"  {r.rule} at {r.path}: {r.reason} [risk {r.risk}, owner {r.owner.label}, accepted {r.accepted}, "
                f"review by {r.review_by}, {r.days_left(today)} day(s) left]"
            )
    return "\n".join(lines)


def today_option(value: str) -> date:
    """--today: a date YYYY-MM-DD (argparse turns the error into one line)."""
    parsed = parse_date(value)
    if parsed is None:
        raise argparse.ArgumentTypeError(f"got {value!r}; allowed: a date YYYY-MM-DD")
    return parsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policies.gate", description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="the cloud assembly directory (cdk.out)")
    parser.add_argument("--config", default=None, help="the config file used for synthesis (default: embedded)")
    parser.add_argument(
        "--today", type=today_option, default=None, help="the date review-by dates are compared with (default: today)"
    )
    args = parser.parse_args(argv)
    today = args.today or date.today()
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    report_path = args.outdir / VALIDATION_FILE
    try:
        report = read_validation_report(args.outdir)
    except SynthesisError as exc:
        print(f"gate: {exc}", file=sys.stderr)
        return 1
    if report is None:
        print(f"gate: {report_path} not found: synthesize with @aws-cdk/core:validationReportJson", file=sys.stderr)
        return 1
    environments = set(config.environments)
    personal = {name for name, env in config.environments.items() if env.holds_personal_data}
    found = problems(report, args.outdir, personal, environments, today)
    if found:
        for line in found:
            print(f"gate: {line}", file=sys.stderr)
        return 1
    print(render_accepted_risks(accepted_risks(args.outdir, environments), today))
    return 0


if __name__ == "__main__":
    sys.exit(main())
