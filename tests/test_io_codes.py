"""The country-code table (sim.io.codes): COW codes and SIPRI names to ISO ids, gaps filled."""

import pytest

from sim.io import (
    country_codes,
    fold_name,
    sipri_party,
    world_from_atop,
)
from tests.helpers import SHARED_DATA

REAL = SHARED_DATA
ATOP = REAL / "atop5_1m.csv"
needs_atop = pytest.mark.skipif(not ATOP.exists(), reason=f"real ATOP member file absent: {ATOP}")


def test_code_table_gaps_fixture():
    codes = country_codes()
    assert (codes.by_ccode(946).id, codes.by_ccode(947).id) == ("KIR", "TUV")
    for name, iso in [("Kiribati", "KIR"), ("Marshall Islands", "MHL"), ("Micronesia", "FSM"),
                      ("Palau", "PLW"), ("Tuvalu", "TUV")]:  # fmt: skip
        p = sipri_party(name)
        assert (p.category, p.id) == ("state", iso)
        assert (p.lat, p.lon) != (0.0, 0.0)
    assert sipri_party("unknown rebel group*").category == "unknown_party"


@needs_atop
def test_code_table_gaps_real_atop():
    w = world_from_atop(ATOP, year=1985)
    assert {"KIR", "TUV"} <= set(w.ids)
    assert not [a for a in w.ids if a[0] == "C" and a[1:].isdigit()]  # no placeholder actors
    assert w.actor("KIR").lat != 0.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Côte d'Ivoire", "COTE D'IVOIRE "),
        ("Türkiye", "turkiye"),
        ("São Tomé and Príncipe", "sao  tome and principe"),
    ],
)
def test_names_fold_alike_ignoring_accents_case_and_spaces(a, b):
    assert fold_name(a) == fold_name(b) == fold_name(fold_name(a))
    assert fold_name(a) == fold_name(a).strip().lower()
    assert "  " not in fold_name(b)


def test_a_cow_code_gives_the_row_of_its_period_or_the_closest_one():
    codes = country_codes()
    germany_west, germany = codes.by_ccode(260, 1980), codes.by_ccode(255, 2000)
    assert germany_west is not None and germany is not None
    assert (germany.id, germany_west.id) == ("DEU", "GFR")
    assert (germany_west.first, germany_west.last) == (1955, 1990)
    assert codes.by_ccode(255, 2000) == codes.by_ccode(255)  # the latest row by default
    assert codes.by_ccode(99999) is None
    assert codes.by_sipri_name("GERMANY") == codes.by_sipri_name("Germany") == germany
    assert codes.by_sipri_name("West Germany") == germany_west
