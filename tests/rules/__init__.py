"""The cases of the VTC rules, one module per rule module: `tests/rules/<module>.py` holds the
compliant and non-compliant cases of the rules of `policies/rules/<module>.py` (small stacks,
`@case(rule_id, fails)`); `_common.py` holds what several modules share.

Importing this package discovers every case module (those not starting with "_"). The rule tests
(tests/test_vtc_rules.py) and the violations app that the end-to-end test synthesizes through the
CDK CLI (tests/fixtures/violations_app) read `CASES`.
"""

from __future__ import annotations

import importlib
import pkgutil

from tests.rules._common import (
    ADMIN,
    ADMIN_STATEMENT,
    BACKUP,
    CASES,
    FB,
    FB_KEY,
    LOG_ARCHIVE,
    OTHER_KEY,
    REGION,
    WORKLOAD,
    Case,
    database,
)

MODULES: tuple[str, ...] = tuple(
    sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))
)
for _name in MODULES:
    importlib.import_module(f"{__name__}.{_name}")

CASES_BY_NAME: dict[str, Case] = {c.name: c for c in CASES}

__all__ = [
    "ADMIN",
    "ADMIN_STATEMENT",
    "BACKUP",
    "CASES",
    "CASES_BY_NAME",
    "FB",
    "FB_KEY",
    "LOG_ARCHIVE",
    "MODULES",
    "OTHER_KEY",
    "REGION",
    "WORKLOAD",
    "Case",
    "database",
]
