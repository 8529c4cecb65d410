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
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from config import ConfigError, load_config
from policies.pack import EVALUATIONS_FILE
from policies.registry import NEVER_ACKNOWLEDGE, PACK_NAME

REPORT_FILE = "validation-report.json"
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
                out.append(Acknowledgement(_environment(path, environments), plugin.get("pluginName", "?"), rule,
                                           path, str(violation.get("reason") or "").strip()))
    return out


def problems(report: dict, outdir: Path, personal: set[str], environments: set[str]) -> list[str]:
    found = []
    for plugin in report.get("pluginReports", []):
        for violation in plugin.get("violations", []):
            paths = ", ".join(c.get("constructPath", "?") for c in violation.get("violatingConstructs", []))
            found.append(f"{plugin.get('pluginName')}: {violation.get('ruleName')} unacknowledged at {paths}")
    if not (outdir / EVALUATIONS_FILE).exists():
        found.append(f"{PACK_NAME}: the VTC pack did not run ({EVALUATIONS_FILE} missing in {outdir})")
    for ack in acknowledgements(report, environments):
        if not ack.reason:
            found.append(f"{ack.pack}: {ack.rule} acknowledged at {ack.path} without a reason (VTC-RISK-ACCEPTED)")
        if ack.pack == PACK_NAME and ack.environment in personal and ack.rule_base in NEVER_ACKNOWLEDGE:
            found.append(f"{ack.pack}: {ack.rule} may never be acknowledged in {ack.environment}, which holds "
                         f"personal data (VTC-GATE), but is at {ack.path}")
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
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
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
