"""Figures: each is rendered with Agg and checked for what it draws, not only that it runs."""

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text

from sim import AllianceModel
from sim.errors import UnknownNameError, ValidationError
from sim.plotting import (
    OKABE_ITO,
    label_overlap,
    plot_attack_curves,
    plot_before_after,
    plot_criticality,
    plot_sensitivity,
    plot_tie_strengths,
    plot_tie_trajectories,
    plot_timeseries,
    plot_world,
    save_figure,
)
from sim.shocks import BlockTransit, CutTie, Degrade, RemoveState
from sim.world import PARTNERSHIP_KINDS, Actor, PartnershipTie, SupplyTie, World
from sim.worlds import synthetic
from tests.helpers import EXACT_SUPPLY

DATA = Path(__file__).parent / "data"
DAY = dt.date(2020, 1, 1)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def tiny() -> World:
    return World.from_toml(DATA / "tiny.toml")


# -- helpers that read what was drawn ---------------------------------------------------------


def by_gid(ax, prefix: str) -> list:
    artists = [*ax.collections, *ax.patches, *ax.lines, *ax.texts]
    return [a for a in artists if str(a.get_gid() or "").startswith(prefix)]


def actor_points(ax) -> np.ndarray:
    cols = [c for c in by_gid(ax, "actors:") if isinstance(c, PathCollection)]
    return np.vstack([c.get_offsets() for c in cols]) if cols else np.empty((0, 2))


def label_texts(ax) -> list[str]:
    return [t.get_text() for t in by_gid(ax, "label:")]


def bars(ax) -> list[BarContainer]:
    return [c for c in ax.containers if isinstance(c, BarContainer)]


def legend_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


#: No noise: a model's deliveries are exact, so drawn widths can be checked to the digit.
QUIET = EXACT_SUPPLY


def tiny_model(world: World, *shocks, steps: int = 3, **params) -> AllianceModel:
    """A real model of `world` after `steps` months (shocks at 0 have all struck)."""
    p = dataclasses.replace(QUIET, **params)
    m = AllianceModel(world, params=p, shocks=shocks, rng=1)
    m.run_for(steps)
    return m


def dense_world(seed: int = 7) -> World:
    """A layout the size of the default world: 38 actors from the Americas to East Asia, with a
    crowded Middle East and militias sharing their host's coordinates."""
    rng = np.random.default_rng(seed)
    boxes = [  # (count, lon range, lat range)
        (18, (30, 60), (12, 42)),
        (8, (-5, 40), (45, 57)),
        (6, (60, 126), (25, 52)),
        (4, (-87, -60), (10, 40)),
    ]
    actors = []
    for count, (x0, x1), (y0, y1) in boxes:
        for _ in range(count):
            actors.append(
                Actor(
                    f"A{len(actors):02d}",
                    "x",
                    bloc=("axis", "west", "neutral")[len(actors) % 3],
                    lon=round(float(rng.uniform(x0, x1)), 2),
                    lat=round(float(rng.uniform(y0, y1)), 2),
                    capability=round(float(rng.uniform(0.05, 1.0)), 2),
                )
            )
    for host in actors[:2]:  # militias at their host's capital
        actors.append(
            Actor(f"M{host.id}", "x", kind="non_state", bloc="axis", lon=host.lon, lat=host.lat)
        )
    ids = [a.id for a in actors]
    ties = [
        PartnershipTie(DAY, "test", a=ids[i], b=ids[(i * 7 + 3) % len(ids)], strength=0.5)
        for i in range(0, 30, 2)
    ]
    return World(tuple(actors), tuple(ties), name="dense")


# -- the map ----------------------------------------------------------------------------------


