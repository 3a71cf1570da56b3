"""Structural robustness: attack curves (Newman–Ziff), criticality, load and coupled cascades.

A pure analysis layer over networkx graphs (or plain edge arrays); it never imports the model.

The workhorse is the Newman–Ziff reverse sweep (Newman & Ziff 2000, 2001): the removal order is
fixed first (adaptive orders are computed on the shrinking graph), then the nodes are *added* in
reverse order to a union-find forest, and the largest cluster after ``N - Q`` additions is the
giant component after ``Q`` removals. One sweep costs ``O((N + M) log N)`` (a sort and a minimum
spanning forest in compiled code, then one Python union per forest edge); components are never
recomputed after every removal.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree

from sim.errors import SimError, UnknownNameError, suggest

__all__ = [
    "NODE_STRATEGIES",
    "AttackCurve",
    "CascadeResult",
    "attack_curve",
    "attack_curve_from_edges",
    "attack_order",
    "criticality",
    "edge_attack_curve",
    "edge_attack_curve_from_edges",
    "graph_arrays",
    "interdependent_cascade",
    "load_cascade",
]

#: Built-in node strategies; any other string is read as a numeric node attribute.
NODE_STRATEGIES = ("random", "degree", "adaptive-degree", "betweenness", "adaptive-betweenness")
#: Built-in edge strategies; any other string is read as a numeric edge attribute.
EDGE_STRATEGIES = ("random", "betweenness", "degree-product")

#: Above this many nodes, betweenness is estimated from `betweenness_samples` pivots.
BETWEENNESS_EXACT_MAX = 500
BETWEENNESS_SAMPLES = 256


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttackCurve:
    """A removal curve: the giant component after each of ``Q = 0..N`` removals.

    Attributes
    ----------
    strategy : str
        The strategy that produced the removal order.
    n : int
        Number of nodes ``N`` of the original graph (for edge curves too: the giant is a
        fraction of ``N``).
    fraction_removed : numpy.ndarray
        ``Q / total`` for ``Q = 0..total`` (``total`` = ``N`` nodes or ``M`` edges).
    giant_fraction : numpy.ndarray
        Largest connected component after ``Q`` removals, divided by the original ``N``.
    order : tuple
        The removed nodes (or edges), first removed first.
    threshold : float
        The giant fraction below which the network counts as fragmented.
    kind : {"node", "edge"}
        What was removed: nodes (site percolation) or edges (bond percolation).

    Examples
    --------
    A star loses its hub first under degree attack: one node is left connected to nothing.

    >>> import networkx as nx
    >>> c = attack_curve(nx.star_graph(4), "degree", rng=1)
    >>> c.giant_fraction.tolist(), round(c.robustness, 3), c.critical_fraction
    ([1.0, 0.2, 0.2, 0.2, 0.2, 0.0], 0.16, 0.2)
    >>> c.to_frame().iloc[1].to_dict()
    {'removed': 1, 'fraction_removed': 0.2, 'giant_fraction': 0.2, 'item': '0'}
    """

    strategy: str
    n: int
    fraction_removed: np.ndarray
    giant_fraction: np.ndarray
    order: tuple = ()
    threshold: float = 0.05
    kind: str = "node"

    @property
    def robustness(self) -> float:
        """Schneider et al.'s ``R = (1/N) Σ_{Q=1..N} s(Q)``: the mean of ``giant_fraction[1:]``.

        For edge curves the mean runs over the ``M`` edge removals. 0 for an empty graph.
        """
        if self.giant_fraction.size <= 1:
            return 0.0
        return float(self.giant_fraction[1:].mean())

    @property
    def critical_fraction(self) -> float:
        """The smallest fraction removed at which the network counts as fragmented.

        Fragmented: the giant falls below `threshold` of ``N``, or no two remaining nodes are
        connected (giant of at most one node, which matters for small alliance graphs).
        1.0 if neither happens before everything is removed.
        """
        n = max(self.n, 1)
        below = np.flatnonzero(
            (self.giant_fraction < self.threshold) | (self.giant_fraction * n <= 1 + 1e-9)
        )
        return float(self.fraction_removed[below[0]]) if below.size else 1.0

    def to_frame(self) -> pd.DataFrame:
        """The curve as a tidy table: ``removed, fraction_removed, giant_fraction, item``."""
        total = self.fraction_removed.size - 1
        items = ["", *[str(x) for x in self.order]]
        return pd.DataFrame(
            {
                "removed": np.arange(total + 1),
                "fraction_removed": self.fraction_removed,
                "giant_fraction": self.giant_fraction,
                "item": items if len(items) == total + 1 else [""] * (total + 1),
            }
        )


@dataclass(frozen=True)
class CascadeResult:
    """The outcome of a cascade.

    Attributes
    ----------
    surviving_fraction : float
        Giant component after the cascade (for interdependent cascades: the mutually
        connected giant component), as a fraction of the original ``N``.
    steps : list of tuple
        The nodes that failed at each step; ``steps[0]`` is the initial removal.
    survivors : frozenset
        Nodes still functional at the end (for Motter–Lai: all nodes not removed).

    Examples
    --------
    >>> import networkx as nx
    >>> r = load_cascade(nx.path_graph(5), alpha=0.1, initial=[0])
    >>> r.surviving_fraction, r.steps, r.n_steps
    (0.8, [(0,)], 0)
    """

    surviving_fraction: float
    steps: list[tuple] = field(default_factory=list)
    survivors: frozenset = frozenset()

    @property
    def n_steps(self) -> int:
        """Steps after the initial removal in which something failed."""
        return max(0, sum(1 for s in self.steps if s) - 1)


# -- conversions ------------------------------------------------------------------------------


def graph_arrays(G: nx.Graph, *, layer: str | None = None) -> tuple[list, np.ndarray, np.ndarray]:
    """A graph as ``(nodes, u, v)``: node labels and undirected edge index arrays.

    Directed edges count as undirected (weak connectivity); parallel edges and self-loops are
    dropped. With `layer`, only that layer of a world graph is kept (:func:`sim.world.layer_view`).

    Parameters
    ----------
    G : networkx.Graph
        Any graph, or a world's :meth:`~sim.world.World.to_networkx` graph with `layer`.
    layer : str, optional
        The world layer to keep (``"partnership"``, ``"supply"``, ``"rivalry"``).

    Returns
    -------
    nodes : list
        Node labels; position ``i`` is node index ``i``.
    u, v : numpy.ndarray of int64
        End points of each simple undirected edge, as node indices.

    Examples
    --------
    >>> import networkx as nx
    >>> nodes, u, v = graph_arrays(nx.Graph([("a", "b"), ("b", "c"), ("c", "c")]))
    >>> nodes, u.tolist(), v.tolist()  # the self-loop is dropped
    (['a', 'b', 'c'], [0, 1], [1, 2])
    """
    nodes, u, v, _ = _graph_arrays(_select_layer(G, layer))
    return nodes, u, v


def _graph_arrays(G: nx.Graph) -> tuple[list, np.ndarray, np.ndarray, bool]:
    """:func:`graph_arrays` of a graph, and whether its nodes are ``0..n-1`` in order."""
    # One pass over the adjacency with np.fromiter: building Python tuples per edge cost
    # more than the whole Newman-Ziff sweep. Undirected edges appear from both ends and
    # directed ones from their tail; _unique_pairs folds both to one (lo, hi) pair.
    # networkx's raw adjacency dict (``G._adj``, what ``G.adj`` views): its read-only views
    # cost more to build per node than the lookups themselves.
    adj = getattr(G, "_adj", None) or G.adj
    nodes = list(adj)
    n = len(nodes)
    counts = np.fromiter(map(len, adj.values()), dtype=np.int64, count=n)
    u = np.repeat(np.arange(n, dtype=np.int64), counts)
    neighbours: Iterator[Any] = itertools.chain.from_iterable(adj.values())
    # Nodes labelled 0..n-1 in order (generated graphs) are their own positions: no lookups.
    labelled_by_position = _labelled_by_position(nodes)
    if not labelled_by_position:
        index = {x: i for i, x in enumerate(nodes)}
        neighbours = map(index.__getitem__, neighbours)
    v = np.fromiter(neighbours, dtype=np.int64, count=int(counts.sum()))
    if not G.is_directed() and not G.is_multigraph():
        # A simple undirected graph lists each edge from both ends: keeping u < v is exact
        # (self-loops go too) and skips the sort-based deduplication.
        keep = u < v
        return nodes, u[keep], v[keep], labelled_by_position
    u, v = _unique_pairs(u, v)
    return nodes, u, v, labelled_by_position


def _labelled_by_position(nodes: list) -> bool:
    """Whether `nodes` is ``[0, 1, ..., n-1]`` (Python ints, not bools or numpy integers)."""
    n = len(nodes)
    return n > 0 and type(nodes[0]) is int and type(nodes[-1]) is int and nodes == list(range(n))


def _unique_pairs(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    keep = lo != hi
    key = np.unique(lo[keep].astype(np.int64) << 32 | hi[keep].astype(np.int64))
    return key >> 32, key & 0xFFFFFFFF


def _select_layer(G: Any, layer: str | None) -> nx.Graph:
    from sim.world import World, layer_view

    if isinstance(G, World):
        G = G.to_networkx()
        layer = layer or "partnership"
    if layer is not None:
        G = layer_view(G, layer)
    return G


def _as_rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


# -- the Newman–Ziff sweep --------------------------------------------------------------------


def _largest_after_times(n: int, u: np.ndarray, v: np.ndarray, t: np.ndarray, steps: int):
    """Largest cluster after each of ``steps`` time steps, edges appearing at times `t`.

    Returns ``out`` of length ``steps + 1``: ``out[k]`` is the largest cluster once every edge
    with ``t < k`` is present (every node counts as a cluster of one). The edge sweep; node
    removal has its own, :func:`_node_sweep`.
    """
    out = np.zeros(steps + 1, dtype=np.int64)
    if u.size:
        # Only edges of a minimum spanning forest (weights = appearance time) change the
        # clusters; with ties any forest spans the same clusters at every time.
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        w = t.astype(np.float64) + 1.0  # zero weights would read as missing edges
        A = csr_matrix((w, (lo, hi)), shape=(n, n))  # duplicates are summed here...
        rows = np.repeat(np.arange(n), np.diff(A.indptr))
        A.data = _min_time(n, lo, hi, t, rows, A.indices) + 1.0  # ...so restore the time
        F = minimum_spanning_tree(A).tocoo()
        fu, fv = F.row.astype(np.int64), F.col.astype(np.int64)
        ft = np.rint(F.data).astype(np.int64) - 1
        idx = np.argsort(ft)  # order within one time step does not matter (see below)
        sizes = _union_sizes(n, fu[idx].tolist(), fv[idx].tolist())
        # Running maximum in time order; for repeated times the last write is the largest.
        out[ft[idx] + 1] = np.maximum.accumulate(np.asarray(sizes, dtype=np.int64))
    return np.maximum.accumulate(out)


def _min_time(n, lo, hi, t, rows, cols) -> np.ndarray:
    """The earliest appearance time of each (row, col) pair of a CSR matrix."""
    key = lo * n + hi
    order = np.lexsort((t, key))
    key_s, t_s = key[order], t[order]
    first = np.ones(key_s.size, dtype=bool)
    first[1:] = key_s[1:] != key_s[:-1]
    pos = np.searchsorted(key_s[first], rows * n + cols)
    return t_s[first][pos].astype(np.float64)


def _union_sizes(n: int, us: list[int], vs: list[int]) -> list[int]:
    # The one Python loop: union by size with path halving over forest edges (each joins two
    # different clusters). Lists, not numpy scalars: item access is several times faster.
    parent = list(range(n))
    size = [1] * n
    sizes: list[int] = []
    append = sizes.append
    for a, b in zip(us, vs, strict=True):
        while parent[a] != a:
            parent[a] = a = parent[parent[a]]
        while parent[b] != b:
            parent[b] = b = parent[parent[b]]
        sa, sb = size[a], size[b]
        if sa < sb:
            parent[a] = b
            size[b] = sa = sa + sb
        else:
            parent[b] = a
            size[a] = sa = sa + sb
        append(sa)
    return sizes


def _check_permutation(order: np.ndarray, n: int) -> None:
    ok = order.shape == (n,) and (
        n == 0
        or (order.min() >= 0 and order.max() < n and np.bincount(order, minlength=n).max() == 1)
    )
    if not ok:
        raise SimError(f"order must be a permutation of 0..{n - 1}")


def attack_curve_from_edges(n: int, u: ArrayLike, v: ArrayLike, order: ArrayLike) -> np.ndarray:
    """Largest component sizes ``s(Q)``, ``Q = 0..n``, for removing nodes in `order`.

    The low-level entry point for arrays: nodes are ``0..n-1``, edges ``(u[i], v[i])``
    (undirected; duplicates and self-loops are harmless).

    Parameters
    ----------
    n : int
        Number of nodes.
    u, v : array_like of int
        Edge end points.
    order : array_like of int
        A permutation of ``0..n-1``: the removal order, first removed first.

    Returns
    -------
    numpy.ndarray of int64, length ``n + 1``
        ``s[Q]`` = size of the largest connected component after removing ``order[:Q]``
        (``s[0]`` is the intact graph's giant, ``s[n] = 0``).

    Notes
    -----
    Newman–Ziff reverse sweep: node ``order[j]`` is present for ``Q <= j``, so an edge is
    present for ``Q <= min(pos[u], pos[v])``; counting time backwards, ``k = n - Q`` nodes
    are present. Cost: a sort and scipy's minimum spanning forest, then one union per forest
    edge.

    References
    ----------
    M. E. J. Newman and R. M. Ziff, Phys. Rev. Lett. 85, 4104 (2000),
    doi:10.1103/PhysRevLett.85.4104.

    Examples
    --------
    The path 0-1-2-3, its second node removed first:

    >>> attack_curve_from_edges(4, [0, 1, 2], [1, 2, 3], [1, 0, 2, 3]).tolist()
    [4, 2, 2, 1, 0]
    """
    order = np.asarray(order, dtype=np.int64)
    _check_permutation(order, n)
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    keep = u != v
    return _node_sweep(n, u[keep], v[keep], order)


def _node_sweep(n: int, u: np.ndarray, v: np.ndarray, order: np.ndarray) -> np.ndarray:
    """:func:`attack_curve_from_edges` without the checks: no self-loops, `order` valid.

    The node-removal case of :func:`_largest_after_times`, built for the call a user makes
    on a graph. Nodes are relabelled by the time they appear in the reverse sweep, and each
    edge is stored in the row of its later end point, whose time is the edge's. The CSR
    matrix is then built directly (no COO round trip: duplicates weigh the same and are
    harmless), its weights are already sorted (so the forest's own stable sort is a linear
    pass) and the forest comes out row by row, that is in time order, with its times read
    from the rows.
    """
    largest = np.zeros(n + 1, dtype=np.int64)
    if u.size:
        appears = np.empty(n, dtype=np.int64)
        appears[order] = np.arange(n - 1, -1, -1)  # order[-1] appears first, at time 0
        tu, tv = appears[u], appears[v]
        row, col = np.maximum(tu, tv), np.minimum(tu, tv)
        by_row = np.argsort(row)
        row, col = row[by_row], col[by_row]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
        # weight = time + 1 (zero weights would read as missing edges)
        A = csr_matrix((row + 1.0, col, indptr), shape=(n, n))
        F = minimum_spanning_tree(A, overwrite=True)
        ft = np.repeat(np.arange(n, dtype=np.int64), np.diff(F.indptr))  # rows: times, sorted
        sizes = _union_sizes(n, ft.tolist(), F.indices.tolist())
        # Running maximum in time order; for repeated times the last write is the largest.
        largest[ft + 1] = np.maximum.accumulate(np.asarray(sizes, dtype=np.int64))
        np.maximum.accumulate(largest, out=largest)
    largest[1:] = np.maximum(largest[1:], 1)  # any present node is a cluster of one
    largest[0] = 0
    return largest[::-1].copy()


def edge_attack_curve_from_edges(
    n: int, u: ArrayLike, v: ArrayLike, order: ArrayLike
) -> np.ndarray:
    """Largest component sizes after removing ``Q = 0..M`` edges in `order` (bond percolation).

    `order` is a permutation of ``0..M-1`` (edge indices into `u`, `v`); every node stays.
    Returns an int64 array of length ``M + 1``; ``s[M] = 1`` when ``n > 0``.

    Parameters
    ----------
    n : int
        Number of nodes ``0..n-1``.
    u, v : array_like of int
        Edge end points, ``M`` edges.
    order : array_like of int
        A permutation of ``0..M-1``: the edges' removal order, first removed first.

    Returns
    -------
    numpy.ndarray of int64, length ``M + 1``
        ``s[Q]`` = size of the largest connected component after cutting ``order[:Q]``.

    Examples
    --------
    The path 0-1-2-3, its middle edge cut first:

    >>> edge_attack_curve_from_edges(4, [0, 1, 2], [1, 2, 3], [1, 0, 2]).tolist()
    [4, 2, 2, 1]
    """
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    m = u.size
    order = np.asarray(order, dtype=np.int64)
    _check_permutation(order, m)
    pos = np.empty(m, dtype=np.int64)
    pos[order] = np.arange(m)
    t = m - 1 - pos
    keep = u != v
    largest = _largest_after_times(n, u[keep], v[keep], t[keep], m)
    if n:
        largest = np.maximum(largest, 1)
    return largest[::-1].copy()


# -- removal orders ---------------------------------------------------------------------------


def _rank_desc(score: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices by descending score, ties broken uniformly at random."""
    return np.lexsort((rng.random(score.size), -np.asarray(score, dtype=np.float64)))


def _betweenness(H: nx.Graph, rng: np.random.Generator, samples: int) -> dict:
    if H.number_of_nodes() > BETWEENNESS_EXACT_MAX:
        k = min(samples, H.number_of_nodes())
        return nx.betweenness_centrality(H, k=k, seed=int(rng.integers(2**32)))
    return nx.betweenness_centrality(H)


def attack_order(
    G: nx.Graph,
    strategy: str = "random",
    *,
    rng: np.random.Generator | int | None = None,
    betweenness_samples: int = BETWEENNESS_SAMPLES,
) -> list:
    """The order in which an attack removes the nodes of `G` (first removed first).

    Parameters
    ----------
    G : networkx.Graph
        Treated as undirected and simple (direction and parallel edges ignored).
    strategy : str
        ``"random"``; ``"degree"`` (initial degree, highest first); ``"adaptive-degree"``
        (highest degree in the remaining graph, recomputed after every removal);
        ``"betweenness"`` (initial betweenness); ``"adaptive-betweenness"`` (recomputed after
        every removal); or the name of a numeric node attribute (highest first; e.g.
        ``"capability"``).
    rng : numpy.random.Generator, int or None
        Breaks ties uniformly at random; draws the random order and betweenness pivots.
    betweenness_samples : int
        Above ``BETWEENNESS_EXACT_MAX`` (500) nodes, betweenness is estimated from this
        many random pivots (Brandes & Pich 2007), in both betweenness strategies. Once the
        remaining graph has no edges, the rest is removed in random order.

    Returns
    -------
    list
        Every node of `G` once.

    Examples
    --------
    >>> import networkx as nx
    >>> attack_order(nx.star_graph(4), "degree", rng=1)  # the hub, then the leaves by rng
    [0, 2, 4, 3, 1]
    """
    nodes = list(G.nodes())
    return [
        nodes[i] for i in _attack_order(G, strategy, rng=_as_rng(rng), samples=betweenness_samples)
    ]


def _attack_order(G, strategy, *, rng, samples, arrays=None) -> np.ndarray:
    """The removal order as positions in ``list(G.nodes())`` (labels cost time at large N)."""
    nodes = list(G.nodes()) if arrays is None else arrays[0]
    n = len(nodes)
    if strategy == "random":
        return rng.permutation(n)
    if strategy in ("degree", "adaptive-degree"):
        # distinct neighbours, self-loops excluded, as in the sweep
        _, u, v = graph_arrays(G) if arrays is None else arrays
        if strategy == "adaptive-degree":
            return _adaptive_degree_order(n, u, v, rng)
        deg = np.bincount(np.concatenate([u, v]), minlength=n)
        return _rank_desc(deg, rng)
    position = {x: i for i, x in enumerate(nodes)}
    if strategy in ("betweenness", "adaptive-betweenness"):
        H = nx.Graph(G.to_undirected(as_view=True)) if G.is_directed() else nx.Graph(G)
        H.remove_edges_from(nx.selfloop_edges(H))
        if strategy == "betweenness":
            bc = _betweenness(H, rng, samples)
            return _rank_desc(np.array([bc[x] for x in nodes]), rng)
        if strategy == "adaptive-betweenness":
            out = []
            tiebreak = dict(zip(nodes, rng.random(n), strict=True))
            while H.number_of_edges():
                bc = _betweenness(H, rng, samples)
                # highest betweenness; among equals, highest degree, then the random key
                top = max(H.nodes(), key=lambda x: (bc[x], H.degree(x), tiebreak[x]))
                out.append(top)
                H.remove_node(top)
            rest = list(H.nodes())
            out += [rest[i] for i in rng.permutation(len(rest))]
            return np.array([position[x] for x in out], dtype=np.int64)
    values = []
    missing = []
    for x in nodes:
        val = G.nodes[x].get(strategy)
        if isinstance(val, bool) or not isinstance(val, int | float) or math.isnan(val):
            missing.append(x)
        values.append(val)
    if missing:
        known = NODE_STRATEGIES + tuple(
            sorted({k for _, d in G.nodes(data=True) for k, val in d.items() if _numeric(val)})
        )
        hint = suggest(strategy, known)
        raise UnknownNameError(
            f"unknown attack strategy {strategy!r}: not a built-in strategy, and "
            f"{len(missing)} node(s) lack a numeric attribute of that name "
            f"(e.g. {missing[0]!r}); allowed: {', '.join(known)}" + (f"; {hint}" if hint else "")
        )
    return _rank_desc(np.array(values, dtype=np.float64), rng)


def _numeric(val: object) -> bool:
    return isinstance(val, int | float) and not isinstance(val, bool)


def _adaptive_degree_order(
    n: int, u: np.ndarray, v: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Highest current degree first, from the simple edge arrays of :func:`graph_arrays`.

    A heap with lazy deletion: O((N + M) log N). Entries are (-degree, random key, index),
    so ties in degree go by one uniform draw per node, then by position.
    """
    # Neighbour lists from a CSR layout of both orientations (no copy of the networkx graph:
    # copying it cost more than the whole heap).
    ends = np.concatenate([u, v])
    others = np.concatenate([v, u])
    by_node = np.argsort(ends, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(ends, minlength=n), out=indptr[1:])
    flat = others[by_node].tolist()
    bounds = indptr.tolist()
    adj = [flat[bounds[i] : bounds[i + 1]] for i in range(n)]
    deg = np.diff(indptr).tolist()
    key = rng.random(n).tolist()
    heap = list(zip([-d for d in deg], key, range(n), strict=True))
    heapq.heapify(heap)
    gone = [False] * n
    out = []
    while heap:
        d, _key, i = heapq.heappop(heap)
        if gone[i] or -d != deg[i]:
            continue
        gone[i] = True
        out.append(i)
        for j in adj[i]:
            if not gone[j]:
                deg[j] -= 1
                heapq.heappush(heap, (-deg[j], key[j], j))
    return np.array(out, dtype=np.int64)


# -- curves -----------------------------------------------------------------------------------


def attack_curve(
    G: Any,
    strategy: str = "random",
    *,
    rng: np.random.Generator | int | None = None,
    layer: str | None = None,
    order: Iterable[Hashable] | None = None,
    threshold: float = 0.05,
    betweenness_samples: int = BETWEENNESS_SAMPLES,
) -> AttackCurve:
    """The giant component as nodes are removed one by one: the whole curve, in one sweep.

    Parameters
    ----------
    G : networkx.Graph or sim.world.World
        Any graph; directed edges count as undirected (weak connectivity), weights are
        ignored. A World uses its partnership layer unless `layer` says otherwise.
    strategy : str
        See :func:`attack_order`.
    rng : numpy.random.Generator, int or None
        Ties are broken by this generator; the same seed gives the same curve.
    layer : str, optional
        Use one layer of a world graph (``"partnership"``, ``"supply"``, ``"rivalry"``).
    order : iterable, optional
        An explicit removal order (every node once); overrides `strategy`.
    threshold : float
        Giant fraction below which the graph counts as fragmented (``critical_fraction``).
    betweenness_samples : int
        Pivots of the betweenness estimate on large graphs (see :func:`attack_order`).

    Returns
    -------
    AttackCurve
        ``fraction_removed`` and ``giant_fraction`` of length ``N + 1``, ``robustness`` (R)
        and ``critical_fraction``. An empty graph gives arrays ``[0.]`` and R = 0.

    Notes
    -----
    Exact results: a complete graph ``K_N`` gives ``R = (N - 1)/(2N)`` under any strategy; a
    star under degree attack gives ``R = (N - 1)/N²``.

    References
    ----------
    C. M. Schneider et al., PNAS 108, 3838 (2011), doi:10.1073/pnas.1009440108.
    R. Albert, H. Jeong and A.-L. Barabási, Nature 406, 378 (2000), doi:10.1038/35019019.

    Examples
    --------
    >>> import networkx as nx
    >>> round(attack_curve(nx.complete_graph(5), rng=0).robustness, 3)  # (N - 1) / (2N)
    0.4
    """
    G = _select_layer(G, layer)
    nodes, u, v, labelled_by_position = _graph_arrays(G)
    n = len(nodes)
    if order is None:
        idx = np.asarray(
            _attack_order(
                G, strategy, rng=_as_rng(rng), samples=betweenness_samples, arrays=(nodes, u, v)
            ),
            dtype=np.int64,
        )
        # Labels of the removal order. Nodes equal to 0..n-1 get the positions themselves, as
        # Python ints, as they always have (for labels 0.0, 1.0, ... or numpy integers too);
        # the comparison runs only for graphs outside the fast path.
        if labelled_by_position or nodes == list(range(n)):
            order = idx.tolist()
        else:
            order = [nodes[i] for i in idx]
    else:
        strategy = "given"
        order = list(order)
        index = {x: i for i, x in enumerate(nodes)}
        try:
            idx = np.array([index[x] for x in order], dtype=np.int64)
        except KeyError as exc:
            raise UnknownNameError(f"order names {exc.args[0]!r}, which is not a node") from None
        _check_permutation(idx, n)
    # graph_arrays gives no self-loops, and every built-in order is a permutation
    sizes = _node_sweep(n, u, v, idx)
    if n == 0:
        return AttackCurve(strategy, 0, np.zeros(1), np.zeros(1), (), threshold)
    return AttackCurve(
        strategy, n, np.arange(n + 1) / n, sizes / n, tuple(order), threshold, kind="node"
    )


def edge_attack_curve(
    G: Any,
    strategy: str = "random",
    *,
    rng: np.random.Generator | int | None = None,
    layer: str | None = None,
    threshold: float = 0.05,
) -> AttackCurve:
    """The giant component as edges are cut one by one (bond percolation), in one sweep.

    Strategies: ``"random"``; ``"betweenness"`` (initial edge betweenness, highest first);
    ``"degree-product"`` (``k_u·k_v``, highest first); or a numeric edge attribute (e.g.
    ``"strength"``: strongest first). Ties are broken by `rng`. The giant is a fraction of the
    ``N`` nodes, all of which stay; ``fraction_removed`` runs over the ``M`` edges of the
    simple undirected graph (parallel edges merged, self-loops dropped).

    Parameters
    ----------
    G : networkx.Graph or sim.world.World
        Any graph; a World uses its partnership layer unless `layer` says otherwise.
    strategy : str
        ``"random"``, ``"betweenness"``, ``"degree-product"`` or a numeric edge attribute.
    rng : numpy.random.Generator, int or None
        Breaks ties and draws the random order; the same seed gives the same curve.
    layer : str, optional
        Use one layer of a world graph.
    threshold : float
        Giant fraction below which the graph counts as fragmented.

    Returns
    -------
    AttackCurve
        With ``kind = "edge"``, arrays of length ``M + 1`` and the cut edges as `order`.

    Raises
    ------
    UnknownNameError
        `strategy` is neither a strategy nor a numeric attribute of every edge.

    Examples
    --------
    >>> import networkx as nx
    >>> c = edge_attack_curve(nx.path_graph(4), rng=1)
    >>> c.kind, c.giant_fraction.tolist(), c.order
    ('edge', [1.0, 0.75, 0.5, 0.25], ((0, 1), (1, 2), (2, 3)))
    """
    G = _select_layer(G, layer)
    rng = _as_rng(rng)
    H = nx.Graph(G.to_undirected(as_view=True)) if G.is_directed() else nx.Graph(G)
    H.remove_edges_from(nx.selfloop_edges(H))
    nodes = list(H.nodes())
    index = {x: i for i, x in enumerate(nodes)}
    edges = list(H.edges())
    n, m = len(nodes), len(edges)
    u = np.array([index[a] for a, _ in edges], dtype=np.int64)
    v = np.array([index[b] for _, b in edges], dtype=np.int64)
    if strategy == "random":
        idx = rng.permutation(m)
    elif strategy == "betweenness":
        eb = nx.edge_betweenness_centrality(H)
        idx = _rank_desc(np.array([eb[e] for e in edges]), rng)
    elif strategy == "degree-product":
        deg = np.bincount(np.concatenate([u, v]), minlength=n)
        idx = _rank_desc((deg[u] * deg[v]).astype(np.float64), rng)
    else:
        vals = [H.edges[e].get(strategy) for e in edges]
        if not all(_numeric(x) for x in vals):
            hint = suggest(strategy, EDGE_STRATEGIES)
            raise UnknownNameError(
                f"unknown edge attack strategy {strategy!r}: not one of "
                f"{', '.join(EDGE_STRATEGIES)} nor a numeric attribute of every edge"
                + (f"; {hint}" if hint else "")
            )
        idx = _rank_desc(np.array(vals, dtype=np.float64), rng)
    sizes = edge_attack_curve_from_edges(n, u, v, idx)
    frac = np.zeros(1) if m == 0 else np.arange(m + 1) / m
    giant = sizes / n if n else np.zeros(1)
    return AttackCurve(
        strategy, n, frac, giant, tuple(edges[i] for i in idx), threshold, kind="edge"
    )


# -- cascades ---------------------------------------------------------------------------------


def _giant_nodes(H: nx.Graph) -> set:
    if H.number_of_nodes() == 0:
        return set()
    giant: set = max(nx.connected_components(H), key=len)
    return set(giant)


def load_cascade(
    G: nx.Graph,
    *,
    alpha: float,
    initial: Iterable[Hashable] | Hashable | str = "max-load",
    endpoints: bool = False,
    layer: str | None = None,
) -> CascadeResult:
    """Motter–Lai overload cascade: remove nodes, recompute loads, shed the overloaded, repeat.

    Parameters
    ----------
    G : networkx.Graph
        Treated as undirected, unweighted and simple.
    alpha : float
        Tolerance ``α >= 0``: node capacity ``C_i = (1 + α)·L_i(0)``.
    initial : node, iterable of nodes, or ``"max-load"``
        What fails first; ``"max-load"`` removes the node of highest initial load (ties by
        node order).
    endpoints : bool
        Whether a node's load counts the shortest paths it ends (networkx's `endpoints`).
        Default False: load is unnormalised betweenness, the number of shortest paths
        passing *through* the node.
    layer : str, optional
        Use one layer of a world graph (``"partnership"``, ``"supply"``, ``"rivalry"``).

    Returns
    -------
    CascadeResult
        ``surviving_fraction`` is Motter–Lai's damage measure ``G`` = largest component after
        the cascade / original ``N``; ``steps[0]`` is the initial removal, later entries the
        nodes shed at each round.

    Notes
    -----
    A load above capacity by more than a relative 1e-9 counts as overload, so that rounding
    does not trigger failures when loads are unchanged (α = 0 on an intact graph).

    References
    ----------
    A. E. Motter and Y.-C. Lai, Phys. Rev. E 66, 065102(R) (2002),
    doi:10.1103/PhysRevE.66.065102.

    Examples
    --------
    On a path, the centre carries the most load; losing it halves the path:

    >>> import networkx as nx
    >>> r = load_cascade(nx.path_graph(5), alpha=0.1)
    >>> r.surviving_fraction, r.steps
    (0.4, [(2,)])
    """
    if not (isinstance(alpha, int | float) and alpha >= 0):
        raise SimError(f"alpha must be a number >= 0; got {alpha!r}")
    G = _select_layer(G, layer)
    H = nx.Graph(G.to_undirected(as_view=True)) if G.is_directed() else nx.Graph(G)
    H.remove_edges_from(nx.selfloop_edges(H))
    n = H.number_of_nodes()
    if n == 0:
        return CascadeResult(0.0, [], frozenset())
    load0 = nx.betweenness_centrality(H, normalized=False, endpoints=endpoints)
    capacity = {x: (1.0 + alpha) * load0[x] for x in H}
    if isinstance(initial, str) and initial == "max-load":
        first = [max(H.nodes(), key=lambda x: load0[x])]
    elif isinstance(initial, Hashable) and initial in H:
        first = [initial]
    else:
        # one unknown node (not iterable) is reported like an unknown node among several
        first = list(initial) if isinstance(initial, Iterable) else [initial]
        unknown = [x for x in first if x not in H]
        if unknown:
            raise UnknownNameError(f"initial names {unknown[0]!r}, which is not a node")
    H.remove_nodes_from(first)
    steps = [tuple(first)]
    while H.number_of_nodes():
        load = nx.betweenness_centrality(H, normalized=False, endpoints=endpoints)
        over = [x for x in H if load[x] > capacity[x] * (1 + 1e-9) + 1e-9]
        if not over:
            break
        steps.append(tuple(over))
        H.remove_nodes_from(over)
    return CascadeResult(len(_giant_nodes(H)) / n, steps, frozenset(H.nodes()))


def _mutual_step(eu, ev, alive: np.ndarray) -> np.ndarray:
    """The nodes of `alive` in the giant component of the subgraph they induce."""
    n = alive.size
    keep = alive[eu] & alive[ev]
    A = coo_matrix((np.ones(int(keep.sum())), (eu[keep], ev[keep])), shape=(n, n))
    _, labels = connected_components(A, directed=False)
    counts = np.bincount(labels[alive], minlength=n) if alive.any() else np.zeros(1)
    if not alive.any():
        return alive.copy()
    return alive & (labels == int(np.argmax(counts)))


def interdependent_cascade(
    A: nx.Graph,
    B: nx.Graph,
    p: float,
    *,
    rng: np.random.Generator | int | None = None,
    initial: Iterable[Hashable] | None = None,
) -> CascadeResult:
    """Buldyrev et al.'s cascade on two interdependent layers over the same nodes.

    Every node of `A` depends on the same node in `B` and vice versa (one-to-one, by label;
    a node missing from `B` is isolated there). A fraction ``1 - p`` of the nodes is removed
    at random from `A`; then, until nothing changes: keep the giant component of `A`, kill the
    `B`-partners of what `A` lost, keep the giant of `B`, kill the `A`-partners.

    Parameters
    ----------
    A, B : networkx.Graph
        The layers (e.g. partnership depends on supply); treated as undirected and simple.
    p : float
        Fraction of nodes kept by the initial attack, in [0, 1]; ``round((1 - p)·N)`` nodes go.
    rng : numpy.random.Generator, int or None
        Draws the random permutation; the removed set for a smaller `p` contains the removed
        set for a larger `p` under the same seed (nested removal sets).
    initial : iterable of nodes, optional
        An explicit initial removal (overrides `p` and `rng`).

    Returns
    -------
    CascadeResult
        ``surviving_fraction`` = ``P∞``, the mutually connected giant component over ``N``;
        ``steps`` the nodes lost in each half-step (``steps[0]`` = the initial removal).

    Notes
    -----
    For two Erdős–Rényi layers of mean degree ``k``: ``P∞ = p(1 - e^{-k P∞})²`` with a
    first-order collapse at ``p_c k = 2.4554``. When the largest component is tied, the one
    with the lowest label index is kept.

    References
    ----------
    S. V. Buldyrev et al., Nature 464, 1025 (2010), doi:10.1038/nature08932.

    Examples
    --------
    Layer B splits the path 0-1-2-3 of A in two; losing node 1 takes 0 with it in A, and
    only 2-3 remain mutually connected:

    >>> import networkx as nx
    >>> r = interdependent_cascade(nx.path_graph(4), nx.Graph([(0, 1), (2, 3)]), 1.0, initial=[1])
    >>> r.surviving_fraction, sorted(r.survivors), r.steps[:2]
    (0.5, [2, 3], [(1,), (0,)])
    """
    if not 0.0 <= p <= 1.0:
        raise SimError(f"p must be in [0, 1]; got {p!r}")
    nodes = list(A.nodes())
    index = {x: i for i, x in enumerate(nodes)}
    n = len(nodes)
    if n == 0:
        return CascadeResult(0.0, [], frozenset())

    def arrays(H):
        pairs = [(index[a], index[b]) for a, b in H.edges() if a in index and b in index]
        arr = np.array(pairs, dtype=np.int64).reshape(-1, 2)
        return arr[:, 0], arr[:, 1]

    au, av = arrays(A)
    bu, bv = arrays(B)
    alive = np.ones(n, dtype=bool)
    if initial is not None:
        first: list[int] | np.ndarray = [index[x] for x in initial if x in index]
    else:
        perm = _as_rng(rng).permutation(n)
        first = perm[: round((1.0 - p) * n)]
    alive[first] = False
    steps = [tuple(nodes[i] for i in first)]
    turn = 0
    stable = 0
    while stable < 2:  # stop when a whole A-then-B round removes nothing
        layer_u, layer_v = (au, av) if turn == 0 else (bu, bv)
        nxt = _mutual_step(layer_u, layer_v, alive)
        lost = np.flatnonzero(alive & ~nxt)
        steps.append(tuple(nodes[i] for i in lost))
        stable = stable + 1 if lost.size == 0 else 0
        alive = nxt
        turn = 1 - turn
    survivors = frozenset(nodes[i] for i in np.flatnonzero(alive))
    return CascadeResult(len(survivors) / n, steps, survivors)


# -- criticality ------------------------------------------------------------------------------

_METRICS = ("fulfilment", "giant", "efficiency")


def criticality(
    G_or_world: Any,
    *,
    metric: str = "fulfilment",
    items: str = "all",
    layer: str = "partnership",
    bloc: str | None = None,
) -> pd.DataFrame:
    """Leave-one-out ranking: how much does losing each actor, tie or corridor hurt a metric?

    Parameters
    ----------
    G_or_world : sim.world.World or networkx.MultiDiGraph or networkx.Graph
        A world (or its :meth:`~sim.world.World.to_networkx` graph). A plain graph supports
        the ``"giant"`` and ``"efficiency"`` metrics (over actors and ties).
    metric : {"fulfilment", "giant", "efficiency"}
        ``"fulfilment"``: structural supply fulfilment
        (:func:`sim.metrics.supply_fulfilment`); removed actors neither send, receive nor
        transit, a cut tie carries nothing, a closed corridor closes every route through it.
        ``"giant"``: giant-component fraction of `layer` (of the original ``N``).
        ``"efficiency"``: global efficiency of `layer` (Latora & Marchiori 2001), over the
        original ``N`` nodes (a removed node contributes no pairs but stays in the count).
    items : {"all", "actors", "ties", "corridors"}
        What to remove one at a time. Ties are those of `layer` for ``giant``/``efficiency``
        and the supply ties for ``fulfilment``; corridors only matter for ``fulfilment``.
    layer : str
        The world layer of the ``giant`` and ``efficiency`` metrics.
    bloc : str, optional
        Score the damage to this bloc only (nodes need a ``bloc`` attribute). ``fulfilment``:
        the mean over the bloc's supplied actors of each one's fulfilment
        (``supply_fulfilment(by="actor")``, a removed one counting 0), so an actor outside
        the bloc that transits its supply counts too; ``giant``/``efficiency``: the bloc's own
        subgraph of `layer` (its actors and ties). ``None``: the whole world.

    Returns
    -------
    pandas.DataFrame
        Columns ``item, kind, metric, baseline, after, damage`` (``damage = baseline -
        after``), sorted by damage (largest first), then kind and item.

    Examples
    --------
    >>> import networkx as nx
    >>> r = criticality(nx.path_graph(5), metric="giant", items="actors")
    >>> r.iloc[0].to_dict()  # the centre hurts most
    {'item': '2', 'kind': 'actor', 'metric': 'giant', 'baseline': 1.0, 'after': 0.4, 'damage': 0.6}
    >>> from sim.worlds import synthetic
    >>> r = criticality(synthetic(8, mean_degree=2, rng=1), items="actors")
    >>> r.loc[0, "item"], round(float(r.loc[0, "damage"]), 3)
    ('A00001', 0.592)
    """
    from sim import metrics as M

    if metric not in _METRICS:
        hint = suggest(metric, _METRICS)
        raise UnknownNameError(
            f"unknown metric {metric!r}; allowed: {', '.join(_METRICS)}"
            + (f"; {hint}" if hint else "")
        )
    allowed_items = ("all", "actors", "ties", "corridors")
    if items not in allowed_items:
        raise UnknownNameError(f"unknown items {items!r}; allowed: {', '.join(allowed_items)}")
    from sim.world import World, layer_view

    G = G_or_world.to_networkx() if isinstance(G_or_world, World) else G_or_world
    is_world_graph = G.is_multigraph() and any("layer" in d for _, _, d in G.edges(data=True))
    if metric == "fulfilment" and not is_world_graph:
        raise SimError("metric 'fulfilment' needs a world or a world graph (supply ties)")
    members = _bloc_members(G, bloc)
    rows: list[tuple] = []
    if metric == "fulfilment":
        fulfil = _bloc_fulfilment(G, members, bloc)
        base = fulfil()
        if items in ("all", "actors"):
            for x in G.nodes():
                rows.append((x, "actor", base, fulfil(removed=(x,))))
        if items in ("all", "ties"):
            for a, b, key in G.edges(keys=True):
                if str(key).startswith("supply:"):
                    after = fulfil(cut=((a, b, key),))
                    rows.append((f"{a}->{b} {key.split(':', 1)[1]}", "tie", base, after))
        if items in ("all", "corridors"):
            for c in M.corridors(G):
                rows.append((c, "corridor", base, fulfil(closed_corridors=(c,))))
    else:
        H = layer_view(G, layer) if is_world_graph else G
        H = nx.Graph(H.to_undirected(as_view=True)) if H.is_directed() else nx.Graph(H)
        if members is not None:
            H = nx.Graph(H.subgraph(members))
        n0 = H.number_of_nodes()
        score = (
            (lambda K: M.giant_component_fraction(K, n=n0))
            if metric == "giant"
            else (lambda K: M.global_efficiency(K, n=n0))
        )
        base = score(H)
        if items in ("all", "actors"):
            for x in list(H.nodes()):
                K = H.copy()
                K.remove_node(x)
                rows.append((x, "actor", base, score(K)))
        if items in ("all", "ties"):
            for a, b in list(H.edges()):
                K = H.copy()
                K.remove_edge(a, b)
                rows.append((f"{a}--{b}", "tie", base, score(K)))
    df = pd.DataFrame(rows, columns=["item", "kind", "baseline", "after"])
    df.insert(2, "metric", metric)
    df["damage"] = df["baseline"] - df["after"]
    df["item"] = df["item"].astype(str)
    return df.sort_values(
        ["damage", "kind", "item"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)


def _bloc_members(G: Any, bloc: str | None) -> list | None:
    """The nodes of `bloc` (None for the whole world); an unknown bloc is named with the rest."""
    if bloc is None:
        return None
    blocs = sorted({str(d.get("bloc")) for _, d in G.nodes(data=True) if d.get("bloc")})
    members = [x for x, d in G.nodes(data=True) if d.get("bloc") == bloc]
    if not members:
        hint = suggest(bloc, blocs)
        raise UnknownNameError(
            f"unknown bloc {bloc!r}; the graph's blocs: {', '.join(blocs) or '(none)'}"
            + (f"; {hint}" if hint else "")
        )
    return members


def _bloc_fulfilment(G: Any, members: list | None, bloc: str | None):
    """A function of the removals giving the fulfilment to score: the world's, or the mean
    over the bloc's supplied actors of their own."""
    from sim import metrics as M

    if members is None:
        return lambda **kw: M.supply_fulfilment(G, **kw)
    inside = set(members)
    supplied = sorted(
        {b for _, b, k in G.edges(keys=True) if str(k).startswith("supply:") and b in inside},
        key=str,
    )
    if not supplied:
        raise SimError(f"bloc {bloc!r} receives no supply: there is no fulfilment to lose")

    def fulfil(**kw) -> float:
        share = M.supply_fulfilment(G, by="actor", **kw)
        return float(np.mean([share.get(x, 0.0) for x in supplied]))

    return fulfil
