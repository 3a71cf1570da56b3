"""The dashboard's interactive figures: the network on a zoomable map and the paired time series.

Both are plotly figures built in two parts, so that a step of the model costs little: the
figure and its static geometry (country outlines, axes, legend) once per world, then
:func:`update_map` and :func:`update_series` rewrite only the data of the traces that change.
On a ``plotly.graph_objects.FigureWidget`` in a browser, that sends the new data of those
traces and nothing else, and the user's zoom is kept.

Like :mod:`sim.plotting`, the views read only what they are given: a
:class:`~sim.world.World`, or a model through its ``world`` and ``to_networkx()``, and the
collected series as columns. Nothing here imports the model.

The map is equirectangular, drawn on plain x/y axes (longitude, latitude) with the aspect ratio
``1 / cos(mid-latitude)``; the outlines are Natural Earth's 1:110m countries shipped with the
package (``sim/assets``), so the map needs no tile server.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import plotly.graph_objects as go

from sim.errors import UnknownNameError, suggest
from sim.labels import month_dates
from sim.labels import shock_label as _shock_label
from sim.outcomes import OUTCOME_KINDS, of_kind, outcome_name
from sim.plotting import BLOC_COLOURS, OKABE_ITO

__all__ = [
    "LAYERS",
    "SERIES",
    "country_outlines",
    "map_figure",
    "month_date",
    "months",
    "outline_image",
    "series_figure",
    "shock_label",
    "update_map",
    "update_series",
]

#: The map's layer choices: every layer, or one.
LAYERS = ("all", "partnership", "supply", "rivalry")
#: The charted bloc reporters, with their human names.
SERIES = {k: OUTCOME_KINDS[k].short for k in ("fulfilment", "cohesion", "giant")}
_SERIES_COLOURS = {
    "fulfilment": OKABE_ITO["blue"],
    "cohesion": OKABE_ITO["vermillion"],
    "giant": OKABE_ITO["bluish_green"],
}
_MORE_BLOCS = ("#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
_LAND = "#EFEDE6"
_BORDER = "#B9B4A8"
_PARTNER = "#4D4D4D"
_SUPPLY = OKABE_ITO["blue"]
_CUT = OKABE_ITO["vermillion"]
_RIVAL = OKABE_ITO["reddish_purple"]
_LOST = "#7F7F7F"
#: Partnership strength classes drawn as line widths: (upper bound, width, name).
_STRENGTH_CLASSES = ((0.34, 1.0, "weak"), (0.67, 2.5, "medium"), (math.inf, 4.5, "strong"))
_ASSETS = Path(__file__).parent / "assets"


# -- dates ---------------------------------------------------------------------------------------


def month_date(as_of: dt.date, t: float) -> dt.date:
    """The date of month `t` of a run that starts at `as_of`: :func:`sim.labels.month_dates`.

    Parameters
    ----------
    as_of : datetime.date
        The date of month 0.
    t : float
        The month (its integer part counts).

    Returns
    -------
    datetime.date

    Examples
    --------
    >>> month_date(dt.date(2024, 11, 30), 3)
    datetime.date(2025, 2, 28)
    """
    return month_dates(as_of, [int(t)])[0]


def months(t: float) -> str:
    """``"1 month"``, ``"2 months"``, ``"0 months"``.

    Parameters
    ----------
    t : float
        A number of months (its integer part counts).

    Returns
    -------
    str

    Examples
    --------
    >>> months(1), months(12.0)
    ('1 month', '12 months')
    """
    k = int(t)
    return f"{k} month" if k == 1 else f"{k} months"


def shock_label(shock: Any) -> str:
    """A shock in a few words: :func:`sim.labels.shock_label`, the one place figures take it.

    Parameters
    ----------
    shock : shock or mapping
        A shock of :mod:`sim.shocks`, or its record as stored in a manifest.

    Returns
    -------
    str

    Examples
    --------
    >>> from sim.shocks import CutTie, RemoveState, Restore
    >>> shock_label(RemoveState("SYR", at=2)), shock_label(CutTie(("IRN", "HEZ"), at=0))
    ('remove state: SYR', 'cut tie: IRN→HEZ')
    >>> shock_label(Restore(RemoveState("SYR", at=2), at=5))
    'restore: remove state: SYR'
    """
    return _shock_label(shock)


# -- the map ---------------------------------------------------------------------------------------


@functools.cache
def _topology() -> dict[str, Any]:
    return json.loads((_ASSETS / "countries-110m.json").read_text())


def _arcs(topo: Mapping[str, Any]) -> list[np.ndarray]:
    """TopoJSON arcs as (n, 2) lon/lat arrays (delta-decoded, then transformed)."""
    scale = np.asarray(topo["transform"]["scale"])
    shift = np.asarray(topo["transform"]["translate"])
    return [np.cumsum(np.asarray(a, dtype=float), axis=0) * scale + shift for a in topo["arcs"]]


def _ring(arcs: list[np.ndarray], indices: Sequence[int]) -> np.ndarray:
    # a negative index ~i is arc i reversed; consecutive arcs share their end point
    parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in indices]
    return np.vstack([parts[0], *(p[1:] for p in parts[1:])])


def _joined(lines: Iterable[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Lines as one x and one y array, separated by NaN (a gap for plotly)."""
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    gap = np.array([np.nan])
    for line in lines:
        xs += [line[:, 0], gap]
        ys += [line[:, 1], gap]
    return np.concatenate(xs), np.concatenate(ys)


