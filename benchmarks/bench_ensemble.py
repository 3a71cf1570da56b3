"""Ensemble throughput: runs per second, serial against a process pool, in one run.

A run is one replicate's two arms (shocked and baseline) of ``syria_loss`` over 36 months. The
process pool uses every core this process may use; parallel efficiency is
``(processes runs/s) / (serial runs/s * cores)``. The Parquet store is included, as in real use.

Two figures for the pool: a cold one, as ``alliance-sim run`` sees it (the pool and its imports
start inside the timing), and a warm one on a pool that has already run a small ensemble (what
a long ensemble or a notebook that reuses an executor sees). Serial runs are timed the same way
(after a warm-up), so both ratios are measured in this run.
"""

from __future__ import annotations

import os
import tempfile
import time

from sim.executors import ProcessExecutor, available_cores
from sim.runner import run_scenario

REPLICATES = int(os.environ.get("BENCH_REPLICATES", "80"))


def _rate(executor, out: str) -> float:
    start = time.perf_counter()
    run_scenario("syria_loss", replicates=REPLICATES, executor=executor, out=out, quiet=True)
    return REPLICATES / (time.perf_counter() - start)


def main() -> None:
    cores = available_cores()
    with tempfile.TemporaryDirectory() as tmp:
        path = lambda name: os.path.join(tmp, name)  # noqa: E731
        run_scenario("syria_loss", replicates=2, executor="serial", out=path("w0"), quiet=True)
        serial = _rate("serial", path("serial"))
        cold = _rate("processes", path("cold"))
        with ProcessExecutor(cores) as pool:
            run_scenario(
                "syria_loss", replicates=2 * cores, executor=pool, out=path("w1"), quiet=True
            )
            warm = _rate(pool, path("warm"))
    print(f"syria_loss, {REPLICATES} replicates x 2 arms x 36 months, {cores} cores")
    print(f"  serial            {serial:7.2f} runs/s")
    print(
        f"  processes (cold)  {cold:7.2f} runs/s  speed-up {cold / serial:4.2f}x, "
        f"parallel efficiency {cold / (serial * cores):.0%} (pool start-up included)"
    )
    print(
        f"  processes (warm)  {warm:7.2f} runs/s  speed-up {warm / serial:4.2f}x, "
        f"parallel efficiency {warm / (serial * cores):.0%}"
    )


if __name__ == "__main__":
    main()
