"""Review fixes of the runner, store and analysis layers (each test failed before its fix)."""

from pathlib import Path

import numpy as np

from sim.runner import run_scenario
from sim.scenario import load_scenario

DATA = Path(__file__).parent / "data"


def test_inspected_outcomes_show_a_shock_in_the_same_row_as_the_reporters():
    # docs/architecture.md: a shock with at=t takes effect before the supply phase of the step
    # from t to t + 1, so row t + 1 is the first to show it -- for every column.
    spec = load_scenario(DATA / "shock_timing.toml")
    at = spec.shocks[0].at
    res = run_scenario(spec, executor="serial", quiet=True)
    mf = res.model_frame
    shock = mf[mf["arm"] == "shock"].set_index(["replicate", "step"])
    for rep in range(spec.replicates):
        before, after = shock.loc[(rep, at)], shock.loc[(rep, at + 1)]
        assert before["alive:axis"] == 4 and after["alive:axis"] == 3
        assert before["capability:BBB"] > 0.3 and after["capability:BBB"] == 0.0
        assert before["strength:AAA-BBB"] > 0.3 and after["strength:AAA-BBB"] == 0.0
        assert before["delivered:BBB->CLI"] > 5 and after["delivered:BBB->CLI"] == 0.0
    # Up to and including row t the arms are identical (same seed, shock not yet visible).
    base = mf[mf["arm"] == "baseline"].set_index(["replicate", "step"])
    early = [s for s in range(at + 1)]
    for col in spec.outcomes:
        a = shock.loc[(slice(None), early), col].to_numpy()
        b = base.loc[(slice(None), early), col].to_numpy()
        np.testing.assert_allclose(a, b)