def test_world_map_draws_every_actor_tie_and_label(tiny):
    ax = plot_world(tiny)
    pts = actor_points(ax)
    assert len(pts) == len(tiny)
    coords = {(a.lon, a.lat) for a in tiny.actors}
    assert {tuple(p) for p in pts} == coords
    assert sorted(label_texts(ax)) == sorted(tiny.ids)
    (partners,) = by_gid(ax, "partnership:")
    assert isinstance(partners, LineCollection) and len(partners.get_segments()) == 1
    assert partners.get_gid() == "partnership:strategic_partnership"
    (rivals,) = by_gid(ax, "rivalry")
    assert len(rivals.get_segments()) == 1
    arrows = by_gid(ax, "supply:")
    assert all(isinstance(a, FancyArrowPatch) for a in arrows)
    assert sorted(a.get_gid() for a in arrows) == ["supply:arms:BBB->CLI", "supply:drones:BBB->AAA"]
    assert not by_gid(ax, "cut:") and not by_gid(ax, "lost")
    assert ax.get_title() == "tiny: all layers"
    assert "longitude" in ax.get_xlabel() and "latitude" in ax.get_ylabel()
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 < 20 and x1 > 24 and y0 < 10 and y1 > 14
    assert "°E" in ax.xaxis.get_major_formatter()(20, 0)
    legend = legend_texts(ax)
    for entry in ("axis", "west", "strategic partnership", "arms", "drones", "rivalry"):
        assert entry in legend
    # one column group per layer: each bold header starts a column of the legend
    leg = ax.get_legend()
    rows = len(legend) // leg._ncols
    headers = [t.get_text() for t in leg.get_texts() if t.get_fontweight() == "bold"]
    assert headers == ["actors by bloc", "partnerships by kind", "supply by commodity"]
    assert all(legend.index(h) % rows == 0 for h in headers)
    note = by_gid(ax, "map-note")[0].get_text()
    assert "own unit" in note
    # marker colours come from the colour-blind-safe palette
    axis_dots = by_gid(ax, "actors:axis:state")[0]
    assert to_hex(axis_dots.get_facecolor()[0]).upper() == OKABE_ITO["vermillion"]


def test_arrow_widths_are_volume_over_the_commodity_maximum():
    actors = [Actor(i, i, lon=float(k), lat=float(k)) for k, i in enumerate("ABCD")]
    ties = [
        SupplyTie(DAY, "t", supplier="A", recipient="B", commodity="arms", volume=10.0),
        SupplyTie(DAY, "t", supplier="A", recipient="C", commodity="arms", volume=40.0),
        SupplyTie(DAY, "t", supplier="D", recipient="C", commodity="energy", volume=5000.0),
        PartnershipTie(DAY, "t", a="A", b="D", kind="defence_pact", strength=0.25),
    ]
    ax = plot_world(World(tuple(actors), tuple(ties)))
    widths = {a.get_gid(): a.get_linewidth() for a in by_gid(ax, "supply:")}
    # different units: energy's 5000 does not dwarf arms; each commodity's largest gets full width
    assert widths == pytest.approx(
        {"supply:arms:A->B": 0.8 + 3.2 * 0.25, "supply:arms:A->C": 4.0, "supply:energy:D->C": 4.0}
    )
    (pact,) = by_gid(ax, "partnership:defence_pact")
    assert pact.get_linewidths()[0] == pytest.approx(0.6 + 3.4 * 0.25)


@pytest.mark.parametrize(
    ("layer", "partnership", "supply", "rivalry"),
    [("partnership", 1, 0, 0), ("supply", 0, 2, 0), ("rivalry", 0, 0, 1), ("all", 1, 2, 1)],
)
def test_layers_draw_only_their_ties(tiny, layer, partnership, supply, rivalry):
    ax = plot_world(tiny, layer=layer)
    assert len(by_gid(ax, "partnership:")) == partnership
    assert len(by_gid(ax, "supply:")) == supply
    assert len(by_gid(ax, "rivalry")) == rivalry
    assert len(actor_points(ax)) == 5


def test_unknown_layer_is_named_with_a_suggestion(tiny):
    with pytest.raises(UnknownNameError, match="did you mean 'supply'"):
        plot_world(tiny, layer="suply")


