"""The country-code table (sim.io.codes): COW codes and SIPRI names to ISO ids, gaps filled."""

from pathlib import Path

import pytest

from sim.io import (
    country_codes,
    sipri_party,
    world_from_atop,
)

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data"
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