def _split_at_antimeridian(line: np.ndarray) -> list[np.ndarray]:
    """Pieces of a lon/lat line that never jump across the map (from 180° to -180°)."""
    jumps = np.flatnonzero(np.abs(np.diff(line[:, 0])) > 180) + 1
    return [p for p in np.split(line, jumps) if len(p) > 1]


@functools.cache
def country_outlines() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Land polygons and country borders at 1:110m, as NaN-separated lon/lat arrays.

    Returns
    -------
    ((land_lon, land_lat), (border_lon, border_lat))
        Land rings for a filled trace; every TopoJSON arc once (coasts and borders) for a line
        trace. Cached: computed once per process.

    Notes
    -----
    Source: Natural Earth 1:110m (public domain) via the ``world-atlas`` package; see
    ``sim/assets/README.md``.

    Examples
    --------
    >>> (land_lon, land_lat), borders = country_outlines()
    >>> float(np.nanmin(land_lon)), float(np.nanmax(land_lon))  # split at the antimeridian
    (-180.0, 180.0)
    >>> round(float(np.nanmin(land_lat)), 1)  # Antarctica's coast at 1:110m
    -85.6
    """
    topo = _topology()
    arcs = _arcs(topo)
    rings = []
    for geom in topo["objects"]["land"]["geometries"]:
        polygons = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        rings += [_ring(arcs, ring) for polygon in polygons for ring in polygon]
    return (
        _joined(p for r in rings for p in _split_at_antimeridian(r)),
        _joined(p for a in arcs for p in _split_at_antimeridian(a)),
    )


@functools.cache
def outline_image() -> str:
    """Land and country borders as an SVG data URI spanning lon -180..180, lat -90..90.

    Drawn as a layout image under the map (``sizing="stretch"``), the outlines scale with the
    zoom as vectors, their strokes stay one pixel wide (``non-scaling-stroke``), and plotly
    does not recompute them when the data change. Cached: computed once per process.

    Returns
    -------
    str
        ``data:image/svg+xml;base64,...``, in a 360 × 180 view box.

    Examples
    --------
    >>> uri = outline_image()
    >>> uri.startswith("data:image/svg+xml;base64,"), outline_image() is uri  # cached
    (True, True)
    >>> b'viewBox="0 0 360 180"' in base64.b64decode(uri.split(",", 1)[1])
    True
    """
    (land_x, land_y), (border_x, border_y) = country_outlines()

    def path(x: np.ndarray, y: np.ndarray) -> str:
        parts, pen_down = [], False
        for lon, lat in zip(x, y, strict=True):
            if np.isnan(lon):
                pen_down = False
                continue
            parts.append(f"{'L' if pen_down else 'M'}{lon + 180:.2f} {90 - lat:.2f}")
            pen_down = True
        return "".join(parts)

    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 360 180" '
        'preserveAspectRatio="none">'
        f'<path d="{path(land_x, land_y)}" fill="{_LAND}" stroke="none"/>'
        f'<path d="{path(border_x, border_y)}" fill="none" stroke="{_BORDER}" '
        'stroke-width="0.7" vector-effect="non-scaling-stroke"/></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _bloc_colours(blocs: Iterable[str]) -> dict[str, str]:
    extra = iter(_MORE_BLOCS * 4)
    return {b: BLOC_COLOURS.get(b) or next(extra) for b in blocs}


def _extent(world: Any) -> tuple[float, float, float, float]:
    lons = [a.lon for a in world.actors]
    lats = [a.lat for a in world.actors]
    dx = max(max(lons) - min(lons), 4.0) * 0.08
    dy = max(max(lats) - min(lats), 4.0) * 0.12
    return min(lons) - dx, max(lons) + dx, min(lats) - dy, max(lats) + dy


def _map_blocs(world: Any) -> list[str]:
    """The blocs an actor can be in during a run: the world's, then ``neutral``."""
    return [*world.blocs, *(["neutral"] if "neutral" not in world.blocs else [])]