def test_model_view_marks_dead_actors_cut_supply_and_current_strengths(tiny):
    model = tiny_model(tiny, RemoveState("CLI", at=0), Degrade("BBB", at=0, factor=0.5))
    ax = plot_world(model)
    assert len(actor_points(ax)) == 4
    (lost,) = by_gid(ax, "lost")
    assert lost.get_offsets().tolist() == [[23.0, 13.0]]
    (cut,) = by_gid(ax, "cut:")
    assert cut.get_gid() == "cut:arms:BBB->CLI"
    assert cut.get_linestyle() == ":"
    assert to_hex(cut.get_edgecolor()).upper() == OKABE_ITO["vermillion"]
    (drones,) = by_gid(ax, "supply:")
    # BBB makes half its 100 drones: 50 of the tie's 80 arrive
    assert model.delivered("BBB", "AAA", "drones") == pytest.approx(50.0)
    assert drones.get_linewidth() == pytest.approx(0.8 + 3.2 * 50 / 80)
    (partners,) = by_gid(ax, "partnership:")
    s = model.strength("AAA", "BBB")
    assert s != pytest.approx(0.5, abs=1e-6)  # the current strength, not the world's
    assert partners.get_linewidths()[0] == pytest.approx(0.6 + 3.4 * s)
    sizes = {
        tuple(p): size
        for c in by_gid(ax, "actors:")
        for p, size in zip(c.get_offsets(), c.get_sizes(), strict=True)
    }
    assert sizes[(20.0, 10.0)] == pytest.approx(16 + 120 * model.capability("AAA"))
    assert model.capability("AAA") != pytest.approx(0.8, abs=1e-6)
    assert "t = 3" in ax.get_title()
    assert {"lost actor", "supply cut"} <= set(legend_texts(ax))
    assert "bloc:" not in " ".join(legend_texts(ax))  # the headers say what the group is
    assert "CLI" in label_texts(ax)  # the lost actor keeps its label


def _two_commodities(tiny: World) -> World:
    """tiny with a second commodity on the pair BBB -> AAA (10 arms beside 80 drones)."""
    arms = SupplyTie(DAY, "test", supplier="BBB", recipient="AAA", commodity="arms", volume=10.0)
    bbb = tiny.actor("BBB")
    actors = [
        a if a.id != "BBB" else Actor(**{**bbb.__dict__, "produces": {"drones": 100.0}})
        for a in tiny.actors
    ]
    return tiny.replace(actors=actors, ties=[*tiny.ties, arms])


def test_a_cut_commodity_is_marked_even_when_the_pair_still_delivers_another(tiny):
    world = _two_commodities(tiny)
    model = tiny_model(world, CutTie(("BBB", "AAA"), at=0, commodity="drones"))
    assert model.delivered("BBB", "AAA", "arms") > 0  # the pair still delivers its arms
    ax = plot_world(model)
    assert [a.get_gid() for a in by_gid(ax, "cut:")] == ["cut:drones:BBB->AAA"]
    assert "supply:arms:BBB->AAA" in [a.get_gid() for a in by_gid(ax, "supply:")]


def test_a_supplier_degraded_to_nothing_is_thin_not_cut(tiny):
    model = tiny_model(tiny, Degrade("BBB", at=0, factor=0.0))
    assert model.delivered("BBB", "AAA", "drones") == 0.0
    ax = plot_world(model)
    assert not by_gid(ax, "cut:")
    widths = {a.get_gid(): a.get_linewidth() for a in by_gid(ax, "supply:")}
    assert widths == {
        "supply:drones:BBB->AAA": pytest.approx(0.8),
        "supply:arms:BBB->CLI": pytest.approx(0.8),
    }


def test_a_rerouted_supply_tie_is_dashed_and_blocked_routes_are_cut(tiny):
    model = tiny_model(tiny, BlockTransit("TRN", at=0))
    ax = plot_world(model)
    (rerouted,) = by_gid(ax, "rerouted:")
    assert rerouted.get_gid() == "rerouted:arms:BBB->CLI"
    assert rerouted.get_linestyle() == "--"
    assert rerouted.get_linewidth() == pytest.approx(0.8 + 3.2 * 0.1)  # the air route's 10 %
    assert "rerouted (alternative route)" in legend_texts(ax)
    model = tiny_model(tiny, BlockTransit("TRN", at=0), BlockTransit("air", at=0))
    ax = plot_world(model)
    assert [a.get_gid() for a in by_gid(ax, "cut:")] == ["cut:arms:BBB->CLI"]


def test_ties_formed_during_the_run_are_drawn():
    world = synthetic(30, mean_degree=3, rng=1)
    model = tiny_model(world, steps=24, volume_noise=0.1, formation_rate=0.02)
    G = model.to_networkx()
    formed = {
        frozenset((u, v)) for u, v, d in G.edges(data=True) if d.get("formed") and u == d["a"]
    }
    assert formed  # this seed forms ties
    ax = plot_world(model, labels=False, legend=False)
    drawn = {
        frozenset(map(tuple, seg)) for c in by_gid(ax, "partnership:") for seg in c.get_segments()
    }
    spots = {a.id: (a.lon, a.lat) for a in world.actors}
    for pair in formed:
        a, b = tuple(pair)
        assert frozenset((spots[a], spots[b])) in drawn


