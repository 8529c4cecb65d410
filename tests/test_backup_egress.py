"""Issue #9, paths 5 and 6 on the real landing zone: a stopped plan is detected and the copies
outlive it; the VPC has a DNS firewall. Each means passes on what the landing zone builds and fails
as soon as a pull request takes it away (the synthesized prod templates, edited)."""

from __future__ import annotations

import pytest

from config import load_config
from tests.test_vtc_means import _drop, _index, _results

CONFIG = load_config()
PROD = CONFIG.environments["prod"]


def _resources(synth, stack: str, resource_type: str) -> dict[str, dict]:
    return synth.resources("prod", stack, resource_type)


def _one(synth, stack: str, resource_type: str) -> dict:
    found = _resources(synth, stack, resource_type)
    assert len(found) == 1, found
    return next(iter(found.values()))["Properties"]


# --- what the landing zone builds ------------------------------------------------------------


def test_copies_are_kept_the_copy_retention_window(synth):
    plan = _one(synth, "Backup", "AWS::Backup::BackupPlan")
    (rule,) = plan["BackupPlan"]["BackupPlanRule"]
    assert rule["Lifecycle"]["DeleteAfterDays"] == PROD.backup.generations
    # The remote vaults of both regions and the air-gapped vault (tests/test_air_gap.py).
    assert [c["Lifecycle"]["DeleteAfterDays"] for c in rule["CopyActions"]] == [PROD.backup.copy_retention_days] * 3
    assert PROD.backup.generations < PROD.backup.copy_retention_days < PROD.keys.rotation_period_days


@pytest.mark.parametrize("stack", ["RemoteVault", "SecondaryRemoteVault"])
def test_remote_vault_locks_follow_the_copy_window(synth, stack):
    lock = _one(synth, stack, "AWS::Backup::BackupVault")["LockConfiguration"]
    assert lock["MinRetentionDays"] == PROD.backup.copy_retention_days
    assert lock["MaxRetentionDays"] == PROD.keys.rotation_period_days


