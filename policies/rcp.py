"""The data perimeter: resource control policies (RCPs) on the workload, log archive and backup
accounts (issue #13). Where the SCPs of policies/guardrails.py cap what the LED principals may do,
an RCP caps what may be done TO the LED resources, by anybody, whatever account asks: an RCP's Deny
applies to every request to a resource in a target account (AWS Organizations, "Resource control
policies"). VTC-NO-COPY (§49), VTC-LEAST-PRIVILEGE, VTC-OUTSOURCING-2016 (§18-19), VTC-EXIT (§42-43).

RCPs govern Amazon S3, AWS STS, AWS KMS, Amazon SQS and AWS Secrets Manager (and a few more since);
the LED data lives in the first four: buckets (exit exports, the log archive), the roles (a role's
trust is an STS resource), customer-managed keys, the database secret. After AWS's data perimeter
policy examples (aws-samples/data-perimeter-policy-examples, identity_perimeter_rcp) and the RCP
examples of the Organizations user guide, two documents:

- ``led-perimeter-principals``: only principals of the organisation (``aws:PrincipalOrgID``) reach
  the buckets, keys and secrets; the exit buckets also the named second partner
  (``drills.second_partner_principal_arn``, exactly that role, or that account for a root ARN),
  read-only; roles are assumed only by principals of the organisation and the parties' configured
  identities and AHOVOKS' pipeline (``[access]``, ``[deployment]``: exact ARNs). AWS services
  (``aws:PrincipalIsAWSService``) are left to the next document.
- ``led-perimeter-requests``: TLS only (``aws:SecureTransport``), S3 at TLS 1.2 or later
  (``s3:TlsVersion``); an AWS service acts on the LED resources only on behalf of the organisation's
  accounts (``aws:SourceOrgID``) or FB's key custody accounts (``aws:SourceAccount``: FB's trail
  delivers into the log archive), where the service names the account it acts for
  (``Null aws:SourceAccount false``: KMS grants used by services and role assumptions by services
  carry no source account and stay as they are, as in AWS's example).

What keeps working: CloudTrail, Config and Firehose write into the log archive on behalf of
accounts of the organisation (the workload, the log archive) or of FB's key custody account;
AWS Backup copies between accounts of the organisation; the CDK deployment roles are assumed by
the configured pipeline; the second partner reads the exit bucket. KMS keys live in FB's key custody
account, which is not a target (FB's, not AHOVOKS'): the RCPs do not change how FB or the services
use FB's keys, and the key policies (cdk_constructs/custody_key.py) stay their perimeter.

The documents are plain data from the configuration; `policies/rcp/*.json` is what reviewers read
and what the organisation stack attaches (`python -m policies.guardrails` writes both sets). Each
stays under the 5,120-character RCP quota, and two beside RCPFullAWSAccess leave two of the five
places per target free; `rcps` raises a one-line PolicyTooLarge at synthesis otherwise.
"""

from __future__ import annotations

from pathlib import Path

from config import LandingZoneConfig
from policies.guardrail_base import (
    RCP_MAX_CHARS,
    Guardrail,
    _document,
    check_quota,
    organization_partition,
    write_reviewable_files,
)

RCP_DIRECTORY = Path(__file__).with_name("rcp")

