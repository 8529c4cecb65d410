"""python -m tools.report cdk.out [--config my.toml] [--catalogue policies/conditions.toml] [--today YYYY-MM-DD]
[--oscal-timestamp T]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from contract.artefacts import COMPLIANCE_DIR, REPORT_HTML
from policies.catalogue import CATALOGUE_FILE
from policies.gate import today_option
from tools.oscal import OscalError, parse_timestamp, write_oscal
from tools.report.inputs import ReportError, load_inputs
from tools.report.model import PACK_DID_NOT_RUN
from tools.report.render import write_reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.report", description="The compliance report of one synthesis, per environment."
    )
    parser.add_argument("cdk_out", type=Path, help="the cloud assembly directory (cdk.out)")
    parser.add_argument("--config", default=None, help="the config file the synthesis used (default: embedded)")
    parser.add_argument(
        "--catalogue",
        type=Path,
        default=CATALOGUE_FILE,
        help="the VTC condition catalogue (default: the project's policies/conditions.toml)",
    )
    parser.add_argument(
        "--today",
        type=today_option,
        default=None,
        help="the report's date, from which the days left until each accepted risk's review count (default: today)",
    )
    parser.add_argument(
        "--oscal-timestamp",
        default=None,
        help="the time of the OSCAL files, ISO 8601 with a time zone (default: now)",
    )
    args = parser.parse_args(argv)
    try:
        when = parse_timestamp(args.oscal_timestamp)
        inputs = load_inputs(args.cdk_out, config_path=args.config, catalogue=args.catalogue, today=args.today)
        reports = write_reports(args.cdk_out, inputs)
        write_oscal(args.cdk_out, inputs, reports, when)  # tools/oscal/: beside each report
    except (ReportError, OscalError) as exc:
        print(exc, file=sys.stderr)
        return 2
    for env, report in reports.items():
        s = report["summary"]
        print(
            f"compliance report {args.cdk_out / COMPLIANCE_DIR / env / REPORT_HTML}: {s['enforced']} enforced, "
            f"{s['accepted-risk']} accepted risk, {s['failing']} failing, {s['organisational']} organisational, "
            f"{s['not-checked']} not checked",
            file=sys.stderr,
        )
    if inputs.evaluations is None:
        print(f"note: {PACK_DID_NOT_RUN}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