def map_figure(world: Any, *, height: int | None = None) -> go.Figure:
    """The map of `world` with its static geometry and empty actor and tie traces.

    Fill it with :func:`update_map`; build a new one only when the world changes.

    Parameters
    ----------
    world : World
        The world whose actors set the map's extent and legend.
    height : int, optional
        Figure height in pixels; by default the height that a map about 1,050 pixels wide
        needs for the actors' extent, with the legend below it (between 360 and 700).

    Returns
    -------
    plotly.graph_objects.Figure
        Country outlines as a layout image (:func:`outline_image`); traces, each with a
        ``meta``: ``rivalry``,
        ``partnership:weak|medium|strong``, ``supply``, ``supply:reduced``, ``supply:cut``,
        ``ties:hover`` (invisible points at the middle of each tie carrying its hover text),
        ``actors:B`` for each bloc ``B`` and ``actors:lost``.

    Examples
    --------
    >>> from sim.worlds import synthetic
    >>> fig = map_figure(synthetic(8, mean_degree=2, rng=1))
    >>> [tr.meta for tr in fig.data][-4:]
    ['actors:axis', 'actors:west', 'actors:neutral', 'actors:lost']
    >>> all(tr.x is None for tr in fig.data)  # empty until update_map
    True
    """
    lon0, lon1, lat0, lat1 = _extent(world)
    traces = [
        go.Scatter(meta="rivalry", name="rivalry", mode="lines",
                   line={"width": 1.2, "color": _RIVAL, "dash": "dot"}, hoverinfo="skip"),
    ]  # fmt: skip
    for _, width, name in _STRENGTH_CLASSES:
        traces.append(
            go.Scatter(meta=f"partnership:{name}", name=f"partnership ({name})", mode="lines",
                       line={"width": width, "color": _PARTNER}, hoverinfo="skip")
        )  # fmt: skip
    traces += [
        go.Scatter(meta="supply", name="supply", mode="lines",
                   line={"width": 2, "color": _SUPPLY}, hoverinfo="skip"),
        go.Scatter(meta="supply:reduced", name="supply (under half delivered)", mode="lines",
                   line={"width": 1.5, "color": _SUPPLY, "dash": "dash"}, hoverinfo="skip"),
        go.Scatter(meta="supply:cut", name="supply cut", mode="lines",
                   line={"width": 1.5, "color": _CUT, "dash": "dot"}, hoverinfo="skip"),
        go.Scatter(meta="ties:hover", mode="markers", showlegend=False,
                   marker={"size": 9, "opacity": 0}, hovertemplate="%{text}<extra></extra>"),
    ]  # fmt: skip
    for bloc, colour in _bloc_colours(_map_blocs(world)).items():
        traces.append(
            go.Scatter(meta=f"actors:{bloc}", name=bloc, mode="markers+text",
                       marker={"color": colour, "line": {"width": 1, "color": "white"}},
                       textposition="top center", textfont={"size": 10, "color": "#222222"},
                       hovertemplate="%{customdata}<extra></extra>", cliponaxis=False)
        )  # fmt: skip
    traces.append(
        go.Scatter(meta="actors:lost", name="lost", mode="markers+text",
                   marker={"color": _LOST, "symbol": "x-thin", "size": 11,
                           "line": {"width": 2.5, "color": _LOST}},
                   textposition="top center", textfont={"size": 10, "color": _LOST},
                   hovertemplate="%{customdata}<extra></extra>")
    )  # fmt: skip
    mid = math.radians((lat0 + lat1) / 2)
    aspect = (lon1 - lon0) * math.cos(mid) / (lat1 - lat0)  # width / height on screen
    if height is None:  # a map about 1,050 px wide, margins and a legend of two rows
        height = int(min(700, max(360, 1050 / aspect + 100)))
    layout = go.Layout(
        height=height,
        margin={"l": 40, "r": 10, "t": 10, "b": 70},
        plot_bgcolor="#F7FBFF",  # sea
        paper_bgcolor="white",
        hovermode="closest",
        dragmode="pan",
        uirevision=world.name,  # keep the user's zoom when the data change
        # "domain": keep the actors' extent and shrink the plot to its shape, rather than
        # widen the ranges to the shape of whatever box the browser first gives the figure
        xaxis={"range": [lon0, lon1], "showgrid": False, "zeroline": False,
               "ticksuffix": "°", "title": None, "constrain": "domain"},
        yaxis={"range": [lat0, lat1], "showgrid": False, "zeroline": False,
               "ticksuffix": "°", "scaleanchor": "x", "scaleratio": 1 / math.cos(mid),
               "title": None, "constrain": "domain"},
        legend={"orientation": "h", "x": 0, "y": -0.06, "yanchor": "top",
                "font": {"size": 11}},
        # the outlines as one vector image under the data: plotly recomputes every trace on
        # each update, and 14,000 outline points as traces cost more than the rest together
        images=[{"source": outline_image(), "xref": "x", "yref": "y", "x": -180, "y": 90,
                 "sizex": 360, "sizey": 180, "sizing": "stretch", "layer": "below",
                 "xanchor": "left", "yanchor": "top"}],
    )  # fmt: skip
    return go.Figure(data=traces, layout=layout)


