"""One IAM role per party and purpose (VTC-PROCESSOR, VTC-LEAST-PRIVILEGE, VTC-LOGS-DIRECT).

A human role trusts only the named identity principals of its party, only with MFA, and only
when the session carries a source identity (`sts:SourceIdentity`, set by the person's identity
provider or `--source-identity`): it stays on every session chained from it and in every
CloudTrail event, so what a person did can be traced to that person (VTC-AUDIT-TRAIL §49). A
service role trusts one service principal on behalf of one account. The permissions sit in one
customer-managed policy per role (no inline policies, no wildcard actions), so an auditor reads
what a party may do in one document. The permissions boundary is applied by the stack.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, Tags
from aws_cdk import aws_iam as iam
from constructs import Construct

from contract.tags import TAG_PARTY

MFA_CONDITION = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
# A human session names the person: sts:SourceIdentity must be set (and cannot be changed later).
SOURCE_IDENTITY_CONDITION = {"Null": {"sts:SourceIdentity": "false"}}
HUMAN_TRUST_CONDITIONS = {**MFA_CONDITION, **SOURCE_IDENTITY_CONDITION}
HUMAN_TRUST_ACTIONS = ("sts:AssumeRole", "sts:SetSourceIdentity")


class PartyRole(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        role_name: str,
        description: str,
        party: str,
        statements: Sequence[iam.PolicyStatement],
        human_principal_arns: Sequence[str] = (),
        service_principal: str | None = None,
        service_account: str | None = None,
        max_session: Duration | None = None,
        managed_policies: Sequence[iam.IManagedPolicy] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        if bool(human_principal_arns) == bool(service_principal):
            raise ValueError(f"role {role_name}: trust either named human principals or one service principal")
        if any("*" in arn for arn in human_principal_arns):
            raise ValueError(f"role {role_name}: trust names its principals, got a wildcard in {human_principal_arns}")
        if service_principal is not None:
            conditions = {"StringEquals": {"aws:SourceAccount": service_account}} if service_account else None
            trust: iam.IPrincipal = iam.ServicePrincipal(service_principal, conditions=conditions)
        else:
            trust = iam.ArnPrincipal(human_principal_arns[0]).with_conditions(HUMAN_TRUST_CONDITIONS)
        self.role = iam.Role(
            self,
            "Role",
            role_name=role_name,
            description=description,
            assumed_by=trust,
            max_session_duration=max_session or Duration.hours(1),
            managed_policies=list(managed_policies),
        )
        # The first principal's sts:AssumeRole comes from assumed_by; each principal may also set
        # its source identity (needed to assume the role with one), under the same conditions.
        for i, arn in enumerate(human_principal_arns):
            self.role.assume_role_policy.add_statements(
                iam.PolicyStatement(
                    actions=list(HUMAN_TRUST_ACTIONS[1:] if i == 0 else HUMAN_TRUST_ACTIONS),
                    principals=[iam.ArnPrincipal(arn)],
                    conditions=HUMAN_TRUST_CONDITIONS,
                )
            )
        self.policy = (
            iam.ManagedPolicy(
                self,
                "Policy",
                description=f"{description} ({party})",
                statements=list(statements),
                roles=[self.role],
            )
            if statements
            else None
        )
        Tags.of(self).add(TAG_PARTY, party)
