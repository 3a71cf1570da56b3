"""Tests of sim.robustness: exactness of the sweep, percolation theory, cascades, criticality."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq
from scipy.stats import poisson

from sim import robustness as R
from sim.commodities import weight_of
from sim.errors import SimError, UnknownNameError
from sim.world import Actor, PartnershipTie, Route, SupplyTie, World

# -- helpers ----------------------------------------------------------------------------------


def _giant_by_recomputation(n, edges, order):
    """Reference: networkx from scratch after every removal."""
    H = nx.Graph()
    H.add_nodes_from(range(n))
    H.add_edges_from((a, b) for a, b in edges if a != b)
    out = []
    for q in range(n + 1):
        out.append(max((len(c) for c in nx.connected_components(H)), default=0))
        if q < n:
            H.remove_node(order[q])
    return np.array(out)


def _er_edges(n, c, rng):
    """G(n, M) with M = c·n/2: sample pairs, drop loops and duplicates, shuffle, truncate.

    Shuffling before truncating avoids the low-index bias described in science.md.
    """
    m = round(c * n / 2)
    a = rng.integers(0, n, size=int(m * 1.2) + 100)
    b = rng.integers(0, n, size=a.size)
    u, v = R._unique_pairs(a, b)
    perm = rng.permutation(u.size)[:m]
    assert perm.size == m
    return u[perm], v[perm]


def _er_S(q, c):
    """S = q(1 - exp(-cS)): the non-trivial root, 0 below threshold."""
    f = lambda s: s - q * (1 - math.exp(-c * s))  # noqa: E731
    return brentq(f, 1e-9, 1.0) if q * c > 1 else 0.0


# -- exactness against networkx ---------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(0, 25),
    data=st.data(),
)
def test_node_sweep_equals_recomputation(n, data):
    edges = data.draw(
        st.lists(st.tuples(st.integers(0, max(n - 1, 0)), st.integers(0, max(n - 1, 0))))
        if n
        else st.just([])
    )
    order = data.draw(st.permutations(list(range(n))))
    u = [a for a, _ in edges]
    v = [b for _, b in edges]
    got = R.attack_curve_from_edges(n, u, v, order)
    assert np.array_equal(got, _giant_by_recomputation(n, edges, order))


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 20), data=st.data())
def test_edge_sweep_equals_recomputation(n, data):
    edges = data.draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40)
    )
    order = data.draw(st.permutations(list(range(len(edges)))))
    u = np.array([a for a, _ in edges], dtype=np.int64)
    v = np.array([b for _, b in edges], dtype=np.int64)
    got = R.edge_attack_curve_from_edges(n, u, v, order)
    H = nx.MultiGraph()
    H.add_nodes_from(range(n))
    keys = [(a, b, H.add_edge(a, b)) for a, b in edges]  # edge index -> multigraph key
    ref = []
    for q in range(len(edges) + 1):
        ref.append(max(len(c) for c in nx.connected_components(H)))
        if q < len(edges):
            H.remove_edge(*keys[order[q]])
    assert np.array_equal(got, np.array(ref))


@pytest.mark.parametrize(
    "strategy", ["random", "degree", "adaptive-degree", "betweenness", "adaptive-betweenness"]
)
@pytest.mark.parametrize("seed", range(6))
def test_every_strategy_curve_equals_recomputation(strategy, seed):
    G = nx.fast_gnp_random_graph(40, 0.08, seed=seed)
    curve = R.attack_curve(G, strategy, rng=seed)
    nodes = list(G)
    order = [nodes.index(x) for x in curve.order]
    ref = _giant_by_recomputation(40, list(G.edges()), order)
    assert np.array_equal(curve.giant_fraction * 40, ref)
    assert curve.fraction_removed.shape == (41,) and curve.fraction_removed[-1] == 1.0
    assert curve.robustness == pytest.approx(ref[1:].mean() / 40)


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(0, 30),
    kind=st.sampled_from(["graph", "digraph", "multigraph", "labels"]),
    strategy=st.sampled_from(["degree", "adaptive-degree"]),
    seed=st.integers(0, 2**32 - 1),
    data=st.data(),
)
def test_degree_attack_call_equals_networkx_recomputation(n, kind, strategy, seed, data):
    """The user's call on a graph (conversion, order, sweep) against a direct networkx version.

    Few edges on few nodes, so many nodes share a degree: ties are broken by one uniform draw
    per node, in the graph's node order, exactly as the reference does it here (then by that
    order, for the adaptive attack).
    """
    pairs = data.draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n)
        if n
        else st.just([])
    )
    G = {"graph": nx.Graph, "digraph": nx.DiGraph, "multigraph": nx.MultiGraph}.get(
        kind, nx.Graph
    )()
    # node order other than 0..n-1, so positions and labels differ
    G.add_nodes_from(data.draw(st.permutations(list(range(n)))))
    G.add_edges_from(pairs)
    if kind == "labels":
        G = nx.relabel_nodes(G, {x: f"s{x}" for x in G})
    curve = R.attack_curve(G, strategy, rng=seed)

    nodes = list(G)
    H = nx.Graph(G.to_undirected() if G.is_directed() else G)
    H.remove_edges_from(list(nx.selfloop_edges(H)))
    tiebreak = dict(zip(nodes, np.random.default_rng(seed).random(n), strict=True))
    if strategy == "degree":
        order = sorted(nodes, key=lambda x: (-H.degree(x), tiebreak[x]))
    else:
        left, order = H.copy(), []
        while left:
            order.append(min(left, key=lambda x: (-left.degree(x), tiebreak[x], nodes.index(x))))
            left.remove_node(order[-1])
    sizes = []
    for q in range(n + 1):
        sizes.append(max((len(c) for c in nx.connected_components(H)), default=0))
        if q < n:
            H.remove_node(order[q])
    assert list(curve.order) == order
    if n:
        assert np.array_equal(np.rint(curve.giant_fraction * n).astype(int), sizes)
        assert curve.robustness == pytest.approx(np.mean(sizes[1:]) / n)
    else:
        assert curve.giant_fraction.tolist() == [0.0]


def test_adaptive_degree_always_takes_a_current_maximum():
    G = nx.fast_gnp_random_graph(80, 0.06, seed=4)
    order = R.attack_order(G, "adaptive-degree", rng=1)
    H = G.copy()
    for x in order:
        assert H.degree(x) == max(d for _, d in H.degree())
        H.remove_node(x)


def test_initial_degree_order_is_sorted_and_ties_depend_on_rng():
    G = nx.fast_gnp_random_graph(200, 0.02, seed=1)
    a = R.attack_order(G, "degree", rng=1)
    degs = [G.degree(x) for x in a]
    assert degs == sorted(degs, reverse=True)
    assert a == R.attack_order(G, "degree", rng=1)
    assert a != R.attack_order(G, "degree", rng=2)


def test_attribute_strategy_and_unknown_strategy():
    G = nx.path_graph(4)
    nx.set_node_attributes(G, {0: 0.1, 1: 0.9, 2: 0.5, 3: 0.2}, "capability")
    assert R.attack_order(G, "capability", rng=0) == [1, 2, 3, 0]
    with pytest.raises(UnknownNameError, match="did you mean 'capability'"):
        R.attack_order(G, "capabilty")
    with pytest.raises(SimError, match="permutation"):
        R.attack_curve_from_edges(3, [0], [1], [0, 0, 1])


# -- exact robustness values ------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 5, 30])
@pytest.mark.parametrize("strategy", ["random", "degree", "adaptive-degree"])
def test_complete_graph_R(n, strategy):
    assert R.attack_curve(nx.complete_graph(n), strategy, rng=0).robustness == pytest.approx(
        (n - 1) / (2 * n)
    )


@pytest.mark.parametrize("n", [3, 10, 50])
def test_star_under_degree_attack_R(n):
    curve = R.attack_curve(nx.star_graph(n - 1), "degree", rng=0)
    assert curve.robustness == pytest.approx((n - 1) / n**2)
    assert curve.critical_fraction == pytest.approx(1 / n)  # the hub goes first


def test_degenerate_graphs():
    empty = R.attack_curve(nx.Graph())
    assert empty.robustness == 0.0 and empty.giant_fraction.tolist() == [0.0]
    one = R.attack_curve(nx.empty_graph(1))
    assert one.giant_fraction.tolist() == [1.0, 0.0] and one.robustness == 0.0
    assert R.edge_attack_curve(nx.empty_graph(3)).giant_fraction.tolist() == [pytest.approx(1 / 3)]


def test_same_rng_same_curve_different_rng_different_order():
    G = nx.barabasi_albert_graph(300, 2, seed=1)
    a, b = R.attack_curve(G, "random", rng=5), R.attack_curve(G, "random", rng=5)
    assert a.order == b.order and np.array_equal(a.giant_fraction, b.giant_fraction)
    assert R.attack_curve(G, "random", rng=6).order != a.order


def test_curve_frame_and_world_layer():
    w = World.from_toml("tests/data/tiny.toml")
    curve = R.attack_curve(w, "degree", rng=0)
    df = curve.to_frame()
    assert len(df) == len(w) + 1 and list(df.columns[:3]) == [
        "removed",
        "fraction_removed",
        "giant_fraction",
    ]
    assert curve.giant_fraction[0] == pytest.approx(2 / 5)  # AAA--BBB is the only partnership


# -- percolation theory on Erdős–Rényi graphs -------------------------------------------------

N_THEORY, C_THEORY, SEEDS = 20_000, 4.0, (11, 12, 13, 14)


@pytest.fixture(scope="module")
def er_graphs():
    rng = np.random.default_rng(20260701)
    return [
        _er_edges(N_THEORY, C_THEORY, np.random.default_rng(s)) for s in rng.integers(1e9, size=4)
    ]


def test_er_random_removal_matches_site_percolation(er_graphs):
    assert _er_S(1.0, 4) == pytest.approx(0.980173, abs=1e-6)
    for f, expected in [(0.0, 0.980173), (0.25, 0.705360), (0.5, 0.398406)]:
        assert _er_S(1 - f, 4) == pytest.approx(expected, abs=1e-6)
        vals = []
        for s, (u, v) in zip(SEEDS, er_graphs, strict=True):
            order = np.random.default_rng(s).permutation(N_THEORY)
            vals.append(R.attack_curve_from_edges(N_THEORY, u, v, order)[round(f * N_THEORY)])
        assert np.mean(vals) / N_THEORY == pytest.approx(expected, abs=0.005)


def test_er_critical_fraction_matches_theory(er_graphs):
    # f at which S(f) = 0.05 (well inside the supercritical side, away from f_c = 0.75)
    f_star = brentq(lambda f: _er_S(1 - f, 4) - 0.05, 0.5, 0.74)
    vals = []
    for s, (u, v) in zip(SEEDS, er_graphs, strict=True):
        order = np.random.default_rng(s).permutation(N_THEORY)
        sizes = R.attack_curve_from_edges(N_THEORY, u, v, order) / N_THEORY
        vals.append(np.flatnonzero(sizes < 0.05)[0] / N_THEORY)
    assert np.mean(vals) == pytest.approx(f_star, abs=0.006)


def test_er_edge_cuts_match_bond_percolation(er_graphs):
    for phi in (0.5, 0.75):
        expected = brentq(lambda s, phi=phi: s - (1 - math.exp(-4 * phi * s)), 1e-9, 1.0)
        vals = []
        for s, (u, v) in zip(SEEDS, er_graphs, strict=True):
            m = u.size
            order = np.random.default_rng(s).permutation(m)
            vals.append(R.edge_attack_curve_from_edges(N_THEORY, u, v, order)[round((1 - phi) * m)])
        assert np.mean(vals) / N_THEORY == pytest.approx(expected, abs=0.005)


def _callaway_attack_S(f, c, kmax=60):
    """Callaway et al.: highest initial degree removed first, fraction f."""
    k = np.arange(kmax + 1)
    pk = poisson.pmf(k, c)
    tail = np.cumsum(pk[::-1])[::-1]  # P(K >= k)
    K = int(np.flatnonzero(tail >= f)[-1])  # cut-off degree: all above K removed
    removed_above = tail[K + 1] if kmax >= K + 1 else 0.0
    qk = (k < K).astype(float)
    qk[K] = 1 - (f - removed_above) / pk[K]
    F0 = lambda x: np.sum(pk * qk * x**k)  # noqa: E731
    F1 = lambda x: np.sum((k * pk * qk)[1:] * x ** (k[1:] - 1)) / c  # noqa: E731
    u = brentq(lambda x: x - (1 - F1(1.0) + F1(x)), 0.0, 1 - 1e-12)
    return F0(1.0) - F0(u)


def test_er_initial_degree_attack_matches_callaway(er_graphs):
    for f in (0.1, 0.2):
        expected = _callaway_attack_S(f, C_THEORY)
        vals = []
        for s, (u, v) in zip(SEEDS, er_graphs, strict=True):
            deg = np.bincount(np.concatenate([u, v]), minlength=N_THEORY)
            order = R._rank_desc(deg, np.random.default_rng(s))
            vals.append(R.attack_curve_from_edges(N_THEORY, u, v, order)[round(f * N_THEORY)])
        assert np.mean(vals) / N_THEORY == pytest.approx(expected, abs=0.006)


def test_scale_free_asymmetry_of_albert_et_al():
    n = 2000
    ba = nx.barabasi_albert_graph(n, 2, seed=7)
    er = nx.gnm_random_graph(n, ba.number_of_edges(), seed=7)
    r = {
        (name, s): R.attack_curve(G, s, rng=3).robustness
        for name, G in (("ba", ba), ("er", er))
        for s in ("random", "degree")
    }
    # BA holds up under random failure at least as well as ER, and fragments faster under attack
    assert r["ba", "random"] > r["ba", "degree"] * 2.5
    assert r["ba", "degree"] < r["er", "degree"]
    assert r["ba", "random"] / r["ba", "degree"] > r["er", "random"] / r["er", "degree"]


# -- Motter–Lai load cascades -----------------------------------------------------------------


def test_motter_lai_invariants():
    assert R.load_cascade(nx.path_graph(5), alpha=0.0, initial=2).surviving_fraction == 2 / 5
    star = nx.star_graph(9)
    assert R.load_cascade(star, alpha=0.0, initial=0).surviving_fraction == pytest.approx(1 / 10)
    G = nx.barabasi_albert_graph(150, 2, seed=3)
    huge = R.load_cascade(G, alpha=1e9, initial="max-load")
    assert huge.n_steps == 0 and len(huge.steps) == 1
    H = G.copy()
    H.remove_node(huge.steps[0][0])
    giant = max(len(c) for c in nx.connected_components(H)) / 150
    assert huge.surviving_fraction == pytest.approx(giant)


def test_motter_lai_highest_load_attack_worse_than_random():
    G = nx.barabasi_albert_graph(200, 2, seed=5)
    hit = R.load_cascade(G, alpha=0.2, initial="max-load").surviving_fraction
    rng = np.random.default_rng(0)
    nodes = list(G)
    rand = np.mean(
        [
            R.load_cascade(G, alpha=0.2, initial=nodes[int(rng.integers(200))]).surviving_fraction
            for _ in range(5)
        ]
    )
    assert hit < rand - 0.1
    with pytest.raises(SimError, match="alpha"):
        R.load_cascade(G, alpha=-1)


# -- interdependent networks ------------------------------------------------------------------


def _nx_from_arrays(n, u, v):
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_edges_from(zip(u.tolist(), v.tolist(), strict=True))
    return G


@pytest.fixture(scope="module")
def er_pair():
    n = 20_000
    a = _er_edges(n, 4.0, np.random.default_rng(101))
    b = _er_edges(n, 4.0, np.random.default_rng(202))
    return n, _nx_from_arrays(n, *a), _nx_from_arrays(n, *b)


def test_interdependent_matches_buldyrev_equation(er_pair):
    _, A, B = er_pair
    k = 4.0
    p_c = 2.4554 / k
    for p in (0.8, 0.9):
        expected = brentq(lambda x, p=p: x - p * (1 - math.exp(-k * x)) ** 2, 0.3, 1.0)
        got = np.mean([R.interdependent_cascade(A, B, p, rng=s).surviving_fraction for s in (1, 2)])
        assert got == pytest.approx(expected, abs=0.01)
    assert p_c == pytest.approx(0.61385, abs=1e-4)
    assert R.interdependent_cascade(A, B, 0.5, rng=1).surviving_fraction < 0.01


def test_interdependent_identical_layers_is_single_percolation(er_pair):
    n, A, _ = er_pair
    p = 0.6
    res = R.interdependent_cascade(A, A, p, rng=9)
    order = np.random.default_rng(9).permutation(n)
    nodes, u, v = R.graph_arrays(A)
    assert nodes == list(range(n))
    sizes = R.attack_curve_from_edges(n, u, v, order)
    assert res.surviving_fraction == sizes[round((1 - p) * n)] / n


def test_interdependent_is_monotone_with_nested_removals():
    n = 3000
    A = _nx_from_arrays(n, *_er_edges(n, 4.0, np.random.default_rng(1)))
    B = _nx_from_arrays(n, *_er_edges(n, 4.0, np.random.default_rng(2)))
    ps = np.linspace(0.3, 1.0, 15)
    res = [R.interdependent_cascade(A, B, p, rng=42) for p in ps]
    vals = np.array([r.surviving_fraction for r in res])
    # Below the collapse only a finite remnant (a few nodes) survives, whose size fluctuates;
    # the giant mutually connected component itself grows with p, and nests.
    giant = vals > 0.01
    assert giant[-8:].all() and not giant[:5].any()
    assert np.all(np.diff(vals[giant]) > 0)
    big = [r for r in res if r.surviving_fraction > 0.01]
    assert all(a.survivors <= b.survivors for a, b in itertools.pairwise(big))
    # no dependency: B complete on the same nodes gives A's own percolation
    K = nx.complete_graph(50)
    A50 = nx.fast_gnp_random_graph(50, 0.1, seed=3)
    r = R.interdependent_cascade(A50, K, 0.7, rng=4)
    order = np.random.default_rng(4).permutation(50)
    assert r.surviving_fraction == R.attack_curve(A50, order=order).giant_fraction[15]


# -- criticality on hand-built worlds ---------------------------------------------------------

D = dt.date(2020, 1, 1)


def _actor(i, **kw):
    return Actor(id=i, name=i, **kw)


def _supply(a, b, com, vol, via=(), alts=(), corridor=""):
    return SupplyTie(
        since=D,
        source="test",
        supplier=a,
        recipient=b,
        commodity=com,
        volume=vol,
        route=Route(via=tuple(via), corridor=corridor),
        alternatives=tuple(alts),
    )


def _transit_world(alt_capacity=None):
    actors = [_actor(x) for x in ("SA", "SB", "SC", "SD", "TRN", "RA", "RB", "RC", "RD", "UUU")]
    alts = (Route(via=("UUU",), capacity=alt_capacity, corridor="sea"),) if alt_capacity else ()
    ties = [
        _supply("SA", "RA", "arms", 10, via=("TRN",), alts=alts, corridor="bridge"),
        _supply("SB", "RB", "arms", 10, via=("TRN",), corridor="bridge"),
        _supply("SC", "RC", "energy", 10),
        _supply("SD", "RD", "energy", 10),
        PartnershipTie(since=D, source="test", a="SA", b="TRN"),
    ]
    return World(actors=tuple(actors), ties=tuple(ties), name="transit")


def test_transit_state_on_the_only_route_is_most_critical():
    df = R.criticality(_transit_world(), metric="fulfilment", items="actors")
    # commodities combine by value times importance (sim.commodities): 20 TIV of arms and
    # 20 kboe/d of energy
    wa, we = weight_of("arms", 20.0), weight_of("energy", 20.0)
    assert df.iloc[0]["item"] == "TRN"
    # arms lost entirely, energy intact
    assert df.iloc[0]["damage"] == pytest.approx(wa / (wa + we))
    assert df.iloc[1]["damage"] < wa / (wa + we)
    assert list(df.columns) == ["item", "kind", "metric", "baseline", "after", "damage"]
    assert df["damage"].is_monotonic_decreasing
    by = dict(zip(df["item"], df["damage"], strict=True))
    assert by["UUU"] == 0.0 and by["SA"] == pytest.approx(0.5 * wa / (wa + we))
    assert by["RC"] == pytest.approx(0.5 * we / (wa + we))


def test_alternative_route_softens_the_loss_and_corridors_rank():
    df = R.criticality(_transit_world(alt_capacity=0.3), metric="fulfilment")
    row = df[(df["item"] == "TRN")].iloc[0]
    # arms: 3 of 20 still flow by sea; energy intact; weighted by value times importance
    wa, we = weight_of("arms", 20.0), weight_of("energy", 20.0)
    assert row["after"] == pytest.approx((3 / 20 * wa + we) / (wa + we))
    cor = df[df["kind"] == "corridor"].set_index("item")["after"]
    assert cor["bridge"] == pytest.approx(row["after"])
    assert cor["sea"] == pytest.approx(1.0)


def test_criticality_giant_and_errors():
    G = nx.path_graph(5)
    df = R.criticality(G, metric="giant", items="actors")
    assert df.iloc[0]["item"] == "2" and df.iloc[0]["after"] == pytest.approx(2 / 5)
    with pytest.raises(UnknownNameError, match="did you mean 'giant'"):
        R.criticality(G, metric="gaint")
    with pytest.raises(SimError, match="world"):
        R.criticality(G, metric="fulfilment")


# -- found by mypy (issue 14, item 9) ------------------------------------------------------------


def test_load_cascade_names_a_single_unknown_initial_node():
    # `initial=99` (one node, not in G) fell through to list(99): TypeError, not this error.
    with pytest.raises(UnknownNameError, match="initial names 99, which is not a node"):
        R.load_cascade(nx.path_graph(4), alpha=0.2, initial=99)
