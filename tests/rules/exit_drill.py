"""The cases of VTC-EXIT (policies/rules/exit_drill.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Fn
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3

from tests.rules._common import FB_KEY, case, database


def exit_drill(
    s,
    *,
    schedule: str | None = "cron(0 6 1 * ? *)",
    bucket_key: str | None = FB_KEY,
    pass_role: bool = True,
    state: str = "ENABLED",
    tagged: bool = True,
) -> None:
    database(s)
    encryption = (
        s3.CfnBucket.ServerSideEncryptionByDefaultProperty(sse_algorithm="aws:kms", kms_master_key_id=bucket_key)
        if bucket_key
        else s3.CfnBucket.ServerSideEncryptionByDefaultProperty(sse_algorithm="AES256")
    )
    bucket = s3.CfnBucket(
        s,
        "Exit",
        bucket_encryption=s3.CfnBucket.BucketEncryptionProperty(
            server_side_encryption_configuration=[
                s3.CfnBucket.ServerSideEncryptionRuleProperty(server_side_encryption_by_default=encryption)
            ]
        ),
    )
    export_role = iam.CfnRole(
        s,
        "ExportRole",
        assume_role_policy_document={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "export.rds.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        },
    )
    iam.CfnManagedPolicy(
        s,
        "ExportPolicy",
        roles=[export_role.ref],
        policy_document={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": Fn.join("", [bucket.attr_arn, "/exit/*"])}
            ],
        },
    )
    fn_role = iam.CfnRole(
        s,
        "FnRole",
        assume_role_policy_document={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        },
    )
    statements = [{"Effect": "Allow", "Action": "rds:StartExportTask", "Resource": "*"}]
    if pass_role:
        statements.append({"Effect": "Allow", "Action": "iam:PassRole", "Resource": export_role.attr_arn})
    iam.CfnPolicy(
        s,
        "FnPolicy",
        policy_name="drill",
        roles=[fn_role.ref],
        policy_document={"Version": "2012-10-17", "Statement": statements},
    )
    fn = lambda_.CfnFunction(
        s,
        "Drill",
        role=fn_role.attr_arn,
        runtime="python3.12",
        handler="index.handler",
        code=lambda_.CfnFunction.CodeProperty(zip_file="def handler(e, c): pass"),
    )
    if schedule is not None:
        events.CfnRule(
            s,
            "Schedule",
            schedule_expression=schedule,
            state=state,
            tags=[cdk.CfnTag(key="led:drill", value="exit-export")] if tagged else None,
            targets=[events.CfnRule.TargetProperty(arn=fn.attr_arn, id="drill")],
        )
    # Another schedule of the same function (e.g. a daily report): it does not stand in for the drill.
    events.CfnRule(
        s,
        "Report",
        schedule_expression="rate(1 day)",
        targets=[events.CfnRule.TargetProperty(arn=fn.attr_arn, id="report")],
    )


@case("VTC-EXIT", True)
def exit_database_without_drill(s):
    database(s)


@case("VTC-EXIT", False)
def exit_monthly_drill(s):
    exit_drill(s)


@case("VTC-EXIT", False)
def exit_weekly_rate(s):
    exit_drill(s, schedule="rate(7 days)")


@case("VTC-EXIT", False)
def exit_first_monday_of_the_month(s):
    exit_drill(s, schedule="cron(0 6 ? * MON#1 *)")


@case("VTC-EXIT", True)
def exit_yearly_cron(s):
    exit_drill(s, schedule="cron(0 6 1 1 ? *)")


@case("VTC-EXIT", True)
def exit_rate_365_days(s):
    exit_drill(s, schedule="rate(365 days)")


@case("VTC-EXIT", True)
def exit_only_on_the_31st(s):
    exit_drill(s, schedule="cron(0 6 31 * ? *)")


@case("VTC-EXIT", True)
def exit_without_schedule(s):
    exit_drill(s, schedule=None)


@case("VTC-EXIT", True)
def exit_schedule_disabled(s):
    exit_drill(s, state="DISABLED")


@case("VTC-EXIT", True)
def exit_untagged_schedule(s):
    # Only the schedule marked led:drill=exit-export counts; the daily report beside it does not.
    exit_drill(s, tagged=False)


@case("VTC-EXIT", True)
def exit_bucket_sse_s3(s):
    exit_drill(s, bucket_key=None)


@case("VTC-EXIT", True)
def exit_function_cannot_pass_the_export_role(s):
    exit_drill(s, pass_role=False)


@case("VTC-EXIT", True)
def exit_schedule_from_parameter(s):
    schedule = cdk.CfnParameter(s, "DrillSchedule", type="String")
    exit_drill(s, schedule=schedule.value_as_string)
