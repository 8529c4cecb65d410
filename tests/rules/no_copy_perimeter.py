"""The cases of VTC-NO-COPY-PERIMETER (policies/rules/no_copy_perimeter.py): Organizations policies,
the real RCPs of policies/rcp.py with and without their statements. The rule's tests against the
real organisation stack are in tests/test_vtc_perimeter.py."""

from __future__ import annotations

import copy

import aws_cdk as cdk
from aws_cdk import aws_organizations as organizations

from config import load_config
from policies.rcp import rcps
from tests.rules._common import BACKUP, WORKLOAD, case

RULE_ID = "VTC-NO-COPY-PERIMETER"
PERIMETER = {r.name: r.document for r in rcps(load_config())}
SCP = {"Version": "2012-10-17", "Statement": [{"Sid": "DenyLeaving", "Effect": "Deny", "Action": "*", "Resource": "*"}]}


def attach(s: cdk.Stack, name: str, kind: str, content: dict, targets: list | None = None) -> None:
    organizations.CfnPolicy(s, name, name=name, type=kind, content=content, target_ids=targets or [WORKLOAD])


def attach_rcps(s: cdk.Stack, documents: dict[str, dict]) -> None:
    for name, document in documents.items():
        attach(s, name, "RESOURCE_CONTROL_POLICY", document)


def without(sid: str) -> dict[str, dict]:
    documents = copy.deepcopy(PERIMETER)
    for document in documents.values():
        document["Statement"] = [st for st in document["Statement"] if st["Sid"] != sid]
    return documents


@case(RULE_ID, False)
def perimeter_rcps_attached(s):
    attach(s, "Guardrail", "SERVICE_CONTROL_POLICY", SCP)
    attach_rcps(s, PERIMETER)


@case(RULE_ID, True)
def perimeter_scp_without_any_rcp(s):
    attach(s, "Guardrail", "SERVICE_CONTROL_POLICY", SCP)


@case(RULE_ID, True)
def perimeter_rcps_miss_an_account(s):
    # The SCPs govern the backup account too; the RCPs are attached to the workload account only.
    attach(s, "Guardrail", "SERVICE_CONTROL_POLICY", SCP, [WORKLOAD, BACKUP])
    attach_rcps(s, PERIMETER)


@case(RULE_ID, True)
def perimeter_rcps_without_tls(s):
    attach_rcps(s, without("EnforceSecureTransport"))


@case(RULE_ID, True)
def perimeter_rcps_without_confused_deputy_protection(s):
    attach_rcps(s, without("EnforceConfusedDeputyProtection"))


@case(RULE_ID, True)
def perimeter_rcps_without_the_identity_perimeter_on_data(s):
    attach_rcps(s, without("EnforceOrgIdentitiesOnData"))


@case(RULE_ID, True)
def perimeter_targets_unreadable(s):
    attach(s, "Guardrail", "SERVICE_CONTROL_POLICY", SCP, [cdk.Fn.import_value("led-accounts")])
