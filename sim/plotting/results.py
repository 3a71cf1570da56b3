"""Figures of results: ensembles over time with their bands and shock lines, tie strengths and
trajectories, attack curves, criticality rankings and sensitivity indices.

They read a tidy results frame (or a stored run offering ``model_frame()``), or the tables of
the robustness and sensitivity analyses; nothing here imports the model, the runner or the
analyses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MultipleLocator

from sim.errors import Problem, UnknownNameError, ValidationError, suggest
from sim.labels import month_dates, outcome_label, shock_label
from sim.outcomes import of_kind, outcome_name, parse_outcome
from sim.plotting.colours import (
    _ARM_COLOURS,
    _COMMODITY_PALETTE,
    _MORE_BLOC_COLOURS,
    OKABE_ITO,
)

__all__ = [
    "mark_shocks",
    "plot_attack_curves",
    "plot_criticality",
    "plot_sensitivity",
    "plot_tie_strengths",
    "plot_tie_trajectories",
    "plot_timeseries",
]

#: Axis labels are wrapped to this many characters, so that in a grid of panels a long label
#: stays within its panel's height instead of running into the title or the next panel.
_LABEL_WIDTH = 28


# -- ensembles over time ----------------------------------------------------------------------


def plot_timeseries(
    results: Any,
    outcome: str,
    *,
    ax: Axes | None = None,
    shock_times: Sequence[float] | None = None,
    scenario: str | None = None,
    arms: Sequence[str] = ("shock", "baseline"),
    as_of: Any = None,
    names: Mapping[str, str] | None = None,
) -> Axes:
    """Ensemble median with 50 % and 90 % bands of one outcome, shocked arm against baseline.

    Parameters
    ----------
    results : results object or pandas.DataFrame
        An object with a ``model_frame`` attribute, or the tidy frame itself (columns
        ``scenario, replicate, seed, arm, step`` and one per variable).
    outcome : str
        A variable column, e.g. ``"fulfilment:axis"`` or ``"strength:RUS-IRN"``.
    ax : matplotlib.axes.Axes, optional
    shock_times : sequence of float, optional
        Steps at which shocks fire; by default ``results.shock_times`` or the ``at`` of
        ``results.spec.shocks`` when present.
    scenario : str, optional
        Which scenario to draw when the frame holds several.
    arms : sequence of str
        Arms to draw, in order.
    as_of : datetime.date or ISO string, optional
        The date of month 0 (the world's ``as_of``); by default read from a results object's
        manifest. With one, the x-axis shows dates.
    names : mapping, optional
        Actor ids to names for the labels (by default from a results object's manifest).

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Quantiles are taken per step over the replicates (linear interpolation). A shock with
    ``at = t`` acts during the step from t to t + 1 (docs/architecture.md), so the vertical
    line at t precedes the first row that shows it; each line is labelled with its shock
    (from a results object's manifest). Titles and units come from
    :func:`sim.labels.outcome_label`. The legend sits below the axes, off the data.

    Examples
    --------
    A tidy frame of three replicates, each with a shocked and a baseline arm:

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> rows = [
    ...     {"scenario": "demo", "replicate": r, "seed": r, "arm": arm, "step": s,
    ...      "fulfilment:axis": 1.0 - (0.1 * s if arm == "shock" else 0.0) - 0.01 * r,
    ...      "strength:IRN-RUS": 0.8 - (0.05 * s if arm == "shock" else 0.0),
    ...      "strength:IRN-SYR": 0.6 - (0.15 * s if arm == "shock" else 0.0)}
    ...     for r in range(3) for arm in ("shock", "baseline") for s in range(4)
    ... ]
    >>> frame = pd.DataFrame(rows)
    >>> from sim.plotting import plot_timeseries
    >>> ax = plot_timeseries(frame, "fulfilment:axis", shock_times=[1])
    >>> [line.get_gid() for line in ax.lines]
    ['median:shock', 'median:baseline', 'shock']
    >>> ax.lines[0].get_ydata().round(2).tolist()  # median over the replicates
    [0.99, 0.89, 0.79, 0.69]
    >>> plt.close(ax.figure)
    """
    frame = _select_scenario(_model_frame(results), scenario)
    _require_columns(frame, [outcome], "outcome")
    present = [a for a in arms if (frame["arm"] == a).any()]
    if not present:
        raise UnknownNameError(
            f"none of the arms {list(arms)} is in the frame; it has {sorted(frame['arm'].unique())}"
        )
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    extra = iter(_MORE_BLOC_COLOURS)
    for arm in present:
        colour = _ARM_COLOURS.get(arm) or next(extra)
        sub = frame.loc[frame["arm"] == arm, ["step", outcome]]
        q = sub.groupby("step")[outcome].quantile(np.array([0.05, 0.25, 0.5, 0.75, 0.95])).unstack()
        n = sub.groupby("step")[outcome].count().max()
        steps = q.index.to_numpy(dtype=float)
        ax.fill_between(
            steps,
            q[0.05],
            q[0.95],
            color=colour,
            alpha=0.15,
            lw=0,
            gid=f"band90:{arm}",
            label=f"{arm}: 90% band",
        )
        ax.fill_between(
            steps,
            q[0.25],
            q[0.75],
            color=colour,
            alpha=0.3,
            lw=0,
            gid=f"band50:{arm}",
            label=f"{arm}: 50% band",
        )
        ax.plot(
            steps,
            q[0.5],
            color=colour,
            lw=2,
            gid=f"median:{arm}",
            label=f"{arm}: median of {n} replicates",
        )
    mark_shocks(ax, results, shock_times)
    label = outcome_label(outcome, names=_names(results, names))
    _month_axis(ax, _as_of(results, as_of), steps)
    ax.set_ylabel(label.axis(wrap=_LABEL_WIDTH))
    name = frame["scenario"].iloc[0] if "scenario" in frame and len(frame) else ""
    ax.set_title(label.title + (f" — {name}" if name else ""))
    ax.grid(True, color="#EEEEEE", lw=0.6)
    # below the axes, so it never covers the data
    ax.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3)
    return ax


def _short(name: str) -> str:
    """An actor's name without its parenthesis: "Houthis", not "Houthis (Ansar Allah)"."""
    return name.split(" (", 1)[0]


def _names(results: Any, names: Mapping[str, str] | None) -> Mapping[str, str] | None:
    if names is not None:
        return names
    manifest = getattr(results, "manifest", None)
    if isinstance(manifest, Mapping):
        return manifest.get("scenario", {}).get("actor_names")
    return None


def _as_of(results: Any, as_of: Any) -> Any:
    if as_of is not None:
        return as_of
    manifest = getattr(results, "manifest", None)
    if isinstance(manifest, Mapping):
        return manifest.get("scenario", {}).get("world_as_of")
    return None


def _month_axis(ax: Axes, as_of: Any, steps: Sequence[float] | np.ndarray) -> None:
    """Months on the x-axis; with the world's `as_of`, ticks read as dates (month 0 = as_of)."""
    if as_of is None:
        ax.set_xlabel("month")
        return
    horizon = max(float(np.max(steps)), 1.0) if len(steps) else 1.0
    # about one "Mon YYYY" tick per inch of axes, so narrow panels of a grid stay readable
    # the axes' width on screen: a SubFigure (ax.figure in a subfigure) has no figwidth
    width_in = ax.get_window_extent().width / ax.figure.dpi
    most = max(2, min(8, int(width_in / 1.0)))
    every = next((m for m in (1, 2, 3, 6, 12, 24, 60, 120) if horizon / m <= most), 240)
    ax.xaxis.set_major_locator(MultipleLocator(every))
    ax.xaxis.set_minor_locator(
        MultipleLocator(1) if every > 1 and horizon <= 60 else MultipleLocator(every)
    )

    def fmt(x: float, _pos: int) -> str:
        if abs(x - round(x)) > 1e-9 or x < 0:
            return ""
        (day,) = month_dates(as_of, [round(x)])
        return day.strftime("%b %Y")

    ax.xaxis.set_major_formatter(FuncFormatter(fmt))
    (start,) = month_dates(as_of, [0])
    ax.set_xlabel(f"month (0 = {start:%d %b %Y}, the world's as-of date)")


def mark_shocks(
    ax: Axes,
    results: Any,
    shock_times: Sequence[float] | None = None,
    *,
    colour: str = "#222222",
) -> Axes:
    """A dashed line at each shock time, labelled with the shocks that strike then.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes whose x-axis is in months.
    results : results object
        Its manifest's shock records (or ``spec.shocks``) give the times and labels.
    shock_times : sequence of float, optional
        Unlabelled lines at these times instead.
    colour : str

    Returns
    -------
    matplotlib.axes.Axes
        Lines ``gid="shock"``, labels ``gid="annotation:shock"``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from sim.plotting import mark_shocks
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot(range(4), [1.0, 1.0, 0.9, 0.8])
    >>> ax = mark_shocks(ax, None, [1, 2])
    >>> [float(line.get_xdata()[0]) for line in ax.lines if line.get_gid() == "shock"]
    [1.0, 2.0]
    >>> plt.close(fig)
    """
    by_time: dict[float, list[str]] = {}
    if shock_times is not None:
        for t in shock_times:
            by_time.setdefault(float(t), [])
    else:
        for t, text in _shock_events(results):
            by_time.setdefault(t, []).append(text)
    for i, (t, texts) in enumerate(sorted(by_time.items())):
        ax.axvline(t, color=colour, ls="--", lw=1, gid="shock", label="shock" if i == 0 else None)
        if texts:
            ax.annotate(
                "; ".join(dict.fromkeys(texts)),
                xy=(t, 1),
                xycoords=("data", "axes fraction"),
                xytext=(3, -3),
                textcoords="offset points",
                rotation=90,
                ha="left",
                va="top",
                fontsize=7,
                color=colour,
                gid="annotation:shock",
                path_effects=[patheffects.withStroke(linewidth=2, foreground="white")],
            )
    return ax


def _shock_events(results: Any) -> list[tuple[float, str]]:
    """``(time, label)`` of every shock of a results object (manifest records or spec)."""
    manifest = getattr(results, "manifest", None)
    if isinstance(manifest, Mapping):
        records = manifest.get("scenario", {}).get("shocks", [])
        return [(float(r["at"]), shock_label(r)) for r in records if "at" in r]
    shocks = getattr(getattr(results, "spec", None), "shocks", None) or ()
    return [(float(s.at), shock_label(s)) for s in shocks if hasattr(s, "at")]


def plot_tie_strengths(
    results: Any,
    *,
    pairs: Sequence[str | tuple[str, str]] | None = None,
    arm: str = "shock",
    scenario: str | None = None,
    ax: Axes | None = None,
    shock_times: Sequence[float] | None = None,
) -> Axes:
    """Heatmap of partnership strengths over time: one row per tie, median over replicates.

    Parameters
    ----------
    results : results object or pandas.DataFrame
        With ``strength:A-B`` columns (see :func:`plot_timeseries`).
    pairs : sequence of "A-B" or (A, B), optional
        Ties to show, in order; all ``strength:`` columns by default.
    arm : str
        ``"shock"`` or ``"baseline"``.
    scenario : str, optional
    ax : matplotlib.axes.Axes, optional
    shock_times : sequence of float, optional
        Marked as white dashed lines (defaults as in :func:`plot_timeseries`).

    Returns
    -------
    matplotlib.axes.Axes
        The heatmap is ``ax.collections[0]`` (a QuadMesh whose array is pairs x steps).

    Examples
    --------

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> rows = [
    ...     {"scenario": "demo", "replicate": r, "seed": r, "arm": arm, "step": s,
    ...      "fulfilment:axis": 1.0 - (0.1 * s if arm == "shock" else 0.0) - 0.01 * r,
    ...      "strength:IRN-RUS": 0.8 - (0.05 * s if arm == "shock" else 0.0),
    ...      "strength:IRN-SYR": 0.6 - (0.15 * s if arm == "shock" else 0.0)}
    ...     for r in range(3) for arm in ("shock", "baseline") for s in range(4)
    ... ]
    >>> frame = pd.DataFrame(rows)
    >>> from sim.plotting import plot_tie_strengths
    >>> ax = plot_tie_strengths(frame, shock_times=[1])
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['IRN–RUS', 'IRN–SYR']
    >>> ax.collections[0].get_array().reshape(2, -1).round(2).tolist()  # pairs x steps
    [[0.8, 0.75, 0.7, 0.65], [0.6, 0.45, 0.3, 0.15]]
    >>> plt.close(ax.figure)
    """
    frame = _select_scenario(_model_frame(results), scenario)
    available = [o.name for o in of_kind(frame.columns, "strength")]
    cols = available if pairs is None else [_pair_column(p, available) for p in pairs]
    if not cols:
        raise UnknownNameError("the frame has no strength:A-B columns to draw")
    sub = frame.loc[frame["arm"] == arm]
    if sub.empty:
        raise UnknownNameError(
            f"arm {arm!r} is not in the frame; it has {sorted(frame['arm'].unique())}"
        )
    med = sub.groupby("step")[cols].median()
    steps = med.index.to_numpy(dtype=float)
    if ax is None:
        import matplotlib.pyplot as plt

        # at least 2.4 in tall: the colour bar's label must fit beside a single row
        _, ax = plt.subplots(figsize=(9, max(1.2 + 0.3 * len(cols), 2.4)), layout="constrained")
    x_edges = _edges(steps)
    y_edges = np.arange(len(cols) + 1) - 0.5
    mesh = ax.pcolormesh(
        x_edges, y_edges, med.to_numpy().T, cmap="viridis", vmin=0.0, vmax=1.0, gid="strengths"
    )
    ax.set_yticks(range(len(cols)), ["–".join(parse_outcome(c).args) for c in cols])
    ax.set_ylim(len(cols) - 0.5, -0.5)
    ax.figure.colorbar(mesh, ax=ax, label="tie strength (median)")
    times = list(shock_times) if shock_times is not None else _shock_times(results)
    for t in sorted(set(times)):
        ax.axvline(t, color="white", ls="--", lw=1.2, gid="shock")
    _month_axis(ax, _as_of(results, None), steps)
    ax.set_ylabel("partnership")
    ax.set_title(f"Partnership strengths over time ({arm} arm, median over replicates)")
    return ax


def plot_tie_trajectories(
    results: Any,
    *,
    pairs: Sequence[str | tuple[str, str]] | None = None,
    top: int = 8,
    ax: Axes | None = None,
    shock_times: Sequence[float] | None = None,
    as_of: Any = None,
    names: Mapping[str, str] | None = None,
) -> Axes:
    """Several partnership strengths over time: shocked arm solid, baseline dashed, per tie.

    Parameters
    ----------
    results : results object or pandas.DataFrame
        With ``arm``, ``step`` and ``strength:A-B`` columns; several replicates are reduced
        to their median per step (:func:`sim.runner.trace_ties` gives one replicate's every
        tie).
    pairs : sequence of "A-B" or (A, B), optional
        Ties to draw; by default the `top` ties whose shocked arm moves furthest from the
        baseline at any time (all of them without a baseline arm: those that change most).
    top : int
        How many ties to draw by default.
    ax : matplotlib.axes.Axes, optional
    shock_times, as_of, names
        As in :func:`plot_timeseries`.

    Returns
    -------
    matplotlib.axes.Axes
        One line per tie and arm, ``gid`` ``"tie:A-B:ARM"``; each tie is labelled at the
        right end of its shocked line (no legend over the data).

    Examples
    --------

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> rows = [
    ...     {"scenario": "demo", "replicate": r, "seed": r, "arm": arm, "step": s,
    ...      "fulfilment:axis": 1.0 - (0.1 * s if arm == "shock" else 0.0) - 0.01 * r,
    ...      "strength:IRN-RUS": 0.8 - (0.05 * s if arm == "shock" else 0.0),
    ...      "strength:IRN-SYR": 0.6 - (0.15 * s if arm == "shock" else 0.0)}
    ...     for r in range(3) for arm in ("shock", "baseline") for s in range(4)
    ... ]
    >>> frame = pd.DataFrame(rows)
    >>> from sim.plotting import plot_tie_trajectories
    >>> ax = plot_tie_trajectories(frame)
    >>> sorted(line.get_gid() for line in ax.lines if line.get_gid())
    ['tie:IRN-RUS:baseline', 'tie:IRN-RUS:shock', 'tie:IRN-SYR:baseline', 'tie:IRN-SYR:shock']
    >>> plt.close(ax.figure)
    """
    frame = _model_frame(results)
    available = [o.name for o in of_kind(frame.columns, "strength")]
    if not available:
        raise UnknownNameError("the frame has no strength:A-B columns to draw")
    med = {
        arm: frame.loc[frame["arm"] == arm].groupby("step")[available].median()
        for arm in ("shock", "baseline")
        if (frame["arm"] == arm).any()
    }
    if "shock" not in med:
        raise UnknownNameError(
            f"no shocked arm in the frame; it has {sorted(frame['arm'].unique())}"
        )
    if pairs is not None:
        cols = [_pair_column(p, available) for p in pairs]
    else:
        shocked = med["shock"]
        ref = med.get("baseline")
        moved = (shocked - ref).abs().max() if ref is not None else shocked.max() - shocked.min()
        cols = list(moved.sort_values(ascending=False, kind="stable").index[: max(1, top)])
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(9, 4.8), layout="constrained")
    palette = list(dict.fromkeys([*_MORE_BLOC_COLOURS, *_COMMODITY_PALETTE]))
    label_names = _names(results, names) or {}
    ends: list[tuple[float, str, str]] = []
    steps = med["shock"].index.to_numpy(dtype=float)
    for i, col in enumerate(cols):
        colour = palette[i % len(palette)]
        a, b = parse_outcome(col).args
        pair = f"{a}-{b}"
        ax.plot(steps, med["shock"][col], color=colour, lw=2, gid=f"tie:{pair}:shock")
        if "baseline" in med:
            ax.plot(
                med["baseline"].index.to_numpy(dtype=float),
                med["baseline"][col],
                color=colour,
                lw=1.2,
                ls="--",
                alpha=0.8,
                gid=f"tie:{pair}:baseline",
            )
        text = f"{_short(label_names.get(a, a))}–{_short(label_names.get(b, b))}"
        ends.append((float(med["shock"][col].iloc[-1]), text, colour))
    # direct labels at the right end, nudged apart so they never overprint
    ax.set_xlim(steps[0], steps[-1])
    ax.set_ylim(0, 1)
    gap = 0.045
    placed: list[float] = []
    for y, text, colour in sorted(ends):
        y_text = max(y, placed[-1] + gap) if placed else y
        placed.append(y_text)
        ax.annotate(
            text,
            xy=(steps[-1], y),
            xytext=(steps[-1], y_text),
            textcoords="data",
            xycoords="data",
            annotation_clip=False,
            ha="left",
            va="center",
            fontsize=8,
            color=colour,
            gid="tie-label",
        )
    mark_shocks(ax, results, shock_times)
    _month_axis(ax, _as_of(results, as_of), steps)
    ax.set_ylabel("partnership strength (0–1)")
    style = [
        Line2D([], [], color="#444444", lw=2, label="shocked arm"),
        Line2D([], [], color="#444444", lw=1.2, ls="--", label="baseline (same seed)"),
    ]
    ax.legend(
        handles=style[: 2 if "baseline" in med else 1],
        fontsize=8,
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        ncols=2,
    )
    ax.grid(True, color="#EEEEEE", lw=0.6)
    ax.set_title("Partnership strengths over time (median over replicates)")
    return ax


def _model_frame(results: Any) -> pd.DataFrame:
    frame = results if isinstance(results, pd.DataFrame) else getattr(results, "model_frame", None)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            "expected a results object with .model_frame or a DataFrame, "
            f"got {type(results).__name__}"
        )
    _require_columns(frame, ["arm", "step"], "column")
    return frame


def _select_scenario(frame: pd.DataFrame, scenario: str | None) -> pd.DataFrame:
    if "scenario" not in frame.columns:
        return frame
    names = list(dict.fromkeys(frame["scenario"]))
    if scenario is None:
        if len(names) > 1:
            raise ValidationError(
                [
                    Problem(
                        "scenario",
                        "the frame holds several scenarios; choose one",
                        None,
                        ", ".join(map(str, names)),
                    )
                ],
                what="plot",
            )
        return frame
    if scenario not in names:
        raise UnknownNameError(
            f"unknown scenario {scenario!r}; the frame has {', '.join(map(str, names))}"
            + (f"; {hint}" if (hint := suggest(scenario, map(str, names))) else "")
        )
    return frame.loc[frame["scenario"] == scenario]


def _require_columns(frame: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    have = [str(c) for c in frame.columns]
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ValidationError(
            [
                Problem(what, f"no {what} {c!r} in the frame", c, ", ".join(have), suggest(c, have))
                for c in missing
            ],
            what="results frame",
        )


def _pair_column(pair: str | tuple[str, str], available: Sequence[str]) -> str:
    a, b = pair.split("-", 1) if isinstance(pair, str) else pair
    for col in (outcome_name("strength", a, b), outcome_name("strength", b, a)):
        if col in available:
            return col
    names = ["-".join(o.args) for o in of_kind(available, "strength")]
    hint = suggest(f"{a}-{b}", names)
    raise UnknownNameError(
        f"no strength column for the tie {a}-{b}" + (f"; {hint}" if hint else "")
    )


def _edges(centres: np.ndarray) -> np.ndarray:
    if len(centres) == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    mid = (centres[1:] + centres[:-1]) / 2
    return np.concatenate(
        [[centres[0] - (mid[0] - centres[0])], mid, [centres[-1] + (centres[-1] - mid[-1])]]
    )


def _shock_times(results: Any) -> list[float]:
    times = getattr(results, "shock_times", None)
    if times is None:
        shocks = getattr(getattr(results, "spec", None), "shocks", None) or ()
        times = [getattr(s, "at", None) for s in shocks]
    return [float(t) for t in times if isinstance(t, int | float) and not isinstance(t, bool)]


# -- structural analyses ----------------------------------------------------------------------


def plot_attack_curves(
    curves: Mapping[str, Any] | Sequence[Any],
    *,
    ax: Axes | None = None,
    theory: Callable[[np.ndarray], np.ndarray]
    | tuple[Sequence[float], Sequence[float]]
    | Mapping[str, Any]
    | None = None,
) -> Axes:
    """Giant-component fraction against the fraction of actors removed, one line per strategy.

    Parameters
    ----------
    curves : mapping of name to curve, or sequence of curves
        Each curve has ``fraction_removed``, ``giant_fraction``, ``robustness`` (R) and
        ``critical_fraction`` (``None`` or NaN when the network never breaks up), and a
        ``strategy`` name (the mapping key when absent).
    ax : matplotlib.axes.Axes, optional
    theory : callable f -> S, or (f, S) arrays, or mapping of label to either, optional
        Theoretical curves drawn dashed in black (shades of grey for several).

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    The legend gives each strategy's R (area under the curve; Schneider et al. 2011); the
    critical fraction, where the giant component falls apart, is a dotted vertical line.

    Examples
    --------
    Two curves, one of which breaks up half-way:

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> from sim.plotting import plot_attack_curves
    >>> f = np.linspace(0, 1, 5)
    >>> curves = {
    ...     "random": SimpleNamespace(fraction_removed=f, giant_fraction=1 - f,
    ...                               robustness=0.4, critical_fraction=None),
    ...     "degree": SimpleNamespace(fraction_removed=f, giant_fraction=[1, 0.5, 0.2, 0, 0],
    ...                               robustness=0.2, critical_fraction=0.5),
    ... }
    >>> ax = plot_attack_curves(curves)
    >>> [line.get_gid() for line in ax.lines]
    ['curve:random', 'curve:degree', 'critical:degree']
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['random (R = 0.400)', 'degree (R = 0.200)']
    >>> plt.close(ax.figure)
    """
    items = list(curves.items()) if isinstance(curves, Mapping) else [(None, c) for c in curves]
    if not items:
        raise ValueError("plot_attack_curves needs at least one curve")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6.5, 4.5), layout="constrained")
    palette = [
        OKABE_ITO[k]
        for k in (
            "blue",
            "vermillion",
            "bluish_green",
            "reddish_purple",
            "orange",
            "sky_blue",
            "black",
        )
    ]
    for i, (key, curve) in enumerate(items):
        name = getattr(curve, "strategy", None) or key or f"curve {i + 1}"
        colour = palette[i % len(palette)]
        f = np.asarray(curve.fraction_removed, dtype=float)
        s = np.asarray(curve.giant_fraction, dtype=float)
        r = getattr(curve, "robustness", None)
        label = f"{name} (R = {r:.3f})" if r is not None else str(name)
        ax.plot(f, s, color=colour, lw=2, label=label, gid=f"curve:{name}")
        fc = getattr(curve, "critical_fraction", None)
        if fc is not None and np.isfinite(fc):
            ax.axvline(fc, color=colour, ls=":", lw=1.2, gid=f"critical:{name}")
    if theory is not None:
        theories = theory.items() if isinstance(theory, Mapping) else [("theory", theory)]
        greys = ["#000000", "#555555", "#999999"]
        for j, (label, th) in enumerate(theories):
            if callable(th):
                f = np.linspace(0.0, 1.0, 201)
                s = np.asarray(th(f), dtype=float)
            else:
                f, s = (np.asarray(x, dtype=float) for x in th)
            ax.plot(f, s, color=greys[j % 3], ls="--", lw=1.5, label=label, gid=f"theory:{label}")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("fraction of actors removed, f")
    ax.set_ylabel("giant-component fraction, S")
    ax.set_title("Attack curves (dotted: critical fraction)")
    ax.grid(True, color="#EEEEEE", lw=0.6)
    # beside the axes: curves fill the whole square, so any corner inside may cover one
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def plot_criticality(
    ranking: pd.DataFrame, *, top: int = 15, metric: str | None = None, ax: Axes | None = None
) -> Axes:
    """The most critical actors and ties: horizontal bars of damage, largest at the top.

    Parameters
    ----------
    ranking : pandas.DataFrame
        Columns ``item, kind, metric, baseline, after, damage`` (from
        :func:`sim.robustness.criticality`); `item` may be an id or a pair of ids.
    top : int
        How many items to show.
    metric : str, optional
        Which metric to rank by when the table holds several (required then).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Bars (``ax.patches``) from top to bottom in descending damage; bars are coloured by
        `kind` (actor, tie...).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from sim.plotting import plot_criticality
    >>> ranking = pd.DataFrame({
    ...     "item": ["SYR", "IRN", ("IRN", "RUS")], "kind": ["actor", "actor", "tie"],
    ...     "metric": "fulfilment", "baseline": 0.9, "after": [0.8, 0.5, 0.85],
    ...     "damage": [0.1, 0.4, 0.05],
    ... })
    >>> ax = plot_criticality(ranking)
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['IRN', 'SYR', 'IRN–RUS']
    >>> [round(float(bar.get_width()), 2) for bar in ax.patches]
    [0.4, 0.1, 0.05]
    >>> plt.close(ax.figure)
    """
    _require_columns(ranking, ["item", "kind", "metric", "damage"], "column")
    metrics = list(dict.fromkeys(ranking["metric"]))
    if metric is None:
        if len(metrics) > 1:
            raise ValidationError(
                [
                    Problem(
                        "metric",
                        "the ranking holds several metrics; choose one",
                        None,
                        ", ".join(map(str, metrics)),
                    )
                ],
                what="criticality ranking",
            )
        metric = metrics[0] if metrics else ""
    elif metric not in metrics:
        raise UnknownNameError(
            f"unknown metric {metric!r}; the ranking has {', '.join(map(str, metrics))}"
            + (f"; {hint}" if (hint := suggest(metric, map(str, metrics))) else "")
        )
    rows = (
        ranking.loc[ranking["metric"] == metric]
        .sort_values("damage", ascending=False, kind="stable")
        .head(top)
    )
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 1.0 + 0.32 * max(len(rows), 1)), layout="constrained")
    kinds = list(dict.fromkeys(rows["kind"]))
    palette = [OKABE_ITO[k] for k in ("vermillion", "blue", "bluish_green", "reddish_purple")]
    colours = {k: palette[i % len(palette)] for i, k in enumerate(kinds)}
    y = np.arange(len(rows))
    bars = ax.barh(
        y,
        rows["damage"].to_numpy(dtype=float),
        color=[colours[k] for k in rows["kind"]],
        gid="damage",
    )
    ax.bar_label(bars, fmt="%.3g", padding=2, fontsize=7)
    ax.set_yticks(y, [_item_label(i) for i in rows["item"]])
    ax.set_ylim(len(rows) - 0.5, -0.5)  # largest at the top
    ax.margins(x=0.12)
    ax.axvline(0, color="#444444", lw=0.8)
    ax.set_xlabel(f"damage: drop in {metric} when the item is removed")
    ax.set_title(f"Most critical items by {metric} (top {len(rows)})")
    ax.legend(
        handles=[
            Line2D([], [], ls="", marker="s", ms=8, color=colours[k], label=str(k)) for k in kinds
        ],
        fontsize=8,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),  # beside the bars, never over them
    )
    return ax


