"""The shock catalogue: each shock's effect, its undo, and clear errors for invalid shocks."""

from pathlib import Path

import numpy as np
import pytest

from sim import AllianceModel, ModelParams
from sim.errors import ShockError, SimError
from sim.shocks import (
    SHOCKS,
    BlockTransit,
    CutTie,
    Defect,
    Degrade,
    Formalize,
    RandomFailure,
    RemoveState,
    Restore,
    Sanction,
    TargetedAttack,
)
from sim.world import World
from sim.worlds import synthetic
from tests.helpers import EXACT_SUPPLY

TINY = Path(__file__).parent / "data" / "tiny.toml"
EXACT = EXACT_SUPPLY


@pytest.fixture(scope="module")
def tiny():
    return World.from_toml(TINY)


def run(world, *shocks, steps=2, params=EXACT, rng=1):
    m = AllianceModel(world, params=params, shocks=shocks, rng=rng)
    m.run_for(steps)
    return m


def test_registry_names_every_shock():
    assert set(SHOCKS) == {
        "remove_state",
        "defect",
        "cut_tie",
        "block_transit",
        "degrade",
        "sanction",
        "random_failure",
        "targeted_attack",
        "restore",
        "formalize",
    }
    assert SHOCKS["remove_state"] is RemoveState


def test_remove_state_removes_the_actor_its_ties_and_its_deliveries(tiny):
    m = run(tiny, RemoveState("BBB", at=0))
    assert not m.alive("BBB") and m.capability("BBB") == 0.0
    assert m.delivered("BBB", "CLI", "arms") == m.delivered("BBB", "AAA", "drones") == 0.0
    assert m.strength("AAA", "BBB") == 0.0


def test_a_removed_transit_reroutes_to_the_alternative(tiny):
    m = run(tiny, RemoveState("TRN", at=0))
    assert m.delivered("BBB", "CLI", "arms") == pytest.approx(20.0 * 0.1)


@pytest.mark.parametrize(
    "shock",
    [RemoveState("TRN", at=0, fate="neutral"), Defect("TRN", at=0, to_bloc="west")],
    ids=["neutral", "defect"],
)
def test_a_realigned_transit_closes_its_territory_to_former_partners(tiny, shock):
    m = run(tiny, shock)
    assert m.alive("TRN") and m.bloc("TRN") != "axis"
    assert m.delivered("BBB", "CLI", "arms") == pytest.approx(2.0)


def test_defect_dissolves_ties_with_the_former_bloc_and_cuts_its_supply(tiny):
    m = run(tiny, Defect("BBB", at=0, to_bloc="west"))
    assert m.bloc("BBB") == "west"
    assert m.strength("AAA", "BBB") == 0.0
    assert m.delivered("BBB", "AAA", "drones") == m.delivered("BBB", "CLI", "arms") == 0.0


def test_cut_tie_supply_and_partnership(tiny):
    m = run(tiny, CutTie(("BBB", "CLI"), at=0))
    assert m.delivered("BBB", "CLI", "arms") == 0.0 and m.delivered(
        "BBB", "AAA", "drones"
    ) == pytest.approx(80)
    m = run(tiny, CutTie(("BBB", "AAA"), at=0, commodity="drones"))
    assert m.delivered("BBB", "AAA", "drones") == 0.0
    m = run(tiny, CutTie(("AAA", "BBB"), at=0, layer="partnership"))
    assert m.strength("AAA", "BBB") == 0.0


def test_block_transit_by_actor_or_by_corridor_name(tiny):
    assert run(tiny, BlockTransit("TRN", at=0)).delivered("BBB", "CLI", "arms") == pytest.approx(
        2.0
    )
    assert run(tiny, BlockTransit("land bridge", at=0)).delivered(
        "BBB", "CLI", "arms"
    ) == pytest.approx(2.0)
    # both the main route and its alternative closed: nothing arrives
    m = run(tiny, BlockTransit("land bridge", at=0), BlockTransit("air", at=0))
    assert m.delivered("BBB", "CLI", "arms") == 0.0


def test_degrade_production_and_capability(tiny):
    m = run(tiny, Degrade("BBB", at=0, factor=0.5))
    # BBB makes 100 drones and ships 80: half its output (50) still goes out, all to AAA;
    # its 20 arms are all committed, so CLI gets half.
    assert m.delivered("BBB", "AAA", "drones") == pytest.approx(50.0)
    assert m.delivered("BBB", "CLI", "arms") == pytest.approx(10.0)
    m = run(tiny, Degrade("AAA", at=0, factor=0.5, what="capability"), steps=1)
    # halved at once, then the target capability is halved too: it stays near 0.4
    assert m.capability("AAA") == pytest.approx(0.4, abs=0.02)


