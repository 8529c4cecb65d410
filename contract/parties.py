"""The parties of the LED (VTC §14-15): the values of the owner and operator tags."""

from __future__ import annotations

FB = "Facilitair Bedrijf"
AHOVOKS = "AHOVOKS"
# The platform operator (the processor): its roles' led:party tag and the stacks' led:operator tag.
OPERATOR_PARTY = "Cronos Public Services"
