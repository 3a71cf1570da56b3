"""Supply in model v2 (sim.supply and the model's supply phase): own output, value-weighted
needs, trade that follows the tie, substitution, and interdiction on direct routes."""

import numpy as np
import pytest

from sim import AllianceModel, ModelParams
from sim.commodities import IMPORTANCE, USD_PER_UNIT
from sim.shocks import CutTie, RemoveState
from sim.supply import (
    SupplyNetwork,
    capped_share,
    deliver,
    deliver_rows,
    route_taken_rows,
    surge_targets,
)
from sim.world import Actor, PartnershipTie, SupplyTie, World
from sim.worlds import load_world

DAY = __import__("datetime").date(2024, 1, 1)
EXACT = ModelParams(
    volume_noise=0.0,
    interdiction_rate=0.0,
    direct_interdiction_rate=0.0,
    stability_noise=0.0,
    formation_rate=0.0,
)


def _world(*, domestic=None, partners=(("SUP", "REC", 0.5), ("ALT", "REC", 0.5)), alt_own=0.0):
    actors = (
        Actor("SUP", "supplier", bloc="axis", capability=0.5),
        Actor("ALT", "alternative", bloc="axis", capability=0.5,
              domestic={"shells": alt_own} if alt_own else {}),
        Actor("REC", "recipient", bloc="axis", capability=0.2, domestic=domestic or {}),
    )  # fmt: skip
    ties = [
        SupplyTie(DAY, "t", supplier="SUP", recipient="REC", commodity="shells", volume=100.0),
        SupplyTie(DAY, "t", supplier="ALT", recipient="REC", commodity="shells", volume=20.0),
    ]
    ties += [PartnershipTie(DAY, "t", a=a, b=b, strength=s) for a, b, s in partners]
    return World(actors, tuple(ties), name="supply-test")


def test_needs_are_own_output_plus_imports_and_weighted_by_value():
    w = _world(domestic={"shells": 120.0, "energy": 10.0})
    net = SupplyNetwork.from_world(w)
    i = w.ids.index("REC")
    rows = zip(net.need_actor, net.need_commodity, net.need_volume, strict=True)
    needs = {net.commodities[c]: v for a, c, v in rows if a == i}
    assert needs == {"shells": 240.0, "energy": 10.0}
    k = [j for j, a in enumerate(net.need_actor) if a == i]
    weights = dict(zip([net.commodities[net.need_commodity[j]] for j in k],
                       net.need_weight[k], strict=True))  # fmt: skip
    assert weights["shells"] == pytest.approx(240 * USD_PER_UNIT["shells"] * IMPORTANCE["shells"])
    assert weights["energy"] == pytest.approx(10 * USD_PER_UNIT["energy"] * IMPORTANCE["energy"])
    assert w.needs("REC") == {"shells": 240.0, "energy": 10.0}


def test_losing_a_supplier_costs_only_the_import_share():
    half = _world(domestic={"shells": 120.0})  # imports are half of the need
    params = EXACT.replace(substitution_rate=0.0)
    m = AllianceModel(half, params=params, shocks=[RemoveState("SUP", at=0)], rng=1)
    m.run_for(1)
    assert m.fulfilment("REC") == pytest.approx((120 + 20) / 240)
    assert m.import_dependence("REC") == pytest.approx(0.5)
    bare = AllianceModel(_world(), params=params, shocks=[RemoveState("SUP", at=0)], rng=1)
    bare.run_for(1)
    assert bare.fulfilment("REC") == pytest.approx(20 / 120)


def test_the_usa_can_be_hit_by_a_strike_on_its_own_industry():
    from sim.shocks import Degrade

    w = load_world("axis-2024")
    base = AllianceModel(w, params=EXACT, rng=1)
    m = AllianceModel(w, params=EXACT, shocks=[Degrade("USA", at=0, factor=0.5)], rng=1)
    base.run_for(12)
    m.run_for(12)
    assert m.capability("USA") < base.capability("USA") - 0.05


