"""The cases of VTC-KEY-CUSTODY-POLICY (policies/rules/key_custody_policy.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

from tests.rules._common import ADMIN, ADMIN_STATEMENT, BACKUP, FB, REGION, WORKLOAD, case, key_with


def _use(principal, condition=None, actions=("kms:Decrypt", "kms:GenerateDataKey*")) -> dict:
    statement = {"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": principal}, "Action": list(actions)}
    statement["Resource"] = "*"
    if condition is not None:
        statement["Condition"] = condition
    return statement


VIA_RDS = {"kms:ViaService": f"rds.{REGION}.amazonaws.com"}


@case("VTC-KEY-CUSTODY-POLICY", False, account=FB)
def key_policy_use_through_services(s):
    condition = {"StringEquals": {**VIA_RDS, "kms:CallerAccount": [WORKLOAD, BACKUP]}}
    key_with(s, [ADMIN_STATEMENT, _use([f"arn:aws:iam::{WORKLOAD}:root", BACKUP], condition)])


@case("VTC-KEY-CUSTODY-POLICY", False, account=FB)
def key_policy_use_through_custody_key_construct(s):
    # The construct the key custody stack uses: a role of another account, through S3, one bucket.
    from cdk_constructs.custody_key import CustodyKey, ServiceUse

    CustodyKey(
        s,
        "Data",
        alias_name="led-test-data",
        description="test",
        admin_principal_arns=[ADMIN],
        rotation_period_days=365,
        service_uses=[
            ServiceUse(sid="Workload", accounts=[WORKLOAD], services=[f"rds.{REGION}.amazonaws.com"]),
            ServiceUse(
                sid="Partner",
                accounts=["210987654321"],
                principal_arns=["arn:aws:iam::210987654321:role/led-exit-reader"],
                services=[f"s3.{REGION}.amazonaws.com"],
                actions=("kms:Decrypt",),
                grants=False,
                conditions={"ArnLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::led-exit/*"}},
            ),
        ],
    )


@case("VTC-KEY-CUSTODY-POLICY", True, account=FB)
def key_policy_use_without_via_service(s):
    # Any role of the workload account calls KMS directly: no service in between.
    key_with(
        s, [ADMIN_STATEMENT, _use(f"arn:aws:iam::{WORKLOAD}:root", {"StringEquals": {"kms:CallerAccount": WORKLOAD}})]
    )


@case("VTC-KEY-CUSTODY-POLICY", True, account=FB)
def key_policy_use_without_caller_account(s):
    key_with(s, [ADMIN_STATEMENT, _use(f"arn:aws:iam::{WORKLOAD}:root", {"StringEquals": VIA_RDS})])


@case("VTC-KEY-CUSTODY-POLICY", True, account=FB)
def key_policy_use_by_principal_outside_caller_account(s):
    condition = {"StringEquals": {**VIA_RDS, "kms:CallerAccount": WORKLOAD}}
    key_with(s, [ADMIN_STATEMENT, _use(["arn:aws:iam::999988887777:role/elsewhere"], condition)])


@case("VTC-KEY-CUSTODY-POLICY", True, account=FB)
def key_policy_admin_decrypts_directly(s):
    # Even the FB administration path uses the key only through a service.
    key_with(s, [ADMIN_STATEMENT, _use(ADMIN, actions=("kms:*",))])
