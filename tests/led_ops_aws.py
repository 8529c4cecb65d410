"""AWS test doubles for led-ops: moto for every API it implements, botocore's Stubber where it does not.

moto 5.2 has no AWS Backup recovery points, restore jobs or copy jobs, so the `backup` client is a
Stubber (a Stubber wraps a whole client, hence also the few backup calls moto would know). The
responses below follow the AWS Backup API reference's response syntax field for field, with the
values AWS returns for an RDS recovery point (ARNs of the form
arn:aws:rds:<region>:<account>:snapshot:awsbackup:job-<uuid>, key ARNs, lifecycles), and Stubber
checks each one against botocore's service model.

KMS keys live in the key custody account (111122223333) while led-ops runs in the workload
account (444455556666). moto keeps keys per account and does not resolve another account's key
ARN (real KMS does when the key policy allows it), so the kms client used by led-ops is pinned to
the key custody account: its requests reach moto as that account.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.stub import ANY, Stubber
from moto import mock_aws

WORKLOAD = "444455556666"
KEY_CUSTODY = "111122223333"
BACKUP = "123456789012"
REGION = "eu-west-1"


@contextmanager
def as_account(account: str) -> Iterator[None]:
    previous = os.environ.get("MOTO_ACCOUNT_ID")
    os.environ["MOTO_ACCOUNT_ID"] = account
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("MOTO_ACCOUNT_ID", None)
        else:
            os.environ["MOTO_ACCOUNT_ID"] = previous


def pinned_client(service: str, region: str, account: str) -> Any:
    client = boto3.client(service, region_name=region)
    state: dict[str, str | None] = {}

    def enter(**_: Any) -> None:
        state["previous"] = os.environ.get("MOTO_ACCOUNT_ID")
        os.environ["MOTO_ACCOUNT_ID"] = account

    def leave(**_: Any) -> None:
        if state.get("previous") is None:
            os.environ.pop("MOTO_ACCOUNT_ID", None)
        else:
            os.environ["MOTO_ACCOUNT_ID"] = state["previous"]

    client.meta.events.register(f"before-call.{service}", enter)
    client.meta.events.register(f"after-call.{service}", leave)
    client.meta.events.register(f"after-call-error.{service}", leave)
    return client


def create_fb_key(region: str = REGION, *, rotated_days_ago: list[int] | None = None) -> str:
    with as_account(KEY_CUSTODY):
        kms = boto3.client("kms", region_name=region)
        arn = kms.create_key(Description="LED test key", KeyUsage="ENCRYPT_DECRYPT", KeySpec="SYMMETRIC_DEFAULT")[
            "KeyMetadata"
        ]["Arn"]
        for _ in rotated_days_ago or []:
            kms.rotate_key_on_demand(KeyId=arn)
    return arn


class Backup:
    """A stubbed AWS Backup client and the recorded response shapes led-ops reads."""

    def __init__(self, region: str = REGION) -> None:
        self.client = boto3.client("backup", region_name=region)
        self.stub = Stubber(self.client)
        self.region = region

    def __enter__(self) -> Backup:
        self.stub.activate()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stub.deactivate()

    def assert_done(self) -> None:
        self.stub.assert_no_pending_responses()

    # --- shapes ------------------------------------------------------------------------------

    def rds_point(
        self,
        *,
        env: str = "dev",
        created: datetime,
        key_arn: str,
        vault: str | None = None,
        account: str = WORKLOAD,
        region: str | None = None,
        job: str | None = None,
        status: str = "COMPLETED",
    ) -> dict[str, Any]:
        region = region or self.region
        vault = vault or f"led-{env}-vault"
        job = job or f"job-{created:%m%d%H%M}-2343-4402-bd8b-226993d23453"
        return {
            "RecoveryPointArn": f"arn:aws:rds:{region}:{account}:snapshot:awsbackup:{job}",
            "BackupVaultName": vault,
            "BackupVaultArn": f"arn:aws:backup:{region}:{account}:backup-vault:{vault}",
            "ResourceArn": f"arn:aws:rds:{REGION}:{WORKLOAD}:db:led-{env}-db",
            "ResourceType": "RDS",
            "CreatedBy": {
                "BackupPlanId": "8a3b9b7c-7b1e-4f4c-9d32-0d8f3c2b1a77",
                "BackupPlanArn": f"arn:aws:backup:{REGION}:{WORKLOAD}:backup-plan:8a3b9b7c-7b1e-4f4c-9d32-0d8f3c2b1a77",
                "BackupPlanVersion": "ZDJkNjNmMjUtZGE1Zi00NWQ3LWE5ZDQtZTM1NjBhYmQ4ZDY5",
                "BackupRuleId": "5d0c5f5e-9f3b-4c3a-a3c2-1b7e4d6f8a90",
            },
            "IamRoleArn": f"arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole",
            "Status": status,
            "CreationDate": created,
            "CompletionDate": created + timedelta(minutes=12),
            "BackupSizeInBytes": 53687091200,
            "CalculatedLifecycle": {"DeleteAt": created + timedelta(days=3)},
            "Lifecycle": {"DeleteAfterDays": 3, "OptInToArchiveForSupportedResources": False},
            "EncryptionKeyArn": key_arn,
            "IsEncrypted": True,
            "ResourceName": f"led-{env}-db",
            "VaultType": "BACKUP_VAULT",
            "EncryptionKeyType": "CUSTOMER_MANAGED_KMS_KEY",
        }

    def by_resource_item(self, point: dict[str, Any]) -> dict[str, Any]:
        keys = (
            "RecoveryPointArn",
            "CreationDate",
            "Status",
            "EncryptionKeyArn",
            "BackupVaultName",
            "ResourceName",
            "VaultType",
            "EncryptionKeyType",
        )
        item = {k: point[k] for k in keys}
        item["BackupSizeBytes"] = point["BackupSizeInBytes"]
        return item

    def copy_job(
        self,
        point: dict[str, Any],
        *,
        destination_vault_arn: str,
        key_arn: str,
        state: str = "COMPLETED",
        job_id: str = "c2f8a3e1-2b4d-4f6a-9c8e-7d1b3a5f9e20",
    ) -> dict[str, Any]:
        region = destination_vault_arn.split(":")[3]
        account = destination_vault_arn.split(":")[4]
        return {
            "AccountId": WORKLOAD,
            "CopyJobId": job_id,
            "SourceBackupVaultArn": point["BackupVaultArn"],
            "SourceRecoveryPointArn": point["RecoveryPointArn"],
            "DestinationBackupVaultArn": destination_vault_arn,
            "DestinationRecoveryPointArn": point["RecoveryPointArn"].replace(
                f":{point['RecoveryPointArn'].split(':')[3]}:{WORKLOAD}:", f":{region}:{account}:"
            ),
            "DestinationEncryptionKeyArn": key_arn,
            "ResourceArn": point["ResourceArn"],
            "CreationDate": point["CompletionDate"] + timedelta(minutes=5),
            "CompletionDate": point["CompletionDate"] + timedelta(minutes=40),
            "State": state,
            "BackupSizeInBytes": point["BackupSizeInBytes"],
            "IamRoleArn": point["IamRoleArn"],
            "ResourceType": "RDS",
            "IsParent": False,
            "ResourceName": point["ResourceName"],
        }

    # --- expectations ------------------------------------------------------------------------

    def expect_vault(self, vault: str, points: list[dict[str, Any]]) -> None:
        self.stub.add_response(
            "list_recovery_points_by_backup_vault", {"RecoveryPoints": points}, {"BackupVaultName": vault}
        )

    def expect_by_resource(self, resource_arn: str, points: list[dict[str, Any]]) -> None:
        self.stub.add_response(
            "list_recovery_points_by_resource",
            {"RecoveryPoints": [self.by_resource_item(p) for p in points]},
            {"ResourceArn": resource_arn},
        )

    def expect_copy_jobs(self, destination_vault_arn: str, jobs: list[dict[str, Any]]) -> None:
        self.stub.add_response(
            "list_copy_jobs",
            {"CopyJobs": jobs},
            {"ByDestinationVaultArn": destination_vault_arn, "ByState": "COMPLETED", "ByCreatedAfter": ANY},
        )

    def expect_restore(
        self,
        point: dict[str, Any],
        instance_id: str,
        *,
        statuses: list[str],
        job_id: str = "D2B4D4E4-2A2D-7A1E-3C5B-1E2F9A8B7C6D",
    ) -> None:
        self.stub.add_response(
            "get_recovery_point_restore_metadata",
            {
                "BackupVaultArn": point["BackupVaultArn"],
                "RecoveryPointArn": point["RecoveryPointArn"],
                "ResourceType": "RDS",
                "RestoreMetadata": {
                    "dbinstanceidentifier": point["ResourceName"],
                    "engine": "postgres",
                    "dbinstanceclass": "db.t4g.medium",
                    "dbsubnetgroupname": "led-dev-data-subnets",
                    "multiaz": "false",
                    "port": "5432",
                    "storagetype": "gp3",
                    "kmskeyid": point["EncryptionKeyArn"],
                    "storageencrypted": "true",
                    "iamdatabaseauthenticationenabled": "true",
                    "deletionprotection": "true",
                },
            },
            {"BackupVaultName": point["BackupVaultName"], "RecoveryPointArn": point["RecoveryPointArn"]},
        )
        self.stub.add_response(
            "start_restore_job",
            {"RestoreJobId": job_id},
            {
                "RecoveryPointArn": point["RecoveryPointArn"],
                "Metadata": ANY,
                "IamRoleArn": ANY,
                "ResourceType": "RDS",
            },
        )
        for status in statuses:
            response = {
                "AccountId": WORKLOAD,
                "RestoreJobId": job_id,
                "RecoveryPointArn": point["RecoveryPointArn"],
                "SourceResourceArn": point["ResourceArn"],
                "BackupVaultArn": point["BackupVaultArn"],
                "CreationDate": datetime.now(UTC),
                "Status": status,
                "PercentDone": "0.00%",
                "BackupSizeInBytes": point["BackupSizeInBytes"],
                "IamRoleArn": point["IamRoleArn"],
                "ExpectedCompletionTimeMinutes": 15,
                "ResourceType": "RDS",
                "RecoveryPointCreationDate": point["CreationDate"],
            }
            if status == "COMPLETED":
                response.update(
                    CompletionDate=datetime.now(UTC),
                    PercentDone="100.00%",
                    CreatedResourceArn=f"arn:aws:rds:{self.region}:{WORKLOAD}:db:{instance_id}",
                )
            if status == "FAILED":
                response["StatusMessage"] = "Backup job failed: insufficient capacity in the subnet group"
            self.stub.add_response("describe_restore_job", response, {"RestoreJobId": job_id})


def clear_aws_environment(monkeypatch: Any, tmp_path: Any) -> None:
    """No profile, region or credentials from the machine running the tests."""
    for var in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "MOTO_ACCOUNT_ID",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def fake_credentials(monkeypatch: Any, account: str = WORKLOAD) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("MOTO_ACCOUNT_ID", account)


@contextmanager
def mocked_aws(monkeypatch: Any, tmp_path: Any, account: str = WORKLOAD) -> Iterator[None]:
    """moto, signed in as `account`, and none of the machine's own AWS settings."""
    clear_aws_environment(monkeypatch, tmp_path)
    fake_credentials(monkeypatch, account=account)
    with mock_aws():
        yield