def test_substitution_turns_to_the_other_partner_with_spare_output():
    w = _world(alt_own=200.0)
    cut = [CutTie(("SUP", "REC"), at=0)]
    m = AllianceModel(w, params=EXACT, shocks=cut, rng=1)
    m.run_for(24)
    alt = m.delivered("ALT", "REC", "shells")
    # spare: surge_capacity of ALT's own 200 = 20 extra a month at the default 0.1
    assert alt == pytest.approx(20.0 + EXACT.surge_capacity * 200.0, rel=0.02)
    off = AllianceModel(w, params=EXACT.replace(substitution_rate=0.0), shocks=cut, rng=1)
    off.run_for(24)
    assert off.delivered("ALT", "REC", "shells") == pytest.approx(20.0)


def test_substitution_needs_an_active_partnership():
    w = _world(alt_own=200.0, partners=(("SUP", "REC", 0.5),))
    m = AllianceModel(w, params=EXACT, shocks=[CutTie(("SUP", "REC"), at=0)], rng=1)
    m.run_for(24)
    assert m.delivered("ALT", "REC", "shells") == pytest.approx(20.0)


def test_a_surge_ramps_up_at_substitution_rate():
    w = _world(alt_own=200.0)
    m = AllianceModel(w, params=EXACT, shocks=[CutTie(("SUP", "REC"), at=0)], rng=1)
    extra = []
    for _ in range(4):
        m.step()
        extra.append(m.delivered("ALT", "REC", "shells") - 20.0)
    r = EXACT.substitution_rate
    target = EXACT.surge_capacity * 200.0
    # the shortfall is seen after the first month's deliveries; the surge then closes r of the gap
    assert extra[0] == pytest.approx(0.0, abs=1e-9)
    assert extra[1] == pytest.approx(r * target, rel=1e-6)
    assert extra[2] == pytest.approx((1 - (1 - r) ** 2) * target, rel=1e-6)


def test_surge_targets_share_a_shortfall_by_pull_and_respect_spare_output():
    w = _world()
    net = SupplyNetwork.from_world(w)
    need = int(np.flatnonzero(net.need_commodity == net.commodities.index("shells"))[0])
    shortfall = np.zeros(len(net.need_volume))
    shortfall[need] = 30.0
    spare = np.zeros_like(net.production)
    spare[w.ids.index("SUP"), net.commodities.index("shells")] = 1e9
    spare[w.ids.index("ALT"), net.commodities.index("shells")] = 5.0
    got = surge_targets(net, shortfall=shortfall, eligible=np.ones(2, bool),
                        pull=np.array([1.0, 2.0]), spare=spare)  # fmt: skip
    assert got[0] == pytest.approx(10.0) and got[1] == pytest.approx(5.0)  # ALT capped at 5


def test_trade_follows_the_partnership():
    w = _world()
    from sim.shocks import Sanction

    # SUP joins a sanction on REC (a hostile act: the log-odds of SUP-REC fall by
    # hostility_weight) but keeps shipping; its volume falls with the strength.
    quiet = EXACT.replace(substitution_rate=0.0)
    m = AllianceModel(w, params=quiet, shocks=[Sanction("REC", at=0, suppliers=("ALT",),
                                                        by=("SUP",))], rng=1)  # fmt: skip
    m.run_for(36)
    s, s0 = m.strength("SUP", "REC"), 0.5
    assert s < s0
    expected = 100.0 * (s / s0) ** EXACT.trade_elasticity
    # last month's deliveries used the strength before this month's update
    assert m.delivered("SUP", "REC", "shells") == pytest.approx(expected, rel=0.02)
    flat = AllianceModel(w, params=EXACT.replace(trade_elasticity=0.0), rng=1)
    flat.run_for(36)
    assert flat.delivered("SUP", "REC", "shells") == pytest.approx(100.0)


