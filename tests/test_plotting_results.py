"""The results plots (sim.plotting.results): time series, tie strengths, attack curves,
criticality and sensitivity bars, each rendered with Agg and checked for what it draws."""

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.container import BarContainer

from sim.errors import UnknownNameError, ValidationError
from sim.plotting import (
    plot_attack_curves,
    plot_criticality,
    plot_sensitivity,
    plot_tie_strengths,
    plot_tie_trajectories,
    plot_timeseries,
)
from sim.runner import run_scenario
from sim.scenario import load_scenario
from sim.shocks import Restore
from sim.worlds import synthetic
from tests.helpers import by_gid, legend_texts

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


def bars(ax) -> list[BarContainer]:
    return [c for c in ax.containers if isinstance(c, BarContainer)]


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    for arm, drop in (("shock", 0.4), ("baseline", 0.0)):
        for rep in range(7):
            for step in range(13):
                hit = drop if step > 4 else 0.0
                rows.append(
                    {
                        "scenario": "syria-loss",
                        "replicate": rep,
                        "seed": 100 + rep,
                        "arm": arm,
                        "step": step,
                        "fulfilment:axis": 0.9 - hit + rng.normal(0, 0.05),
                        "strength:RUS-IRN": float(np.clip(0.5 + 0.02 * step - hit / 2, 0, 1))
                        + rng.normal(0, 0.01),
                        "strength:IRN-SYR": 0.8 - hit + rng.normal(0, 0.02),
                    }
                )
    return pd.DataFrame(rows)


@dataclass
class Curve:
    fraction_removed: np.ndarray
    giant_fraction: np.ndarray
    robustness: float
    critical_fraction: float | None
    strategy: str | None = None


def _curve(power, fc, strategy=None):
    f = np.linspace(0, 1, 11)
    s = np.clip(1 - f, 0, 1) ** power
    return Curve(f, s, float(s[1:].mean()), fc, strategy)


@pytest.fixture
def ranking() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    items = [f"A{i:02d}" for i in range(12)] + [("RUS", "IRN"), ("IRN", "SYR")]
    damage = rng.uniform(0, 1, len(items))
    return pd.DataFrame(
        {
            "item": items,
            "kind": ["actor"] * 12 + ["tie"] * 2,
            "metric": "giant:axis",
            "baseline": 1.0,
            "after": 1.0 - damage,
            "damage": damage,
        }
    )


def test_timeseries_draws_bands_medians_and_shock_lines(frame):
    results = SimpleNamespace(
        model_frame=frame, spec=SimpleNamespace(shocks=[SimpleNamespace(target="SYR", at=4)])
    )
    ax = plot_timeseries(results, "fulfilment:axis")
    for arm in ("shock", "baseline"):
        b90, b50 = by_gid(ax, f"band90:{arm}")[0], by_gid(ax, f"band50:{arm}")[0]
        assert isinstance(b90, PolyCollection) and isinstance(b50, PolyCollection)
        sub = frame[frame.arm == arm]
        q = sub.groupby("step")["fulfilment:axis"].quantile([0.05, 0.95]).unstack()
        y = b90.get_paths()[0].vertices[:, 1]
        assert y.min() == pytest.approx(q[0.05].min()) and y.max() == pytest.approx(q[0.95].max())
        (median,) = by_gid(ax, f"median:{arm}")
        expected = sub.groupby("step")["fulfilment:axis"].median().to_numpy()
        np.testing.assert_allclose(median.get_ydata(), expected)
    (shock,) = by_gid(ax, "shock")
    assert list(shock.get_xdata()) == [4, 4]
    assert "fulfilment" in ax.get_ylabel() and "axis" in ax.get_ylabel()
    assert "month" in ax.get_xlabel()
    assert "median of 7 replicates" in " ".join(legend_texts(ax))
    assert "syria-loss" in ax.get_title()


def test_timeseries_takes_a_frame_and_explicit_shock_times(frame):
    ax = plot_timeseries(frame, "strength:RUS-IRN", shock_times=[2, 6])
    assert sorted(line.get_xdata()[0] for line in by_gid(ax, "shock")) == [2, 6]
    assert "RUS–IRN" in ax.get_ylabel()


def test_timeseries_names_an_unknown_outcome(frame):
    with pytest.raises(ValidationError, match="did you mean 'fulfilment:axis'"):
        plot_timeseries(frame, "fulfillment:axis")


def test_timeseries_asks_which_scenario_when_there_are_several(frame):
    two = pd.concat([frame, frame.assign(scenario="other")])
    with pytest.raises(ValidationError, match="several scenarios"):
        plot_timeseries(two, "fulfilment:axis")
    ax = plot_timeseries(two, "fulfilment:axis", scenario="other")
    assert "other" in ax.get_title()


