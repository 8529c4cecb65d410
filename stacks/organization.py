"""The guardrail SCPs and the data perimeter RCPs, created and attached in the organisation's
management account (optional: synthesized only when the config has an [organization] table).

VTC-LEAST-PRIVILEGE (conclusion), VTC-OUTSOURCING-2016 (§18-19), VTC-KEY-CUSTODY (§51),
VTC-AUDIT-TRAIL (§49), VTC-NO-COPY (§49): the documents come from policies/guardrails.py and
policies/rcp.py, the same text reviewers read in policies/scp/ and policies/rcp/. A document over
the Organizations quota stops synthesis with one line (policies.guardrail_base.PolicyTooLarge).
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_organizations as organizations
from constructs import Construct

from config import LandingZoneConfig
from policies.guardrail_base import Guardrail
from policies.guardrails import guardrails, member_accounts
from policies.rcp import rcps


class OrganizationStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, landing_zone: LandingZoneConfig, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        targets = member_accounts(landing_zone)
        self.policies: dict[str, organizations.CfnPolicy] = {}
        for kind, documents in (
            ("SERVICE_CONTROL_POLICY", guardrails(landing_zone)),
            ("RESOURCE_CONTROL_POLICY", rcps(landing_zone)),
        ):
            for document in documents:
                self.policies[document.name] = self._policy(document, kind, targets)

    def _policy(self, document: Guardrail, kind: str, targets: list[str]) -> organizations.CfnPolicy:
        return organizations.CfnPolicy(
            self,
            "".join(part.title() for part in document.name.split("-")),
            name=document.name,
            description=document.description,
            type=kind,
            content=document.document,
            target_ids=targets,
        )
