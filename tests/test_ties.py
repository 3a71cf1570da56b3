"""The tie submodels (sim.ties): stationarity, proportionate responses, defence damping,
hostile acts, dose-response, and the treaty shock."""

import numpy as np
import pytest

from sim import AllianceModel, ModelParams
from sim.shocks import BlockTransit, Degrade, Formalize, RemoveState, Restore, Sanction
from sim.ties import (
    DEFENCE_KINDS,
    KIND_STRENGTH,
    PartnershipLayer,
    allied_support,
    formation_candidates,
    log_drivers,
    logodds_targets,
    relax_strengths,
    rival_pressure,
    tie_drivers,
)
from sim.world import PARTNERSHIP_KINDS
from sim.worlds import load_world

QUIET = ModelParams(
    volume_noise=0.0,
    interdiction_rate=0.0,
    direct_interdiction_rate=0.0,
    stability_noise=0.0,
    formation_rate=0.0,
)


@pytest.fixture(scope="module")
def world():
    return load_world("axis-2024")


def _layer(s, damp=None):
    lay = PartnershipLayer(np.arange(len(s)), np.arange(len(s)) + 10, s, damp=damp)
    return lay


# -- the log-odds equation ------------------------------------------------------------------------


def test_targets_equal_the_observed_strengths_when_drivers_are_at_their_start():
    p = ModelParams()
    s0 = np.array([0.05, 0.3, 0.45, 0.8, 0.99])
    lay = _layer(s0)
    ld = log_drivers(p, np.full(5, 0.2), np.full(5, 0.1), np.full(5, 0.4))
    lay.ell0 = ld.copy()
    assert np.allclose(logodds_targets(lay, p, ld), s0, atol=1e-12)


def test_a_ten_percent_fall_of_any_driver_moves_the_target_by_less_than_a_tenth():
    p = ModelParams()
    s0 = np.linspace(0.05, 0.99, 40)
    lay = _layer(s0)
    x = np.array([0.3, 0.2, 0.5])
    lay.ell0 = np.tile(log_drivers(p, *x), (40, 1))
    for k in range(3):
        y = x.copy()
        y[k] *= 0.9
        shifted = logodds_targets(lay, p, np.tile(log_drivers(p, *y), (40, 1)))
        assert np.all(shifted < s0)  # monotone: a driver that falls lowers the tie
        assert np.max(s0 - shifted) < 0.1


def test_a_defence_clause_damps_the_response_but_does_not_freeze_it():
    p = ModelParams()
    s0 = np.array([0.99, 0.99])
    lay = _layer(s0, damp=[1.0, p.treaty_damping])
    x = np.array([0.3, 0.2, 0.5])
    lay.ell0 = np.tile(log_drivers(p, *x), (2, 1))
    lost = logodds_targets(lay, p, np.tile(log_drivers(p, *(x * 0.1)), (2, 1)))
    assert lost[1] < s0[1] - 1e-3  # it responds
    assert s0[0] - lost[0] > s0[1] - lost[1]  # less than a tie without the clause
    assert set(DEFENCE_KINDS) == {"defence_pact", "union"}


def test_each_hostile_act_lowers_the_log_odds_by_hostility_weight():
    p = ModelParams()
    lay = _layer(np.array([0.5]))
    lay.ell0 = log_drivers(p, *np.array([[0.3], [0.2], [0.5]]))
    lay.hostility[:] = 2
    z = np.log(logodds_targets(lay, p, lay.ell0) / (1 - logodds_targets(lay, p, lay.ell0)))
    assert z[0] == pytest.approx(-2 * p.hostility_weight)


def test_relaxation_closes_tie_rate_of_the_gap_exactly_and_dissolves_below_the_floor():
    p = ModelParams()
    lay = _layer(np.array([0.5, 0.052]))
    target = np.array([0.3, 0.0])
    gone = relax_strengths(lay, p, target)
    assert lay.s[0] == pytest.approx(0.3 + 0.2 * np.exp(-p.tie_rate))
    assert gone.tolist() == [False, True] and not lay.active[1] and lay.s[1] == 0.0


