"""`led-ops key-usage`: the ledger of the FB keys' uses, read from CloudTrail log files in the log
archive (moto S3), with records shaped as CloudTrail writes them (every field the ledger reads)."""

from __future__ import annotations

import gzip
import io
import json
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from config import load_config
from led_ops import cli, key_usage
from led_ops.errors import UsageError

ENV = load_config().environments["prod"]
ACC = ENV.accounts
DATA_KEY = ENV.keys.data_key_arn
LOG_KEY = ENV.keys.log_key_arn
BUCKET = ENV.log_archive_bucket_name
DAY = date(2026, 11, 30)
OPERATOR = f"arn:aws:iam::{ACC.workload}:role/led-prod-platform-operator"
APP = f"arn:aws:iam::{ACC.workload}:role/led-prod-app-runtime"
FB_ADMIN = f"arn:aws:iam::{ACC.key_custody}:role/led-fb-key-admin"


def assumed(role_arn: str, session: str = "s") -> dict:
    account = role_arn.split(":")[4]
    name = role_arn.rsplit("/", 1)[1]
    return {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLE:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{name}/{session}",
        "accountId": account,
        "accessKeyId": "ASIAEXAMPLE",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLE",
                "arn": role_arn,
                "accountId": account,
                "userName": name,
            },
            "attributes": {"creationDate": "2026-11-30T08:00:00Z", "mfaAuthenticated": "false"},
        },
    }


def kms_record(
    name: str,
    key: str,
    identity: dict,
    *,
    time: str = "2026-11-30T10:15:00Z",
    source_ip: str = "10.0.1.5",
    error: str | None = None,
    **params,
) -> dict:
    record = {
        "eventVersion": "1.10",
        "userIdentity": identity,
        "eventTime": time,
        "eventSource": "kms.amazonaws.com",
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": source_ip,
        "userAgent": "aws-sdk",
        "requestParameters": {"keyId": key, "encryptionAlgorithm": "SYMMETRIC_DEFAULT", **params},
        "responseElements": None,
        "requestID": "0f7e-example",
        "eventID": "5b1c-example",
        "readOnly": name not in key_usage.ADMIN_OPERATIONS,
        "resources": [{"accountId": key.split(":")[4], "type": "AWS::KMS::Key", "ARN": key}],
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": key.split(":")[4],
        "eventCategory": "Management",
    }
    if error:
        record["errorCode"] = error
        record["errorMessage"] = "User is not authorized to perform: kms:Decrypt"
    return record


def via_rds(identity: dict) -> dict:
    return identity | {"invokedBy": "rds.amazonaws.com"}


LEGIT = [
    # RDS decrypts the storage key on behalf of the app's session (the kms:ViaService path).
    kms_record("Decrypt", DATA_KEY, via_rds(assumed(APP)), source_ip="rds.amazonaws.com"),
    kms_record("Decrypt", DATA_KEY, via_rds(assumed(APP)), source_ip="rds.amazonaws.com"),
    # AWS Backup as a service principal.
    kms_record(
        "GenerateDataKey",
        ENV.keys.backup_key_arn,
        {"type": "AWSService", "invokedBy": "backup.amazonaws.com"},
        source_ip="backup.amazonaws.com",
    ),
    # CloudTrail encrypting its own log files with the log key.
    kms_record(
        "GenerateDataKey",
        LOG_KEY,
        {"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"},
        source_ip="cloudtrail.amazonaws.com",
    ),
    # Another service, not about an FB key: ignored.
    {
        "eventVersion": "1.10",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "eventTime": "2026-11-30T10:00:00Z",
        "userIdentity": assumed(APP),
    },
]
OPERATOR_DIRECT = kms_record("Decrypt", DATA_KEY, assumed(OPERATOR, "cronos-admin"), error="AccessDenied")
FOREIGN = kms_record("Decrypt", DATA_KEY, assumed("arn:aws:iam::999988887777:role/somebody"))
POLICY_CHANGE = kms_record("PutKeyPolicy", DATA_KEY, assumed(FB_ADMIN), policyName="default", policy="{}")
GRANT = kms_record("CreateGrant", DATA_KEY, assumed(FB_ADMIN), granteePrincipal=OPERATOR)


def gz(records: list) -> bytes:
    return gzip.compress(json.dumps({"Records": records}).encode())


def key(account: str, day: date = DAY, region: str = "eu-west-1", n: int = 1) -> str:
    return (
        f"AWSLogs/{account}/CloudTrail/{region}/{day:%Y/%m/%d}/"
        f"{account}_CloudTrail_{region}_{day:%Y%m%d}T1015Z_abc{n}.json.gz"
    )