def _item_label(item: Any) -> str:
    if isinstance(item, tuple | list):
        return "–".join(map(str, item))
    return str(item)


def plot_sensitivity(table: Any, *, ax: Axes | None = None, top: int | None = None) -> Axes:
    """Sensitivity indices as horizontal bars with confidence intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        Sobol indices (columns ``parameter, S1, S1_conf, ST, ST_conf``) or Morris screening
        (``parameter, mu_star, mu_star_conf, sigma``); which one is read from the columns.
        The parameter names may also be the index.
    ax : matplotlib.axes.Axes, optional
    top : int, optional
        Show only the most influential parameters (by ST or mu_star).

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Sobol: first-order S1 and total ST per parameter, error bars the confidence half-widths
    SALib reports. Morris: mu* (mean absolute elementary effect) with its confidence and σ
    (spread of the effects: interaction or non-linearity), in the output's units.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from sim.plotting import plot_sensitivity
    >>> table = pd.DataFrame({"parameter": ["a", "b"], "S1": [0.6, 0.1], "S1_conf": [0.05, 0.02],
    ...                       "ST": [0.7, 0.2], "ST_conf": [0.05, 0.03]})
    >>> ax = plot_sensitivity(table)
    >>> ax.get_title()
    'Sobol sensitivity indices (bars: 95% confidence)'
    >>> [round(float(bar.get_width()), 2) for bar in ax.patches]  # S1 bars, then ST bars
    [0.6, 0.1, 0.7, 0.2]
    >>> plt.close(ax.figure)
    """
    frame = pd.DataFrame(table)
    if "parameter" not in frame.columns:
        frame = frame.rename_axis("parameter").reset_index()
    sobol = {"S1", "S1_conf", "ST", "ST_conf"}
    morris = {"mu_star", "mu_star_conf", "sigma"}
    series: list[tuple[str, str | None, str, str]]  # column, its error column, label, colour
    if sobol <= set(frame.columns):
        kind, key = "sobol", "ST"
        series = [
            ("S1", "S1_conf", "first order S1", OKABE_ITO["sky_blue"]),
            ("ST", "ST_conf", "total ST", OKABE_ITO["blue"]),
        ]
    elif morris <= set(frame.columns):
        kind, key = "morris", "mu_star"
        series = [
            ("mu_star", "mu_star_conf", "μ* (mean |effect|)", OKABE_ITO["vermillion"]),
            ("sigma", None, "σ (spread of effects)", OKABE_ITO["orange"]),
        ]
    else:
        have = ", ".join(map(str, frame.columns))
        raise ValidationError(
            [
                Problem(
                    "columns",
                    "not a Sobol or Morris table",
                    have,
                    "parameter, S1, S1_conf, ST, ST_conf | parameter, mu_star, mu_star_conf, sigma",
                )
            ],
            what="sensitivity table",
        )
    frame = frame.sort_values(key, ascending=False, kind="stable")
    if top is not None:
        frame = frame.head(top)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 1.2 + 0.45 * len(frame)), layout="constrained")
    y = np.arange(len(frame))
    h = 0.38
    for j, (col, conf, label, colour) in enumerate(series):
        ax.barh(
            y + (j - 0.5) * h,
            frame[col].to_numpy(dtype=float),
            height=h,
            xerr=None if conf is None else frame[conf].to_numpy(dtype=float),
            color=colour,
            capsize=2.5,
            error_kw={"lw": 0.9, "ecolor": "#333333"},
            label=label,
            gid=f"{kind}:{col}",
        )
    ax.set_yticks(y, frame["parameter"].astype(str).tolist())
    ax.set_ylim(len(frame) - 0.5, -0.5)
    ax.axvline(0, color="#444444", lw=0.8)
    if kind == "sobol":
        ax.set_xlabel("Sobol index (share of output variance)")
        ax.set_title("Sobol sensitivity indices (bars: 95% confidence)")
    else:
        ax.set_xlabel("elementary effect (output units)")
        ax.set_title("Morris screening (bars: 95% confidence of μ*)")
    ax.grid(True, axis="x", color="#EEEEEE", lw=0.6)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax
