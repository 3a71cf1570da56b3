"""Benchmark: full highest-degree-first attack curves with the Newman–Ziff sweep.

Run: ``python benchmarks/bench_robustness.py [--n N] [--repeat R] [--large N]``. Prints, in one run:

1. BA graph (m = 2), N = 3,000 (the robustness issue's size): the call a user makes,
   ``attack_curve(G, "degree")`` on a networkx graph (conversion, order and sweep; best of 20),
   against networkx recomputing the largest component after every removal (same removal
   order; the curves are checked equal), repeated `--repeat` times (default 2) with the ratio
   of each, by wall time and by CPU time (the fairer figure on a shared machine); then the
   conversion and the sweep alone, and graph-tiger's ``Attack`` where installed.
2. The other strategies on the same graph: the call against the same networkx recomputation
   for the order it returned (``adaptive-betweenness`` recomputes sampled betweenness after
   every removal, minutes at this size: left out).
3. The absolute time at N = 1,000,000 (default), graph built with numpy (Batagelj–Brandes
   preferential attachment). Timed: the degree order (bincount + lexsort with a random
   tie-breaking key) plus the whole sweep; not timed: building the graph.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

# Benchmark the checkout this script lives in, not whatever `sim` is installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.robustness import attack_curve, attack_curve_from_edges, graph_arrays

__all__ = ["ba_edges", "main"]


def ba_edges(n: int, m: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Barabási–Albert edges by the Batagelj–Brandes endpoint-list trick, vectorised.

    Node ``t >= m`` sends ``m`` edges; each target is a uniformly chosen endpoint slot of an
    earlier edge (so chosen with probability proportional to degree). A slot that is the
    target of an earlier edge is resolved by following references back (pointer jumping).
    Parallel edges can occur, as in the original algorithm. The first node links to the
    ``m`` seed nodes.
    """
    k = np.arange((n - m) * m)
    src = m + k // m
    r = (rng.random(k.size) * (2 * k)).astype(np.int64)  # slot in the endpoint list
    tgt = np.full(k.size, -1)
    first = k < m
    tgt[first] = k[first]
    even = ~first & (r % 2 == 0)
    tgt[even] = src[r[even] // 2]
    pend = np.flatnonzero(tgt < 0)
    ptr = r[pend] // 2  # the edge whose target this slot copies
    while pend.size:
        t = tgt[ptr]
        done = t >= 0
        tgt[pend[done]] = t[done]
        pend, ptr = pend[~done], ptr[~done]
        rr = r[ptr]
        t2 = np.where(rr % 2 == 0, src[rr // 2], -1)
        got = t2 >= 0
        tgt[pend[got]] = t2[got]
        pend, ptr = pend[~got], rr[~got] // 2
    return src, tgt


def _best_of(k: int, fn) -> float:
    best = float("inf")
    for _ in range(k):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _timed(k: int, fn) -> tuple[Any, float, float]:
    """The result of `fn`, and the fastest wall and CPU times (seconds) of `k` calls.

    CPU time (``time.process_time``) leaves out the time other processes hold the CPU: on a
    shared machine it inflates a seconds-long reference and a milliseconds-long call alike,
    where wall time inflates them by different factors.
    """
    wall = cpu = float("inf")
    for _ in range(k):
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return result, wall, cpu


def networkx_curve(G: nx.Graph, order: list) -> np.ndarray:
    """The reference: remove one node, recompute the largest component, repeat."""
    H = G.copy()
    out = []
    for q in range(len(order) + 1):
        out.append(max((len(c) for c in nx.connected_components(H)), default=0))
        if q < len(order):
            H.remove_node(order[q])
    return np.array(out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000, help="size for the comparison")
    ap.add_argument("--repeat", type=int, default=2, help="times the comparison is repeated")
    ap.add_argument("--large", type=int, default=1_000_000, help="size for the absolute time")
    args = ap.parse_args(argv)

    print(f"1) BA graph m=2, N={args.n}, full highest-degree-first (initial degree) attack")
    G = nx.barabasi_albert_graph(args.n, 2, seed=1)
    curve = attack_curve(G, "degree", rng=1)  # warm-up (imports)
    ratios, cpu_ratios = [], []
    for rep in range(1, args.repeat + 1):
        ref, t_nx, c_nx = _timed(1, lambda: networkx_curve(G, list(curve.order)))
        assert np.array_equal(ref, np.rint(curve.giant_fraction * args.n)), "curves differ"
        _, t_api, c_api = _timed(20, lambda: attack_curve(G, "degree", rng=1))
        ratios.append(t_nx / t_api)
        cpu_ratios.append(c_nx / c_api)
        print(
            f"   run {rep}: networkx recomputing components after every removal {t_nx:7.3f} s"
            f" (CPU {c_nx:.3f} s); attack_curve(G, 'degree') {t_api * 1e3:.2f} ms"
            f" (CPU {c_api * 1e3:.2f} ms; best of 20): {t_nx / t_api:,.0f}x"
            f" (CPU {c_nx / c_api:,.0f}x)"
        )
    print(
        f"   speed-up of the whole call vs networkx: min {min(ratios):,.0f}x wall time,"
        f" {min(cpu_ratios):,.0f}x CPU time over {len(ratios)} runs (target >= 1000x);"
        f" curves identical: yes; R = {curve.robustness:.4f}"
    )
    nodes, u, v = graph_arrays(G)
    index = {x: i for i, x in enumerate(nodes)}
    idx = np.array([index[x] for x in curve.order])
    sizes, t_sweep, c_sweep = _timed(20, lambda: attack_curve_from_edges(args.n, u, v, idx))
    _, t_conv, c_conv = _timed(20, lambda: graph_arrays(G))
    print(
        f"   of which: graph -> arrays {t_conv * 1e3:.2f} ms (CPU {c_conv * 1e3:.2f} ms); "
        f"attack_curve_from_edges (the sweep alone) {t_sweep * 1e3:.2f} ms"
        f" (CPU {c_sweep * 1e3:.2f} ms); best of 20"
    )
    assert np.array_equal(ref, sizes), "sweep and networkx recomputation differ"

    try:
        import graph_tiger  # noqa: F401
        from graph_tiger.attacks import Attack
    except ImportError:
        print("   graph-tiger not installed: skipped")
    else:
        t0 = time.perf_counter()
        Attack(G, attack="id_node", runs=1, steps=args.n - 1).run_simulation()
        t_tiger = time.perf_counter() - t0
        print(f"   graph-tiger Attack(id_node):                          {t_tiger:8.3f} s")
        print(f"   speed-up vs graph-tiger: {t_tiger / t_api:,.0f}x")

    print("2) other strategies, same graph (call: best of 20, or 3 when slow; networkx: its order)")
    for strategy in ("random", "adaptive-degree", "betweenness"):
        other = attack_curve(G, strategy, rng=1)
        reps = 20 if strategy == "random" else 3
        _, t_call, c_call = _timed(reps, lambda s=strategy: attack_curve(G, s, rng=1))
        out, t_ref, c_ref = _timed(1, lambda o=other: networkx_curve(G, list(o.order)))
        assert np.array_equal(out, np.rint(other.giant_fraction * args.n)), strategy
        print(
            f"   {strategy:>16}: call {t_call * 1e3:8.2f} ms (CPU {c_call * 1e3:8.2f} ms),"
            f" networkx {t_ref:6.3f} s (CPU {c_ref:6.3f} s): {t_ref / t_call:6,.0f}x"
            f" (CPU {c_ref / c_call:6,.0f}x); R = {other.robustness:.4f}"
        )

    n = args.large
    print(f"3) BA graph m=2, N={n:,} built with numpy (not timed)")
    rng = np.random.default_rng(2)
    t0 = time.perf_counter()
    src, dst = ba_edges(n, 2, rng)
    t_build = time.perf_counter() - t0
    result = {}

    def degree_attack():
        deg = np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)
        order = np.lexsort((rng.random(n), -deg))
        result["sizes"] = attack_curve_from_edges(n, src, dst, order)

    times = [_best_of(1, degree_attack) for _ in range(3)]
    sizes = result["sizes"]
    r = sizes[1:].mean() / n
    print(
        f"   build {t_build:.2f} s; timed (degree order + sweep): best {min(times):.2f} s, "
        f"runs {', '.join(f'{t:.2f}' for t in times)} s (target < 3 s)"
    )
    print(f"   M = {src.size:,} edges, giant {sizes[0] / n:.4f} of N, R = {r:.4f}")


if __name__ == "__main__":
    main()