@pytest.fixture
def archive():
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield s3


def ledger_of(s3, since=DAY, until=DAY) -> key_usage.Ledger:
    files = key_usage.s3_files(s3, BUCKET, key_usage.archive_accounts(ENV), since, until)
    return key_usage.build(ENV, files, since, until)


def test_legitimate_uses_are_counted_per_day_key_principal_service_and_operation(archive) -> None:
    archive.put_object(Bucket=BUCKET, Key=key(ACC.workload), Body=gz(LEGIT))
    ledger = ledger_of(archive)
    assert ledger.files == 1 and not ledger.failed
    assert ledger.counts[("2026-11-30", "data", APP, "rds.amazonaws.com", "Decrypt", "ok")] == 2
    assert (
        ledger.counts[("2026-11-30", "backup", "backup.amazonaws.com", "backup.amazonaws.com", "GenerateDataKey", "ok")]
        == 1
    )
    assert sum(ledger.counts.values()) == 4  # the S3 event is no use of an FB key


def test_every_use_outside_the_allowed_paths_is_flagged(archive) -> None:
    archive.put_object(Bucket=BUCKET, Key=key(ACC.workload), Body=gz([*LEGIT, OPERATOR_DIRECT, FOREIGN]))
    # FB's own actions land in the key custody account's trail, in another region too.
    archive.put_object(Bucket=BUCKET, Key=key(ACC.key_custody), Body=gz([POLICY_CHANGE]))
    archive.put_object(Bucket=BUCKET, Key=key(ACC.key_custody, region="eu-central-1"), Body=gz([GRANT]))
    ledger = ledger_of(archive)
    why = {(u.principal, u.operation): u.flag for u, _ in ledger.flagged}
    assert why[(OPERATOR, "Decrypt")].startswith("direct use by a role")
    assert why[("arn:aws:iam::999988887777:role/somebody", "Decrypt")].startswith("use from account 999988887777")
    assert why[(FB_ADMIN, "PutKeyPolicy")] == "key administration: PutKeyPolicy"
    assert why[(FB_ADMIN, "CreateGrant")].startswith("grant created directly")
    assert len(ledger.flagged) == 4 and ledger.failed
    # The denied attempt is counted with its outcome.
    assert ledger.counts[("2026-11-30", "data", OPERATOR, "-", "Decrypt", "AccessDenied")] == 1


def test_the_second_partner_may_decrypt_exit_exports_through_s3_only() -> None:
    partner = ENV.drills.second_partner_principal_arn.split(":")[4]
    identity = assumed(f"arn:aws:iam::{partner}:role/partner-reader")
    through_s3 = kms_record(
        "Decrypt", DATA_KEY, identity | {"invokedBy": "s3.amazonaws.com"}, source_ip="s3.amazonaws.com"
    )
    direct = kms_record("Decrypt", DATA_KEY, identity)
    ledger = key_usage.build(ENV, [("f.json.gz", gz([through_s3, direct]))], DAY, DAY)
    assert [u.flag.split(",")[0] for u, _ in ledger.flagged] == [f"use from account {partner}"]


def test_outputs_table_json_and_markdown(archive) -> None:
    archive.put_object(Bucket=BUCKET, Key=key(ACC.workload), Body=gz([*LEGIT, OPERATOR_DIRECT]))
    ledger = ledger_of(archive)
    table = key_usage.render_table(ledger)
    assert "1 flagged" in table and f"FLAGGED 2026-11-30 data Decrypt by {OPERATOR}" in table
    assert "day         key" in table.splitlines()[3]
    data = json.loads(key_usage.render_json(ledger))
    assert data["failed"] is True and data["log_files"] == 1
    assert {
        "day": "2026-11-30",
        "key": "data",
        "principal": APP,
        "service": "rds.amazonaws.com",
        "operation": "Decrypt",
        "outcome": "ok",
        "calls": 2,
    } in data["uses"]
    assert data["flagged"][0]["where"].endswith("record 5")
    markdown = key_usage.render_markdown(ledger)
    assert markdown.startswith("### Key usage, prod, 2026-11-30 to 2026-11-30")
    assert f"| 2026-11-30 | data | {APP} | rds.amazonaws.com | Decrypt | ok | 2 |" in markdown


def test_days_outside_the_period_are_not_read(archive) -> None:
    archive.put_object(Bucket=BUCKET, Key=key(ACC.workload, day=date(2026, 11, 20)), Body=gz([OPERATOR_DIRECT]))
    archive.put_object(Bucket=BUCKET, Key=key(ACC.workload), Body=gz(LEGIT))
    ledger = ledger_of(archive)
    assert ledger.files == 1 and not ledger.flagged


