"""Resilience metrics: structural, functional (supply), cohesion, signed balance, and over time.

Pure functions of networkx graphs or arrays; none imports the model. Every function says how it
treats layers, direction, weights and degenerate inputs. Graphs from
:meth:`sim.world.World.to_networkx` (a MultiDiGraph whose edges carry a ``layer``) are reduced
to one layer with :func:`sim.world.layer_view` where a function needs a single layer.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Iterator, Mapping
from typing import Any, Literal, TypeGuard, overload

import networkx as nx
import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.sparse.csgraph import connected_components

from sim.errors import SimError

__all__ = [
    "algebraic_connectivity",
    "articulation_points",
    "bloc_reporters",
    "bridges",
    "capability_weighted_fulfilment",
    "core_numbers",
    "corridors",
    "giant_component_fraction",
    "global_efficiency",
    "group_giant_fractions",
    "group_mean_strength",
    "group_means",
    "is_balanced",
    "k_core_fraction",
    "mean_partnership_strength",
    "normalised_resilience",
    "number_of_components",
    "rapidity",
    "resilience_loss",
    "resilience_summary",
    "retained_strength",
    "robustness",
    "route_taken",
    "signed_graph",
    "supply_fulfilment",
    "ties_kept",
    "time_to_recovery",
    "triangle_balance",
    "walk_balance",
]


# -- helpers ----------------------------------------------------------------------------------


def _is_world_graph(G: nx.Graph) -> TypeGuard[nx.MultiDiGraph]:
    return G.is_multigraph() and any("layer" in d for _, _, d in G.edges(data=True))


def _simple_undirected(G: nx.Graph, layer: str | None = "partnership") -> nx.Graph:
    """A simple undirected graph: one layer of a world graph, or `G` itself made undirected."""
    from sim.world import layer_view

    if _is_world_graph(G) and layer is not None:
        G = layer_view(G, layer)
    H = nx.Graph(G.to_undirected(as_view=True)) if G.is_directed() else nx.Graph(G)
    H.remove_edges_from(nx.selfloop_edges(H))
    return H


def _edge_arrays(H: nx.Graph, weight: str | None = None):
    """Nodes of `H` in order, and its edges as position arrays (and weights if asked)."""
    pos = {x: i for i, x in enumerate(H)}
    m = H.number_of_edges()
    u = np.fromiter((pos[a] for a, _ in H.edges()), dtype=np.intp, count=m)
    v = np.fromiter((pos[b] for _, b in H.edges()), dtype=np.intp, count=m)
    if weight is None:
        return pos, u, v
    w = np.fromiter(
        (float(d.get(weight, 0.0)) for _, _, d in H.edges(data=True)), dtype=float, count=m
    )
    return pos, u, v, w


# -- array level: the definitions the model's reporters use ----------------------------------


def group_giant_fractions(
    n: int,
    u: np.ndarray,
    v: np.ndarray,
    group: np.ndarray,
    alive: np.ndarray,
    group_size0: np.ndarray,
) -> np.ndarray:
    """Largest connected part of each group's subgraph, over the group's original size.

    Parameters
    ----------
    n : int
        Number of nodes, numbered ``0 .. n-1``.
    u, v : int arrays, shape (E,)
        Undirected edges (direction, duplicates and self-loops are harmless).
    group : int array, shape (n,)
        Group (e.g. bloc) of each node, in ``0 .. G-1``.
    alive : bool array, shape (n,)
        Nodes still present; dead nodes and their edges do not count.
    group_size0 : array, shape (G,)
        The denominator of each group, e.g. its size before any removal, so that a group that
        loses members loses giant-component fraction.

    Returns
    -------
    float array, shape (G,)
        For each group, the largest number of alive nodes connected through edges whose two
        ends are alive and in that group, divided by ``group_size0``; 0.0 where the size is 0.

    Notes
    -----
    Components by :func:`scipy.sparse.csgraph.connected_components` on the kept edges:
    O(n + E). :func:`giant_component_fraction` and :func:`bloc_reporters` are this function on
    a graph's arrays, and ``AllianceModel``'s ``giant:B`` reporter is this function on the
    model's partnership arrays.

    Examples
    --------
    Two groups of two nodes; node 3 is dead:

    >>> import numpy as np
    >>> from sim.metrics import group_giant_fractions
    >>> group_giant_fractions(4, np.array([0, 2]), np.array([1, 3]), np.array([0, 0, 1, 1]),
    ...                       np.array([True, True, True, False]), np.array([2, 2])).tolist()
    [1.0, 0.5]
    """
    u = np.asarray(u, dtype=np.intp)
    v = np.asarray(v, dtype=np.intp)
    group = np.asarray(group, dtype=np.intp)
    alive = np.asarray(alive, dtype=bool)
    size0 = np.asarray(group_size0, dtype=float)
    best = np.zeros(len(size0))
    if n == 0:
        return best
    keep = alive[u] & alive[v] & (group[u] == group[v])
    g = sp.coo_matrix((np.ones(int(keep.sum())), (u[keep], v[keep])), shape=(n, n))
    _, labels = connected_components(g, directed=False)
    size = np.bincount(labels, weights=alive.astype(float))
    label_group = np.zeros(len(size), dtype=np.intp)
    label_group[labels] = group  # every node of a component is in the same group
    np.maximum.at(best, label_group, size)
    return np.divide(best, size0, out=np.zeros_like(best), where=size0 > 0)


def group_means(
    values: np.ndarray,
    group: np.ndarray,
    n_groups: int,
    *,
    mask: np.ndarray | None = None,
    empty: float = math.nan,
) -> np.ndarray:
    """Mean of `values` per group (over the entries in `mask`); `empty` for an empty group.

    Parameters
    ----------
    values : float array, shape (K,)
    group : int array, shape (K,)
        Group of each entry, in ``0 .. n_groups-1``.
    n_groups : int
    mask : bool array, shape (K,), optional
        Entries that count (default all).
    empty : float
        The value of a group with no entry (default ``nan``).

    Returns
    -------
    float array, shape (n_groups,)

    Examples
    --------
    >>> import numpy as np
    >>> from sim.metrics import group_means
    >>> group_means(np.array([1.0, 3.0, 5.0]), np.array([0, 0, 1]), 3).tolist()
    [2.0, 5.0, nan]
    """
    values = np.asarray(values, dtype=float)
    group = np.asarray(group, dtype=np.intp)
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        values, group = values[mask], group[mask]
    count = np.bincount(group, minlength=n_groups)
    out = np.bincount(group, weights=values, minlength=n_groups) / np.maximum(count, 1)
    out[count == 0] = empty
    return out


def group_mean_strength(
    u: np.ndarray,
    v: np.ndarray,
    strength: np.ndarray,
    group: np.ndarray,
    n_groups: int,
    *,
    active: np.ndarray | None = None,
) -> np.ndarray:
    """Mean strength of the ties inside each group (both ends in it); 0.0 with no such tie.

    Parameters
    ----------
    u, v : int arrays, shape (E,)
        Undirected ties, each listed once.
    strength : float array, shape (E,)
    group : int array, shape (N,)
        Group of each node.
    n_groups : int
    active : bool array, shape (E,), optional
        Ties that count (default all): e.g. ties in force, or ties between alive actors.

    Returns
    -------
    float array, shape (n_groups,)
        The ``cohesion:B`` reporter of every group ``B``; :func:`mean_partnership_strength`
        is this function for one group.

    Examples
    --------
    >>> import numpy as np
    >>> from sim.metrics import group_mean_strength
    >>> u, v = np.array([0, 2, 0]), np.array([1, 3, 2])  # the last tie is between groups
    >>> group_mean_strength(u, v, np.array([0.8, 0.4, 0.5]), np.array([0, 0, 1, 1]), 2).tolist()
    [0.8, 0.4]
    """
    group = np.asarray(group, dtype=np.intp)
    gu = group[np.asarray(u, dtype=np.intp)]
    inside = gu == group[np.asarray(v, dtype=np.intp)]
    if active is not None:
        inside &= active
    return group_means(strength, gu, n_groups, mask=inside, empty=0.0)


# -- structural -------------------------------------------------------------------------------


def retained_strength(
    strength: np.ndarray,
    strength0: np.ndarray,
    group0: np.ndarray,
    n_groups: int,
) -> np.ndarray:
    """Share of each group's initial partnership strength that its initial pairs still hold.

    Parameters
    ----------
    strength : float array, shape (E0,)
        Current strength of each tie present at t = 0 (0 once dissolved, or once an end is
        lost).
    strength0 : float array, shape (E0,)
        Its strength at t = 0.
    group0 : int array, shape (E0,)
        The group both ends belonged to at t = 0, or -1 for a tie between groups.
    n_groups : int

    Returns
    -------
    float array, shape (n_groups,)
        :math:`\\sum_e s_e / \\sum_e s_e^0` over the group's pairs at t = 0; 1.0 for a group
        with no tie at t = 0 (it had nothing to lose and lost nothing, so a ratio of resilience
        against the baseline stays defined). This is the ``cohesion:B`` reporter.

    Notes
    -----
    The denominator is fixed at t = 0, so losing an actor (whose ties then count 0) can only
    lower it, unlike a mean over the surviving ties, which rises when a weakly tied member
    goes. Ties formed during a run are not counted: the measure asks what the group kept.

    Examples
    --------
    >>> retained_strength(np.array([0.5, 0.0]), np.array([0.5, 0.3]), np.array([0, 0]), 1)
    array([0.625])

    Group 0 had two ties (0.8 and 0.5), one since dissolved; group 1 one tie, intact:

    >>> import numpy as np
    >>> from sim.metrics import retained_strength
    >>> shares = retained_strength(np.array([0.8, 0.0, 0.3]), np.array([0.8, 0.5, 0.3]),
    ...                            np.array([0, 0, 1]), 2)
    >>> shares.round(3).tolist()
    [0.615, 1.0]
    """
    g = np.asarray(group0, dtype=np.intp)
    inside = g >= 0
    num = np.bincount(g[inside], weights=np.asarray(strength)[inside], minlength=n_groups)
    den = np.bincount(g[inside], weights=np.asarray(strength0)[inside], minlength=n_groups)
    return np.divide(num, den, out=np.ones(n_groups), where=den > 0)


def giant_component_fraction(
    G: nx.Graph,
    *,
    n: int | None = None,
    nodes: Iterable[Hashable] | None = None,
    layer: str | None = "partnership",
) -> float:
    """Largest connected component as a fraction of `n` nodes.

    Parameters
    ----------
    G : networkx.Graph
        Direction is ignored (weakly connected components); weights are ignored. A world
        graph is reduced to `layer` (default the partnership layer).
    n : int, optional
        The denominator, e.g. the original number of nodes before removals; default the
        nodes of `G` (or of `nodes`).
    nodes : iterable, optional
        Restrict to the subgraph these nodes induce (e.g. one bloc).

    layer : str or None
        The layer a world graph is reduced to (default the partnership layer); another graph is
        used as it is.

    Returns
    -------
    float
        In [0, 1]; 0.0 for an empty graph or ``n = 0``.

    References
    ----------
    R. Albert, H. Jeong and A.-L. Barabási, Nature 406, 378 (2000).

    Examples
    --------
    >>> import networkx as nx
    >>> from sim.metrics import giant_component_fraction
    >>> G = nx.Graph([(0, 1), (2, 3), (3, 4)])
    >>> giant_component_fraction(G)
    0.6
    >>> giant_component_fraction(G, n=10)  # five of the original ten nodes are gone
    0.3
    """
    H = _simple_undirected(G, layer)
    if nodes is not None:
        H = H.subgraph([x for x in nodes if x in H])
    m = H.number_of_nodes()
    denom = m if n is None else n
    if denom <= 0 or m == 0:
        return 0.0
    _, u, v = _edge_arrays(H)
    one = np.zeros(m, dtype=np.intp)
    return float(group_giant_fractions(m, u, v, one, np.ones(m, bool), np.array([denom]))[0])


def number_of_components(G: nx.Graph, *, layer: str | None = "partnership") -> int:
    """Number of (weakly) connected components; isolated nodes count; 0 for an empty graph.

    Parameters
    ----------
    G : networkx.Graph
    layer : str or None
        The layer a world graph is reduced to (default the partnership layer); another graph is
        used as it is.

    Returns
    -------
    int

    Examples
    --------
    >>> import networkx as nx
    >>> from sim.metrics import number_of_components
    >>> number_of_components(nx.Graph([(0, 1), (2, 3)]))
    2
    """
    H = _simple_undirected(G, layer)
    return nx.number_connected_components(H) if H.number_of_nodes() else 0


def global_efficiency(
    G: nx.Graph, *, n: int | None = None, layer: str | None = "partnership"
) -> float:
    """Latora–Marchiori global efficiency: mean of ``1/d(i, j)`` over ordered pairs.

    Unweighted, undirected (a world graph is reduced to `layer`). With `n` (e.g. the original
    number of nodes) the mean runs over ``n(n-1)`` pairs, so removed nodes count as fully
    disconnected. 0.0 when fewer than two nodes.

    Parameters
    ----------
    G : networkx.Graph
    n : int, optional
        The number of nodes the mean runs over (default the nodes of `G`).
    layer : str or None
        The layer a world graph is reduced to (default the partnership layer); another graph is
        used as it is.

    Returns
    -------
    float
        In [0, 1]; 1 for a complete graph.

    References
    ----------
    V. Latora and M. Marchiori, Phys. Rev. Lett. 87, 198701 (2001),
    doi:10.1103/PhysRevLett.87.198701.

    Examples
    --------
    >>> import networkx as nx
    >>> from sim.metrics import global_efficiency
    >>> global_efficiency(nx.complete_graph(4))
    1.0
    >>> round(global_efficiency(nx.path_graph(3)), 3)  # (1 + 1 + 1/2) * 2 / 6
    0.833
    """
    H = _simple_undirected(G, layer)
    denom = H.number_of_nodes() if n is None else n
    if denom < 2:
        return 0.0
    total = 0.0
    for _, dist in nx.all_pairs_shortest_path_length(H):
        total += sum(1.0 / d for d in dist.values() if d > 0)
    return total / (denom * (denom - 1))


def algebraic_connectivity(
    G: nx.Graph, *, weight: str | None = None, layer: str | None = "partnership"
) -> float:
    """Fiedler value: second-smallest eigenvalue of the Laplacian ``L = D - W``.

    Undirected; `weight` (e.g. ``"strength"``) or unit weights. 0.0 for fewer than two
    nodes or a disconnected graph (exactly, without eigen-solver noise). Dense eigensolver:
    meant for alliance-sized graphs (up to a few thousand nodes).

    Parameters
    ----------
    G : networkx.Graph
        Direction is ignored.
    weight : str, optional
        Edge attribute holding the weights; unit weights when ``None``.
    layer : str or None
        The layer a world graph is reduced to (default the partnership layer); another graph is
        used as it is.

    Returns
    -------
    float
        Non-negative; larger means harder to cut in two.

    References
    ----------
    M. Fiedler, Czech. Math. J. 23, 298 (1973).

    Examples
    --------
    >>> import networkx as nx
    >>> from sim.metrics import algebraic_connectivity
    >>> round(algebraic_connectivity(nx.complete_graph(4)), 3)  # K_n: n
    4.0
    >>> round(algebraic_connectivity(nx.path_graph(3)), 3)
    1.0
    >>> algebraic_connectivity(nx.Graph([(0, 1), (2, 3)]))  # disconnected
    0.0
    """
    H = _simple_undirected(G, layer)
    if H.number_of_nodes() < 2 or not nx.is_connected(H):
        return 0.0
    L = nx.laplacian_matrix(H, weight=weight).toarray().astype(float)
    vals = np.linalg.eigvalsh(L)
    return float(max(vals[1], 0.0))


def articulation_points(G: nx.Graph, *, layer: str | None = "partnership") -> list:
    """Nodes whose removal disconnects their component (undirected view), sorted by label.

    Parameters
    ----------
    G : networkx.Graph
    layer : str or None
        The layer a world graph is reduced to (default the partnership layer); another graph is
        used as it is.

    Returns
    -------
    list
        The cut vertices, sorted.

    Examples
    --------
    >>> import networkx as nx
    >>> from sim.metrics import articulation_points
    >>> articulation_points(nx.path_graph(4))
    [1, 2]
    """
    H = _simple_undirected(G, layer)
    return sorted(nx.articulation_points(H), key=str)


def bridges(G: nx.Graph, *, layer: str | None = "partnership") -> list[tuple]:
    """Edges whose removal disconnects their component (undirected simple view), sorted.

    Parameters
    ----------
    G : networkx.Graph
    layer : str or None
        The layer a world graph is reduced to (default the partnership layer); another graph is
        used as it is.

    Returns
    -------
    list of tuple
        The cut edges ``(u, v)``, sorted.

    Examples
    --------
    >>> import networkx as nx
    >>> from sim.metrics import bridges
    >>> bridges(nx.path_graph(3))
    [(0, 1), (1, 2)]
    >>> bridges(nx.cycle_graph(3))
    []
    """
    H = _simple_undirected(G, layer)
    return sorted((tuple(sorted(e, key=str)) for e in nx.bridges(H)), key=str)


def core_numbers(G: nx.Graph, *, layer: str | None = "partnership") -> dict:
    """k-core number of every node (Seidman 1983), undirected simple view.

    Parameters
    ----------
    G : networkx.Graph
    layer : str or None
        The layer a world graph is reduced to (default the partnership layer); another graph is
        used as it is.

    Returns
    -------
    dict
        Node to its core number: the largest k of a k-core holding it.

    Examples
    --------
    >>> import networkx as nx
    >>> from sim.metrics import core_numbers
    >>> core_numbers(nx.lollipop_graph(3, 1))  # a triangle with a tail
    {0: 2, 1: 2, 2: 2, 3: 1}
    """
    return nx.core_number(_simple_undirected(G, layer))


def k_core_fraction(G: nx.Graph, k: int = 2, *, layer: str | None = "partnership") -> float:
    """Share of nodes in the k-core (core number >= k); 0.0 for an empty graph.

    Parameters
    ----------
    G : networkx.Graph
    k : int
        The core order.
    layer : str or None
        The layer a world graph is reduced to (default the partnership layer); another graph is
        used as it is.

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> import networkx as nx
    >>> from sim.metrics import k_core_fraction
    >>> k_core_fraction(nx.lollipop_graph(3, 2), 2)  # the triangle, not its tail of two
    0.6
    """
    cores = core_numbers(G, layer=layer)
    return sum(c >= k for c in cores.values()) / len(cores) if cores else 0.0


# -- functional: structural supply fulfilment -------------------------------------------------


def _supply_edges(
    G: nx.MultiGraph,
) -> Iterator[tuple[Hashable, Hashable, Hashable, dict[str, Any]]]:
    for a, b, key, d in G.edges(keys=True, data=True):
        if d.get("layer") == "supply":
            yield a, b, key, d


def corridors(G: nx.MultiGraph) -> list[str]:
    """Names of the supply corridors (primary routes and alternatives), sorted.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A world graph (:meth:`sim.world.World.to_networkx`).

    Returns
    -------
    list of str

    Examples
    --------
    >>> from sim.metrics import corridors
    >>> from sim.worlds import synthetic
    >>> corridors(synthetic(8, rng=3).to_networkx())
    ['corridor-6']
    """
    names: set[str] = set()
    for _, _, _, d in _supply_edges(G):
        route = d.get("route")
        if route is not None and getattr(route, "corridor", None):
            names.add(route.corridor)
        elif d.get("corridor"):
            names.add(d["corridor"])
        for alt in d.get("alternatives", ()):
            if alt.corridor:
                names.add(alt.corridor)
    return sorted(names)


def route_taken(route_tie: np.ndarray, usable: np.ndarray, n_ties: int) -> np.ndarray:
    """The rerouting rule: each supply tie takes its first usable route, main route first.

    The one rule both :func:`sim.supply.deliver` (the model) and :func:`supply_fulfilment`
    (and so :func:`sim.robustness.criticality` and ``alliance-sim rank``) apply, so that the
    structural ranking and the model agree on where a tie's volume goes.

    Parameters
    ----------
    route_tie : int array, shape (R,)
        The tie of each route; each tie's routes appear in order of preference (main route,
        then its alternatives in file order). Ties may interleave.
    usable : bool array, shape (R,)
        Routes that can carry traffic (every transit actor passable, corridor open).
    n_ties : int
        Number of ties, numbered ``0 .. n_ties-1``.

    Returns
    -------
    int array, shape (n_ties,)
        Index of the route each tie takes, -1 for a tie with no usable route.

    Notes
    -----
    A tie ships on one route at that route's capacity share; the capacities of several open
    alternatives do not add up (a shipment is not split over corridors). O(R log R).

    Examples
    --------
    >>> route_taken(np.array([0, 0, 0]), np.array([False, True, True]), 1)
    array([1])

    Tie 0 has a main route (closed) and an alternative (open); tie 1 one closed route:

    >>> import numpy as np
    >>> from sim.metrics import route_taken
    >>> route_taken(np.array([0, 0, 1]), np.array([False, True, False]), 2).tolist()
    [1, -1]
    """
    route_tie = np.asarray(route_tie, dtype=np.intp)
    usable = np.asarray(usable, dtype=bool)
    taken = np.full(n_ties, -1, dtype=np.intp)
    cand = np.flatnonzero(usable)
    ties, first = np.unique(route_tie[cand], return_index=True)
    taken[ties] = cand[first]
    return taken


def _tie_share(d: Mapping, removed: set, closed: set) -> float:
    """Share of one supply tie's volume that can still flow: :func:`route_taken`'s route."""
    route = d.get("route")
    primary_via = tuple(d.get("via", route.via if route is not None else ()))
    primary_corr = route.corridor if route is not None else d.get("corridor", "")
    routes = [(primary_via, 1.0, primary_corr)]
    routes += [(tuple(r.via), float(r.capacity), r.corridor) for r in d.get("alternatives", ())]
    usable = np.array(
        [not (set(via) & removed) and corr not in closed for via, _, corr in routes], dtype=bool
    )
    r = int(route_taken(np.zeros(len(routes), dtype=np.intp), usable, 1)[0])
    return routes[r][1] if r >= 0 else 0.0


@overload
def supply_fulfilment(
    G: nx.MultiGraph,
    removed: Iterable[Hashable] = (),
    *,
    closed_corridors: Iterable[str] = (),
    cut: Iterable[tuple] = (),
    by: None = None,
) -> float: ...
@overload
def supply_fulfilment(
    G: nx.MultiGraph,
    removed: Iterable[Hashable] = (),
    *,
    closed_corridors: Iterable[str] = (),
    cut: Iterable[tuple] = (),
    by: Literal["actor"],
) -> dict[Hashable, float]: ...
@overload
def supply_fulfilment(
    G: nx.MultiGraph,
    removed: Iterable[Hashable] = (),
    *,
    closed_corridors: Iterable[str] = (),
    cut: Iterable[tuple] = (),
    by: Literal["commodity"],
) -> dict[str, float]: ...
@overload
def supply_fulfilment(
    G: nx.MultiGraph,
    removed: Iterable[Hashable] = (),
    *,
    closed_corridors: Iterable[str] = (),
    cut: Iterable[tuple] = (),
    by: str | None = None,
) -> float | dict[Hashable, float] | dict[str, float]: ...
def supply_fulfilment(
    G: nx.MultiGraph,
    removed: Iterable[Hashable] = (),
    *,
    closed_corridors: Iterable[str] = (),
    cut: Iterable[tuple] = (),
    by: str | None = None,
) -> float | dict[Hashable, float] | dict[str, float]:
    """Structural supply fulfilment: the share of supply volume whose route stays open.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A world graph (:meth:`sim.world.World.to_networkx`); only edges with
        ``layer == "supply"`` count, each with ``volume``, ``via``/``route`` and
        ``alternatives``.
    removed : iterable of actor ids
        Actors that are gone: they neither send, receive nor transit.
    closed_corridors : iterable of str
        Corridor names whose routes are all closed.
    cut : iterable of ``(supplier, recipient, key)``
        Supply ties that carry nothing.
    by : {None, "actor", "commodity"}
        ``None``: one number, the mean over commodities of each commodity's delivered share,
        each commodity weighted by the value of its volume times its military importance
        (:mod:`sim.commodities`; volumes of different units are only summed within a
        commodity). ``"commodity"``: ``{commodity: share}``. ``"actor"``: ``{recipient:
        share}``, each recipient's mean over its commodities of the delivered share of its
        incoming volume, weighted the same way (a removed recipient gets 0.0).

    Returns
    -------
    float or dict
        Shares in [0, 1]. With no supply ties: 1.0 (nothing is needed, nothing is missing),
        and empty dicts.

    Notes
    -----
    A tie delivers the capacity share of the first open route in order, the main route
    (capacity 1) first, then its alternatives in file order, and nothing if none is open: the
    model's rerouting rule, one function for both (:func:`route_taken`, which
    :func:`sim.supply.deliver` applies too), so criticality rankings and the model agree on
    a tie with several alternatives. A route is open when none of its transit actors is
    removed and its corridor is not closed. This is a static, structural measure (no stocks,
    noise, interdiction or production limits: those are the model's).

    Examples
    --------
    >>> from sim.metrics import supply_fulfilment
    >>> from sim.worlds import synthetic
    >>> G = synthetic(8, rng=3).to_networkx()
    >>> supply_fulfilment(G)
    1.0
    >>> round(supply_fulfilment(G, removed=["A00001"]), 3)
    0.02
    """
    removed = set(removed)
    closed = set(closed_corridors)
    cut = {tuple(c) for c in cut}
    if by not in (None, "actor", "commodity"):
        raise SimError(f"by must be None, 'actor' or 'commodity'; got {by!r}")
    # per (recipient, commodity) and per commodity: [delivered, total]
    per_rc: dict[tuple, list[float]] = {}
    per_c: dict[str, list[float]] = {}
    for a, b, key, d in _supply_edges(G):
        vol = float(d.get("volume", 0.0))
        com = d.get("commodity", str(key).split(":", 1)[-1])
        if a in removed or b in removed or (a, b, key) in cut:
            got = 0.0
        else:
            got = vol * _tie_share(d, removed, closed)
        for cell in (per_rc.setdefault((b, com), [0.0, 0.0]), per_c.setdefault(com, [0.0, 0.0])):
            cell[0] += got
            cell[1] += vol
    from sim.commodities import weight_of

    shares_c = {c: (g / t if t > 0 else 1.0) for c, (g, t) in per_c.items()}
    if by == "commodity":
        return dict(sorted(shares_c.items()))
    if by == "actor":
        pairs: dict[Hashable, list[tuple[float, float]]] = {}
        for (r, c), (g, t) in per_rc.items():
            share = 0.0 if r in removed else (g / t if t > 0 else 1.0)
            pairs.setdefault(r, []).append((share, weight_of(c, t)))
        return {r: _weighted(v) for r, v in sorted(pairs.items(), key=lambda kv: str(kv[0]))}
    if not shares_c:
        return 1.0
    return _weighted([(shares_c[c], weight_of(c, t)) for c, (_, t) in per_c.items()])


def _weighted(pairs: list[tuple[float, float]]) -> float:
    """Weighted mean of ``(value, weight)`` pairs; the plain mean if every weight is 0."""
    v = np.array([p[0] for p in pairs])
    w = np.array([p[1] for p in pairs])
    return float(np.average(v, weights=w) if w.sum() > 0 else v.mean())


def capability_weighted_fulfilment(
    G: nx.MultiGraph, removed: Iterable[Hashable] = (), **kwargs: Any
) -> float:
    """Per-recipient fulfilment averaged with the recipients' ``capability`` as weights.

    Recipients without a capability attribute weigh 0; if every weight is 0 the plain mean is
    used. 1.0 with no supply ties. Other keywords go to :func:`supply_fulfilment`.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A world graph (:meth:`sim.world.World.to_networkx`).
    removed : iterable of actor ids
        Actors that are gone.
    **kwargs
        ``closed_corridors`` and ``cut``, as in :func:`supply_fulfilment`.

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> from sim.metrics import capability_weighted_fulfilment
    >>> from sim.worlds import synthetic
    >>> G = synthetic(8, rng=3).to_networkx()
    >>> capability_weighted_fulfilment(G)
    1.0
    >>> round(capability_weighted_fulfilment(G, removed=["A00001"]), 3)
    0.823
    """
    per = supply_fulfilment(G, removed, by="actor", **kwargs)
    if not per:
        return 1.0
    w = np.array([float(G.nodes[r].get("capability", 0.0)) for r in per])
    x = np.array(list(per.values()))
    return float(np.average(x, weights=w) if w.sum() > 0 else x.mean())


# -- cohesion ---------------------------------------------------------------------------------


def mean_partnership_strength(
    G: nx.Graph, *, nodes: Iterable[Hashable] | None = None, weight: str = "strength"
) -> float:
    """Mean `weight` of the partnership ties (among `nodes` if given); 0.0 with no ties.

    A world graph is reduced to its partnership layer; any other graph's edges are used as
    they are (undirected, each tie once).

    Parameters
    ----------
    G : networkx.Graph
        A world graph, or any graph whose edges carry `weight`.
    nodes : iterable, optional
        Only ties with both ends among these (e.g. one bloc).
    weight : str
        Edge attribute holding the strength.

    Returns
    -------
    float

    Examples
    --------
    >>> import networkx as nx
    >>> from sim.metrics import mean_partnership_strength
    >>> G = nx.Graph()
    >>> G.add_edge("a", "b", strength=0.8)
    >>> G.add_edge("b", "c", strength=0.4)
    >>> round(mean_partnership_strength(G), 3)
    0.6
    >>> mean_partnership_strength(G, nodes=["a", "b"])
    0.8
    """
    H = _simple_undirected(G, "partnership")
    if nodes is not None:
        H = H.subgraph([x for x in nodes if x in H])
    _, u, v, w = _edge_arrays(H, weight)
    return float(group_mean_strength(u, v, w, np.zeros(H.number_of_nodes(), np.intp), 1)[0])


def ties_kept(G0: nx.Graph, G1: nx.Graph, *, layer: str | None = "partnership") -> float:
    """Share of the ties of `G0` (one layer, undirected) still present in `G1`; 1.0 if none.

    Parameters
    ----------
    G0 : networkx.Graph
        The graph before.
    G1 : networkx.Graph
        The graph after.
    layer : str or None
        The layer a world graph is reduced to (default the partnership layer); another graph is
        used as it is.

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> import networkx as nx
    >>> from sim.metrics import ties_kept
    >>> round(ties_kept(nx.path_graph(4), nx.path_graph(3)), 3)  # two of three ties remain
    0.667
    """
    E0 = {frozenset(e) for e in _simple_undirected(G0, layer).edges()}
    E1 = {frozenset(e) for e in _simple_undirected(G1, layer).edges()}
    return len(E0 & E1) / len(E0) if E0 else 1.0


# -- signed balance ---------------------------------------------------------------------------


def signed_graph(G: nx.Graph) -> nx.Graph:
    """Allies and rivals as one signed undirected graph (edge attribute ``sign`` = ±1).

    Partnership ties get +1, rivalries -1. A pair tied in both layers is ambivalent and left
    out. Every actor is a node. A plain graph with ``sign`` attributes is returned as a copy.

    Parameters
    ----------
    G : networkx.Graph
        A world graph, or a plain graph that already has ``sign`` attributes.

    Returns
    -------
    networkx.Graph
        Undirected, with ``sign`` on every edge.

    Examples
    --------
    >>> from sim.metrics import signed_graph
    >>> from sim.worlds import synthetic
    >>> S = signed_graph(synthetic(8, rng=3).to_networkx())
    >>> S.number_of_nodes(), sorted({sign for _, _, sign in S.edges(data="sign")})
    (8, [-1, 1])
    """
    if not _is_world_graph(G):
        return nx.Graph(G)
    S: nx.Graph = nx.Graph()
    S.add_nodes_from(G.nodes())
    signs: dict[frozenset, set] = {}
    for a, b, d in G.edges(data=True):
        if a != b and d.get("layer") in ("partnership", "rivalry"):
            signs.setdefault(frozenset((a, b)), set()).add(1 if d["layer"] == "partnership" else -1)
    for pair, s in signs.items():
        if len(s) == 1:
            S.add_edge(*pair, sign=s.pop())
    return S


def triangle_balance(S: nx.Graph, *, sign: str = "sign") -> float:
    """Fraction of triangles whose sign product is +1 (Cartwright & Harary 1956).

    Undirected; edges without `sign` count as +1. ``nan`` when there is no triangle.

    Parameters
    ----------
    S : networkx.Graph
        A signed graph (e.g. from :func:`signed_graph`).
    sign : str
        Edge attribute holding +1 or -1.

    Returns
    -------
    float
        In [0, 1], or ``nan``.

    References
    ----------
    D. Cartwright and F. Harary, Psychol. Rev. 63, 277 (1956), doi:10.1037/h0046049.

    Examples
    --------
    >>> import networkx as nx
    >>> S = nx.Graph()
    >>> S.add_edge("a", "b", sign=1)   # allies
    >>> S.add_edge("b", "c", sign=-1)  # rivals
    >>> S.add_edge("a", "c", sign=-1)
    >>> from sim.metrics import triangle_balance
    >>> triangle_balance(S)  # the enemy of my friend is my enemy
    1.0
    """
    S = nx.Graph(S)
    total = balanced = 0
    order = {x: i for i, x in enumerate(S)}
    for a in S:
        na = [b for b in S[a] if order[b] > order[a]]
        for i, b in enumerate(na):
            for c in na[i + 1 :]:
                if S.has_edge(b, c):
                    prod = S[a][b].get(sign, 1) * S[a][c].get(sign, 1) * S[b][c].get(sign, 1)
                    total += 1
                    balanced += prod > 0
    return balanced / total if total else math.nan


def walk_balance(S: nx.Graph, *, sign: str = "sign") -> float:
    """Estrada–Benzi walk balance ``K = tr e^A / tr e^|A|``: 1 iff balanced, else < 1.

    ``A`` is the signed adjacency matrix (undirected). 1.0 for an empty graph.

    Parameters
    ----------
    S : networkx.Graph
        A signed graph (e.g. from :func:`signed_graph`).
    sign : str
        Edge attribute holding +1 or -1.

    Returns
    -------
    float
        In (0, 1].

    References
    ----------
    E. Estrada and M. Benzi, Phys. Rev. E 90, 042802 (2014), doi:10.1103/PhysRevE.90.042802.

    Examples
    --------
    >>> import networkx as nx
    >>> S = nx.Graph()
    >>> S.add_edge("a", "b", sign=1)   # allies
    >>> S.add_edge("b", "c", sign=-1)  # rivals
    >>> S.add_edge("a", "c", sign=-1)
    >>> from sim.metrics import walk_balance
    >>> round(walk_balance(S), 3)
    1.0
    >>> S["a"]["c"]["sign"] = 1
    >>> round(walk_balance(S), 3)
    0.686
    """
    nodes = list(S)
    if not nodes:
        return 1.0
    A = nx.to_numpy_array(S, nodelist=nodes, weight=sign)
    lam = np.linalg.eigvalsh(A)
    lam_abs = np.linalg.eigvalsh(np.abs(A))
    # Shift by the top eigenvalue so the exponentials do not overflow.
    shift = lam_abs.max()
    return float(np.exp(lam - shift).sum() / np.exp(lam_abs - shift).sum())


def is_balanced(S: nx.Graph, *, sign: str = "sign") -> bool:
    """Whether the nodes split into two camps, allies inside, rivals across (BFS 2-colouring).

    Parameters
    ----------
    S : networkx.Graph
        A signed graph (e.g. from :func:`signed_graph`).
    sign : str
        Edge attribute holding +1 or -1; edges without it count as +1.

    Returns
    -------
    bool

    Examples
    --------
    >>> import networkx as nx
    >>> S = nx.Graph()
    >>> S.add_edge("a", "b", sign=1)   # allies
    >>> S.add_edge("b", "c", sign=-1)  # rivals
    >>> S.add_edge("a", "c", sign=-1)
    >>> from sim.metrics import is_balanced
    >>> is_balanced(S)  # {a, b} against {c}
    True
    >>> S["a"]["c"]["sign"] = 1  # c allied with a but the rival of b: no two camps
    >>> is_balanced(S)
    False
    """
    colour: dict = {}
    for start in S:
        if start in colour:
            continue
        colour[start] = 0
        queue = [start]
        while queue:
            x = queue.pop()
            for y, d in S[x].items():
                want = colour[x] ^ (0 if d.get(sign, 1) > 0 else 1)
                if y not in colour:
                    colour[y] = want
                    queue.append(y)
                elif colour[y] != want:
                    return False
    return True


# -- resilience over time ---------------------------------------------------------------------


def _series(P: ArrayLike, t: ArrayLike | None) -> tuple[np.ndarray, np.ndarray]:
    P = np.asarray(P, dtype=float)
    if P.ndim != 1 or P.size == 0:
        raise SimError("performance must be a non-empty 1-d series")
    t = np.arange(P.size, dtype=float) if t is None else np.asarray(t, dtype=float)
    if t.shape != P.shape:
        raise SimError(f"times ({t.size}) and performance ({P.size}) differ in length")
    if np.any(np.diff(t) <= 0):
        raise SimError("times must increase strictly")
    return P, t


def robustness(P: ArrayLike) -> float:
    """Bruneau's robustness: the minimum of the performance series.

    Parameters
    ----------
    P : sequence of float
        The performance series.

    Returns
    -------
    float

    Examples
    --------
    >>> P = [100, 60, 70, 80, 90, 100]  # a drop to 60, then linear recovery
    >>> from sim.metrics import robustness
    >>> robustness(P)
    60.0
    """
    return float(np.min(_series(P, None)[0]))


def resilience_loss(P: ArrayLike, t: ArrayLike | None = None, *, baseline=1.0):
    """Resilience loss ``∫ max(P0 - P(t), 0) dt`` by the trapezoidal rule (Bruneau et al. 2003).

    In the units of ``P × t``. Linear recovery from 60 to 100 over 10 steps (baseline 100)
    gives 200, the "resilience triangle".

    Parameters
    ----------
    P : sequence of float
        The performance series, e.g. an outcome at each month.
    t : sequence of float, optional
        The times of `P` (default ``0, 1, 2, ...``).
    baseline : float
        The performance without a shock, P0.

    Returns
    -------
    float
        The area between the baseline and the series where it falls below.

    References
    ----------
    M. Bruneau et al., Earthquake Spectra 19(4), 733 (2003), doi:10.1193/1.1623497.

    Examples
    --------
    >>> P = [100, 60, 70, 80, 90, 100]  # a drop to 60, then linear recovery
    >>> from sim.metrics import resilience_loss
    >>> resilience_loss(P, baseline=100)
    100.0
    """
    P, t = _series(P, t)
    return float(np.trapezoid(np.maximum(baseline - P, 0.0), t)) if P.size > 1 else 0.0


def normalised_resilience(P: ArrayLike, t: ArrayLike | None = None, *, baseline=1.0):
    """``(1/T) ∫ P/P0 dt`` (Cimellaro et al. 2010): 1 without a shock; 1.0 for one point.

    Parameters
    ----------
    P : sequence of float
        The performance series, e.g. an outcome at each month.
    t : sequence of float, optional
        The times of `P` (default ``0, 1, 2, ...``).
    baseline : float
        The performance without a shock, P0.

    Returns
    -------
    float
        1 without loss; lower the deeper and longer the drop.

    References
    ----------
    G. P. Cimellaro, A. M. Reinhorn and M. Bruneau, Eng. Struct. 32, 3639 (2010).

    Examples
    --------
    >>> P = [100, 60, 70, 80, 90, 100]  # a drop to 60, then linear recovery
    >>> from sim.metrics import normalised_resilience
    >>> round(normalised_resilience(P, baseline=100), 3)
    0.8
    """
    P, t = _series(P, t)
    if baseline == 0:
        raise SimError("baseline must be non-zero")
    if P.size == 1:
        return float(P[0] / baseline)
    return float(np.trapezoid(P / baseline, t) / (t[-1] - t[0]))


def time_to_recovery(P: ArrayLike, t: ArrayLike | None = None, *, baseline=1.0, eps=1e-9) -> float:
    """First time after the minimum from which ``P >= P0 - eps`` for good; ``inf`` if never.

    The time of the minimum itself if it already meets the baseline (no shock).

    Parameters
    ----------
    P : sequence of float
        The performance series, e.g. an outcome at each month.
    t : sequence of float, optional
        The times of `P` (default ``0, 1, 2, ...``).
    baseline : float
        The performance without a shock, P0.
    eps : float
        How far below `baseline` still counts as recovered.

    Returns
    -------
    float
        A time of `t` (or an index), or ``inf``.

    Examples
    --------
    >>> P = [100, 60, 70, 80, 90, 100]  # a drop to 60, then linear recovery
    >>> from sim.metrics import time_to_recovery
    >>> time_to_recovery(P, baseline=100)
    5.0
    >>> time_to_recovery([100, 60, 70], baseline=100)
    inf
    """
    P, t = _series(P, t)
    i_min = int(np.argmin(P))
    ok = baseline - eps <= P
    bad_after = np.flatnonzero(~ok[i_min:])
    if bad_after.size == 0:
        return float(t[i_min])
    j = i_min + bad_after[-1] + 1
    return float(t[j]) if j < P.size else math.inf


def rapidity(P: ArrayLike, t: ArrayLike | None = None, *, baseline=1.0, eps=1e-9):
    """Recovery speed ``(P0 - P_min) / (t_r - t_min)``: 0 if never recovered or no drop.

    Parameters
    ----------
    P : sequence of float
        The performance series, e.g. an outcome at each month.
    t : sequence of float, optional
        The times of `P` (default ``0, 1, 2, ...``).
    baseline : float
        The performance without a shock, P0.
    eps : float
        How far below `baseline` still counts as recovered.

    Returns
    -------
    float
        Performance regained per unit of time.

    Examples
    --------
    >>> P = [100, 60, 70, 80, 90, 100]  # a drop to 60, then linear recovery
    >>> from sim.metrics import rapidity
    >>> rapidity(P, baseline=100)  # 40 regained in 4 steps
    10.0
    """
    P, t = _series(P, t)
    i_min = int(np.argmin(P))
    tr = time_to_recovery(P, t, baseline=baseline, eps=eps)
    drop = baseline - P[i_min]
    if not math.isfinite(tr) or tr <= t[i_min] or drop <= 0:
        return 0.0
    return float(drop / (tr - t[i_min]))


def resilience_summary(
    P: ArrayLike, t: ArrayLike | None = None, *, baseline=1.0, eps=1e-9
) -> dict[str, float]:
    """All the over-time measures of one series in a dict.

    Parameters
    ----------
    P : sequence of float
        The performance series, e.g. an outcome at each month.
    t : sequence of float, optional
        The times of `P` (default ``0, 1, 2, ...``).
    baseline : float
        The performance without a shock, P0.
    eps : float
        How far below `baseline` still counts as recovered.

    Returns
    -------
    dict
        ``robustness``, ``loss``, ``normalised_resilience``, ``time_to_recovery``, ``rapidity``
        (see each function).

    Examples
    --------
    >>> P = [100, 60, 70, 80, 90, 100]  # a drop to 60, then linear recovery
    >>> from sim.metrics import resilience_summary
    >>> resilience_summary(P, baseline=100)  # doctest: +NORMALIZE_WHITESPACE
    {'robustness': 60.0, 'loss': 100.0, 'normalised_resilience': 0.8, 'time_to_recovery': 5.0,
     'rapidity': 10.0}
    """
    return {
        "robustness": robustness(P),
        "loss": resilience_loss(P, t, baseline=baseline),
        "normalised_resilience": normalised_resilience(P, t, baseline=baseline),
        "time_to_recovery": time_to_recovery(P, t, baseline=baseline, eps=eps),
        "rapidity": rapidity(P, t, baseline=baseline, eps=eps),
    }


# -- per-bloc reporters -----------------------------------------------------------------------


def bloc_reporters(G: nx.MultiGraph, removed: Iterable[Hashable] = ()) -> dict[str, float]:
    """The structural reporters of each bloc ``B``: ``giant:B``, ``mean_strength:B``,
    ``supply_fulfilment:B``.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A world graph whose nodes carry ``bloc`` (e.g. ``AllianceModel.to_networkx()``).
    removed : iterable
        Actors that are gone, in addition to the nodes whose ``alive`` attribute is False
        (removed actors stay in the denominators: a bloc that loses members loses
        giant-component fraction).

    Returns
    -------
    dict
        ``giant:B``: largest connected component of the bloc's partnership subgraph over the
        bloc's size (its members in `G`, removed ones included); ``mean_strength:B``: mean
        strength of the partnership ties inside the bloc (ties of removed actors excluded);
        ``supply_fulfilment:B``: mean structural :func:`supply_fulfilment` of the bloc's
        recipients (1.0 if it receives nothing). ``giant`` and ``mean_strength`` follow the
        reporter contract in docs/architecture.md; ``supply_fulfilment`` is named apart from
        the model's ``fulfilment:B`` (the share of needs delivered this month), which it is not.

    Notes
    -----
    ``giant`` and ``mean_strength`` are :func:`group_giant_fractions` and
    :func:`group_mean_strength` on the graph's arrays, the functions behind the model's own
    reporters, so on ``model.to_networkx()`` they equal the model's ``giant:B`` and
    ``mean_strength:B`` as long as no actor has changed bloc (the model divides by the bloc's
    size at t = 0). The model's ``cohesion:B`` (:func:`retained_strength`) needs the strengths
    at t = 0, which a graph does not hold.

    Examples
    --------
    >>> from sim.metrics import bloc_reporters
    >>> from sim.worlds import synthetic
    >>> reporters = bloc_reporters(synthetic(8, rng=3).to_networkx())
    >>> {k: round(v, 3) for k, v in reporters.items() if k.endswith(":axis")}
    {'giant:axis': 1.0, 'mean_strength:axis': 0.465, 'supply_fulfilment:axis': 1.0}
    """
    removed = set(removed)
    removed |= {x for x, d in G.nodes(data=True) if d.get("alive", True) is False}
    H = _simple_undirected(G, "partnership")
    _, u, v, w = _edge_arrays(H, "strength")
    bloc_of = [d.get("bloc", "neutral") for _, d in H.nodes(data=True)]
    blocs = list(dict.fromkeys(bloc_of))
    index = {b: k for k, b in enumerate(blocs)}
    group = np.array([index[b] for b in bloc_of], dtype=np.intp)
    alive = np.array([x not in removed for x in H], dtype=bool)
    nb = len(blocs)
    giant = group_giant_fractions(len(group), u, v, group, alive, np.bincount(group, minlength=nb))
    cohesion = group_mean_strength(u, v, w, group, nb, active=alive[u] & alive[v])
    per_actor = supply_fulfilment(G, removed, by="actor")
    got = np.array([float(per_actor.get(x, 0.0)) for x in H])
    receives = np.array([x in per_actor for x in H], dtype=bool)
    fulfil = group_means(got, group, nb, mask=receives, empty=1.0)
    out: dict[str, float] = {}
    for k, b in enumerate(blocs):
        out[f"giant:{b}"] = float(giant[k])
        out[f"mean_strength:{b}"] = float(cohesion[k])
        out[f"supply_fulfilment:{b}"] = float(fulfil[k])
    return out
