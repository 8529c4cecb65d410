"""reencrypt: plan changes nothing; run copies under the new key and verifies before deleting anything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import ANY

from led_ops import reencrypt
from led_ops.errors import UsageError
from led_ops.wait import Waiting
from tests.led_ops_aws import (
    WORKLOAD,
    Backup,
    context,
    create_database,
    create_fb_key,
    mocked_aws,
)

FAST = Waiting(interval=0.001, timeout=5)
STAMP = "20261129010203"


@pytest.fixture
def aws(monkeypatch, tmp_path):
    with mocked_aws(monkeypatch, tmp_path):
        old = create_fb_key()
        create_database(old)
        yield old, create_fb_key()


def _new_vault(new_key: str) -> str:
    return f"led-dev-vault-{new_key.rsplit('/', 1)[-1][:8]}"


def _planned(backup: Backup, old: str, new: str, *, vault_exists: bool = False) -> list[dict]:
    vault = _new_vault(new)
    if vault_exists:
        backup.stub.add_response(
            "describe_backup_vault",
            {
                "BackupVaultName": vault,
                "BackupVaultArn": f"arn:aws:backup:eu-west-1:{WORKLOAD}:backup-vault:{vault}",
                "VaultType": "BACKUP_VAULT",
                "EncryptionKeyArn": new,
                "CreationDate": datetime.now(UTC),
                "NumberOfRecoveryPoints": 0,
                "Locked": True,
                "MinRetentionDays": 3,
                "MaxRetentionDays": 365,
            },
            {"BackupVaultName": vault},
        )
    else:
        backup.stub.add_client_error(
            "describe_backup_vault",
            service_error_code="ResourceNotFoundException",
            service_message=f"Backup vault {vault} does not exist",
            http_status_code=400,
            expected_params={"BackupVaultName": vault},
        )
    points = [backup.rds_point(created=datetime.now(UTC) - timedelta(days=d), key_arn=old) for d in (0, 1)]
    backup.expect_vault("led-dev-vault", points)
    return points


def _snapshots() -> dict[str, dict]:
    rds = boto3.client("rds", region_name="eu-west-1")
    return {s["DBSnapshotIdentifier"]: s for s in rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]}


def test_plan_prints_every_step_and_changes_nothing(aws):
    old, new = aws
    with Backup() as backup:
        points = _planned(backup, old, new)
        ctx = context(backup=backup)
        assert reencrypt.run(ctx, new_key=new, execute=False, waiting=FAST, plan_only=True, stamp=STAMP) == 0
        backup.assert_done()
    out = ctx.out.getvalue()
    assert f"copy led-dev-reencrypt-{STAMP} as led-dev-reencrypted-{STAMP} under the new key" in out
    assert f"create backup vault {_new_vault(new)} under the new key" in out
    assert all(p["RecoveryPointArn"] in out for p in points)
    assert "expires by its lifecycle" in out and "switch, in a change window" in out
    assert "plan only: nothing changed" in out
    assert _snapshots() == {}


def test_run_without_execute_is_a_dry_run(aws):
    old, new = aws
    with Backup() as backup:
        _planned(backup, old, new)
        ctx = context(backup=backup)
        assert reencrypt.run(ctx, new_key=new, execute=False, waiting=FAST, stamp=STAMP) == 0
    assert "dry run: nothing changed" in ctx.out.getvalue() and _snapshots() == {}


def _expect_copies(backup: Backup, points: list[dict], new: str, *, copied_key: str) -> None:
    vault = _new_vault(new)
    vault_arn = f"arn:aws:backup:eu-west-1:{WORKLOAD}:backup-vault:{vault}"
    backup.stub.add_response(
        "create_backup_vault",
        {
            "BackupVaultName": vault,
            "BackupVaultArn": vault_arn,
            "CreationDate": datetime.now(UTC),
        },
        {"BackupVaultName": vault, "EncryptionKeyArn": new},
    )
    backup.stub.add_response(
        "put_backup_vault_lock_configuration",
        {},
        {"BackupVaultName": vault, "MinRetentionDays": 3, "MaxRetentionDays": 365},
    )
    for i, point in enumerate(sorted(points, key=lambda p: p["CreationDate"])):
        job_id = f"0b3c1f7e-6a2d-4c1b-9e8f-{i:012d}"
        job = backup.copy_job(point, destination_vault_arn=vault_arn, key_arn=new, job_id=job_id)
        job["DestinationRecoveryPointArn"] = point["RecoveryPointArn"].replace("job-", f"copyjob-{i}-")
        backup.stub.add_response(
            "start_copy_job",
            {"CopyJobId": job_id, "CreationDate": datetime.now(UTC), "IsParent": False},
            {
                "RecoveryPointArn": point["RecoveryPointArn"],
                "SourceBackupVaultName": "led-dev-vault",
                "DestinationBackupVaultArn": vault_arn,
                "IamRoleArn": ANY,
                "Lifecycle": {"DeleteAfterDays": 3},
            },
        )
        backup.stub.add_response("describe_copy_job", {"CopyJob": {**job, "State": "RUNNING"}}, {"CopyJobId": job_id})
        backup.stub.add_response("describe_copy_job", {"CopyJob": job}, {"CopyJobId": job_id})
        copied = backup.rds_point(created=job["CompletionDate"], key_arn=copied_key, vault=vault)
        copied["RecoveryPointArn"] = job["DestinationRecoveryPointArn"]
        copied["SourceBackupVaultArn"] = point["BackupVaultArn"]
        backup.stub.add_response(
            "describe_recovery_point",
            copied,
            {"BackupVaultName": vault, "RecoveryPointArn": job["DestinationRecoveryPointArn"]},
        )


def _run_with_copies_under(backup: Backup, old: str, new: str, *, copied_key: str) -> tuple[int, Any]:
    """An executed re-encryption from `old` to `new` whose copy jobs come out under `copied_key`."""
    _expect_copies(backup, _planned(backup, old, new), new, copied_key=copied_key)
    ctx = context(backup=backup)
    return reencrypt.run(ctx, new_key=new, execute=True, waiting=FAST, stamp=STAMP), ctx


def test_run_copies_everything_under_the_new_key_and_verifies(aws):
    old, new = aws
    with Backup() as backup:
        code, ctx = _run_with_copies_under(backup, old, new, copied_key=new)
        assert code == 0, ctx.out.getvalue()
        backup.assert_done()
    snapshots = _snapshots()
    # the copy under the new key exists and was verified; only then was the old-key snapshot deleted
    assert set(snapshots) == {f"led-dev-reencrypted-{STAMP}"}
    assert snapshots[f"led-dev-reencrypted-{STAMP}"]["KmsKeyId"] == new
    out = ctx.out.getvalue()
    assert out.count("PASS") == 3 and "re-encryption verified" in out


def test_a_copy_not_under_the_new_key_fails_and_keeps_the_old_point(aws):
    old, new = aws
    with Backup() as backup:
        code, ctx = _run_with_copies_under(backup, old, new, copied_key=old)
        assert code == 1
    out = ctx.out.getvalue()
    assert out.count("FAIL") == 2 and "stays the only copy" in out and "re-encryption INCOMPLETE" in out


def test_an_existing_vault_under_another_key_is_refused(aws):
    old, new = aws
    with Backup() as backup:
        backup.stub.add_response(
            "describe_backup_vault",
            {
                "BackupVaultName": "led-dev-vault-x",
                "BackupVaultArn": "arn:aws:backup:eu-west-1:444455556666:backup-vault:led-dev-vault-x",
                "EncryptionKeyArn": old,
                "CreationDate": datetime.now(UTC),
            },
            {"BackupVaultName": "led-dev-vault-x"},
        )
        with pytest.raises(UsageError, match="exists under key"):
            reencrypt.run(context(backup=backup), new_key=new, execute=False, waiting=FAST, new_vault="led-dev-vault-x")


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab", "key custody account"),
        (
            "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "allowed: a key in eu-west-1",
        ),
        ("alias/led-dev-data", "allowed: a KMS key ARN"),
    ],
)
def test_a_new_key_outside_the_rules_is_refused(aws, key, message):
    with pytest.raises(UsageError, match=message):
        reencrypt.check_new_key(context(), key)


def test_a_disabled_new_key_is_refused(aws):
    _, new = aws
    from tests.led_ops_aws import KEY_CUSTODY, as_account

    with as_account(KEY_CUSTODY):
        boto3.client("kms", region_name="eu-west-1").disable_key(KeyId=new.rsplit("/", 1)[-1])
    with pytest.raises(UsageError, match="state Disabled"):
        reencrypt.check_new_key(context(), new)
