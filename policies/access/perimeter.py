"""The data perimeter in the "who can do what" table (issue #13): the outcomes the RCPs of
policies/rcp.py close, and the two parties outside the organisation they are about: an outsider
(any principal of another AWS account, with every permission its own account can give it) and the
second partner of the exit drill (VTC-EXIT §42-43), who may read the exit exports and nothing else.

A check's `who` says which principals make the request: "outside" the principals of the party
that are outside the organisation themselves (its own identities, not the LED roles it assumes),
"service" the AWS service principals, "any" every principal the party reaches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cdk_constructs.drills.exit import EXIT_PREFIX
from config import EnvironmentConfig

if TYPE_CHECKING:
    from policies.access.matrix import Check, Outcome

# An account no configuration names: the outsider's (checked against the config's accounts).
OUTSIDER_ACCOUNT = "998877665544"
OUTSIDER_ORGANIZATION = "o-outsideorg1"
# Without TLS; and, for a service, on behalf of the outsider's account (a confused deputy).
PLAIN_HTTP = (("aws:SecureTransport", "false"),)
FOR_AN_OUTSIDER = (
    ("aws:SourceAccount", OUTSIDER_ACCOUNT),
    ("aws:SourceOrgID", OUTSIDER_ORGANIZATION),
    ("aws:SourceArn", f"arn:aws:cloudtrail:eu-west-1:{OUTSIDER_ACCOUNT}:trail/theirs"),
)

PERIMETER_BY_DESIGN: dict[tuple[str, str], str] = {
    ("exit-partner", "outside-reads-exports"): "the second partner reads the exit exports, read-only, from the "
    "exit bucket only (VTC-EXIT §42-43: the bucket policy, the data key's policy and the RCPs name it)",
}


def outsider_arn(config: EnvironmentConfig) -> str:
    configured = {*config.accounts.all(), *(a.split(":")[4] for arns in config.access.all().values() for a in arns)}
    assert OUTSIDER_ACCOUNT not in configured, "the outsider's account is a configured one"
    return f"arn:{config.partition}:iam::{OUTSIDER_ACCOUNT}:role/outside-the-organisation"


def perimeter_outcomes(cfg: EnvironmentConfig, secret: str | None) -> list[Outcome]:
    """The requests the RCPs deny: from outside the organisation, without TLS, by a confused deputy."""
    from policies.access.matrix import Check, Outcome

    p, r, workload = cfg.partition, cfg.region, cfg.accounts.workload
    export = f"arn:{p}:s3:::{cfg.exit_bucket_name}/{EXIT_PREFIX}/export/qualifications/part-0.parquet"
    archive = f"arn:{p}:s3:::{cfg.log_archive_bucket_name}"
    log = f"{archive}/AWSLogs/{workload}/CloudTrail/{r}/2026/01/01/{workload}_CloudTrail_{r}_example.json.gz"
    secrets = (secret,) if secret else ()

    def checks(who: str, context: tuple = (), *, exports: bool = True, log_write: bool = False) -> tuple[Check, ...]:
        found = [Check("s3:GetObject", export, context, who=who)] if exports else []
        found += [Check("s3:GetObject", log, context, who=who), Check("s3:ListBucket", archive, context, who=who)]
        found += [Check("s3:PutObject", log, context, who=who)] if log_write else []
        found += [Check("secretsmanager:GetSecretValue", s, context, who=who) for s in secrets]
        return tuple(found)

    return [
        Outcome(
            "outside-reads-exports",
            "read the exit exports from outside the organisation (not as the named second partner)",
            (Check("s3:GetObject", export, who="outside"), Check("s3:PutObject", export, who="outside")),
            ("VTC-NO-COPY", "VTC-EXIT"),
        ),
        Outcome(
            "outside-reads-data",
            "from outside the organisation: read the log archive or the database secret, decrypt with the data key",
            (*checks("outside", exports=False), Check("kms:Decrypt", cfg.key_arn("data"), who="outside")),
            ("VTC-NO-COPY", "VTC-LEAST-PRIVILEGE"),
        ),
        Outcome(
            "without-tls",
            "read the exports, the archive or the secret, or assume its own role, without TLS",
            (*checks("any", PLAIN_HTTP), Check("sts:AssumeRole", "", PLAIN_HTTP, own_role=True)),
            ("VTC-NO-COPY", "VTC-ENCRYPT-ALL"),
        ),
        Outcome(
            "confused-deputy",
            "an AWS service acting for an account outside the organisation reads or writes LED data",
            checks("service", FOR_AN_OUTSIDER, log_write=True),
            ("VTC-NO-COPY", "VTC-LEAST-PRIVILEGE"),
        ),
    ]


def applies(check: Check, kind: str, account: str | None, org_accounts: frozenset[str]) -> bool:
    """Whether a principal of this kind and account makes the check's request (see `who`)."""
    if check.who == "service":
        return kind == "service"
    if check.who == "outside":
        return kind == "external" and account not in org_accounts
    return True


__all__ = ["OUTSIDER_ACCOUNT", "PERIMETER_BY_DESIGN", "applies", "outsider_arn", "perimeter_outcomes"]
