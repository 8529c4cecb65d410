"""VTC-LOGS-DIRECT-RESOURCE-POLICY (§27, §37, §42-43): no other party may delete, overwrite or
unlock what the LED keeps in another party's account.

The log archive (AHOVOKS's account) is only worth something if the processor cannot remove or
rewrite it (§27); likewise the copies in the backup account (§37), the exit exports a second
partner reads (§42-43) and the alarm topics. A bucket policy, backup vault access policy or SNS
topic policy must not Allow a principal of another account (or '*' not narrowed by
aws:PrincipalAccount to the resource's own account) to delete or overwrite data, change the
policy, the lock, the lifecycle, the versioning, the ACLs or the topic's attributes. s3:PutObject
overwrites unless the bucket has S3 Object Lock (then every write is a new, locked version: the
log archive lets the workload's Config recorder role deliver that way). AWS service principals
are not a party here: VTC-LEAST-PRIVILEGE-SOURCE pins them to their source.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from policies.model import Resource, Result, fail, verdict
from policies.resource_policies import (
    POLICY_PROPERTIES,
    account_of,
    aws_principals,
    pinned_to_account,
    policy_allows,
)
from policies.spec import RuleSpec
from policies.values import as_bool, target_of

RESOURCE_TYPES = tuple(POLICY_PROPERTIES)

DESTRUCTIVE_ACTIONS = tuple(
    a
    for a in (
        # delete and overwrite
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:PutObject",
        "s3:DeleteBucket",
        "s3:RestoreObject",
        # policy, lock, lifecycle, versioning, ACLs
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "s3:PutBucketObjectLockConfiguration",
        "s3:PutObjectRetention",
        "s3:PutObjectLegalHold",
        "s3:BypassGovernanceRetention",
        "s3:PutLifecycleConfiguration",
        "s3:PutBucketVersioning",
        "s3:PutBucketAcl",
        "s3:PutObjectAcl",
        "s3:PutObjectVersionAcl",
        "s3:PutBucketOwnershipControls",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutEncryptionConfiguration",
        "s3:PutReplicationConfiguration",
        "backup:DeleteRecoveryPoint",
        "backup:DisassociateRecoveryPoint",
        "backup:UpdateRecoveryPointLifecycle",
        "backup:DeleteBackupVault",
        "backup:PutBackupVaultAccessPolicy",
        "backup:DeleteBackupVaultAccessPolicy",
        "backup:PutBackupVaultLockConfiguration",
        "backup:DeleteBackupVaultLockConfiguration",
        "backup:PutBackupVaultNotifications",
        "backup:DeleteBackupVaultNotifications",
        "sns:DeleteTopic",
        "sns:SetTopicAttributes",
        "sns:AddPermission",
        "sns:RemovePermission",
        "sns:PutDataProtectionPolicy",
    )
)


def destructive(action: str) -> list[str]:
    """The destructive actions an action (possibly a wildcard) allows."""
    low = action.lower()
    return [a for a in DESTRUCTIVE_ACTIONS if fnmatchcase(a.lower(), low)]


def _object_locked(res: Resource) -> bool:
    """The bucket policy's bucket is in this app and has S3 Object Lock (writes never overwrite)."""
    if res.type != "AWS::S3::BucketPolicy":
        return False
    target = target_of(res.props.get("Bucket"), res.stack, res.app)
    if target is None or target.type != "AWS::S3::Bucket" or target.resource is None:
        return False
    return as_bool((target.resource.get("Properties") or {}).get("ObjectLockEnabled")) is True


def check(res: Resource) -> Result:
    allows = policy_allows(res)
    if isinstance(allows, Result):
        return allows
    own = res.stack.account
    if own is None:
        return fail("the stack is environment-agnostic: cannot tell whose account the resource is in (fails closed)")
    locked_writes = {"s3:PutObject"} if _object_locked(res) else set()
    out: list[str] = []
    for st in allows:
        if st.not_principal:
            out.append(f"statement {st.sid}: Allow with NotPrincipal grants every other party")
            continue
        granted = sorted({d for a in st.actions for d in destructive(a)} - locked_writes)
        if st.not_actions:
            granted.append("NotAction " + ", ".join(st.not_actions))
        granted.extend(f"{u} (fails closed)" for u in st.unreadable)
        if not granted:
            continue
        for principal in aws_principals(st):
            account, text = account_of(principal, res)
            if account is None:
                out.append(f"statement {st.sid}: principal {text}: cannot tell its party (fails closed)")
            elif account == "*" and not pinned_to_account(st.condition, own, res):
                out.append(f"statement {st.sid} allows {', '.join(granted[:4])} to '*' (any party)")
            elif account not in ("*", own):
                out.append(
                    f"statement {st.sid} allows {', '.join(granted[:4])} to {text}, a principal of account "
                    f"{account}, another party than the owner of account {own}"
                )
    return verdict(out)


RULE = RuleSpec(
    rule_id="VTC-LOGS-DIRECT-RESOURCE-POLICY",
    condition_id="VTC-LOGS-DIRECT",
    paragraph="§27, §37, §42-43",
    title="no other party may delete, overwrite or unlock the archive, the vaults, the exports or the topics",
    trigger="a bucket policy, backup vault access policy or SNS topic policy allowing a principal of another "
    "account (or '*' not narrowed by aws:PrincipalAccount to the owner) to delete or overwrite objects or "
    "recovery points, or change the policy, lock, lifecycle, versioning, ACLs or topic attributes",
    fix="grant other parties only reads (s3:GetObject, s3:ListBucket) or backup:CopyIntoBackupVault; keep "
    "deletes and policy or lock changes with the owner's deployment",
    resource_types=RESOURCE_TYPES,
    check=check,
)
