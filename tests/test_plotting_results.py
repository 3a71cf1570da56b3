"""The results plots (sim.plotting.results): time series, tie strengths, attack curves,
criticality and sensitivity bars, each rendered with Agg and checked for what it draws."""

import dataclasses
from pathlib import Path

from sim.runner import run_scenario
from sim.scenario import load_scenario
from sim.shocks import Restore

DATA = Path(__file__).parent / "data"


def test_plot_of_a_real_run_draws_its_shock_lines():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.plotting import plot_timeseries

    spec = load_scenario(DATA / "shock_timing.toml")
    spec = dataclasses.replace(spec, shocks=(*spec.shocks, Restore(spec.shocks[0], at=5)))
    res = run_scenario(spec, replicates=1, executor="serial", quiet=True)
    assert res.shock_times == [3.0, 5.0]
    ax = plot_timeseries(res, "capability:BBB")
    lines = [a for a in ax.get_children() if a.get_gid() == "shock"]
    assert sorted(line.get_xdata()[0] for line in lines) == [3.0, 5.0]
    plt.close(ax.figure)
