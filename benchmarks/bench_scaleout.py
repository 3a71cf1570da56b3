"""Scale-out of sensitivity designs: runs/s serial, processes and a local Dask cluster; peak memory.

Part 1. A Monte Carlo design over ``syria_uncertainty``'s uncertain inputs (default world), each
sample point running the scenario's replicates with paired baselines, is evaluated serially,
on a pool of 2 processes and on a ``dask.distributed`` LocalCluster of 2 single-threaded
workers. A "run" is one replicate's two arms, as in ``bench_ensemble.py``. Executors are
started before the clock starts (a cluster is started once for thousands of runs); start-up
times are printed separately. Parallel efficiency = (parallel runs/s) / (serial runs/s * 2).

Part 2. Peak memory (max RSS of a fresh process) of a 100,000-run design through the same
chunked, streamed pipeline, against a 10,000-run design: bounded memory means the ratio stays
near 1 although the design is ten times larger. The evaluated function is cheap (so 100,000
runs take seconds) but returns as many outputs as a scenario evaluation (15).

Environment: ``BENCH_POINTS`` (default 120 sample points), ``BENCH_ROUNDS`` (default 2),
``BENCH_BIG`` (default 100000).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Measure the checkout this file lives in (not whichever copy of sim is installed).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

POINTS = int(os.environ.get("BENCH_POINTS", "120"))
# Executors are measured in interleaved rounds and the best round counts: on a machine shared
# with other work, a single round mostly measures who else was running.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
BIG = int(os.environ.get("BENCH_BIG", "100000"))
WORKERS = 2


def _throughput() -> None:
    from sim.designs import monte_carlo
    from sim.executors import DaskExecutor, ProcessExecutor, SerialExecutor
    from sim.runner import replicate_seeds
    from sim.sensitivity import run_design
    from sim.sensitivity.uncertain import (
        ScenarioEvaluator,
        check_addresses,
        load_uncertain_scenario,
    )

    us = load_uncertain_scenario("syria_uncertainty")
    spec = us.spec
    evaluator = ScenarioEvaluator(
        spec,
        check_addresses(us.space, spec.world),
        tuple(replicate_seeds(spec.seed, spec.replicates)),
    )
    design = monte_carlo(us.space, POINTS, rng=1)
    runs = POINTS * spec.replicates
    print(
        f"syria_uncertainty: {POINTS} sample points x {spec.replicates} replicates x 2 arms x "
        f"{spec.steps} months = {runs} runs per executor; {len(us.space)} uncertain inputs"
    )
    makers = {
        "serial": SerialExecutor,
        "processes": lambda: ProcessExecutor(WORKERS),
        "dask": lambda: DaskExecutor(workers=WORKERS),
    }
    best: dict[str, tuple[float, float]] = {}  # name -> (seconds, start-up)
    reference, same = None, {}
    for _ in range(ROUNDS):
        for name, make in makers.items():
            t0 = time.perf_counter()
            ex = make()
            # Warm the workers (imports, a first model) so the clock measures runs.
            first = dict(zip(design.names, design.values()[0].tolist(), strict=True))
            list(ex.imap_unordered(evaluator, [first] * 2 * getattr(ex, "workers", 1)))
            startup = time.perf_counter() - t0
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                y = run_design(evaluator, design, executor=ex, out=tmp, chunk_size=4)
                seconds = time.perf_counter() - t0
            ex.close()
            key = next(iter(y))
            reference = y[key] if reference is None else reference
            same[name] = same.get(name, True) and bool((y[key] == reference).all())
            if name not in best or seconds < best[name][0]:
                best[name] = (seconds, startup)
    rates = {name: runs / sec for name, (sec, _) in best.items()}
    for name, (sec, startup) in best.items():
        print(
            f"  {name:<10} {rates[name]:7.2f} runs/s  (best of {ROUNDS}: {sec:5.1f} s; start-up "
            f"{startup:4.1f} s; results identical to serial: {same[name]})"
        )
    for name in ("processes", "dask"):
        eff = rates[name] / (rates["serial"] * WORKERS)
        print(
            f"  {name:<10} speed-up {rates[name] / rates['serial']:4.2f}x, parallel efficiency "
            f"{eff:.0%} of ideal on {WORKERS} workers (target >= 80%)"
        )
    print(f"  (cores visible: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f})")


class ManyOutputs:
    """A cheap function with 15 outputs, like a scenario evaluation (module level: picklable)."""

    def __call__(self, values):
        x = values["x1"] + 2 * values["x2"] - values["x3"]
        return {f"out{k}": math.sin(x + k) for k in range(15)}


def _memory_child(n: int, out: str) -> None:
    """Run an n-run design in this (fresh) process and print its peak RSS as JSON."""
    import resource

    from sim.designs import monte_carlo
    from sim.sensitivity import run_design
    from sim.uncertainty import Uniform

    space = {f"x{i}": Uniform(0, 1) for i in (1, 2, 3)}
    design = monte_carlo(space, n, rng=1)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    y = run_design(ManyOutputs(), design, out=out, chunk_size=1000)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    outputs_mb = sum(v.nbytes for v in y.values()) / 2**20
    print(json.dumps({"n": n, "peak_kib": peak, "before_kib": before, "seconds": seconds,
                      "outputs_mb": outputs_mb}))  # fmt: skip


def _peak(n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, __file__, "--memory-child", str(n), tmp]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        parts = len(os.listdir(os.path.join(tmp, "parts")))
    rec = json.loads(done.stdout.strip().splitlines()[-1])
    rec["parts"] = parts
    return rec


def _memory() -> None:
    small, big = _peak(BIG // 10), _peak(BIG)
    print(
        f"peak memory of a streamed design (fresh process, max RSS; {big['parts']} parts on disk):"
    )
    for rec in (small, big):
        print(
            f"  {rec['n']:>7} runs: peak {rec['peak_kib'] / 1024:6.1f} MiB "
            f"(after imports {rec['before_kib'] / 1024:6.1f} MiB; output arrays "
            f"{rec['outputs_mb']:4.1f} MiB; {rec['n'] / rec['seconds']:8.0f} runs/s)"
        )
    grow = [(r["peak_kib"] - r["before_kib"]) / 1024 for r in (small, big)]
    print(
        f"  10x the runs -> peak {big['peak_kib'] / small['peak_kib']:.2f}x the memory; above the "
        f"imports the run added {grow[0]:.1f} MiB and {grow[1]:.1f} MiB: each run keeps only "
        "its outputs in memory, everything else streams to the Parquet parts"
    )


def main() -> None:
    _throughput()
    _memory()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--memory-child":
        _memory_child(int(sys.argv[2]), sys.argv[3])
    else:
        main()
