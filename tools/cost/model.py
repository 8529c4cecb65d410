"""The parts of an estimate: a priced line, and what a resource's pricer sees."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tools.cost.assembly import StackTemplate
from tools.cost.tables import Assumptions, PriceTable


def number(value: float) -> str:
    """Quantities, prices and assumptions as people read them: 15,330 and 0.0000133334, not 1.533e+04."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.10f}".rstrip("0").rstrip(".") if value else "0"


@dataclass(kw_only=True)
class Line:
    """quantity x unit price = the monthly amount; `ceiling_quantity` where the storage ceiling
    (MaxAllocatedStorage) changes the quantity."""

    service: str
    item: str
    region: str
    quantity: float
    unit: str
    unit_price: float
    price_key: str
    resources: list[str]
    ceiling_quantity: float | None = None
    assumptions: tuple[str, ...] = ()

    @property
    def monthly(self) -> float:
        return self.quantity * self.unit_price

    @property
    def monthly_at_ceiling(self) -> float:
        return (self.quantity if self.ceiling_quantity is None else self.ceiling_quantity) * self.unit_price

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "item": self.item,
            "region": self.region,
            "quantity": round(self.quantity, 6),
            "unit": self.unit,
            "unit_price": self.unit_price,
            "price_key": self.price_key,
            "monthly": round(self.monthly, 2),
            "monthly_at_ceiling": round(self.monthly_at_ceiling, 2),
            "resources": self.resources,
            "assumptions": list(self.assumptions),
        }


@dataclass(frozen=True, kw_only=True)
class PriceContext:
    """What a resource's pricer sees: the environment's stacks, the prices and the assumptions."""

    env: str
    stacks: list[StackTemplate]
    prices: PriceTable
    assumptions: Assumptions

    def price(self, stack: StackTemplate, key: str, logical_id: str, region: str | None = None) -> float:
        return self.prices.price(region or stack.region, key, f"{stack.name}/{logical_id}")

    def of_type(self, resource_type: str) -> Iterable[tuple[StackTemplate, str, dict[str, Any]]]:
        for stack in self.stacks:
            for lid, resource in stack.resources.items():
                if resource.get("Type") == resource_type:
                    yield stack, lid, resource
