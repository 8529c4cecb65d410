"""The guardrail SCP documents: valid, small enough, denying what they claim, and current."""

from __future__ import annotations

import json

import pytest

from config import ConfigError, LandingZoneConfig, load_config
from policies.guardrails import (
    AUDIT_DISABLING_ACTIONS,
    KEY_ADMINISTRATION_ACTIONS,
    SCP_DIRECTORY,
    SCP_MAX_CHARS,
    guardrails,
    member_accounts,
)
from tests.test_audit_access import AUDIT_STOPPING_ACTIONS
from tests.test_audit_logs import AUDIT_RESOURCES

CONFIG = load_config()
DOCS = {g.name: g for g in guardrails(CONFIG)}


def statement(name: str, sid: str) -> dict:
    found = [s for s in DOCS[name].document["Statement"] if s["Sid"] == sid]
    assert len(found) == 1, (name, sid)
    assert found[0]["Effect"] == "Deny"
    return found[0]


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("name", sorted(DOCS))
def test_each_document_is_valid_json_within_the_scp_limit(name):
    guardrail = DOCS[name]
    parsed = json.loads(guardrail.text())
    assert parsed["Version"] == "2012-10-17"
    assert len(guardrail.text()) <= SCP_MAX_CHARS
    # Even the indented, reviewable form fits: no surprise when pasted into the console.
    assert len(guardrail.reviewable()) <= SCP_MAX_CHARS
    assert all(s["Effect"] == "Deny" for s in parsed["Statement"]), "SCPs here only deny"
    assert len({s["Sid"] for s in parsed["Statement"]}) == len(parsed["Statement"])
    assert "kms:*" not in guardrail.text()


def test_three_documents_leave_room_for_full_aws_access():
    # Quota: five SCPs per target, FullAWSAccess included.
    assert len(DOCS) <= 4


def test_region_list_equals_the_config_allow_list():
    deny = statement("led-region-guardrail", "DenyOutsideAllowedRegions")
    assert deny["Resource"] == "*"
    assert deny["Condition"] == {"StringNotEquals": {"aws:RequestedRegion": list(CONFIG.allowed_regions)}}
    exempt = deny["NotAction"]
    # The documented global services are exempt, KMS is not (not even partially).
    for action in ("iam:*", "sts:*", "organizations:*", "route53:*", "support:*", "cloudfront:*"):
        assert action in exempt
    assert not [a for a in exempt if a.startswith("kms:")]
    # No regional data service slips through the exemption.
    for service in ("rds", "s3:PutObject", "backup", "ec2:RunInstances", "secretsmanager", "logs"):
        assert not [a for a in exempt if a == service + ":*" or a == service]


def test_region_list_follows_another_config():
    other = LandingZoneConfig.model_validate(
        {
            "allowed_regions": ["eu-central-1"],
            "environments": {
                "x1": {
                    "region": "eu-central-1",
                    "accounts": {
                        "key_custody": "111122223333",
                        "workload": "444455556666",
                        "log_archive": "777788889999",
                        "backup": "123456789012",
                    },
                }
            },
        }
    )
    deny = guardrails(other)[0].document["Statement"][0]
    assert deny["Condition"]["StringNotEquals"]["aws:RequestedRegion"] == ["eu-central-1"]


def test_audit_cannot_be_disabled_by_anyone():
    deny = statement("led-audit-guardrail", "DenyDisablingAudit")
    assert "Condition" not in deny and deny["Resource"] == "*"
    for action in (*AUDIT_STOPPING_ACTIONS, "config:DeleteConfigurationRecorder", "guardduty:DeleteDetector"):
        assert action in deny["Action"]
    assert set(AUDIT_DISABLING_ACTIONS) == set(deny["Action"])