def test_bad_input_gets_a_clear_line_each(archive) -> None:
    archive.put_object(Bucket=BUCKET, Key=key(ACC.workload, n=1), Body=b"\x1f\x8b\x08\x00garbage")
    archive.put_object(Bucket=BUCKET, Key=key(ACC.workload, n=2), Body=gzip.compress(b"{not json"))
    archive.put_object(Bucket=BUCKET, Key=key(ACC.workload, n=3), Body=gzip.compress(b'{"records": []}'))
    odd = {"eventSource": "kms.amazonaws.com", "eventName": "Decrypt", "eventTime": "2026-11-30T10:00:00Z"}
    archive.put_object(Bucket=BUCKET, Key=key(ACC.workload, n=4), Body=gz([odd, "a string", *LEGIT]))
    ledger = ledger_of(archive)
    assert ledger.files == 4 and ledger.failed and not ledger.flagged
    problems = sorted(ledger.problems)
    assert len(problems) == 5
    assert any("abc1.json.gz: not a readable gzip file" in p for p in problems)
    assert any("abc2.json.gz: not a CloudTrail log file (invalid JSON" in p for p in problems)
    assert any("abc3.json.gz: not a CloudTrail log file (no 'Records' list)" in p for p in problems)
    assert any("abc4.json.gz record 0: a KMS record of unknown shape (missing userIdentity)" in p for p in problems)
    assert any("abc4.json.gz record 1: a record of unknown shape (not a JSON object)" in p for p in problems)
    assert sum(ledger.counts.values()) == 4  # the readable records of the same file still count
    assert all("\n" not in p for p in problems)


def test_a_period_without_log_files_is_a_finding(archive) -> None:
    ledger = ledger_of(archive)
    assert ledger.files == 0 and ledger.failed
    assert "no CloudTrail log file for this period" in key_usage.render_table(ledger)


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("2026-13-01", None, "key-usage --since: got '2026-13-01'; allowed: a date YYYY-MM-DD"),
        ("2026-11-30", "2026-11-01", "key-usage: --since 2026-11-30 is after --until 2026-11-01"),
        ("2024-01-01", "2026-11-30", "key-usage: 1065 days asked; allowed: at most 366"),
    ],
)
def test_bad_periods(since, until, message) -> None:
    with pytest.raises(UsageError) as exc:
        key_usage.period(since, until, today=DAY)
    assert str(exc.value) == message


def test_default_period_is_the_last_seven_days() -> None:
    assert key_usage.period(None, None, today=DAY) == (date(2026, 11, 24), DAY)


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_cli_from_a_folder_exit_codes(tmp_path: Path) -> None:
    day_dir = tmp_path / "AWSLogs" / ACC.workload / "CloudTrail" / "eu-west-1" / "2026" / "11" / "30"
    day_dir.mkdir(parents=True)
    (day_dir / "a.json.gz").write_bytes(gz(LEGIT))
    code, out, err = run_cli(
        "key-usage",
        "prod",
        "--from",
        str(tmp_path),
        "--since",
        "2026-11-30",
        "--until",
        "2026-11-30",
        "--format",
        "json",
    )
    assert code == 0 and err == "" and json.loads(out)["failed"] is False
    (day_dir / "b.json.gz").write_bytes(gz([OPERATOR_DIRECT]))
    code, out, _ = run_cli(
        "key-usage", "prod", "--from", str(tmp_path), "--since", "2026-11-30", "--until", "2026-11-30"
    )
    assert code == 1 and "FLAGGED" in out


def test_cli_bad_input_is_one_line(tmp_path: Path) -> None:
    code, out, err = run_cli("key-usage", "prod", "--from", str(tmp_path / "nope"))
    assert code == 2 and out == "" and err == f"led-ops: key-usage --from {tmp_path / 'nope'}: not a folder\n"
    code, _, err = run_cli("key-usage", "prod", "--from", str(tmp_path), "--since", "yesterday")
    assert code == 2 and err == "led-ops: key-usage --since: got 'yesterday'; allowed: a date YYYY-MM-DD\n"


def test_cli_needs_the_log_archive_account(monkeypatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        monkeypatch.setenv("MOTO_ACCOUNT_ID", ACC.workload)
        code, _, err = run_cli("key-usage", "prod")
    assert code == 3
    assert f"needs its log archive account {ACC.log_archive}" in err and err.count("\n") == 1
