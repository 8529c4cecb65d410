"""VTC-NO-COPY-PERIMETER (§49): every account the organisation's policies govern carries the data
perimeter RCPs (policies/rcp.py): nobody outside the organisation, no request without TLS and no
AWS service acting for another account reaches its buckets, keys, secrets or roles.

Checked on each `AWS::Organizations::Policy` (the guardrail SCPs and the RCPs): for every account
it targets, the RCPs of the app attached to that account are evaluated (policies.access.evaluator)
on probe requests, each of which some RCP must deny. A missing RCP, or one without the TLS, the
identity or the confused-deputy statement, fails; so does a target or a document that is not
plain data (fails closed).
"""

from __future__ import annotations

from policies.access.evaluator import as_list, matching
from policies.model import Resource, Result, fail, verdict
from policies.spec import RuleSpec

RESOURCE_TYPES = ("AWS::Organizations::Policy",)
RCP_TYPE = "RESOURCE_CONTROL_POLICY"
OUTSIDER = "998877665544"


def _probes(res: Resource, organization: str) -> list[tuple[str, str, str, dict]]:
    """(what, action, resource, context) that the perimeter must deny. The request without TLS
    comes from inside the organisation (the id the RCPs name), so that only a TLS statement denies it."""
    s = res.settings
    p, r, account = s.partition, s.region, s.workload_account
    resources = {
        "s3:GetObject": f"arn:{p}:s3:::led-{s.environment}-data-{account}-{r}/object",
        "kms:Decrypt": f"arn:{p}:kms:{r}:{account}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "secretsmanager:GetSecretValue": f"arn:{p}:secretsmanager:{r}:{account}:secret:led-{s.environment}-db-AbCdEf",
        "sts:AssumeRole": f"arn:{p}:iam::{account}:role/led-{s.environment}-platform-operator",
    }
    outsider = {
        "aws:PrincipalArn": f"arn:{p}:iam::{OUTSIDER}:role/outsider",
        "aws:PrincipalAccount": OUTSIDER,
        "aws:PrincipalIsAWSService": "false",
        "aws:SecureTransport": "true",
    }
    plain = {
        "aws:PrincipalArn": f"arn:{p}:iam::{account}:role/led-{s.environment}-app-runtime",
        "aws:PrincipalAccount": account,
        "aws:PrincipalOrgID": organization,
        "aws:PrincipalIsAWSService": "false",
        "aws:SecureTransport": "false",
    }
    deputy = {
        "aws:PrincipalIsAWSService": "true",
        "aws:SourceAccount": OUTSIDER,
        "aws:SourceOrgID": "o-outsideorg1",
        "aws:SecureTransport": "true",
    }
    probes = []
    for action, arn in resources.items():
        probes += [
            ("a principal outside the organisation", action, arn, outsider),
            ("a request without TLS (aws:SecureTransport)", action, arn, plain),
            ("an AWS service acting for another account (aws:SourceOrgID)", action, arn, deputy),
        ]
    return probes


def _rcps_of(res: Resource, account: str) -> list[dict] | None:
    """The RCP documents of the app attached to `account` (None: one cannot be read)."""
    found = []
    for other in res.app.resources("AWS::Organizations::Policy"):
        if other.props.get("Type") != RCP_TYPE or account not in as_list(other.props.get("TargetIds")):
            continue
        content = other.props.get("Content")
        if not isinstance(content, dict) or "Statement" not in content:
            return None
        found.append(content)
    return found


def _organization(documents: list[dict]) -> str:
    """The organisation id the RCPs name in aws:PrincipalOrgID (none: the identity probe fails anyway)."""
    for document in documents:
        for statement in as_list(document.get("Statement")):
            for entries in (statement.get("Condition") or {}).values():
                value = entries.get("aws:PrincipalOrgID") if isinstance(entries, dict) else None
                if isinstance(value, str):
                    return value
    return "o-none"


def check(res: Resource) -> Result:
    targets = as_list(res.props.get("TargetIds"))
    if not all(isinstance(t, str) for t in targets):
        return fail("its TargetIds cannot be read at synthesis (fails closed)")
    problems = []
    for account in (t for t in targets if t.isdigit()):
        documents = _rcps_of(res, account)
        if documents is None:
            problems.append(f"an RCP attached to {account} is not plain JSON (fails closed)")
            continue
        if not documents:
            problems.append(f"account {account} has no resource control policy (no data perimeter)")
            continue
        for who, action, arn, context in _probes(res, _organization(documents)):
            if not matching(documents, "Deny", action, arn, context):
                problems.append(f"account {account}: no RCP denies {action} by {who}")
    return verdict(problems)


RULE = RuleSpec(
    rule_id="VTC-NO-COPY-PERIMETER",
    condition_id="VTC-NO-COPY",
    paragraph="§49",
    title="the organisation's accounts carry the data perimeter RCPs",
    trigger="an Organizations policy targeting an account whose resource control policies do not deny a "
    "principal outside the organisation, a request without TLS, or an AWS service acting for another "
    "account, on S3, KMS, Secrets Manager and STS; an unreadable target or RCP",
    fix="attach the RCPs of policies/rcp.py (the organisation stack does, with [organization] organization_id)",
    resource_types=RESOURCE_TYPES,
    check=check,
)
