"""VTC-GATE and VTC-RISK-ACCEPTED after synthesis: `python -m policies.gate cdk.out`.

Reads `<outdir>/validation-report.json` (and the config, for which environments hold personal
data). Fails, one line per problem, when

- any plugin still has an unacknowledged violation (a synthesis run with
  failSynthOnValidationErrors=false would otherwise slip through),
- the VTC pack did not run (no `vtc-evaluations.json`),
- an acknowledgement has no reason,
- a rule of the never-acknowledge list was acknowledged in an environment that holds personal data.

Otherwise it prints every acknowledgement per environment (pack, rule, construct path, reason):
the accepted risks of the compliance report.

The checks are importable: `check_environment` gives them for one environment, and the compliance
report (tools/report/) computes its VTC-GATE and VTC-RISK-ACCEPTED rows with it.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from config import ConfigError, load_config
from policies.registry import NEVER_ACKNOWLEDGE, PACK_NAME
from policies.synthesis import EVALUATIONS_FILE, VALIDATION_FILE, SynthesisError, read_validation_report

REPORT_FILE = VALIDATION_FILE
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

    @property
    def problems(self) -> list[str]:
        return [*self.unacknowledged, *self.pack_did_not_run, *self.without_reason, *self.never_acknowledged]

    @property
    def passes(self) -> bool:
        return not self.problems


def check_environment(
    report: dict, outdir: Path, environment: str, personal: set[str], environments: set[str]
) -> EnvironmentGate:
    acks = [a for a in acknowledgements(report, environments) if a.environment == environment]
    return EnvironmentGate(
        environment=environment,
        holds_personal_data=environment in personal,
        acknowledgements=acks,
        unacknowledged=unacknowledged(report, environments, environment),
        pack_did_not_run=pack_did_not_run(outdir),
        without_reason=[p for a in acks if (p := without_reason(a))],
        never_acknowledged=[p for a in acks if (p := never_acknowledged(a, personal))],
    )


def problems(report: dict, outdir: Path, personal: set[str], environments: set[str]) -> list[str]:
    """Every reason the gate fails, over the whole synthesis (every environment and outside them)."""
    found = [*unacknowledged(report, environments), *pack_did_not_run(outdir)]
    for ack in acknowledgements(report, environments):
        found.extend(p for p in (without_reason(ack), never_acknowledged(ack, personal)) if p)
    return found


def render_accepted_risks(acks: list[Acknowledgement]) -> str:
    by_env: dict[str, list[Acknowledgement]] = defaultdict(list)
    for ack in acks:
        by_env[ack.environment].append(ack)
    lines = [f"Accepted risks (VTC-RISK-ACCEPTED): {len(acks)} acknowledgement(s)"]
    for env in sorted(by_env):
        lines.append(f"{env}:")
        for ack in sorted(by_env[env], key=lambda a: (a.pack, a.rule, a.path)):
            lines.append(f"  {ack.pack} {ack.rule} at {ack.path}: {ack.reason}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policies.gate", description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="the cloud assembly directory (cdk.out)")
    parser.add_argument("--config", default=None, help="the config file used for synthesis (default: embedded)")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    report_path = args.outdir / REPORT_FILE
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
    found = problems(report, args.outdir, personal, environments)
    if found:
        for line in found:
            print(f"gate: {line}", file=sys.stderr)
        return 1
    print(render_accepted_risks(acknowledgements(report, environments)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
