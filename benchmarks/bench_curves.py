"""Cost curves of the batched engine: against replicates, actors and steps.

Run from the repository root: ``python benchmarks/bench_curves.py``. Prints three tables
(pasted into ``docs/performance.md``): one batch of ``syria_loss``'s shocked arm at R = 1, 10,
100, 1000 rows; synthetic worlds of 20, 40, 80 and 160 actors at R = 100; and 12, 36, 120
steps at R = 100. Each figure is the fastest of `BENCH_REPEATS` (default 2) runs, in seconds
of wall time, split into construction (the anchors' 32 noisy first months included) and
stepping. No figure is asserted.
"""

from __future__ import annotations

import gc
import os
import time

from sim.engine import Engine, run_batch
from sim.runner import replicate_seeds
from sim.scenario import load_scenario
from sim.shocks import RandomFailure
from sim.worlds import synthetic

REPEATS = int(os.environ.get("BENCH_REPEATS", "2"))


def timed(world, params, shocks, seeds, steps) -> tuple[float, float]:
    """Fastest (build, run) seconds: the engine alone, then a whole run_batch."""
    best_build = best_total = float("inf")
    for _ in range(REPEATS):
        gc.collect()
        t0 = time.perf_counter()
        Engine(world, params, seeds)
        t1 = time.perf_counter()
        run_batch(world, params, shocks, seeds, steps=steps, agent_frames=False)
        t2 = time.perf_counter()
        best_build, best_total = min(best_build, t1 - t0), min(best_total, t2 - t1)
    return best_build, best_total - best_build


def main() -> None:
    spec = load_scenario("syria_loss")
    params = spec.model_params()
    print(f"rows (syria_loss shocked arm, {spec.steps} steps)")
    print(f"{'R':>6} {'build s':>9} {'step s':>9} {'ms/arm-run':>11}")
    for r in (1, 10, 100, 1000):
        seeds = replicate_seeds(spec.seed, r)
        b, s = timed(spec.world, params, spec.shocks, seeds, spec.steps)
        print(f"{r:>6} {b:>9.3f} {s:>9.3f} {(b + s) / r * 1e3:>11.2f}")
    print("\nactors (synthetic worlds, mean degree 4, R = 100, 36 steps, RandomFailure k=2)")
    print(f"{'N':>6} {'ties':>6} {'build s':>9} {'step s':>9} {'ms/arm-run':>11}")
    seeds = replicate_seeds(1, 100)
    for n in (20, 40, 80, 160):
        w = synthetic(n, rng=1)
        b, s = timed(w, None, (RandomFailure(k=2, at=3),), seeds, 36)
        print(f"{n:>6} {len(w.ties):>6} {b:>9.3f} {s:>9.3f} {(b + s) / 100 * 1e3:>11.2f}")
    print("\nsteps (syria_loss shocked arm, R = 100)")
    print(f"{'steps':>6} {'build s':>9} {'step s':>9} {'ms/step/row':>12}")
    seeds = replicate_seeds(spec.seed, 100)
    for steps in (12, 36, 120):
        b, s = timed(spec.world, params, spec.shocks, seeds, steps)
        print(f"{steps:>6} {b:>9.3f} {s:>9.3f} {s / steps / 100 * 1e3:>12.3f}")


if __name__ == "__main__":
    main()
