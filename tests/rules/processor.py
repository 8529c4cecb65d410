"""The cases of VTC-PROCESSOR (policies/rules/processor.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from tests.rules._common import ARCHIVE, DATA_KEY, arn_of, case, operator_denies, party_role


@case("VTC-PROCESSOR", False)
def processor_operator_denies_data_keys_and_logs(s):
    party_role(s, operator_denies())


@case("VTC-PROCESSOR", True)
def processor_operator_without_data_key_deny(s):
    party_role(s, operator_denies(data_key=False))


@case("VTC-PROCESSOR", True)
def processor_operator_without_archive_deny(s):
    party_role(s, operator_denies(archive=False))


@case("VTC-PROCESSOR", True)
def processor_operator_without_secret_and_login_denies(s):
    party_role(s, operator_denies(secret=False, login=False))


@case("VTC-PROCESSOR", False)
def processor_other_party_not_applicable(s):
    party_role(s, [], party="AHOVOKS")


@case("VTC-PROCESSOR", False)
def processor_operator_wildcard_denies_inline(s):
    party_role(
        s,
        [
            iam.PolicyStatement(
                sid="DenyTheDataServices",
                effect=iam.Effect.DENY,
                actions=["secretsmanager:*", "kms:*", "rds-db:*", "s3:*"],
                resources=["*"],
            )
        ],
        inline=True,
    )


@case("VTC-PROCESSOR", False)
def processor_operator_denies_only_the_configured_data_key(s):
    denies = [d for d in operator_denies(data_key=False)]
    denies.append(
        iam.PolicyStatement(sid="DenyTheDataKey", effect=iam.Effect.DENY, actions=["kms:Decrypt"], resources=[DATA_KEY])
    )
    party_role(s, denies)


@case("VTC-PROCESSOR", True)
def processor_operator_narrow_secret_deny(s):
    # secret:led-prod-* leaves other secrets of the workload account readable.
    denies = operator_denies(secret=False)
    denies.append(
        iam.PolicyStatement(
            sid="DenySomeSecrets",
            effect=iam.Effect.DENY,
            actions=["secretsmanager:GetSecretValue"],
            resources=[arn_of("secretsmanager", "secret:led-prod-*")],
        )
    )
    party_role(s, denies)


@case("VTC-PROCESSOR", True)
def processor_operator_conditional_deny(s):
    denies = operator_denies(archive=False)
    denies.append(
        iam.PolicyStatement(
            sid="DenyArchiveWithoutMfa",
            effect=iam.Effect.DENY,
            actions=["s3:PutObject", "s3:DeleteObject"],
            resources=[f"{ARCHIVE}/*"],
            conditions={"Bool": {"aws:MultiFactorAuthPresent": "false"}},
        )
    )
    party_role(s, denies)


@case("VTC-PROCESSOR", True)
def processor_operator_deny_with_unreadable_resource(s):
    bucket = cdk.CfnParameter(s, "ArchiveBucket", type="String")
    denies = operator_denies(archive=False)
    denies.append(
        iam.PolicyStatement(
            sid="DenyArchive",
            effect=iam.Effect.DENY,
            actions=["s3:PutObject", "s3:DeleteObject"],
            resources=[f"arn:aws:s3:::{bucket.value_as_string}/*"],
        )
    )
    party_role(s, denies)
