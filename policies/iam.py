"""Reading IAM policy documents out of templates (identity, trust and resource policies)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policies.model import Resource, Result, fail
from policies.values import as_list, render

# Services that hold or unlock the LED's data and keys: `service:*` on them is never least privilege.
DATA_SERVICES = frozenset(
    {
        "kms",
        "rds",
        "rds-data",
        "rds-db",
        "s3",
        "secretsmanager",
        "backup",
        "backup-storage",
        "dynamodb",
        "logs",
        "cloudtrail",
        "ebs",
        "ec2",
        "elasticfilesystem",
        "sns",
        "sqs",
        "kinesis",
        "firehose",
        "iam",
        "sts",
        "ssm",
    }
)
_READ_VERBS = ("Describe", "List", "Get", "Head", "View", "Search", "Lookup", "Check", "Validate", "Test", "Select")
# Reading these reveals data or key material although they start with a read verb.
DECRYPT_ACTIONS = (
    "kms:decrypt",
    "kms:reencrypt",
    "kms:generatedatakey",
    "secretsmanager:getsecretvalue",
    "s3:getobject",
    "s3:selectobjectcontent",
    "ssm:getparameter",
    "rds-db:connect",
    "dynamodb:getitem",
    "backup:getrecoverypoint",
)
# Writes that AWS authorises on Resource '*' only (no resource-level permission exists) and that
# touch no data or key: '*' is then the narrowest grant there is. Each with its reason; nothing else.
STAR_ONLY_WRITES = {
    "backup:putrestorevalidationresult": "records the outcome of a restore test on its job; AWS Backup has no "
    "resource-level permission for it",
    # KMS authorises these on '*' only (no key exists yet, or a custom key store is no resource type);
    # FB's XKS handler needs them (cdk_constructs/xks_keys.py), CreateKey only with kms:KeyOrigin.
    **{
        f"kms:{action}": "KMS has no resource-level permission for it (AWS KMS permissions reference)"
        for action in (
            "createkey",
            "createcustomkeystore",
            "connectcustomkeystore",
            "disconnectcustomkeystore",
            "updatecustomkeystore",
        )
    },
}


@dataclass(frozen=True)
class Statement:
    sid: str
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: bool
    principal: Any
    not_principal: bool
    condition: Any
    unreadable: tuple[str, ...]  # parts that could not be read (tokens): fail closed on them


def statements(document: Any, res: Resource) -> tuple[list[Statement], list[str]]:
    """The statements of a policy document, and the problems that keep parts of it unreadable."""
    if not isinstance(document, dict):
        return [], [f"the policy document is {str(document)[:80]}, not a readable document"]
    raw = document.get("Statement")
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        return [], ["the policy document has no readable Statement list"]
    out: list[Statement] = []
    problems: list[str] = []
    for i, st in enumerate(raw):
        if not isinstance(st, dict):
            problems.append(f"statement {i} is computed ({str(st)[:60]}), not readable")
            continue
        unreadable: list[str] = []

        def texts(key: str, st: dict = st, unreadable: list[str] = unreadable) -> tuple[str, ...]:
            values = []
            for v in as_list(st.get(key)):
                if isinstance(v, str):
                    values.append(v)
                else:
                    r = render(v, res.stack, res.app)
                    values.append(r.text)
                    if not r.decided and key in ("Action", "NotAction"):
                        unreadable.append(f"{key} {str(v)[:60]}: {r.why()}")
            return tuple(values)

        out.append(
            Statement(
                sid=str(st.get("Sid", i)),
                effect=str(st.get("Effect", "")),
                actions=texts("Action"),
                not_actions=texts("NotAction"),
                resources=texts("Resource") + texts("NotResource"),
                not_resources="NotResource" in st,
                principal=st.get("Principal"),
                not_principal="NotPrincipal" in st,
                condition=st.get("Condition"),
                unreadable=tuple(unreadable),
            )
        )
    return out, problems


def allow_statements(document: Any, res: Resource) -> list[Statement] | Result:
    """The Allow statements of a policy document the rule judges, or, when a part of the document
    cannot be read, the rule's verdict already: non-compliant (fails closed)."""
    sts, problems = statements(document, res)
    if problems:
        return fail(*problems, "(fails closed)")
    return [st for st in sts if st.effect == "Allow"]


def principal_values(principal: Any) -> list[Any]:
    """Every principal a statement names (any kind), literal strings or intrinsics."""
    if principal == "*":
        return ["*"]
    if isinstance(principal, dict):
        return [v for value in principal.values() for v in as_list(value)]
    return as_list(principal)


def is_wildcard_principal(principal: Any) -> bool:
    return any(v == "*" for v in principal_values(principal))


def service_of(action: str) -> str:
    return action.split(":", 1)[0].lower() if ":" in action else action.lower()


def is_read_only(action: str) -> bool:
    low = action.lower()
    if any(low.startswith(d) for d in DECRYPT_ACTIONS):
        return False
    verb = action.split(":", 1)[1] if ":" in action else action
    return verb.startswith(_READ_VERBS) and "*" not in verb[:4]
