"""The drill handlers' AWS side, with recording fakes (the SQL side is tested on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from functions.exit_drill import handler as exit_drill
from functions.restore_validation import handler as restore_validation
from functions.shared.validation import Check, ValidationResult

UTC = dt.UTC


class FakeClient:
    """Records calls; answers from canned pages."""

    def __init__(self, pages: dict[str, list[dict]] | None = None, **answers: Any) -> None:
        self.calls: list[tuple[str, dict]] = []
        self._pages = pages or {}
        self._answers = answers

    def get_paginator(self, name: str) -> Any:
        client = self

        class Paginator:
            def paginate(self, **kwargs: Any) -> list[dict]:
                client.calls.append((name, kwargs))
                key = f"{name}:{kwargs.get('SnapshotType', '')}"
                return client._pages.get(key, client._pages.get(name, []))

        return Paginator()

    def __getattr__(self, name: str) -> Any:
        def call(**kwargs: Any) -> Any:
            self.calls.append((name, kwargs))
            answer = self._answers.get(name, {})
            if isinstance(answer, Exception):
                raise answer
            return answer

        return call


ENV = {
    "LED_ENVIRONMENT": "dev",
    "DB_INSTANCE_ID": "led-dev-db",
    "DB_INSTANCE_ARN": "arn:aws:rds:eu-west-1:1:db:led-dev-db",
    "EXIT_BUCKET": "led-dev-exit",
    "EXIT_PREFIX": "exit-drill",
    "EXPORT_ROLE_ARN": "arn:aws:iam::1:role/led-dev-exit-export",
    "EXPORT_KEY_ARN": "arn:aws:kms:eu-west-1:2:key/k",
    "EXPORT_TASK_PREFIX": "led-dev-exit",
    "TOPIC_ARN": "arn:aws:sns:eu-west-1:1:led-dev-operations",
}


def _snapshot(name: str, day: int, status: str = "available") -> dict:
    return {
        "DBSnapshotIdentifier": name,
        "DBSnapshotArn": f"arn:aws:rds:eu-west-1:1:snapshot:{name}",
        "DBInstanceIdentifier": "led-dev-db",
        "Status": status,
        "SnapshotCreateTime": dt.datetime(2026, 11, day, 1, tzinfo=UTC),
    }


def test_exit_drill_exports_the_newest_available_snapshot() -> None:
    rds = FakeClient(
        pages={
            "describe_db_snapshots:automated": [
                {"DBSnapshots": [_snapshot("rds:a", 27), _snapshot("rds:b", 29, "creating")]}
            ],
            "describe_db_snapshots:awsbackup": [{"DBSnapshots": [_snapshot("awsbackup:c", 28)]}],
        },
        start_export_task={"ExportTaskIdentifier": "led-dev-exit-20261201-060000"},
    )
    status, text = exit_drill.start(rds, ENV, dt.datetime(2026, 12, 1, 6, tzinfo=UTC))
    assert status == "STARTED"
    ((_, kwargs),) = [c for c in rds.calls if c[0] == "start_export_task"]
    assert kwargs == {
        "ExportTaskIdentifier": "led-dev-exit-20261201-060000",
        "SourceArn": "arn:aws:rds:eu-west-1:1:snapshot:awsbackup:c",
        "S3BucketName": "led-dev-exit",
        "S3Prefix": "exit-drill",
        "IamRoleArn": ENV["EXPORT_ROLE_ARN"],
        "KmsKeyId": ENV["EXPORT_KEY_ARN"],
    }
    assert "awsbackup:c" in text


def test_exit_drill_without_snapshot_fails_and_publishes(monkeypatch: pytest.MonkeyPatch) -> None:
    rds, sns = FakeClient(), FakeClient()
    monkeypatch.setattr(exit_drill.boto3, "client", lambda name, **_: {"rds": rds, "sns": sns}[name])
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    result = exit_drill.handler({"action": "start"}, None)
    assert result["outcomes"][0][0] == "FAILED"
    ((_, published),) = sns.calls
    assert published["Subject"] == "LED dev: exit drill FAILED"
    assert json.loads(published["Message"])["status"] == "FAILED"


def test_exit_drill_report_publishes_tasks_that_ended_in_the_last_day(monkeypatch: pytest.MonkeyPatch) -> None:
    now = dt.datetime.now(UTC)
    tasks = [
        {
            "ExportTaskIdentifier": "led-dev-exit-1",
            "Status": "COMPLETE",
            "TaskEndTime": now - dt.timedelta(hours=3),
            "S3Bucket": "led-dev-exit",
            "S3Prefix": "exit-drill",
            "TotalExtractedDataInGB": 12,
        },
        {
            "ExportTaskIdentifier": "led-dev-exit-2",
            "Status": "FAILED",
            "TaskEndTime": now - dt.timedelta(hours=1),
            "FailureCause": "access denied",
        },
        {"ExportTaskIdentifier": "led-dev-exit-0", "Status": "COMPLETE", "TaskEndTime": now - dt.timedelta(days=3)},
        {"ExportTaskIdentifier": "someone-else", "Status": "FAILED", "TaskEndTime": now},
        {"ExportTaskIdentifier": "led-dev-exit-3", "Status": "IN_PROGRESS"},
    ]
    rds, sns = FakeClient(pages={"describe_export_tasks": [{"ExportTasks": tasks}]}), FakeClient()
    monkeypatch.setattr(exit_drill.boto3, "client", lambda name, **_: {"rds": rds, "sns": sns}[name])
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    result = exit_drill.handler({"action": "report"}, None)
    assert [status for status, _ in result["outcomes"]] == ["SUCCEEDED", "FAILED"]
    assert "access denied" in result["outcomes"][1][1]
    assert len(sns.calls) == 2


def _validation_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "LED_ENVIRONMENT": "dev",
        "DATABASE": "led",
        "VALIDATOR_ROLE": "led_restore_validator",
        "EXPECTED_TABLES": '["public.qualifications"]',
        "MIN_ROWS": '{"public.qualifications": 1}',
        "NEWEST_COLUMN": "{}",
        "MAX_NEWEST_AGE_DAYS": "null",
        "TOPIC_ARN": ENV["TOPIC_ARN"],
        "AWS_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(key, value)


def _event(status: str) -> dict:
    return {
        "region": "eu-west-1",
        "detail": {
            "restoreJobId": "job-1",
            "status": status,
            "statusMessage": "boom",
            "createdResourceArn": "arn:aws:rds:eu-west-1:1:db:awsbackup-restore-test-abc",
        },
    }


@pytest.mark.parametrize(("ok", "expected"), [(True, "SUCCESSFUL"), (False, "FAILED")])
def test_restore_validation_reports_to_aws_backup(monkeypatch, capsys, ok: bool, expected: str) -> None:
    _validation_env(monkeypatch)
    backup, sns = FakeClient(), FakeClient()
    rds = FakeClient(describe_db_instances={"DBInstances": [{"Endpoint": {"Address": "h", "Port": 5432}}]})
    monkeypatch.setattr(
        restore_validation.boto3, "client", lambda name, **_: {"backup": backup, "sns": sns, "rds": rds}[name]
    )

    class Conn:
        def close(self) -> None:
            pass

    seen: dict = {}
    monkeypatch.setattr(restore_validation, "connect", lambda instance, user, region: Conn())

    def fake_validate(conn, **kwargs):
        seen.update(kwargs)
        return ValidationResult(ok=ok, checks=[Check("rows public.qualifications", ok, "x")])

    monkeypatch.setattr(restore_validation, "validate_database", fake_validate)
    result = restore_validation.handler(_event("COMPLETED"), None)
    assert seen == {
        "expected_tables": ["public.qualifications"],
        "min_rows": {"public.qualifications": 1},
        "newest_column": {},
        "max_newest_age_days": None,
    }
    assert rds.calls == [("describe_db_instances", {"DBInstanceIdentifier": "awsbackup-restore-test-abc"})]
    ((name, kwargs),) = backup.calls
    assert name == "put_restore_validation_result" and kwargs["ValidationStatus"] == expected
    assert result["ok"] is ok
    assert len(sns.calls) == (0 if ok else 1)
    metric = json.loads(capsys.readouterr().out.splitlines()[0])
    assert metric["RestoreValidationFailures"] == (0 if ok else 1)


def test_unreachable_restore_is_a_failed_validation(monkeypatch, capsys) -> None:
    _validation_env(monkeypatch)
    backup, sns = FakeClient(), FakeClient()
    rds = FakeClient(describe_db_instances=RuntimeError("no such instance"))
    monkeypatch.setattr(
        restore_validation.boto3, "client", lambda name, **_: {"backup": backup, "sns": sns, "rds": rds}[name]
    )
    result = restore_validation.handler(_event("COMPLETED"), None)
    assert not result["ok"] and "no such instance" in result["summary"]
    assert backup.calls[0][1]["ValidationStatus"] == "FAILED"
    assert len(sns.calls) == 1


def test_failed_restore_job_raises_the_alarm_metric(monkeypatch, capsys) -> None:
    _validation_env(monkeypatch)
    sns = FakeClient()
    monkeypatch.setattr(restore_validation.boto3, "client", lambda name, **_: sns)
    result = restore_validation.handler(_event("FAILED"), None)
    assert result == {"restoreJobId": "job-1", "status": "FAILED", "validated": False}
    assert sns.calls[0][1]["Subject"] == "LED dev: restore test FAILED"
    assert json.loads(capsys.readouterr().out.splitlines()[0])["RestoreValidationFailures"] == 1
