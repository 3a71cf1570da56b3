"""Benchmark the hindcasts: wall time of each shipped episode on the real data.

Run from the repository root: ``python benchmarks/bench_hindcast.py``. Needs ``../shared/data``
(SIPRI, ATOP, NMC); skips with a message otherwise. Prints each episode's wall time (target:
under 25 s each on this 2-core machine), the time to read the SIPRI register once (the
reference measured in the same run) and the ratio of each episode to it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data"
FILES = {
    "sipri": REAL / "sipri-trade-register-2025-03-13.csv",
    "atop": REAL / "atop5_1m.csv",
    "nmc": REAL / "NMC-60-abridged.csv",
}
TARGET_S = 25.0


def main() -> int:
    missing = [str(p) for p in FILES.values() if not p.exists()]
    if missing:
        print(f"skipped: real data missing ({', '.join(missing)}); see ../shared/data/README.md")
        return 0
    from sim.history import hindcast
    from sim.io import ImportReport, read_sipri_records

    t0 = time.perf_counter()
    records = read_sipri_records(FILES["sipri"], report=ImportReport())
    read_s = time.perf_counter() - t0
    print(f"reference: reading the SIPRI register once  {read_s:6.1f} s")
    worst = 0.0
    for path in sorted((ROOT / "scenarios" / "history").glob("*.toml")):
        t0 = time.perf_counter()
        h = hindcast(path, sipri=records, alliances=FILES["atop"], capabilities=FILES["nmc"])
        s = time.perf_counter() - t0
        worst = max(worst, s)
        rho = h.metrics["model"]["spearman"]
        print(f"{path.stem:<22} {s:6.1f} s  ({s / read_s:5.1f}x the read)  model rho {rho:+.2f}")
    verdict = "met" if worst < TARGET_S else "NOT met"
    print(f"slowest episode {worst:.1f} s; target {TARGET_S:.0f} s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