def test_direct_routes_are_interdicted_at_their_own_rate():
    w = _world()
    p = ModelParams(volume_noise=0.0, interdiction_rate=0.0, direct_interdiction_rate=0.05,
                    stability_noise=0.0, formation_rate=0.0, trade_elasticity=0.0,
                    substitution_rate=0.0)  # fmt: skip
    got = []
    for seed in range(200):
        m = AllianceModel(w, params=p, rng=seed)
        m.step()
        got.append(m.delivered("SUP", "REC", "shells"))
    lost = 1 - np.mean(got) / 100.0
    assert lost == pytest.approx(0.05 * (1 - np.exp(-1 / 0.05)), abs=0.01)


def test_delivered_is_a_value_in_usd_unless_a_commodity_is_named():
    w = _world()
    m = AllianceModel(w, params=EXACT, rng=1)
    m.step()
    assert m.delivered("SUP", "REC") == pytest.approx(
        m.delivered("SUP", "REC", "shells") * USD_PER_UNIT["shells"]
    )
    from sim.errors import UnknownNameError

    with pytest.raises(UnknownNameError, match="did you mean 'shells'"):
        m.delivered("SUP", "REC", "shell")


# -- the array kernels: capped shares, and batches of rows equal to one row at a time ----------


def test_capped_share_is_min_1_num_over_den_and_0_without_a_denominator():
    num = np.array([0.0, 1.0, 3.0, 2.0, 5.0, 5e-324, 1.0])
    den = np.array([2.0, 4.0, 3.0, 1.0, 0.0, 1.0, 5e-324])
    got = capped_share(num, den)  # no overflow warning for the subnormal (warnings are errors)
    np.testing.assert_array_equal(got, [0.0, 0.25, 1.0, 1.0, 0.0, 5e-324, 1.0])
    assert ((got >= 0) & (got <= 1)).all()


@pytest.fixture(scope="module")
def net():
    return SupplyNetwork.from_world(load_world())


def _states(net, rows, seed):
    rng = np.random.default_rng(seed)
    k, n_routes = len(net.volume), len(net.route_tie)
    n, n_c = net.production.shape
    return {
        "output": net.production[None] * rng.uniform(0.2, 1.5, size=(rows, n, n_c)),
        "tie_open": rng.random((rows, k)) > 0.1,
        "passable": rng.random((rows, n)) > 0.1,
        "route_open": rng.random((rows, n_routes)) > 0.2,
        "volume": net.volume[None] * rng.uniform(0.5, 1.5, size=(rows, k)),
        "uniform": rng.random((rows, k)),
    }


def test_each_row_of_deliver_rows_is_one_deliver_call(net):
    s = _states(net, 4, seed=11)
    rates = np.array([[0.0], [0.05], [0.1], [0.2]])
    delivered, dispatched, taken = deliver_rows(
        net, **s, interdiction_rate=rates, direct_rate=rates / 2
    )
    assert delivered.shape == dispatched.shape == taken.shape == (4, len(net.volume))
    for r in range(4):
        one = {key: value[r] for key, value in s.items()}
        route = np.empty(len(net.volume), dtype=np.intp)
        d, x = deliver(
            net, **one, interdiction_rate=float(rates[r, 0]), direct_rate=float(rates[r, 0]) / 2,
            route_out=route,
        )  # fmt: skip
        np.testing.assert_array_equal(delivered[r], d)
        np.testing.assert_array_equal(dispatched[r], x)
        np.testing.assert_array_equal(taken[r], route)
    assert (delivered <= dispatched + 1e-12).all() and (dispatched >= 0).all()


def test_route_taken_rows_is_each_ties_first_usable_route(net):
    rng = np.random.default_rng(5)
    usable = rng.random((3, len(net.route_tie))) > 0.4
    taken = route_taken_rows(net, usable)
    for r in range(3):
        for tie in range(len(net.volume)):
            mine = np.flatnonzero((net.route_tie == tie) & usable[r])
            assert taken[r, tie] == (mine.min() if len(mine) else -1)
        np.testing.assert_array_equal(route_taken_rows(net, usable[r : r + 1])[0], taken[r])