def test_sanction_named_suppliers_or_full_embargo(tiny):
    m = run(tiny, Sanction("CLI", at=0, suppliers=("BBB",)))
    assert m.delivered("BBB", "CLI", "arms") == 0.0
    m = run(tiny, Sanction("BBB", at=0, buyers=("CLI",)))
    assert m.delivered("BBB", "CLI", "arms") == 0.0 and m.delivered(
        "BBB", "AAA", "drones"
    ) == pytest.approx(80)
    m = run(tiny, Sanction("BBB", at=0))
    assert m.delivered("BBB", "CLI", "arms") == m.delivered("BBB", "AAA", "drones") == 0.0


def test_random_failure_removes_a_fraction_drawn_from_the_model_rng():
    w = synthetic(100, mean_degree=4, rng=3)
    a = run(w, RandomFailure(0.2, at=1), rng=9, params=ModelParams())
    b = run(w, RandomFailure(0.2, at=1), rng=9, params=ModelParams())
    c = run(w, RandomFailure(0.2, at=1), rng=10, params=ModelParams())
    dead = [{x for x in w.ids if not m.alive(x)} for m in (a, b, c)]
    assert len(dead[0]) >= 20 and dead[0] == dead[1] and dead[0] != dead[2]
    m = run(w, RandomFailure(0.5, at=0, bloc="west"), params=ModelParams())
    assert all(w.actor(x).bloc == "west" for x in w.ids if not m.alive(x))


def test_random_failure_by_count_removes_exactly_k_like_a_targeted_attack():
    w = synthetic(100, mean_degree=4, rng=3)
    n_axis = sum(a.bloc == "axis" for a in w.actors)
    draws = []
    for seed in range(4):
        # two steps: the shock (at=1) has struck, no collapse has had time to add to it
        m = run(w, RandomFailure(k=3, at=1, bloc="axis"), steps=2, rng=seed)
        dead = {x for x in w.ids if not m.alive(x)}
        assert len(dead) == 3 and all(w.actor(x).bloc == "axis" for x in dead)
        draws.append(dead)
    assert len({frozenset(d) for d in draws}) > 1  # random, not the same three every time
    with pytest.raises(ShockError, match=r"more than the \d+ alive actors of bloc 'axis'"):
        AllianceModel(w, shocks=[RandomFailure(k=n_axis + 1, at=1, bloc="axis")], rng=1)


def test_random_vs_targeted_scenario_loses_the_same_number_of_actors_in_both_arms():
    from sim.scenario import load_scenario

    spec = load_scenario(Path(__file__).parents[1] / "scenarios" / "random_vs_targeted.toml")
    (attack,) = spec.shocks
    (failure,) = spec.baseline_shocks
    assert isinstance(failure, RandomFailure) and failure.fraction is None
    assert failure.k == attack.k == 3 and failure.bloc == attack.bloc == "axis"


def test_targeted_attack_removes_the_top_actors():
    w = synthetic(80, mean_degree=4, rng=4)
    G = w.to_networkx().to_undirected()
    simple = {v: len(set(G.neighbors(v)) - {v}) for v in G}
    top = max(simple, key=simple.get)
    m = run(w, TargetedAttack(1, at=0, by="degree"), params=ModelParams())
    assert not m.alive(top)
    m = run(w, TargetedAttack(3, at=0, by="capability"), params=ModelParams())
    caps = sorted(w.actors, key=lambda a: -a.capability)[:3]
    assert all(not m.alive(a.id) for a in caps)
    for recompute in (False, True):
        m = run(w, TargetedAttack(4, at=0, by="betweenness", recompute=recompute))
        assert sum(not m.alive(x) for x in w.ids) == 4


def test_restore_undoes_a_shock_after_a_delay(tiny):
    remove = RemoveState("BBB", at=1)
    m = run(tiny, remove, Restore(remove, at=3), steps=5)
    assert m.alive("BBB") and m.strength("AAA", "BBB") > 0
    assert m.delivered("BBB", "CLI", "arms") == pytest.approx(20.0)
    block = BlockTransit("TRN", at=0)
    m = run(tiny, block, Restore(block, at=2), steps=2)
    assert m.delivered("BBB", "CLI", "arms") == pytest.approx(2.0)
    m.run_for(1)
    assert m.delivered("BBB", "CLI", "arms") == pytest.approx(20.0)
    deg = Degrade("BBB", at=0, factor=0.0)
    m = run(tiny, deg, Restore(deg, at=1), steps=2)
    assert m.delivered("BBB", "AAA", "drones") == pytest.approx(80.0)


