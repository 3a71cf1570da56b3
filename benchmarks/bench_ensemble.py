"""Ensemble throughput: runs per second, serial against a process pool, in one run.

A run is one replicate's two arms (shocked and baseline) of ``syria_loss`` over 36 months. The
process pool uses every core this process may use; parallel efficiency is
``(processes runs/s) / (serial runs/s * cores)``. The Parquet store is included, as in real use.
"""

from __future__ import annotations

import os
import tempfile
import time

from sim.executors import available_cores
from sim.runner import run_scenario

# Enough replicates that starting the worker processes (about a second) does not dominate.
REPLICATES = int(os.environ.get("BENCH_REPLICATES", "80"))


def _rate(executor: str, out: str, workers: int | None = None) -> float:
    start = time.perf_counter()
    run_scenario(
        "syria_loss",
        replicates=REPLICATES,
        executor=executor,
        workers=workers,
        out=out,
        quiet=True,
    )
    return REPLICATES / (time.perf_counter() - start)


def main() -> None:
    cores = available_cores()
    with tempfile.TemporaryDirectory() as tmp:
        serial = _rate("serial", os.path.join(tmp, "serial"))
        procs = _rate("processes", os.path.join(tmp, "processes"), cores)
    print(f"syria_loss, {REPLICATES} replicates x 2 arms x 36 months, {cores} cores")
    print(f"  serial     {serial:7.2f} runs/s")
    print(f"  processes  {procs:7.2f} runs/s  speed-up {procs / serial:4.2f}x")
    print(f"  parallel efficiency {procs / (serial * cores):.0%} on {cores} cores")


if __name__ == "__main__":
    main()
