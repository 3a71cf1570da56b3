"""The batched engine against the per-replicate path, in one run, on ``syria_loss``.

Run from the repository root: ``python benchmarks/bench_batch.py``. Prints arm-runs per second
per core of both paths (an arm-run is one arm of one replicate over the scenario's 36 months),
their ratio (target >= 30x at R = 1000), memory per replicate of the batch, and the time of a
Sobol' design of ``syria_uncertainty`` (11 inputs, N = 1024: 13,312 points x 4 replicates x 2
arms) through :func:`sim.sensitivity.batch.evaluate_points` on 2 processes, extrapolated from a
measured fraction of its chunks (printed as such). No figure is asserted.

The machine's load average is printed with the figures: on a shared machine the absolute times
move with it, so both paths are measured alternately ``BENCH_REPEATS`` times and the ratio is
given of their fastest and of their median runs. ``BENCH_PROFILE=1`` also prints where the
batched path's time goes (cProfile, one run of both arms, top functions by own time).

Environment: ``BENCH_R`` (batch rows, default 1000), ``BENCH_SINGLE`` (per-replicate sample,
default 20), ``BENCH_REPEATS`` (default 3), ``BENCH_POINTS`` (design points measured, default
1024; 0 skips the design), ``BENCH_CHUNK`` (points per chunk, default 256: 1024 rows per batch).
"""

from __future__ import annotations

import gc
import os
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from sim.engine import run_arms, run_batch
from sim.model import AllianceModel
from sim.runner import replicate_seeds
from sim.scenario import load_scenario

R = int(os.environ.get("BENCH_R", "1000"))
SINGLE = int(os.environ.get("BENCH_SINGLE", "20"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
PROFILE = os.environ.get("BENCH_PROFILE", "") not in ("", "0")
POINTS = int(os.environ.get("BENCH_POINTS", "1024"))
CHUNK = int(os.environ.get("BENCH_CHUNK", "256"))  # points per chunk: 1024 rows per arm
SOBOL_POINTS = 1024 * (11 + 2)  # Saltelli with second-order off: N (d + 2)


def per_replicate(spec, seeds) -> float:
    """Seconds per arm-run of the per-replicate path: one AllianceModel per arm, its frames."""
    params = spec.model_params()
    t0 = time.perf_counter()
    for seed in seeds:
        for shocks in (spec.shocks, spec.baseline_shocks):
            m = AllianceModel(spec.world, params=params, shocks=shocks, rng=seed)
            for _ in range(spec.steps):
                m.step()
            m.datacollector.get_model_vars_dataframe()
            m.datacollector.get_agent_vars_dataframe()
    return (time.perf_counter() - t0) / (2 * len(seeds))


def batched(spec, seeds) -> float:
    """Seconds per arm-run of the batch: both arms from one construction, as the runner runs
    them (:func:`sim.engine.run_arms`), every row's agent state kept."""
    params = spec.model_params()
    t0 = time.perf_counter()
    arms = (spec.shocks, spec.baseline_shocks)
    run_arms(spec.world, params, arms, seeds, steps=spec.steps, outcomes=spec.outcomes)
    return (time.perf_counter() - t0) / (2 * len(seeds))


def memory(spec, seeds) -> float:
    """Peak traced bytes per row of one arm's batch (timed separately: tracing slows it)."""
    tracemalloc.start()
    run_batch(
        spec.world, spec.model_params(), spec.shocks, seeds, steps=spec.steps,
        outcomes=spec.outcomes,
    )  # fmt: skip
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / len(seeds)


def _chunk(args):
    from sim.sensitivity.batch import evaluate_points

    spec, targets, points, seeds = args
    t0 = time.perf_counter()
    evaluate_points(spec, targets, points, seeds)
    return time.perf_counter() - t0


def design(points: int) -> tuple[float, float, int]:
    """Wall time of `points` Sobol' points on 2 processes; the full design extrapolated."""
    from sim.designs import saltelli
    from sim.sensitivity.uncertain import check_addresses, load_uncertain_scenario

    us = load_uncertain_scenario("syria_uncertainty")
    spec = us.spec.with_overrides(replicates=4)
    targets = check_addresses(us.space, spec.world)
    seeds = replicate_seeds(spec.seed, 4)
    d = saltelli(us.space, 1024, rng=spec.seed)
    assert len(d) == SOBOL_POINTS, len(d)
    vals = d.values(np.arange(points))
    pts = [dict(zip(d.names, map(float, row), strict=True)) for row in vals]
    size = min(CHUNK, points)
    chunks = [(spec, targets, pts[i : i + size], seeds) for i in range(0, points, size)]
    with ProcessPoolExecutor(2) as pool:
        warm = [(spec, targets, pts[:2], seeds)] * 2
        list(pool.map(_chunk, warm))  # warm the workers (imports)
        t0 = time.perf_counter()
        list(pool.map(_chunk, chunks))
        wall = time.perf_counter() - t0
    return wall, wall * SOBOL_POINTS / points, size


def profile(spec, seeds, top: int = 15) -> None:
    """Print the batched path's top functions by own time (one run of both arms)."""
    import cProfile
    import pstats

    params = spec.model_params()
    arms = (spec.shocks, spec.baseline_shocks)
    prof = cProfile.Profile()
    prof.enable()
    run_arms(spec.world, params, arms, seeds, steps=spec.steps, outcomes=spec.outcomes)
    prof.disable()
    print(f"where the batched path's time goes (cProfile, R = {len(seeds)}, both arms):")
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def main() -> None:
    spec = load_scenario("syria_loss")
    seeds = replicate_seeds(spec.seed, max(R, SINGLE))
    per_replicate(spec, seeds[:2])  # warm-up
    gc.collect()
    print(f"before: {_load()}")
    singles, batches = [], []
    for _ in range(max(1, REPEATS)):  # alternately, so that both see the same load
        singles.append(per_replicate(spec, seeds[:SINGLE]))
        batches.append(batched(spec, seeds[:R]))
    single, batch = min(singles), min(batches)
    med_s, med_b = float(np.median(singles)), float(np.median(batches))
    mem = memory(spec, seeds[:R])
    print(f"after:  {_load()}")
    print(f"syria_loss, {spec.steps} months, arm-runs per second per core (fastest of {REPEATS}):")
    print(
        f"  per-replicate path ({SINGLE} replicates x 2 arms): {1 / single:8.1f}/s"
        f"  ({single * 1e3:.1f} ms per arm-run; median {med_s * 1e3:.1f})"
    )
    print(
        f"  batched path (R = {R}, x 2 arms):             {1 / batch:8.1f}/s"
        f"  ({batch * 1e3:.2f} ms per arm-run; median {med_b * 1e3:.2f})"
    )
    print(
        f"  ratio: {single / batch:.1f}x of the fastest runs, {med_s / med_b:.1f}x of the "
        "medians (target >= 30x)"
    )
    print(f"  memory per replicate (peak traced, one arm at a time): {mem / 1024:.1f} KiB")
    if PROFILE:
        profile(spec, seeds[:R])
    if POINTS <= 0:
        return
    wall, full, size = design(POINTS)
    print(
        f"Sobol' design of syria_uncertainty (N = 1024: {SOBOL_POINTS} points x 4 replicates "
        f"x 2 arms) on 2 processes:\n  measured {POINTS} points ({size} per chunk) in "
        f"{wall:.1f} s; extrapolated to the full design: {full / 60:.1f} min (target < 10 min)"
    )
    print(f"after the design: {_load()}")


if __name__ == "__main__":
    main()
