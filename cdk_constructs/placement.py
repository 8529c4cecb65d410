"""Where a workload resource runs (a tier of the isolated network, under the FB keys), and the log
groups of the LED: under the FB log key, kept for the configured retention."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct


def log_group(
    scope: Construct, construct_id: str, *, key: kms.IKey, retention: logs.RetentionDays, name: str | None = None
) -> logs.LogGroup:
    """A log group as every LED log group is (VTC-ENCRYPT-ALL, VTC-AUDIT-TRAIL): encrypted with the
    FB log key, kept for the configured retention and never deleted with its stack."""
    return logs.LogGroup(
        scope,
        construct_id,
        log_group_name=name,
        encryption_key=key,
        retention=retention,
        removal_policy=RemovalPolicy.RETAIN,
    )


def write_logs_statement(sid: str, group: logs.ILogGroup) -> iam.PolicyStatement:
    """What a writer of one log group needs: its streams and their events, nothing else."""
    return iam.PolicyStatement(
        sid=sid, actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[group.log_group_arn]
    )


@dataclass(frozen=True, kw_only=True)
class Placement:
    """A tier of the isolated VPC (VTC-NO-COPY: AWS only through the VPC endpoints) and the FB keys
    of what runs there (VTC-ENCRYPT-ALL): the database, or the LED functions."""

    vpc: ec2.IVpc
    subnets: ec2.SubnetSelection
    security_group: ec2.ISecurityGroup
    # The FB data key: the database's storage, a function's environment, the exit export.
    data_key: kms.IKey
    # The FB log key and the configured retention of the log groups.
    log_key: kms.IKey
    log_retention: logs.RetentionDays

    def log_group(self, scope: Construct, construct_id: str, *, name: str | None = None) -> logs.LogGroup:
        """A log group of what runs here, under this placement's log key and retention."""
        return log_group(scope, construct_id, key=self.log_key, retention=self.log_retention, name=name)