def test_audit_changes_only_through_the_deployment_role():
    deny = statement("led-audit-guardrail", "DenyChangingAuditOutsideDeployment")
    assert {
        "cloudtrail:UpdateTrail",
        "cloudtrail:PutEventSelectors",
        "config:PutConfigurationRecorder",
        "config:PutDeliveryChannel",
    } <= set(deny["Action"])
    exempt = deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    # Exact ARNs, one per account and region the stacks deploy to (the backup account in two).
    assert exempt == [
        "arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-eu-central-1",
        "arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-eu-west-1",
        "arn:aws:iam::444455556666:role/cdk-hnb659fds-cfn-exec-role-444455556666-eu-west-1",
        "arn:aws:iam::777788889999:role/cdk-hnb659fds-cfn-exec-role-777788889999-eu-west-1",
    ]


def test_archived_logs_cannot_be_deleted_by_anyone():
    deny = statement("led-audit-guardrail", "DenyDeletingArchivedLogs")
    assert "Condition" not in deny
    assert {"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"} <= set(deny["Action"])
    assert deny["Resource"] == ["arn:aws:s3:::led-*-log-archive-*", "arn:aws:s3:::led-*-log-archive-*/*"]
    change = statement("led-audit-guardrail", "DenyChangingLogArchiveOutsideItsDeployment")
    assert {"s3:PutBucketPolicy", "s3:PutBucketObjectLockConfiguration"} <= set(change["Action"])
    only = change["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    workload = {env.accounts.workload for env in CONFIG.environments.values()}
    assert only and not [arn for arn in only if any(f"::{w}:" in arn for w in workload)]


def test_key_administration_only_by_the_facilitair_bedrijf():
    deny = statement("led-data-guardrail", "DenyKeyAdministrationExceptFacilitairBedrijf")
    assert set(deny["Action"]) == set(KEY_ADMINISTRATION_ACTIONS)
    assert {"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:CreateKey"} <= set(deny["Action"])
    # Key use is not administration: services keep encrypting.
    assert not {"kms:Decrypt", "kms:Encrypt", "kms:CreateGrant"} & set(deny["Action"])
    exempt = deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    custody = {env.accounts.key_custody for env in CONFIG.environments.values()}
    assert exempt and all(arn.split(":")[4] in custody for arn in exempt)
    assert "arn:aws:iam::111122223333:role/led-fb-key-admin" in exempt


def test_nothing_public_no_sharing_no_leaving():
    acl = statement("led-data-guardrail", "DenyPublicS3Acls")
    assert acl["Condition"] == {
        "StringEquals": {"s3:x-amz-acl": ["public-read", "public-read-write", "authenticated-read"]}
    }
    pab = statement("led-data-guardrail", "DenyPublicAccessBlockChanges")
    assert set(pab["Action"]) == {"s3:PutAccountPublicAccessBlock", "s3:PutBucketPublicAccessBlock"}
    igw = statement("led-data-guardrail", "DenyInternetGatewaysSoNoPublicDatabase")
    assert "ec2:AttachInternetGateway" in igw["Action"] and "Condition" not in igw
    snapshots = statement("led-data-guardrail", "DenySnapshotSharing")
    assert {"rds:ModifyDBSnapshotAttribute", "rds:ModifyDBClusterSnapshotAttribute"} <= set(snapshots["Action"])
    assert "Condition" not in snapshots
    leave = statement("led-data-guardrail", "DenyLeavingOrganization")
    assert leave["Action"] == ["organizations:LeaveOrganization"] and "Condition" not in leave
    outside = statement("led-data-guardrail", "DenyWritingOutsideOrganization")
    assert outside["Condition"] == {"StringNotEqualsIfExists": {"aws:ResourceOrgID": "o-exampleorgid"}}


def test_scp_targets_are_the_member_accounts_not_key_custody():
    accounts = member_accounts(CONFIG)
    assert set(accounts) == {"444455556666", "777788889999", "123456789012"}


def test_reviewable_files_are_current():
    for guardrail in DOCS.values():
        path = SCP_DIRECTORY / f"{guardrail.name}.json"
        assert path.read_text(encoding="utf-8") == guardrail.reviewable(), (
            f"{path} is stale: run `python -m policies.guardrails`"
        )
    assert {p.stem for p in SCP_DIRECTORY.glob("*.json")} == set(DOCS)


def test_organization_across_partitions_is_refused(tmp_path):
    text = (SCP_DIRECTORY.parent.parent / "config" / "environments.toml").read_text()
    text = text.replace(
        'region = "eu-west-1"\nholds_personal_data = false\nowner = "AHOVOKS"\n\n[environments.dev.accounts]',
        'region = "eusc-de-east-1"\nholds_personal_data = false\nowner = "AHOVOKS"\n\n[environments.dev.accounts]',
        1,
    )
    for key in ("1234", "2234", "3234"):
        text = text.replace(
            f"arn:aws:kms:eu-west-1:111122223333:key/{key}", f"arn:aws-eusc:kms:eusc-de-east-1:111122223333:key/{key}"
        )
    dev, rest = text.split("[environments.acc]")
    dev = dev.replace("arn:aws:iam::", "arn:aws-eusc:iam::")
    path = tmp_path / "c.toml"
    path.write_text(dev + "[environments.acc]" + rest)
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert "field 'organization': environments in partitions aws, aws-eusc" in str(exc.value)


# --- issue #9: the audit logs and alarms cannot be tampered with --------------------------------


def test_audit_logs_and_alarms_cannot_be_tampered_with_outside_the_deployment_role():
    from cdk_constructs.audit_protection import AUDIT_PROTECTION_SID, AUDIT_TAMPERING_ACTIONS

    s = statement("led-audit-guardrail", AUDIT_PROTECTION_SID)
    assert set(s["Action"]) == set(AUDIT_TAMPERING_ACTIONS)
    for action in (
        "logs:DeleteLogGroup",
        "logs:PutRetentionPolicy",
        "logs:DeleteSubscriptionFilter",
        "logs:PutSubscriptionFilter",
        "logs:PutMetricFilter",
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:SetAlarmState",
        "events:DisableRule",
        "events:RemoveTargets",
        "sns:Unsubscribe",
        "sns:SetTopicAttributes",
    ):
        assert action in s["Action"], action
    assert set(s["Resource"]) == AUDIT_RESOURCES
    # Exempt: exactly the CloudFormation execution role of each workload and log archive account in
    # its environment's region, by exact ARN; nothing else (no wildcard, no other account).
    assert set(s["Condition"]) == {"ArnNotEquals"}
    exempt = s["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    expected = {
        f"arn:aws:iam::{a}:role/cdk-hnb659fds-cfn-exec-role-{a}-{env.region}"
        for env in CONFIG.environments.values()
        for a in (env.accounts.workload, env.accounts.log_archive)
    }
    assert set(exempt) == expected
    assert not any("*" in arn for arn in exempt)


def test_the_flow_log_group_name_is_covered_by_the_guardrail(synth):
    # CloudFormation names the flow-log group after its stack (led-<env>-network-...): the
    # led-* log-group pattern of the guardrail and the boundary covers it.
    import fnmatch

    from cdk_constructs.audit_protection import audit_resource_patterns

    for env in synth.stages:
        stack_name = synth.stages[env].node.find_child("Network").stack_name
        arn = f"arn:aws:logs:eu-west-1:444455556666:log-group:{stack_name}-NetworkFlowLogs2BEC3212-abc:*"
        assert any(fnmatch.fnmatchcase(arn, p) for p in audit_resource_patterns("aws")), arn


# --- backups and egress in led-region-guardrail (issue #9) ----------------------------------------------------

BACKUP_EGRESS = "led-region-guardrail"  # backups and egress share the region document


def _deployers(config) -> set[str]:
    arns = set()
    for env in config.environments.values():
        regions = {"workload": [env.region], "log_archive": [env.region], "backup": [env.region]}
        if env.backup.secondary_region:
            regions["backup"].append(env.backup.secondary_region)
        for role, places in regions.items():
            account = getattr(env.accounts, role)
            for region in places:
                arns.add(f"arn:aws:iam::{account}:role/cdk-hnb659fds-cfn-exec-role-{account}-{region}")
    return arns


def test_recovery_points_are_never_deleted_by_hand():
    deny = statement(BACKUP_EGRESS, "DenyDeletingRecoveryPoints")
    assert {"backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"} <= set(deny["Action"])
    assert deny["Resource"] == "*" and "Condition" not in deny


def test_plan_selection_vaults_and_framework_change_only_by_the_exact_deployment_roles():
    deny = statement(BACKUP_EGRESS, "DenyChangingBackupsOutsideDeployment")
    for action in (
        "backup:DeleteBackupPlan",
        "backup:UpdateBackupPlan",
        "backup:DeleteBackupSelection",
        "backup:CreateBackupSelection",
        "backup:DeleteBackupVaultLockConfiguration",
        "backup:PutBackupVaultLockConfiguration",
        "backup:DeleteBackupVault",
        "backup:DeleteBackupVaultAccessPolicy",
        "backup:PutBackupVaultAccessPolicy",
        "backup:DeleteFramework",
        "backup:UpdateFramework",
    ):
        assert action in deny["Action"], action
    roles = deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    assert roles and not [r for r in roles if "*" in r]
    assert set(roles) <= _deployers(CONFIG)
    # the workload account's and the backup account's roles, in both backup regions
    assert {r.split(":")[4] for r in roles} == {"444455556666", "123456789012"}
    assert any(r.endswith("-eu-central-1") for r in roles)


def test_egress_paths_are_denied():
    links = statement("led-data-guardrail", "DenyNetworkLinksOut")
    for action in (
        "ec2:CreateVpnGateway",
        "ec2:AttachVpnGateway",
        "ec2:CreateVpnConnection",
        "ec2:CreateCustomerGateway",
        "ec2:CreateVpcPeeringConnection",
        "ec2:AcceptVpcPeeringConnection",
        "ec2:CreateTransitGateway*",
        "ec2:CreateNatGateway",
        "lambda:CreateFunctionUrlConfig",
        "lambda:UpdateFunctionUrlConfig",
    ):
        assert action in links["Action"], action
    assert "Condition" not in links
    # The internet gateways are the data guardrail's: not duplicated here.
    assert not {"ec2:CreateInternetGateway", "ec2:AttachInternetGateway"} & set(links["Action"])
    assert (
        "ec2:CreateInternetGateway"
        in statement("led-data-guardrail", "DenyInternetGatewaysSoNoPublicDatabase")["Action"]
    )
    egress = statement(BACKUP_EGRESS, "DenyChangingEgressOutsideDeployment")
    assert {"ec2:CreateVpcEndpoint", "route53resolver:Disassociate*", "route53resolver:Delete*"} <= set(
        egress["Action"]
    )
    assert set(egress["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]) == {
        "arn:aws:iam::444455556666:role/cdk-hnb659fds-cfn-exec-role-444455556666-eu-west-1"
    }
    functions = statement(BACKUP_EGRESS, "DenyFunctionsOutsideVpc")
    assert set(functions["Action"]) == {"lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"}
    assert functions["Condition"]["Null"] == {"lambda:VpcIds": "true"}
    assert set(functions["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]) == _deployers(CONFIG)


def test_every_guardrail_fits_with_separate_accounts_for_acc_and_prod():
    """Two environments, each with its own four accounts and a second backup region: the exact
    role lists grow, and the stored (compact) text of every document still fits the SCP limit.
    (Three such environments in one organisation do not fit: the README says so.)"""
    data = {"allowed_regions": list(CONFIG.allowed_regions), "environments": {}}
    for n, name in enumerate(("acc", "prod"), start=1):
        data["environments"][name] = {
            "region": "eu-west-1",
            "accounts": {
                "key_custody": f"11112222{n}333",
                "workload": f"44445555{n}666",
                "log_archive": f"77778888{n}999",
                "backup": f"12345678{n}012",
            },
            "backup": {"secondary_region": "eu-central-1"},
        }
    other = LandingZoneConfig.model_validate(data)
    for guardrail in guardrails(other):
        assert len(guardrail.text()) <= SCP_MAX_CHARS, guardrail.name
    region = next(g for g in guardrails(other) if g.name == BACKUP_EGRESS)
    roles = statement_of(region, "DenyFunctionsOutsideVpc")["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    assert len(roles) == 8  # workload, log archive, backup (two regions) of each environment


def statement_of(guardrail, sid: str) -> dict:
    (found,) = [s for s in guardrail.document["Statement"] if s["Sid"] == sid]
    return found