def test_tie_strength_heatmap_is_the_median_over_replicates(frame):
    ax = plot_tie_strengths(frame, pairs=["IRN-RUS", ("IRN", "SYR")], shock_times=[4])
    mesh = ax.collections[0]
    expected = (
        frame[frame.arm == "shock"]
        .groupby("step")[["strength:RUS-IRN", "strength:IRN-SYR"]]
        .median()
        .to_numpy()
        .T
    )
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(expected.shape), expected)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["RUS–IRN", "IRN–SYR"]
    assert len(by_gid(ax, "shock")) == 1
    assert ax.figure.axes[-1].get_ylabel().startswith("tie strength")  # the colour bar
    base = plot_tie_strengths(frame, arm="baseline").collections[0]
    assert np.asarray(base.get_array()).size == 2 * 13


def test_tie_strength_heatmap_names_an_unknown_pair(frame):
    with pytest.raises(UnknownNameError, match="did you mean 'RUS-IRN'"):
        plot_tie_strengths(frame, pairs=["RUS-IRM"])


def test_attack_curves_one_line_per_strategy_with_r_and_critical_fraction():
    curves = {"random": _curve(1, None), "degree": _curve(3, 0.3)}
    ax = plot_attack_curves(curves, theory=lambda f: 1 - f)
    assert len(by_gid(ax, "curve:")) == 2
    np.testing.assert_allclose(
        by_gid(ax, "curve:degree")[0].get_ydata(), curves["degree"].giant_fraction
    )
    legend = legend_texts(ax)
    assert f"random (R = {curves['random'].robustness:.3f})" in legend
    assert "theory" in legend
    (crit,) = by_gid(ax, "critical:")
    assert crit.get_gid() == "critical:degree" and crit.get_xdata()[0] == 0.3
    (theory,) = by_gid(ax, "theory:")
    np.testing.assert_allclose(theory.get_ydata(), 1 - theory.get_xdata())
    assert ax.get_xlim() == (0, 1)
    assert "removed" in ax.get_xlabel() and "giant" in ax.get_ylabel()


def test_attack_curves_accept_a_sequence_named_by_strategy_and_theory_arrays():
    ax = plot_attack_curves(
        [_curve(1, float("nan"), "random"), _curve(2, 0.5, "betweenness")],
        theory={"ER mean field": ([0, 0.5, 1], [1, 0.5, 0])},
    )
    assert sorted(line.get_gid() for line in by_gid(ax, "curve:")) == [
        "curve:betweenness",
        "curve:random",
    ]
    assert len(by_gid(ax, "critical:")) == 1  # NaN means never broke up: no line
    assert "ER mean field" in legend_texts(ax)


def test_criticality_bars_descend_and_equal_the_damage(ranking):
    ax = plot_criticality(ranking, top=8)
    widths = [p.get_width() for p in ax.patches]
    expected = ranking.sort_values("damage", ascending=False)["damage"].head(8).to_numpy()
    np.testing.assert_allclose(widths, expected)
    # the first bar is drawn at the top
    ys = [p.get_y() for p in ax.patches]
    assert ax.get_ylim()[0] > ax.get_ylim()[1] and ys == sorted(ys)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    top_items = ranking.sort_values("damage", ascending=False)["item"].head(8)
    assert labels == ["–".join(i) if isinstance(i, tuple) else i for i in top_items]
    assert "giant:axis" in ax.get_xlabel()


def test_criticality_with_several_metrics_needs_a_choice(ranking):
    both = pd.concat([ranking, ranking.assign(metric="efficiency")])
    with pytest.raises(ValidationError, match="several metrics"):
        plot_criticality(both)
    assert len(plot_criticality(both, metric="efficiency").patches) == 14
    with pytest.raises(UnknownNameError, match="did you mean 'efficiency'"):
        plot_criticality(both, metric="eficiency")


def test_sobol_table_bars_with_error_bars_sorted_by_total_index():
    table = pd.DataFrame(
        {
            "parameter": ["decay", "reroute", "threshold"],
            "S1": [0.1, 0.5, 0.2],
            "S1_conf": [0.02, 0.05, 0.03],
            "ST": [0.15, 0.7, 0.3],
            "ST_conf": [0.03, 0.06, 0.04],
        }
    )
    ax = plot_sensitivity(table)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["reroute", "threshold", "decay"]
    s1, st = bars(ax)
    np.testing.assert_allclose([p.get_width() for p in st], [0.7, 0.3, 0.15])
    np.testing.assert_allclose([p.get_width() for p in s1], [0.5, 0.2, 0.1])
    assert s1.errorbar is not None and st.errorbar is not None
    seg = st.errorbar.lines[2][0].get_segments()[0]
    assert seg[1][0] - seg[0][0] == pytest.approx(2 * 0.06)
    assert "Sobol" in ax.get_title() and "variance" in ax.get_xlabel()


def test_morris_table_is_recognised_by_its_columns():
    table = pd.DataFrame(
        {"mu_star": [0.3, 0.9], "mu_star_conf": [0.1, 0.2], "sigma": [0.2, 0.4]},
        index=pd.Index(["a", "b"], name="parameter"),
    )
    ax = plot_sensitivity(table)
    mu, sigma = bars(ax)
    np.testing.assert_allclose([p.get_width() for p in mu], [0.9, 0.3])
    np.testing.assert_allclose([p.get_width() for p in sigma], [0.4, 0.2])
    assert "Morris" in ax.get_title()
    with pytest.raises(ValidationError, match="not a Sobol or Morris table"):
        plot_sensitivity(pd.DataFrame({"parameter": ["a"], "S1": [0.1]}))