def test_a_defector_is_drawn_in_its_new_bloc(tiny):
    from sim.shocks import Defect

    model = tiny_model(tiny, Defect("TRN", at=0, to_bloc="west"))
    ax = plot_world(model, labels=False)
    west = np.vstack([c.get_offsets() for c in by_gid(ax, "actors:west")])
    assert [22.0, 12.0] in west.tolist()


def test_a_model_without_to_networkx_is_refused(tiny):
    with pytest.raises(TypeError, match="to_networkx"):
        plot_world(SimpleNamespace(world=tiny, alive=lambda a: True))


def test_actors_sharing_coordinates_are_spread_apart():
    w = World(
        (Actor("LBN", "Lebanon", lon=35.5, lat=33.9), Actor("HEZ", "H", lon=35.5, lat=33.9)),
        name="two",
    )
    pts = actor_points(plot_world(w))
    assert len(pts) == 2 and not np.allclose(pts[0], pts[1])
    assert np.all(np.hypot(pts[:, 0] - 35.5, pts[:, 1] - 33.9) < 1.0)


def test_labels_do_not_pile_up_on_a_default_world_sized_layout():
    w = dense_world()
    naive = label_overlap(plot_world(w, avoid_overlap=False))
    ax = plot_world(w)
    placed = label_overlap(ax)
    assert naive > 0  # the layout is crowded enough to need the placement pass
    assert placed == 0.0
    assert sorted(label_texts(ax)) == sorted(w.ids)
    # every label stays inside the map
    box = ax.get_window_extent()
    for t in by_gid(ax, "label:"):
        e = Text.get_window_extent(t)  # without the leader line
        assert box.x0 - 1 <= e.x0 and e.x1 <= box.x1 + 1 and box.y0 - 1 <= e.y0 <= box.y1 + 1
    x0, x1 = ax.get_xlim()
    assert x0 < -87 and x1 > 126


def test_before_after_marks_what_the_shock_removed(tiny):
    after = tiny.replace(
        actors=[a for a in tiny.actors if a.id != "TRN"],
        ties=[t for t in tiny.ties if getattr(t, "commodity", None) != "arms"],
    )
    ax_b, ax_a = plot_before_after((tiny, after))
    assert ax_b.figure is ax_a.figure
    assert ax_b.get_xlim() == ax_a.get_xlim() and ax_b.get_ylim() == ax_a.get_ylim()
    assert ax_b.get_title().startswith("before") and ax_a.get_title().startswith("after")
    assert len(actor_points(ax_b)) == 5 and not by_gid(ax_b, "lost")
    assert len(actor_points(ax_a)) == 4
    assert by_gid(ax_a, "lost")[0].get_offsets().tolist() == [[22.0, 12.0]]
    assert [a.get_gid() for a in by_gid(ax_a, "cut:")] == ["cut:arms:BBB->CLI"]
    assert ax_b.get_legend() is None and ax_a.get_legend() is not None


def test_legend_colours_match_markers_for_blocs_outside_the_palette():
    # a bloc without a fixed colour ("hedging") takes the next free one: before and after
    # list it twice, which must not give the legend a different colour than the markers
    before = World(
        (
            Actor("AAA", "a", bloc="hedging", lon=1.0, lat=1.0),
            Actor("BBB", "b", bloc="axis", lon=3.0, lat=2.0),
            Actor("CCC", "c", bloc="hedging", lon=5.0, lat=1.0),
        ),
        name="b",
    )
    after = before.replace(actors=before.actors[:2])
    _, ax = plot_before_after((before, after), labels=False)
    leg = ax.get_legend()
    handle = dict(zip(legend_texts(ax), leg.legend_handles, strict=True))["hedging"]
    dots = by_gid(ax, "actors:hedging:state")[0]
    assert to_hex(handle.get_markerfacecolor()) == to_hex(dots.get_facecolor()[0])


def test_before_after_accepts_models_and_given_axes(tiny):
    _fig, axes = plt.subplots(1, 2)
    out = plot_before_after(
        (tiny_model(tiny), tiny_model(tiny, RemoveState("BBB", at=0))),
        axes=axes,
        labels=False,
    )
    assert out == tuple(axes)
    assert not by_gid(out[0], "lost") and not by_gid(out[0], "cut:")
    assert len(by_gid(out[1], "cut:")) == 2  # the supplier is gone: both its ties are cut
    assert not label_texts(out[0])


