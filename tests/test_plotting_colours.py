"""The figures' palettes (sim.plotting.colours): Okabe & Ito's published colours, and bloc, kind
and commodity colours (with line styles) that tell every kind apart, drawn from them."""

import pytest
from matplotlib.colors import to_rgb

from sim.plotting import colours
from sim.plotting.colours import BLOC_COLOURS, KIND_COLOURS, KIND_LINESTYLES, OKABE_ITO
from sim.world import COMMODITIES, PARTNERSHIP_KINDS

# Okabe & Ito (2008), as RGB 0-255.
PUBLISHED = {
    "black": (0, 0, 0),
    "orange": (230, 159, 0),
    "sky_blue": (86, 180, 233),
    "bluish_green": (0, 158, 115),
    "yellow": (240, 228, 66),
    "blue": (0, 114, 178),
    "vermillion": (213, 94, 0),
    "reddish_purple": (204, 121, 167),
}


def test_okabe_ito_is_the_published_palette():
    assert {k: tuple(round(c * 255) for c in to_rgb(v)) for k, v in OKABE_ITO.items()} == PUBLISHED


def test_the_usual_blocs_have_distinct_colours_from_the_palette_or_grey():
    assert BLOC_COLOURS["axis"] == OKABE_ITO["vermillion"]
    assert BLOC_COLOURS["west"] == OKABE_ITO["blue"]
    assert len(set(BLOC_COLOURS.values())) == len(BLOC_COLOURS)
    spare = colours._MORE_BLOC_COLOURS
    assert len(set(spare)) == len(spare) and not set(spare) & set(BLOC_COLOURS.values())
    assert set(spare) <= set(OKABE_ITO.values())


def test_every_partnership_kind_has_its_own_colour_and_line_style_and_never_yellow():
    assert set(KIND_COLOURS) == set(PARTNERSHIP_KINDS)
    looks = [(KIND_COLOURS[k], KIND_LINESTYLES.get(k, "-")) for k in PARTNERSHIP_KINDS]
    assert len(set(looks)) == len(looks)
    assert set(KIND_LINESTYLES) <= set(KIND_COLOURS)
    assert OKABE_ITO["yellow"] not in KIND_COLOURS.values()  # invisible as a thin line on white


def test_every_commodity_has_its_own_colour_and_none_is_the_cut_colour():
    assert list(colours._COMMODITY_COLOURS) == list(COMMODITIES)
    values = list(colours._COMMODITY_COLOURS.values())
    assert len(set(values)) == len(values)
    assert colours._CUT not in values  # vermillion marks cut routes only


@pytest.mark.parametrize("table", [BLOC_COLOURS, KIND_COLOURS, OKABE_ITO])
def test_every_colour_is_a_hex_string_matplotlib_reads(table):
    for value in table.values():
        assert value.startswith("#") and len(value) == 7
        to_rgb(value)
