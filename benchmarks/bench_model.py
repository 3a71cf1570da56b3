"""Benchmark the alliance model: one 120-step run of the default world, and cost growth with size.

Run from the repository root: ``python benchmarks/bench_model.py``. Prints absolute times and
ratios measured in the same run (targets: default world < 50 ms; 2,000 vs 200 actors <= 15x).
Follows Mesa's benchmarks: warm-up runs, garbage collector off while timing, fastest of repeats.
"""

from __future__ import annotations

import gc
import time

import sim
from sim.worlds import synthetic

__all__ = ["time_run"]

STEPS = 120


def time_run(
    world, *, steps: int = STEPS, repeats: int = 5, warmup: int = 2
) -> tuple[float, float]:
    """Fastest (init, run) wall time in seconds of `repeats` runs of `steps` steps."""
    best_init = best_run = float("inf")
    for r in range(warmup + repeats):
        gc.disable()
        try:
            t0 = time.perf_counter()
            m = sim.AllianceModel(world, rng=r)
            t1 = time.perf_counter()
            m.run_for(steps)
            t2 = time.perf_counter()
        finally:
            gc.enable()
        if r >= warmup:
            best_init, best_run = min(best_init, t1 - t0), min(best_run, t2 - t1)
    return best_init, best_run


def main() -> None:
    world = sim.load_world()
    init, run = time_run(world)
    print(f"default world ({len(world)} actors, {len(world.ties)} ties), {STEPS} steps:")
    print(f"  run {run * 1e3:7.1f} ms  (target < 50 ms: {run / 0.050:.2f}x of target)")
    print(f"  init {init * 1e3:6.1f} ms  (not part of the target)")
    small, large = (synthetic(n, mean_degree=4, rng=1) for n in (200, 2000))
    _, t_small = time_run(small, repeats=3, warmup=1)
    _, t_large = time_run(large, repeats=3, warmup=1)
    print(f"synthetic, mean degree 4, {STEPS} steps:")
    print(f"  200 actors   {t_small * 1e3:8.1f} ms")
    print(f"  2,000 actors {t_large * 1e3:8.1f} ms")
    print(f"  growth for 10x actors: {t_large / t_small:.1f}x (target <= 15x)")


if __name__ == "__main__":
    main()