# -- ensembles over time ----------------------------------------------------------------------


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


# -- structural analyses ----------------------------------------------------------------------


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


# -- writing ----------------------------------------------------------------------------------


def test_save_figure_writes_each_format_atomically(tiny, tmp_path):
    ax = plot_world(tiny)
    written = save_figure(ax, tmp_path / "out" / "world.png", formats=("png", "svg"))
    assert written == [tmp_path / "out" / "world.png", tmp_path / "out" / "world.svg"]
    assert written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = written[1].read_text()
    assert "<svg" in svg and "AAA" in svg
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["world.png", "world.svg"]
    with pytest.raises(ValidationError, match="did you mean 'svg'"):
        save_figure(ax.figure, tmp_path / "x", formats=("svgz",))


def test_cli_world_plot_writes_png_and_svg(tmp_path, capsys):
    from sim.cli import main

    assert (
        main(["world", "plot", str(DATA / "tiny.toml"), "--out", str(tmp_path / "w"), "--svg"]) == 0
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.png", "w.svg"]
    assert "wrote" in capsys.readouterr().out
    assert (
        main(["world", "plot", str(tmp_path / "missing.toml"), "--out", str(tmp_path / "x")]) == 2
    )


# -- a report-ready default look on the default world ----------------------------------------


@pytest.fixture(scope="module")
def default_world() -> World:
    from sim.worlds import load_world

    return load_world()


def arc_points(arrow: FancyArrowPatch) -> np.ndarray:
    """The drawn arc (curves flattened, so Bézier control points do not count), in data."""
    return np.vstack(arrow.get_path().to_polygons(closed_only=False))


@pytest.mark.parametrize("layer", ["supply", "all"])
def test_every_supply_arc_stays_inside_the_map(default_world, layer):
    ax = plot_world(default_world, layer=layer)
    ax.figure.canvas.draw()
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    arrows = by_gid(ax, "supply:")
    assert len(arrows) == len(list(default_world.ties_in("supply")))
    for arrow in arrows:
        xy = arc_points(arrow)
        assert xy[:, 0].min() >= x0 and xy[:, 0].max() <= x1, arrow.get_gid()
        assert xy[:, 1].min() >= y0 and xy[:, 1].max() <= y1, arrow.get_gid()
    # the Russia–North Korea bundle (five commodities) used to leave the map above 60°N
    pair = [a for a in arrows if {"RUS", "PRK"} <= set(a.get_gid().split(":")[2].split("->"))]
    assert len(pair) == 5
    assert 55.75 < max(arc_points(a)[:, 1].max() for a in pair) < y1 < 62


def test_parallel_arcs_form_a_bundle_not_a_fan(default_world):
    ax = plot_world(default_world, layer="supply", labels=False, legend=False)
    ax.figure.canvas.draw()
    (x_rus, y_rus), (x_prk, y_prk) = (
        (a.lon, a.lat) for a in (default_world.actor("RUS"), default_world.actor("PRK"))
    )
    # distance of each arc's apex from the straight line RUS–PRK, in degrees
    chord = np.array([x_prk - x_rus, y_prk - y_rus])
    normal = np.array([-chord[1], chord[0]]) / np.hypot(*chord)
    apexes = sorted(
        np.abs((arc_points(a) - [x_rus, y_rus]) @ normal).max()
        for a in by_gid(ax, "supply:")
        if {"RUS", "PRK"} <= set(a.get_gid().split(":")[2].split("->"))
    )
    assert len(apexes) == 5
    # successive commodities on one pair sit about 2° further out, not ever wider
    assert np.all(np.diff(apexes) < 3.0) and apexes[-1] < 15


def test_all_layers_draw_rivalries_as_faint_context(tiny):
    alone = by_gid(plot_world(tiny, layer="rivalry"), "rivalry")[0]
    faint = by_gid(plot_world(tiny, layer="all"), "rivalry")[0]
    assert faint.get_linewidths()[0] < alone.get_linewidths()[0]
    # lighter: a larger grey value
    assert np.mean(faint.get_edgecolor()[0][:3]) > np.mean(alone.get_edgecolor()[0][:3])


def test_default_map_fits_a_page_with_the_legend_below(default_world):
    ax = plot_world(default_world, layer="supply")
    fig = ax.figure
    fig.canvas.draw()
    w, h = fig.get_size_inches()
    assert w <= 10 and 0.4 <= h / w <= 0.8  # prints on an A4 page's width, not a thin strip
    ax_box = ax.get_window_extent()
    assert ax_box.width >= 0.85 * fig.bbox.width  # the legend no longer takes a side column
    legend_box = ax.get_legend().get_window_extent()
    assert legend_box.y1 < ax_box.y0  # below the map, not over it
    assert legend_box.x0 >= 0 and legend_box.x1 <= fig.bbox.width
    note = by_gid(ax, "map-note")[0].get_window_extent()
    assert note.y1 <= legend_box.y0 + 1
    # latitude lines every 10° on a short map
    assert len([t for t in ax.get_yticks() if y_in(ax, t)]) >= 4


def _inside_limits(ax, p) -> bool:
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return x0 <= p[0] <= x1 and y0 <= p[1] <= y1


def y_in(ax, y) -> bool:
    y0, y1 = ax.get_ylim()
    return y0 <= y <= y1


LEVANT = {"SYR", "LBN", "HEZ", "JOR", "ISR", "IRQ", "IQM"}


def test_levant_zoom_is_a_panel_with_readable_labels(default_world):
    from sim.plotting import INSETS

    ax = plot_world(default_world, inset="levant")
    zoom = ax.zoom
    assert zoom is not None and zoom.figure is ax.figure
    assert (*zoom.get_xlim(), *zoom.get_ylim()) == pytest.approx(INSETS["levant"])
    assert set(label_texts(zoom)) == LEVANT
    assert label_overlap(zoom) == 0.0
    # the spread of actors sharing a capital is small in the zoom: each stays by its capital
    pts = np.array([p for p in actor_points(zoom) if _inside_limits(zoom, p)])
    true = np.array([(a.lon, a.lat) for a in default_world.actors if a.id in LEVANT])
    assert len(pts) == len(LEVANT)
    assert max(np.hypot(*(true - p).T).min() for p in pts) < 0.5
    box = zoom.get_window_extent()
    for t in by_gid(zoom, "label:"):
        e = Text.get_window_extent(t)
        assert box.x0 - 1 <= e.x0 and e.x1 <= box.x1 + 1 and box.y0 - 1 <= e.y0 <= box.y1 + 1
    (outline,) = by_gid(ax, "inset-box")
    assert outline.get_xy() == pytest.approx(INSETS["levant"][::2])
    # the map keeps every actor and label
    assert sorted(label_texts(ax)) == sorted(default_world.ids)
    # zoom and legend share the row below the map, apart
    ax.figure.canvas.draw()
    assert zoom.get_window_extent().y1 < ax.get_window_extent().y0
    leg = ax.get_legend().get_window_extent()
    assert leg.x0 > zoom.get_window_extent().x1 and leg.x1 <= ax.figure.bbox.width


def test_zoom_on_a_given_axes_is_an_inset_in_its_emptiest_corner(default_world):
    _fig, ax = plt.subplots(figsize=(10, 5), layout="constrained")
    out = plot_world(default_world, ax=ax, inset=(33, 47, 29, 37), labels=False)
    assert out is ax and ax.zoom in ax.child_axes
    ax.figure.canvas.draw()
    inner, outer = ax.zoom.get_position(), ax.get_position()  # figure fractions
    x0, y0 = (inner.x0 - outer.x0) / outer.width, (inner.y0 - outer.y0) / outer.height
    w, h = inner.width / outer.width, inner.height / outer.height
    lon0, lon1 = ax.get_xlim()
    lat0, lat1 = ax.get_ylim()
    covered = [
        a.id
        for a in default_world.actors
        if x0 <= (a.lon - lon0) / (lon1 - lon0) <= x0 + w
        and y0 <= (a.lat - lat0) / (lat1 - lat0) <= y0 + h
    ]
    assert covered == []  # the lower-left (the South Atlantic) is empty


def test_auto_inset_only_where_it_helps(tiny, default_world):
    assert plot_world(tiny, inset="auto").zoom is None
    assert plot_world(default_world, inset="auto", labels=False).zoom is not None
    assert plot_world(default_world, labels=False).zoom is None  # off unless asked


def test_bad_insets_are_named(tiny):
    with pytest.raises(UnknownNameError, match="did you mean 'levant'"):
        plot_world(tiny, inset="levnt")
    with pytest.raises(ValidationError, match="empty extent"):
        plot_world(tiny, inset=(40, 30, 10, 20))
    with pytest.raises(ValidationError, match="not a region name or an extent"):
        plot_world(tiny, inset=(1, 2))


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


# -- report-ready figures: labels, dates, shock lines, legends, map labels ------------------------


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


def _label_gaps(ax) -> dict[str, float]:
    """Distance in points from each map label's text to its actor's marker edge."""
    fig = ax.figure
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    sizes = {}
    for coll in by_gid(ax, "actors:"):
        for xy, s in zip(
            coll.get_offsets(),
            np.broadcast_to(coll.get_sizes(), len(coll.get_offsets())),
            strict=True,
        ):
            sizes[tuple(np.round(xy, 6))] = s
    gaps = {}
    for t in by_gid(ax, "label:"):
        px = ax.transData.transform(t.xy)
        box = Text.get_window_extent(t, renderer)  # the text alone, not its leader line
        dx = max(box.x0 - px[0], 0, px[0] - box.x1)
        dy = max(box.y0 - px[1], 0, px[1] - box.y1)
        radius = np.sqrt(sizes.get(tuple(np.round(t.xy, 6)), 0)) / 2
        gaps[t.get_gid()] = float(np.hypot(dx, dy)) / fig.dpi * 72 - radius
    return gaps


def test_map_labels_sit_beside_their_points_even_where_crowded():
    import sim
    from sim.plotting import LABEL_GAP_MAX

    world = sim.load_world()
    model = sim.AllianceModel(world, shocks=[RemoveState("SYR", at=0)], rng=1)
    model.run_for(3)
    # the notebook's figure: two panels, the Levant crowded, Syria's label once beside Qatar
    for ax in plot_before_after((world, model), layer="supply"):
        gaps = _label_gaps(ax)
        assert len(gaps) == len(world.actors)
        worst = max(gaps, key=gaps.get)
        assert gaps[worst] <= LABEL_GAP_MAX + 0.5, (worst, gaps[worst])


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


def test_every_partnership_kind_looks_different_on_the_map_and_in_its_legend(tiny):
    # historical worlds (COW, ATOP) carry neutrality and non-aggression pledges: each kind must
    # be told apart by colour or line style, on the map and in the legend
    ids = tiny.ids
    pairs = [(ids[i], ids[j]) for i in range(len(ids)) for j in range(i + 1, len(ids))]
    assert len(pairs) >= len(PARTNERSHIP_KINDS)
    ties = tuple(
        PartnershipTie(DAY, "test", a=a, b=b, kind=kind, strength=0.5)
        for (a, b), kind in zip(pairs, PARTNERSHIP_KINDS, strict=False)
    )
    world = World(tiny.actors, ties, name="every kind")
    ax = plot_world(world, layer="partnership")

    def look(artist) -> tuple:
        colour = artist.get_color()
        style = artist.get_linestyle()
        if isinstance(artist, LineCollection):
            colour, style = colour[0], style[0]
            style = (style[0], tuple(style[1]) if style[1] is not None else None)
        return (to_hex(colour), str(style))

    drawn = {c.get_gid().removeprefix("partnership:"): c for c in by_gid(ax, "partnership:")}
    assert set(drawn) == set(PARTNERSHIP_KINDS)
    looks = {kind: look(c) for kind, c in drawn.items()}
    assert len(set(looks.values())) == len(PARTNERSHIP_KINDS), looks
    handles = {h.get_label(): h for h in ax.get_legend().legend_handles}
    legend_looks = {
        k: (
            to_hex(handles[k.replace("_", " ")].get_color()),
            handles[k.replace("_", " ")].get_linestyle(),
        )
        for k in PARTNERSHIP_KINDS
    }
    assert len(set(legend_looks.values())) == len(PARTNERSHIP_KINDS), legend_looks


# -- found by mypy (issue 14, item 9) ------------------------------------------------------------


def test_save_figure_saves_the_root_figure_of_an_axes_in_a_subfigure(tmp_path):
    # An Axes' `.figure` is its SubFigure, which has no savefig: this raised AttributeError.
    fig = plt.figure()
    ax = fig.subfigures(1, 2)[0].subplots()
    ax.plot([0, 1], [0, 1])
    written = save_figure(ax, tmp_path / "sub.png", formats=("png",))
    plt.close(fig)
    assert written == [tmp_path / "sub.png"]
    assert written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


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
