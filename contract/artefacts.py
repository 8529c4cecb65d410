"""The files a synthesis leaves in cdk.out: their names, once, for the tools that write them and the
tools (the gate, the report, the OSCAL export, the pull-request workflow) that read them."""

from __future__ import annotations

# Written by the CDK: the cloud assembly's manifest (one per assembly, nested stages included) and
# the policy-validation report of every plugin (@aws-cdk/core:validationReportJson).
MANIFEST_FILE = "manifest.json"
VALIDATION_FILE = "validation-report.json"
# Written by the VTC pack (policies/pack.py) beside the validation report: every evaluation.
EVALUATIONS_FILE = "vtc-evaluations.json"

# The compliance report (tools/report), one directory per environment: cdk.out/compliance/<env>/.
COMPLIANCE_DIR = "compliance"
REPORT_JSON = "report.json"
REPORT_MARKDOWN = "report.md"
REPORT_HTML = "report.html"
# The one-table summary the pull-request workflow posts (.github/workflows/pull-request.yml).
REPORT_SUMMARY = "summary.md"
ARCHITECTURE_SVG = "architecture.svg"
# The OSCAL export beside the report (tools/oscal).
COMPONENT_DEFINITION_FILE = "component-definition.json"
ASSESSMENT_RESULTS_FILE = "assessment-results.json"

# The bootstrap templates (tools/bootstrap): their index, one entry per account and region.
BOOTSTRAP_INDEX = "bootstrap.json"
