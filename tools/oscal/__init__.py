"""OSCAL for auditors: beside each environment's compliance report, in `cdk.out/compliance/<env>/`,

    component-definition.json   the landing zone as an OSCAL component: one implemented requirement
                                per VTC condition of the catalogue, with the advice's paragraphs and
                                the VTC pack's rules that check it (tools/oscal/component.py)
    assessment-results.json     this synthesis assessed: one finding per condition (satisfied or
                                not-satisfied, as the report computed it), the evaluations and
                                failures as observations, the accepted risks as risks
                                (tools/oscal/results.py, tools/oscal/risks.py)

Both are built with compliance-trestle's OSCAL models, so a file that is written is valid OSCAL
(`trestle validate -f FILE` checks it again). `python -m tools.report cdk.out` writes them after
the report (`--oscal-timestamp` fixes their time; UUIDs are uuid5 of stable names, so the same
synthesis and time give the same bytes).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.component import ComponentDefinition

from contract.artefacts import ASSESSMENT_RESULTS_FILE, COMPLIANCE_DIR, COMPONENT_DEFINITION_FILE
from policies import gate
from policies.risks import AcceptedRisk as Record
from policies.risks import accepted_risks
from tools.oscal.common import (
    OscalError,
    parse_timestamp,
)
from tools.oscal.component import build_component_definition
from tools.oscal.results import build_assessment_results
from tools.report.inputs import Inputs


def acknowledgements_of(inputs: Inputs, env: str) -> list[gate.Acknowledgement]:
    """The environment's acknowledgements, as the gate lists them (none without a validation report)."""
    if inputs.validation_report is None:
        return []
    environments = set(inputs.config.environments) if inputs.config else set(inputs.envs)
    return [a for a in gate.acknowledgements(inputs.validation_report, environments) if a.environment == env]


def records_of(inputs: Inputs) -> list[Record]:
    """The register's records of the acknowledgements made in this synthesis (owner, dates)."""
    source = inputs.assembly_source
    if source is None:
        return []
    return accepted_risks(source, set(inputs.config.environments) if inputs.config else set(inputs.envs))


def build(inputs: Inputs, report: dict[str, Any], when: dt.datetime) -> tuple[ComponentDefinition, AssessmentResults]:
    """Both documents of one environment from its report (report.json as the report tool built it)."""
    env = report["environment"]
    try:
        return (
            build_component_definition(report, inputs.catalogue, when),
            build_assessment_results(
                report, inputs.catalogue, acknowledgements_of(inputs, env), when, records_of(inputs)
            ),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise OscalError(f"oscal error: environment {env}: {exc.title} {where}: {first['msg']}") from None


def write_oscal(
    cdk_out: Path, inputs: Inputs, reports: dict[str, dict[str, Any]], when: dt.datetime
) -> dict[str, list[Path]]:
    """Write both documents of every environment; every one is built before any file is written."""
    built = {env: build(inputs, report, when) for env, report in reports.items()}
    written = {}
    for env, (component, results) in built.items():
        target = cdk_out / COMPLIANCE_DIR / env
        target.mkdir(parents=True, exist_ok=True)
        paths = [target / COMPONENT_DEFINITION_FILE, target / ASSESSMENT_RESULTS_FILE]
        component.oscal_write(paths[0])
        results.oscal_write(paths[1])
        written[env] = paths
    return written


__all__ = [
    "ASSESSMENT_RESULTS_FILE",
    "COMPONENT_DEFINITION_FILE",
    "OscalError",
    "build",
    "build_assessment_results",
    "build_component_definition",
    "parse_timestamp",
    "write_oscal",
]
