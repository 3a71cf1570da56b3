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
operations, linear in actors and ties. Equations: ``docs/model.md``.
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

from sim import metrics
from sim.agents import StateAgent
from sim.errors import ShockError, suggest
from sim.params import ModelParams
from sim.supply import SupplyNetwork, capped_share, deliver, surge_targets
from sim.ties import (
    DEFENCE_KINDS,
    KIND_STRENGTH,
    STEADY_MAX,
    PartnershipLayer,
    _logit,
    allied_support,
    anchor,
    drive,
    formation_candidates,
    log_drivers,
    logodds_targets,
    relax_strengths,
    rival_pressure,
    tie_drivers,
    update_strengths,
)
from sim.world import World

__all__ = ["NEUTRAL", "AllianceModel", "ArrayCollector", "agent_reporters", "model_variables"]

#: The bloc an actor joins when it turns neutral.
NEUTRAL = "neutral"

#: Shortfalls smaller than this share of a need draw no substitution: supply planners act on
#: a lost supplier or route, not on a month's noise (which is 10 % by default).
SURGE_DEADBAND = 0.02


class AllianceModel(mesa.Model):
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
        p = self.params
        actors = world.actors
        n = len(actors)
        self.n = n
        self.ids = world.ids
        self._pos = {a.id: i for i, a in enumerate(actors)}
        self.world_blocs = world.blocs
        self.bloc_names = list(world.blocs) + ([NEUTRAL] if NEUTRAL not in world.blocs else [])
        bloc_of = {b: k for k, b in enumerate(self.bloc_names)}
        self._bloc = np.array([bloc_of[a.bloc] for a in actors], dtype=np.intp)
        self._bloc0 = self._bloc.copy()
        self._bloc_size0 = np.bincount(self._bloc0, minlength=len(self.bloc_names))
        if p.defect_bloc and p.defect_bloc not in self.bloc_names:
            raise ShockError(
                f"ModelParams.defect_bloc {p.defect_bloc!r} is not a bloc of world "
                f"{world.name!r}; allowed: {', '.join(self.bloc_names)}"
                + (f"; {h}" if (h := suggest(p.defect_bloc, self.bloc_names)) else "")
            )

        self._cap0 = np.array([a.capability for a in actors], dtype=float)
        self._stab0 = np.array([a.stability for a in actors], dtype=float)
        self._cap = self._cap0.copy()
        self._stab = self._stab0.copy()
        self._alive = np.ones(n, dtype=bool)
        self._cap_mult = np.ones(n)
        self._prod_mult = np.ones(n)
        self._blocking = np.zeros(n, dtype=np.intp)  # BlockTransit counters
        # Degrade factors in force per (multiplier, actor), by token: a Restore removes its own
        # factor and recomputes the product, so stacked degradations undo in any order.
        self._factors: dict[tuple[str, int], dict[int, float]] = {}
        self._n_factors = 0
        self._cap_refund = np.zeros(n)  # capability cuts restored while the actor was dead
        # Partnerships a Restore could not reactivate because the partner is dead, by that
        # partner: they return when it does.
        self._dormant: dict[int, list[tuple[int, float]]] = {}
        self.collapses = 0
        self._realigned = False  # any actor changed bloc (transit hostility check)

        # -- supply ------------------------------------------------------------------------
        net = SupplyNetwork.from_world(world)
        self.supply = net
        self._tie_cut = np.zeros(net.n_ties, dtype=np.intp)
        self._route_closed = np.zeros(len(net.route_tie), dtype=np.intp)
        self._prod_i, self._prod_c = np.nonzero(net.production > 0)
        self._n_needs = np.bincount(net.need_actor, minlength=n)
        self._need_w = np.bincount(net.need_actor, weights=net.need_weight, minlength=n)
        self._has_needs = (self._n_needs > 0) & (self._need_w > 0)
        self._pair_ties: dict[tuple[int, int], list[int]] = {}
        for k, (i, j) in enumerate(zip(net.supplier, net.recipient, strict=True)):
            self._pair_ties.setdefault((int(i), int(j)), []).append(k)

        # -- rivalry and partnership -------------------------------------------------------
        riv = world.ties_in("rivalry")
        self._ra = np.array([self._pos[t.a] for t in riv], dtype=np.intp)
        self._rb = np.array([self._pos[t.b] for t in riv], dtype=np.intp)
        self._ri = np.array([t.intensity for t in riv], dtype=float)
        par = world.ties_in("partnership")
        self._par_ties = par  # the world's partnership ties: tie index e < len(par)
        # A tie given at 1.0 starts at STEADY_MAX, the strongest steady state of eq. 10, so
        # that the observed world is an equilibrium (else such ties drop by tie_decay at once).
        self.partners = PartnershipLayer(
            [self._pos[t.a] for t in par],
            [self._pos[t.b] for t in par],
            [min(t.strength, STEADY_MAX) for t in par],
            damp=[p.treaty_damping if t.kind in DEFENCE_KINDS else 1.0 for t in par],
        )
        # Kind of each tie in force, by tie index (Formalize changes them; formed ties are
        # "cooperation").
        self._kinds: dict[int, str] = {e: t.kind for e, t in enumerate(par)}
        lay0 = self.partners
        same = self._bloc0[lay0.a] == self._bloc0[lay0.b]
        self._coh_group0 = np.where(same, self._bloc0[lay0.a], -1)
        self._coh_s0 = lay0.s.copy()
        self._supply_tie_e = np.full(net.n_ties, -1, dtype=np.intp)
        for e in range(len(self.partners)):
            self._map_supply_to_tie(e)
        # Trade follows the tie: a supply tie's volume scales with the partnership between its
        # ends relative to t = 0 (ties with no partnership then keep their volume).
        e0 = self._supply_tie_e
        self._trade_e = e0.copy()
        self._trade_s0 = np.zeros(net.n_ties)
        self._trade_s0[e0 >= 0] = self.partners.s[e0[e0 >= 0]]
        self._surge = np.zeros(net.n_ties)
        self._disturbed = False  # a shock or a collapse has happened (substitution can start)
        self._dispatched = np.zeros(net.n_ties)
        ci, cj = formation_candidates(n, self._ra, self._rb)
        self._cand_i, self._cand_j = ci, cj
        self._cand_e = np.array(
            [self.partners.index.get((int(i), int(j)), -1) for i, j in zip(ci, cj, strict=True)],
            dtype=np.intp,
        )

        # -- random streams (see the class docstring) ---------------------------------------
        self._rng_supply, self._rng_state, self._rng_ties, self.shock_rng = self.rng.spawn(4)

        # -- initial equilibrium: the observed world is taken as the steady state -----------
        # Anchors are expectations over `anchor_draws` noisy first months (from a stream of
        # their own), so that supply noise does not bias the baseline away from the data.
        self._reanchor = np.zeros(n, dtype=bool)
        self._delivered = self._supply(noise=False)
        self._support0 = allied_support(self.partners, self._cap)
        self._pressure0 = rival_pressure(self._ra, self._rb, self._ri, self._cap)
        rng_anchor = self.rng.spawn(1)[0]
        draws = max(1, p.anchor_draws) if p.volume_noise > 0 or p.interdiction_rate > 0 else 1
        f_sum, d_draws = np.zeros(n), np.zeros((draws, len(self.partners)))
        ld_sum = np.zeros((len(self.partners), 3))
        delivered_sum = np.zeros(self.supply.n_ties)
        for k in range(draws):
            delivered_sum += self._supply(noise=draws > 1, rng=rng_anchor)
            f_sum += self._fulfil
            drivers = self._drivers()
            d_draws[k] = drive(p, *drivers)
            ld_sum += log_drivers(p, *drivers)
        self._fulfil0 = f_sum / draws
        self.partners.base = anchor(p, self.partners.s, d_draws)
        self.partners.ell0 = ld_sum / draws
        self._imports0 = self._planned_imports()  # what substitution restores
        self._supply(noise=False)  # routes and output as the data give them
        # Row 0 reports an expected month, like every later row on average: noise is
        # mean-preserving but deliveries are capped at the tie's volume, so a noise-free
        # row 0 would sit above the baseline and show a drop at t = 1 that no shock caused.
        self._delivered = delivered_sum / draws
        self._fulfil = self._fulfil0.copy()

        # -- agents, data, shocks ------------------------------------------------------------
        self.state_agents = [StateAgent(self, i) for i in range(n)]
        self._topo_version = 0
        self._giant_cache: tuple[int, np.ndarray] | None = None
        self.datacollector = ArrayCollector(model_variables(self), agent_reporters())
        self._applied: dict[Any, list[list[tuple]]] = {}
        self._triggers: list[_ShockTrigger] = []
        self.shocks: list[Any] = []
        for shock in shocks:
            self.add_shock(shock)
        self._collect()

    # =====================================================================================
    # the step
    # =====================================================================================
    def step(self) -> None:
        """One month: supply, state update, tie update, data collection.

        Phase 1, the shocks due now, runs just before: shocks are Mesa events at their
        ``at`` time with default priority, after the step event of that time (high priority)
        and so before the next step.
        """
        self._delivered = self._supply(noise=True)
        self._update_surges()
        self._update_states()
        self._update_ties()
        self._collect()

    # -- phase 2: supply --------------------------------------------------------------------
    def _supply(self, *, noise: bool, rng: np.random.Generator | None = None) -> np.ndarray:
        p, net = self.params, self.supply
        rng = self._rng_supply if rng is None else rng
        alive = self._alive
        ratio = np.divide(self._cap, self._cap0, out=np.ones(self.n), where=self._cap0 > 0)
        scale = self._prod_mult * alive * ratio**p.production_elasticity
        output = np.zeros_like(net.production)
        vals = net.production[self._prod_i, self._prod_c] * scale[self._prod_i]
        if noise:
            z = rng.standard_normal(len(vals))
            sd = p.volume_noise
            vals = vals * np.exp(sd * z - 0.5 * sd * sd)  # mean-preserving lognormal
            uniform = rng.random(net.n_ties)
        else:
            uniform = None
        output[self._prod_i, self._prod_c] = vals
        self._output = output
        # Own output for own use follows the production multiplier (a strike on the industry)
        # but not capability, which it feeds: scaling it with capability too would make a
        # state's forces shrink because they shrank. Noise-free: a state's own production
        # lines are steadier than the shipments abroad that the supply noise stands for.
        self._domestic_out = net.domestic * (self._prod_mult * alive)[:, None]
        tie_open = alive[net.supplier] & alive[net.recipient] & (self._tie_cut == 0)
        passable = alive & (self._blocking == 0)
        tie_passable = None
        if self._realigned:
            # A transit actor that has changed sides closes its territory to traffic of
            # suppliers outside its new bloc.
            hop_sup = net.supplier[net.route_tie[net.hop_route]]
            h = net.hop_actor
            tie_passable = (self._bloc[h] == self._bloc0[h]) | (
                self._bloc[h] == self._bloc[hop_sup]
            )
        taken = np.empty(net.n_ties, dtype=np.intp)
        volume = self._volumes()
        # A surge draws on spare output beyond the supplier's nominal exports.
        if self._surge.any():
            output = output.copy()
            np.add.at(output, (net.supplier, net.commodity), np.where(tie_open, self._surge, 0.0))
        self._output = output
        delivered, dispatched = deliver(
            net,
            output=output,
            tie_open=tie_open,
            passable=passable,
            route_open=self._route_closed == 0,
            tie_passable=tie_passable,
            uniform=uniform,
            interdiction_rate=p.interdiction_rate if noise else 0.0,
            direct_rate=p.direct_interdiction_rate if noise else 0.0,
            route_out=taken,
            volume=volume,
        )
        self._route_rank = np.where(taken >= 0, net.route_rank[taken], -1)
        self._tie_open = tie_open
        self._dispatched = dispatched
        self._received_share(delivered)
        return delivered

    def _volumes(self) -> np.ndarray:
        """This month's volume of every supply tie: nominal, scaled by the partnership between
        its ends relative to t = 0 (bounded in [0, 2]), plus any substitution surge."""
        net, p = self.supply, self.params
        vol = net.volume
        e = self._trade_e
        has = (e >= 0) & (self._trade_s0 > 0)
        if has.any() and p.trade_elasticity > 0 and p.tie_model != "inertia":
            ratio = self.partners.s[e[has]] / self._trade_s0[has]
            vol = vol.copy()
            vol[has] *= np.minimum(ratio**p.trade_elasticity, 2.0)
        return vol + self._surge

    def _update_surges(self) -> None:
        """Substitution: recipients ask other partners that supply the same commodity on open
        main routes to make up the shortfall (against the planned share at t = 0) of the
        needs they lost; each surge moves ``substitution_rate`` of the way to its target."""
        p, net = self.params, self.supply
        if p.substitution_rate <= 0 or net.n_ties == 0 or not self._disturbed:
            # Planners act on a lost supplier or route: before any shock or collapse the
            # structure is the planned one and there is nothing to make up (skipping the
            # planner's noise-free delivery here halves the cost of a baseline month).
            return
        # The shortfall a planner sees: noise-free imports in the current structure, against
        # those planned at t = 0. Lost own output is not made up by partners: arming a state
        # whose industry was struck is a commitment, not a trade.
        planned = self._planned_imports()
        gap = np.maximum(self._imports0 - planned - SURGE_DEADBAND * net.need_volume, 0.0)
        e = self._supply_tie_e
        lay = self.partners
        partnered = e >= 0
        partnered[partnered] = lay.active[e[partnered]]
        eligible = self._tie_open & (self._route_rank == 0) & partnered
        pull = np.zeros(net.n_ties)
        pull[partnered] = lay.s[e[partnered]] * net.volume[partnered]
        shipped = np.zeros_like(self._output)
        np.add.at(shipped, (net.supplier, net.commodity), self._dispatched)
        spare = np.maximum(self._output - shipped, 0.0) + p.surge_capacity * self._domestic_out
        target = surge_targets(net, shortfall=gap, eligible=eligible, pull=pull, spare=spare)
        self._surge += p.substitution_rate * (target - self._surge)
        self._surge[~eligible] = 0.0

    def _planned_imports(self) -> np.ndarray:
        """Imports of each need this month without noise or surges (the planner's view)."""
        net = self.supply
        surge, self._surge = self._surge, np.zeros_like(self._surge)
        try:
            delivered, _ = deliver(
                net,
                output=self._output_nominal(),
                tie_open=self._tie_open,
                passable=self._alive & (self._blocking == 0),
                route_open=self._route_closed == 0,
                volume=self._volumes(),
            )
        finally:
            self._surge = surge
        return self._imports(delivered)

    def _imports(self, delivered: np.ndarray) -> np.ndarray:
        net = self.supply
        m = net.tie_need
        ok = m >= 0
        return np.bincount(m[ok], weights=delivered[ok], minlength=len(net.need_volume))

    def _output_nominal(self) -> np.ndarray:
        p, net = self.params, self.supply
        ratio = np.divide(self._cap, self._cap0, out=np.ones(self.n), where=self._cap0 > 0)
        scale = self._prod_mult * self._alive * ratio**p.production_elasticity
        return net.production * scale[:, None]

    def _shares(self, delivered: np.ndarray) -> np.ndarray:
        """Share of each need met by `delivered` plus the actor's own output."""
        net = self.supply
        m = net.tie_need
        ok = m >= 0
        recv = np.bincount(m[ok], weights=delivered[ok], minlength=len(net.need_volume))
        recv = recv + self._domestic_out[net.need_actor, net.need_commodity]
        return capped_share(recv, net.need_volume)

    def _received_share(self, delivered: np.ndarray) -> None:
        """Fulfilment per actor and the per-tie share of the recipient's needs it covers.

        An actor's fulfilment is the mean share of its needs met (own output plus imports),
        each need weighted by its value in USD times the commodity's importance
        (:mod:`sim.commodities`), so a commodity counts by what it is worth to the army.
        """
        net = self.supply
        m = net.tie_need
        ok = m >= 0
        # capped_share: a subnormal declared need must not overflow the division
        share = self._shares(delivered)
        w = net.need_weight
        f = np.bincount(net.need_actor, weights=w * share, minlength=self.n)
        self._fulfil = np.where(self._has_needs, f / np.maximum(self._need_w, 1e-300), 1.0)
        contrib = np.zeros(net.n_ties)
        if ok.any():
            contrib[ok] = (
                capped_share(delivered[ok], net.need_volume[m[ok]])
                * w[m[ok]]
                / np.maximum(self._need_w[net.recipient[ok]], 1e-300)
            )
        self._contrib = contrib

    # -- phase 3: state update --------------------------------------------------------------
    def _update_states(self) -> None:
        p = self.params
        alive = self._alive
        support = allied_support(self.partners, self._cap)
        pressure = rival_pressure(self._ra, self._rb, self._ri, self._cap)
        if self._reanchor.any():
            r = self._reanchor
            self._fulfil0[r], self._support0[r], self._pressure0[r] = (
                self._fulfil[r],
                support[r],
                pressure[r],
            )
            self._reanchor[:] = False
        power0 = self._cap0 + self._support0 + 1e-9
        # Materiel: the share of needs met (own output and imports) moves capability; allies
        # and rivals move security, and so stability, but not the actor's own forces.
        materiel = p.need_weight * (self._fulfil - self._fulfil0)
        x = (
            materiel
            + p.support_weight * (support - self._support0) / power0
            - p.pressure_weight * (pressure - self._pressure0) / power0
        )
        cap_target = np.clip(self._cap0 * self._cap_mult * (1.0 + materiel), 0.0, 1.0)
        stab_target = np.clip(self._stab0 * (1.0 + p.stability_sensitivity * x), 0.0, 1.0)
        z = self._rng_state.standard_normal(self.n)
        u = self._rng_state.random(self.n)
        self._cap += p.capability_rate * (cap_target - self._cap)
        self._stab += p.stability_rate * (stab_target - self._stab) + p.stability_noise * z
        np.clip(self._stab, 0.0, 1.0, out=self._stab)
        self._cap[~alive] = 0.0
        self._stab[~alive] = 0.0
        falling = alive & (self._stab < p.collapse_threshold) & (u < p.collapse_prob)
        for i in np.flatnonzero(falling):
            self._collapse(int(i))

    def _collapse(self, i: int) -> None:
        """A regime collapse; its fate is ``params.collapse_fate``."""
        self.collapses += 1
        self._disturbed = True
        fate = self.params.collapse_fate
        if fate == "removed":
            self.kill(i)
        else:
            to = NEUTRAL if fate == "neutral" else self._defect_target(i)
            self.realign(i, to)
            self._stab[i] = self._stab0[i]  # a new regime starts afresh

    def _defect_target(self, i: int) -> str:
        if self.params.defect_bloc:
            return self.params.defect_bloc
        pull = np.zeros(len(self.bloc_names))
        for a, b, w in ((self._ra, self._rb, self._ri), (self._rb, self._ra, self._ri)):
            sel = a == i
            np.add.at(pull, self._bloc[b[sel]], w[sel] * self._cap[b[sel]])
        pull[self._bloc[i]] = 0.0
        return self.bloc_names[int(np.argmax(pull))] if pull.max() > 0 else NEUTRAL

    # -- phase 4: tie update ----------------------------------------------------------------
    def _drivers(self):
        lay = self.partners
        support = allied_support(lay, self._cap)
        pressure = rival_pressure(self._ra, self._rb, self._ri, self._cap)
        cover_a, cover_b = self._covers()
        self._support_now, self._pressure_now = support, pressure
        return tie_drivers(
            lay,
            cap=self._cap,
            support=support,
            pressure=pressure,
            fulfilment=self._fulfil,
            cover_a=cover_a,
            cover_b=cover_b,
        )

    def _covers(self) -> tuple[np.ndarray, np.ndarray]:
        lay, net = self.partners, self.supply
        e = self._supply_tie_e
        ok = e >= 0
        to_a = ok.copy()
        to_a[ok] = net.recipient[ok] == lay.a[e[ok]]
        to_b = ok & ~to_a
        n_e = len(lay)
        cover_a = np.bincount(e[to_a], weights=self._contrib[to_a], minlength=n_e)
        cover_b = np.bincount(e[to_b], weights=self._contrib[to_b], minlength=n_e)
        return cover_a, cover_b

    def _update_ties(self) -> None:
        p, lay = self.params, self.partners
        if p.tie_model == "inertia":
            return  # the null model: strengths never change and no tie forms
        drivers = self._drivers()
        if p.tie_model == "anchor":
            gone = update_strengths(lay, p, drive(p, *drivers))
        else:
            gone = relax_strengths(lay, p, logodds_targets(lay, p, log_drivers(p, *drivers)))
        if gone.any():
            self._topo_version += 1
        u = self._rng_ties.random(len(self._cand_i))
        if p.formation_rate <= 0 or len(u) == 0:
            return
        ci, cj, ce = self._cand_i, self._cand_j, self._cand_e
        tied = ce >= 0
        tied[tied] = lay.active[ce[tied]]
        free = self._alive[ci] & self._alive[cj] & ~tied
        sup, prs, cap = self._support_now, self._pressure_now, self._cap
        x = (prs[ci] + prs[cj]) / (cap[ci] + cap[cj] + sup[ci] + sup[cj] + 1e-9)
        new = free & (u < p.formation_rate * x / (1.0 + x))
        formed = []
        for c in np.flatnonzero(new):
            e = lay.add(int(ci[c]), int(cj[c]), p.formation_strength)
            self._cand_e[c] = e
            self._map_supply_to_tie(e)
            self._topo_version += 1
            formed.append(e)
        if formed:
            self._baseline_ties(np.array(formed))

    def _baseline_ties(self, ties: np.ndarray) -> None:
        """Make the current strengths of `ties` their steady state under today's drivers.

        A new partnership, like an observed one, starts at a steady state of its own drivers
        and then moves only as they change (with no residual, an ``"anchor"`` tie would rush
        to near 1 on the shared threat alone).
        """
        p, lay = self.params, self.partners
        drivers = self._drivers()
        lay.base[ties] = anchor(p, lay.s[ties], drive(p, *drivers)[ties])
        lay.ell0[ties] = log_drivers(p, *drivers)[ties]
        lay.logit0[ties] = _logit(np.minimum(lay.s[ties], STEADY_MAX))

    def _map_supply_to_tie(self, e: int) -> None:
        i, j = int(self.partners.a[e]), int(self.partners.b[e])
        for k in (*self._pair_ties.get((i, j), ()), *self._pair_ties.get((j, i), ())):
            self._supply_tie_e[k] = e

    # -- phase 5: data collection -----------------------------------------------------------
    def _collect(self) -> None:
        self._report = self._reports()
        self.datacollector.collect(self)

    def _reports(self) -> dict[str, float]:
        """The model reporters: the array-level definitions of :mod:`sim.metrics`."""
        nb, ng = len(self.world_blocs), len(self.bloc_names)
        bloc, alive, lay = self._bloc, self._alive, self.partners
        n_alive = np.bincount(bloc[alive], minlength=ng)
        fulfil = metrics.group_means(self._fulfil, bloc, ng, mask=alive & self._has_needs)
        mean_s = metrics.group_mean_strength(lay.a, lay.b, lay.s, bloc, ng, active=lay.active)
        e0 = len(self._coh_s0)
        cohesion = metrics.retained_strength(
            np.where(lay.active[:e0], lay.s[:e0], 0.0), self._coh_s0, self._coh_group0, ng
        )
        giant = self._giant()
        out: dict[str, float] = {}
        for k in range(nb):
            name = self.bloc_names[k]
            out[f"alive:{name}"] = int(n_alive[k])
            out[f"fulfilment:{name}"] = float(fulfil[k])
            out[f"cohesion:{name}"] = float(cohesion[k])
            out[f"mean_strength:{name}"] = float(mean_s[k])
            out[f"giant:{name}"] = float(giant[k])
        out["collapses"] = self.collapses
        return out

    def _giant(self) -> np.ndarray:
        """:func:`sim.metrics.group_giant_fractions` of the active partnership ties by bloc.

        Over each bloc's size at t = 0. Recomputed only when the topology changed (a tie
        formed or dissolved, an actor died or realigned).
        """
        if self._giant_cache is not None and self._giant_cache[0] == self._topo_version:
            return self._giant_cache[1]
        lay = self.partners
        act = lay.active
        frac = metrics.group_giant_fractions(
            self.n, lay.a[act], lay.b[act], self._bloc, self._alive, self._bloc_size0
        )
        self._giant_cache = (self._topo_version, frac)
        return frac

    # =====================================================================================
    # inspection
    # =====================================================================================
    def index(self, actor: str) -> int:
        """Position of an actor; :class:`sim.errors.UnknownNameError` with a suggestion."""
        try:
            return self._pos[actor]
        except KeyError:
            self.world.actor(actor)  # raises UnknownNameError with a suggestion
            raise

    def strength(self, a: str, b: str) -> float:
        """Current partnership strength between `a` and `b` (0 if there is none)."""
        i, j = self.index(a), self.index(b)
        e = self.partners.index.get((min(i, j), max(i, j)))
        if e is None or not self.partners.active[e]:
            return 0.0
        return float(self.partners.s[e])

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
        net = self.supply
        ks = self._pair_ties.get((self.index(src), self.index(dst)), ())
        if commodity is not None:
            if commodity not in net.commodities:
                from sim.errors import UnknownNameError

                raise UnknownNameError(
                    f"unknown commodity {commodity!r}; this world ships: "
                    + ", ".join(net.commodities)
                    + (f"; {h}" if (h := suggest(commodity, net.commodities)) else "")
                )
            c = net.commodities.index(commodity)
            return float(sum(self._delivered[k] for k in ks if net.commodity[k] == c))
        return float(sum(self._delivered[k] * net.value[net.commodity[k]] for k in ks))

    def alive(self, actor: str) -> bool:
        """Whether the actor is still in play (not removed by a shock or a collapse)."""
        return bool(self._alive[self.index(actor)])

    def capability(self, actor: str) -> float:
        """Current capability of the actor (0 once removed)."""
        return float(self._cap[self.index(actor)])

    def fulfilment(self, actor: str) -> float:
        """Share of the actor's needs met last month (own output and imports), each need
        weighted by its value and importance; 1.0 for an actor that needs nothing."""
        return float(self._fulfil[self.index(actor)])

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
        return float(self._stab[self.index(actor)])

    def bloc(self, actor: str) -> str:
        """The bloc the actor belongs to now."""
        return self.bloc_names[self._bloc[self.index(actor)]]

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
        G = nx.MultiDiGraph(name=self.world.name, time=float(self.time))
        G.graph["bloc_size0"] = {
            b: int(k) for b, k in zip(self.bloc_names, self._bloc_size0, strict=True)
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
        ids, lay, n_world = self.ids, self.partners, len(self._par_ties)
        for e in np.flatnonzero(lay.active):
            i, j = int(lay.a[e]), int(lay.b[e])
            if e < n_world:
                t = self._par_ties[e]
                attrs = {f.name: getattr(t, f.name) for f in fields(t)}
                attrs["formed"] = False
            else:
                attrs = {"a": ids[i], "b": ids[j], "kind": "cooperation", "layer": "partnership"}
                attrs.update(since=None, source="formed in the model run", formed=True)
            attrs["kind"] = self._kinds.get(e, attrs["kind"])
            attrs["strength"] = float(lay.s[e])
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
                    route_rank=int(self._route_rank[k]),
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
        return self._delivered.copy()

    @property
    def output_array(self) -> np.ndarray:
        """Last step's output for export per actor and commodity (``supply.commodities``
        order), substitution surges included."""
        return self._output.copy()

    # =====================================================================================
    # shocks and the primitive operations they use (each returns its own undo record)
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

    def _record(self, shock: Any, undo: list[tuple]) -> None:
        self._disturbed = True
        self._applied.setdefault(shock, []).append(undo)

    def undo(self, shock: Any) -> None:
        """Revert the most recent application of `shock` (used by ``Restore``)."""
        stack = self._applied.get(shock)
        if not stack:
            raise ShockError(f"cannot restore {shock!r}: it has not been applied yet")
        for rec in reversed(stack.pop()):
            self._revert(rec)

    def kill(self, i: int) -> list[tuple]:
        """Remove actor `i`: it produces, transits and delivers nothing; its ties dissolve."""
        if not self._alive[i]:
            return []
        lay = self.partners
        mask = lay.active & ((lay.a == i) | (lay.b == i))
        rec = ("kill", i, self._cap[i], self._stab[i], np.flatnonzero(mask), lay.s[mask].copy())
        lay.dissolve(mask)
        self._alive[i] = False
        self._cap[i] = 0.0
        self._stab[i] = 0.0
        self._topo_version += 1
        return [rec]

    def realign(self, i: int, to_bloc: str) -> list[tuple]:
        """Move actor `i` to `to_bloc`; its ties with its former bloc dissolve or are cut."""
        old = int(self._bloc[i])
        new = self.bloc_names.index(to_bloc)
        if old == new:
            return []
        lay, net = self.partners, self.supply
        # the anchors as they were, so that a Restore rewinds the re-anchoring too
        recs: list[tuple] = [
            (
                "anchors",
                i,
                self._fulfil0[i],
                self._support0[i],
                self._pressure0[i],
                bool(self._reanchor[i]),
            )
        ]
        if self.bloc_names[old] != NEUTRAL:
            other = np.where(lay.a == i, lay.b, lay.a)
            mask = lay.active & ((lay.a == i) | (lay.b == i)) & (self._bloc[other] == old)
            recs.append(("ties", np.flatnonzero(mask), lay.s[mask].copy()))
            lay.dissolve(mask)
            far = np.where(net.supplier == i, net.recipient, net.supplier)
            cut = ((net.supplier == i) | (net.recipient == i)) & (self._bloc[far] == old)
            self._tie_cut[cut] += 1
            recs.append(("cut", np.flatnonzero(cut)))
        self._bloc[i] = new
        self._realigned = True
        self._reanchor[i] = True
        self._topo_version += 1
        recs.append(("bloc", i, old))
        return recs

    def degrade(self, i: int, what: str, factor: float) -> list[tuple]:
        """Multiply actor `i`'s production or capability multiplier by `factor`.

        ``what="capability"`` also scales the current capability at once (capped at 1).
        """
        which = "_prod_mult" if what == "production" else "_cap_mult"
        token = self._n_factors
        self._n_factors += 1
        self._factors.setdefault((which, i), {})[token] = factor
        getattr(self, which)[i] *= factor
        recs: list[tuple] = [("factor", which, i, token)]
        if what == "capability" and self._alive[i]:
            before = self._cap[i]
            self._cap[i] = min(1.0, before * factor)
            recs.append(("cap_cut", i, before - self._cap[i]))
        return recs

    def mark_hostile(self, pairs: Iterable[tuple[int, int]]) -> list[tuple]:
        """Count a hostile act in force between each pair of partners (no-op for non-partners).

        Under the ``"logodds"`` tie model each act lowers the pair's target log-odds by
        ``hostility_weight`` until it is restored.
        """
        lay = self.partners
        es = sorted({e for i, j in pairs if (e := lay.index.get(_pair_key(i, j))) is not None})
        if not es:
            return []
        ties = np.array(es, dtype=np.intp)
        lay.hostility[ties] += 1.0
        return [("hostility", ties)]

    def transit_victims(self, i: int) -> list[int]:
        """Actors whose supply (as supplier or recipient) has a route through actor `i`."""
        net = self.supply
        routes = net.hop_route[net.hop_actor == i]
        ties = np.unique(net.route_tie[routes])
        ends = set(net.supplier[ties].tolist()) | set(net.recipient[ties].tolist())
        ends.discard(i)
        return sorted(ends)

    def formalize(self, i: int, j: int, kind: str, strength: float | None) -> list[tuple]:
        """Sign a treaty between `i` and `j`: the tie takes `kind` and `strength` (default
        :data:`sim.ties.KIND_STRENGTH` of the kind), which become its new steady state.

        Creates the partnership if there is none in force; a defence kind damps the tie's
        response (``treaty_damping``), as for ties observed with a defence clause.
        """
        lay, p = self.partners, self.params
        new_s = min(KIND_STRENGTH[kind] if strength is None else float(strength), STEADY_MAX)
        e = lay.index.get(_pair_key(i, j))
        if e is None or not lay.active[e]:
            created = True
            e = lay.add(i, j, new_s)
            self._map_supply_to_tie(e)
            self._topo_version += 1
            old = None
        else:
            created = False
            old = (
                lay.logit0[e],
                lay.base[e],
                lay.ell0[e].copy(),
                lay.damp[e],
                self._kinds.get(e),
            )
            lay.s[e] = new_s
        ties = np.array([e], dtype=np.intp)
        self._baseline_ties(ties)
        lay.damp[e] = p.treaty_damping if kind in DEFENCE_KINDS else 1.0
        self._kinds[e] = kind
        return [("formalize", e, created, old)]

    def _reactivate(self, ties: np.ndarray, s: np.ndarray) -> None:
        """Bring dissolved partnerships back at strengths `s`; a tie whose partner is dead
        waits for it (``_dormant``)."""
        lay, alive = self.partners, self._alive
        for e, se in zip(ties.tolist(), s.tolist(), strict=True):
            a, b = int(lay.a[e]), int(lay.b[e])
            if alive[a] and alive[b]:
                lay.s[e], lay.active[e] = se, True
            else:
                self._dormant.setdefault(b if alive[a] else a, []).append((e, se))

    def _revert(self, rec: tuple) -> None:
        kind = rec[0]
        if kind == "kill":
            _, i, cap, stab, ties, s = rec
            self._alive[i] = True
            self._cap[i] = float(np.clip(cap + self._cap_refund[i], 0.0, 1.0))
            self._cap_refund[i] = 0.0
            self._stab[i] = stab
            self._reactivate(ties, s)
            waiting = self._dormant.pop(i, [])
            if waiting:
                e, s = zip(*waiting, strict=True)
                self._reactivate(np.array(e, dtype=np.intp), np.array(s))
        elif kind == "ties":
            self._reactivate(rec[1], rec[2])
        elif kind == "cut":
            self._tie_cut[rec[1]] -= 1
        elif kind == "bloc":
            self._bloc[rec[1]] = rec[2]
            self._realigned = bool((self._bloc != self._bloc0).any())
        elif kind == "anchors":
            _, i, f0, s0, p0, flag = rec
            self._fulfil0[i], self._support0[i], self._pressure0[i] = f0, s0, p0
            self._reanchor[i] = flag
        elif kind == "block":
            self._blocking[rec[1]] -= 1
        elif kind == "hostility":
            self.partners.hostility[rec[1]] -= 1.0
        elif kind == "formalize":
            _, e, created, old = rec
            lay = self.partners
            if created:
                lay.dissolve(np.arange(len(lay)) == e)
                self._kinds.pop(e, None)
            else:
                lay.logit0[e], lay.base[e], lay.ell0[e], lay.damp[e], k = old
                if k is None:
                    self._kinds.pop(e, None)
                else:
                    self._kinds[e] = k
        elif kind == "route":
            self._route_closed[rec[1]] -= 1
        elif kind == "factor":
            _, which, i, token = rec
            left = self._factors[(which, i)]
            del left[token]
            prod = 1.0
            for f in left.values():  # in the order applied, as the forward products were
                prod *= f
            getattr(self, which)[i] = prod
        elif kind == "cap_cut":
            _, i, lost = rec
            if self._alive[i]:
                self._cap[i] = float(np.clip(self._cap[i] + lost, 0.0, 1.0))
            else:
                self._cap_refund[i] += lost  # paid back when a Restore revives it
        self._topo_version += 1


def _pair_key(i: int, j: int) -> tuple[int, int]:
    return (int(i), int(j)) if i < j else (int(j), int(i))


class _ShockTrigger:
    """Holds a shock and its model so Mesa's weakly referenced callback stays alive."""

    def __init__(self, model: AllianceModel, shock: Any):
        self.model = model
        self.shock = shock

    def fire(self) -> None:
        self.model._record(self.shock, self.shock.apply(self.model) or [])


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

    Parameters
    ----------
    model_vars : sequence of str
        Names of the model variables, in column order.
    agent_vars : sequence of str
        Names of the agent variables (see :func:`agent_reporters`).
    """

    def __init__(self, model_vars: Iterable[str], agent_vars: Iterable[str]):
        self.model_reporters = {name: name for name in model_vars}
        self.agent_reporters = {name: name for name in agent_vars}
        self._rows: list[list[float]] = []
        self._times: list[float] = []
        self._agent: list[tuple[np.ndarray, ...]] = []

    def collect(self, model: AllianceModel) -> None:
        """Record the model variables and the agents' state at ``model.time``."""
        self._times.append(float(model.time))
        self._rows.append([model._report[k] for k in self.model_reporters])
        self._agent.append(
            (
                model._bloc.copy(),
                model._alive.copy(),
                model._cap.copy(),
                model._stab.copy(),
                model._fulfil.copy(),
            )
        )
        self._ids = model.ids
        self._uids = [a.unique_id for a in model.state_agents]
        self._bloc_names = model.bloc_names

    @property
    def model_vars(self) -> dict[str, list]:
        """Model variables as ``{name: [value per collect]}`` (Mesa's attribute)."""
        cols = list(self.model_reporters)
        return {c: [r[k] for r in self._rows] for k, c in enumerate(cols)}

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """One row per collect (time 0, 1, ...), one column per model variable."""
        return pd.DataFrame(self._rows, columns=list(self.model_reporters))

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
    """Names of the model variables of `model`, in column order (see the class docstring)."""
    from sim.outcomes import reporter_names

    return reporter_names(model.world_blocs)


def agent_reporters() -> dict[str, str]:
    """The agent reporters: attributes of :class:`sim.agents.StateAgent`."""
    return {k: k for k in ("actor", "bloc", "alive", "capability", "stability", "fulfilment")}
