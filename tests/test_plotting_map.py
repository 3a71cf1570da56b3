"""The world map (sim.plotting.map): actors, ties by layer, the model's state, before/after
panels, arcs, insets and zooms, each rendered with Agg and checked for what it draws."""

import dataclasses
import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text

from sim import AllianceModel
from sim.errors import UnknownNameError, ValidationError
from sim.plotting import (
    OKABE_ITO,
    label_overlap,
    plot_before_after,
    plot_world,
)
from sim.shocks import BlockTransit, CutTie, Degrade, RemoveState
from sim.world import PARTNERSHIP_KINDS, Actor, PartnershipTie, SupplyTie, World
from sim.worlds import synthetic
from tests.helpers import EXACT_SUPPLY, actor_points, by_gid, label_texts, legend_texts

DATA = Path(__file__).parent / "data"
DAY = dt.date(2020, 1, 1)


#: No noise: a model's deliveries are exact, so drawn widths can be checked to the digit.
QUIET = EXACT_SUPPLY


def tiny_model(world: World, *shocks, steps: int = 3, **params) -> AllianceModel:
    """A real model of `world` after `steps` months (shocks at 0 have all struck)."""
    p = dataclasses.replace(QUIET, **params)
    m = AllianceModel(world, params=p, shocks=shocks, rng=1)
    m.run_for(steps)
    return m


def _two_commodities(tiny: World) -> World:
    """tiny with a second commodity on the pair BBB -> AAA (10 arms beside 80 drones)."""
    arms = SupplyTie(DAY, "test", supplier="BBB", recipient="AAA", commodity="arms", volume=10.0)
    bbb = tiny.actor("BBB")
    actors = [
        a if a.id != "BBB" else Actor(**{**bbb.__dict__, "produces": {"drones": 100.0}})
        for a in tiny.actors
    ]
    return tiny.replace(actors=actors, ties=[*tiny.ties, arms])


@pytest.fixture(scope="module")
def default_world() -> World:
    from sim.worlds import load_world

    return load_world()


def arc_points(arrow: FancyArrowPatch) -> np.ndarray:
    """The drawn arc (curves flattened, so Bézier control points do not count), in data."""
    return np.vstack(arrow.get_path().to_polygons(closed_only=False))


def _inside_limits(ax, p) -> bool:
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return x0 <= p[0] <= x1 and y0 <= p[1] <= y1


def y_in(ax, y) -> bool:
    y0, y1 = ax.get_ylim()
    return y0 <= y <= y1


LEVANT = {"SYR", "LBN", "HEZ", "JOR", "ISR", "IRQ", "IQM"}


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