# -- errors ------------------------------------------------------------------------------------


def test_unknown_actor_is_a_shock_error_with_a_suggestion(tiny):
    with pytest.raises(ShockError, match=r"unknown actor 'BBX'.*did you mean 'BBB'"):
        AllianceModel(tiny, shocks=[RemoveState("BBX", at=1)], rng=1)
    with pytest.raises(ShockError, match="did you mean 'land bridge'"):
        AllianceModel(tiny, shocks=[BlockTransit("land brige", at=1)], rng=1)
    with pytest.raises(ShockError, match="unknown bloc"):
        AllianceModel(tiny, shocks=[Defect("AAA", at=1, to_bloc="wset")], rng=1)
    assert issubclass(ShockError, SimError)


def test_time_in_the_past_is_a_shock_error(tiny):
    m = AllianceModel(tiny, rng=1)
    m.run_for(5)
    with pytest.raises(ShockError, match="in the past"):
        m.add_shock(RemoveState("AAA", at=3))
    m.add_shock(RemoveState("AAA", at=5))  # now is allowed: applies before the next step
    m.run_for(1)
    assert not m.alive("AAA")


@pytest.mark.parametrize(
    "make",
    [
        lambda: RemoveState("AAA", at=-1),
        lambda: RemoveState("AAA", at=1.5),
        lambda: RemoveState("AAA", at=1, fate="exiled"),
        lambda: RandomFailure(0.0, at=1),
        lambda: RandomFailure(1.5, at=1),
        lambda: RandomFailure(at=1),
        lambda: RandomFailure(0.2, k=3, at=1),
        lambda: RandomFailure(k=0, at=1),
        lambda: RandomFailure(k=2.5, at=1),
        lambda: TargetedAttack(0, at=1),
        lambda: TargetedAttack(1, at=1, by="pagerank"),
        lambda: Degrade("AAA", at=1, factor=-1),
        lambda: CutTie(("AAA",), at=1),
        lambda: CutTie(("AAA", "BBB"), at=1, layer="rivalry"),
    ],
)
def test_malformed_shocks_are_rejected_when_built(make):
    with pytest.raises(ShockError):
        make()


def test_shocks_that_match_nothing_are_rejected(tiny):
    with pytest.raises(ShockError, match="no supply tie from 'CLI' to 'BBB'"):
        AllianceModel(tiny, shocks=[CutTie(("CLI", "BBB"), at=1)], rng=1)
    with pytest.raises(ShockError, match="no supply tie matches"):
        AllianceModel(tiny, shocks=[Sanction("RIV", at=1, suppliers=("AAA",))], rng=1)
    remove = RemoveState("AAA", at=4)
    with pytest.raises(ShockError, match="must come after"):
        AllianceModel(tiny, shocks=[remove, Restore(remove, at=4)], rng=1)
    with pytest.raises(ShockError, match="not scheduled"):
        AllianceModel(tiny, shocks=[Restore(remove, at=6)], rng=1)


def test_shocks_are_frozen_and_name_their_target_first():
    s = RemoveState("SYR", at=6)
    assert repr(s) == "RemoveState(target='SYR', at=6, fate='removed', to_bloc=None)"
    with pytest.raises(AttributeError):
        s.at = 7
    assert np.isscalar(hash(s))


# -- Restore: every shock's undo ------------------------------------------------------------------

#: No noise, no formation, volumes that do not follow the ties: a restored run and its
#: baseline differ only by what the shock did (strengths that moved meanwhile are not
#: rewound, so with trade following the tie the volumes would differ by design).
QUIET = EXACT_SUPPLY.replace(stability_noise=0.0, formation_rate=0.0)

RESTORABLE = [
    RemoveState("BBB", at=1),
    RemoveState("BBB", at=1, fate="neutral"),
    RemoveState("BBB", at=1, fate="defected", to_bloc="west"),
    Defect("BBB", at=1, to_bloc="west"),
    Defect("BBB", at=1, to_bloc="neutral"),
    CutTie(("AAA", "BBB"), at=1, layer="partnership"),
    CutTie(("BBB", "CLI"), at=1, layer="supply"),
    CutTie(("BBB", "AAA"), at=1, commodity="drones"),
    BlockTransit("TRN", at=1),
    BlockTransit("land bridge", at=1),
    Degrade("BBB", at=1, factor=0.0),
    Degrade("AAA", at=1, factor=0.5, what="capability"),
    Degrade("CLI", at=1, factor=3.0, what="capability"),
    Sanction("CLI", at=1, suppliers=("BBB",)),
    Sanction("AAA", at=1, suppliers=("BBB",), by=("BBB",)),
    Sanction("BBB", at=1),
    RandomFailure(k=2, at=1, bloc="axis"),
    RandomFailure(0.5, at=1),
    TargetedAttack(2, at=1, by="degree"),
    TargetedAttack(2, at=1, by="betweenness", recompute=True),
    TargetedAttack(1, at=1, by="capability", bloc="axis"),
    Formalize(("AAA", "BBB"), at=1, kind="defence_pact"),
    Formalize(("AAA", "CLI"), at=1, kind="strategic_partnership", strength=0.6),
]


