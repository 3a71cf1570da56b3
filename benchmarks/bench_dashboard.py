"""Dashboard step time: one month of the shocked run and its baseline, and the redraw it causes.

What the page does on Step, without the browser: ``DashboardModel.step`` (both arms), then
:func:`sim.app_figures.update_map` and :func:`sim.app_figures.update_series` on plotly
``FigureWidget`` objects (building the messages the browser would get), then the values panel.
The target is 100 ms per step on the default world; the matplotlib map it replaced took about
2.5 s. The first step is left out of the figures (plotly's validators warm up on it). The
browser's own drawing comes on top (a few hundred ms on a busy two-core machine).
"""

from __future__ import annotations

import os
import statistics
import time

import plotly.graph_objects as go

from sim.app import DashboardModel, metrics, remove_actor
from sim.app_figures import map_figure, series_figure, update_map, update_series

STEPS = int(os.environ.get("BENCH_STEPS", "36"))


def main() -> None:
    model = DashboardModel("syria_loss", rng=1)
    remove_actor(model, "HEZ")  # an intervention, so the arms differ
    fig = go.FigureWidget(map_figure(model.world))
    chart = go.FigureWidget(series_figure())
    phases = {"model (both arms)": [], "map": [], "chart": [], "values": [], "total": []}
    for _ in range(STEPS + 1):
        t0 = time.perf_counter()
        model.step()
        t1 = time.perf_counter()
        update_map(fig, model)
        t2 = time.perf_counter()
        update_series(
            chart,
            model.datacollector.model_vars,
            model.baseline.datacollector.model_vars,
            bloc="axis",
            as_of=model.world.as_of,
            shocks=model.shocks,
        )
        t3 = time.perf_counter()
        metrics(model)
        t4 = time.perf_counter()
        for name, dt in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0), strict=True):
            phases[name].append(dt)
    print(f"dashboard step, {model.world.name} ({len(model.world.actors)} actors), {STEPS} steps")
    for name, times in phases.items():
        times = times[1:]
        print(
            f"  {name:18s} median {1e3 * statistics.median(times):6.1f} ms, "
            f"max {1e3 * max(times):6.1f} ms"
        )
    median = statistics.median(phases["total"][1:])
    print(f"  target 100 ms per step: {'met' if median < 0.1 else 'NOT met'}")


if __name__ == "__main__":
    main()
