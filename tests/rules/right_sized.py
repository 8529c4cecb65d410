"""The cases of VTC-RIGHT-SIZED (policies/rules/right_sized.py):
small stacks, compliant and non-compliant."""

from __future__ import annotations

from tests.rules._common import case, database


@case("VTC-RIGHT-SIZED", False)
def right_sized_small(s):
    database(s)


@case("VTC-RIGHT-SIZED", True)
def right_sized_too_big(s):
    database(s, db_instance_class="db.r7g.16xlarge", max_allocated_storage=None)