def _curve(p: np.ndarray, q: np.ndarray, bend: float, n: int = 12) -> np.ndarray:
    """A quadratic Bézier from p to q bulging to its left by `bend` times its length."""
    d = q - p
    control = (p + q) / 2 + bend * np.array([-d[1], d[0]])
    s = np.linspace(0, 1, n)[:, None]
    return (1 - s) ** 2 * p + 2 * (1 - s) * s * control + s**2 * q


def _positions(world: Any, radius: float = 0.5) -> dict[str, np.ndarray]:
    """Each actor's lon/lat; actors that share a point (a militia at its host's capital) are
    spread on a circle of `radius` degrees around it, so that each can be seen and hovered."""
    at: dict[tuple[float, float], list[Any]] = {}
    for a in world.actors:
        at.setdefault((round(a.lon, 2), round(a.lat, 2)), []).append(a)
    pos = {}
    for group in at.values():
        lon, lat = group[0].lon, group[0].lat
        ids = [a.id for a in group]
        for k, a in enumerate(ids):
            if len(ids) == 1:
                pos[a] = np.array([lon, lat])
            else:
                angle = 2 * math.pi * k / len(ids) + math.pi / 4
                pos[a] = np.array([lon + radius * math.cos(angle), lat + radius * math.sin(angle)])
    return pos


def _fmt(x: Any, spec: str = ".2f") -> str:
    return "—" if x is None else format(x, spec)


def _actor_text(name: str, node: Mapping[str, Any]) -> str:
    status = "alive" if node.get("alive", True) else "<b>lost</b>"
    fulfil = node.get("fulfilment")
    return (
        f"<b>{node.get('name', name)}</b> ({name})<br>bloc: {node.get('bloc')} · {status}"
        f"<br>capability: {_fmt(node.get('capability'))}"
        f"<br>stability: {_fmt(node.get('stability'))}"
        f"<br>needs met: {'—' if fulfil is None else f'{100 * fulfil:.0f} %'}"
    )


