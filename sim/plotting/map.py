"""The alliance network on a map: actors, partnership, supply and rivalry ties, an inset zoom,
and the same map before and after a shock.

A map reads a :class:`~sim.world.World`, or a model through its ``.world`` and
``to_networkx()`` (any object offering both, e.g. an ``AllianceModel``); its actor labels are
placed by :mod:`sim.plotting.layout`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.ticker import FuncFormatter, MultipleLocator
from matplotlib.transforms import ScaledTranslation

from sim.errors import Problem, UnknownNameError, ValidationError, suggest
from sim.plotting.colours import (
    _COMMODITY_COLOURS,
    _CUT,
    _GREY,
    _LOST,
    _MORE_BLOC_COLOURS,
    BLOC_COLOURS,
    KIND_COLOURS,
    KIND_LINESTYLES,
)
from sim.plotting.layout import _draw_labels
from sim.world import COMMODITIES, PARTNERSHIP_KINDS, World

__all__ = [
    "INSETS",
    "plot_before_after",
    "plot_world",
]

_LAYER_CHOICES = ("all", "partnership", "supply", "rivalry")


# -- the network on a map -------------------------------------------------------------------


def plot_world(
    world_or_model: Any,
    *,
    layer: str = "all",
    ax: Axes | None = None,
    labels: bool = True,
    avoid_overlap: bool = True,
    reference: World | None = None,
    extent: tuple[float, float, float, float] | None = None,
    inset: str | tuple[float, float, float, float] | None = None,
    title: str | None = None,
    legend: bool = True,
    fontsize: float = 8.0,
) -> Axes:
    """Draw actors at their capitals and the ties between them on a longitude/latitude map.

    Parameters
    ----------
    world_or_model : World or model-like
        A :class:`~sim.world.World`, or an object with a ``world`` attribute and a
        ``to_networkx()`` method in the layout of :meth:`sim.AllianceModel.to_networkx` (an
        ``AllianceModel``; required, the inspection methods alone no longer suffice): then
        the current state is drawn from that graph. Actors in their current bloc, dead ones
        as grey crosses; partnerships in force at their current strength, ties formed during
        the run included; each supply tie by itself (per commodity): dotted vermillion when
        cut (an end gone, cut or sanctioned, or no usable route), dashed when it took an
        alternative route last month, its width scaled by last month's delivery over its
        nominal volume (a supplier that produced nothing gives a thin arrow, not a cut).
    layer : {"all", "partnership", "supply", "rivalry"}
        Which ties to draw; ``"all"`` draws the three layers, rivalries thin and light so
        that partnerships and supply stay readable.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure sized to the map (about an A4 page's width) when omitted.
    labels : bool
        Label each actor with its id.
    avoid_overlap : bool
        Move labels around their markers (with a leader line when moved far) so they neither
        cover each other nor other markers; ``False`` puts every label to the right.
    reference : World, optional
        A world "before": its actors missing from `world_or_model` are drawn as lost and its
        supply ties missing there as cut (used by :func:`plot_before_after`).
    extent : (lon_min, lon_max, lat_min, lat_max), optional
        Map limits; by default the actors' coordinates and the supply arcs with a margin.
    inset : {"levant", "auto"} or (lon_min, lon_max, lat_min, lat_max), optional
        A zoomed view of a crowded region, its box outlined on the map: a named region
        (:data:`INSETS`), an extent, or ``"auto"`` for the Levant when at least three actors
        crowd into it on a map much larger than it (otherwise no inset). With a new figure the
        zoom is a panel below the map beside the legend; on a given `ax` it is an inset axes
        in the emptiest corner of the map. The zoom's axes is ``ax.zoom``.
    title : str, optional
        Defaults to the world's name, the layer and (for a model) its time.
    legend : bool
        Draw the legend (below the map, one column group per layer) and the note on units.
    fontsize : float
        Label size in points.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    The map is equirectangular with the aspect ratio ``1 / cos(mid-latitude)``, so shapes are
    true at the middle of the map. Marker area grows with capability; partnership lines are
    coloured by kind and their width grows with strength; rivalries are dashed with width
    growing with intensity. Supply arrows are coloured by commodity and their width is the
    volume divided by the largest volume of the same commodity in the world, because volumes
    are counted in a different unit per commodity (:data:`sim.world.COMMODITIES`). For a
    model the width is scaled by the tie's delivered share of its nominal volume. Actors that
    share coordinates (a militia at its host's capital) are spread on a small circle so that
    each stays visible. Label placement is a greedy search over positions around each marker
    (most capable actors first) computed for the figure's current size: resize the figure
    before drawing rather than after.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from sim.plotting import plot_world
    >>> from sim.worlds import synthetic
    >>> world = synthetic(6, rng=1)
    >>> ax = plot_world(world, layer="partnership", labels=False)
    >>> ax.get_title()
    'synthetic-6: partnership layer'
    >>> sorted({c.get_gid().split(":")[0] for c in ax.collections if c.get_gid()})
    ['actors', 'partnership']
    >>> plt.close(ax.figure)
    """
    if layer not in _LAYER_CHOICES:
        raise UnknownNameError(
            f"unknown layer {layer!r}; allowed: {', '.join(_LAYER_CHOICES)}"
            + (f"; {hint}" if (hint := suggest(layer, _LAYER_CHOICES)) else "")
        )
    view = _MapView.of(world_or_model, reference=reference)
    pos = _spread_coincident(view.positions())
    if extent is None:
        extent = _map_extent([view], pos, layer)
    zoom_extent = _inset_extent(inset, pos, extent)
    zoom = holder = None
    if ax is None:
        ax, zoom, holder = _new_map_figure(extent, zoom_extent)
    elif zoom_extent is not None:
        zoom = _corner_inset(ax, view, pos, extent, zoom_extent, layer)
    _style_map(ax, extent)
    sizes = {a: _marker_size(view.capability(a)) for a in pos}
    kinds_drawn, commodities_drawn, supply_marks, blocs_drawn = _draw_layers(
        ax, view, pos, sizes, layer, _aspect(extent)
    )

    if title is None:
        what = "all layers" if layer == "all" else f"{layer} layer"
        title = f"{view.world.name}: {what}"
        if view.time is not None:
            title += f" at t = {view.time}"
    ax.set_title(title)
    if zoom is not None:
        z_span = max(zoom_extent[1] - zoom_extent[0], zoom_extent[3] - zoom_extent[2])
        zoom_pos = _spread_coincident(view.positions(), radius=0.025 * z_span)
        _draw_zoom(ax, zoom, view, zoom_pos, sizes, layer, zoom_extent, inset)
    if legend:
        _map_legend(
            ax,
            view,
            blocs_drawn,
            kinds_drawn,
            commodities_drawn,
            supply_marks,
            layer,
            holder=holder,
        )
    if labels:
        # labels last: their placement needs the final layout (legend and title included)
        _draw_labels(ax, view, pos, sizes, fontsize=fontsize, avoid_overlap=avoid_overlap)
        if zoom is not None:
            inside = {a: p for a, p in zoom_pos.items() if _inside(p, zoom_extent)}
            _draw_labels(zoom, view, inside, sizes, fontsize=fontsize, avoid_overlap=avoid_overlap)
    setattr(ax, "zoom", zoom)  # noqa: B010 - an attribute Axes does not declare: the inset axes
    return ax


def _draw_layers(ax, view, pos, sizes, layer, aspect):
    """Ties then actors on `ax`; returns what the legend needs."""
    kinds_drawn: list[str] = []
    commodities_drawn: list[str] = []
    supply_marks: set[str] = set()  # the supply states drawn besides plain supply
    if layer in ("all", "rivalry"):
        _draw_rivalries(ax, view, pos, faint=layer == "all")
    if layer in ("all", "partnership"):
        kinds_drawn = _draw_partnerships(ax, view, pos, faint=layer == "all")
    if layer in ("all", "supply"):
        commodities_drawn, supply_marks = _draw_supply(ax, view, pos, sizes, aspect)
    blocs_drawn = _draw_actors(ax, view, pos, sizes)
    return kinds_drawn, commodities_drawn, supply_marks, blocs_drawn


#: Named regions for ``plot_world(..., inset=...)``: (lon_min, lon_max, lat_min, lat_max).
INSETS = {"levant": (33.0, 47.0, 29.0, 37.0)}


def _inside(p, extent) -> bool:
    return extent[0] <= p[0] <= extent[1] and extent[2] <= p[1] <= extent[3]


def _inset_extent(inset, pos, extent):
    if inset is None:
        return None
    if isinstance(inset, str):
        if inset == "auto":
            box = INSETS["levant"]
            crowded = sum(_inside(p, box) for p in pos.values()) >= 3
            big = (extent[1] - extent[0]) >= 4 * (box[1] - box[0])
            return box if crowded and big else None
        if inset not in INSETS:
            choices = [*INSETS, "auto"]
            raise UnknownNameError(
                f"unknown inset {inset!r}; allowed: {', '.join(choices)} or an extent "
                "(lon_min, lon_max, lat_min, lat_max)"
                + (f"; {hint}" if (hint := suggest(inset, choices)) else "")
            )
        return INSETS[inset]
    try:
        lon0, lon1, lat0, lat1 = (float(v) for v in inset)
    except (TypeError, ValueError):
        raise ValidationError(
            [
                Problem(
                    "inset",
                    "not a region name or an extent",
                    inset,
                    "(lon_min, lon_max, lat_min, lat_max) or " + " | ".join(INSETS),
                )
            ],
            what="plot_world",
        ) from None
    if not (lon0 < lon1 and lat0 < lat1):
        raise ValidationError(
            [Problem("inset", "empty extent", inset, "lon_min < lon_max and lat_min < lat_max")],
            what="plot_world",
        )
    return (lon0, lon1, lat0, lat1)


def _draw_zoom(ax, zoom, view, pos, sizes, layer, zoom_extent, inset) -> None:
    """The zoomed region: same drawing as the map, its box outlined on the map."""
    _style_map(zoom, zoom_extent, small=True)
    _draw_layers(zoom, view, pos, sizes, layer, _aspect(zoom_extent))
    name = ("levant" if inset == "auto" else inset) if isinstance(inset, str) else "zoom"
    if zoom in ax.child_axes:
        # inside the map: no tick labels to clash with the map's; its box says what it is
        zoom.tick_params(labelbottom=False, labelleft=False, length=0)
    else:
        zoom.set_title(f"zoom: {name} (box on the map)", fontsize=9)
    lon0, lon1, lat0, lat1 = zoom_extent
    ax.add_patch(
        Rectangle(
            (lon0, lat0),
            lon1 - lon0,
            lat1 - lat0,
            fill=False,
            ec="#333333",
            lw=0.9,
            ls="-",
            zorder=6,
            gid="inset-box",
        )
    )


def _corner_inset(ax, view, pos, extent, zoom_extent, layer) -> Axes:
    """An inset axes in the corner of `ax` that covers the fewest actors and arc points."""
    lon0, lon1, lat0, lat1 = extent
    actors = np.asarray(list(pos.values()), dtype=float)
    arc_lines = _supply_arc_points(view, pos, _aspect(extent)) if layer in ("all", "supply") else []
    arcs = np.vstack(arc_lines) if arc_lines else np.empty((0, 2))

    def fractions(xy):
        return (xy[:, 0] - lon0) / (lon1 - lon0), (xy[:, 1] - lat0) / (lat1 - lat0)

    # the zoom keeps its region's shape; its height is 45 % of the map's at most
    zw = (zoom_extent[1] - zoom_extent[0]) / (lon1 - lon0)
    zh = (
        (zoom_extent[3] - zoom_extent[2]) * _aspect(zoom_extent) / ((lat1 - lat0) * _aspect(extent))
    )
    scale = min(0.45 / zh, 0.3 / zw)
    w, h = zw * scale, zh * scale
    m = 0.015
    # slots along the top and bottom edges; an actor under the zoom costs more than an arc
    slots = [(x, y) for x in np.linspace(m, 1 - m - w, 13) for y in (m, 1 - m - h)]

    def cost(slot):
        total = 0.0
        for xy, weight in ((actors, 50.0), (arcs, 1.0)):
            fx, fy = fractions(xy)
            margin = 0.03  # keep clear of labels too
            total += weight * np.sum(
                (fx >= slot[0] - margin)
                & (fx <= slot[0] + w + margin)
                & (fy >= slot[1] - margin)
                & (fy <= slot[1] + h + margin)
            )
        return total

    box = min(slots, key=cost)
    zoom = ax.inset_axes([box[0], box[1], w, h])
    zoom.set_facecolor("white")
    zoom.set_zorder(7)
    zoom.set_gid("inset")
    return zoom


def plot_before_after(
    pair: Any,
    *,
    axes: Sequence[Axes] | None = None,
    layer: str = "all",
    titles: tuple[str, str] = ("before", "after"),
    **kwargs: Any,
) -> tuple[Axes, Axes]:
    """The network before and after a shock, side by side on the same map extent.

    Parameters
    ----------
    pair : (before, after) or object with ``before`` and ``after`` attributes
        Each a World or a model-like object (see :func:`plot_world`). When both are worlds,
        actors and supply ties of `before` missing from `after` are drawn as lost and cut.
    axes : pair of Axes, optional
        Where to draw; a new figure with two panels when omitted.
    layer : {"all", "partnership", "supply", "rivalry"}
    titles : (str, str)
        Panel titles, prefixed to the world's name.
    **kwargs
        Passed to :func:`plot_world`.

    Returns
    -------
    (matplotlib.axes.Axes, matplotlib.axes.Axes)
        The two panels: a justified exception to the one-Axes rule, since the comparison is
        the figure.

    Examples
    --------
    The same world without one actor and its ties:

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from sim.plotting import plot_before_after
    >>> from sim.worlds import synthetic
    >>> before = synthetic(6, rng=1, transit_share=0.0)
    >>> gone = "A00000"
    >>> after = before.replace(
    ...     actors=[a for a in before.actors if a.id != gone],
    ...     ties=[t for t in before.ties if gone not in t.ends],
    ... )
    >>> ax_before, ax_after = plot_before_after((before, after), labels=False)
    >>> [ax.get_title() for ax in (ax_before, ax_after)]
    ['before: synthetic-6', 'after: synthetic-6']
    >>> plt.close(ax_before.figure)
    """
    if hasattr(pair, "before") and hasattr(pair, "after"):
        before, after = pair.before, pair.after
    else:
        try:
            before, after = pair
        except (TypeError, ValueError):
            raise TypeError(
                "plot_before_after needs a pair (before, after) of worlds or models, "
                f"got {type(pair).__name__}"
            ) from None
    vb, va = _MapView.of(before), _MapView.of(after)
    all_pos = {**_spread_coincident(va.positions()), **_spread_coincident(vb.positions())}
    extent = kwargs.pop("extent", None) or _map_extent([vb, va], all_pos, layer)
    if axes is None:
        import matplotlib.pyplot as plt

        lon_span, lat_span = extent[1] - extent[0], extent[3] - extent[2]
        aspect = 1 / math.cos(math.radians((extent[2] + extent[3]) / 2))
        w = 8.0
        h = float(np.clip(w * lat_span * aspect / lon_span, 3.0, 8.0)) + 1.2
        # the legend goes below the second panel
        _, axes = plt.subplots(1, 2, figsize=(2 * w, h + 1.8), layout="constrained")
    ax_b, ax_a = axes
    reference = vb.world if isinstance(after, World) and isinstance(before, World) else None
    for ax, obj, label, ref, leg in (
        (ax_b, before, titles[0], None, False),
        (ax_a, after, titles[1], reference, kwargs.pop("legend", True)),
    ):
        name = _MapView.of(obj).world.name
        plot_world(
            obj,
            layer=layer,
            ax=ax,
            reference=ref,
            extent=extent,
            title=f"{label}: {name}",
            legend=leg,
            **kwargs,
        )
    return ax_b, ax_a


@dataclass
class _MapView:
    """What a map needs, read the same way from a world or from a model's current graph.

    A model is read through ``model.to_networkx()`` (see :meth:`sim.AllianceModel.to_networkx`)
    only: active partnerships at their current strength, formed ones included; open supply
    ties with last month's ``delivered`` and ``route_rank``; alive flags, current blocs and
    capabilities.
    """

    world: World
    model: Any = None
    reference: World | None = None
    graph: Any = None  # the model's to_networkx(), read once

    @classmethod
    def of(cls, obj: Any, *, reference: World | None = None) -> _MapView:
        if isinstance(obj, World):
            return cls(obj, None, reference)
        if not isinstance(getattr(obj, "world", None), World) or not callable(
            getattr(obj, "to_networkx", None)
        ):
            lacks = [
                x
                for x, ok in (
                    ("a .world World", isinstance(getattr(obj, "world", None), World)),
                    ("a to_networkx() method", callable(getattr(obj, "to_networkx", None))),
                )
                if not ok
            ]
            raise TypeError(
                "expected a World or a model with .world and to_networkx() (an AllianceModel); "
                f"{type(obj).__name__} lacks " + " and ".join(lacks)
            )
        return cls(obj.world, obj, reference, obj.to_networkx())

    @property
    def time(self):
        if self.graph is None:
            return None
        t = getattr(self.model, "time", self.graph.graph.get("time"))
        return int(t) if float(t).is_integer() else t

    def lost_actors(self) -> list[str]:
        lost = [a for a in self.world.ids if not self.alive(a)]
        if self.reference is not None:
            lost += [a for a in self.reference.ids if a not in self.world]
        return lost

    def actor(self, actor_id: str):
        if actor_id in self.world:
            return self.world.actor(actor_id)
        # an id of neither world: the world's own "unknown actor" error
        return (self.reference or self.world).actor(actor_id)

    def bloc(self, actor_id: str) -> str:
        """The actor's bloc now (a model's actor may have changed sides)."""
        if self.graph is not None and actor_id in self.graph:
            return self.graph.nodes[actor_id]["bloc"]
        return self.actor(actor_id).bloc

    def blocs(self) -> list[str]:
        """Bloc names in a stable order: the world's, the reference's, then any new ones."""
        blocs = list(self.world.blocs)
        if self.reference is not None:
            blocs += [b for b in self.reference.blocs if b not in blocs]
        if self.graph is not None:
            for _, b in self.graph.nodes(data="bloc"):
                if b not in blocs:
                    blocs.append(b)
        return blocs

    def positions(self) -> dict[str, tuple[float, float]]:
        pos = {a.id: (a.lon, a.lat) for a in self.world.actors}
        if self.reference is not None:
            for a in self.reference.actors:
                pos.setdefault(a.id, (a.lon, a.lat))
        return pos

    def alive(self, actor_id: str) -> bool:
        if actor_id not in self.world:
            return False
        return self.graph is None or bool(self.graph.nodes[actor_id]["alive"])

    def capability(self, actor_id: str) -> float:
        if self.graph is not None and actor_id in self.world:
            return float(self.graph.nodes[actor_id]["capability"])
        return self.actor(actor_id).capability

    def _edges(self, key: str):
        # a model graph holds each undirected tie in both directions: take the one from `a`
        for u, v, k, d in self.graph.edges(keys=True, data=True):
            if k == key and u == d["a"]:
                yield u, v, d

    def partnerships(self) -> list[tuple[str, str, str, float]]:
        if self.graph is None:
            ties = [(t.a, t.b, t.kind, t.strength) for t in self.world.ties_in("partnership")]
        else:
            ties = [
                (u, v, d["kind"], float(d["strength"])) for u, v, d in self._edges("partnership")
            ]
        return [t for t in ties if t[3] > 0]

    def rivalries(self) -> list[tuple[str, str, float]]:
        if self.graph is None:
            return [(t.a, t.b, t.intensity) for t in self.world.ties_in("rivalry")]
        return [(u, v, float(d["intensity"])) for u, v, d in self._edges("rivalry")]

    def supplies(self) -> list[tuple[str, str, str, float, str]]:
        """(supplier, recipient, commodity, width share in [0, 1], state).

        `state` is ``"supply"``, ``"rerouted"`` (a model's tie that took an alternative route
        last month) or ``"cut"`` (a reference's tie missing here; a model's tie that is not
        open (an end gone, cut, sanctioned) or had no usable route). A model's open tie whose
        supplier produced nothing is not cut: its arrow is just thin.
        """
        ties = list(self.world.ties_in("supply"))
        cut_ties = []
        if self.reference is not None:
            have = {(t.supplier, t.recipient, t.commodity) for t in ties}
            cut_ties = [
                t
                for t in self.reference.ties_in("supply")
                if (t.supplier, t.recipient, t.commodity) not in have
            ]
        top: dict[str, float] = {}
        for t in ties + cut_ties:
            top[t.commodity] = max(top.get(t.commodity, 0.0), t.volume)
        out = []
        for t in ties:
            share = t.volume / top[t.commodity] if top[t.commodity] > 0 else 0.0
            state = "supply"
            if self.graph is not None:
                key = f"supply:{t.commodity}"
                d = self.graph.get_edge_data(t.supplier, t.recipient, key)
                if d is None or d.get("route_rank", 0) < 0:
                    state = "cut"
                else:
                    if d.get("route_rank", 0) > 0:
                        state = "rerouted"
                    if t.volume > 0:
                        share *= min(float(d["delivered"]) / t.volume, 1.0)
            out.append((t.supplier, t.recipient, t.commodity, share, state))
        for t in cut_ties:
            share = t.volume / top[t.commodity] if top[t.commodity] > 0 else 0.0
            out.append((t.supplier, t.recipient, t.commodity, share, "cut"))
        return out


def _extent(points: Iterable[tuple[float, float]]) -> tuple[float, float, float, float]:
    xy = np.asarray(list(points), dtype=float).reshape(-1, 2)
    lon_lo, lat_lo = xy.min(axis=0)
    lon_hi, lat_hi = xy.max(axis=0)
    # a margin that leaves room for labels, at least a few degrees on tiny maps
    mx = max(0.05 * (lon_hi - lon_lo), 3.0)
    my = max(0.08 * (lat_hi - lat_lo), 2.5)
    return (
        max(lon_lo - mx, -180.0),
        min(lon_hi + mx, 180.0),
        max(lat_lo - my, -90.0),
        min(lat_hi + my, 90.0),
    )


def _aspect(extent) -> float:
    return 1 / math.cos(math.radians((extent[2] + extent[3]) / 2))


def _supply_arc_points(view: _MapView, pos, aspect: float) -> list[np.ndarray]:
    return [
        _arc_points(pos[src], pos[dst], rad, aspect)
        for (src, dst, *_), rad in zip(view.supplies(), _arc_rads(view, pos, aspect), strict=True)
    ]


def _map_extent(views: Sequence[_MapView], pos, layer: str) -> tuple[float, float, float, float]:
    """The actors' extent grown to hold every supply arc (with a margin for its arrow head).

    The arcs' shape depends on the map's aspect, which depends on the extent: a few rounds
    of the fixed point settle it (the aspect changes by well under 1 % per round).
    """
    extent = _extent(pos.values())
    if layer not in ("all", "supply"):
        return extent
    base = extent
    for _ in range(4):
        aspect = _aspect(extent)
        arcs = [p for v in views for p in _supply_arc_points(v, pos, aspect)]
        if not arcs:
            return base
        xy = np.vstack(arcs)
        mx, my = 1.0, 1.0
        extent = (
            max(min(base[0], xy[:, 0].min() - mx), -180.0),
            min(max(base[1], xy[:, 0].max() + mx), 180.0),
            max(min(base[2], xy[:, 1].min() - my), -90.0),
            min(max(base[3], xy[:, 1].max() + my), 90.0),
        )
    return extent


def _new_map_figure(extent, zoom_extent) -> tuple[Axes, Axes | None, Axes | None]:
    """A figure about an A4 page's width: the map on top, the legend (and zoom) below."""
    import matplotlib.pyplot as plt

    lon_span, lat_span = extent[1] - extent[0], extent[3] - extent[2]
    w = 10.0 if lon_span > 120 else 8.5 if lon_span > 60 else 6.5
    map_h = float(np.clip(w * lat_span * _aspect(extent) / lon_span, 2.5, 8.0))
    if zoom_extent is None:
        # the legend below the map: about 1.5 in for its six rows
        fig = plt.figure(figsize=(w, map_h + 2.6), layout="constrained")
        return fig.add_subplot(), None, None
    z_lon, z_lat = zoom_extent[1] - zoom_extent[0], zoom_extent[3] - zoom_extent[2]
    zoom_h = 2.6
    zoom_w = float(np.clip(zoom_h * z_lon / (z_lat * _aspect(zoom_extent)), 2.0, 0.5 * w))
    fig = plt.figure(figsize=(w, map_h + zoom_h + 1.3), layout="constrained")
    gs = fig.add_gridspec(2, 2, height_ratios=[map_h, zoom_h], width_ratios=[zoom_w, w - zoom_w])
    ax = fig.add_subplot(gs[0, :])
    zoom = fig.add_subplot(gs[1, 0])
    holder = fig.add_subplot(gs[1, 1])
    holder.set_axis_off()  # room for the legend beside the zoom
    holder.set_gid("legend-holder")
    return ax, zoom, holder


def _degrees(axis: str) -> FuncFormatter:
    def fmt(x: float, _pos: int) -> str:
        if abs(x) < 1e-9:
            return "0°"
        hemi = ("E", "W") if axis == "lon" else ("N", "S")
        return f"{abs(x):g}°{hemi[0] if x > 0 else hemi[1]}"

    return FuncFormatter(fmt)


def _style_map(ax: Axes, extent: tuple[float, float, float, float], *, small=False) -> None:
    lon_min, lon_max, lat_min, lat_max = extent
    ax.set_xlim(lon_min, lon_max)
    ax.set_ylim(lat_min, lat_max)
    ax.set_aspect(1 / math.cos(math.radians((lat_min + lat_max) / 2)), adjustable="box")
    # each axis its own step, so a wide, short map still has several latitude lines
    for axis, span in ((ax.xaxis, lon_max - lon_min), (ax.yaxis, lat_max - lat_min)):
        step = 5 if span <= 30 else 10 if span <= 80 else 20 if span <= 160 else 30
        axis.set_major_locator(MultipleLocator(step))
    ax.xaxis.set_major_formatter(_degrees("lon"))
    ax.yaxis.set_major_formatter(_degrees("lat"))
    ax.grid(True, color="#DDDDDD", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    if small:
        ax.tick_params(labelsize=7)
        return
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")


def _spread_coincident(
    pos: dict[str, tuple[float, float]], radius: float | None = None
) -> dict[str, tuple[float, float]]:
    """Spread actors sharing coordinates on a small circle, so each marker stays visible.

    The circle's `radius` (degrees) defaults to 0.6 % of the layout's span: a zoomed view
    passes its own, smaller one so that the spread does not move actors across its map.
    """
    groups: dict[tuple[float, float], list[str]] = {}
    for a, (x, y) in pos.items():
        groups.setdefault((round(x, 1), round(y, 1)), []).append(a)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    if radius is None:
        radius = max(0.006 * max(max(xs) - min(xs), max(ys) - min(ys)), 0.25)
    out = dict(pos)
    for members in groups.values():
        if len(members) < 2:
            continue
        cx, cy = pos[members[0]]
        for i, a in enumerate(members):
            theta = math.pi / 2 + 2 * math.pi * i / len(members)
            out[a] = (cx + radius * math.cos(theta), cy + radius * math.sin(theta))
    return out


def _marker_size(capability: float) -> float:
    """Marker area in points²: grows with capability, never vanishes."""
    return 16.0 + 120.0 * float(np.clip(capability, 0.0, 1.0))


def _bloc_colours(blocs: Iterable[str]) -> dict[str, str]:
    colours, extra = {}, iter(_MORE_BLOC_COLOURS * 4)
    for b in blocs:
        colours[b] = BLOC_COLOURS.get(b) or next(extra)
    return colours


def _draw_actors(ax, view: _MapView, pos, sizes) -> list[str]:
    blocs = view.blocs()
    colours = _bloc_colours(blocs)
    lost = set(view.lost_actors())
    drawn = []
    for bloc in blocs:
        for kind, marker in (("state", "o"), ("non_state", "D")):
            ids = [
                a
                for a in pos
                if a not in lost and view.bloc(a) == bloc and view.actor(a).kind == kind
            ]
            if not ids:
                continue
            ax.scatter(
                [pos[a][0] for a in ids],
                [pos[a][1] for a in ids],
                s=[sizes[a] * (0.7 if marker == "D" else 1.0) for a in ids],
                c=colours[bloc],
                marker=marker,
                edgecolors="white",
                linewidths=0.8,
                zorder=4,
                gid=f"actors:{bloc}:{kind}",
            )
            if bloc not in drawn:
                drawn.append(bloc)
    if lost:
        ids = [a for a in pos if a in lost]
        ax.scatter(
            [pos[a][0] for a in ids],
            [pos[a][1] for a in ids],
            s=60,
            c=_LOST,
            marker="x",
            linewidths=1.8,
            zorder=4,
            gid="lost",
        )
    return drawn


def _draw_partnerships(ax, view: _MapView, pos, *, faint: bool = False) -> list[str]:
    by_kind: dict[str, list[tuple[str, str, float]]] = {}
    for a, b, kind, s in view.partnerships():
        by_kind.setdefault(kind, []).append((a, b, s))
    for kind, ties in by_kind.items():
        ax.add_collection(
            LineCollection(
                [[pos[a], pos[b]] for a, b, _ in ties],
                colors=KIND_COLOURS.get(kind, _GREY),
                linestyles=KIND_LINESTYLES.get(kind, "-"),
                linewidths=[0.6 + 3.4 * s for *_, s in ties],
                alpha=0.5 if faint else 0.75,  # under the supply arrows in "all"
                capstyle="round",
                zorder=2,
                gid=f"partnership:{kind}",
            ),
            autolim=False,
        )
    return [k for k in PARTNERSHIP_KINDS if k in by_kind] + [
        k for k in by_kind if k not in PARTNERSHIP_KINDS
    ]


def _draw_rivalries(ax, view: _MapView, pos, *, faint: bool = False) -> None:
    ties = view.rivalries()
    if not ties:
        return
    # with the other layers, rivalries are context: thin, light and behind everything
    ax.add_collection(
        LineCollection(
            [[pos[a], pos[b]] for a, b, _ in ties],
            colors=_RIVALRY_FAINT if faint else _RIVALRY,
            linewidths=[(0.4 + 0.6 * i) if faint else (0.5 + 1.5 * i) for *_, i in ties],
            linestyles=(0, (4, 3)),
            alpha=0.6 if faint else 0.7,
            zorder=1,
            gid="rivalry",
        ),
        autolim=False,
    )


_RIVALRY = "#444444"
_RIVALRY_FAINT = "#A6A6A6"


def _arc_rads(view: _MapView, pos, aspect: float) -> list[float]:
    """The ``arc3`` curvature of each supply arrow, in the order of ``view.supplies()``.

    The first arrow on a pair bends by a fixed fraction of its length; further commodities on
    the same pair (or the reverse direction) bend by a fixed extra distance on the map rather
    than a fixed fraction, so a bundle of long arrows stays a bundle instead of fanning out of
    the map.
    """
    seen: dict[frozenset, int] = {}
    rads = []
    for src, dst, *_ in view.supplies():
        k = seen.get(frozenset((src, dst)), 0)
        seen[frozenset((src, dst))] = k + 1
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        length = max(math.hypot(x1 - x0, (y1 - y0) * aspect), 1e-9)  # in map units
        rads.append(min(_ARC_RAD + k * _ARC_STEP_DEG / length, _ARC_RAD_MAX))
    return rads


_ARC_RAD = 0.15  # bend of the first arrow on a pair: its apex is 7.5 % of its length aside
_ARC_STEP_DEG = 4.0  # each further arrow on the pair: 2° (half of this) further out at the apex
_ARC_RAD_MAX = 0.6


def _arc_points(p0, p1, rad: float, aspect: float, n: int = 25) -> np.ndarray:
    """Points of the quadratic Bézier that matplotlib's ``arc3`` draws from p0 to p1, in data.

    ``arc3`` puts the control point at ``mid + rad * (dy, -dx)`` in display space; on a map
    whose y scale is `aspect` times its x scale that is ``mid + rad * (aspect * dlat,
    -dlon / aspect)`` in degrees.
    """
    (x0, y0), (x1, y1) = p0, p1
    cx = (x0 + x1) / 2 + rad * aspect * (y1 - y0)
    cy = (y0 + y1) / 2 - rad * (x1 - x0) / aspect
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (
        (1 - t) ** 2 * np.array([x0, y0])
        + 2 * t * (1 - t) * np.array([cx, cy])
        + t**2 * np.array([x1, y1])
    )


def _draw_supply(ax, view: _MapView, pos, sizes, aspect: float) -> tuple[list[str], set[str]]:
    """Supply arrows; returns the commodities drawn and the states drawn ("cut", "rerouted")."""
    commodities: list[str] = []
    states: set[str] = set()
    rads = _arc_rads(view, pos, aspect)
    for (src, dst, commodity, share, state), rad in zip(view.supplies(), rads, strict=True):
        cut = state == "cut"
        width = 0.8 + 3.2 * share
        colour = _CUT if cut else _COMMODITY_COLOURS.get(commodity, _GREY)
        arrow = FancyArrowPatch(
            pos[src],
            pos[dst],
            arrowstyle="-|>",
            mutation_scale=7 + 3 * width,
            connectionstyle=f"arc3,rad={rad:.4f}",
            linewidth=width,
            linestyle={"cut": ":", "rerouted": "--"}.get(state, "-"),
            color=colour,
            alpha=0.9,
            shrinkA=math.sqrt(sizes[src]) / 2 + 1,
            shrinkB=math.sqrt(sizes[dst]) / 2 + 2,
            zorder=3,
            gid=f"{state}:{commodity}:{src}->{dst}",
        )
        ax.add_patch(arrow)
        if state != "supply":
            states.add(state)
        if not cut and commodity not in commodities:
            commodities.append(commodity)
    order = list(COMMODITIES)
    return sorted(commodities, key=lambda c: order.index(c) if c in order else 99), states


def _map_legend(ax, view, blocs, kinds, commodities, supply_marks, layer, *, holder=None) -> None:
    """One legend below the map (or beside the zoom, in `holder`), a column group per layer.

    Each group starts a column with a bold header that says what widths and sizes mean, so
    the reader finds an entry by what it is; the note on units goes under the legend.
    """
    # the same order, without repeats, as _draw_actors: a repeat would take the next colour
    colours = _bloc_colours(view.blocs())
    actors = [
        Line2D([], [], ls="", marker="o", ms=7, mfc=colours[b], mec="white", label=b) for b in blocs
    ]
    kinds_of_actor = {view.actor(a).kind for a in view.positions()}
    if "non_state" in kinds_of_actor:
        actors.append(
            Line2D([], [], ls="", marker="D", ms=5, mfc="#444444", mec="white", label="non-state")
        )
    if view.lost_actors():
        actors.append(
            Line2D([], [], ls="", marker="x", ms=7, mew=1.8, color=_LOST, label="lost actor")
        )
    ties = [
        Line2D(
            [],
            [],
            color=KIND_COLOURS.get(k, _GREY),
            ls=KIND_LINESTYLES.get(k, "-"),
            lw=2.5,
            label=k.replace("_", " "),
        )
        for k in kinds
    ]
    if layer in ("all", "rivalry") and view.rivalries():
        faint = layer == "all"
        ties.append(
            Line2D(
                [],
                [],
                color=_RIVALRY_FAINT if faint else _RIVALRY,
                lw=1.0 if faint else 1.5,
                ls=(0, (4, 3)),
                label="rivalry",
            )
        )
    supply = [
        Line2D(
            [],
            [],
            color=_COMMODITY_COLOURS.get(c, _GREY),
            lw=2,
            marker=">",
            label=c.replace("_", " "),
        )
        for c in commodities
    ]
    if "rerouted" in supply_marks:
        supply.append(
            Line2D([], [], color=_GREY, lw=2, ls="--", label="rerouted (alternative route)")
        )
    if "cut" in supply_marks:
        supply.append(Line2D([], [], color=_CUT, lw=2, ls=":", label="supply cut"))
    groups = [
        ("actors by bloc", actors),
        ("partnerships by kind" if kinds else "ties", ties),
        ("supply by commodity", supply),
    ]
    groups = [(h, g) for h, g in groups if g]
    # as many rows as the longest group needs, at most 10 beside the zoom or 6 below the map
    rows = min(max(len(g) + 1 for _, g in groups), 10 if holder is not None else 6)
    handles: list[Line2D] = []
    headers = []
    for header, group in groups:
        entries = [Line2D([], [], ls="", marker="", label=header), *group]
        headers.append(len(handles))
        pad = -len(entries) % rows
        handles += entries + [Line2D([], [], ls="", marker="", label=" ")] * pad
    if holder is not None:
        anchor = {
            "loc": "upper left",
            "bbox_to_anchor": (0.0, 1.0),
            "bbox_transform": holder.transAxes,
        }
    else:
        # below the tick labels and the axis label
        below = ax.transAxes + ScaledTranslation(0, -40 / 72, ax.figure.dpi_scale_trans)
        anchor = {"loc": "upper left", "bbox_to_anchor": (0.0, 0.0), "bbox_transform": below}
    leg = ax.legend(
        handles=handles,
        ncols=max(len(handles) // rows, 1),
        fontsize=8,
        frameon=False,
        borderaxespad=0.0,
        columnspacing=1.2,
        handlelength=2.0,
        **anchor,
    )
    for i in headers:
        leg.get_texts()[i].set_fontweight("bold")
    notes = ["marker area ∝ capability"]
    if layer in ("all", "partnership"):
        notes.append("line width ∝ partnership strength")
    if layer in ("all", "supply"):
        notes.append(
            "arrow width ∝ volume ÷ largest volume of the same commodity "
            "(each commodity has its own unit)"
        )
    # wrapped to the figure's width (about 3.8 pt per character at 7 pt), so a small map's
    # note cannot stretch the layout
    chars = int(ax.figure.get_figwidth() * 72 * (0.5 if holder is not None else 0.9) / 3.8)
    note = ax.annotate(
        "\n".join(textwrap.wrap("; ".join(notes), max(chars, 40))),
        xy=(0.0, 0.0),
        xycoords=leg,
        xytext=(0, -6),
        textcoords="offset points",
        va="top",
        fontsize=7,
        color="#444444",
        gid="map-note",
    )
    if holder is not None:
        # the holder's grid cell already reserves the room
        leg.set_in_layout(False)
        note.set_in_layout(False)
