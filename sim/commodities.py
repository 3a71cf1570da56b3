"""Commodity values in USD and military importance weights, each with its source or reasoning."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.errors import UnknownNameError, suggest
from sim.world import COMMODITIES

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

__all__ = [
    "IMPORTANCE",
    "IMPORTANCE_SOURCES",
    "SOURCES",
    "USD_PER_UNIT",
    "value_usd",
    "weight_of",
]

#: USD million per one unit of each commodity's volume unit (see :data:`sim.world.COMMODITIES`),
#: per month: a supply or domestic volume times this is its value in USD million per month.
USD_PER_UNIT: dict[str, float] = {
    "arms": 2.4,  # per million SIPRI TIV
    "drones": 0.035,  # per drone
    "missiles": 3.0,  # per missile
    "shells": 1.0,  # per thousand rounds
    "troops": 5.0,  # per thousand personnel deployed for a month
    "energy": 2.4,  # per kboe/d held for a month (30,000 boe)
    "dual_use": 1.0,  # already USD million
    "funding": 1.0,  # already USD million
    "technology": 0.7,  # per point of the 0-100 transfer intensity
}

#: Where each :data:`USD_PER_UNIT` value comes from: outlet and date, or "judgement: ...".
SOURCES: dict[str, str] = {
    "arms": (
        "Rule: SIPRI prices a trend-indicator value at a weapon's unit production cost in "
        "constant 1990 US dollars (SIPRI Arms Transfers Database, sources and methods; World "
        "Peace Foundation blog on SIPRI's data, Mar 2018), so one "
        "million TIV is taken as USD 1 million of 1990 times the US consumer-price rise "
        "1990-2024 (CPI-U annual average 130.7 to 313.7, about 2.4; general knowledge, US "
        "Bureau of Labor Statistics) = USD 2.4 million of 2024. A lower bound: SIPRI's own "
        "estimate of the financial value of the arms trade (at least USD 138 bn in 2022, SIPRI "
        "via CIVICUS interview, 2024) also counts services, small arms and ammunition."
    ),
    "drones": (
        "CSIS estimated a Shahed-136/Geran-2 at about USD 35,000 (Feb 2025), then USD 20,000-"
        "50,000 (May 2025), as reported by RegioNews citing CNN (24 Aug 2025) and Ziare.com "
        "citing Defense Express (25 Aug 2025); Ukrainian intelligence put Alabuga's 2025 cost "
        "near USD 70,000 and Iran's 2022 production cost near USD 7,000 (Interfax-Ukraine, "
        "27 Dec 2022, Budanov). Taken: USD 35,000 = 0.035 USD million per drone."
    ),
    "missiles": (
        "Korea Institute for Defense Analyses: USD 3-5 million per short-range ballistic or "
        "cruise missile; RAND's Bruce Bennett: USD 2-3 million per short-range missile (both "
        "in Dong-A Ilbo, 4 Nov 2022). Taken: USD 3 million per missile (the Fath-360, "
        "Hwasong-11/KN-23 and Iranian missiles of the file are short-range)."
    ),
    "shells": (
        "Bain & Company via Sky News (26 May 2024; reported by Ukrinform via MENAFN and UNN the "
        "same day): a Russian 152 mm shell costs about USD 1,000 to make, a NATO 155 mm shell "
        "about USD 4,000. The file's shell flows are Soviet-calibre (North Korea to Russia), so "
        "1,000 rounds x USD 1,000 = 1.0 USD million per thousand rounds."
    ),
    "troops": (
        "judgement: a Russian contract soldier's minimum pay was about 204,000-210,000 roubles "
        "(about USD 2,400) a month in 2024 plus a 400,000-rouble federal signing bonus "
        "(Reuters, 31 Jul 2024; The Moscow Times, Jul 2024); pay is doubled for food, kit, "
        "transport and upkeep, giving about USD 5,000 per soldier-month = 5.0 USD million "
        "per thousand personnel per month."
    ),
    "energy": (
        "Brent averaged about USD 80 per barrel in 2024 (US EIA, 6 Jan 2025, via EnerKnol and "
        "The Crude Truth; EIA's forecast look-back gives USD 81). 1 kboe/d for a month = "
        "30,000 boe x USD 80 = 2.4 USD million. Gas and coal are valued at crude parity per "
        "barrel of oil equivalent, which overstates them (judgement, kept for one simple rule)."
    ),
    "dual_use": "The unit is already USD million per month (sim.world.COMMODITIES): 1.0.",
    "funding": "The unit is already USD million per month (sim.world.COMMODITIES): 1.0.",
    "technology": (
        "judgement: the index has no price. Anchored on the Iran-to-Russia Shahed 'franchise' "
        "(intensity 60 in axis-2024), a deal reported as billion-dollar (Washington Post via "
        "Censor.net, 17 Aug 2023): about USD 1 bn over the ~24 months from Nov 2022 = "
        "~USD 42 million a month at intensity 60 = 0.7 USD million per point per month."
    ),
}

#: Military importance in (0, 1] of one USD of each commodity for an actor's military
#: capability: the share of its value that becomes fighting power.
IMPORTANCE: dict[str, float] = {
    "arms": 1.0,
    "drones": 1.0,
    "missiles": 1.0,
    "shells": 1.0,
    "troops": 1.0,
    "energy": 0.1,
    "dual_use": 0.5,
    "funding": 0.5,
    "technology": 0.5,
}

#: The one-line argument behind each :data:`IMPORTANCE` weight (all are judgement).
IMPORTANCE_SOURCES: dict[str, str] = {
    "arms": "judgement: major weapons are fighting power itself; one USD of them counts fully.",
    "drones": "judgement: attack drones are expended in combat; one USD counts fully.",
    "missiles": "judgement: missiles are expended in combat; one USD counts fully.",
    "shells": "judgement: artillery ammunition is the war's main consumable; counts fully.",
    "troops": "judgement: deployed personnel are combat power directly; counts fully.",
    "energy": (
        "judgement: armed forces burn a few per cent of a nation's energy; most of one USD of "
        "energy serves the civilian economy, so 0.1."
    ),
    "dual_use": (
        "judgement: chips and machine tools become capability only through production, and "
        "part serves civilian uses, so 0.5."
    ),
    "funding": (
        "judgement: cash pays fighters and buys weapons but also welfare and politics "
        "(Hezbollah's social network, the Syrian state's salaries), so about half counts: 0.5."
    ),
    "technology": (
        "judgement: know-how raises output only with a lag and through production, so 0.5."
    ),
}


def value_usd(commodity: str, volume: ArrayLike) -> float | NDArray[np.float64]:
    """Value of a volume of a commodity in USD million per month.

    Parameters
    ----------
    commodity : str
        A commodity of :data:`sim.world.COMMODITIES`.
    volume : float or array_like
        Volume in the commodity's unit (per month where the unit is a flow).

    Returns
    -------
    float or ndarray
        ``volume * USD_PER_UNIT[commodity]``: a float for a scalar volume, an array otherwise.

    Raises
    ------
    UnknownNameError
        If `commodity` is not a known commodity.

    Examples
    --------
    >>> round(value_usd("drones", 130), 2)  # Iran's Shahed deliveries to Russia per month
    4.55
    >>> value_usd("shells", [500, 250]).tolist()  # thousand rounds per month
    [500.0, 250.0]
    """
    try:
        rate = USD_PER_UNIT[commodity]
    except (KeyError, TypeError):
        hint = suggest(commodity, COMMODITIES)
        raise UnknownNameError(
            f"unknown commodity {commodity!r}; known: {', '.join(COMMODITIES)}"
            + (f"; {hint}" if hint else "")
        ) from None
    out = np.asarray(volume, dtype=float) * rate
    return float(out) if out.ndim == 0 else out


def weight_of(commodity: str, volume: float) -> float:
    """Weight of `volume` units of `commodity` where commodities are combined: its value in
    USD million times its military importance (1 for a commodity outside the table).

    Parameters
    ----------
    commodity : str
        A commodity name (:data:`sim.world.COMMODITIES`).
    volume : float
        Units of it (its unit in :data:`USD_PER_UNIT`'s comments).

    Returns
    -------
    float
        USD million times the importance weight.

    Examples
    --------
    >>> weight_of("drones", 100) == 100 * USD_PER_UNIT["drones"] * IMPORTANCE["drones"]
    True
    """
    return float(volume) * USD_PER_UNIT.get(commodity, 1.0) * IMPORTANCE.get(commodity, 1.0)
