"""Label placement on the map: each actor's label beside its marker, clear of the other
labels and markers where it can be, and never far from its point.

Candidate positions around a marker are tried in order of preference (right first), nearest
ring first; the cheapest by a weighted overlap with labels already placed, other markers and the
axes' edge wins. Larger actors are placed first.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.text import Text

from sim.plotting.colours import (
    _LOST,
)

__all__ = [
    "LABEL_GAP_MAX",
    "label_overlap",
]

_DIRECTIONS = [(1, 0), (1, 1), (1, -1), (0, 1), (0, -1), (-1, 0), (-1, 1), (-1, -1)]
#: Extra gaps (points) between a marker's edge and its label, tried nearest first. They stay
#: small: a label far from its point, however free its spot, reads as another actor's (Syria's
#: label once sat beside Qatar); crowded labels may touch instead.
_RINGS = (0.0, 4.0, 8.0)
#: The largest gap allowed between a label and its marker's edge, in points (tested).
LABEL_GAP_MAX = 12.0


def _draw_labels(ax, view, pos, sizes, *, fontsize, avoid_overlap) -> None:
    ids = sorted(pos, key=lambda a: -view.capability(a)) if avoid_overlap else list(pos)
    lost = set(view.lost_actors())
    fig = ax.figure
    # the data-to-pixel transform is final only once the layout engine and aspect have run
    fig.draw_without_rendering()
    ax.apply_aspect()
    to_px = ax.transData.transform
    px_per_pt = fig.dpi / 72.0
    anchors = {a: to_px(pos[a]) for a in ids}
    radius_pt = {a: math.sqrt(sizes[a]) / 2 for a in ids}
    text_size = _measure(ids, fontsize, fig.dpi)
    placed: list[np.ndarray] = []
    marker_boxes = {
        a: np.array(
            [*(anchors[a] - radius_pt[a] * px_per_pt), *(anchors[a] + radius_pt[a] * px_per_pt)]
        )
        for a in ids
    }
    ax_box = ax.get_window_extent()
    for a in ids:
        w, h = text_size[a]
        base = radius_pt[a] + 2.5
        best: tuple[float, np.ndarray, int, int, float, np.ndarray] | None = None
        candidates = (
            [(d, r) for r in _RINGS for d in _DIRECTIONS]
            if avoid_overlap
            else [(_DIRECTIONS[0], _RINGS[0])]
        )
        for rank, ((dx, dy), ring) in enumerate(candidates):
            norm = math.hypot(dx, dy)
            off = np.array([dx, dy]) / norm * (base + ring)
            box = _label_box(anchors[a], off * px_per_pt, w, h, dx, dy)
            cost = 3.0 * sum(_overlap(box, other) for other in placed)
            cost += 0.6 * sum(_overlap(box, mb) for b, mb in marker_boxes.items() if b != a)
            cost += 2.0 * (w * h - _overlap(box, np.array(ax_box.extents)))
            cost += 1e-3 * w * h * rank  # prefer near, preferred positions on ties
            if best is None or cost < best[0]:
                best = (cost, off, dx, dy, ring, box)
            if cost == 0:
                break
        assert best is not None  # there is always a candidate
        _, off, dx, dy, ring, box = best
        placed.append(box)
        ha = "left" if dx > 0 else "right" if dx < 0 else "center"
        va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
        arrow = (
            {
                "arrowstyle": "-",
                "color": "#999999",
                "lw": 0.6,
                "shrinkA": 1,
                "shrinkB": radius_pt[a],
            }
            if ring > _RINGS[0]
            else None
        )
        ax.annotate(
            a,
            xy=pos[a],
            xytext=tuple(off),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=fontsize,
            color=_LOST if a in lost else "#222222",
            arrowprops=arrow,
            zorder=5,
            gid=f"label:{a}",
            # a white halo keeps the label readable where it crosses ties
            path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white", alpha=0.85)],
        )


def _measure(texts: Iterable[str], fontsize: float, dpi: float) -> dict[str, tuple[float, float]]:
    """Width and height in pixels of each text, measured by an off-screen Agg renderer."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    renderer = RendererAgg(10, 10, dpi)
    prop = FontProperties(size=fontsize)
    out = {}
    # matplotlib gives every line the height of "lp" (ascender plus descender), whatever it holds
    _, h, _ = renderer.get_text_width_height_descent("lp", prop, ismath=False)
    for t in texts:
        w, _, _ = renderer.get_text_width_height_descent(t, prop, ismath=False)
        out[t] = (w, h)
    return out


def _label_box(anchor, off_px, w, h, dx, dy) -> np.ndarray:
    x0 = anchor[0] + off_px[0] - (0.0 if dx > 0 else w if dx < 0 else w / 2)
    y0 = anchor[1] + off_px[1] - (0.0 if dy > 0 else h if dy < 0 else h / 2)
    return np.array([x0, y0, x0 + w, y0 + h])


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def label_overlap(ax: Axes) -> float:
    """Total pairwise overlap, in pixels², of the actor labels drawn on `ax`.

    Draws the figure to measure the labels as rendered; 0 means no two labels touch.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes with actor labels: texts whose ``gid`` starts with ``"label:"`` (as
        :func:`~sim.plotting.plot_world` draws them).

    Returns
    -------
    float
        The summed area, in pixels², of the pairwise intersections of the labels' boxes.

    Examples
    --------
    Two labels on the same spot overlap; moved apart, they do not:

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from sim.plotting import label_overlap
    >>> fig, ax = plt.subplots()
    >>> _ = ax.annotate("IRN", (0.5, 0.5), gid="label:IRN")
    >>> _ = ax.annotate("IRQ", (0.5, 0.5), gid="label:IRQ")
    >>> label_overlap(ax) > 0
    True
    >>> ax.texts[1].set_position((0.1, 0.1))
    >>> label_overlap(ax)
    0.0
    >>> plt.close(fig)
    """
    fig = ax.figure
    fig.canvas.draw()
    boxes = [
        np.array(Text.get_window_extent(t).extents)  # the text alone, without its leader line
        for t in ax.texts
        if str(t.get_gid() or "").startswith("label:")
    ]
    return float(
        sum(
            _overlap(boxes[i], boxes[j])
            for i in range(len(boxes))
            for j in range(i + 1, len(boxes))
        )
    )
