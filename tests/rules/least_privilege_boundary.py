"""The cases of VTC-LEAST-PRIVILEGE-BOUNDARY (policies/rules/least_privilege_boundary.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

from tests.rules._common import case, role


@case("VTC-LEAST-PRIVILEGE-BOUNDARY", False)
def boundary_present(s):
    role(s)


@case("VTC-LEAST-PRIVILEGE-BOUNDARY", True)
def boundary_missing(s):
    role(s, permissions_boundary=None)