def test_long_outcome_labels_wrap_inside_their_panel(frame):
    fig, axes = plt.subplots(2, 3, figsize=(13.8, 7.3), layout="constrained")
    wide = frame.assign(**{"cohesion:axis": frame["fulfilment:axis"]})
    for ax, outcome in zip(
        axes.flat, ["fulfilment:axis", "cohesion:axis", "strength:RUS-IRN"], strict=False
    ):
        plot_timeseries(wide, outcome, ax=ax)
    fig.suptitle("a title")
    fig.canvas.draw()
    label = axes[0, 1].yaxis.label
    assert "cohesion" in label.get_text() and "\n" in label.get_text()
    assert all(len(line) <= 28 for line in label.get_text().split("\n"))
    # the label is no taller than its panel, so it cannot reach the suptitle or the next row
    for ax in axes.flat[:3]:
        assert ax.yaxis.label.get_window_extent().height <= ax.get_window_extent().height
    title = fig._suptitle.get_window_extent()
    assert all(ax.yaxis.label.get_window_extent().y1 < title.y0 for ax in axes.flat[:3])


def test_timeseries_titles_units_dates_and_labelled_shock_lines(frame):
    manifest = {
        "scenario": {
            "world_as_of": "2024-11-26",
            "actor_names": {"RUS": "Russia", "IRN": "Iran"},
            "shocks": [{"type": "remove_state", "target": "SYR", "at": 4}],
        }
    }
    results = SimpleNamespace(model_frame=frame, manifest=manifest)
    ax = plot_timeseries(results, "strength:RUS-IRN")
    assert ax.get_title().startswith("Russia–Iran partnership strength")
    assert "(0–1)" in ax.get_ylabel()
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "Nov 2024" in ticks and all(t[-4:].isdigit() for t in ticks)
    assert "26 Nov 2024" in ax.get_xlabel()
    (label,) = by_gid(ax, "annotation:shock")
    assert label.get_text() == "remove state: SYR" and label.xy[0] == 4
    # the legend sits below the axes: it covers no data
    legend = ax.get_legend().get_window_extent()
    assert legend.y1 <= ax.get_window_extent().y0


def test_tie_trajectories_draw_several_ties_both_arms_labelled_at_their_ends(frame):
    ax = plot_tie_trajectories(frame, shock_times=[4])
    shocked = by_gid(ax, "tie:")
    assert {a.get_gid() for a in shocked} == {
        "tie:RUS-IRN:shock",
        "tie:RUS-IRN:baseline",
        "tie:IRN-SYR:shock",
        "tie:IRN-SYR:baseline",
    }
    median = frame[frame.arm == "shock"].groupby("step")["strength:IRN-SYR"].median()
    (line,) = by_gid(ax, "tie:IRN-SYR:shock")
    np.testing.assert_allclose(line.get_ydata(), median.to_numpy())
    labels = sorted(t.get_text() for t in by_gid(ax, "tie-label"))
    assert labels == ["IRN–SYR", "RUS–IRN"]
    # the tie the shock moves most comes first when only one is asked for
    (top,) = {
        a.get_gid().split(":")[1] for a in by_gid(plot_tie_trajectories(frame, top=1), "tie:")
    }
    assert top == "IRN-SYR"


def test_legends_of_the_analysis_figures_sit_outside_the_data():
    world = synthetic(20, rng=3)
    from sim.robustness import attack_curve, criticality

    G = world.to_networkx()
    table = pd.DataFrame(
        {"parameter": list("abc"), "mu_star": [0.3, 0.2, 0.1], "mu_star_conf": [0.01] * 3,
         "sigma": [0.1] * 3, "mu": [0.3, 0.2, 0.1]}
    )  # fmt: skip
    for ax in (
        plot_attack_curves({s: attack_curve(G, s, rng=0) for s in ("random", "degree")}),
        plot_criticality(criticality(world, items="actors")),
        plot_sensitivity(table),
    ):
        ax.figure.canvas.draw()
        legend = ax.get_legend().get_window_extent()
        assert legend.x0 >= ax.get_window_extent().x1, ax.get_title()


def test_timeseries_dates_the_axis_of_an_axes_in_a_subfigure(frame):
    # The month axis read the figure width from ax.figure, a SubFigure here: AttributeError.
    fig = plt.figure(figsize=(8, 4))
    ax = fig.subfigures(1, 2)[0].subplots()
    out = plot_timeseries(frame, "fulfilment:axis", ax=ax, as_of="2024-11-30")
    fig.canvas.draw()
    labels = [t.get_text() for t in out.get_xticklabels() if t.get_text()]
    plt.close(fig)
    assert out.get_xlabel() == "month (0 = 30 Nov 2024, the world's as-of date)"
    assert labels[0] == "Nov 2024"
