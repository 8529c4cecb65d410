"""Fine-grained assertions on the synthesized landing zone (issue: keys, network, data, backups)."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Match

ENVS = ("dev", "acc", "prod")
STATEFUL_TYPES = {
    "AWS::KMS::Key",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::Backup::BackupVault",
    "AWS::Backup::LogicallyAirGappedBackupVault",
    "AWS::S3::Bucket",
    "AWS::Logs::LogGroup",
    "AWS::SecretsManager::Secret",
}

# Construct ids are a contract: a changed logical id makes CloudFormation replace the resource,
# and for these resources that means data loss. Change this list only with a migration plan.
PINNED_LOGICAL_IDS = {
    ("KeyCustody", "AWS::KMS::Key"): {"DataKey", "BackupKey", "LogKey"},
    ("Data", "AWS::RDS::DBInstance"): {"DatabaseInstanceAA8A5FDE"},
    ("Data", "AWS::Logs::LogGroup"): {
        "DatabaseLogPostgresql074561DA",
        "DatabaseLogUpgrade29A8AA2B",
        "DatabaseLogIamDbAuthError8FA80886",
    },
    ("Network", "AWS::Logs::LogGroup"): {"NetworkFlowLogs2BEC3212", "DnsFirewallQueryLogs35299572"},
    ("Backup", "AWS::Backup::BackupVault"): {"Vault645BC77C"},
    ("RemoteVault", "AWS::Backup::BackupVault"): {"Vault645BC77C"},
}
PROD_ONLY_PINNED = {
    ("SecondaryKeyCustody", "AWS::KMS::Key"): {"SecondaryBackupKey"},
    ("SecondaryRemoteVault", "AWS::Backup::BackupVault"): {"Vault645BC77C"},
    ("RemoteVault", "AWS::Backup::LogicallyAirGappedBackupVault"): {"AirGapVaultDC9AFF19"},
}


def env_config(synth, env):
    return synth.config.environments[env]


@pytest.mark.parametrize("env", ENVS)
def test_stateful_logical_ids_are_pinned(synth, env):
    pinned = dict(PINNED_LOGICAL_IDS)
    if env == "prod":
        pinned |= PROD_ONLY_PINNED
    for (stack, resource_type), ids in pinned.items():
        assert ids <= set(synth.resources(env, stack, resource_type)), (env, stack, resource_type)


@pytest.mark.parametrize("env", ENVS)
def test_no_stateful_resource_can_be_dropped(synth, env):
    for stack in synth.stages[env].node.children:
        if not hasattr(stack, "artifact_id"):
            continue
        for logical_id, resource in synth.template_json(env, stack.node.id)["Resources"].items():
            if resource["Type"] in STATEFUL_TYPES:
                assert resource.get("DeletionPolicy") in {"Retain", "Snapshot"}, (env, logical_id)
                assert resource.get("UpdateReplacePolicy") in {"Retain", "Snapshot"}, (env, logical_id)


# Key custody ----------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVS)
def test_keys_rotate_within_the_bound_and_are_customer_managed(synth, env):
    cfg = env_config(synth, env)
    for key in synth.resources(env, "KeyCustody", "AWS::KMS::Key").values():
        props = key["Properties"]
        assert props["EnableKeyRotation"] is True
        assert props["RotationPeriodInDays"] == cfg.keys.rotation_period_days
        assert props["Origin"] == "AWS_KMS"
        assert props["KeySpec"] == "SYMMETRIC_DEFAULT"


@pytest.mark.parametrize("env", ENVS)
def test_only_the_fb_administration_path_administers_keys(synth, env):
    cfg = env_config(synth, env)
    fb = cfg.accounts.key_custody
    for logical_id, key in synth.resources(env, "KeyCustody", "AWS::KMS::Key").items():
        statements = key["Properties"]["KeyPolicy"]["Statement"]
        text = json.dumps(statements)
        assert '"kms:*"' not in text, logical_id
        admin = next(s for s in statements if s["Sid"] == "FbKeyAdministration")
        principals = json.dumps(admin["Principal"])
        assert f"iam::{fb}:role/{cfg.keys.key_admin_role_name}" in principals
        assert f"iam::{fb}:role/cdk-hnb659fds-cfn-exec-role-{fb}-" in principals
        assert "kms:PutKeyPolicy" in admin["Action"] and "kms:ScheduleKeyDeletion" in admin["Action"]
        assert not {"kms:Decrypt", "kms:Encrypt"} & set(admin["Action"]), "administrators must not use the key"
        # Control Tower CT.KMS.PR.3: no grant that is not for an AWS resource, administrators included.
        deny = next(s for s in statements if s["Sid"] == "DenyGrantsNotForAwsResources")
        assert deny["Effect"] == "Deny" and deny["Principal"] == {"AWS": "*"} and deny["Action"] == "kms:CreateGrant"
        assert deny["Condition"] == {
            "BoolIfExists": {"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false"}
        }
        for statement in statements:
            if statement is admin or statement is deny:
                continue
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not {"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey"} & set(actions)
            # Every use is narrowed: through named services, or a service principal with a condition.
            assert statement.get("Condition"), (logical_id, statement["Sid"])
            if "AWS" in statement["Principal"]:
                condition = statement["Condition"]["StringEquals"]
                assert condition["kms:ViaService"] and condition["kms:CallerAccount"]
            if "kms:CreateGrant" in actions:
                assert statement["Condition"]["Bool"]["kms:GrantIsForAWSResource"] == "true"


def test_data_key_is_usable_by_the_workload_only_through_rds_and_friends(synth):
    cfg = env_config(synth, "prod")
    key = synth.resources("prod", "KeyCustody", "AWS::KMS::Key")["DataKey"]
    use = next(s for s in key["Properties"]["KeyPolicy"]["Statement"] if s["Sid"] == "WorkloadUseThroughDataServices")
    assert set(use["Condition"]["StringEquals"]["kms:CallerAccount"]) == {cfg.accounts.workload, cfg.accounts.backup}
    assert "rds.eu-west-1.amazonaws.com" in use["Condition"]["StringEquals"]["kms:ViaService"]


def test_imported_key_material_switch_creates_external_keys():
    import aws_cdk as cdk

    from config import load_config
    from stacks.key_custody import KeyCustodyStack
    from tests.conftest import new_app

    base = load_config().environments["dev"]
    cfg = base.model_copy(update={"keys": base.keys.model_copy(update={"origin": "EXTERNAL"})})
    app = new_app()
    stack = KeyCustodyStack(app, "Fb", config=cfg, env=cdk.Environment(account="111122223333", region="eu-west-1"))
    template = app.synth().get_stack_artifact(stack.artifact_id).template
    keys = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::KMS::Key"]
    assert len(keys) == 3
    for props in keys:
        assert props["Origin"] == "EXTERNAL"
        # KMS cannot rotate imported material: FB imports new material and rotates on demand.
        assert props["EnableKeyRotation"] is False
        assert "RotationPeriodInDays" not in props


def test_prod_has_a_backup_key_in_its_secondary_region(synth):
    stack = synth.stages["prod"].node.find_child("SecondaryKeyCustody")
    assert stack.region == "eu-central-1" and stack.account == "111122223333"
    assert "SecondaryKeyCustody" not in {c.node.id for c in synth.stages["dev"].node.children}


# Network --------------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVS)
def test_network_has_no_route_to_the_internet(synth, env):
    template = synth.template_json(env, "Network")
    types = {r["Type"] for r in template["Resources"].values()}
    assert not types & {"AWS::EC2::InternetGateway", "AWS::EC2::NatGateway", "AWS::EC2::EgressOnlyInternetGateway"}
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::EC2::Route":
            raise AssertionError(f"unexpected route {resource}")
        if resource["Type"] == "AWS::EC2::Subnet":
            assert resource["Properties"]["MapPublicIpOnLaunch"] is False
    azs = {
        r["Properties"]["AvailabilityZone"] for r in template["Resources"].values() if r["Type"] == "AWS::EC2::Subnet"
    }
    assert len(azs) == env_config(synth, env).network.max_azs >= 2


@pytest.mark.parametrize("env", ENVS)
def test_endpoints_exist_with_policies(synth, env):
    endpoints = synth.resources(env, "Network", "AWS::EC2::VPCEndpoint")
    names = json.dumps([e["Properties"]["ServiceName"] for e in endpoints.values()])
    for service in ("s3", "kms", "secretsmanager", "logs", "sts"):
        assert f".{service}" in names, service
    for endpoint in endpoints.values():
        document = endpoint["Properties"]["PolicyDocument"]
        for statement in document["Statement"]:
            assert statement["Effect"] == "Allow" and statement["Action"] != "*"
            assert statement.get("Condition"), "endpoint policies name the LED accounts"


@pytest.mark.parametrize("env", ENVS)
def test_flow_logs_are_encrypted_with_the_fb_log_key_and_default_sg_closed(synth, env):
    cfg = env_config(synth, env)
    template = synth.template(env, "Network")
    template.has_resource_properties(
        "AWS::Logs::LogGroup", {"KmsKeyId": cfg.key_arn("log"), "RetentionInDays": cfg.logs.retention_days}
    )
    template.has_resource_properties(
        "AWS::EC2::FlowLog",
        {"TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs", "LogGroupName": Match.any_value()},
    )
    template.resource_count_is("Custom::VpcRestrictDefaultSG", 1)


def test_data_tier_accepts_postgres_from_the_app_tier_only(synth):
    template = synth.template_json("prod", "Network")
    ingress = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::EC2::SecurityGroupIngress"]
    assert [(i["FromPort"], i["ToPort"]) for i in ingress] == [(5432, 5432)]
    assert "SourceSecurityGroupId" in ingress[0]
    for group in synth.resources("prod", "Network", "AWS::EC2::SecurityGroup").values():
        for rule in group["Properties"].get("SecurityGroupIngress", []):
            assert rule.get("CidrIp") != "0.0.0.0/0"


# Data -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVS)
def test_database_is_encrypted_private_audited_and_protected(synth, env):
    cfg = env_config(synth, env)
    db = synth.resources(env, "Data", "AWS::RDS::DBInstance")["DatabaseInstanceAA8A5FDE"]
    props = db["Properties"]
    assert db["DeletionPolicy"] == "Snapshot"
    assert props["Engine"] == "postgres" and props["EngineVersion"].startswith(cfg.database.engine_major)
    assert props["StorageEncrypted"] is True and props["KmsKeyId"] == cfg.key_arn("data")
    assert props["PubliclyAccessible"] is False
    assert props["DeletionProtection"] is True
    assert props["EnableIAMDatabaseAuthentication"] is True
    assert props["EnablePerformanceInsights"] is True and props["PerformanceInsightsKMSKeyId"] == cfg.key_arn("data")
    assert props["ManageMasterUserPassword"] is True
    assert props["MasterUserSecret"]["KmsKeyId"] == cfg.key_arn("data")
    assert props["MultiAZ"] is cfg.database.multi_az
    assert props["MultiAZ"] is (env == "prod")
    assert props["DBInstanceClass"] == f"db.{cfg.database.instance_class}"
    assert int(props["AllocatedStorage"]) == cfg.database.allocated_storage_gib
    assert props["MaxAllocatedStorage"] == cfg.database.max_allocated_storage_gib
    assert props["BackupRetentionPeriod"] == cfg.backup.generations
    assert set(props["EnableCloudwatchLogsExports"]) >= {"postgresql"}


@pytest.mark.parametrize("env", ENVS)
def test_parameter_group_forces_tls_and_loads_pgaudit(synth, env):
    params = next(iter(synth.resources(env, "Data", "AWS::RDS::DBParameterGroup").values()))["Properties"]["Parameters"]
    assert params["rds.force_ssl"] == "1"
    assert "pgaudit" in params["shared_preload_libraries"].split(",")
    assert set(params["pgaudit.log"].split(",")) == {"ddl", "role", "write"}
    assert params["pgaudit.log_parameter"] == "0", "parameters would copy personal data into the logs"
    assert params["log_connections"] == "1" and params["log_disconnections"] == "1"


@pytest.mark.parametrize("env", ENVS)
def test_database_logs_are_encrypted_and_kept(synth, env):
    cfg = env_config(synth, env)
    groups = synth.resources(env, "Data", "AWS::Logs::LogGroup")
    names = {g["Properties"].get("LogGroupName") for g in groups.values()}
    assert f"/aws/rds/instance/led-{env}-db/postgresql" in names
    for group in groups.values():
        assert group["Properties"]["KmsKeyId"] == cfg.key_arn("log")
        assert group["Properties"]["RetentionInDays"] >= cfg.backup.generations


# Backup ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVS)
def test_vault_is_locked_under_the_fb_backup_key(synth, env):
    cfg = env_config(synth, env)
    vault = synth.resources(env, "Backup", "AWS::Backup::BackupVault")["Vault645BC77C"]["Properties"]
    assert vault["EncryptionKeyArn"] == cfg.key_arn("backup")
    lock = vault["LockConfiguration"]
    assert lock["MinRetentionDays"] == cfg.backup.generations
    # VTC §47: nothing outlives the key generation it was written under.
    assert lock["MaxRetentionDays"] == cfg.keys.rotation_period_days
    assert ("ChangeableForDays" in lock) is (cfg.backup.vault_lock_mode == "compliance")


@pytest.mark.parametrize("env", ENVS)
def test_daily_plan_keeps_exactly_the_generations_and_copies_elsewhere(synth, env):
    cfg = env_config(synth, env)
    plan = next(iter(synth.resources(env, "Backup", "AWS::Backup::BackupPlan").values()))["Properties"]
    rules = plan["BackupPlan"]["BackupPlanRule"]
    assert len(rules) == 1
    rule = rules[0]
    assert rule["ScheduleExpression"] == "cron(0 1 * * ? *)"
    assert rule["Lifecycle"]["DeleteAfterDays"] == cfg.backup.generations
    copies = rule["CopyActions"]
    regions = [cfg.region] + ([cfg.backup.secondary_region] if cfg.backup.secondary_region else [])
    # The air-gapped vault's copy comes last (tests/test_air_gap.py).
    assert len(copies) == len(regions) + (1 if cfg.backup.air_gap.enabled else 0)
    for copy, region in zip(copies[: len(regions)], regions, strict=True):
        destination = json.dumps(copy["DestinationBackupVaultArn"])
        assert f":backup:{region}:{cfg.accounts.backup}:backup-vault:led-{env}-remote-vault" in destination
        assert copy["Lifecycle"]["DeleteAfterDays"] == cfg.backup.copy_retention_days
    selection = next(iter(synth.resources(env, "Backup", "AWS::Backup::BackupSelection").values()))
    assert "DatabaseInstance" in json.dumps(selection["Properties"]["BackupSelection"]["Resources"])


@pytest.mark.parametrize("env", ENVS)
def test_remote_vault_accepts_copies_from_the_workload_only(synth, env):
    cfg = env_config(synth, env)
    stack = synth.stages[env].node.find_child("RemoteVault")
    assert stack.account == cfg.accounts.backup
    vault = synth.resources(env, "RemoteVault", "AWS::Backup::BackupVault")["Vault645BC77C"]["Properties"]
    assert vault["BackupVaultName"] == f"led-{env}-remote-vault"
    statements = vault["AccessPolicy"]["Statement"]
    copy_in = next(s for s in statements if s["Sid"] == "CopyInFromLedWorkload")
    assert cfg.accounts.workload in json.dumps(copy_in["Principal"])
    deny = next(s for s in statements if s["Effect"] == "Deny")
    assert "backup:DeleteRecoveryPoint" in deny["Action"]


@pytest.mark.parametrize("env", ENVS)
def test_restore_testing_restores_into_the_isolated_data_tier(synth, env):
    template = synth.template(env, "Backup")
    template.has_resource_properties(
        "AWS::Backup::RestoreTestingPlan",
        {
            "RecoveryPointSelection": {
                "Algorithm": "LATEST_WITHIN_WINDOW",
                "RecoveryPointTypes": ["SNAPSHOT"],
                "IncludeVaults": Match.any_value(),
            },
            "ScheduleExpression": env_config(synth, env).backup.restore_test_schedule,
        },
    )
    template.has_resource_properties(
        "AWS::Backup::RestoreTestingSelection",
        {
            "ProtectedResourceType": "RDS",
            "RestoreMetadataOverrides": Match.object_like(
                {"publiclyaccessible": "false", "dbsubnetgroupname": Match.any_value()}
            ),
        },
    )


# Tags -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVS)
def test_every_taggable_resource_names_environment_owner_and_classification(synth, env):
    for stack in synth.stages[env].node.children:
        if not hasattr(stack, "artifact_id"):
            continue
        for logical_id, resource in synth.template_json(env, stack.node.id)["Resources"].items():
            tags = resource.get("Properties", {}).get("Tags")
            if not isinstance(tags, list):
                continue
            keys = {t["Key"] for t in tags}
            assert {"led:environment", "led:owner-party", "led:data-classification"} <= keys, (
                stack.node.id,
                logical_id,
            )


def test_personal_data_stores_are_classified(synth):
    def classification(env, stack, resource_type):
        resource = next(iter(synth.resources(env, stack, resource_type).values()))
        return {t["Key"]: t["Value"] for t in resource["Properties"]["Tags"]}["led:data-classification"]

    assert classification("prod", "Data", "AWS::RDS::DBInstance") == "personal-data"
    assert classification("dev", "Data", "AWS::RDS::DBInstance") == "no-personal-data"
    vault = next(iter(synth.resources("prod", "Backup", "AWS::Backup::BackupVault").values()))
    assert vault["Properties"]["BackupVaultTags"]["led:data-classification"] == "personal-data"


def test_stacks_are_named_for_environment_and_role_and_protected(synth):
    stage = synth.stages["prod"]
    names = {s.node.id: s.stack_name for s in stage.node.children if hasattr(s, "stack_name")}
    assert names["Data"] == "led-prod-data" and names["KeyCustody"] == "led-prod-key-custody"
    for stack_id in ("Data", "Backup", "KeyCustody", "RemoteVault"):
        assert stage.node.find_child(stack_id).termination_protection
    assert stage.node.find_child("KeyCustody").account == "111122223333"
    assert stage.node.find_child("Data").account == "444455556666"