def _map_data(
    world: Any, G: nx.MultiDiGraph, layer: str, shown_blocs: set[str]
) -> dict[str, dict[str, Any]]:
    """The data of every dynamic trace of :func:`map_figure`, by uid."""
    pos = _positions(world)
    nodes = G.nodes
    visible = {a for a in pos if nodes[a].get("bloc") in shown_blocs}
    lines: dict[str, list[np.ndarray]] = {
        "rivalry": [],
        "partnership:weak": [],
        "partnership:medium": [],
        "partnership:strong": [],
        "supply": [],
        "supply:reduced": [],
        "supply:cut": [],
    }
    hover_x, hover_y, hover_text = [], [], []

    def tip(point: np.ndarray, text: str) -> None:
        hover_x.append(point[0])
        hover_y.append(point[1])
        hover_text.append(text)

    seen = set()
    for a, b, key, e in G.edges(keys=True, data=True):
        if not {a, b} <= visible:
            continue
        if key in ("partnership", "rivalry"):
            if (b, a, key) in seen or layer not in ("all", key):
                continue
            seen.add((a, b, key))
            seg = np.vstack([pos[a], pos[b]])
            mid = seg.mean(axis=0)
            if key == "rivalry":
                lines["rivalry"].append(seg)
                tip(mid, f"rivalry {a}–{b}<br>intensity {e['intensity']:.2f}")
            else:
                s = float(e["strength"])
                name = next(n for hi, _, n in _STRENGTH_CLASSES if s < hi)
                lines[f"partnership:{name}"].append(seg)
                kind = str(e.get("kind", "")).replace("_", " ")
                tip(mid, f"partnership {a}–{b}<br>{kind}<br>strength {s:.2f}")
    if layer in ("all", "supply"):
        open_ties = {
            (a, b, key): e
            for a, b, key, e in G.edges(keys=True, data=True)
            if e["layer"] == "supply"
        }
        rank: dict[tuple[str, str], int] = {}
        for t in world.ties_in("supply"):
            a, b = t.supplier, t.recipient
            if not {a, b} <= visible:
                continue
            k = rank[(a, b)] = rank.get((a, b), -1) + 1
            curve = _curve(pos[a], pos[b], 0.12 + 0.07 * k)
            edge = open_ties.get((a, b, f"supply:{t.commodity}"))
            head = f"supply {a}→{b}: {t.commodity}"
            if edge is None:
                lines["supply:cut"].append(curve)
                tip(curve[len(curve) // 2], f"{head}<br><b>cut</b>")
                continue
            delivered = edge.get("delivered")
            share = 1.0 if delivered is None or t.volume <= 0 else delivered / t.volume
            lines["supply" if share >= 0.5 else "supply:reduced"].append(curve)
            text = f"{head}<br>nominal {t.volume:g} per month"
            if delivered is not None:
                text += f"<br>delivered last month {delivered:.2f} ({100 * share:.0f} %)"
            tip(curve[len(curve) // 2], text)

    data: dict[str, dict[str, Any]] = {}
    for uid, segs in lines.items():
        x, y = _joined(segs) if segs else ((), ())
        data[uid] = {"x": x, "y": y}
    data["ties:hover"] = {"x": hover_x, "y": hover_y, "text": hover_text}
    by_bloc: dict[str, list[str]] = {b: [] for b in _map_blocs(world)}
    lost = []
    for a in world.ids:
        if a not in visible:
            continue
        node = nodes[a]
        if not node.get("alive", True):
            lost.append(a)
        else:
            by_bloc.setdefault(node["bloc"], []).append(a)
    for bloc, ids in [*by_bloc.items(), ("lost", lost)]:
        caps = [float(nodes[a].get("capability", 0.0)) for a in ids]
        data[f"actors:{bloc}"] = {
            "x": [pos[a][0] for a in ids],
            "y": [pos[a][1] for a in ids],
            "text": ids,
            "customdata": [_actor_text(a, nodes[a]) for a in ids],
            **({} if bloc == "lost" else {"marker.size": [6 + 20 * math.sqrt(c) for c in caps]}),
        }
    return data


def update_map(
    fig: go.Figure, world_or_model: Any, *, layer: str = "all", blocs: Iterable[str] | None = None
) -> go.Figure:
    """Redraw the actors and ties of `fig` (from :func:`map_figure`) for the current state.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure or FigureWidget
        A map from :func:`map_figure` of the same world; changed in place (in one batch on a
        widget), its static traces and axis ranges left alone.
    world_or_model : World or model-like
        A world, or an object with ``world`` and ``to_networkx()`` (an ``AllianceModel``):
        actors in their current bloc with their current values in the hover text, lost ones
        as grey crosses; partnerships in force by strength class, supply ties by the share of
        their nominal volume delivered last month (cut ones dotted), rivalries dotted.
    layer : {"all", "partnership", "supply", "rivalry"}
        The ties to draw.
    blocs : iterable of str, optional
        Draw only actors currently in these blocs (lost actors by the bloc they were in), and
        the ties between them; all blocs when omitted.

    Returns
    -------
    plotly.graph_objects.Figure
        `fig`.

    Raises
    ------
    UnknownNameError
        An unknown layer or bloc.

    Examples
    --------
    >>> from sim.worlds import synthetic
    >>> world = synthetic(8, mean_degree=2, rng=1)
    >>> fig = update_map(map_figure(world), world, layer="supply")
    >>> points = {tr.meta: 0 if tr.x is None else len(tr.x) for tr in fig.data}
    >>> points["actors:axis"], points["actors:west"], points["rivalry"]  # no rivalries drawn
    (3, 3, 0)
    """
    if layer not in LAYERS:
        raise UnknownNameError(
            f"unknown layer {layer!r}; allowed: {', '.join(LAYERS)}"
            + (f"; {hint}" if (hint := suggest(layer, LAYERS)) else "")
        )
    world = getattr(world_or_model, "world", world_or_model)
    known = _map_blocs(world)
    shown = set(known if blocs is None else blocs)
    if unknown := sorted(shown - set(known)):
        raise UnknownNameError(
            f"unknown bloc {unknown[0]!r}; allowed: {', '.join(known)}"
            + (f"; {hint}" if (hint := suggest(unknown[0], known)) else "")
        )
    data = _map_data(world, world_or_model.to_networkx(), layer, shown)
    traces = {t.meta: t for t in fig.data}
    # send only what changed: most tie traces stay as they are from one month to the next
    drawn = getattr(fig, "_sim_drawn", {})
    with fig.batch_update():
        for meta, values in data.items():
            if not _same(drawn.get(meta), values):
                traces[meta].update(values)
    fig._sim_drawn = data
    return fig


def _same(a: Mapping[str, Any] | None, b: Mapping[str, Any]) -> bool:
    if a is None or a.keys() != b.keys():
        return False
    for key, x in a.items():
        y = b[key]
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
            if not np.array_equal(x, y, equal_nan=True):
                return False
        elif list(x) != list(y):
            return False
    return True


# -- the time series ------------------------------------------------------------------------------


def series_figure(*, height: int = 380) -> go.Figure:
    """Empty line chart of a bloc's fulfilment, cohesion and giant component, shocked and baseline.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces with uids ``V:shock`` (solid) and ``V:baseline`` (dashed, same colour) for each
        ``V`` of :data:`SERIES`; fill them with :func:`update_series`.

    Parameters
    ----------
    height : int
        Figure height in pixels.

    Examples
    --------
    >>> [tr.meta for tr in series_figure().data][:2]
    ['fulfilment:shock', 'fulfilment:baseline']
    """
    traces = []
    for var, label in SERIES.items():
        colour = _SERIES_COLOURS[var]
        traces += [
            go.Scatter(meta=f"{var}:shock", name=f"{label}", mode="lines",
                       line={"color": colour, "width": 2.5}, legendgroup=var),
            go.Scatter(meta=f"{var}:baseline", name=f"{label}, baseline", mode="lines",
                       line={"color": colour, "width": 1.5, "dash": "dash"}, legendgroup=var),
        ]  # fmt: skip
    layout = go.Layout(
        height=height,
        margin={"l": 50, "r": 10, "t": 36, "b": 50},
        hovermode="x unified",
        plot_bgcolor="white",
        yaxis={"range": [0, 1.05], "gridcolor": "#E5E5E5", "title": "share (0–1)"},
        xaxis={"gridcolor": "#E5E5E5"},
        legend={"orientation": "h", "y": -0.3, "x": 0, "font": {"size": 11}},
    )
    return go.Figure(data=traces, layout=layout)


def update_series(
    fig: go.Figure,
    shocked: Mapping[str, Sequence[float]],
    baseline: Mapping[str, Sequence[float]] | None,
    *,
    bloc: str,
    as_of: dt.date | None = None,
    shocks: Iterable[Any] = (),
    until: int | None = None,
) -> go.Figure:
    """Put bloc `bloc`'s series of both arms on `fig` (from :func:`series_figure`).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure or FigureWidget
        Changed in place, in one batch.
    shocked, baseline : mapping of column name to values
        The model reporters of each arm, one value per month from month 0 (the layout of
        ``model.datacollector.model_vars``); columns ``fulfilment:B``, ``cohesion:B``,
        ``giant:B``. `baseline` may be ``None``: its traces are then emptied.
    bloc : str
        The bloc ``B`` to chart.
    as_of : datetime.date, optional
        The date of month 0: the time axis then shows dates; months without it.
    shocks : iterable of shocks
        Each is drawn as a dotted vertical line at its ``at`` month, labelled.
    until : int, optional
        The last month the time axis shows (the run's horizon), so that the lines grow into a
        fixed frame; the axis ends at the last month collected when that is later.

    Returns
    -------
    plotly.graph_objects.Figure
        `fig`.

    Raises
    ------
    UnknownNameError
        `bloc` has no series in `shocked`.

    Examples
    --------
    Two months of a tiny world, without a baseline:

    >>> from sim.model import AllianceModel
    >>> from sim.worlds import synthetic
    >>> m = AllianceModel(synthetic(8, mean_degree=2, rng=1), rng=2)
    >>> m.run_for(2)
    >>> series = m.datacollector.get_model_vars_dataframe().to_dict("list")
    >>> fig = update_series(series_figure(), series, None, bloc="axis")
    >>> [round(y, 3) for y in fig.data[0].y]  # fulfilment:shock, months 0..2
    [0.963, 0.89, 0.947]
    >>> len(fig.data[1].y)  # fulfilment:baseline, emptied
    0
    >>> update_series(fig, series, None, bloc="axsi")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.UnknownNameError: no series for bloc 'axsi'; allowed: axis, ...; did you mean 'axis'?
    """
    if outcome_name("fulfilment", bloc) not in shocked:
        known = sorted(o.args[0] for o in of_kind(shocked, "fulfilment"))
        raise UnknownNameError(
            f"no series for bloc {bloc!r}; allowed: {', '.join(known)}"
            + (f"; {hint}" if (hint := suggest(bloc, known)) else "")
        )

    # dates as ISO strings: plotly reads them as dates, and a widget's messages are JSON
    def when(t: int) -> Any:
        return month_date(as_of, t).isoformat() if as_of else t

    def axis(n: int) -> list[Any]:
        return [when(t) for t in range(n)]

    traces = {t.meta: t for t in fig.data}
    shapes, notes = [], []
    for k, s in enumerate(sorted(shocks, key=lambda s: s.at)):
        x = when(s.at)
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": x,
                "x1": x,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#555555", "width": 1, "dash": "dot"},
            }
        )
        notes.append({"x": x, "xref": "x", "yref": "paper", "y": 1.0 - 0.07 * (k % 3),
                      "text": shock_label(s), "showarrow": False, "xanchor": "left",
                      "font": {"size": 10, "color": "#333333"},
                      "bgcolor": "rgba(255,255,255,0.7)"})  # fmt: skip
    with fig.batch_update():
        for var in SERIES:
            y = list(shocked[outcome_name(var, bloc)])
            traces[f"{var}:shock"].update(x=axis(len(y)), y=y)
            yb = list(baseline[outcome_name(var, bloc)]) if baseline is not None else []
            traces[f"{var}:baseline"].update(x=axis(len(yb)), y=yb)
    # layout edits in a batch of their own: a FigureWidget sends trace and layout edits of one
    # batch together as a plotly "update", and (plotly 7) its traces then kept no x and y
    with fig.batch_update():
        fig.layout.shapes = shapes
        fig.layout.annotations = notes
        fig.layout.title = {"text": f"Bloc {bloc}: shocked (solid) and baseline (dashed)",
                            "font": {"size": 14}, "x": 0.01}  # fmt: skip
        fig.layout.xaxis.title = "date (month 0 = the world's date)" if as_of else "month"
        fig.layout.xaxis.type = "date" if as_of else "linear"
        last = max(len(shocked[outcome_name("fulfilment", bloc)]) - 1, until or 0, 1)
        fig.layout.xaxis.range = [when(0), when(last)]
    return fig
