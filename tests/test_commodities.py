"""sim.commodities: every commodity has a positive value, an importance weight and a source."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

import sim.commodities as com
from sim.errors import UnknownNameError
from sim.world import COMMODITIES


@pytest.mark.parametrize(
    "table", [com.USD_PER_UNIT, com.IMPORTANCE, com.SOURCES, com.IMPORTANCE_SOURCES]
)
def test_every_commodity_covered_once(table):
    assert set(table) == set(COMMODITIES)


@pytest.mark.parametrize("commodity", list(COMMODITIES))
def test_values_positive_and_weights_in_unit_interval(commodity):
    usd = com.USD_PER_UNIT[commodity]
    w = com.IMPORTANCE[commodity]
    assert math.isfinite(usd) and usd > 0
    assert 0 < w <= 1


@pytest.mark.parametrize("commodity", list(COMMODITIES))
def test_sources_nonempty(commodity):
    for table in (com.SOURCES, com.IMPORTANCE_SOURCES):
        text = table[commodity]
        assert isinstance(text, str) and len(text.strip()) > 20


def test_judgement_is_marked():
    # the index commodities have no market price: their values must say they are judgement
    for c in ("troops", "technology"):
        assert com.SOURCES[c].startswith("judgement")
    assert all(s.startswith("judgement") for s in com.IMPORTANCE_SOURCES.values())


def test_usd_units_are_identity():
    assert com.USD_PER_UNIT["dual_use"] == com.USD_PER_UNIT["funding"] == 1.0


def test_combat_commodities_outweigh_enablers():
    combat = [com.IMPORTANCE[c] for c in ("arms", "drones", "missiles", "shells", "troops")]
    enablers = [com.IMPORTANCE[c] for c in ("energy", "dual_use", "funding", "technology")]
    assert min(combat) > max(enablers)


def test_value_usd_scalar_and_array():
    assert isinstance(com.value_usd("arms", 10), float)
    assert com.value_usd("arms", 10) == pytest.approx(10 * com.USD_PER_UNIT["arms"])
    out = com.value_usd("energy", np.array([1.0, 2.0]))
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, [2.4, 4.8])
    assert com.value_usd("missiles", 0) == 0.0


def test_value_usd_unknown_commodity():
    with pytest.raises(UnknownNameError, match="did you mean 'drones'"):
        com.value_usd("drone", 1)
    with pytest.raises(UnknownNameError):
        com.value_usd(None, 1)  # type: ignore[arg-type]


def test_doctests_run():
    result = doctest.testmod(com, raise_on_error=False, verbose=False)
    assert result.attempted >= 2
    assert result.failed == 0