# -- the model on the default world


def test_without_shocks_and_noise_every_strength_is_exactly_stationary(world):
    m = AllianceModel(world, params=QUIET, rng=1)
    s0 = m.partners.s.copy()
    m.run_for(60)
    assert np.allclose(m.partners.s, s0, atol=1e-9)


@pytest.mark.parametrize("tie_model", ["logodds", "anchor", "inertia"])
def test_with_noise_the_baseline_drifts_little(world, tie_model):
    p = ModelParams(tie_model=tie_model, formation_rate=0.0)
    m = AllianceModel(world, params=p, rng=3)
    s0 = m.partners.s.copy()
    m.run_for(60)
    drift = np.abs(m.partners.s - s0)
    assert np.median(drift) < 0.02
    if tie_model == "inertia":
        assert np.array_equal(m.partners.s, s0)


def test_a_ten_percent_fall_of_a_partners_output_moves_no_tie_by_a_tenth(world):
    # The partner whose output falls 10% is each supplier in turn; every partnership is
    # checked after 36 months against the paired baseline, none dissolves.
    suppliers = sorted({t.supplier for t in world.ties_in("supply")})
    base = AllianceModel(world, params=QUIET, rng=1)
    base.run_for(36)
    for x in suppliers:
        m = AllianceModel(world, params=QUIET, shocks=[Degrade(x, at=0, factor=0.9)], rng=1)
        m.run_for(36)
        assert np.max(np.abs(m.partners.s - base.partners.s)) < 0.1, x
        assert m.partners.active.all(), x


def test_dose_response_is_monotone_in_the_degradation(world):
    doses = (1.0, 0.75, 0.5, 0.25, 0.0)
    out = []
    for f in doses:
        m = AllianceModel(world, params=QUIET, shocks=[Degrade("IRN", at=0, factor=f)], rng=2)
        m.run_for(24)
        out.append((m.fulfilment("HEZ"), m.capability("HEZ"), m.strength("IRN", "HEZ")))
    out = np.array(out)
    assert np.all(np.diff(out, axis=0) <= 1e-12), out
    assert out[-1, 1] < out[0, 1] - 0.005


def test_defence_pact_ties_respond_to_a_shock(world):
    ties = [t for t in world.ties_in("partnership") if t.kind in DEFENCE_KINDS]
    assert ties
    base = AllianceModel(world, params=QUIET, rng=1)
    m = AllianceModel(world, params=QUIET, shocks=[RemoveState("PRK", at=0)], rng=1)
    base.run_for(24)
    m.run_for(24)
    moved = [abs(m.strength(t.a, t.b) - base.strength(t.a, t.b)) for t in ties]
    assert max(moved) > 1e-3  # e.g. the CSTO ties once Russia's support changes


def test_blocking_transit_for_a_partner_lowers_that_tie(world):
    base = AllianceModel(world, params=QUIET, rng=1)
    m = AllianceModel(world, params=QUIET, shocks=[BlockTransit("AZE", at=0)], rng=1)
    base.run_for(12)
    m.run_for(12)
    assert m.strength("RUS", "AZE") < base.strength("RUS", "AZE") - 0.02
    m = AllianceModel(
        world,
        params=QUIET.replace(hostility_weight=0.0),
        shocks=[BlockTransit("AZE", at=0)],
        rng=1,
    )
    m.run_for(12)
    assert m.strength("RUS", "AZE") > base.strength("RUS", "AZE") - 0.02


def test_a_sanction_lowers_the_tie_only_with_those_who_impose_it(world):
    def run(*shocks):
        m = AllianceModel(world, params=QUIET, shocks=list(shocks), rng=1)
        m.run_for(12)
        return m.strength("RUS", "CHN")

    base = run()
    complying = run(Sanction("RUS", at=0, suppliers=("CHN",)))
    imposing = run(Sanction("RUS", at=0, suppliers=("CHN",), by=("CHN",)))
    assert imposing < complying - 0.05
    assert abs(complying - base) < 0.05