def test_the_restore_cases_cover_every_shock_class():
    assert {type(s) for s in RESTORABLE} | {Restore} == set(SHOCKS.values())


@pytest.mark.parametrize("shock", RESTORABLE, ids=repr)
def test_restore_rewinds_what_the_shock_changed(tiny, shock):
    """After Restore the structure is the baseline's exactly: who is alive, blocs, ties in
    force, open ties and routes, multipliers, the anchors, and so (output not depending on
    capability here) every delivery. Capabilities, stabilities and strengths moved by the
    shock's consequences recover by the model's own dynamics: only what the shock itself cut
    at once (an actor's state when removed, a tie's strength when dissolved, a capability
    cut) is given back."""
    base = run(tiny, steps=5, params=QUIET)
    m = run(tiny, shock, Restore(shock, at=3), steps=5, params=QUIET)
    assert np.array_equal(m._alive, base._alive)
    assert [m.bloc(x) for x in tiny.ids] == [base.bloc(x) for x in tiny.ids]
    e = len(base.partners)
    assert np.array_equal(m.partners.active[:e], base.partners.active)
    assert not m.partners.active[e:].any()  # a tie a treaty created ends with it
    assert not m.partners.hostility.any()
    for name in ("logit0", "ell0", "damp", "base"):  # the ties' steady states
        assert np.array_equal(getattr(m.partners, name)[:e], getattr(base.partners, name)), name
    assert not m._tie_cut.any() and not m._blocking.any() and not m._route_closed.any()
    assert np.array_equal(m._prod_mult, base._prod_mult)
    assert np.array_equal(m._cap_mult, base._cap_mult)
    for name in ("_fulfil0", "_support0", "_pressure0"):
        assert np.array_equal(getattr(m, name), getattr(base, name)), name
    assert np.array_equal(m.delivered_array, base.delivered_array)
    assert m.delivered("BBB", "CLI", "arms") == pytest.approx(20.0)
    assert m.strength("AAA", "BBB") > 0.3
    if isinstance(shock, Degrade) and shock.what == "capability":
        # the cut is refunded at once, not regained over months (capability_rate 0.1/month)
        x = shock.target
        assert m.capability(x) == pytest.approx(base.capability(x), abs=0.01)
    if isinstance(shock, RemoveState | Defect | Sanction) and shock.target == "BBB":
        # "undo" stops the cause: what AAA lost while BBB's drones did not come (its
        # capability fell with its fulfilment) is not refunded; it recovers at the model's pace
        assert m.capability("AAA") < base.capability("AAA") - 0.03


def test_restoring_one_of_two_stacked_degradations_keeps_the_other():
    w = World.from_toml(TINY)
    half, third = Degrade("BBB", at=1, factor=0.5), Degrade("BBB", at=1, factor=1 / 3)
    m = run(w, half, third, Restore(half, at=2), steps=3, params=QUIET)
    assert m._prod_mult[m.index("BBB")] == 1 / 3  # exactly the remaining factor
    only = run(w, third, steps=3, params=QUIET)
    assert np.array_equal(m.delivered_array, only.delivered_array)


def test_a_tie_between_two_removed_actors_returns_when_both_are_back(tiny):
    a, b = RemoveState("AAA", at=1), RemoveState("BBB", at=2)
    m = run(tiny, a, b, Restore(a, at=3), steps=4, params=QUIET)
    assert m.alive("AAA") and not m.alive("BBB") and m.strength("AAA", "BBB") == 0.0
    m = run(tiny, a, b, Restore(a, at=3), Restore(b, at=4), steps=5, params=QUIET)
    assert m.strength("AAA", "BBB") == pytest.approx(0.5, abs=0.05)


def test_a_capability_cut_restored_while_dead_is_paid_back_on_revival(tiny):
    cut, gone = Degrade("AAA", at=1, factor=0.5, what="capability"), RemoveState("AAA", at=2)
    m = run(tiny, cut, gone, Restore(cut, at=3), Restore(gone, at=4), steps=6, params=QUIET)
    base = run(tiny, steps=6, params=QUIET)
    assert m.capability("AAA") == pytest.approx(base.capability("AAA"), abs=0.03)
