"""What one unit of each supply commodity is worth, in USD, and how much it counts for capability.

Supply volumes are counted in each commodity's own unit (:data:`sim.world.COMMODITIES`): SIPRI
TIV, drones, thousand shells, kboe/d... Adding them up is meaningless, so the model values them
in one unit (USD million per month, :data:`USD_PER_UNIT`) wherever commodities are combined —
an actor's fulfilment, ``delivered:A->B`` — and weighs each by its military importance
(:data:`IMPORTANCE`). :data:`SOURCES` gives the source or the reasoning behind each figure.
"""

from __future__ import annotations

import numpy as np

from sim.world import COMMODITIES

__all__ = ["IMPORTANCE", "SOURCES", "USD_PER_UNIT", "value_usd"]

#: USD million per one unit of the commodity's volume unit (per month).
USD_PER_UNIT: dict[str, float] = {
    "arms": 2.0,
    "drones": 0.035,
    "missiles": 1.0,
    "shells": 2.0,
    "troops": 3.0,
    "energy": 2.1,
    "dual_use": 1.0,
    "funding": 1.0,
    "technology": 1.0,
}

#: Weight in (0, 1] of one USD of the commodity in an actor's military capability.
IMPORTANCE: dict[str, float] = {
    "arms": 1.0,
    "drones": 1.0,
    "missiles": 1.0,
    "shells": 1.0,
    "troops": 1.0,
    "energy": 0.2,
    "dual_use": 0.7,
    "funding": 0.8,
    "technology": 0.5,
}

#: Source or reasoning for each figure.
SOURCES: dict[str, str] = {
    "arms": "judgement: one SIPRI TIV million (1990 production-cost dollars) ~ 2 USD million today",
    "drones": "judgement: a Shahed-136/Geran-2 is reported at USD 20-50 thousand",
    "missiles": "judgement: short-range ballistic missiles cost ~USD 0.5-1.5 million each",
    "shells": "judgement: 152 mm rounds at ~USD 2,000 each, i.e. USD 2 million per thousand",
    "troops": "judgement: ~USD 3,000 per soldier-month including upkeep",
    "energy": "1 kboe/d for 30 days = 30,000 boe at ~USD 70/boe",
    "dual_use": "already in USD million",
    "funding": "already in USD million",
    "technology": "judgement: the 0-100 index read as USD million per month",
}

assert set(USD_PER_UNIT) == set(COMMODITIES) == set(IMPORTANCE) == set(SOURCES)


def value_usd(commodity: str, volume):
    """Value of `volume` units of `commodity` in USD million.

    Examples
    --------
    >>> round(value_usd("drones", 100), 2)
    3.5
    """
    return np.asarray(volume, dtype=float) * USD_PER_UNIT[commodity] if np.ndim(
        volume
    ) else float(volume) * USD_PER_UNIT[commodity]
