"""The SQL half of database auditing, as a deploy-time custom resource (VTC-AUDIT-TRAIL, §11, §49).

The parameter group (cdk_constructs/database.py) loads pgaudit; `CREATE EXTENSION`, the object
audit role and per-role settings need SQL. A Lambda function in the app tier runs that SQL as
the master user (credentials from the RDS-managed secret, TLS forced by the parameter group) on
every create and update of the resource; functions/pgaudit_setup/handler.py says what it does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import cast

from aws_cdk import CfnElement, CustomResource, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import custom_resources as cr
from constructs import Construct

from cdk_constructs.database import PGAUDIT_OBJECT_ROLE, AuditedPostgres
from cdk_constructs.functions import VpcFunction
from cdk_constructs.lambda_bundle import ROOT, asset_hash, bundled_code, with_shared_modules
from cdk_constructs.placement import Placement, write_logs_statement
from cdk_constructs.risk import accept_risk
from contract.names import RESTORE_VALIDATOR_ROLE

HANDLER = ROOT / "functions" / "pgaudit_setup" / "handler.py"


def handler_sha256(handler: Path = HANDLER, root: Path = ROOT) -> str:
    """A sha256 over every file of this repository that the setup function's bundle holds: the
    handler and the functions.shared modules it imports, as cdk_constructs/lambda_bundle.py picks
    them. A change in any of them re-runs the setup on the next deployment."""
    return asset_hash(with_shared_modules({"handler.py": handler}, root), [])


class DatabaseAuditSetup(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        database: AuditedPostgres,
        placement: Placement,
        database_name: str,
        audited_schemas: Sequence[str] = ("public",),
        validator_tables: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        if not audited_schemas:
            raise ValueError("audited_schemas: at least one schema whose reads are audited (VTC §49)")
        instance = database.instance
        cfn_instance = instance.node.default_child
        secret_arn = cfn_instance.attr_master_user_secret_secret_arn
        data_key = placement.data_key
        self.handler = VpcFunction(
            self,
            "Handler",
            description="LED: CREATE EXTENSION pgaudit, audit roles and settings (VTC-AUDIT-TRAIL)",
            code=bundled_code({"handler.py": HANDLER}),
            handler="handler.on_event",
            placement=placement,
            timeout=Duration.minutes(2),
            statements=[
                iam.PolicyStatement(
                    sid="ReadMasterSecret",
                    actions=["secretsmanager:GetSecretValue"],
                    resources=[secret_arn],
                ),
                # Secrets Manager decrypts the secret with the FB data key on the caller's behalf.
                iam.PolicyStatement(sid="DecryptMasterSecret", actions=["kms:Decrypt"], resources=[data_key.key_arn]),
            ],
        )
        accept_risk(
            self.handler.function,
            "NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ",
            "The pgaudit setup handler is only invoked synchronously by the custom resource provider during a "
            "deployment; a failure fails the CloudFormation update itself, so there is no lost event to queue.",
            risk="deployment-time-functions",
        )
        framework_logs = placement.log_group(self, "ProviderLogs")
        framework_role = iam.Role(
            self,
            "ProviderRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="LED: CloudFormation custom resource provider of the pgaudit setup",
        )
        handler_arn = self.handler.function.function_arn
        framework_policy = iam.ManagedPolicy(
            self,
            "ProviderPolicy",
            roles=[framework_role],
            statements=[
                write_logs_statement("WriteOwnLogGroup", framework_logs),
                iam.PolicyStatement(
                    sid="InvokeSetupHandler",
                    actions=["lambda:InvokeFunction"],
                    resources=[handler_arn, f"{handler_arn}:*"],
                ),
                iam.PolicyStatement(sid="DecryptOwnEnvironment", actions=["kms:Decrypt"], resources=[data_key.key_arn]),
            ],
        )
        handler_id = Stack.of(self).get_logical_id(cast(CfnElement, self.handler.function.node.default_child))
        accept_risk(
            framework_policy,
            f"AwsSolutions::AwsSolutions-IAM5[Resource::<{handler_id}.Arn>:*]",
            "The provider may invoke the pgaudit setup handler and its versions only; ':*' is how IAM names "
            "a function's versions and aliases.",
            risk="iam-aws-generated-names",
        )
        self.provider = cr.Provider(
            self,
            "Provider",
            on_event_handler=self.handler.function,
            log_group=framework_logs,
            framework_on_event_role=framework_role.without_policy_updates(),
            provider_function_env_encryption=data_key,
        )
        framework = self.provider.node.find_child("framework-onEvent")
        framework.node.add_dependency(framework_policy)
        framework_reason = (
            "CDK's custom resource provider function handles no data: it invokes the pgaudit setup handler "
            "(which runs in the isolated app tier) and returns the outcome to CloudFormation through the "
            "pre-signed response URL of an AWS-owned bucket, which the LED VPC's S3 endpoint policy refuses; "
            "it runs only during deployments."
        )
        for rule in (
            "NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC",
            "NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ",
            "NIST.800.53.R5::NIST.800.53.R5-LambdaConcurrency",
        ):
            accept_risk(framework, rule, framework_reason, risk="deployment-time-functions")
        self.resource = CustomResource(
            self,
            "Default",
            service_token=self.provider.service_token,
            resource_type="Custom::LedPgauditSetup",
            properties={
                "Host": instance.db_instance_endpoint_address,
                "Port": instance.db_instance_endpoint_port,
                "DatabaseName": database_name,
                "SecretArn": secret_arn,
                "ObjectRole": PGAUDIT_OBJECT_ROLE,
                "ValidatorRole": RESTORE_VALIDATOR_ROLE,
                "AuditedSchemas": list(audited_schemas),
                "ValidatorTables": list(validator_tables),
                "HandlerSha256": handler_sha256(),
            },
        )
