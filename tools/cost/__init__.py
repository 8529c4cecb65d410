"""The monthly cost estimate per environment (VTC-RIGHT-SIZED, VTC §52-54: "is the cloud economical
for a small application?"), computed from the synthesized templates, a pinned and dated price table
(prices.toml: on-demand list prices) and named usage assumptions (assumptions.toml).

    python -m tools.cost cdk.out            (make cost)

A price the table lacks is an error (which price, which region, which resource), never a zero; a
resource type the estimator does not price is listed beside the estimate, never dropped.
"""

from tools.cost.estimate import Estimate, estimate, estimate_all
from tools.cost.model import Line
from tools.cost.tables import (
    ASSUMPTIONS_FILE,
    PRICES_FILE,
    Assumptions,
    CostError,
    PriceTable,
    load_assumptions,
    load_prices,
)

__all__ = [
    "ASSUMPTIONS_FILE",
    "PRICES_FILE",
    "Assumptions",
    "CostError",
    "Estimate",
    "Line",
    "PriceTable",
    "estimate",
    "estimate_all",
    "load_assumptions",
    "load_prices",
]
