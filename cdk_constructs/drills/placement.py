"""Where the drills run and report: the operations topic and the placement every drill shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import ArnFormat, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct

from cdk_constructs.functions import VpcFunction
from cdk_constructs.placement import Placement

COLON = ArnFormat.COLON_RESOURCE_NAME


def publish_statements(topic: sns.ITopic, topic_key: kms.IKey) -> list[iam.PolicyStatement]:
    """What a drill's function needs to report its outcome on the topic."""
    return [
        iam.PolicyStatement(sid="PublishOutcome", actions=["sns:Publish"], resources=[topic.topic_arn]),
        # SNS encrypts the message with the topic's FB log key on the publisher's behalf.
        iam.PolicyStatement(
            sid="EncryptOutcome", actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[topic_key.key_arn]
        ),
    ]


class OperationsTopic(Construct):
    """The topic that drill outcomes and alarms go to, under the FB log key, TLS only."""

    def __init__(self, scope: Construct, construct_id: str, *, topic_name: str, key: kms.IKey) -> None:
        super().__init__(scope, construct_id)
        self.key = key
        self.topic = sns.Topic(
            self,
            "Default",
            topic_name=topic_name,
            display_name="LED operations: drills and alarms",
            master_key=key,
            enforce_ssl=True,
        )


@dataclass(frozen=True, kw_only=True)
class DrillPlacement:
    """Where the drills of one environment run and report, the same for every drill."""

    environment_name: str
    # Where outcomes, alarms and failed invocations (the dead-letter topic) go.
    operations: OperationsTopic
    # The isolated tier the functions run in and their keys (the data key also encrypts the exit export).
    functions: Placement

    def function(
        self,
        scope: Construct,
        construct_id: str,
        *,
        description: str,
        code: lambda_.Code,
        timeout: Duration,
        environment: Mapping[str, str],
        statements: Sequence[iam.PolicyStatement],
    ) -> VpcFunction:
        """A drill's function: placed here, told its environment and topic, allowed to publish to it."""
        return VpcFunction(
            scope,
            construct_id,
            description=description,
            code=code,
            handler="handler.handler",
            placement=self.functions,
            timeout=timeout,
            dead_letter_topic=self.operations.topic,
            environment={
                "LED_ENVIRONMENT": self.environment_name,
                **environment,
                "TOPIC_ARN": self.operations.topic.topic_arn,
            },
            statements=[*statements, *publish_statements(self.operations.topic, self.operations.key)],
        )

    def alarm(
        self, scope: Construct, construct_id: str, *, description: str, metric: cloudwatch.IMetric
    ) -> cloudwatch.Alarm:
        """An alarm on any failure in the hour (no data is no failure), sent to the operations topic."""
        alarm = cloudwatch.Alarm(
            scope,
            construct_id,
            alarm_description=description,
            metric=metric,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.operations.topic))
        return alarm
