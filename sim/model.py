"""AllianceModel: the Mesa model of an alliance network under shocks; one step is one month.

A step runs five phases in a fixed order:

1. the shocks due now (Mesa events scheduled with :meth:`mesa.Model.schedule_event`, run by
   Mesa's event list just before the step's own event);
2. supply (:mod:`sim.supply`): outputs flow along supply ties through open routes;
3. state update: capability and stability respond to fulfilment, allied support and rival
   pressure; actors below the stability threshold may collapse;
4. tie update (:mod:`sim.ties`): partnerships strengthen, decay, dissolve and form;
5. data collection.

Every actor's state lives in numpy arrays indexed by its position in ``world.actors``; agents
(:class:`sim.agents.StateAgent`) are thin views, so a month costs a few dozen vectorised
operations, linear in actors and ties. The arrays and the phases are those of the batched
engine (:mod:`sim.engine`) with one row: the model and the ensembles run the same code.
Equations: ``docs/model.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd
from mesa.time import Priority

from sim.agents import StateAgent
from sim.engine import NEUTRAL, SURGE_DEADBAND, Engine, LayerRow, RowOps, formalize_pairs, inspect
from sim.params import ModelParams
from sim.world import World

__all__ = [
    "NEUTRAL",
    "SURGE_DEADBAND",
    "AllianceModel",
    "ArrayCollector",
    "agent_reporters",
    "model_variables",
]

_INT_REPORTERS = ("alive", "collapses")


class AllianceModel(mesa.Model, RowOps):
    """An alliance network of states under shocks.

    Parameters
    ----------
    world : World
        Actors and ties (see :mod:`sim.world`).
    params : ModelParams, optional
        Model parameters (defaults: ``ModelParams()``).
    shocks : iterable of shocks, optional
        Shocks from :mod:`sim.shocks`, each scheduled at its ``at`` step.
    rng : numpy.random.Generator or int or None
        The model's one random stream. Four child streams (supply, state, ties, shocks) are
        spawned from it, so that a shock that draws random numbers does not shift the draws
        of the other phases: a shocked run and its baseline share common random numbers.

    Attributes
    ----------
    datacollector : ArrayCollector
        Frames in the layout of ``mesa.DataCollector`` (``get_model_vars_dataframe``,
        ``get_agent_vars_dataframe``), recorded into arrays for speed. Model variables
        ``alive:B``, ``fulfilment:B``, ``cohesion:B`` (the share of the bloc's partnership
        strength at t = 0 its pairs still hold), ``mean_strength:B`` (mean strength of the
        bloc's ties in force), ``giant:B`` per bloc ``B`` of the world and ``collapses``;
        agent variables ``actor``, ``bloc``, ``alive``, ``capability``,
        ``stability``, ``fulfilment``. Collected at time 0 and after each step.

    Examples
    --------
    >>> from sim.worlds import synthetic
    >>> m = AllianceModel(synthetic(30, mean_degree=3, rng=1), rng=2)
    >>> m.run_for(12)
    >>> m.time, len(m.datacollector.get_model_vars_dataframe())
    (12.0, 13)
    """

    def __init__(
        self,
        world: World,
        *,
        params: ModelParams | None = None,
        shocks: Iterable[Any] = (),
        rng: np.random.Generator | int | None = None,
    ):
        super().__init__(rng=rng)
        self.world = world
        self.params = params if params is not None else ModelParams()
        shocks = tuple(shocks)
        pos = {a.id: i for i, a in enumerate(world.actors)}
        self._engine = Engine(
            world, self.params, [self.rng], formalize_pairs=formalize_pairs(pos, shocks)
        )
        self._row = 0
        self.world_blocs = world.blocs
        self._columns = self._engine.model_variables()
        self._int_columns = [
            k for k, c in enumerate(self._columns) if c.split(":")[0] in _INT_REPORTERS
        ]
        self.state_agents = [StateAgent(self, i) for i in range(self.n)]
        self.agent_ids = [a.unique_id for a in self.state_agents]
        self.datacollector = ArrayCollector(self._columns, agent_reporters())
        self._triggers: list[_ShockTrigger] = []
        self.shocks: list[Any] = []
        for shock in shocks:
            self.add_shock(shock)
        self.datacollector.collect(self)

    # =====================================================================================
    # the step
    # =====================================================================================
    def step(self) -> None:
        """One month: supply, state update, tie update, data collection.

        Phase 1, the shocks due now, runs just before: shocks are Mesa events at their
        ``at`` time with default priority, after the step event of that time (high priority)
        and so before the next step.
        """
        self._engine.step()
        self.datacollector.collect(self)

    # =====================================================================================
    # the public read interface (the collector's and the shocks')
    # =====================================================================================
    def reports(self) -> dict[str, float]:
        """The model reporters now, ``{name: value}`` (the columns of the model frame)."""
        vals = self._engine.reports()[0].tolist()
        for k in self._int_columns:
            vals[k] = int(vals[k])
        return dict(zip(self._columns, vals, strict=True))

    def agent_state(self) -> tuple[np.ndarray, ...]:
        """Copies of every actor's ``bloc`` (index into ``bloc_names``), ``alive``,
        ``capability``, ``stability`` and ``fulfilment``."""
        eng = self._engine
        return (
            eng.bloc[0].copy(),
            eng.alive[0].copy(),
            eng.cap[0].copy(),
            eng.stab[0].copy(),
            eng.fulfil[0].copy(),
        )

    @property
    def collapses(self) -> int:
        """Endogenous collapses so far (shocks not counted)."""
        return int(self._engine.collapses[0])

    @property
    def partners(self) -> LayerRow:
        """The partnership ties (arrays over tie slot: ``a, b, s, active, ...``)."""
        return LayerRow(self._engine, 0)

    # =====================================================================================
    # inspection
    # =====================================================================================
    def index(self, actor: str) -> int:
        """Position of an actor; :class:`sim.errors.UnknownNameError` with a suggestion."""
        return self._engine.index_of(actor)

    def strength(self, a: str, b: str) -> float:
        """Current partnership strength between `a` and `b` (0 if there is none)."""
        return float(self._engine.strength(a, b)[0])

    def delivered(self, src: str, dst: str, commodity: str | None = None) -> float:
        """What `src` delivered to `dst` in the last step.

        Parameters
        ----------
        src, dst : str
            Supplier and recipient.
        commodity : str, optional
            One commodity: the volume in its own unit (:data:`sim.world.COMMODITIES`). None:
            the value of every commodity delivered, in USD million per month
            (:data:`sim.commodities.USD_PER_UNIT`), never a sum of unlike units.
        """
        return float(self._engine.delivered(src, dst, commodity)[0])

    def alive(self, actor: str) -> bool:
        """Whether the actor is still in play (not removed by a shock or a collapse)."""
        return bool(self._engine.alive[0, self.index(actor)])

    def capability(self, actor: str) -> float:
        """Current capability of the actor (0 once removed)."""
        return float(self._engine.cap[0, self.index(actor)])

    def fulfilment(self, actor: str) -> float:
        """Share of the actor's needs met last month (own output and imports), each need
        weighted by its value and importance; 1.0 for an actor that needs nothing."""
        return float(self._engine.fulfil[0, self.index(actor)])

    def import_dependence(self, actor: str) -> float:
        """Share of the actor's weighted needs met by imports at t = 0 (0 with no needs)."""
        i, net = self.index(actor), self.supply
        mine = net.need_actor == i
        w = net.need_weight[mine]
        if w.sum() <= 0:
            return 0.0
        own = net.domestic[i, net.need_commodity[mine]]
        imported = np.clip(1.0 - own / net.need_volume[mine], 0.0, 1.0)
        return float((w * imported).sum() / w.sum())

    def stability(self, actor: str) -> float:
        """Current stability of the actor."""
        return float(self._engine.stab[0, self.index(actor)])

    def bloc(self, actor: str) -> str:
        """The bloc the actor belongs to now."""
        return self.bloc_names[self._engine.bloc[0, self.index(actor)]]

    def to_networkx(self) -> nx.MultiDiGraph:
        """The current state as a world graph (the layout of :meth:`sim.world.World.to_networkx`).

        Returns
        -------
        networkx.MultiDiGraph
            Every actor is a node, removed ones included, with the world's attributes and its
            current ``bloc``, ``capability``, ``stability``, ``fulfilment`` and ``alive``.
            Edges are the ties in force: active partnerships at their current ``strength``
            (a tie formed during the run has ``kind="cooperation"`` and ``formed=True``), open
            supply ties (both ends alive, not cut) with last month's ``delivered`` and
            ``route_rank`` (the route it took: 0 the main route, ``r >= 1`` its r-th
            alternative, -1 none usable, e.g. transit blocked), and rivalries between alive
            actors. Graph attributes: ``time`` and ``bloc_size0``
            (bloc sizes at t = 0, the denominators of ``giant:B``).

        Notes
        -----
        The structural metrics then apply to the model as it is now: on this graph,
        :func:`sim.metrics.giant_component_fraction` (alive members of bloc ``B``,
        ``n=bloc_size0[B]``) and :func:`sim.metrics.mean_partnership_strength` equal the
        model's ``giant:B`` and ``cohesion:B`` reporters (tested).
        """
        G: nx.MultiDiGraph = nx.MultiDiGraph(name=self.world.name, time=float(self.time))
        eng = self._engine
        G.graph["bloc_size0"] = {
            b: int(k) for b, k in zip(self.bloc_names, eng.bloc_size0, strict=True)
        }
        for i, a in enumerate(self.world.actors):
            attrs = {f.name: getattr(a, f.name) for f in fields(a) if f.name != "id"}
            attrs.update(
                produces=dict(a.produces),
                needs=dict(a.needs),
                bloc=self.bloc_names[self._bloc[i]],
                capability=float(self._cap[i]),
                stability=float(self._stab[i]),
                fulfilment=float(self._fulfil[i]),
                alive=bool(self._alive[i]),
            )
            G.add_node(a.id, **attrs)
        ids, n_world = self.ids, eng.e0
        kinds = eng.rows[0].kinds
        for e in np.flatnonzero(eng.active[0]):
            i, j = int(eng.a[e]), int(eng.b[e])
            if e < n_world:
                t = eng.par_ties[e]
                attrs = {f.name: getattr(t, f.name) for f in fields(t)}
                attrs["formed"] = False
            else:
                attrs = {"a": ids[i], "b": ids[j], "kind": "cooperation", "layer": "partnership"}
                attrs.update(since=None, source="formed in the model run", formed=True)
            attrs["kind"] = kinds.get(e, attrs["kind"])
            attrs["strength"] = float(eng.s[0, e])
            G.add_edge(ids[i], ids[j], key="partnership", **attrs)
            G.add_edge(ids[j], ids[i], key="partnership", **attrs)
        alive, net = self._alive, self.supply
        open_ = alive[net.supplier] & alive[net.recipient] & (self._tie_cut == 0)
        for k, t in enumerate(self.world.ties_in("supply")):
            if open_[k]:
                attrs = {f.name: getattr(t, f.name) for f in fields(t)}
                attrs.update(
                    via=t.route.via,
                    delivered=float(self._delivered[k]),
                    route_rank=int(eng.route_rank[0, k]),
                )
                G.add_edge(t.supplier, t.recipient, key=f"supply:{t.commodity}", **attrs)
        for t in self.world.ties_in("rivalry"):
            if alive[self._pos[t.a]] and alive[self._pos[t.b]]:
                attrs = {f.name: getattr(t, f.name) for f in fields(t)}
                G.add_edge(t.a, t.b, key="rivalry", **attrs)
                G.add_edge(t.b, t.a, key="rivalry", **attrs)
        return G

    @property
    def delivered_array(self) -> np.ndarray:
        """Per supply tie (in ``world.ties_in('supply')`` order), last step's deliveries."""
        return self._engine.deliveries[0].copy()

    @property
    def output_array(self) -> np.ndarray:
        """Last step's output for export per actor and commodity (``supply.commodities``
        order), substitution surges included."""
        return self._engine.output[0].copy()

    # =====================================================================================
    # shocks (the named operations they use come from sim.engine.RowOps)
    # =====================================================================================
    def add_shock(self, shock: Any) -> None:
        """Validate `shock` against this model and schedule it at ``shock.at``.

        Raises
        ------
        ShockError
            Unknown actor, bloc or corridor, or a time in the past.
        """
        shock.validate(self)
        trigger = _ShockTrigger(self, shock)
        self._triggers.append(trigger)  # Mesa holds event callbacks by weak reference
        self.shocks.append(shock)
        self.schedule_event(trigger.fire, at=float(shock.at), priority=Priority.DEFAULT)


def _engine_row(name: str, doc: str) -> property:
    return property(lambda self: getattr(self._engine, name)[0], doc=doc)


def _engine_shared(name: str) -> property:
    return property(lambda self: getattr(self._engine, name))


# Row 0 of the engine's arrays under the names the shocks' validation and the tests read.
for _name, _attr in {
    "_pos": None,
    "_pair_ties": None,
    "_alive": "alive",
    "_bloc": "bloc",
    "_cap": "cap",
    "_stab": "stab",
    "_fulfil": "fulfil",
    "_fulfil0": "fulfil0",
    "_support0": "support0",
    "_pressure0": "pressure0",
    "_prod_mult": "prod_mult",
    "_cap_mult": "cap_mult",
    "_tie_cut": "tie_cut",
    "_route_closed": "route_closed",
    "_blocking": "blocking",
    "_delivered": "deliveries",
}.items():
    if _attr is None:  # shared by every row
        setattr(AllianceModel, _name, _engine_shared(_name[1:]))
    else:
        setattr(AllianceModel, _name, _engine_row(_attr, f"Row 0 of the engine's ``{_attr}``."))


class _ShockTrigger:
    """Holds a shock and its model so Mesa's weakly referenced callback stays alive."""

    def __init__(self, model: AllianceModel, shock: Any):
        self.model = model
        self.shock = shock

    def fire(self) -> None:
        self.model._engine.apply_shock(0, self.shock, self.model)


# -- reporters (module level, so models pickle) ---------------------------------------------


class ArrayCollector:
    """Data collection into numpy arrays, with Mesa's ``DataCollector`` frame layout.

    Mesa's ``DataCollector`` calls one Python function per agent and reporter at every
    collect and deep-copies model values; on the default world that was about half the run
    time. This collector copies the model's state arrays once per collect (a few microseconds)
    and builds the same frames on demand: :meth:`get_model_vars_dataframe` (one row per
    collect, columns = model reporters, a RangeIndex like Mesa's) and
    :meth:`get_agent_vars_dataframe` (MultiIndex ``Step``, ``AgentID``; columns = agent
    reporters).

    It reads the model only through its public interface: :meth:`AllianceModel.reports`,
    :meth:`AllianceModel.agent_state`, ``ids``, ``agent_ids`` and ``bloc_names``, and the
    inspection methods for `outcomes`.

    Parameters
    ----------
    model_vars : sequence of str
        Names of the model variables, in column order.
    agent_vars : sequence of str
        Names of the agent variables (see :func:`agent_reporters`).
    outcomes : sequence of str
        Outcomes that are not reporters (``strength:A-B``, ``delivered:A->B[:COMMODITY]``,
        ``capability:A``), read through the inspection API at every collect and appended as
        model-frame columns: they show the state the reporters show (row t + 1 is the
        first to show a shock at t).

    Examples
    --------
    >>> from sim.model import AllianceModel, ArrayCollector
    >>> from sim.worlds import synthetic
    >>> m = AllianceModel(synthetic(8, mean_degree=2, rng=1), rng=2)
    >>> c = ArrayCollector(["alive:axis", "fulfilment:axis"], ["actor", "fulfilment"],
    ...                    outcomes=["capability:A00000"])
    >>> c.collect(m)
    >>> m.run_for(2)
    >>> c.collect(m)
    >>> c.get_model_vars_dataframe().round(3).to_dict("list")
    {'alive:axis': [3, 3], 'fulfilment:axis': [0.963, 0.947], 'capability:A00000': [0.116, 0.116]}
    >>> c.get_agent_vars_dataframe().shape  # 2 collects x 8 actors, 2 agent variables
    (16, 2)
    """

    def __init__(
        self, model_vars: Iterable[str], agent_vars: Iterable[str], outcomes: Iterable[str] = ()
    ):
        self.model_reporters = {name: name for name in model_vars}
        self.agent_reporters = {name: name for name in agent_vars}
        self.outcomes = [o for o in outcomes if o not in self.model_reporters]
        self._rows: list[list[float]] = []
        self._times: list[float] = []
        self._agent: list[tuple[np.ndarray, ...]] = []

    def collect(self, model: AllianceModel) -> None:
        """Record the model variables and the agents' state at ``model.time``."""
        self._times.append(float(model.time))
        report = model.reports()
        row = [report[k] for k in self.model_reporters]
        if self.outcomes:
            got = inspect(model, self.outcomes)
            row += [got[k] for k in self.outcomes]
        self._rows.append(row)
        self._agent.append(model.agent_state())
        self._ids = model.ids
        self._uids = model.agent_ids
        self._bloc_names = model.bloc_names

    @property
    def model_vars(self) -> dict[str, list]:
        """Model variables as ``{name: [value per collect]}`` (Mesa's attribute)."""
        cols = [*self.model_reporters, *self.outcomes]
        return {c: [r[k] for r in self._rows] for k, c in enumerate(cols)}

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """One row per collect (time 0, 1, ...), one column per model variable (then one per
        inspected outcome)."""
        return pd.DataFrame(self._rows, columns=[*self.model_reporters, *self.outcomes])

    def get_agent_vars_dataframe(self) -> pd.DataFrame:
        """One row per collect and agent; index ``(Step, AgentID)`` as in Mesa."""
        n = len(self._ids)
        t = len(self._times)
        if t == 0:
            return pd.DataFrame(columns=list(self.agent_reporters))
        bloc, alive, cap, stab, ful = (np.concatenate(x) for x in zip(*self._agent, strict=True))
        index = pd.MultiIndex.from_arrays(
            [np.repeat(self._times, n), np.tile(self._uids, t)], names=["Step", "AgentID"]
        )
        data = {
            "actor": np.tile(np.array(self._ids, dtype=object), t),
            "bloc": np.array(self._bloc_names, dtype=object)[bloc],
            "alive": alive,
            "capability": cap,
            "stability": stab,
            "fulfilment": ful,
        }
        return pd.DataFrame({k: data[k] for k in self.agent_reporters}, index=index)


def model_variables(model: AllianceModel) -> list[str]:
    """Names of the model variables of `model`, in column order (see the class docstring).

    Parameters
    ----------
    model : AllianceModel

    Returns
    -------
    list of str
        Per bloc ``alive:B``, ``fulfilment:B``, ``cohesion:B``, ``mean_strength:B`` and
        ``giant:B`` (blocs in world order), then ``collapses``.

    Examples
    --------
    >>> from sim.model import AllianceModel, model_variables
    >>> from sim.worlds import synthetic
    >>> names = model_variables(AllianceModel(synthetic(8, mean_degree=2, rng=1), rng=2))
    >>> names[:5]
    ['alive:axis', 'fulfilment:axis', 'cohesion:axis', 'mean_strength:axis', 'giant:axis']
    >>> names[-1], len(names)  # 3 blocs x 5, then collapses
    ('collapses', 16)
    """
    return model._engine.model_variables()


def agent_reporters() -> dict[str, str]:
    """The agent reporters: attributes of :class:`sim.agents.StateAgent`.

    Returns
    -------
    dict of str to str
        Column name -> attribute name (the same), in the agent frame's column order.

    Examples
    --------
    >>> from sim.model import agent_reporters
    >>> list(agent_reporters())
    ['actor', 'bloc', 'alive', 'capability', 'stability', 'fulfilment']
    """
    return {k: k for k in ("actor", "bloc", "alive", "capability", "stability", "fulfilment")}
