"""Issue #13, part 1: the air-gapped copy (VTC §37, §47).

A logically air-gapped vault in the backup account, under the FB backup key, receives a copy of every
recovery point and is restore-tested from the workload account. The config refuses what contradicts
the generations, the copy window or the key rotation (one line each); the VTC pack's backup rules
accept the vault as "elsewhere" and check its key and retention, on small stacks and inside the real
landing zone."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_backup as backup
from constructs import Construct

import app as led_app
from config import load_config
from policies import VtcChecks
from stacks.stage import LandingZoneStage
from tests.conftest import new_app
from tests.rules._common import plan
from tests.test_config import air_gap, error_of
from tests.test_vtc_means import _index, _results

CONFIG = load_config()
PROD = CONFIG.environments["prod"]
LAG = "AWS::Backup::LogicallyAirGappedBackupVault"
LAG_NAME = "led-prod-air-gapped-vault"
LAG_ARN = f"arn:aws:backup:{PROD.region}:{PROD.accounts.backup}:backup-vault:{LAG_NAME}"
TEAM = "arn:aws:mpa:us-east-1:012345678901:approval-team/a1b2c3d4"


# --- config: where it is on, and one line for every contradiction ---------------------------------


def test_default_config_puts_the_air_gap_in_acc_and_prod_only():
    enabled = {name: env.backup.air_gap.enabled for name, env in CONFIG.environments.items()}
    assert enabled == {"dev": False, "acc": True, "prod": True}
    lag = PROD.backup.air_gap
    assert PROD.backup.generations <= lag.min_retention_days <= PROD.backup.copy_retention_days
    assert PROD.backup.copy_retention_days <= lag.max_retention_days < PROD.keys.rotation_period_days


# One field of prod's air gap given a bad value, and what the error says beyond naming that field.
BAD_GAP_FIELDS = [
    ("floor", "min_retention_days", 5, ["got 5", "at least 7"]),
    ("min-above-copy-window", "min_retention_days", 20, ["got 20", "backup.copy_retention_days (14)"]),
    ("max-below-copy-window", "max_retention_days", 10, ["got 10", "backup.copy_retention_days (14)"]),
    ("max-reaches-rotation", "max_retention_days", 365, ["got 365", "fewer days than keys.rotation_period_days (365)"]),
    ("team-arn-shape", "mpa_approval_team_arn", "arn:aws:mpa:us-east-1:0123:team/x", ["approval-team/<id>"]),
    (
        "team-partition",
        "mpa_approval_team_arn",
        TEAM.replace("arn:aws:", "arn:aws-eusc:"),
        ["partition aws-eusc", "allowed: partition aws"],
    ),
    (
        "team-in-led-account",
        "mpa_approval_team_arn",
        TEAM.replace("012345678901", "123456789012"),
        ["LED account 123456789012", "management account"],
    ),
    ("unknown", "rentention_days", 9, ["unknown field"]),
]


@pytest.mark.parametrize(
    "mutate, expected",
    [
        pytest.param(air_gap(**{field: value}), [f"'backup.air_gap.{field}'", *said], id=case)
        for case, field, value, said in BAD_GAP_FIELDS
    ]
    + [
        pytest.param(
            lambda d: (air_gap(min_retention_days=10)(d), d["environments"]["prod"]["backup"].update(generations=12)),
            ["'prod'", "'backup.air_gap.min_retention_days'", "got 10", "backup.generations (12)"],
            id="below-generations",
        ),
        pytest.param(
            air_gap(min_retention_days=9, max_retention_days=8),
            ["'backup.air_gap.max_retention_days'", "got 8", "at least backup.air_gap.min_retention_days (9)"],
            id="max-below-min",
        ),
        pytest.param(
            lambda d: (air_gap("dev", enabled=True)(d), d["environments"]["dev"]["keys"].pop("backup_key_arn")),
            ["'dev'", "'keys.backup_key_arn'", "missing", "backup.air_gap.enabled"],
            id="alias-key",
        ),
    ],
)
def test_air_gap_contradictions_are_one_line(tmp_path, mutate, expected):
    message = error_of(tmp_path, mutate)
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_an_approval_team_of_the_management_account_is_accepted(tmp_path):
    from tests.test_config import write

    env = load_config(write(tmp_path, air_gap(mpa_approval_team_arn=TEAM))).environments["prod"]
    assert env.backup.air_gap.mpa_approval_team_arn == TEAM


# --- what the landing zone builds ------------------------------------------------------------------


def _one(synth, env: str, stack: str, resource_type: str) -> tuple[str, dict]:
    found = synth.resources(env, stack, resource_type)
    assert len(found) == 1, found
    return next(iter(found.items()))


@pytest.mark.parametrize("env", ["acc", "prod"])
def test_the_vault_is_in_the_backup_account_under_the_fb_backup_key(synth, env):
    cfg = CONFIG.environments[env]
    logical_id, vault = _one(synth, env, "RemoteVault", LAG)
    assert logical_id == "AirGapVaultDC9AFF19"
    assert vault["DeletionPolicy"] == vault["UpdateReplacePolicy"] == "Retain"
    props = vault["Properties"]
    assert props["BackupVaultName"] == f"led-{env}-air-gapped-vault"
    assert props["EncryptionKeyArn"] == cfg.keys.backup_key_arn
    assert (props["MinRetentionDays"], props["MaxRetentionDays"]) == (
        cfg.backup.air_gap.min_retention_days,
        cfg.backup.air_gap.max_retention_days,
    )
    assert "MpaApprovalTeamArn" not in props  # optional, not in the default config
    stack = synth.stages[env].remote_vault
    assert (stack.account, stack.region) == (cfg.accounts.backup, cfg.region)


def test_only_the_deployment_role_changes_the_vault_and_only_the_workload_copies_in(synth):
    _, vault = _one(synth, "prod", "RemoteVault", LAG)
    statements = {s["Sid"]: s for s in vault["Properties"]["AccessPolicy"]["Statement"]}
    deny = statements["DenyVaultChangesOutsideDeployment"]
    assert deny["Principal"] == {"AWS": "*"} and "backup:DeleteBackupVault" in deny["Action"]
    role = json.dumps(deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"])
    account = PROD.accounts.backup
    assert f":iam::{account}:role/cdk-hnb659fds-cfn-exec-role-{account}-{PROD.region}" in role
    assert statements["DenyManualRecoveryPointDeletion"]["Effect"] == "Deny"
    copy_in = statements["CopyInFromLedWorkload"]
    assert copy_in["Action"] == "backup:CopyIntoBackupVault"
    assert PROD.accounts.workload in json.dumps(copy_in["Principal"])


def test_the_vault_is_shared_with_the_workload_account_only(synth):
    _, share = _one(synth, "prod", "RemoteVault", "AWS::RAM::ResourceShare")
    props = share["Properties"]
    assert props["Principals"] == [PROD.accounts.workload]
    assert props["AllowExternalPrincipals"] is False
    assert props["ResourceArns"] == [{"Fn::GetAtt": ["AirGapVaultDC9AFF19", "BackupVaultArn"]}]


def test_every_backup_rule_copies_into_the_air_gapped_vault(synth):
    _, plan = _one(synth, "prod", "Backup", "AWS::Backup::BackupPlan")
    for rule in plan["Properties"]["BackupPlan"]["BackupPlanRule"]:
        copies = {json.dumps(c["DestinationBackupVaultArn"]): c for c in rule["CopyActions"]}
        into = [c for text, c in copies.items() if LAG_NAME in text and PROD.accounts.backup in text]
        assert len(into) == 1, copies
        assert into[0]["Lifecycle"]["DeleteAfterDays"] == PROD.backup.copy_retention_days


def test_restore_testing_runs_from_the_air_gapped_vault_and_is_validated(synth):
    plans = synth.resources("prod", "Backup", "AWS::Backup::RestoreTestingPlan")
    by_name = {p["Properties"]["RestoreTestingPlanName"]: (lid, p["Properties"]) for lid, p in plans.items()}
    lid, props = by_name["led_prod_air_gap_restore_test"]
    assert json.dumps(props["RecoveryPointSelection"]["IncludeVaults"]).count("backup-vault:") == 1
    assert LAG_NAME in json.dumps(props["RecoveryPointSelection"]["IncludeVaults"])
    assert props["ScheduleExpression"] == PROD.backup.air_gap.restore_test_schedule
    selections = synth.resources("prod", "Backup", "AWS::Backup::RestoreTestingSelection")
    assert any(
        s["Properties"]["RestoreTestingPlanName"] in ({"Ref": lid}, "led_prod_air_gap_restore_test")
        and s["Properties"]["ProtectedResourceType"] == "RDS"
        for s in selections.values()
    )
    # The role reads the recovery points of the backup account's vault (and nothing of other accounts).
    policies = json.dumps(synth.resources("prod", "Backup", "AWS::IAM::ManagedPolicy"))
    assert f":{PROD.accounts.backup}:recovery-point:*" in policies
    # The validation Lambda hears the restore jobs of both plans.
    rules = synth.resources("prod", "Recovery", "AWS::Events::Rule")
    patterns = [r["Properties"].get("EventPattern", {}) for r in rules.values()]
    patterns = [p for p in patterns if "detail" in p]
    arns = [p["detail"]["restoreTestingPlanArn"] for p in patterns if "restoreTestingPlanArn" in p["detail"]]
    assert len(arns) == 1 and len(arns[0]) == 2, arns


def test_dev_has_no_air_gapped_vault(synth):
    assert synth.resources("dev", "RemoteVault", LAG) == {}
    _, plan = _one(synth, "dev", "Backup", "AWS::Backup::BackupPlan")
    assert "air-gapped" not in json.dumps(plan)


def test_the_real_landing_zone_passes_the_backup_rules_with_the_airair_gap(synth):
    app = _index(synth)
    for rule_id in ("VTC-NO-STALE-BACKUP", "VTC-BACKUP-ELSEWHERE", "VTC-BACKUP-RETENTION-DETECT"):
        found = _results(app, rule_id)
        assert all(v == "compliant" or v.startswith("not_applicable") for v in found.values()), (rule_id, found)
    assert _results(app, "VTC-NO-STALE-BACKUP")["led-prod-remote-vault/AirGapVaultDC9AFF19"] == "compliant"


def test_a_pull_request_that_breaks_the_air_gap_fails_the_pack_inside_the_landing_zone(tmp_path):
    """The real prod stage, synthesized with an air gap the config would refuse (a max retention
    reaching past the key rotation, built past the config's validation) and the key taken off the
    vault (an escape hatch, as a pull request could): the pack finds both, on the vault and on the plan."""
    lag = PROD.backup.air_gap.model_copy(update={"max_retention_days": 400})
    broken = PROD.model_copy(update={"backup": PROD.backup.model_copy(update={"air_gap": lag})})
    landing_zone = CONFIG.model_copy(update={"environments": {**CONFIG.environments, "prod": broken}})
    app = new_app(tmp_path)
    led_app.pin_availability_zones(app, [broken])
    stage = LandingZoneStage(app, "prod", config=broken, landing_zone=landing_zone)
    assert stage.remote_vault.air_gapped_vault is not None
    stage.remote_vault.air_gapped_vault.vault.add_property_deletion_override("EncryptionKeyArn")
    pack = VtcChecks(config=landing_zone)
    pack.validate_scope(stage)
    results = {(e["stack"], e["logical_id"], e["rule_id"]): e for e in pack.evaluations}
    stale = results[("led-prod-remote-vault", "AirGapVaultDC9AFF19", "VTC-NO-STALE-BACKUP")]
    assert stale["result"] == "non_compliant"
    assert "AWS-owned key" in stale["why"] and "MaxRetentionDays 400" in stale["why"], stale
    plans = [e for k, e in results.items() if k[0] == "led-prod-backup" and k[2] == "VTC-BACKUP-ELSEWHERE"]
    assert [e["result"] for e in plans] == ["non_compliant"]
    assert "air-gapped vault AirGapVaultDC9AFF19" in plans[0]["why"] and "AWS-owned key" in plans[0]["why"]


# --- the rules on small stacks: one non-compliant case per new check -------------------------------

WORKLOAD, BACKUP_ACCOUNT, REGION = PROD.accounts.workload, PROD.accounts.backup, PROD.region
FB_BACKUP_KEY = PROD.keys.backup_key_arn
FB_DATA_KEY = PROD.keys.data_key_arn
OTHER_KEY = f"arn:aws:kms:{REGION}:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _vault(scope: Construct, *, key: str | None = FB_BACKUP_KEY, min_days: int = 7, max_days: int = 60) -> None:
    stack = cdk.Stack(scope, "Vaults", env=cdk.Environment(account=BACKUP_ACCOUNT, region=REGION))
    backup.CfnLogicallyAirGappedBackupVault(
        stack,
        "Lag",
        backup_vault_name=LAG_NAME,
        encryption_key_arn=key,
        min_retention_days=min_days,
        max_retention_days=max_days,
    )


def _plan(scope: Construct, *, keep: int = 14) -> None:
    stack = cdk.Stack(scope, "Plans", env=cdk.Environment(account=WORKLOAD, region=REGION))
    plan(stack, copy_to=LAG_ARN, copy_keep=keep)


CASES = {
    # name: (what to build, rule, expected fragment of its finding or None when compliant)
    "fb_backup_key": (lambda s: _vault(s), "VTC-NO-STALE-BACKUP", None),
    "aws_owned_key": (lambda s: _vault(s, key=None), "VTC-NO-STALE-BACKUP", "AWS-owned key"),
    "key_of_another_account": (lambda s: _vault(s, key=OTHER_KEY), "VTC-NO-STALE-BACKUP", "not in the key custody"),
    "data_key_not_backup_key": (lambda s: _vault(s, key=FB_DATA_KEY), "VTC-NO-STALE-BACKUP", "not the FB backup key"),
    "max_reaches_rotation": (lambda s: _vault(s, max_days=365), "VTC-NO-STALE-BACKUP", "MaxRetentionDays 365"),
    "max_above_rotation": (lambda s: _vault(s, max_days=400), "VTC-NO-STALE-BACKUP", "not below the key rotation"),
    "copy_into_the_vault": (lambda s: (_vault(s), _plan(s)), "VTC-BACKUP-ELSEWHERE", None),
    "copy_outside_the_lock": (
        lambda s: (_vault(s, max_days=30), _plan(s, keep=45)),
        "VTC-BACKUP-ELSEWHERE",
        "falls outside its lock (7-30 days)",
    ),
    "copy_into_aws_owned_key": (lambda s: (_vault(s, key=None), _plan(s)), "VTC-BACKUP-ELSEWHERE", "AWS-owned key"),
}


@pytest.fixture(scope="module")
def groups(tmp_path_factory) -> dict[str, Construct]:
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("air-gap-rules")))
    built = {}
    for name, (build, _rule, _expected) in CASES.items():
        group = Construct(app, name.replace("_", "-"))
        build(group)
        built[name] = group
    app.synth()
    return built


@pytest.mark.parametrize("name", list(CASES))
def test_air_gap_rule_case(name, groups):
    _build, rule_id, expected = CASES[name]
    report = VtcChecks().validate_scope(groups[name])
    found = {v.rule_name: v.description for v in report.violations}
    if expected is None:
        assert rule_id not in found, found.get(rule_id)
    else:
        assert rule_id in found, f"{rule_id} should fail on {name}; found {found}"
        assert expected in found[rule_id], found[rule_id]


def test_a_copy_into_the_vault_counts_as_a_locked_vault_of_the_app(groups):
    # VTC-BACKUP-RETENTION-DETECT reads the air-gapped vault's own retention as its lock.
    from policies.backup import find_vault, vault_lock
    from policies.model import Resource

    pack = VtcChecks()
    pack.validate_scope(groups["copy_into_the_vault"])
    plan = next(r for r in pack._app.resources("AWS::Backup::BackupPlan"))  # noqa: SLF001
    copy = plan.props["BackupPlan"]["BackupPlanRule"][0]["CopyActions"][0]
    vault = find_vault(copy["DestinationBackupVaultArn"], plan)
    assert isinstance(vault, Resource) and vault.type == LAG
    lock = vault_lock(vault)
    assert lock is not None and (lock.min_days, lock.max_days) == (7, 60)
