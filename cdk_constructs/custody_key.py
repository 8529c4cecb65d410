"""A customer-managed KMS key held by the Facilitair Bedrijf (VTC-KEY-CUSTODY, §51).

Only the FB administration path administers the key (no `kms:*` for anybody); the LED accounts
may only use it through the AWS services named for the key's purpose (`kms:ViaService` plus
`kms:CallerAccount`), or, for service principals that write logs, under an encryption context
that names the workload account. AWS itself cannot use the key outside those requests (§44).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aws_cdk import CfnDeletionPolicy, CfnResource, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from config.xks import KeyPurpose
from contract.metadata import METADATA_ROTATION_PERIOD

if TYPE_CHECKING:
    from cdk_constructs.xks_keys import ExternalKeyStore

# What the FB administration path may do: everything to manage the key, nothing to use it.
KEY_ADMIN_ACTIONS: tuple[str, ...] = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:CreateGrant",
    "kms:DeleteAlias",
    "kms:DeleteImportedKeyMaterial",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:GetParametersForImport",
    "kms:ImportKeyMaterial",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)

KEY_USE_ACTIONS: tuple[str, ...] = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
)


@dataclass(frozen=True, kw_only=True)
class ServiceUse:
    """Accounts that may use the key, only through the named AWS services."""

    accounts: Sequence[str]
    services: Sequence[str]  # service endpoint names, e.g. "rds.eu-west-1.amazonaws.com"
    sid: str
    actions: Sequence[str] = KEY_USE_ACTIONS
    # Whether the accounts' services may hold grants on the key (RDS, Backup, Secrets Manager do).
    grants: bool = True
    # The exact principals allowed (e.g. the second partner's role); default: the accounts' roots.
    principal_arns: Sequence[str] = ()
    # Further conditions, e.g. an encryption context that ties S3 use to one bucket.
    conditions: Mapping[str, Mapping[str, object]] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ServicePrincipalUse:
    """An AWS service principal that encrypts on the workload's behalf (logs, trail, alarms)."""

    principal: str
    actions: Sequence[str]
    sid: str
    conditions: dict[str, dict[str, object]] = field(default_factory=dict)

    @classmethod
    def for_account(cls, sid: str, principal: str, account: str, actions: Sequence[str]) -> ServicePrincipalUse:
        """The service principal acting for one account only (aws:SourceAccount)."""
        return cls(
            sid=sid, principal=principal, actions=actions, conditions={"StringEquals": {"aws:SourceAccount": account}}
        )


