"""The cases of VTC-PROCESSOR (policies/rules/processor.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk

from tests.rules._common import ARCHIVE, DATA_KEY, arn_of, case, deny, operator_denies, party_role


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
    data_services = deny("DenyTheDataServices", ["secretsmanager:*", "kms:*", "rds-db:*", "s3:*"], ["*"])
    party_role(s, [data_services], inline=True)


@case("VTC-PROCESSOR", False)
def processor_operator_denies_only_the_configured_data_key(s):
    party_role(s, [*operator_denies(data_key=False), deny("DenyTheDataKey", ["kms:Decrypt"], [DATA_KEY])])


@case("VTC-PROCESSOR", True)
def processor_operator_narrow_secret_deny(s):
    # secret:led-prod-* leaves other secrets of the workload account readable.
    some = deny("DenySomeSecrets", ["secretsmanager:GetSecretValue"], [arn_of("secretsmanager", "secret:led-prod-*")])
    party_role(s, [*operator_denies(secret=False), some])


@case("VTC-PROCESSOR", True)
def processor_operator_conditional_deny(s):
    without_mfa = {"Bool": {"aws:MultiFactorAuthPresent": "false"}}
    archive = deny("DenyArchiveWithoutMfa", ["s3:PutObject", "s3:DeleteObject"], [f"{ARCHIVE}/*"], without_mfa)
    party_role(s, [*operator_denies(archive=False), archive])


@case("VTC-PROCESSOR", True)
def processor_operator_deny_with_unreadable_resource(s):
    bucket = cdk.CfnParameter(s, "ArchiveBucket", type="String")
    archive = deny("DenyArchive", ["s3:PutObject", "s3:DeleteObject"], [f"arn:aws:s3:::{bucket.value_as_string}/*"])
    party_role(s, [*operator_denies(archive=False), archive])
