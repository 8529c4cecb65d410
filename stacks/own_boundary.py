"""The stacks of the accounts other than the workload's (the log archive's, FB's key custody audit)
carry their own permissions boundary: no baseline stack deploys one into their account."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from cdk_constructs.boundary import PermissionsBoundaryPolicy, apply_boundary
from config import EnvironmentConfig


class OwnBoundaryStack(Stack):
    """A stack whose every role carries the boundary led-<env>-<boundary>, created first in it."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        allowed_regions: Sequence[str],
        boundary: str,
        boundary_statements: Sequence[iam.PolicyStatement] = (),
        boundary_risk: str = "boundary-allow-all-ceiling",
        **kwargs,
    ) -> None:
        """boundary_risk: the register's risk of the boundary's allow-all ceiling (the account owner's)."""
        super().__init__(scope, construct_id, **kwargs)
        self.boundary = PermissionsBoundaryPolicy(
            self,
            "PermissionsBoundary",
            policy_name=config.resource_name(boundary),
            allowed_regions=allowed_regions,
            key_custody_account=config.accounts.key_custody,
            extra_statements=boundary_statements,
            risk=boundary_risk,
        )
        apply_boundary(self, self.boundary.policy)