class CustodyKey(Construct):
    """One symmetric key in the key custody account, with its alias and a policy that keeps
    administration with FB and use with the services of the LED accounts."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alias_name: str,
        description: str,
        admin_principal_arns: Sequence[str],
        service_uses: Sequence[ServiceUse] = (),
        service_principal_uses: Sequence[ServicePrincipalUse] = (),
        rotation_period_days: int,
        origin: str = "AWS_KMS",
        external_key_store: ExternalKeyStore | None = None,
        purpose: KeyPurpose | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if (origin == "EXTERNAL_KEY_STORE") != (external_key_store is not None):
            raise ValueError("CustodyKey: an external key store exactly with origin EXTERNAL_KEY_STORE")
        if external_key_store is not None:
            # The custom resource's function sets the policy: it must be allowed to (lockout check).
            admin_principal_arns = [*admin_principal_arns, external_key_store.admin_principal_arn]
        if not admin_principal_arns:
            raise ValueError("CustodyKey needs at least one FB administration principal")
        if not 90 <= rotation_period_days <= 2560:
            raise ValueError(f"rotation_period_days {rotation_period_days}: KMS allows 90-2560 days")

        statements = [
            iam.PolicyStatement(
                sid="FbKeyAdministration",
                principals=[iam.ArnPrincipal(arn) for arn in admin_principal_arns],
                actions=list(KEY_ADMIN_ACTIONS),
                resources=["*"],
            )
        ]
        for use in service_uses:
            conditions: dict[str, dict[str, object]] = {
                "StringEquals": {
                    "kms:ViaService": list(use.services),
                    "kms:CallerAccount": list(use.accounts),
                }
            }
            for operator, values in use.conditions.items():
                conditions[operator] = {**conditions.get(operator, {}), **values}
            principals: list[iam.IPrincipal] = (
                [iam.ArnPrincipal(arn) for arn in use.principal_arns]
                if use.principal_arns
                else [iam.AccountPrincipal(a) for a in use.accounts]
            )
            statements.append(
                iam.PolicyStatement(
                    sid=use.sid,
                    principals=principals,
                    actions=list(use.actions),
                    resources=["*"],
                    conditions=conditions,
                )
            )
            # Services (RDS, Backup, Secrets Manager) hold grants on the key; only for AWS
            # resources, never a free-standing grant.
            if not use.grants:
                continue
            statements.append(
                iam.PolicyStatement(
                    sid=f"{use.sid}Grants",
                    principals=principals,
                    actions=["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                    resources=["*"],
                    conditions={**conditions, "Bool": {"kms:GrantIsForAWSResource": "true"}},
                )
            )
        for sp in service_principal_uses:
            statements.append(
                iam.PolicyStatement(
                    sid=sp.sid,
                    principals=[iam.ServicePrincipal(sp.principal)],
                    actions=list(sp.actions),
                    resources=["*"],
                    conditions=sp.conditions or None,
                )
            )

        # Control Tower CT.KMS.PR.3 (and VTC-KEY-CUSTODY-ADMIN, §51): nobody, FB's administrators
        # included, creates a grant that is not for an AWS resource, unless an AWS service asks.
        statements.append(
            iam.PolicyStatement(
                sid="DenyGrantsNotForAwsResources",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["kms:CreateGrant"],
                resources=["*"],
                conditions={
                    "BoolIfExists": {"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false"}
                },
            )
        )

        policy = iam.PolicyDocument(statements=statements)
        if external_key_store is not None:
            self._in_external_key_store(
                external_key_store, alias_name, description, policy, purpose, rotation_period_days
            )
            return
        imported = origin == "EXTERNAL"
        self.key = kms.CfnKey(
            self,
            "Default",
            description=description,
            key_policy=policy,
            key_spec="SYMMETRIC_DEFAULT",
            key_usage="ENCRYPT_DECRYPT",
            # VTC-KEY-REENCRYPT (§46): KMS rotates AWS-generated material itself. Imported
            # material (FB crypto module, §45) cannot rotate automatically: FB imports new
            # material and calls RotateKeyOnDemand within the same period (see README).
            enable_key_rotation=not imported,
            rotation_period_in_days=None if imported else rotation_period_days,
            origin=origin,
            pending_window_in_days=30,
        )
        # A key is the only way to read every backup: never deleted with the stack.
        self.key.cfn_options.deletion_policy = CfnDeletionPolicy.RETAIN
        self.key.cfn_options.update_replace_policy = CfnDeletionPolicy.RETAIN
        self.key.add_metadata(METADATA_ROTATION_PERIOD, rotation_period_days)
        self.alias = kms.CfnAlias(self, "Alias", alias_name=f"alias/{alias_name}", target_key_id=self.key.attr_key_id)
        self.key_arn = self.key.attr_arn

    def _in_external_key_store(
        self,
        store: ExternalKeyStore,
        alias_name: str,
        description: str,
        policy: iam.PolicyDocument,
        purpose: KeyPurpose | None,
        rotation_period_days: int,
    ) -> None:
        """The key in FB's external key store (custom resource: CloudFormation cannot create it).

        KMS cannot rotate a key in a custom key store (EnableKeyRotation): VTC-KEY-REENCRYPT
        (§46) is met by a new external key and `led-ops reencrypt` within rotation_period_days."""
        if purpose is None:
            raise ValueError("CustodyKey: a key in the external key store needs its purpose (its external key)")
        resource = store.key(
            self,
            "Xks",
            purpose=purpose,
            properties={
                "AliasName": f"alias/{alias_name}",
                "Description": description,
                "KeyPolicy": Stack.of(self).resolve(policy.to_json()),
            },
        )
        cfn = resource.node.default_child
        assert isinstance(cfn, CfnResource)
        cfn.add_metadata(METADATA_ROTATION_PERIOD, rotation_period_days)
        self.key_arn = resource.get_att_string("Arn")
