"""The rules of the VTC pack, discovered: every module of `policies/rules/` declares its rule as
`RULE = RuleSpec(...)` (or `RULES = (...)` for several), and nothing else lists them.

The pack, the README table (`python -m policies.table`) and the compliance report all read `RULES`.
Its order is the pack's reading order: the conditions in `PACK_ORDER` (a condition missing there
comes after them, in the catalogue's order), and within a condition by rule id (the condition's
own rule first). A module without a rule, a rule id declared twice or a condition the catalogue
(`policies/conditions.toml`) does not know stops the import with one line (`RegistryError`).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable

from policies.catalogue import catalogue
from policies.spec import PACK_NAME, RuleSpec

RULES_PACKAGE = "policies.rules"

# The conditions in the order the README's rule table and the pack's findings read them: keys,
# backups and exit, audit, no copy, logs, the processor, privileges, then the remaining ones.
PACK_ORDER: tuple[str, ...] = (
    "VTC-ENCRYPT-ALL",
    "VTC-KEY-CUSTODY",
    "VTC-KEY-NO-PROVIDER",
    "VTC-KEY-REENCRYPT",
    "VTC-BACKUP-RETENTION",
    "VTC-NO-STALE-BACKUP",
    "VTC-BACKUP-ELSEWHERE",
    "VTC-BACKUP-ENVIRONMENT",
    "VTC-EXIT",
    "VTC-REGULAR-AUDIT",
    "VTC-NO-COPY",
    "VTC-SEC-STORAGE",
    "VTC-AUDIT-TRAIL",
    "VTC-LOGS-DIRECT",
    "VTC-PROCESSOR",
    "VTC-LEAST-PRIVILEGE",
    "VTC-OUTSOURCING-2016",
    "VTC-PERSONAL-DATA",
    "VTC-POLICIES-VISIBLE",
    "VTC-RIGHT-SIZED",
)


class RegistryError(ValueError):
    """A problem with the rule modules, said in one line."""


def _declared(module: object, where: str) -> tuple[RuleSpec, ...]:
    several = getattr(module, "RULES", None)
    one = getattr(module, "RULE", None)
    specs = tuple(several) if several is not None else (one,) if one is not None else ()
    if not specs:
        raise RegistryError(f"{where}: no rule: declare RULE = RuleSpec(...) (or RULES = (...)) at the end")
    for spec in specs:
        if not isinstance(spec, RuleSpec):
            raise RegistryError(f"{where}: {spec!r} is not a RuleSpec")
    return specs


def discover(package: str = RULES_PACKAGE, known: Iterable[str] | None = None) -> tuple[RuleSpec, ...]:
    """Every rule of the package's modules (those not starting with "_"), in the pack's order."""
    conditions = list(known) if known is not None else [c.id for c in catalogue().conditions]
    root = importlib.import_module(package)
    seen: dict[str, str] = {}
    found: list[RuleSpec] = []
    for info in sorted(pkgutil.iter_modules(root.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        where = f"{package.replace('.', '/')}/{info.name}.py"
        for spec in _declared(importlib.import_module(f"{package}.{info.name}"), where):
            if spec.rule_id in seen:
                raise RegistryError(f"{where}: rule {spec.rule_id} is already declared in {seen[spec.rule_id]}")
            if spec.condition_id not in conditions:
                raise RegistryError(
                    f"{where}: rule {spec.rule_id}: condition {spec.condition_id} is not in policies/conditions.toml"
                )
            seen[spec.rule_id] = where
            found.append(spec)
    order = [*PACK_ORDER, *(c for c in conditions if c not in PACK_ORDER)]
    return tuple(sorted(found, key=lambda r: (order.index(r.condition_id), r.rule_id)))


RULES: tuple[RuleSpec, ...] = discover()

# VTC-GATE: these may never be acknowledged in an environment that holds personal data.
NEVER_ACKNOWLEDGE: tuple[str, ...] = tuple(r.rule_id for r in RULES if r.never_acknowledge)

BY_ID: dict[str, RuleSpec] = {r.rule_id: r for r in RULES}


def rules_for(resource_type: str) -> tuple[RuleSpec, ...]:
    return tuple(r for r in RULES if resource_type in r.resource_types or "*" in r.resource_types)


__all__ = ["BY_ID", "NEVER_ACKNOWLEDGE", "PACK_NAME", "PACK_ORDER", "RULES", "RegistryError", "RuleSpec", "rules_for"]
