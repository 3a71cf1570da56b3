"""The Solara dashboard: the alliance model live in a browser (``solara run sim/app.py``).

The page is Mesa's :func:`mesa.visualization.SolaraViz` around a :class:`DashboardModel`:

- the sidebar holds Mesa's controls (Reset, play/pause, Step) and the model's parameters:
  a shipped scenario (or none), the seed and a few :class:`sim.params.ModelParams` sliders whose
  ranges come from the fields' metadata; Reset rebuilds the model from them;
- the main grid holds the map of the network (:func:`sim.plotting.plot_world` of the live
  model), line charts of the charted bloc's fulfilment, cohesion and giant component (the
  world's first bloc, :func:`charted_bloc`: ``axis`` in the default world), a panel of
  current values, and the interventions: remove or restore an actor and cut a tie, applied to
  the live model as :mod:`sim.shocks` at the current time (so they show after the next step).

Sliders and a scenario's own ``[params]``: Mesa's SolaraViz sends every slider's value on
Reset, moved or not, and its sliders cannot be re-set from the page. So a slider counts as
*moved* when its value differs from its default (the ``ModelParams`` default it starts at):
a moved slider wins; a slider at its default leaves the scenario's value for that field (and
the default where the scenario sets none). To run a scenario with a field put back to its
``ModelParams`` default, nudge the slider one step off it.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import solara
from matplotlib.figure import Figure
from mesa.visualization import Slider, SolaraViz
from mesa.visualization.utils import force_update, update_counter

from sim.errors import Problem, SimError, ValidationError
from sim.model import AllianceModel
from sim.params import ModelParams
from sim.plotting import plot_world
from sim.scenario import list_scenarios, load_scenario
from sim.shocks import CutTie, RemoveState, Restore
from sim.worlds import load_world

__all__ = [
    "NO_SCENARIO",
    "SLIDER_PARAMS",
    "DashboardModel",
    "bloc_series",
    "charted_bloc",
    "cut_tie",
    "metrics",
    "model_params",
    "page",
    "remove_actor",
    "restore_actor",
    "slider_defaults",
    "supply_pairs",
]

#: The scenario select's entry for "the default world, no scheduled shocks".
NO_SCENARIO = "none"

#: The :class:`ModelParams` fields offered as sliders: the ones that most change a run.
SLIDER_PARAMS = (
    "tie_gain",
    "tie_decay",
    "volume_noise",
    "interdiction_rate",
    "stability_sensitivity",
    "collapse_threshold",
)


def slider_defaults() -> dict[str, float]:
    """The value each slider starts at: its :class:`ModelParams` default."""
    by_name = {f.name: f for f in fields(ModelParams)}
    return {name: float(by_name[name].default) for name in SLIDER_PARAMS}


#: The pair whose deliveries the seed story follows (Iran's land bridge to Hezbollah).
WATCHED_SUPPLY = ("IRN", "HEZ")
#: The partnership the seed story follows.
WATCHED_TIE = ("RUS", "IRN")


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
    """An :class:`AllianceModel` built from the dashboard's flat controls.

    Mesa's ``SolaraViz`` rebuilds the model on Reset as ``type(model)(**controls)``; this class
    turns those controls into a world, parameters and shocks.

    Parameters
    ----------
    scenario : str
        A shipped scenario (:func:`sim.scenario.list_scenarios`): its world, parameter
        overrides and shocks; or :data:`NO_SCENARIO` for the default world without shocks.
    rng : int or str or None
        The seed (the page's text box gives a string).
    **params
        :class:`ModelParams` fields. They override the scenario's own values, except a
        slider field (:data:`SLIDER_PARAMS`) at its default (:func:`slider_defaults`): that
        is a slider the user has not moved, so the scenario's value stands (see the module
        docstring).

    Raises
    ------
    ValidationError
        A seed that is not a non-negative integer, or parameters out of range.
    UnknownNameError
        An unknown scenario.
    """

    def __init__(self, scenario: str = NO_SCENARIO, rng: Any = 42, **params: Any):
        if scenario == NO_SCENARIO:
            world, shocks, overrides = load_world(), (), {}
        else:
            spec = load_scenario(scenario)
            world, shocks, overrides = spec.world, spec.shocks, dict(spec.params)
        untouched = slider_defaults()
        chosen = {
            k: v
            for k, v in params.items()
            if not (k in overrides and k in untouched and v == untouched[k])
        }
        super().__init__(
            world, params=ModelParams(**{**overrides, **chosen}), shocks=shocks, rng=_seed(rng)
        )
        self.scenario_name = scenario


# -- interventions on the live model ----------------------------------------------------------


def _now(model: AllianceModel) -> int:
    return int(model.time)


def remove_actor(model: AllianceModel, actor: str) -> str:
    """Remove `actor` from the live model at the current time; returns what was done.

    The removal takes effect in the next step (the shock contract: ``at=t`` acts before the
    supply phase of the step from t to t + 1).

    Raises
    ------
    ShockError, UnknownNameError
        Unknown actor, or an actor already removed.
    """
    model.index(actor)  # UnknownNameError with a suggestion
    if not model.alive(actor) or _pending_removal(model, actor) is not None:
        raise SimError(f"{actor} is already removed (or its removal is pending)")
    model.add_shock(RemoveState(actor, at=_now(model)))
    return f"{actor} removed at t = {_now(model)} (shows after the next step)"


def _pending_removal(model: AllianceModel, actor: str) -> RemoveState | None:
    for s in model.shocks:
        if isinstance(s, RemoveState) and s.target == actor and s.at >= model.time:
            return s
    return None


def restore_actor(model: AllianceModel, actor: str) -> str:
    """Undo the latest removal of `actor` (by the dashboard or by the scenario).

    Raises
    ------
    SimError
        The actor was never removed by a shock, or its removal has not taken effect yet.
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
            f"the removal of {actor} (at t = {last.at}) has not taken effect yet: step first"
        )
    model.add_shock(Restore(last, at=_now(model)))
    return f"{actor} restored at t = {_now(model)} (shows after the next step)"