# The services whose resources hold LED data and that RCPs govern.
DATA_ACTIONS: tuple[str, ...] = ("kms:*", "s3:*", "secretsmanager:*")
# AWS's list for the identity perimeter on STS: not sts:AssumeRoleWithSAML/WithWebIdentity (no
# organisation id for federated users), not sts:SetSourceIdentity/TagSession (set while federating),
# not sts:GetCallerIdentity (needs no permission).
STS_IDENTITY_ACTIONS: tuple[str, ...] = (
    "sts:AssumeRole",
    "sts:DecodeAuthorizationMessage",
    "sts:GetAccessKeyInfo",
    "sts:GetFederationToken",
    "sts:GetServiceBearerToken",
    "sts:GetSessionToken",
    "sts:SetContext",
)
PERIMETER_ACTIONS: tuple[str, ...] = (*DATA_ACTIONS, "sts:*")
# What the second partner does with an export (cdk_constructs/drills/exit.py ExitBucket's policy).
EXIT_READ_ACTIONS: tuple[str, ...] = ("s3:GetBucketLocation", "s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket")
NOT_A_SERVICE = {"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}


def _deny(sid: str, condition: dict, *, actions=None, not_actions=None, resources=None, not_resources=None) -> dict:
    statement: dict = {"Sid": sid, "Effect": "Deny", "Principal": "*"}
    statement.update({"Action": sorted(actions)} if actions else {"NotAction": sorted(not_actions or ())})
    statement.update({"NotResource": not_resources} if not_resources else {"Resource": resources or "*"})
    statement["Condition"] = condition
    return statement


def organization_id(config: LandingZoneConfig) -> str:
    """The organisation id the RCPs name (the config refuses RCPs without it)."""
    organization = config.organization
    assert organization is not None and organization.organization_id is not None, "RCPs need [organization]"
    return organization.organization_id


def exit_bucket_arns(config: LandingZoneConfig, partner: str | None = None) -> list[str]:
    """The exit buckets (and their objects) of every environment, or of those naming `partner`."""
    partition = organization_partition(config)
    arns = []
    for env in config.environments.values():
        if partner is None or env.drills.second_partner_principal_arn == partner:
            bucket = f"arn:{partition}:s3:::{env.exit_bucket_name}"
            arns += [bucket, f"{bucket}/*"]
    return sorted(set(arns))


def role_assuming_principals(config: LandingZoneConfig) -> list[str]:
    """Outside the organisation, only these assume LED roles: the parties' identities ([access])
    and AHOVOKS' pipeline, which assumes the CDK bootstrap roles ([deployment])."""
    arns = {config.deployment.pipeline_role_arn}
    for env in config.environments.values():
        for principals in env.access.all().values():
            arns.update(principals)
    return sorted(arns)


def trusted_source_accounts(config: LandingZoneConfig) -> list[str]:
    """Accounts outside the organisation AWS services may act for: FB's key custody accounts (its
    trail delivers into the log archive, stacks/log_archive.py)."""
    return sorted({env.accounts.key_custody for env in config.environments.values()})


def _partner_exception(org: str, partner: str) -> dict:
    # A root ARN names the whole account (aws:PrincipalAccount); a role ARN exactly that role.
    if partner.endswith(":root"):
        return {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": org, "aws:PrincipalAccount": partner.split(":")[4]}}
    return {
        "StringNotEqualsIfExists": {"aws:PrincipalOrgID": org},
        "ArnNotEqualsIfExists": {"aws:PrincipalArn": partner},
    }


def principals_perimeter(config: LandingZoneConfig) -> Guardrail:
    org = organization_id(config)
    outside = {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": org}, **NOT_A_SERVICE}
    statements = [
        _deny("EnforceOrgIdentitiesOnData", outside, actions=DATA_ACTIONS, not_resources=exit_bucket_arns(config)),
        _deny(
            "ExitBucketsReadOnlyOutsideOrganization",
            outside,
            not_actions=EXIT_READ_ACTIONS,
            resources=exit_bucket_arns(config),
        ),
    ]
    partners = sorted({env.drills.second_partner_principal_arn for env in config.environments.values()})
    for n, partner in enumerate(partners, start=1):
        statements.append(
            _deny(
                f"ExitBucketsOnlyForTheSecondPartner{n}",
                {**_partner_exception(org, partner), **NOT_A_SERVICE},
                actions=("s3:*",),
                resources=exit_bucket_arns(config, partner),
            )
        )
    statements.append(
        _deny(
            "EnforceOrgIdentitiesOnRoles",
            {**outside, "ArnNotEqualsIfExists": {"aws:PrincipalArn": role_assuming_principals(config)}},
            actions=STS_IDENTITY_ACTIONS,
        )
    )
    return Guardrail(
        name="led-perimeter-principals",
        description="LED data perimeter: buckets, keys, secrets and roles only for the organisation, "
        "the exit bucket also for the second partner (VTC-NO-COPY §49, VTC-EXIT §42-43)",
        document=_document(*statements),
    )


def requests_perimeter(config: LandingZoneConfig) -> Guardrail:
    org = organization_id(config)
    return Guardrail(
        name="led-perimeter-requests",
        description="LED data perimeter: TLS only, AWS services only on behalf of the organisation "
        "(VTC-NO-COPY §49, VTC-LEAST-PRIVILEGE)",
        document=_document(
            _deny(
                "EnforceSecureTransport", {"BoolIfExists": {"aws:SecureTransport": "false"}}, actions=PERIMETER_ACTIONS
            ),
            _deny("EnforceTls12ForS3", {"NumericLessThan": {"s3:TlsVersion": "1.2"}}, actions=("s3:*",)),
            _deny(
                "EnforceConfusedDeputyProtection",
                {
                    "StringNotEqualsIfExists": {
                        "aws:SourceOrgID": org,
                        "aws:SourceAccount": trusted_source_accounts(config),
                    },
                    "Null": {"aws:SourceAccount": "false"},
                    "Bool": {"aws:PrincipalIsAWSService": "true"},
                },
                actions=PERIMETER_ACTIONS,
            ),
        ),
    )


def rcps(config: LandingZoneConfig) -> list[Guardrail]:
    """The RCP documents, or none when the config has no [organization] or switches them off."""
    if config.organization is None or not config.organization.resource_control_policies:
        return []
    documents = [principals_perimeter(config), requests_perimeter(config)]
    return check_quota(documents, kind="resource control policy", max_chars=RCP_MAX_CHARS)


def write_reviewable(config: LandingZoneConfig, directory: Path = RCP_DIRECTORY) -> list[Path]:
    return write_reviewable_files(rcps(config), directory)
