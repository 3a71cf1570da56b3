"""Colour palettes of the figures: Okabe & Ito's colour-blind-safe set [1]_ and the colours of
blocs, partnership kinds, commodities and ensemble arms drawn from it.

References
----------
.. [1] M. Okabe and K. Ito, "Color Universal Design (CUD): how to make figures and
   presentations that are friendly to colorblind people", 2008. https://jfly.uni-koeln.de/color/
"""

from __future__ import annotations

from sim.world import COMMODITIES

__all__ = [
    "BLOC_COLOURS",
    "KIND_COLOURS",
    "KIND_LINESTYLES",
    "OKABE_ITO",
]

#: Okabe & Ito's eight colours, distinguishable under the common colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
_GREY = "#8C8C8C"  # neutral grey: readable for every kind of colour vision
_LOST = "#7F7F7F"
_CUT = OKABE_ITO["vermillion"]

#: Colours of the usual blocs; other blocs take the remaining colours in order of appearance.
BLOC_COLOURS = {"axis": OKABE_ITO["vermillion"], "west": OKABE_ITO["blue"], "neutral": _GREY}
_MORE_BLOC_COLOURS = (
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["orange"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["black"],
)
#: Colours of partnership kinds (yellow is left out: it vanishes as a thin line on white).
KIND_COLOURS = {
    "defence_pact": OKABE_ITO["black"],
    "union": OKABE_ITO["reddish_purple"],
    "strategic_partnership": OKABE_ITO["orange"],
    "entente": OKABE_ITO["sky_blue"],
    "basing": OKABE_ITO["bluish_green"],
    "cooperation": _GREY,
    "neutrality": _GREY,
    "non_aggression": _GREY,
}
#: Line styles that set apart the loosest pledges, which share cooperation's grey (the palette
#: has no ninth colour that stays visible as a thin line); every other kind is solid.
KIND_LINESTYLES = {"neutrality": "--", "non_aggression": ":"}
# Supply arrows by commodity; vermillion is kept for cut routes. The ninth is Paul Tol's wine.
_COMMODITY_PALETTE = (
    OKABE_ITO["blue"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["orange"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["black"],
    "#882255",
    _GREY,
    "#C9B400",
)
_COMMODITY_COLOURS = dict(zip(COMMODITIES, _COMMODITY_PALETTE, strict=True))
_ARM_COLOURS = {"shock": OKABE_ITO["vermillion"], "baseline": OKABE_ITO["blue"]}