@pytest.mark.parametrize("stack", ["Backup", "RemoteVault", "SecondaryRemoteVault"])
def test_vault_policies_deny_changes_except_by_the_exact_deployment_role(synth, stack):
    vault = _one(synth, stack, "AWS::Backup::BackupVault")
    statements = {s["Sid"]: s for s in vault["AccessPolicy"]["Statement"]}
    deny = statements["DenyVaultChangesOutsideDeployment"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == {"AWS": "*"}
    assert set(deny["Action"]) == {
        "backup:DeleteBackupVault",
        "backup:DeleteBackupVaultAccessPolicy",
        "backup:PutBackupVaultAccessPolicy",
    }
    role = deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    text = str(role)
    account = PROD.accounts.workload if stack == "Backup" else PROD.accounts.backup
    region = PROD.backup.secondary_region if stack == "SecondaryRemoteVault" else PROD.region
    assert f":iam::{account}:role/cdk-hnb659fds-cfn-exec-role-{account}-{region}" in text
    assert "*" not in text and "arn:aws:" not in text  # exact, and built with the partition
    assert statements["DenyManualRecoveryPointDeletion"]["Effect"] == "Deny"


def test_missing_recovery_points_alarm_within_26_hours_on_the_security_topic(synth):
    alarms = {
        a["Properties"]["MetricName"]: a["Properties"]
        for a in _resources(synth, "Backup", "AWS::CloudWatch::Alarm").values()
    }
    assert set(alarms) == {"NumberOfBackupJobsCompleted", "NumberOfCopyJobsCompleted"}
    for alarm in alarms.values():
        assert alarm["Namespace"] == "AWS/Backup"
        assert alarm["Dimensions"] == [{"Name": "BackupVaultName", "Value": "led-prod-vault"}]
        assert alarm["Period"] * alarm["EvaluationPeriods"] == 26 * 3600
        assert alarm["DatapointsToAlarm"] == alarm["EvaluationPeriods"]
        assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("LessThanThreshold", 1)
        assert alarm["TreatMissingData"] == "breaching"
        topic = str(alarm["AlarmActions"])
        assert f":sns:{PROD.region}:{PROD.accounts.workload}:led-prod-security-alarms" in topic
    # The topic accepts CloudWatch alarms of this account (cdk_constructs/security_alarms.py).
    topics = synth.resources("prod", "Audit", "AWS::SNS::Topic")
    assert any(t["Properties"].get("TopicName") == "led-prod-security-alarms" for t in topics.values())


def test_framework_has_the_detection_controls(synth):
    framework = _one(synth, "Backup", "AWS::Backup::Framework")
    controls = {c["ControlName"]: c for c in framework["FrameworkControls"]}
    assert set(controls) == {
        "BACKUP_LAST_RECOVERY_POINT_CREATED",
        "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
        "BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK",
        "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK",
    }

    def params(name):
        return {p["ParameterName"]: p["ParameterValue"] for p in controls[name]["ControlInputParameters"]}

    assert params("BACKUP_LAST_RECOVERY_POINT_CREATED") == {
        "recoveryPointAgeUnit": "days",
        "recoveryPointAgeValue": "1",
    }
    assert params("BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK") == {"requiredRetentionDays": "3"}
    scopes = [c["ControlScope"] for c in controls.values()]
    assert all(s["ComplianceResourceTypes"] == ["RDS"] for s in scopes), scopes


def test_dns_firewall_allows_aws_names_then_blocks_everything(synth):
    lists = {
        r["Properties"]["Name"]: r["Properties"]["Domains"]
        for r in _resources(synth, "Network", "AWS::Route53Resolver::FirewallDomainList").values()
    }
    assert lists == {
        "led-prod-vpc-dns-allowed": [
            "eu-west-1.amazonaws.com",
            "*.eu-west-1.amazonaws.com",
            "*.eu-west-1.rds.amazonaws.com",
        ],
        "led-prod-vpc-dns-all": ["*"],
    }
    group = _one(synth, "Network", "AWS::Route53Resolver::FirewallRuleGroup")
    rules = sorted(group["FirewallRules"], key=lambda r: r["Priority"])
    assert [(r["Action"], r.get("BlockResponse")) for r in rules] == [("ALLOW", None), ("BLOCK", "NXDOMAIN")]
    association = _one(synth, "Network", "AWS::Route53Resolver::FirewallRuleGroupAssociation")
    assert association["MutationProtection"] == "ENABLED"
    assert "Ref" in association["VpcId"]
    logging = _one(synth, "Network", "AWS::Route53Resolver::ResolverQueryLoggingConfig")
    assert "Fn::GetAtt" in logging["DestinationArn"]
    groups = _resources(synth, "Network", "AWS::Logs::LogGroup")
    dns = [g for g in groups.values() if g["Properties"].get("LogGroupName") == "/led/prod/dns-queries"]
    assert len(dns) == 1 and "KmsKeyId" in dns[0]["Properties"] and dns[0]["DeletionPolicy"] == "Retain"


def test_eusc_domains_use_the_partition_suffix():
    from cdk_constructs.network import allowed_dns_domains
    from config import service_domain_of

    assert allowed_dns_domains("eusc-de-east-1", service_domain_of("eusc-de-east-1")) == [
        "eusc-de-east-1.amazonaws.eu",
        "*.eusc-de-east-1.amazonaws.eu",
        "*.eusc-de-east-1.rds.amazonaws.eu",
    ]


# --- the rules on the landing zone, and a pull request taking a means away --------------------


@pytest.mark.parametrize("rule_id", ["VTC-BACKUP-RETENTION-DETECT", "VTC-NO-COPY-DNS", "VTC-BACKUP-ELSEWHERE"])
def test_the_landing_zone_passes(synth, rule_id):
    found = _results(_index(synth), rule_id)
    assert found and all(v == "compliant" for v in found.values() if not v.startswith("not_applicable")), found
    assert any(v == "compliant" for v in found.values()), found


def _remove_lock(stack_name: str):
    def edit(info):
        if info.name == stack_name:
            for r in info.resources.values():
                if r.get("Type") == "AWS::Backup::BackupVault":
                    del r["Properties"]["LockConfiguration"]

    return edit


def _shorten_copies(info):
    for r in info.resources.values():
        if r.get("Type") == "AWS::Backup::BackupPlan":
            for rule in r["Properties"]["BackupPlan"]["BackupPlanRule"]:
                for copy in rule["CopyActions"]:
                    copy["Lifecycle"]["DeleteAfterDays"] = 3


def _alarm_ignores_missing_data(info):
    for r in info.resources.values():
        if r.get("Type") == "AWS::CloudWatch::Alarm" and r["Properties"].get("Namespace") == "AWS/Backup":
            r["Properties"]["TreatMissingData"] = "notBreaching"


def _allow_everything(info):
    for r in info.resources.values():
        if r.get("Type") == "AWS::Route53Resolver::FirewallRuleGroup":
            for rule in r["Properties"]["FirewallRules"]:
                rule["Action"] = "ALLOW"
                rule.pop("BlockResponse", None)


@pytest.mark.parametrize(
    ("rule_id", "edit", "expected"),
    [
        pytest.param(
            "VTC-BACKUP-RETENTION-DETECT",
            _drop("AWS::Backup::Framework"),
            "BACKUP_LAST_RECOVERY_POINT_CREATED",
            id="framework-removed",
        ),
        pytest.param(
            "VTC-BACKUP-RETENTION-DETECT",
            _drop("AWS::CloudWatch::Alarm", keep=lambda lid, r: r["Properties"].get("Namespace") != "AWS/Backup"),
            "no alarm with an action",
            id="alarms-removed",
        ),
        pytest.param(
            "VTC-BACKUP-RETENTION-DETECT",
            _alarm_ignores_missing_data,
            "no alarm with an action",
            id="alarm-not-breaching",
        ),
        pytest.param(
            "VTC-BACKUP-RETENTION-DETECT",
            _remove_lock("led-prod-remote-vault"),
            "no vault lock",
            id="remote-lock-removed",
        ),
        pytest.param(
            "VTC-BACKUP-RETENTION-DETECT", _remove_lock("led-prod-backup"), "no vault lock", id="lock-removed"
        ),
        pytest.param(
            "VTC-BACKUP-ELSEWHERE", _shorten_copies, "fewer than backup.copy_retention_days", id="short-copies"
        ),
        pytest.param(
            "VTC-NO-COPY-DNS",
            _drop("AWS::Route53Resolver::FirewallRuleGroupAssociation"),
            "no DNS Firewall rule group is associated",
            id="association-removed",
        ),
        pytest.param("VTC-NO-COPY-DNS", _allow_everything, "allows every name", id="allow-all"),
    ],
)
def test_taking_a_means_away_fails(synth, rule_id, edit, expected):
    found = _results(_index(synth, edit), rule_id)
    failed = {k: v for k, v in found.items() if v.startswith("non_compliant")}
    assert failed and any(expected in v for v in failed.values()), found
