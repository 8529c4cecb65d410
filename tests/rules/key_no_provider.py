"""The cases of VTC-KEY-NO-PROVIDER (policies/rules/key_no_provider.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

from tests.rules._common import ADMIN_STATEMENT, FB, WORKLOAD, allow_statement, case, key_with


def logs_use(condition=None) -> dict:
    """CloudWatch Logs, the service, allowed to use the key."""
    return allow_statement(
        {"Service": "logs.amazonaws.com"}, ["kms:Encrypt", "kms:Decrypt"], condition=condition, sid="Logs"
    )


@case("VTC-KEY-NO-PROVIDER", True, account=FB)
def no_provider_service_without_condition(s):
    key_with(s, [ADMIN_STATEMENT, logs_use()])


@case("VTC-KEY-NO-PROVIDER", False, account=FB)
def no_provider_service_pinned(s):
    key_with(s, [ADMIN_STATEMENT, logs_use(condition={"StringEquals": {"aws:SourceAccount": WORKLOAD}})])