def cut_tie(model: AllianceModel, pair: tuple[str, str]) -> str:
    """Cut every supply tie from ``pair[0]`` to ``pair[1]`` at the current time."""
    model.add_shock(CutTie(tuple(pair), at=_now(model)))
    return f"supply {pair[0]}→{pair[1]} cut at t = {_now(model)} (shows after the next step)"


def charted_bloc(model: AllianceModel) -> str:
    """The bloc the line chart follows: the world's first bloc (``axis`` in the default)."""
    return model.world.blocs[0]


def bloc_series(model: AllianceModel) -> tuple[str, Any]:
    """The charted bloc and its ``fulfilment``, ``cohesion`` and ``giant`` series so far.

    Returns
    -------
    (str, pandas.DataFrame)
        The bloc, and one row per collect with the columns ``fulfilment:B``, ``cohesion:B``
        and ``giant:B`` of that bloc ``B``.
    """
    bloc = charted_bloc(model)
    frame = model.datacollector.get_model_vars_dataframe()
    return bloc, frame[[f"{v}:{bloc}" for v in ("fulfilment", "cohesion", "giant")]]


def supply_pairs(model: AllianceModel) -> list[str]:
    """The directed supply pairs of the model's world as ``"SRC→DST"``, sorted, unique."""
    return sorted({f"{t.supplier}→{t.recipient}" for t in model.world.ties_in("supply")})


