"""The LED network: isolated tiers only, AWS services reached through endpoints with policies.

VTC-NO-COPY (§49) and VTC-SEC-STORAGE (§11): no internet gateway, no NAT, no route out of the
data tier; every AWS service the workload needs is reached through a VPC endpoint whose policy
limits it to the LED accounts. Flow logs are encrypted with the FB log key. DnsFirewall (below,
its own construct) closes the one way out that remains, DNS queries through the VPC resolver.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_route53resolver as resolver
from constructs import Construct

from cdk_constructs.log_stream_archive import subscribe_to_archive
from cdk_constructs.placement import log_group
from cdk_constructs.risk import accept_risk

APP_TIER = "app"
DATA_TIER = "data"
ENDPOINT_TIER = "endpoints"


class IsolatedNetwork(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cidr: str,
        availability_zones: Sequence[str],
        log_key: kms.IKey,
        log_retention: logs.RetentionDays,
        workload_account: str,
        key_custody_account: str,
        data_accounts: Sequence[str],
        archive_destination_arn: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if len(availability_zones) < 2:
            raise ValueError(f"availability_zones {list(availability_zones)}: the database needs at least two")

        self.flow_log_group = log_group(self, "FlowLogs", key=log_key, retention=log_retention)
        # VPC Flow Logs delivers only for this account's flow logs (no confused deputy).
        stack = Stack.of(self)
        flow_log_role = iam.Role(
            self,
            "FlowLogRole",
            description="VPC Flow Logs delivers the LED VPC's flow logs to their log group",
            assumed_by=iam.ServicePrincipal(
                "vpc-flow-logs.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {
                        "aws:SourceArn": stack.format_arn(service="ec2", resource="vpc-flow-log", resource_name="*")
                    },
                },
            ),
        )
        # VTC-LOGS-DIRECT (§27): the flow logs are also streamed into the AHOVOKS log archive.
        self.flow_log_subscription = (
            subscribe_to_archive(
                self, "FlowLogsToArchive", log_group=self.flow_log_group, destination_arn=archive_destination_arn
            )
            if archive_destination_arn is not None
            else None
        )
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(cidr),
            availability_zones=list(availability_zones),
            nat_gateways=0,
            # No public subnet at all, hence no internet gateway: the data tier has no route out.
            subnet_configuration=[
                ec2.SubnetConfiguration(name=APP_TIER, subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24),
                ec2.SubnetConfiguration(name=DATA_TIER, subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=26),
                ec2.SubnetConfiguration(name=ENDPOINT_TIER, subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=26),
            ],
            restrict_default_security_group=True,
            flow_logs={  # the delivery role gets one inline policy from the FlowLog construct: see below
                "All": ec2.FlowLogOptions(
                    destination=ec2.FlowLogDestination.to_cloud_watch_logs(self.flow_log_group, flow_log_role),
                    traffic_type=ec2.FlowLogTrafficType.ALL,
                )
            },
        )
        accept_risk(
            flow_log_role,
            "NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy",
            "The flow-log delivery role is created by the CDK FlowLog construct with one inline policy "
            "limited to this VPC's flow-log group; it carries the LED permissions boundary.",
            risk="flow-log-role-inline-policy",
        )
        self.app_subnets = ec2.SubnetSelection(subnet_group_name=APP_TIER)
        self.data_subnets = ec2.SubnetSelection(subnet_group_name=DATA_TIER)
        endpoint_subnets = ec2.SubnetSelection(subnet_group_name=ENDPOINT_TIER)

        def tier_group(construct_id: str, description: str) -> ec2.SecurityGroup:
            # No group allows all outbound: every egress of a tier is a rule named below.
            return ec2.SecurityGroup(
                self, construct_id, vpc=self.vpc, allow_all_outbound=False, description=description
            )

        self.app_security_group = tier_group(
            "AppTier", "LED application tier: may reach the database and the VPC endpoints only"
        )
        self.endpoint_security_group = tier_group(
            "Endpoints", "LED interface endpoints: HTTPS from inside the VPC only"
        )
        self.endpoint_security_group.add_ingress_rule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), "HTTPS from the LED VPC")
        self.app_security_group.add_egress_rule(
            self.endpoint_security_group, ec2.Port.tcp(443), "AWS APIs through the interface endpoints"
        )
        # The database's group lives here with the others, so that rules between tiers never
        # make the network depend on the data stack.
        self.database_security_group = tier_group(
            "DataTier", "LED database: PostgreSQL from the application tier only, no egress"
        )
        self.database_security_group.add_ingress_rule(
            self.app_security_group, ec2.Port.tcp(5432), "PostgreSQL from the LED app tier"
        )
        self.app_security_group.add_egress_rule(
            self.database_security_group, ec2.Port.tcp(5432), "PostgreSQL to the LED database"
        )

        partition = Aws.PARTITION
        region = Aws.REGION
        own = iam.AnyPrincipal()
        principal_in_workload = {"StringEquals": {"aws:PrincipalAccount": workload_account}}

        # S3 only for buckets of the LED accounts (no copy to a bucket elsewhere, §49).
        s3 = self.vpc.add_gateway_endpoint(
            "S3", service=ec2.GatewayVpcEndpointAwsService.S3, subnets=[self.app_subnets, self.data_subnets]
        )
        s3.add_to_policy(
            iam.PolicyStatement(
                sid="LedBucketsOnly",
                principals=[own],
                actions=["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetBucketLocation"],
                resources=[f"arn:{partition}:s3:::*"],
                conditions={
                    "StringEquals": {
                        "s3:ResourceAccount": list(data_accounts),
                        "aws:PrincipalAccount": workload_account,
                    }
                },
            )
        )

        # Every interface endpoint's policy: these actions on these resources, for the workload's
        # principals only. (construct id, service, sid, actions, resources)
        interfaces: list[tuple[str, ec2.InterfaceVpcEndpointAwsService, str, list[str], list[str]]] = [
            (
                "Kms",
                ec2.InterfaceVpcEndpointAwsService.KMS,
                "FbKeysOnly",
                ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
                [f"arn:{partition}:kms:{region}:{key_custody_account}:key/*"],
            ),
            (
                "SecretsManager",
                ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
                "WorkloadSecretsOnly",
                ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                [f"arn:{partition}:secretsmanager:{region}:{workload_account}:secret:*"],
            ),
            (
                "Logs",
                ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
                "WorkloadLogGroupsOnly",
                ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                [f"arn:{partition}:logs:{region}:{workload_account}:log-group:*"],
            ),
            # The drills (restore-test validation, exit export) and their outcomes (operations topic).
            (
                "Backup",
                ec2.InterfaceVpcEndpointAwsService.BACKUP,
                "WorkloadRestoreValidationOnly",
                ["backup:PutRestoreValidationResult", "backup:DescribeRestoreJob"],
                ["*"],
            ),
            (
                "Rds",
                ec2.InterfaceVpcEndpointAwsService.RDS,
                "WorkloadDatabasesOnly",
                [
                    "rds:DescribeDBInstances",
                    "rds:DescribeDBSnapshots",
                    "rds:DescribeExportTasks",
                    "rds:StartExportTask",
                ],
                # DescribeExportTasks has no resource-level permission: the principal condition limits it.
                ["*"],
            ),
            (
                "Sns",
                ec2.InterfaceVpcEndpointAwsService.SNS,
                "WorkloadTopicsOnly",
                ["sns:Publish"],
                [f"arn:{partition}:sns:{region}:{workload_account}:*"],
            ),
            (
                "Sts",
                ec2.InterfaceVpcEndpointAwsService.STS,
                "WorkloadRolesOnly",
                ["sts:AssumeRole"],
                [f"arn:{partition}:iam::{workload_account}:role/*"],
            ),
        ]
        for name, service, sid, actions, resources in interfaces:
            endpoint = self.vpc.add_interface_endpoint(
                name,
                service=service,
                subnets=endpoint_subnets,
                private_dns_enabled=True,
                security_groups=[self.endpoint_security_group],
                open=False,
            )
            endpoint.add_to_policy(
                iam.PolicyStatement(
                    sid=sid,
                    principals=[own],
                    actions=actions,
                    resources=resources,
                    conditions=principal_in_workload,
                )
            )


# Names the VPC legitimately resolves: AWS service endpoints of its own region (the interface
# endpoints' private DNS names, S3 through the gateway endpoint) and the RDS instance endpoints.
def allowed_dns_domains(region: str, service_domain: str) -> list[str]:
    return [
        f"{region}.{service_domain}",
        f"*.{region}.{service_domain}",
        f"*.{region}.rds.{service_domain}",
    ]


class DnsFirewall(Construct):
    """Route 53 Resolver DNS Firewall on the VPC (VTC-NO-COPY, §49; issue #9).

    The VPC has no route out, but the Amazon-provided resolver answers every name, which makes DNS
    queries to a domain someone controls a channel out (DNS tunnelling). The rule group allows the
    AWS service names of this region (priority 100) and answers every other name NXDOMAIN (`*`,
    priority 200, the last rule). The association is mutation-protected, the firewall fails closed
    (the default, FirewallFailOpen DISABLED), and every query is logged to an encrypted log group.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        name_prefix: str,
        allowed_domains: Sequence[str],
        log_key: kms.IKey,
        log_retention: logs.RetentionDays,
        query_log_group_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.allowed = resolver.CfnFirewallDomainList(
            self, "Allowed", name=f"{name_prefix}-dns-allowed", domains=list(allowed_domains)
        )
        self.everything = resolver.CfnFirewallDomainList(
            self, "Everything", name=f"{name_prefix}-dns-all", domains=["*"]
        )
        self.rule_group = resolver.CfnFirewallRuleGroup(
            self,
            "Rules",
            name=f"{name_prefix}-dns-firewall",
            firewall_rules=[
                resolver.CfnFirewallRuleGroup.FirewallRuleProperty(
                    action="ALLOW", firewall_domain_list_id=self.allowed.attr_id, priority=100
                ),
                resolver.CfnFirewallRuleGroup.FirewallRuleProperty(
                    action="BLOCK",
                    block_response="NXDOMAIN",
                    firewall_domain_list_id=self.everything.attr_id,
                    priority=200,
                ),
            ],
        )
        self.association = resolver.CfnFirewallRuleGroupAssociation(
            self,
            "Association",
            name=f"{name_prefix}-dns-firewall",
            firewall_rule_group_id=self.rule_group.attr_id,
            vpc_id=vpc.vpc_id,
            priority=101,
            mutation_protection="ENABLED",
        )
        # Fail closed: FirewallFailOpen is DISABLED by default on every VPC with an association. The
        # resource that pins it (AWS::Route53Resolver::FirewallConfig) is documented but not yet in
        # aws-cdk-lib 2.275 nor in cfn-lint's region schemas; VTC-NO-COPY-DNS refuses one set to ENABLED.
        self.query_log_group = log_group(
            self, "QueryLogs", key=log_key, retention=log_retention, name=query_log_group_name
        )
        self.query_logging = resolver.CfnResolverQueryLoggingConfig(
            self, "QueryLogging", name=f"{name_prefix}-dns-queries", destination_arn=self.query_log_group.log_group_arn
        )
        resolver.CfnResolverQueryLoggingConfigAssociation(
            self,
            "QueryLoggingAssociation",
            resolver_query_log_config_id=self.query_logging.attr_id,
            resource_id=vpc.vpc_id,
        )
