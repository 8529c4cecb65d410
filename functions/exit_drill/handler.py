"""The scheduled exit drill (VTC-EXIT, §42-43): export the latest snapshot to S3 in Parquet.

Two schedules invoke it. {"action": "start"} (monthly by default) exports the newest available
snapshot of the LED database (automated or AWS Backup) with StartExportTask, into the exit
bucket under the exit prefix, encrypted with the FB data key, through the export role that may
write exactly there. {"action": "report"} (daily) publishes the outcome of every export task of
this drill that ended in the last day: an export takes hours, so its result is reported when it
is known, without keeping state. Every outcome goes to the operations topic.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

import boto3

SNAPSHOT_TYPES = ("automated", "awsbackup")


def latest_snapshot(rds: Any, instance_id: str, instance_arn: str) -> dict[str, Any] | None:
    """The newest available snapshot of the instance, whichever service took it."""
    snapshots: list[dict[str, Any]] = []
    for snapshot_type in SNAPSHOT_TYPES:
        paginator = rds.get_paginator("describe_db_snapshots")
        pages = paginator.paginate(
            SnapshotType=snapshot_type,
            Filters=[{"Name": "db-instance-id", "Values": [instance_arn]}],
        )
        for page in pages:
            snapshots.extend(
                s
                for s in page["DBSnapshots"]
                if s.get("Status") == "available" and s.get("DBInstanceIdentifier") == instance_id
            )
    if not snapshots:
        return None
    return max(snapshots, key=lambda s: s["SnapshotCreateTime"])


def task_identifier(prefix: str, now: dt.datetime) -> str:
    # StartExportTask identifiers: 1-60 letters, digits and hyphens, starting with a letter.
    return f"{prefix}-{now:%Y%m%d-%H%M%S}"[:60]


def start(rds: Any, env: dict[str, str], now: dt.datetime) -> tuple[str, str]:
    snapshot = latest_snapshot(rds, env["DB_INSTANCE_ID"], env["DB_INSTANCE_ARN"])
    if snapshot is None:
        return "FAILED", f"no available snapshot of {env['DB_INSTANCE_ID']} to export"
    identifier = task_identifier(env["EXPORT_TASK_PREFIX"], now)
    task = rds.start_export_task(
        ExportTaskIdentifier=identifier,
        SourceArn=snapshot["DBSnapshotArn"],
        S3BucketName=env["EXIT_BUCKET"],
        S3Prefix=env["EXIT_PREFIX"],
        IamRoleArn=env["EXPORT_ROLE_ARN"],
        KmsKeyId=env["EXPORT_KEY_ARN"],
    )
    return "STARTED", (
        f"export task {task['ExportTaskIdentifier']} started: snapshot {snapshot['DBSnapshotIdentifier']} "
        f"of {snapshot['SnapshotCreateTime']} to s3://{env['EXIT_BUCKET']}/{env['EXIT_PREFIX']}/{identifier}/ "
        "(Parquet, FB data key)"
    )


def finished_since(rds: Any, prefix: str, since: dt.datetime) -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = []
    for page in rds.get_paginator("describe_export_tasks").paginate():
        for task in page["ExportTasks"]:
            end = task.get("TaskEndTime")
            if (
                task["ExportTaskIdentifier"].startswith(f"{prefix}-")
                and task.get("Status") in ("COMPLETE", "FAILED", "CANCELED")
                and end is not None
                and end >= since
            ):
                tasks.append(task)
    return tasks


def describe(task: dict[str, Any]) -> tuple[str, str]:
    status = task["Status"]
    text = f"export task {task['ExportTaskIdentifier']} {status}"
    if status == "COMPLETE":
        text += (
            f": {task.get('TotalExtractedDataInGB', 0)} GB extracted to "
            f"s3://{task['S3Bucket']}/{task.get('S3Prefix', '')}"
        )
        return "SUCCEEDED", text
    return "FAILED", f"{text}: {task.get('FailureCause', 'no cause given')}"


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    env = dict(os.environ)
    rds = boto3.client("rds")
    sns = boto3.client("sns")
    now = dt.datetime.now(dt.UTC)
    action = event.get("action", "start")
    outcomes: list[tuple[str, str]]
    if action == "start":
        try:
            outcomes = [start(rds, env, now)]
        except Exception as exc:  # the drill failing is the outcome to publish
            outcomes = [("FAILED", f"could not start the exit export: {type(exc).__name__}: {exc}")]
    elif action == "report":
        outcomes = [describe(t) for t in finished_since(rds, env["EXPORT_TASK_PREFIX"], now - dt.timedelta(days=1))]
    else:
        raise ValueError(f"action {action!r}: allowed 'start' or 'report'")
    for status, text in outcomes:
        sns.publish(
            TopicArn=env["TOPIC_ARN"],
            Subject=f"LED {env['LED_ENVIRONMENT']}: exit drill {status}"[:100],
            Message=json.dumps(
                {"drill": "exit", "environment": env["LED_ENVIRONMENT"], "status": status, "detail": text}
            ),
        )
    print(json.dumps({"action": action, "outcomes": outcomes}))
    return {"action": action, "outcomes": outcomes}