def context(env_name: str = "dev", *, backup: Backup | None = None, config: Any = None) -> Any:
    """A led-ops Context over moto (and the stubbed backup client), output captured."""
    import io

    from config import load_config
    from led_ops.aws import Context

    env = (config or load_config()).environments[env_name]
    session = boto3.Session(region_name=env.region)
    return Context(
        env=env,
        session=session,
        account=WORKLOAD,
        out=io.StringIO(),
        err=io.StringIO(),
        client_factory=client_factory(session, backup),
    )


def client_factory(session: boto3.Session, backup: Backup | None) -> Any:
    def make(service: str, region: str) -> Any:
        if service == "backup":
            if backup is None:
                raise AssertionError("this test expected no AWS Backup call")
            assert region == backup.region, region
            return backup.client
        if service == "kms":
            return pinned_client("kms", region, KEY_CUSTODY)
        return session.client(service, region_name=region)

    return make


def create_database(key_arn: str, *, env: str = "dev") -> dict[str, Any]:
    rds = boto3.client("rds", region_name=REGION)
    return rds.create_db_instance(
        DBInstanceIdentifier=f"led-{env}-db",
        Engine="postgres",
        DBInstanceClass="db.t4g.medium",
        MasterUsername="led_admin",
        MasterUserPassword="not-a-real-password",
        StorageEncrypted=True,
        KmsKeyId=key_arn,
        AllocatedStorage=50,
        DBName="led",
    )["DBInstance"]
