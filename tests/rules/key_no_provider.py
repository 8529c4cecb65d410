"""The cases of VTC-KEY-NO-PROVIDER (policies/rules/key_no_provider.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

from tests.rules._common import ADMIN_STATEMENT, FB, WORKLOAD, case, key_with


@case("VTC-KEY-NO-PROVIDER", True, account=FB)
def no_provider_service_without_condition(s):
    key_with(
        s,
        [
            ADMIN_STATEMENT,
            {
                "Sid": "Logs",
                "Effect": "Allow",
                "Principal": {"Service": "logs.amazonaws.com"},
                "Action": ["kms:Encrypt", "kms:Decrypt"],
                "Resource": "*",
            },
        ],
    )


@case("VTC-KEY-NO-PROVIDER", False, account=FB)
def no_provider_service_pinned(s):
    key_with(
        s,
        [
            ADMIN_STATEMENT,
            {
                "Sid": "Logs",
                "Effect": "Allow",
                "Principal": {"Service": "logs.amazonaws.com"},
                "Action": ["kms:Encrypt", "kms:Decrypt"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": WORKLOAD}},
            },
        ],
    )
