"""A Lambda function the LED way: in the isolated tiers, logged and configured under FB keys.

VTC-NO-COPY (§49): the function runs in the isolated subnets and reaches AWS only through the
VPC endpoints. VTC-ENCRYPT-ALL (§48): its log group uses the FB log key and the configured
retention, its environment the FB data key. VTC-LEAST-PRIVILEGE: its role has one customer
managed policy with exactly the statements given (no inline policy, no AWS managed policy; CDK's
own grants are switched off so that nothing is added behind the reader's back) and carries the
permissions boundary through the workload stacks' aspect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct

from cdk_constructs.lambda_bundle import ARCHITECTURE, RUNTIME
from cdk_constructs.placement import Placement, write_logs_statement
from cdk_constructs.risk import accept_risk

# What Lambda needs to attach the function to the VPC (AWSLambdaVPCAccessExecutionRole, spelled
# out). The writes are scoped to network interfaces, subnets and security groups of this account
# and region (VTC-LEAST-PRIVILEGE: no write on '*'); only the Describe calls, which EC2
# authorises on '*' alone, keep '*'.
_ENI_WRITE_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
]
_ENI_READ_ACTIONS = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
_ENI_RESOURCES = ("network-interface/*", "subnet/*", "security-group/*")


class VpcFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        description: str,
        code: lambda_.Code,
        handler: str,
        placement: Placement,
        statements: Sequence[iam.PolicyStatement],
        environment: Mapping[str, str] | None = None,
        timeout: Duration | None = None,
        memory_mib: int = 256,
        retry_attempts: int = 0,
        dead_letter_topic: sns.ITopic | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if not 0 <= retry_attempts <= 2:
            raise ValueError(f"retry_attempts {retry_attempts}: Lambda allows 0-2")
        self.log_group = placement.log_group(self, "Logs")
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=description,
        )
        stack = Stack.of(self)
        eni_resources = [stack.format_arn(service="ec2", resource=r) for r in _ENI_RESOURCES]
        self.policy = iam.ManagedPolicy(
            self,
            "Policy",
            roles=[self.role],
            statements=[
                write_logs_statement("WriteOwnLogGroup", self.log_group),
                iam.PolicyStatement(sid="AttachToVpc", actions=_ENI_WRITE_ACTIONS, resources=eni_resources),
                iam.PolicyStatement(sid="DescribeVpc", actions=_ENI_READ_ACTIONS, resources=["*"]),
                iam.PolicyStatement(
                    sid="DecryptOwnEnvironment",
                    actions=["kms:Decrypt"],
                    resources=[placement.data_key.key_arn],
                ),
                *statements,
            ],
        )
        for resource in eni_resources:
            accept_risk(
                self.policy,
                f"AwsSolutions::AwsSolutions-IAM5[Resource::{stack.resolve(resource)}]",
                "Lambda creates and deletes the function's network interfaces itself, in subnets and security "
                "groups chosen at deployment: the grant covers those kinds of EC2 resource in this account and "
                "region only, as the VPC attachment needs.",
                risk="iam-aws-generated-names",
            )
        accept_risk(
            self.policy,
            "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            "Resource '*' only for actions without resource-level permissions: the VPC attachment (EC2 "
            "DescribeNetworkInterfaces, interfaces Lambda creates itself: the AWSLambdaVPCAccessExecutionRole "
            "actions, nothing more) and, in the drill functions, backup:PutRestoreValidationResult and "
            "rds:DescribeExportTasks, which AWS authorizes on '*' only.",
            risk="iam-actions-only-on-any-resource",
        )
        self.function = lambda_.Function(
            self,
            "Function",
            description=description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            code=code,
            handler=handler,
            role=self.role.without_policy_updates(),
            vpc=placement.vpc,
            vpc_subnets=placement.subnets,
            security_groups=[placement.security_group],
            allow_public_subnet=False,
            log_group=self.log_group,
            environment=dict(environment or {}),
            environment_encryption=placement.data_key,
            timeout=timeout or Duration.minutes(5),
            memory_size=memory_mib,
            # One at a time: a drill or a setup never needs parallel runs (NIST SC-5 caps abuse).
            reserved_concurrent_executions=1,
            retry_attempts=retry_attempts,
            # Failed asynchronous invocations reach the operations topic (the role's policy must
            # allow sns:Publish on it: CDK's own grant is switched off, see above).
            dead_letter_topic=dead_letter_topic,
        )
        self.function.node.add_dependency(self.policy)
