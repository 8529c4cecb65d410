"""The cases of VTC-KEY-REENCRYPT (policies/rules/key_reencrypt.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

import aws_cdk as cdk

from tests.rules._common import ADMIN_STATEMENT, FB, case, key_with


@case("VTC-KEY-REENCRYPT", False, account=FB)
def reencrypt_rotation_365(s):
    key_with(s, [ADMIN_STATEMENT])


@case("VTC-KEY-REENCRYPT", True, account=FB)
def reencrypt_rotation_too_long(s):
    key_with(s, [ADMIN_STATEMENT], rotation_period_in_days=730)


@case("VTC-KEY-REENCRYPT", True, account=FB)
def reencrypt_rotation_off(s):
    key_with(s, [ADMIN_STATEMENT], enable_key_rotation=False, rotation_period_in_days=None)


@case("VTC-KEY-REENCRYPT", True, account=FB)
def reencrypt_period_from_parameter(s):
    days = cdk.CfnParameter(s, "Days", type="Number")
    key_with(s, [ADMIN_STATEMENT], rotation_period_in_days=days.value_as_number)