def test_a_restored_blockade_lets_the_tie_recover(world):
    block = BlockTransit("AZE", at=0)
    base = AllianceModel(world, params=QUIET, rng=1)
    m = AllianceModel(world, params=QUIET, shocks=[block, Restore(block, at=12)], rng=1)
    base.run_for(60)
    m.run_for(60)
    assert m.strength("RUS", "AZE") == pytest.approx(base.strength("RUS", "AZE"), abs=0.01)


# -- Formalize


def test_formalize_sets_the_kind_strength_and_the_new_steady_state(world):
    m = AllianceModel(
        world, params=QUIET, shocks=[Formalize(("RUS", "IRN"), at=0, kind="defence_pact")], rng=1
    )
    m.run_for(1)
    assert m.strength("RUS", "IRN") == pytest.approx(0.99, abs=1e-4)
    m.run_for(23)
    # its new steady state, give or take the trade the stronger tie brings (trade follows
    # the tie, and more support holds it a little higher)
    assert m.strength("RUS", "IRN") == pytest.approx(0.99, abs=1e-3)
    G = m.to_networkx()
    assert G.edges["RUS", "IRN", "partnership"]["kind"] == "defence_pact"


def test_formalize_creates_a_tie_where_there_was_none(world):
    a, b = "IRN", "PRK"
    assert AllianceModel(world, rng=1).strength(a, b) == 0.0
    m = AllianceModel(world, params=QUIET, shocks=[Formalize((a, b), at=0)], rng=1)
    m.run_for(12)
    assert m.strength(a, b) == pytest.approx(0.5, abs=0.01)


def test_formalize_rejects_unknown_kinds_and_strengths():
    from sim.errors import ShockError

    with pytest.raises(ShockError, match="did you mean 'defence_pact'"):
        Formalize(("RUS", "IRN"), at=0, kind="defense_pact")
    with pytest.raises(ShockError, match=r"\(0, 1\]"):
        Formalize(("RUS", "IRN"), at=0, strength=1.5)


def test_a_treaty_with_a_fallen_regime_is_not_signed(world):
    shocks = [RemoveState("SYR", at=0), Formalize(("RUS", "SYR"), at=1, kind="defence_pact")]
    m = AllianceModel(world, params=QUIET, shocks=shocks, rng=1)
    m.run_for(3)
    assert m.strength("RUS", "SYR") == 0.0


def test_dissolution_is_the_one_hysteresis_a_dissolved_tie_stays_dissolved(world):
    # A blockade with a heavy hostility weight drives Russia-Azerbaijan below the floor; when
    # the blockade ends the drivers return, but a dissolved tie does not (Leeds & Savun 2007):
    # only formation could bring the pair back.
    p = QUIET.replace(hostility_weight=3.0)
    block = BlockTransit("AZE", at=0)
    m = AllianceModel(world, params=p, shocks=[block, Restore(block, at=36)], rng=1)
    m.run_for(35)
    assert m.strength("RUS", "AZE") == 0.0
    m.run_for(25)
    assert m.strength("RUS", "AZE") == 0.0
    mild = AllianceModel(world, params=QUIET, shocks=[block, Restore(block, at=36)], rng=1)
    mild.run_for(36)
    low = mild.strength("RUS", "AZE")
    mild.run_for(36)  # not dissolved: it recovers towards its 0.3 at tie_rate
    assert low < 0.2 < 0.28 < mild.strength("RUS", "AZE") <= 0.3 + 1e-9


# -- the layer's arithmetic: support, pressure, candidates, drivers ----------------------------


def _star():
    """Actor 0 tied to 1 (strength 0.5) and 2 (0.25); capabilities 1, 2, 4, 8."""
    return PartnershipLayer([0, 0], [1, 2], [0.5, 0.25]), np.array([1.0, 2.0, 4.0, 8.0])


