"""The region guardrail SCP (``led-region-guardrail``, see policies/guardrails.py): nothing outside
the allowed (EU) regions but the global services, and (issue #9) the backups that cannot be
stopped silently and the ways out of the VPC, which share its document (the SCP quota).

VTC-OUTSOURCING-2016 (§18-19), VTC-NO-COPY (§49), VTC-BACKUP-RETENTION / VTC-BACKUP-ELSEWHERE (§37-39).
"""

from __future__ import annotations

from config import LandingZoneConfig
from policies.guardrail_base import Guardrail, _deny, _deployment_roles, _document, organization_partition

# Global services with a single endpoint (us-east-1 or us-west-2), after the AWS Control Tower
# region deny control and the IAM user guide's example; kept to what an LED account can need.
# KMS is deliberately absent: keys are regional and the LED keys live in the allowed regions.
GLOBAL_SERVICE_ACTIONS: tuple[str, ...] = (
    "account:*",
    "acm:*",
    "artifact:*",
    "aws-marketplace:*",
    "aws-portal:*",
    "billing:*",
    "budgets:*",
    "ce:*",
    "cloudfront:*",
    "cloudtrail:LookupEvents",
    "compute-optimizer:*",
    "consolidatedbilling:*",
    "cur:*",
    "directconnect:*",
    "ec2:DescribeRegions",
    "ec2:DescribeTransitGateways",
    "ec2:DescribeVpnGateways",
    "fms:*",
    "freetier:*",
    "globalaccelerator:*",
    "health:*",
    "iam:*",
    "importexport:*",
    "invoicing:*",
    "networkmanager:*",
    "notifications:*",
    "notifications-contacts:*",
    "organizations:*",
    "payments:*",
    "pricing:*",
    "resource-explorer-2:*",
    "route53:*",
    "route53domains:*",
    "s3:GetAccountPublicAccessBlock",
    "s3:GetBucketLocation",
    "s3:GetBucketPolicyStatus",
    "s3:GetBucketPublicAccessBlock",
    "s3:ListAllMyBuckets",
    "savingsplans:*",
    "shield:*",
    "sso:*",
    "sts:*",
    "support:*",
    "supportplans:*",
    "tag:GetResources",
    "tax:*",
    "trustedadvisor:*",
    "waf:*",
    "wafv2:*",
)


# --- Backups and egress (issue #9), in the region guardrail -------------------------------------

# Recovery points leave only by their lifecycle: nobody, the deployment role included, deletes one.
RECOVERY_POINT_DELETING_ACTIONS: tuple[str, ...] = (
    "backup:DeleteRecoveryPoint",
    "backup:DisassociateRecoveryPoint",
    "backup:UpdateRecoveryPointLifecycle",
)
# The plan, its selection, the LED vaults, their policies and locks, and the detection framework
# change only through a deployment: a silent stop of the backups needs a reviewed change.
BACKUP_CHANGING_ACTIONS: tuple[str, ...] = (
    "backup:CreateBackupSelection",
    "backup:DeleteBackupPlan",
    "backup:DeleteBackupSelection",
    "backup:DeleteBackupVault",
    "backup:DeleteBackupVaultAccessPolicy",
    "backup:DeleteBackupVaultLockConfiguration",
    "backup:DeleteFramework",
    "backup:PutBackupVaultAccessPolicy",
    "backup:PutBackupVaultLockConfiguration",
    "backup:UpdateBackupPlan",
    "backup:UpdateFramework",
)
# The alarms that say a daily recovery point is missing (BackupDetection) stay on.
ALARM_CHANGING_ACTIONS: tuple[str, ...] = (
    "cloudwatch:DeleteAlarms",
    "cloudwatch:DisableAlarmActions",
    "cloudwatch:PutMetricAlarm",
)
# Ways out of an isolated VPC that the landing zone never builds (the internet gateways are
# denied by the data guardrail already).
NETWORK_LINK_ACTIONS: tuple[str, ...] = (
    "ec2:AcceptTransitGatewayPeeringAttachment",
    "ec2:AcceptTransitGatewayVpcAttachment",
    "ec2:AcceptVpcPeeringConnection",
    "ec2:AttachVpnGateway",
    "ec2:CreateClientVpnEndpoint",
    "ec2:CreateCustomerGateway",
    "ec2:CreateNatGateway",
    "ec2:CreateTransitGateway*",
    "ec2:CreateVpcPeeringConnection",
    "ec2:CreateVpnConnection",
    "ec2:CreateVpnGateway",
    "lambda:CreateFunctionUrlConfig",
    "lambda:UpdateFunctionUrlConfig",
)
# Ways out the landing zone builds itself, changed only through a deployment: VPC endpoints (and
# their policies) and the DNS firewall, its rules, association and query logging.
EGRESS_CHANGING_ACTIONS: tuple[str, ...] = (
    "ec2:CreateVpcEndpoint",
    "ec2:ModifyVpcEndpoint",
    "route53resolver:Associate*",
    "route53resolver:Create*",
    "route53resolver:Delete*",
    "route53resolver:Disassociate*",
    "route53resolver:Import*",
    "route53resolver:Put*",
    "route53resolver:Update*",
)
FUNCTION_CONFIGURING_ACTIONS: tuple[str, ...] = ("lambda:CreateFunction", "lambda:UpdateFunctionConfiguration")


