"""Figures: the network on a map, ensembles over time, attack curves, criticality, sensitivity.

Every helper is ``plot_x(data, *, ax=None, **kwargs) -> matplotlib.axes.Axes``: it draws on `ax`
(a new figure when ``None``), never calls ``plt.show()`` and returns the axes, so figures compose
and tests can inspect what was drawn. The one exception is :func:`plot_before_after`, which
returns a pair of axes (two panels are its point). Palettes are Okabe & Ito's colour-blind-safe
set (:mod:`sim.plotting.colours`); artists carry a ``gid`` naming what they show
(``"actors:axis"``, ``"supply:arms:A->B"``, ``"band90:shock"``...), so code and tests can find
them.

Views read only what they are given: a :class:`~sim.world.World`, a model seen through its
``.world`` and ``to_networkx()`` (any object offering both, e.g. an ``AllianceModel``), a
tidy results frame, or the tables of the robustness and sensitivity analyses. Nothing here
imports the model, the runner or the analyses.

The package has one module per concern, and every public name is also available here:

- :mod:`sim.plotting.map`: the world map renderer (:func:`plot_world`, :func:`plot_before_after`);
- :mod:`sim.plotting.layout`: the label-placement engine the map uses (:func:`label_overlap`);
- :mod:`sim.plotting.results`: results, ensemble, structural and sensitivity figures;
- :mod:`sim.plotting.colours`: the palettes;
- :mod:`sim.plotting.save`: :func:`save_figure`.
"""

from sim.plotting.colours import BLOC_COLOURS, KIND_COLOURS, KIND_LINESTYLES, OKABE_ITO
from sim.plotting.layout import LABEL_GAP_MAX, label_overlap
from sim.plotting.map import INSETS, plot_before_after, plot_world
from sim.plotting.results import (
    mark_shocks,
    plot_attack_curves,
    plot_criticality,
    plot_sensitivity,
    plot_tie_strengths,
    plot_tie_trajectories,
    plot_timeseries,
)
from sim.plotting.save import save_figure

__all__ = [
    "BLOC_COLOURS",
    "INSETS",
    "KIND_COLOURS",
    "KIND_LINESTYLES",
    "LABEL_GAP_MAX",
    "OKABE_ITO",
    "label_overlap",
    "mark_shocks",
    "plot_attack_curves",
    "plot_before_after",
    "plot_criticality",
    "plot_sensitivity",
    "plot_tie_strengths",
    "plot_tie_trajectories",
    "plot_timeseries",
    "plot_world",
    "save_figure",
]
