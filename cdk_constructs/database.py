"""The LED database: RDS PostgreSQL under the FB data key, audited, never public.

VTC-ENCRYPT-ALL (§48): storage, snapshots, the master secret and Performance Insights all use
the FB data key. VTC-SEC-STORAGE (§11): isolated subnets, TLS forced, IAM authentication.
VTC-AUDIT-TRAIL (§11, §49): pgaudit and connection logging, exported to log groups under the FB
log key whose retention outlives the backups.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds
from constructs import Construct

from cdk_constructs.log_stream_archive import subscribe_to_archive
from cdk_constructs.placement import Placement
from cdk_constructs.risk import accept_risk
from config.database import Database

# pgaudit session classes, logged for every session (documented in the README):
#   ddl   - schema changes (CREATE/ALTER/DROP);
#   role  - GRANT/REVOKE and role changes, i.e. who may see the data;
#   write - INSERT/UPDATE/DELETE/TRUNCATE/COPY: every change to a qualification is traceable.
# Reads are audited per object through pgaudit.role (the `led_auditor` role, granted SELECT on the
# personal-data tables by the deploy-time setup), so that reading national register numbers is
# logged without logging every catalogue query. Parameters are not logged: they would copy the
# personal data itself into the logs (§49).
PGAUDIT_LOG_CLASSES = "ddl,role,write"
PGAUDIT_OBJECT_ROLE = "led_auditor"

ENGINE_VERSIONS = {
    "16": rds.PostgresEngineVersion.VER_16,
    "17": rds.PostgresEngineVersion.VER_17,
    "18": rds.PostgresEngineVersion.VER_18,
}
LOG_EXPORTS = ("postgresql", "upgrade", "iam-db-auth-error")


class AuditedPostgres(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        placement: Placement,
        settings: Database,
        instance_identifier: str,
        backup_retention_days: int,
        archive_destination_arn: str | None = None,
    ) -> None:
        """placement: the data tier; settings: the environment's [database] table."""
        super().__init__(scope, construct_id)
        if settings.engine_major not in ENGINE_VERSIONS:
            raise ValueError(f"engine_major {settings.engine_major!r}: allowed {', '.join(ENGINE_VERSIONS)}")
        if settings.max_allocated_storage_gib <= settings.allocated_storage_gib:
            raise ValueError("max_allocated_storage_gib must exceed allocated_storage_gib (the autoscaling ceiling)")
        engine = rds.DatabaseInstanceEngine.postgres(version=ENGINE_VERSIONS[settings.engine_major])
        data_key = placement.data_key

        self.parameter_group = rds.ParameterGroup(
            self,
            "Parameters",
            engine=engine,
            description="LED PostgreSQL: TLS forced, pgaudit loaded, connections logged",
            parameters={
                "rds.force_ssl": "1",
                "ssl_min_protocol_version": "TLSv1.2",
                "shared_preload_libraries": "pgaudit,pg_stat_statements",
                "pgaudit.log": PGAUDIT_LOG_CLASSES,
                "pgaudit.role": PGAUDIT_OBJECT_ROLE,
                "pgaudit.log_catalog": "0",
                "pgaudit.log_parameter": "0",
                "pgaudit.log_relation": "1",
                "log_connections": "1",
                "log_disconnections": "1",
                "rds.log_retention_period": "1440",
            },
        )

        # The log groups exist before the instance, so that they carry the FB log key and a
        # retention (RDS would otherwise create them unencrypted and kept forever).
        self.log_groups = [
            placement.log_group(
                self, f"Log{name.title().replace('-', '')}", name=f"/aws/rds/instance/{instance_identifier}/{name}"
            )
            for name in LOG_EXPORTS
        ]
        # VTC-LOGS-DIRECT (§27): every exported log is also streamed into the AHOVOKS log archive
        # (cdk_constructs/log_stream_archive.py), out of the operator's reach.
        self.archive_subscriptions = [
            subscribe_to_archive(
                self,
                f"Archive{name.title().replace('-', '')}",
                log_group=group,
                destination_arn=archive_destination_arn,
            )
            for name, group in zip(LOG_EXPORTS, self.log_groups, strict=True)
            if archive_destination_arn is not None
        ]

        self.security_group = placement.security_group

        self.instance = rds.DatabaseInstance(
            self,
            "Instance",
            engine=engine,
            instance_identifier=instance_identifier,
            instance_type=ec2.InstanceType(settings.instance_class),
            vpc=placement.vpc,
            vpc_subnets=placement.subnets,
            security_groups=[self.security_group],
            publicly_accessible=False,
            multi_az=settings.multi_az,
            database_name=settings.database_name,
            credentials=rds.Credentials.from_username("led_admin", encryption_key=data_key),
            # RDS keeps the master password in Secrets Manager under the FB data key and rotates it.
            manage_master_user_password=True,
            storage_encrypted=True,
            storage_encryption_key=data_key,
            storage_type=rds.StorageType.GP3,
            allocated_storage=settings.allocated_storage_gib,
            max_allocated_storage=settings.max_allocated_storage_gib,
            parameter_group=self.parameter_group,
            iam_authentication=True,
            ca_certificate=rds.CaCertificate.RDS_CA_RSA2048_G1,
            cloudwatch_logs_exports=list(LOG_EXPORTS),
            enable_performance_insights=True,
            performance_insight_encryption_key=data_key,
            performance_insight_retention=rds.PerformanceInsightRetention.DEFAULT,
            monitoring_interval=Duration.seconds(60),
            backup_retention=Duration.days(backup_retention_days),
            preferred_backup_window="01:00-02:00",
            preferred_maintenance_window="sun:03:00-sun:04:00",
            copy_tags_to_snapshot=True,
            delete_automated_backups=False,
            deletion_protection=True,
            auto_minor_version_upgrade=True,
            allow_major_version_upgrade=False,
            removal_policy=RemovalPolicy.SNAPSHOT,
        )
        for group in self.log_groups:
            self.instance.node.add_dependency(group)
        cfn_instance = self.instance.node.default_child
        accept_risk(
            cfn_instance,
            "AwsSolutions::AwsSolutions-RDS11",
            "The default PostgreSQL port stays: the instance is reachable only from the LED app tier's "
            "security group inside an isolated VPC, and the exit drill's standard tooling expects 5432.",
            risk="database-default-port",
        )
        # The NIST rule looks for the backup plan inside this stack; the plan lives in the backup
        # stack and selects this instance by ARN (VTC-BACKUP-RETENTION checks it across stacks).
        accept_risk(
            cfn_instance,
            "NIST.800.53.R5::NIST.800.53.R5-RDSInBackupPlan",
            "The AWS Backup plan that selects this instance lives in the environment's backup stack "
            "(led-<env>-backup); the VTC pack checks the selection across stacks.",
            risk="database-backups-outside-the-defaults",
        )
        # Enhanced monitoring: RDS assumes the role only for this account's instances (confused
        # deputy, issue #9; AWS's enhanced-monitoring guide recommends both source keys).
        stack = Stack.of(self)
        monitoring_role = self.instance.node.find_child("MonitoringRole").node.default_child
        monitoring_role.add_property_override(
            "AssumeRolePolicyDocument.Statement.0.Condition",
            {
                "StringEquals": {"aws:SourceAccount": stack.account},
                "ArnLike": {
                    "aws:SourceArn": stack.format_arn(
                        service="rds", resource="db", resource_name="*", arn_format=ArnFormat.COLON_RESOURCE_NAME
                    )
                },
            },
        )
        accept_risk(
            self.instance.node.find_child("MonitoringRole"),
            "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonRDSEnhancedMonitoringRole]",
            "Enhanced monitoring needs AWS's own service-role policy, which only lets RDS write OS metrics "
            "to the RDSOSMetrics log group; the role carries the LED permissions boundary.",
            risk="aws-managed-service-role-policies",
        )
        if not settings.multi_az:
            for rule in ("AwsSolutions::AwsSolutions-RDS3", "NIST.800.53.R5::NIST.800.53.R5-RDSMultiAZSupport"):
                accept_risk(
                    cfn_instance,
                    rule,
                    "Single-AZ in an environment that holds no personal data (VTC §52-54: right-sized); "
                    "availability of a non-production copy is not an authentic-source obligation.",
                    risk="single-az-without-personal-data",
                )
