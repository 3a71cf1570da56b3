"""Tests of sim.metrics: exact values, invariants, theory and degenerate inputs."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from sim import metrics as M
from sim.commodities import weight_of
from sim.errors import SimError, ValidationError
from sim.world import World


@pytest.fixture
def tiny():
    return World.from_toml("tests/data/tiny.toml").to_networkx()


# -- structural -------------------------------------------------------------------------------


def test_structural_exact_values():
    K = nx.complete_graph(6)
    assert M.global_efficiency(K) == pytest.approx(1.0)
    P = nx.path_graph(7)
    assert M.algebraic_connectivity(P) == pytest.approx(2 * (1 - math.cos(math.pi / 7)))
    assert M.algebraic_connectivity(K) == pytest.approx(6.0)
    assert M.articulation_points(P) == [1, 2, 3, 4, 5]
    assert len(M.bridges(P)) == 6 and M.bridges(K) == []
    assert M.k_core_fraction(K, 5) == 1.0 and M.k_core_fraction(P, 2) == 0.0
    two = nx.disjoint_union(nx.complete_graph(3), nx.complete_graph(2))
    assert M.giant_component_fraction(two) == pytest.approx(3 / 5)
    assert M.giant_component_fraction(two, n=10) == pytest.approx(3 / 10)
    assert M.number_of_components(two) == 2
    assert M.algebraic_connectivity(two) == 0.0
    # efficiency over the original N: a removed node keeps its place in the denominator
    assert M.global_efficiency(nx.complete_graph(2), n=3) == pytest.approx(2 / 6)


@pytest.mark.parametrize("G", [nx.Graph(), nx.empty_graph(1)])
def test_degenerate_structural(G):
    n = G.number_of_nodes()
    assert M.giant_component_fraction(G) == (1.0 if n else 0.0)
    assert M.global_efficiency(G) == 0.0
    assert M.algebraic_connectivity(G) == 0.0
    assert M.number_of_components(G) == n
    assert M.k_core_fraction(G) == 0.0


def test_world_graph_uses_partnership_layer(tiny):
    assert M.giant_component_fraction(tiny) == pytest.approx(2 / 5)
    # supply edges BBB->CLI and BBB->AAA; transit does not make an edge
    assert M.giant_component_fraction(tiny, layer="supply") == pytest.approx(3 / 5)
    assert M.giant_component_fraction(tiny, nodes=["AAA", "BBB", "CLI"]) == pytest.approx(2 / 3)
    assert M.mean_partnership_strength(tiny) == pytest.approx(0.5)
    assert M.mean_partnership_strength(tiny, nodes=["CLI", "RIV"]) == 0.0


@pytest.mark.parametrize(
    "call",
    [
        lambda G: M.giant_component_fraction(G, layer="partnersip"),
        lambda G: M.number_of_components(G, layer="partnersip"),
        lambda G: M.bridges(G, layer="partnersip"),
    ],
)
def test_an_unknown_layer_is_a_validation_error_with_a_suggestion(tiny, call):
    with pytest.raises(ValidationError, match="did you mean 'partnership'") as info:
        call(tiny)
    assert isinstance(info.value, SimError) and isinstance(info.value, ValueError)
    (problem,) = info.value.problems
    assert problem.value == "partnersip" and "rivalry" in problem.allowed


# -- functional -------------------------------------------------------------------------------


def test_supply_fulfilment_on_tiny(tiny):
    assert M.supply_fulfilment(tiny) == 1.0
    # TRN carries arms BBB->CLI; the air alternative keeps 10 %
    assert M.supply_fulfilment(tiny, ["TRN"], by="commodity") == {"arms": 0.1, "drones": 1.0}
    # commodities combine by value times importance: 20 TIV of arms outweigh 80 drones
    wa, wd = weight_of("arms", 20.0), weight_of("drones", 80.0)
    assert wa > 10 * wd
    assert M.supply_fulfilment(tiny, ["TRN"]) == pytest.approx((0.1 * wa + wd) / (wa + wd))
    assert M.supply_fulfilment(tiny, ["TRN"], closed_corridors=["air"]) == pytest.approx(
        wd / (wa + wd)
    )
    assert M.supply_fulfilment(tiny, ["BBB"]) == 0.0
    assert M.supply_fulfilment(tiny, ["CLI"], by="actor") == {"AAA": 1.0, "CLI": 0.0}
    assert M.corridors(tiny) == ["air", "land bridge"]
    # capability-weighted: AAA 0.8 (fulfilled), CLI 0.1 (10 %)
    got = M.capability_weighted_fulfilment(tiny, ["TRN"])
    assert got == pytest.approx((0.8 * 1.0 + 0.1 * 0.1) / 0.9)
    assert M.supply_fulfilment(tiny, cut=[("BBB", "AAA", "supply:drones")]) == pytest.approx(
        wa / (wa + wd)
    )
    assert M.supply_fulfilment(nx.MultiDiGraph()) == 1.0
    with pytest.raises(SimError, match="by must be"):
        M.supply_fulfilment(tiny, by="bloc")


def test_ties_kept():
    G0 = nx.path_graph(5)
    G1 = G0.copy()
    G1.remove_edge(0, 1)
    assert M.ties_kept(G0, G1) == pytest.approx(3 / 4)
    assert M.ties_kept(nx.Graph(), G1) == 1.0


# -- signed balance ---------------------------------------------------------------------------


def _random_signed(n, p, q, rng):
    G = nx.gnp_random_graph(n, p, seed=int(rng.integers(2**31)))
    for a, b in G.edges():
        G[a][b]["sign"] = 1 if rng.random() < q else -1
    return G


def test_balanced_graph_has_fraction_one_and_K_one():
    rng = np.random.default_rng(0)
    G = nx.gnp_random_graph(30, 0.3, seed=1)
    camp = {x: int(rng.integers(2)) for x in G}
    for a, b in G.edges():
        G[a][b]["sign"] = 1 if camp[a] == camp[b] else -1
    assert M.is_balanced(G)
    assert M.triangle_balance(G) == 1.0
    assert M.walk_balance(G) == pytest.approx(1.0, abs=1e-12)
    tri = nx.Graph([(0, 1, {"sign": 1}), (1, 2, {"sign": 1}), (0, 2, {"sign": -1})])
    assert not M.is_balanced(tri) and M.triangle_balance(tri) == 0.0
    assert M.walk_balance(tri) < 1.0
    assert math.isnan(M.triangle_balance(nx.path_graph(3)))


def test_switching_leaves_balance_unchanged():
    rng = np.random.default_rng(5)
    G = _random_signed(40, 0.2, 0.6, rng)
    side = {x: bool(rng.integers(2)) for x in G}
    H = G.copy()
    for a, b in H.edges():
        if side[a] != side[b]:
            H[a][b]["sign"] *= -1
    assert M.triangle_balance(H) == pytest.approx(M.triangle_balance(G))
    assert M.walk_balance(H) == pytest.approx(M.walk_balance(G), rel=1e-9)
    assert M.is_balanced(H) == M.is_balanced(G)


def test_null_model_balanced_fraction():
    q = 0.7
    rng = np.random.default_rng(11)
    vals = [M.triangle_balance(_random_signed(40, 1.0, q, rng)) for _ in range(8)]
    assert np.mean(vals) == pytest.approx((1 + (2 * q - 1) ** 3) / 2, abs=0.015)


def test_signed_graph_from_world(tiny):
    S = M.signed_graph(tiny)
    assert S["AAA"]["BBB"]["sign"] == 1 and S["AAA"]["RIV"]["sign"] == -1
    assert S.number_of_nodes() == 5 and S.number_of_edges() == 2


# -- resilience over time ---------------------------------------------------------------------


def test_resilience_triangle_exact():
    t = np.arange(11.0)
    P = 60 + 4 * t  # linear recovery 60 -> 100 over T = 10
    assert M.resilience_loss(P, t, baseline=100) == pytest.approx(200.0)
    assert M.robustness(P) == 60
    assert M.normalised_resilience(P, t, baseline=100) == pytest.approx(0.8)
    assert M.time_to_recovery(P, t, baseline=100) == 10.0
    assert M.rapidity(P, t, baseline=100) == pytest.approx(4.0)


def test_no_shock_and_no_recovery():
    flat = np.ones(12)
    s = M.resilience_summary(flat)
    assert s["normalised_resilience"] == 1.0 and s["loss"] == 0.0 and s["rapidity"] == 0.0
    down = np.array([1.0, 0.5, 0.6, 0.7])
    assert M.time_to_recovery(down) == math.inf and M.rapidity(down) == 0.0
    with pytest.raises(SimError, match="increase"):
        M.resilience_loss([1, 2], [1, 1])
    with pytest.raises(SimError, match="non-empty"):
        M.robustness([])


def test_bloc_reporters(tiny):
    rep = M.bloc_reporters(tiny)
    assert rep == {
        "giant:axis": pytest.approx(2 / 4),
        "mean_strength:axis": pytest.approx(0.5),
        "supply_fulfilment:axis": 1.0,
        "giant:west": 1.0,
        "mean_strength:west": 0.0,
        "supply_fulfilment:west": 1.0,
    }
    after = M.bloc_reporters(tiny, removed=["BBB"])
    assert after["giant:axis"] == pytest.approx(1 / 4) and after["supply_fulfilment:axis"] == 0.0
    assert after["mean_strength:axis"] == 0.0


# -- array level (the model's reporters) ------------------------------------------------------


def test_group_giant_fractions_exact():
    # group 0: nodes 0-1-2 chained and 3 alone; group 1: nodes 4-5, and 6 dead but tied to 5
    u = np.array([0, 1, 4, 5, 2])
    v = np.array([1, 2, 5, 6, 4])  # 2-4 crosses groups: ignored
    group = np.array([0, 0, 0, 0, 1, 1, 1])
    alive = np.array([True, True, True, True, True, True, False])
    got = M.group_giant_fractions(7, u, v, group, alive, np.array([4, 3, 0]))
    assert got.tolist() == [3 / 4, 2 / 3, 0.0]
    # a dead node in the middle splits its component
    alive[1] = False
    assert M.group_giant_fractions(7, u, v, group, alive, [4, 3])[0] == 1 / 4
    assert M.group_giant_fractions(0, [], [], [], [], [2]).tolist() == [0.0]


def test_group_means_and_mean_strength_exact():
    got = M.group_means([1.0, 2.0, 4.0, 8.0], [0, 0, 1, 1], 3, mask=[True, True, True, False])
    assert got[:2].tolist() == [1.5, 4.0] and math.isnan(got[2])
    assert M.group_means([], [], 2, empty=1.0).tolist() == [1.0, 1.0]
    group = np.array([0, 0, 1, 1])
    s = M.group_mean_strength([0, 2, 0, 1], [1, 3, 2, 0], [0.2, 0.6, 0.9, 0.4], group, 2)
    assert s.tolist() == pytest.approx([0.3, 0.6])  # the 0-2 tie crosses groups
    act = np.array([True, True, True, False])
    assert M.group_mean_strength(
        [0, 2, 0, 1], [1, 3, 2, 0], [0.2, 0.6, 0.9, 0.4], group, 3, active=act
    ).tolist() == pytest.approx([0.2, 0.6, 0.0])


@pytest.mark.parametrize("seed", range(5))
def test_graph_and_array_giant_agree_with_networkx_components(seed):
    G = nx.gnm_random_graph(60, 50, seed=seed)
    nodes = list(range(0, 60, 2))
    want = max(len(c) for c in nx.connected_components(G.subgraph(nodes))) / 60
    assert M.giant_component_fraction(G, nodes=nodes, n=60) == pytest.approx(want)


# -- one rerouting rule for the model and the structural measures -----------------------------


def _two_alternatives_world() -> World:
    """SUP ships 100 arms to REC via TRN (corridor "land"); alternatives via ALT ("sea",
    capacity 0.3) and direct ("air", capacity 0.2)."""
    import datetime as dt

    from sim.world import Actor, Route, SupplyTie

    actors = [
        Actor(x, x, bloc="axis", lat=0.0, lon=float(i), capability=0.5)
        for i, x in enumerate(("SUP", "TRN", "ALT", "REC"))
    ]
    tie = SupplyTie(
        since=dt.date(2020, 1, 1),
        source="test",
        supplier="SUP",
        recipient="REC",
        commodity="arms",
        volume=100.0,
        route=Route(via=("TRN",), corridor="land"),
        alternatives=(
            Route(via=("ALT",), capacity=0.3, corridor="sea"),
            Route(via=(), capacity=0.2, corridor="air"),
        ),
    )
    return World(actors=tuple(actors), ties=(tie,), name="two-alternatives")


@pytest.mark.parametrize(
    ("shocks", "removed", "closed", "expected"),
    [
        ((), (), (), 1.0),
        ((("remove", "TRN"),), ("TRN",), (), 0.3),  # first alternative only, not 0.3 + 0.2
        ((("block", "land"),), (), ("land",), 0.3),
        ((("remove", "TRN"), ("remove", "ALT")), ("TRN", "ALT"), (), 0.2),
        ((("block", "land"), ("block", "sea"), ("block", "air")), (), ("land", "sea", "air"), 0),
    ],
)
def test_model_and_supply_fulfilment_reroute_alike(shocks, removed, closed, expected):
    from sim import AllianceModel
    from sim import robustness as R
    from sim.shocks import BlockTransit, RemoveState
    from tests.helpers import EXACT_SUPPLY

    world = _two_alternatives_world()
    exact = EXACT_SUPPLY
    made = [RemoveState(x, at=0) if k == "remove" else BlockTransit(x, at=0) for k, x in shocks]
    m = AllianceModel(world, params=exact, shocks=made, rng=1)
    m.run_for(1)
    model_share = m.delivered("SUP", "REC", "arms") / 100.0
    G = world.to_networkx()
    structural = M.supply_fulfilment(G, removed, closed_corridors=closed)
    assert model_share == pytest.approx(expected, abs=1e-12)
    assert structural == pytest.approx(expected, abs=1e-12)
    if len(removed) == 1 and not closed:
        # the criticality ranking (alliance-sim rank) agrees with the model too
        df = R.criticality(world, metric="fulfilment", items="actors").set_index("item")
        assert df.loc[removed[0], "after"] == pytest.approx(model_share)


def test_route_taken_is_the_first_usable_route_of_each_tie():
    # routes of ties 0 and 1 interleaved, each tie's in order of preference
    tie = np.array([0, 1, 0, 1, 0])
    usable = np.array([False, False, True, True, True])
    assert M.route_taken(tie, usable, 3).tolist() == [2, 3, -1]
    assert M.route_taken(tie, np.zeros(5, bool), 2).tolist() == [-1, -1]


def test_core_numbers_of_known_graphs():
    assert set(M.core_numbers(nx.complete_graph(5), layer=None).values()) == {4}
    assert set(M.core_numbers(nx.path_graph(6), layer=None).values()) == {1}
    assert M.core_numbers(nx.lollipop_graph(4, 2), layer=None) == {
        0: 3, 1: 3, 2: 3, 3: 3, 4: 1, 5: 1,
    }  # fmt: skip
    star = nx.star_graph(4)
    star.add_node(9)  # an isolate is in no 1-core
    assert M.core_numbers(star, layer=None) == {0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 9: 0}
    # every node of a k-core has at least k neighbours inside it
    G = nx.gnm_random_graph(40, 120, seed=3)
    core = M.core_numbers(G, layer=None)
    for k in set(core.values()):
        inside = G.subgraph([v for v, c in core.items() if c >= k])
        assert min(dict(inside.degree()).values()) >= k