def deployment_role_arns(config: LandingZoneConfig, *roles: str) -> list[str]:
    """The exact CloudFormation execution role of every (account, region) the landing zone deploys
    the given account roles ("workload", "log_archive", "backup") to: the only principals that may
    change the backups and the egress paths there (no wildcard, §37-39, §49)."""
    accounts = {getattr(env.accounts, role) for env in config.environments.values() for role in roles}
    return _deployment_roles(config, sorted(accounts))


def _outside(config: LandingZoneConfig, *roles: str) -> dict:
    return {"ArnNotEquals": {"aws:PrincipalArn": deployment_role_arns(config, *roles)}}


def led_vault_patterns(partition: str) -> list[str]:
    # Matches the vault names of BackupStack and RemoteVaultStack (led-<env>-vault,
    # led-<env>-remote-vault); a re-encryption vault of led-ops (led-<env>-vault-<key id>) stays free.
    return [f"arn:{partition}:backup:*:*:backup-vault:led-*-vault"]


def backup_statements(config: LandingZoneConfig) -> list[dict]:
    """VTC-BACKUP-RETENTION / VTC-BACKUP-ELSEWHERE (§37-39): the backups cannot be stopped silently."""
    partition = organization_partition(config)
    # Plans and vaults live in the workload and backup accounts, the alarms in the workload account.
    return [
        _deny("DenyDeletingRecoveryPoints", RECOVERY_POINT_DELETING_ACTIONS),
        _deny(
            "DenyChangingBackupsOutsideDeployment",
            BACKUP_CHANGING_ACTIONS,
            condition=_outside(config, "workload", "backup"),
        ),
        _deny(
            "DenyChangingLedAlarmsOutsideDeployment",
            ALARM_CHANGING_ACTIONS,
            [f"arn:{partition}:cloudwatch:*:*:alarm:led-*"],
            condition=_outside(config, "workload"),
        ),
    ]


def egress_statements(config: LandingZoneConfig) -> list[dict]:
    """VTC-NO-COPY (§49): no way out of the VPC but the endpoints the landing zone builds."""
    return [
        _deny("DenyNetworkLinksOut", NETWORK_LINK_ACTIONS),
        # The VPC, its endpoints and its DNS firewall are the workload account's.
        _deny("DenyChangingEgressOutsideDeployment", EGRESS_CHANGING_ACTIONS, condition=_outside(config, "workload")),
        # A function outside a VPC reaches the internet. The CDK's own provider functions (custom
        # resources) run outside the VPC, so the deployments of every LED account stay allowed.
        _deny(
            "DenyFunctionsOutsideVpc",
            FUNCTION_CONFIGURING_ACTIONS,
            condition={"Null": {"lambda:VpcIds": "true"}, **_outside(config, "workload", "log_archive", "backup")},
        ),
    ]


def region_guardrail(config: LandingZoneConfig) -> Guardrail:
    """Where the data may be and go: the allowed regions only, no way out of the VPC but the landing
    zone's own, and backups that cannot be stopped or deleted silently. One document, because five
    SCPs per target (FullAWSAccess included) is the quota and four LED documents fill it."""
    return Guardrail(
        name="led-region-guardrail",
        description="LED: allowed EU regions only, no way out of the VPC, backups cannot be stopped silently "
        "(VTC-OUTSOURCING-2016, VTC-NO-COPY, VTC-BACKUP-RETENTION, §18-19, §37-39, §49)",
        document=_document(
            {
                "Sid": "DenyOutsideAllowedRegions",
                "Effect": "Deny",
                "NotAction": sorted(GLOBAL_SERVICE_ACTIONS),
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": list(config.allowed_regions)}},
            },
            *backup_statements(config),
            *[st for st in egress_statements(config) if st["Sid"] != "DenyNetworkLinksOut"],
        ),
    )
