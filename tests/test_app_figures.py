"""The dashboard's figures (sim.app_figures): the map of actors and ties, its selectors and
updates, the time series of both arms, month labels and dates."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import plotly.graph_objects as go
import pytest

from sim.app import (
    DashboardModel,
    remove_actor,
    time_label,
)
from sim.app_figures import (
    country_outlines,
    map_figure,
    month_date,
    months,
    outline_image,
    series_figure,
    update_map,
    update_series,
)
from sim.errors import UnknownNameError


def _traces(fig):
    return {t.meta: t for t in fig.data}


def _points(trace) -> int:
    return 0 if trace.x is None else len(trace.x)


def test_months_are_singular_or_plural_and_dated_from_the_worlds_date():
    assert [months(t) for t in (0, 1, 2.0)] == ["0 months", "1 month", "2 months"]
    m = DashboardModel()
    assert m.world.as_of == dt.date(2024, 11, 26)
    assert time_label(m) == "Month 0 of 60 · 26 Nov 2024"
    m.step()
    assert time_label(m) == "Month 1 of 60 · 26 Dec 2024"
    assert month_date(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert month_date(dt.date(2024, 11, 26), 14) == dt.date(2026, 1, 26)


def test_country_outlines_never_jump_across_the_map():
    (land_x, _), (border_x, border_y) = country_outlines()
    assert len(land_x) > 1000 and len(border_x) > 1000
    for x in (land_x, border_x):
        finite = np.isfinite(x[:-1]) & np.isfinite(x[1:])
        assert np.nanmin(x) >= -180 and np.nanmax(x) <= 180
        assert np.max(np.abs(np.diff(x))[finite]) < 180
    # Cyprus's outline is there, near its real coordinates
    near = (np.abs(border_x - 33.2) < 1.5) & (np.abs(border_y - 35.1) < 0.8)
    assert near.sum() >= 5


def test_map_shows_actors_with_their_values_and_the_lost_ones():
    m = DashboardModel(rng=1)
    fig = map_figure(m.world)
    t = _traces(fig)
    assert _points(t["actors:axis"]) == 0  # the static part only
    (outlines,) = fig.layout.images
    assert outlines.source == outline_image() and outlines.source.startswith("data:image/svg")
    assert (outlines.x, outlines.y, outlines.sizex, outlines.sizey) == (-180, 90, 360, 180)
    update_map(fig, m)
    axis = _traces(fig)["actors:axis"]
    assert len(axis.x) == 14 and "SYR" in axis.text
    i = list(axis.text).index("SYR")
    assert "<b>Syria</b> (SYR)" in axis.customdata[i]
    assert f"capability: {m.capability('SYR'):.2f}" in axis.customdata[i]
    assert sum(_points(t[f"partnership:{c}"]) for c in ("weak", "medium", "strong")) > 0
    remove_actor(m, "SYR")
    m.step()
    update_map(fig, m)
    t = _traces(fig)
    assert list(t["actors:lost"].text) == ["SYR"] and "lost" in t["actors:lost"].customdata[0]
    assert "SYR" not in t["actors:axis"].text
    # Syria's supply ties are cut, and say so when hovered
    cut = [s for s in t["ties:hover"].text if "<b>cut</b>" in s]
    assert any("→SYR" in s or "SYR→" in s for s in cut)


def test_actors_sharing_a_capital_are_drawn_apart():
    m = DashboardModel()
    beirut = [
        a
        for a in m.world.actors
        if (a.lon, a.lat) == (m.world.actor("HEZ").lon, m.world.actor("HEZ").lat)
    ]
    assert len(beirut) >= 2  # Hezbollah at Lebanon's capital
    fig = update_map(map_figure(m.world), m)
    xy = {}
    for t in fig.data:
        if str(t.meta).startswith("actors:") and t.text:
            xy.update({a: (x, y) for a, x, y in zip(t.text, t.x, t.y, strict=True)})
    points = [xy[a.id] for a in beirut]
    assert len(set(points)) == len(points)
    for x, y in points:
        assert math.dist((x, y), (beirut[0].lon, beirut[0].lat)) == pytest.approx(0.5)


def test_map_layer_and_bloc_selectors():
    m = DashboardModel(rng=2)
    fig = update_map(map_figure(m.world), m, layer="supply", blocs=["axis"])
    t = _traces(fig)
    for name in ("rivalry", "partnership:weak", "partnership:medium", "partnership:strong"):
        assert _points(t[name]) == 0, name
    assert _points(t["supply"]) > 0
    assert _points(t["actors:west"]) == 0 and _points(t["actors:axis"]) == 14
    axis_ids = {a.id for a in m.world.actors if a.bloc == "axis"}
    for text in t["ties:hover"].text:
        src, dst = re.match(r"supply (\w+)→(\w+)", text).groups()
        assert {src, dst} <= axis_ids
    with pytest.raises(UnknownNameError, match="supply"):
        update_map(fig, m, layer="suply")
    with pytest.raises(UnknownNameError, match="axis"):
        update_map(fig, m, blocs=["axsi"])


def test_map_update_changes_data_only_and_keeps_the_view():
    m = DashboardModel(rng=2)
    fig = go.FigureWidget(map_figure(m.world))
    update_map(fig, m)
    fig.layout.xaxis.range = [30, 50]  # the user zoomed in
    layout = fig.layout.to_plotly_json()
    m.step()
    update_map(fig, m)
    assert _points(_traces(fig)["actors:axis"]) == 14
    assert fig.layout.to_plotly_json() == layout  # the zoom and the outlines are left alone
    # a redraw of the same state sends nothing
    sent = []
    fig._send_restyle_msg = lambda *a, **k: sent.append(a)
    fig._send_update_msg = lambda *a, **k: sent.append(a)
    update_map(fig, m)
    assert sent == []
    # a changed selection is sent
    update_map(fig, m, layer="supply")
    assert sent and _points(_traces(fig)["partnership:strong"]) == 0


def test_series_show_both_arms_on_dates_with_labelled_shocks():
    m = DashboardModel("syria_loss", rng=4)
    m.run_for(3)
    fig = update_series(
        go.FigureWidget(series_figure()),  # what the page draws on
        m.datacollector.model_vars,
        m.baseline.datacollector.model_vars,
        bloc="axis",
        as_of=m.world.as_of,
        shocks=m.shocks,
        until=m.horizon,
    )
    t = _traces(fig)
    shocked, baseline = t["giant:shock"], t["giant:baseline"]
    assert list(shocked.x) == ["2024-11-26", "2024-12-26", "2025-01-26", "2025-02-26"]
    assert fig.layout.xaxis.type == "date"
    assert tuple(fig.layout.xaxis.range) == ("2024-11-26", "2027-11-26")  # the 36 months
    assert baseline.line.dash == "dash" and shocked.line.color == baseline.line.color
    assert shocked.y[-1] < baseline.y[-1] == 1.0  # losing Syria splits the axis
    assert [a.text for a in fig.layout.annotations] == ["remove state: SYR"]
    assert fig.layout.shapes[0].x0 == "2024-11-26"
    assert "date" in fig.layout.xaxis.title.text
    with pytest.raises(UnknownNameError, match="axis"):
        update_series(fig, m.datacollector.model_vars, None, bloc="axsi")
