"""Validates a database that AWS Backup restore testing restored (VTC-BACKUP-ENVIRONMENT, §40).

Triggered by EventBridge on "Restore Job State Change" of this environment's restore testing
plan. For a COMPLETED job it connects to the restored instance over TLS with IAM database
authentication (as the read-only `led_restore_validator` role that the deploy-time audit setup
creates, so the role exists in every snapshot), runs the sanity checks of functions.shared.validation and
reports them with PutRestoreValidationResult. A FAILED or ABORTED job, or a failed validation,
is published to the operations topic and counted in the `LED/Drills RestoreValidationFailures`
metric (embedded metric format: no API call), which the restore-test alarm watches.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import boto3

from functions.shared import database
from functions.shared.validation import ValidationResult, validate_database

METRIC_NAMESPACE = "LED/Drills"
METRIC_NAME = "RestoreValidationFailures"


def settings() -> dict[str, Any]:
    """The checks, from the function's environment (set from config at synthesis)."""
    return {
        "expected_tables": json.loads(os.environ["EXPECTED_TABLES"]),
        "min_rows": json.loads(os.environ.get("MIN_ROWS", "{}")),
        "newest_column": json.loads(os.environ.get("NEWEST_COLUMN", "{}")),
        "max_newest_age_days": json.loads(os.environ.get("MAX_NEWEST_AGE_DAYS", "null")),
    }


def emit_metric(failed: bool, environment: str) -> None:
    """One CloudWatch metric value through the log stream (embedded metric format)."""
    print(
        json.dumps(
            {
                "_aws": {
                    "Timestamp": int(time.time() * 1000),
                    "CloudWatchMetrics": [
                        {
                            "Namespace": METRIC_NAMESPACE,
                            "Dimensions": [["Environment"]],
                            "Metrics": [{"Name": METRIC_NAME, "Unit": "Count"}],
                        }
                    ],
                },
                "Environment": environment,
                METRIC_NAME: 1 if failed else 0,
            }
        )
    )


def connect(instance: dict[str, Any], user: str, region: str) -> Any:
    host, port = instance["Endpoint"]["Address"], int(instance["Endpoint"]["Port"])
    token = boto3.client("rds", region_name=region).generate_db_auth_token(
        DBHostname=host, Port=port, DBUsername=user, Region=region
    )
    return database.connect(
        user=user,
        password=token,
        host=host,
        port=port,
        database=instance.get("DBName") or os.environ["DATABASE"],
        application_name="led-restore-validation",
    )


def restored_instance(created_resource_arn: str, region: str) -> dict[str, Any]:
    identifier = created_resource_arn.rsplit(":", 1)[-1]
    response = boto3.client("rds", region_name=region).describe_db_instances(DBInstanceIdentifier=identifier)
    return response["DBInstances"][0]


def report(job_id: str, ok: bool, summary: str, region: str) -> None:
    boto3.client("backup", region_name=region).put_restore_validation_result(
        RestoreJobId=job_id,
        ValidationStatus="SUCCESSFUL" if ok else "FAILED",
        ValidationStatusMessage=summary[:1000],
    )


def publish(subject: str, message: str, region: str) -> None:
    boto3.client("sns", region_name=region).publish(
        TopicArn=os.environ["TOPIC_ARN"], Subject=subject[:100], Message=message
    )


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    region = os.environ.get("AWS_REGION", event.get("region", ""))
    environment = os.environ["LED_ENVIRONMENT"]
    detail = event.get("detail", {})
    job_id = detail.get("restoreJobId", "")
    status = detail.get("status", "")
    if status != "COMPLETED":
        emit_metric(True, environment)
        publish(
            f"LED {environment}: restore test {status or 'UNKNOWN'}",
            f"Restore testing job {job_id} ended {status}: {detail.get('statusMessage', '')}",
            region,
        )
        return {"restoreJobId": job_id, "status": status, "validated": False}

    try:
        instance = restored_instance(detail["createdResourceArn"], region)
        conn = connect(instance, os.environ["VALIDATOR_ROLE"], region)
        try:
            result = validate_database(conn, **settings())
        finally:
            conn.close()
        summary = result.summary()
    except Exception as exc:  # an unreachable or unreadable restore is itself the finding
        result = ValidationResult(ok=False, checks=[])
        summary = f"FAILED: could not validate the restored database: {type(exc).__name__}: {exc}"
    report(job_id, result.ok, summary, region)
    emit_metric(not result.ok, environment)
    if not result.ok:
        publish(f"LED {environment}: restore validation FAILED", f"Restore job {job_id}: {summary}", region)
    outcome = {"restoreJobId": job_id, "ok": result.ok, "summary": summary}
    print(json.dumps(outcome))
    return outcome