def metrics(model: AllianceModel) -> list[tuple[str, str]]:
    """The values the metric panel shows, as ``(css key, text)``, e.g. "Axis fulfilment: 0.93".

    One line per bloc for fulfilment, cohesion and giant component (the model reporters of
    the last collect), then the watched supply pair and partnership if the world has them.
    """
    row = model.datacollector.get_model_vars_dataframe().iloc[-1]
    out = [("time", f"Time: t = {_now(model)} months")]
    for bloc in model.world.blocs:
        name = bloc.capitalize()
        out += [
            (f"fulfilment-{bloc}", f"{name} fulfilment: {row[f'fulfilment:{bloc}']:.3f}"),
            (f"cohesion-{bloc}", f"{name} cohesion: {row[f'cohesion:{bloc}']:.3f}"),
            (f"giant-{bloc}", f"{name} giant component: {row[f'giant:{bloc}']:.3f}"),
            (f"alive-{bloc}", f"{name} actors alive: {row[f'alive:{bloc}']:.0f}"),
        ]
    ids = set(model.world.ids)
    src, dst = WATCHED_SUPPLY
    if {src, dst} <= ids:
        out.append(("delivered", f"Delivered {src}→{dst}: {model.delivered(src, dst):.2f}"))
    a, b = WATCHED_TIE
    if {a, b} <= ids:
        out.append(("strength", f"Strength {a}–{b}: {model.strength(a, b):.3f}"))
    return out


# -- components -------------------------------------------------------------------------------


def _map_component(model: AllianceModel):
    """The network map of the live model (re-rendered on every step via Mesa's wrapper)."""
    # a Figure, not pyplot: the server must not accumulate figures in pyplot's registry
    # wide and short like the map itself, with the legend below it, so the map spans the
    # whole cell; the Levant, where the seed story happens, gets a zoom inside the map
    fig = Figure(figsize=(9, 4.8), layout="constrained")
    plot_world(model, ax=fig.add_subplot(), fontsize=7, inset="auto")
    return solara.FigureMatplotlib(fig, format="png", bbox_inches="tight")


_SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73")  # Okabe-Ito blue, vermillion, green


def _bloc_chart(model: AllianceModel):
    """Line chart of the charted bloc's fulfilment, cohesion and giant component over time."""
    bloc, series = bloc_series(model)
    fig = Figure(figsize=(6, 3.6), layout="constrained")
    ax = fig.add_subplot()
    for (name, values), colour in zip(series.items(), _SERIES_COLOURS, strict=True):
        ax.plot(values.index, values.to_numpy(), color=colour, label=name, gid=f"series:{name}")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("month")
    ax.set_title(f"{bloc.capitalize()} bloc")
    ax.legend(loc="lower left", fontsize=8)
    return solara.FigureMatplotlib(fig, format="png", bbox_inches="tight")


def _metrics_component(model: AllianceModel):
    """Current values as plain text lines with stable CSS classes (the browser test reads them)."""
    with solara.Card("Current values") as card:
        for key, text in metrics(model):
            solara.Text(text, classes=[f"metric-{key}"], style={"display": "block"})
    return card


@solara.component
def Interventions(model: AllianceModel):
    """Remove or restore an actor and cut a supply tie on the live model."""
    update_counter.get()  # re-render after each step, like the components Mesa wraps
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
        force_update()

    with solara.Card("Interventions") as card:
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
                + "; ".join(f"{type(s).__name__} at t = {s.at}" for s in model.shocks),
                classes=["shock-list"],
            )
    return card


def model_params() -> dict[str, Any]:
    """Mesa ``model_params``: scenario select, seed box and :data:`SLIDER_PARAMS` sliders."""
    out: dict[str, Any] = {
        "scenario": {
            "type": "Select",
            "value": NO_SCENARIO,
            "values": [NO_SCENARIO, *list_scenarios()],
            "label": "Scenario",
        },
        "rng": {"type": "InputText", "value": "42", "label": "Random seed"},
    }
    by_name = {f.name: f for f in fields(ModelParams)}
    start = slider_defaults()  # DashboardModel reads a slider still here as "not moved"
    for name in SLIDER_PARAMS:
        f = by_name[name]
        lo, hi = f.metadata["range"]
        out[name] = Slider(
            label=name,
            value=start[name],
            min=float(lo),
            max=float(hi),
            step=(hi - lo) / 100,
        )
    return out


model = DashboardModel()
page = SolaraViz(
    model,
    components=[_map_component, _bloc_chart, _metrics_component, Interventions],
    model_params=model_params(),
    name="alliance-sim",
)
