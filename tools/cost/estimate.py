"""One environment's monthly estimate: every resource of its templates is priced, declared free,
or listed as not priced; lines of the same kind are added up."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tools.cost.assembly import StackTemplate
from tools.cost.model import Line, PriceContext
from tools.cost.pricers import FREE, NOT_PRICED, PRICERS
from tools.cost.tables import Assumptions, PriceTable


@dataclass(kw_only=True)
class Estimate:
    env: str
    prices: PriceTable
    assumptions: Assumptions
    lines: list[Line] = field(default_factory=list)
    not_priced: dict[str, dict[str, Any]] = field(default_factory=dict)  # type -> {count, reason}

    @property
    def total(self) -> float:
        return sum(line.monthly for line in self.lines)

    @property
    def total_at_ceiling(self) -> float:
        return sum(line.monthly_at_ceiling for line in self.lines)

    def biggest(self, n: int = 5) -> list[Line]:
        return sorted(self.lines, key=lambda line: -line.monthly)[:n]

    def used_assumptions(self) -> list[str]:
        used = {name for line in self.lines for name in line.assumptions}
        return [name for name in self.assumptions.values if name in used]

    def as_dict(self) -> dict[str, Any]:
        return {
            "environment": self.env,
            "currency": self.prices.currency,
            "prices": {"as_of": self.prices.as_of.isoformat(), "kind": self.prices.kind, "file": self.prices.path.name},
            "total_monthly": round(self.total, 2),
            "total_monthly_at_storage_ceiling": round(self.total_at_ceiling, 2),
            "lines": [line.as_dict() for line in self.lines],
            "assumptions": {
                name: {
                    "value": self.assumptions.values[name].value,
                    "unit": self.assumptions.values[name].unit,
                    "note": self.assumptions.values[name].note,
                }
                for name in self.used_assumptions()
            },
            "not_priced": self.not_priced,
        }


def _merge(lines: list[Line]) -> list[Line]:
    """Lines of the same kind, region and price become one (e.g. all interface endpoints)."""
    merged: dict[tuple[str, str, str, str, float], Line] = {}
    for line in lines:
        key = (line.service, line.item, line.region, line.unit, line.unit_price)
        if key not in merged:
            merged[key] = dataclasses.replace(line, resources=list(line.resources))
            continue
        into = merged[key]
        if into.ceiling_quantity is not None or line.ceiling_quantity is not None:
            into.ceiling_quantity = (into.ceiling_quantity or into.quantity) + (line.ceiling_quantity or line.quantity)
        into.quantity += line.quantity
        into.resources += line.resources
        into.assumptions = tuple(dict.fromkeys(into.assumptions + line.assumptions))
    return list(merged.values())


def estimate(env: str, stacks: list[StackTemplate], prices: PriceTable, assumptions: Assumptions) -> Estimate:
    """The environment's estimate; a missing price raises CostError (one line), never prices zero."""
    ctx = PriceContext(env=env, stacks=stacks, prices=prices, assumptions=assumptions)
    result = Estimate(env=env, prices=prices, assumptions=assumptions)
    lines: list[Line] = []
    for stack in stacks:
        for lid, resource in stack.resources.items():
            rtype = str(resource.get("Type", "?"))
            if rtype in PRICERS:
                lines += PRICERS[rtype](ctx, stack, lid, resource)
            elif rtype in FREE or rtype.startswith("Custom::"):
                continue
            else:
                reason = NOT_PRICED.get(
                    rtype, "unknown to the estimator: price it (tools/cost/pricers.py) or declare it"
                )
                entry = result.not_priced.setdefault(rtype, {"count": 0, "reason": reason})
                entry["count"] += 1
    result.lines = sorted(_merge(lines), key=lambda line: (line.service, line.item, line.region))
    return result


def estimate_all(
    envs: dict[str, list[StackTemplate]],
    prices: PriceTable,
    assumptions_for: Callable[[str], Assumptions],
    only: Iterable[str] | None = None,
) -> dict[str, Estimate]:
    """Every environment's estimate (`assumptions_for(env)` gives its assumptions)."""
    names = list(only) if only else list(envs)
    return {env: estimate(env, envs[env], prices, assumptions_for(env)) for env in names}
