"""The guardrail SCPs, created and attached in the organisation's management account (optional:
synthesized only when the config has an [organization] table).

VTC-LEAST-PRIVILEGE (conclusion), VTC-OUTSOURCING-2016 (§18-19), VTC-KEY-CUSTODY (§51),
VTC-AUDIT-TRAIL (§49): the documents come from policies/guardrails.py, the same text reviewers
read in policies/scp/.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_organizations as organizations
from constructs import Construct

from config import LandingZoneConfig
from policies.guardrails import guardrails, member_accounts


class OrganizationStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, landing_zone: LandingZoneConfig, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        targets = member_accounts(landing_zone)
        self.policies = {}
        for guardrail in guardrails(landing_zone):
            construct_id_ = "".join(part.title() for part in guardrail.name.split("-"))
            self.policies[guardrail.name] = organizations.CfnPolicy(
                self,
                construct_id_,
                name=guardrail.name,
                description=guardrail.description,
                type="SERVICE_CONTROL_POLICY",
                content=guardrail.document,
                target_ids=targets,
            )
