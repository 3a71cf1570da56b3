"""The Solara dashboard: the alliance model live in a browser (``solara run sim/app.py``).

The page (``Page``) is a Solara component, rendered once per browser session: every tab
has its own model, its own settings and its own figures (Solara keeps component state per
session; nothing mutable lives at module level).

- The sidebar holds the run controls (Reset, play/pause, Step, the month and its date) and the
  setup: a shipped scenario (or none), the seed and sliders for the :class:`ModelParams` fields
  of :data:`SLIDER_PARAMS`, each labelled with a human name, its value and its units (from the
  field's metadata). Choosing a scenario puts the sliders at that scenario's values; Reset
  builds a new :class:`DashboardModel` from the scenario, seed and sliders as shown.
- The main area holds the map of the network (:mod:`sim.app_figures`: zoom, pan, hover for an
  actor's or a tie's values, a layer and a bloc selector), the current values of both arms,
  the interventions (remove or restore an actor, cut a supply tie: applied to the shocked
  run as :mod:`sim.shocks` at the current month, so they show after the next step), and the
  chosen bloc's fulfilment, cohesion and giant component over time, shocked run and paired
  baseline (same seed, no shocks) on one date axis.

Why not Mesa's ``SolaraViz``: in Mesa 3.5 it shares the model passed in at import between all
sessions, rebuilds models on Reset through its own keyword builder (which passes Mesa's
``scenario`` object in place of ours), cannot move its sliders to a scenario's values, and
lays components out on a half-width grid. The page uses the same Solara components directly.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any

import ipyvuetify as v
import numpy as np
import plotly.graph_objects as go
import solara
import traitlets

from sim.app_figures import (
    LAYERS,
    map_figure,
    month_date,
    series_figure,
    shock_label,
    update_map,
    update_series,
)
from sim.errors import Problem, SimError, ValidationError
from sim.model import AllianceModel
from sim.outcomes import OUTCOME_KINDS, outcome_name
from sim.params import ModelParams
from sim.scenario import list_scenarios, load_scenario
from sim.shocks import CutTie, RemoveState, Restore
from sim.worlds import load_world

__all__ = [
    "NO_SCENARIO",
    "SLIDER_PARAMS",
    "DashboardModel",
    "Page",
    "Settings",
    "bloc_series",
    "charted_bloc",
    "cut_tie",
    "metrics",
    "remove_actor",
    "restore_actor",
    "scenario_settings",
    "slider_spec",
    "supply_pairs",
    "time_label",
]

#: The scenario select's entry for "the default world, no scheduled shocks".
NO_SCENARIO = "none"

#: The :class:`ModelParams` fields offered as sliders: the ones that most change a run.
SLIDER_PARAMS = (
    "tie_rate",
    "threat_elasticity",
    "trade_elasticity",
    "volume_noise",
    "interdiction_rate",
    "collapse_threshold",
)

#: Months the play button runs for without a scenario (a scenario sets its own ``steps``).
DEFAULT_HORIZON = 60

#: The pair whose deliveries the seed story follows (Iran's land bridge to Hezbollah).
WATCHED_SUPPLY = ("IRN", "HEZ")
#: The partnership the seed story follows.
WATCHED_TIE = ("RUS", "IRN")

#: plotly's options for both figures: wheel zoom on, no logo, no cloud-editing buttons, and
#: resize with the window (see :class:`_ResizeWatcher`).
_PLOTLY_CONFIG = {"scrollZoom": True, "displaylogo": False, "showLink": False, "responsive": True}


class _ResizeWatcher(v.VuetifyTemplate):
    """Tells plotly its container changed size (a window ``resize`` event).

    A plotly widget sizes itself when it is drawn, often before Solara has laid out its card
    (it then takes plotly's default 700 px), and afterwards follows only the window's size.
    This watches the element it is placed in and passes each change on.
    """

    template = traitlets.Unicode(
        """<template><span style="display: none"></span></template>
<script>
module.exports = {
  mounted() {
    this.observer = new ResizeObserver(() => window.dispatchEvent(new Event("resize")));
    this.observer.observe(this.$el.parentElement);
  },
  destroyed() {
    this.observer.disconnect();
  },
};
</script>"""
    ).tag(sync=True)


_PARAM_FIELDS = {f.name: f for f in fields(ModelParams)}
_builds = itertools.count()


def slider_spec(name: str) -> dict[str, Any]:
    """How the slider of :class:`ModelParams` field `name` looks, from the field's metadata.

    Parameters
    ----------
    name : str
        A field of :class:`ModelParams` (one of :data:`SLIDER_PARAMS`, or any other).

    Returns
    -------
    dict
        ``label`` (a human name: ``"Tie rate"``), ``units``, ``doc``, ``min``, ``max``,
        ``step`` (the power of ten nearest a hundredth of the range) and ``default``.

    Examples
    --------
    >>> spec = slider_spec("tie_rate")
    >>> spec["label"], spec["units"], spec["min"], spec["max"]
    ('Tie rate', '1/month', 0.02, 0.5)
    """
    f = _PARAM_FIELDS[name]
    assert f.default is not MISSING  # every ModelParams field has a default
    lo, hi = f.metadata["range"]
    return {
        "label": name.replace("_", " ").capitalize(),
        "units": f.metadata["units"],
        "doc": f.metadata["doc"],
        "min": float(lo),
        "max": float(hi),
        # a power of ten near a hundredth of the range, so that the default lies on the grid
        # of slider positions (the slider would otherwise snap it off at once)
        "step": 10.0 ** round(math.log10((hi - lo) / 100)),
        "default": float(f.default),
    }


def _seed(rng: Any) -> int | None:
    """The seed typed into the page (a string) as an int; '' means a fresh random seed."""
    if rng is None or isinstance(rng, int):
        return rng
    text = str(rng).strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise ValidationError(
            [Problem("Random seed", "not a non-negative integer", rng, "0, 1, 2, ...", "e.g. 42")],
            what="dashboard parameters",
        )
    return value


class DashboardModel(AllianceModel):
    """An :class:`AllianceModel` built from the dashboard's controls, with its paired baseline.

    Parameters
    ----------
    scenario_name : str
        A shipped scenario (:func:`sim.scenario.list_scenarios`) or a scenario file: its world,
        parameter overrides and shocks; or :data:`NO_SCENARIO` for the default world without
        shocks. (Not ``scenario``: Mesa 3.5 gives every model a ``scenario`` object of its
        own.)
    rng : int or str or None
        The seed (the page's text box gives a string); ``None`` or ``""`` draws a fresh one,
        kept in ``seed``.
    baseline : bool
        Also build and step the paired baseline: the same world, parameters and seed, with the
        scenario's baseline shocks (none unless it has ``[[baseline_shocks]]``).
    **params
        :class:`ModelParams` fields; they override the scenario's ``[params]``.

    Attributes
    ----------
    scenario_name : str
    seed : int
        The seed both arms were built with.
    baseline : AllianceModel or None
        Stepped with this model; interventions on this model do not touch it.
    horizon : int
        The months the play button runs for: the scenario's ``steps``, or
        ``DEFAULT_HORIZON``.
    build : int
        A number unique to this model in this process (the page keys its figures on it).

    Raises
    ------
    ValidationError
        A seed that is not a non-negative integer, or parameters out of range or unknown.
    UnknownNameError
        An unknown scenario.

    Examples
    --------
    >>> m = DashboardModel(rng="7")  # the default world, no scheduled shocks
    >>> m.step()
    >>> m.seed, m.horizon, m.time, m.baseline.time
    (7, 60, 1.0, 1.0)
    """

    def __init__(
        self,
        scenario_name: str = NO_SCENARIO,
        rng: Any = 42,
        *,
        baseline: bool = True,
        **params: Any,
    ):
        if "scenario" in params:
            raise SimError(
                "DashboardModel takes the scenario's name as scenario_name=...; `scenario` is "
                "Mesa's own scenario object"
            )
        if scenario_name == NO_SCENARIO:
            world, shocks, base_shocks, overrides = load_world(), (), (), {}
            horizon = DEFAULT_HORIZON
        else:
            spec = load_scenario(scenario_name)
            world, shocks, base_shocks = spec.world, spec.shocks, spec.baseline_shocks
            overrides, horizon = dict(spec.params), spec.steps
        seed = _seed(rng)
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1)[0])
        model_params = ModelParams().replace(**{**overrides, **params})
        super().__init__(world, params=model_params, shocks=shocks, rng=seed)
        self.scenario_name = scenario_name
        self.seed = seed
        self.horizon = int(horizon)
        self.build = next(_builds)
        self.baseline = (
            AllianceModel(world, params=model_params, shocks=base_shocks, rng=seed)
            if baseline
            else None
        )

    def step(self) -> None:
        """One month of the shocked run and of its baseline."""
        super().step()
        if self.baseline is not None:
            self.baseline.step()


@dataclass(frozen=True)
class Settings:
    """What the setup panel shows: a scenario, a seed as typed, and the slider values.

    Parameters
    ----------
    scenario_name : str
        A shipped scenario, a scenario file, or :data:`NO_SCENARIO`.
    seed : str
        The seed as typed (``""``: a fresh random seed).
    params : dict of str to float
        The value of each slider of :data:`SLIDER_PARAMS` (default: the fields' defaults).

    Examples
    --------
    >>> s = Settings(seed="3")
    >>> s.params["tie_rate"], s.params["collapse_threshold"]
    (0.1, 0.1)
    >>> m = s.build()  # what Reset does
    >>> m.scenario_name, m.seed
    ('none', 3)
    """

    scenario_name: str = NO_SCENARIO
    seed: str = "42"
    params: dict[str, float] = field(
        default_factory=lambda: {n: slider_spec(n)["default"] for n in SLIDER_PARAMS}
    )

    def build(self) -> DashboardModel:
        """A new model from these settings (what Reset does)."""
        return DashboardModel(self.scenario_name, self.seed, baseline=True, **self.params)


def scenario_settings(settings: Settings, scenario_name: str) -> Settings:
    """`settings` with another scenario, its sliders moved to that scenario's values.

    A slider field the scenario does not set goes back to its :class:`ModelParams` default;
    the seed is kept.

    Parameters
    ----------
    settings : Settings
        The panel's settings now.
    scenario_name : str
        The scenario chosen: shipped, a file, or :data:`NO_SCENARIO`.

    Returns
    -------
    Settings

    Raises
    ------
    UnknownNameError
        An unknown scenario.

    Examples
    --------
    A scenario file that sets one slider's parameter:

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "fast_ties.toml"
    >>> _ = path.write_text('[scenario]\\nname = "fast_ties"\\nworld = "axis-2024"\\n'
    ...                     'steps = 12\\n[params]\\ntie_rate = 0.3\\n')
    >>> s = scenario_settings(Settings(seed="7"), str(path))
    >>> s.seed, s.params["tie_rate"], s.params["volume_noise"]  # the others: defaults
    ('7', 0.3, 0.1)
    """
    values = {n: slider_spec(n)["default"] for n in SLIDER_PARAMS}
    if scenario_name != NO_SCENARIO:
        own = load_scenario(scenario_name).params
        values.update({n: float(own[n]) for n in SLIDER_PARAMS if n in own})
    return replace(settings, scenario_name=scenario_name, params=values)


def _settings_of(model: DashboardModel, seed_text: str) -> Settings:
    return Settings(
        model.scenario_name,
        seed_text,
        {n: float(getattr(model.params, n)) for n in SLIDER_PARAMS},
    )


# -- interventions on the live model ----------------------------------------------------------


def _now(model: AllianceModel) -> int:
    return int(model.time)


def remove_actor(model: AllianceModel, actor: str) -> str:
    """Remove `actor` from the live model at the current time; returns what was done.

    The removal takes effect in the next step (the shock contract: ``at=t`` acts before the
    supply phase of the step from t to t + 1).

    Parameters
    ----------
    model : AllianceModel
        The live model (a :class:`DashboardModel` on the page).
    actor : str
        An actor id of the model's world.

    Returns
    -------
    str
        What was done, for the page's status line.

    Raises
    ------
    ShockError, UnknownNameError
        Unknown actor, or an actor already removed.

    Examples
    --------
    >>> m = DashboardModel(rng=7, baseline=False)
    >>> remove_actor(m, "SYR")
    'SYR removed at month 0 (shows after the next step)'
    >>> m.step()
    >>> m.alive("SYR")
    False
    >>> remove_actor(m, "SYX")
    Traceback (most recent call last):
    ...
    sim.errors.UnknownNameError: unknown actor 'SYX'; did you mean 'SYR'?
    """
    model.index(actor)  # UnknownNameError with a suggestion
    if not model.alive(actor) or _pending_removal(model, actor) is not None:
        raise SimError(f"{actor} is already removed (or its removal is pending)")
    model.add_shock(RemoveState(actor, at=_now(model)))
    return f"{actor} removed at month {_now(model)} (shows after the next step)"


def _pending_removal(model: AllianceModel, actor: str) -> RemoveState | None:
    for s in model.shocks:
        if isinstance(s, RemoveState) and s.target == actor and s.at >= model.time:
            return s
    return None


def restore_actor(model: AllianceModel, actor: str) -> str:
    """Undo the latest removal of `actor` (by the dashboard or by the scenario).

    Parameters
    ----------
    model : AllianceModel
        The live model (a :class:`DashboardModel` on the page).
    actor : str
        An actor id of the model's world.

    Returns
    -------
    str
        What was done, for the page's status line.

    Raises
    ------
    SimError
        The actor was never removed by a shock, or its removal has not taken effect yet.

    Examples
    --------
    >>> m = DashboardModel(rng=7, baseline=False)
    >>> _ = remove_actor(m, "SYR")
    >>> m.step()
    >>> restore_actor(m, "SYR")
    'SYR restored at month 1 (shows after the next step)'
    >>> restore_actor(m, "IRQ")
    Traceback (most recent call last):
    ...
    sim.errors.SimError: IRQ has not been removed by a shock, so there is nothing to restore
    """
    model.index(actor)
    restored = {s.shock for s in model.shocks if isinstance(s, Restore)}
    removals = [
        s
        for s in model.shocks
        if isinstance(s, RemoveState) and s.target == actor and s not in restored
    ]
    if not removals:
        raise SimError(f"{actor} has not been removed by a shock, so there is nothing to restore")
    last = removals[-1]
    if last.at >= model.time:
        raise SimError(
            f"the removal of {actor} (at month {last.at}) has not taken effect yet: step first"
        )
    model.add_shock(Restore(last, at=_now(model)))
    return f"{actor} restored at month {_now(model)} (shows after the next step)"


def cut_tie(model: AllianceModel, pair: tuple[str, str]) -> str:
    """Cut every supply tie from ``pair[0]`` to ``pair[1]`` at the current time.

    Parameters
    ----------
    model : AllianceModel
        The live model (a :class:`DashboardModel` on the page).
    pair : tuple of str
        Supplier and recipient ids.

    Returns
    -------
    str
        What was done, for the page's status line.

    Examples
    --------
    >>> m = DashboardModel(rng=7, baseline=False)
    >>> cut_tie(m, ("IRN", "HEZ"))
    'supply IRN→HEZ cut at month 0 (shows after the next step)'
    >>> m.step()
    >>> m.delivered("IRN", "HEZ")
    0.0
    """
    model.add_shock(CutTie((pair[0], pair[1]), at=_now(model)))
    return f"supply {pair[0]}→{pair[1]} cut at month {_now(model)} (shows after the next step)"


# -- what the panels show -----------------------------------------------------------------------


def charted_bloc(model: AllianceModel) -> str:
    """The bloc the chart starts on: the world's first bloc (``axis`` in the default world).

    Parameters
    ----------
    model : AllianceModel

    Returns
    -------
    str

    Examples
    --------
    >>> charted_bloc(DashboardModel(rng=7, baseline=False))
    'axis'
    """
    return model.world.blocs[0]


def bloc_series(model: AllianceModel, bloc: str | None = None) -> tuple[str, Any]:
    """A bloc's ``fulfilment``, ``cohesion`` and ``giant`` series so far.

    Parameters
    ----------
    model : AllianceModel
    bloc : str, optional
        Defaults to :func:`charted_bloc`.

    Returns
    -------
    (str, pandas.DataFrame)
        The bloc, and one row per collect with the columns ``fulfilment:B``, ``cohesion:B``
        and ``giant:B`` of that bloc ``B``.

    Examples
    --------
    >>> m = DashboardModel(rng=7, baseline=False)
    >>> m.step()
    >>> bloc, frame = bloc_series(m, "west")
    >>> bloc, frame.shape, list(frame.columns)
    ('west', (2, 3), ['fulfilment:west', 'cohesion:west', 'giant:west'])
    """
    bloc = charted_bloc(model) if bloc is None else bloc
    frame = model.datacollector.get_model_vars_dataframe()
    return bloc, frame[[outcome_name(v, bloc) for v in ("fulfilment", "cohesion", "giant")]]


def supply_pairs(model: AllianceModel) -> list[str]:
    """The directed supply pairs of the model's world as ``"SRC→DST"``, sorted, unique.

    Parameters
    ----------
    model : AllianceModel

    Returns
    -------
    list of str

    Examples
    --------
    >>> pairs = supply_pairs(DashboardModel(rng=7, baseline=False))
    >>> len(pairs), pairs[:2], "IRN→HEZ" in pairs
    (44, ['AZE→ISR', 'CHN→RUS'], True)
    """
    return sorted({f"{t.supplier}→{t.recipient}" for t in model.world.ties_in("supply")})


def time_label(model: AllianceModel) -> str:
    """``"Month 1 of 36 · 26 Dec 2024"``: the month, the horizon if any, and its date.

    Parameters
    ----------
    model : AllianceModel
        A :class:`DashboardModel` has a horizon; a plain model shows none.

    Returns
    -------
    str

    Examples
    --------
    >>> m = DashboardModel(rng=7, baseline=False)
    >>> m.step()
    >>> time_label(m)
    'Month 1 of 60 · 26 Dec 2024'
    """
    t = _now(model)
    text = f"Month {t}"
    horizon = getattr(model, "horizon", None)
    if horizon:
        text += f" of {horizon}"
    if model.world.as_of is not None:
        text += f" · {month_date(model.world.as_of, t):%d %b %Y}"
    return text


def metrics(model: AllianceModel) -> list[tuple[str, str, float, float | None]]:
    """The rows of the values panel: ``(css key, label, shocked value, baseline value)``.

    One row per bloc for need fulfilment, cohesion, giant component and actors alive (the
    model reporters of the last collect), then the watched supply pair and partnership if the
    world has them. The baseline value is ``None`` for a model without a baseline.

    Parameters
    ----------
    model : AllianceModel
        A :class:`DashboardModel` (with its baseline) or a plain model.

    Returns
    -------
    list of tuple
        ``(key, label, value, baseline value or None)`` per row.

    Examples
    --------
    >>> m = DashboardModel(rng=7, baseline=False)
    >>> m.step()
    >>> key, label, value, base = metrics(m)[0]
    >>> key, label, round(value, 3), base
    ('fulfilment-axis', 'Axis needs met (share)', 0.995, None)
    >>> [row[0] for row in metrics(m)][-2:]  # the watched pair and partnership
    ['delivered', 'strength']
    """
    base = getattr(model, "baseline", None)

    def last(m: AllianceModel, column: str) -> float:
        return float(m.datacollector.model_vars[column][-1])

    out = []
    for bloc in model.world.blocs:
        name = bloc.capitalize()
        for var in ("fulfilment", "cohesion", "giant", "alive"):
            col = outcome_name(var, bloc)
            out.append(
                (
                    f"{var}-{bloc}",
                    f"{name} {OUTCOME_KINDS[var].short_label()}",
                    last(model, col),
                    None if base is None else last(base, col),
                )
            )
    ids = set(model.world.ids)
    src, dst = WATCHED_SUPPLY
    if {src, dst} <= ids:
        out.append(
            (
                "delivered",
                f"Delivered {src}→{dst} last month",
                model.delivered(src, dst),
                None if base is None else base.delivered(src, dst),
            )
        )
    a, b = WATCHED_TIE
    if {a, b} <= ids:
        out.append(
            (
                "strength",
                f"Strength {a}–{b}",
                model.strength(a, b),
                None if base is None else base.strength(a, b),
            )
        )
    return out


def _fmt_diff(key: str, diff: float | None) -> str:
    if diff is None:
        return "—"
    text = f"{diff:+.0f}" if key.startswith("alive") else f"{diff:+.3f}"
    return "0" if float(text) == 0 else text


def _map_blocs(model: AllianceModel) -> tuple[str, ...]:
    """The blocs an actor can be in during a run: the world's, then ``neutral``."""
    blocs = tuple(model.world.blocs)
    return blocs if "neutral" in blocs else (*blocs, "neutral")


def _fmt(key: str, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if key.startswith("alive") else f"{value:.3f}"


# -- components -------------------------------------------------------------------------------


@solara.component
def ParamSlider(name: str, value: float, on_value: Any):
    """A :class:`ModelParams` slider: human name, value and units above it, the meaning below."""
    spec = slider_spec(name)
    with solara.Column(gap="0px", classes=[f"param-{name}"]) as col:
        solara.Text(
            f"{spec['label']}: {value:.3g} ({spec['units']})",
            classes=[f"param-label-{name}"],
            style={"font-weight": "500", "font-size": "0.9rem"},
        )
        solara.SliderFloat(
            "",
            value=value,
            min=spec["min"],
            max=spec["max"],
            step=spec["step"],
            on_value=on_value,
            thumb_label=False,
        )
        solara.Text(
            spec["doc"],
            style={"font-size": "0.75rem", "color": "#666", "margin-top": "-18px"},
        )
    return col


@solara.component
def NetworkMap(model: DashboardModel, version: int, layer: str, blocs: tuple[str, ...]):
    """The plotly map of the live model; only its actor and tie traces change on a step.

    One widget for the session: a model with another world replaces its traces (closing the
    widget instead would leave the browser's plotly sending to a closed channel).
    """
    element = go.FigureWidget.element()

    def rebuild():
        widget = solara.get_widget(element)
        widget._config = _PLOTLY_CONFIG  # a trait, but not a constructor argument
        figure = map_figure(model.world)
        old = len(widget.data)
        widget.add_traces(figure.data)
        widget.data = widget.data[old:]
        widget.layout = figure.layout

    def redraw():
        update_map(solara.get_widget(element), model, layer=layer, blocs=blocs)

    solara.use_effect(rebuild, [model.world.name, model.world.ids])
    solara.use_effect(redraw, [model.build, version, layer, blocs])
    return element


@solara.component
def SeriesChart(model: DashboardModel, version: int, bloc: str):
    """The bloc's series, shocked run and baseline, on a date axis."""
    element = go.FigureWidget.element()

    def build():
        widget = solara.get_widget(element)
        widget._config = _PLOTLY_CONFIG
        figure = series_figure()
        widget.layout = figure.layout
        widget.add_traces(figure.data)

    def redraw():
        base = model.baseline.datacollector.model_vars if model.baseline is not None else None
        update_series(
            solara.get_widget(element),
            model.datacollector.model_vars,
            base,
            bloc=bloc,
            as_of=model.world.as_of,
            shocks=model.shocks,
            until=model.horizon,
        )

    solara.use_effect(build, [])
    solara.use_effect(redraw, [model.build, version, bloc])
    return element


@solara.component
def ValuesPanel(model: DashboardModel, version: int):
    """Current values of both arms and their difference, with stable CSS classes per value."""
    head = [solara.v.Html(tag="th", children=[h]) for h in ("", "shocked", "baseline", "Δ")]
    rows = [solara.v.Html(tag="tr", children=head)]
    for key, label, value, base in metrics(model):
        diff = None if base is None else value - base
        cells = [
            solara.v.Html(tag="td", children=[label]),
            solara.v.Html(tag="td", children=[_fmt(key, value)], class_=f"metric-{key}"),
            solara.v.Html(tag="td", children=[_fmt(key, base)], class_=f"baseline-{key}"),
            solara.v.Html(
                tag="td",
                children=[_fmt_diff(key, diff)],
                class_=f"diff-{key}",
                style_="color: #D55E00" if _fmt_diff(key, diff) not in ("0", "—") else "",
            ),
        ]
        rows.append(solara.v.Html(tag="tr", children=cells))
    with solara.Card("Current values") as card:
        solara.v.SimpleTable(dense=True, children=[solara.v.Html(tag="tbody", children=rows)])
    return card


@solara.component
def Interventions(model: DashboardModel, version: int, on_change: Any):
    """Remove or restore an actor and cut a supply tie on the shocked run."""
    actors = list(model.world.ids)
    pairs = supply_pairs(model)
    actor, set_actor = solara.use_state("SYR" if "SYR" in actors else actors[0])
    pair, set_pair = solara.use_state(pairs[0] if pairs else "")
    message, set_message = solara.use_state("")
    error, set_error = solara.use_state("")

    def act(fn, arg):
        try:
            set_message(fn(model, arg))
            set_error("")
        except SimError as e:
            set_error(str(e))
            set_message("")
        on_change()

    with solara.Card("Interventions (shocked run only)") as card:
        solara.Select("Actor", values=actors, value=actor, on_value=set_actor)
        with solara.Row():
            solara.Button("Remove actor", color="error", on_click=lambda: act(remove_actor, actor))
            solara.Button("Restore actor", on_click=lambda: act(restore_actor, actor))
        if pairs:
            solara.Select("Supply tie", values=pairs, value=pair, on_value=set_pair)
            solara.Button(
                "Cut tie", color="warning", on_click=lambda: act(cut_tie, tuple(pair.split("→")))
            )
        if message:
            solara.Success(message, classes=["intervention-message"])
        if error:
            solara.Error(error, classes=["intervention-error"])
        if model.shocks:
            # Text, not Markdown: Markdown pulls KaTeX and Mermaid from a CDN (see app_assets)
            solara.Text(
                "Shocks on this run: "
                + "; ".join(f"{shock_label(s)} at month {s.at}" for s in model.shocks),
                classes=["shock-list"],
            )
    return card


@solara.component
def Page():
    """The dashboard; Solara renders it once per browser session, with that session's state.

    Examples
    --------
    Calling the component makes an element; Solara renders it (``solara run sim.app``):

    >>> element = Page()
    >>> element.component.name
    'Page'
    """
    first = solara.use_memo(DashboardModel, [])
    model: solara.Reactive[DashboardModel] = solara.use_reactive(first)
    version = solara.use_reactive(0)  # bumped after each step or intervention: redraws
    settings = solara.use_reactive(Settings())
    applied = solara.use_reactive(Settings())  # the settings the current model was built from
    playing = solara.use_reactive(False)
    problem = solara.use_reactive("")
    layer = solara.use_reactive("all")
    blocs = solara.use_reactive(_map_blocs(first))
    chart_bloc = solara.use_reactive(charted_bloc(first))
    lock = solara.use_memo(threading.Lock, [])
    m = model.value

    def step():
        with lock:
            model.value.step()
        version.value += 1

    def reset():
        playing.value = False
        try:
            new = settings.value.build()
        except SimError as e:
            problem.value = str(e)
            return
        problem.value = ""
        # what the new model was built from first, so the page never shows the new model
        # beside a "press Reset" hint
        applied.value = _settings_of(new, settings.value.seed)
        with lock:
            model.value = new
        blocs.value = _map_blocs(new)
        if chart_bloc.value not in new.world.blocs:
            chart_bloc.value = charted_bloc(new)
        version.value += 1

    def play_loop():
        while playing.value and model.value.time < model.value.horizon:
            step()
            time.sleep(0.15)
        playing.value = False

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def choose_scenario(name: str):
        try:
            settings.value = scenario_settings(settings.value, name)
            problem.value = ""
        except SimError as e:
            problem.value = str(e)

    def set_param(name: str, value: float):
        # round to the slider's grid: the browser sends binary fractions (0.060000000000000005)
        value = round(value, max(0, -math.floor(math.log10(slider_spec(name)["step"]))))
        settings.value = replace(settings.value, params={**settings.value.params, name: value})

    solara.Title("alliance-sim dashboard")
    with solara.AppBar():
        solara.AppBarTitle(f"alliance-sim · {m.world.name}")

    with solara.Sidebar():
        with solara.Card("Run"):
            with solara.Row(justify="space-between"):
                solara.Button("Reset", color="primary", on_click=reset)
                solara.Button(
                    "Pause" if playing.value else "Play",
                    color="primary",
                    on_click=lambda: playing.set(not playing.value),
                    # Play runs to the horizon; Step goes on past it
                    disabled=not playing.value and m.time >= m.horizon,
                )
                solara.Button("Step", color="primary", on_click=step, disabled=playing.value)
            solara.Text(time_label(m), classes=["metric-time"], style={"font-size": "1.1rem"})
            solara.Text(
                f"Scenario {m.scenario_name} · seed {m.seed}",
                classes=["run-identity"],
                style={"display": "block", "color": "#555"},
            )
            solara.Text(
                " · ".join(
                    f"{slider_spec(n)['label']} {getattr(m.params, n):.3g}" for n in SLIDER_PARAMS
                ),
                classes=["run-params"],
                style={"display": "block", "color": "#555", "font-size": "0.8rem"},
            )
            if problem.value:
                solara.Error(problem.value, classes=["setup-error"])
        with solara.Card("Setup (press Reset to apply)"):
            solara.Select(
                "Scenario",
                values=[NO_SCENARIO, *list_scenarios()],
                value=settings.value.scenario_name,
                on_value=choose_scenario,
            )
            solara.InputText(
                "Random seed (empty: a fresh one)",
                value=settings.value.seed,
                on_value=lambda s: settings.set(replace(settings.value, seed=s)),
            )
            for name in SLIDER_PARAMS:
                ParamSlider(
                    name,
                    settings.value.params[name],
                    on_value=lambda v, name=name: set_param(name, v),
                ).key(name)
            if settings.value != applied.value:
                solara.Warning("Settings changed: press Reset to apply", classes=["setup-pending"])

    with solara.Card("Network"):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.ToggleButtonsSingle(
                value=layer.value,
                values=list(LAYERS),
                on_value=layer.set,
                classes=["layer-select"],
            )
            solara.SelectMultiple(
                "Blocs shown",
                values=list(blocs.value),
                all_values=list(_map_blocs(m)),
                on_value=lambda bs: blocs.set(tuple(bs)),
                classes=["bloc-select"],
            )
        with solara.Div(classes=["network-map"]):
            NetworkMap(m, version.value, layer.value, blocs.value)
            _ResizeWatcher.element()
        solara.Text(
            "Drag to pan, scroll or box-zoom (toolbar) to zoom, double-click to reset; "
            "hover an actor or the middle of a tie for its values.",
            style={"font-size": "0.8rem", "color": "#666"},
        )
    with solara.Columns([3, 2]):
        with solara.Card("Over time"):
            solara.Select(
                "Bloc",
                values=list(m.world.blocs),
                value=chart_bloc.value,
                on_value=chart_bloc.set,
                classes=["chart-bloc"],
            )
            with solara.Div(classes=["series-chart"]):
                SeriesChart(m, version.value, chart_bloc.value)
                _ResizeWatcher.element()
        with solara.Column():
            ValuesPanel(m, version.value)
            Interventions(m, version.value, on_change=lambda: version.set(version.value + 1)).key(
                f"interventions-{m.build}"
            )
