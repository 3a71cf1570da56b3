"""Benchmark: how one model run scales with steps and actors, and where its time goes.

Run from the repository root: ``python benchmarks/bench_scaling.py [--path per-replicate]``.
Prints, for the chosen path (today only ``per-replicate``: one ``sim.model.AllianceModel``
per replicate, stepped with ``run_for``):

1. Wall time of one run of the default world against the number of steps (12, 36, 120).
2. Wall time of one 120-step run against the number of actors: synthetic worlds
   (``sim.worlds.synthetic(n, mean_degree=4, rng=1)``) of 20, 40, 80 and 160 actors.
3. A cProfile of one 120-step run of the default world: the phases of a step (cumulative
   time) and the top 15 functions by own time.

Times follow ``benchmarks/bench_model.py`` (and Mesa's benchmarks): warm-up runs, the garbage
collector off while timing, the fastest of the repeats (the median is printed beside it, as
the machine may be shared). Building the model (``init``) and running it (``run``) are timed
apart. A path is one function ``run(world, steps, seed)`` in :data:`PATHS`, so another
engine (e.g. a batched one) is compared on the same worlds and tables by adding its function.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Benchmark the checkout this script lives in, not whatever `sim` is installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sim
from sim.worlds import synthetic

__all__ = ["PATHS", "per_replicate", "profile_run", "time_path"]

STEPS = (12, 36, 120)
ACTORS = (20, 40, 80, 160)


def per_replicate(world, steps: int, seed: int) -> dict[str, float]:
    """One replicate on today's path: build an ``AllianceModel``, run `steps` months.

    Returns
    -------
    dict
        Seconds: ``init`` (wall time of building the model), ``run`` (wall time of running
        it) and ``run_cpu`` (this process's CPU time while running it: on a shared machine
        less inflated by other processes than the wall time).
    """
    t0 = time.perf_counter()
    model = sim.AllianceModel(world, rng=seed)
    t1, c1 = time.perf_counter(), time.process_time()
    model.run_for(steps)
    t2, c2 = time.perf_counter(), time.process_time()
    return {"init": t1 - t0, "run": t2 - t1, "run_cpu": c2 - c1}


#: Name -> function ``run(world, steps, seed) -> {"init", "run", "run_cpu"}`` (seconds) of
#: one replicate; a path that runs replicates together reports its time per replicate.
PATHS: dict[str, Callable] = {"per-replicate": per_replicate}


def time_path(
    run: Callable, world, steps: int, *, repeats: int = 5, warmup: int = 2
) -> dict[str, float]:
    """Fastest init, run and run CPU times, and the median run time (seconds), of `repeats`."""
    times: dict[str, list[float]] = {"init": [], "run": [], "run_cpu": []}
    for r in range(warmup + repeats):
        gc.disable()
        try:
            t = run(world, steps, r)
        finally:
            gc.enable()
        if r >= warmup:
            for key, values in times.items():
                values.append(t[key])
    best = {key: min(values) for key, values in times.items()}
    return {**best, "run_median": statistics.median(times["run"])}


def profile_run(run: Callable, world, steps: int, *, top: int = 15) -> str:
    """cProfile of one run (after one warm-up run): the phases of a step, then the top `top`.

    The phases are the functions a step calls directly (``AllianceModel.step``'s callees),
    with their calls and cumulative time over the whole replicate (building the model calls
    some of them too) and their share of it; the top list is ordered by own time.
    """
    run(world, steps, 0)
    profiler = cProfile.Profile()
    profiler.enable()
    run(world, steps, 1)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    lines = [f"phases of a step (cumulative, all calls; whole replicate {total * 1e3:.0f} ms)"]
    lines.append("| phase | calls | ms | share |")
    lines.append("|---|---:|---:|---:|")
    phases = [
        (ct, nc, func)
        for (path, _, func), (_, nc, _, ct, callers) in stats.stats.items()
        if any(c[2] == "step" and c[0].endswith("model.py") for c in callers)
        and path.endswith("model.py")
    ]
    for ct, nc, func in sorted(phases, reverse=True):
        lines.append(f"| `{func}` | {nc} | {ct * 1e3:.1f} | {ct / total:.0%} |")
    out = io.StringIO()
    stats.stream = out
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    return "\n".join(lines) + "\n\n" + out.getvalue()


def _row(cells: list[str], t: dict[str, float], per: float) -> str:
    ms = [f"{t[key] * 1e3:.1f}" for key in ("init", "run", "run_median", "run_cpu")]
    return "| " + " | ".join([*cells, *ms, f"{t['run'] / per * 1e6:.0f}"]) + " |"


def _load() -> str:
    try:
        return "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # not on every platform
        return "load average unknown"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--path", choices=sorted(PATHS), default="per-replicate")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per row (fastest kept)")
    ap.add_argument("--top", type=int, default=15, help="functions in the profile")
    args = ap.parse_args(argv)
    run = PATHS[args.path]
    world = sim.load_world()
    cols = "init ms | run ms (best) | run ms (median) | run CPU ms (best)"

    print(f"path: {args.path}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; {_load()}")
    print(f"\n1) default world ({len(world)} actors, {len(world.ties)} ties), one run vs steps")
    print(f"| steps | {cols} | µs per step |")
    print("|---:|---:|---:|---:|---:|---:|")
    by_steps = {}
    for steps in STEPS:
        by_steps[steps] = t = time_path(run, world, steps, repeats=args.repeats)
        print(_row([str(steps)], t, steps))
    a, b = by_steps[STEPS[0]]["run"], by_steps[STEPS[-1]]["run"]
    print(
        f"run time, {STEPS[-1]} vs {STEPS[0]} steps: {b / a:.1f}x for {STEPS[-1] / STEPS[0]:.0f}x"
    )

    print(f"\n2) synthetic worlds (mean degree 4, rng=1), one {STEPS[-1]}-step run vs actors")
    print(f"| actors | ties | {cols} | µs per actor-step |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    by_actors = {}
    for n in ACTORS:
        w = synthetic(n, mean_degree=4, rng=1)
        by_actors[n] = t = time_path(run, w, STEPS[-1], repeats=args.repeats)
        print(_row([str(n), str(len(w.ties))], t, n * STEPS[-1]))
    a, b = by_actors[ACTORS[0]]["run"], by_actors[ACTORS[-1]]["run"]
    growth = ACTORS[-1] // ACTORS[0]
    print(f"run time, {ACTORS[-1]} vs {ACTORS[0]} actors: {b / a:.1f}x for {growth}x")

    print(f"\n3) cProfile of one {STEPS[-1]}-step default-world replicate (build + run)")
    print(profile_run(run, world, STEPS[-1], top=args.top))
    print(_load())


if __name__ == "__main__":
    main()