def test_allied_support_is_strength_times_the_partners_capability_summed():
    lay, cap = _star()
    np.testing.assert_allclose(allied_support(lay, cap), [0.5 * 2 + 0.25 * 4, 0.5, 0.25, 0.0])
    lay.s[1] = 0.0  # an inactive tie has strength 0 and counts for nothing
    np.testing.assert_allclose(allied_support(lay, cap), [1.0, 0.5, 0.0, 0.0])


def test_allied_support_of_a_batch_is_each_rows_own():
    lay, cap = _star()
    caps = np.vstack([cap, cap[::-1]])
    lay.s = np.vstack([lay.s, [1.0, 0.0]])
    got = allied_support(lay, caps)
    assert got.shape == (2, 4)
    np.testing.assert_allclose(got[0], [2.0, 0.5, 0.25, 0.0])
    np.testing.assert_allclose(got[1], [4.0, 8.0, 0.0, 0.0])


def test_rival_pressure_is_intensity_times_the_rivals_capability_both_ways():
    cap = np.array([1.0, 2.0, 4.0])
    got = rival_pressure(np.array([0, 1]), np.array([1, 2]), np.array([0.5, 1.0]), cap)
    np.testing.assert_allclose(got, [0.5 * 2, 0.5 * 1 + 1.0 * 4, 1.0 * 2])
    assert rival_pressure(np.array([], int), np.array([], int), np.array([]), cap).sum() == 0


def test_formation_candidates_share_a_rival_and_are_not_rivals_themselves():
    # 0 and 2 are both rivals of 1; 3 is a rival of 1 and of 0
    ra, rb = np.array([0, 2, 1, 3]), np.array([1, 1, 3, 0])
    a, b = formation_candidates(5, ra, rb)
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    assert pairs == {(0, 2), (2, 3)}
    assert all(i < j for i, j in pairs)  # upper triangle, each pair once
    assert (0, 3) not in pairs and (0, 1) not in pairs  # rivals are never candidates
    assert len(formation_candidates(5, np.array([], int), np.array([], int))[0]) == 0


def test_tie_drivers_are_in_0_1_and_follow_their_formulas():
    lay, cap = _star()
    support = allied_support(lay, cap)
    pressure = np.array([2.0, 0.0, 1.0, 0.0])
    fulfilment = np.array([1.0, 0.5, 0.8, 1.0])
    cover_a, cover_b = np.array([0.6, 0.0]), np.array([0.2, 0.4])
    sup, dep, threat = tie_drivers(
        lay, cap=cap, support=support, pressure=pressure, fulfilment=fulfilment,
        cover_a=cover_a, cover_b=cover_b,
    )  # fmt: skip
    np.testing.assert_allclose(sup, [0.4, 0.2])  # the mean of the two covers
    # tie 0 (actors 0, 1, s = 0.5): alternatives f - cover = 0.4 and 0.3
    dep0 = 0.25 * (0.6 * (1 - 0.4) + 0.5 * 2 / (1 + 2) + 0.2 * (1 - 0.3) + 0.5 * 1 / (2 + 0.5))
    x0 = (2.0 + 0.0) / (1 + 2 + (2 - 0.5 * 2) + (0.5 - 0.5 * 1))
    assert dep[0] == pytest.approx(dep0, rel=1e-9)
    assert threat[0] == pytest.approx(x0 / (1 + x0), rel=1e-9)
    for d in (sup, dep, threat):
        assert ((d >= 0) & (d <= 1)).all()


def test_kind_strengths_rank_pledges_from_pacts_down_to_non_aggression():
    assert set(KIND_STRENGTH) == set(PARTNERSHIP_KINDS)
    assert all(0 < v <= 1 for v in KIND_STRENGTH.values())
    assert {k for k, v in KIND_STRENGTH.items() if v == 1.0} == {"defence_pact", "union"}
    assert KIND_STRENGTH["non_aggression"] == min(KIND_STRENGTH.values())
    assert set(DEFENCE_KINDS) <= {k for k, v in KIND_STRENGTH.items() if v == 1.0}
