"""Uncertain scenarios: the ``[uncertainty]`` table, its addresses, and sensitivity of outcomes.

A scenario file may give distributions for model parameters and for values of its world::

    [uncertainty]
    "params.threat_weight"        = { dist = "uniform", lo = 2.0, hi = 4.0 }
    "actors.SYR.stability"        = { dist = "triangular", lo = 0.2, mode = 0.35, hi = 0.6 }
    "ties.RUS-IRN.strength"       = { dist = "normal", mean = 0.7, sd = 0.1, lo = 0, hi = 1 }
    "rivalries.IRN-ISR.intensity" = { dist = "discrete", values = [0.6, 0.8, 1.0] }
    "supply.IRN->HEZ.arms.volume" = { dist = "uniform", lo = 40, hi = 120 }

Addresses
---------
``params.NAME``
    A numeric field of :class:`sim.params.ModelParams`; values must stay in its range.
``actors.ID.capability`` / ``actors.ID.stability``
    An actor's field, in [0, 1].
``ties.A-B.strength``
    The partnership between A and B (either order), in [0, 1].
``rivalries.A-B.intensity``
    The rivalry between A and B (either order), in [0, 1].
``supply.SRC->DST.COMMODITY.volume``
    A supply tie's volume per month, >= 0.

Every address is checked against the scenario's world (after its patch) and every
distribution's range against what the field accepts, all problems at once.

Each sample point runs the scenario's replicates, each with its paired baseline, and reduces
them to one number per outcome: the mean over replicates of the paired difference
``shock - baseline`` of the outcome at the final step (outputs named like the outcome), and
the mean levels of each arm (``shock:OUTCOME``, ``baseline:OUTCOME``). Every sample point uses
the same replicate seeds (common random numbers), so differences between sample points come
from the inputs, not from different random draws.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from sim.checks import Collector
from sim.errors import Problem, SimError, ValidationError, suggest
from sim.outcomes import ARROW as _ARROW
from sim.outcomes import PAIR as _PAIR
from sim.uncertainty import Distribution, parse_distribution
from sim.world import World

__all__ = [
    "ADDRESS_KINDS",
    "ScenarioEvaluator",
    "UncertainScenario",
    "apply_values",
    "check_addresses",
    "evaluate_points",
    "load_uncertain_scenario",
    "scenario_sensitivity",
]

#: Address forms, for messages.
ADDRESS_KINDS = {
    "params": "params.NAME (a ModelParams field)",
    "actors": "actors.ID.capability | actors.ID.stability",
    "ties": "ties.A-B.strength (a partnership)",
    "rivalries": "rivalries.A-B.intensity",
    "supply": "supply.SRC->DST.COMMODITY.volume",
}
_ACTOR_FIELDS = {"capability": (0.0, 1.0), "stability": (0.0, 1.0)}


@dataclass(frozen=True)
class _Target:
    """Where an address points: a kind and a key into the world or the parameters."""

    kind: str  # params | actor | partnership | rivalry | supply
    key: tuple
    field: str
    lo: float
    hi: float


def _params_ranges() -> dict[str, tuple[float, float]]:
    from sim.params import ModelParams

    return dict(ModelParams.ranges())


def _resolve(address: str, world: World, where: str) -> tuple[_Target | None, list[Problem]]:
    """Parse one address against `world`; return its target or the problems."""
    head, _, rest = address.partition(".")
    allowed = "; ".join(ADDRESS_KINDS.values())
    if head not in ADDRESS_KINDS:
        return None, [
            Problem(where, "unknown address", address, allowed, suggest(head, ADDRESS_KINDS))
        ]
    ids = list(world.ids)

    def unknown_actor(x: str) -> Problem:
        return Problem(
            where, f"unknown actor {x!r}", address, "an actor id of the world", suggest(x, ids)
        )

    if head == "params":
        ranges = _params_ranges()
        if rest not in ranges:
            return None, [
                Problem(
                    where,
                    "not a numeric model parameter",
                    rest,
                    ", ".join(ranges),
                    suggest(rest, ranges),
                )
            ]
        lo, hi = ranges[rest]
        return _Target("params", (rest,), rest, lo, hi), []
    if head == "actors":
        actor, _, fld = rest.partition(".")
        probs = []
        if actor not in world:
            probs.append(unknown_actor(actor))
        if fld not in _ACTOR_FIELDS:
            probs.append(
                Problem(
                    where,
                    "unknown actor field",
                    fld,
                    " | ".join(_ACTOR_FIELDS),
                    suggest(fld, _ACTOR_FIELDS),
                )
            )
        if probs:
            return None, probs
        return _Target("actor", (actor,), fld, *_ACTOR_FIELDS[fld]), []
    if head in ("ties", "rivalries"):
        layer: Literal["partnership", "rivalry"]
        layer, fld = ("partnership", "strength") if head == "ties" else ("rivalry", "intensity")
        pair, _, got = rest.rpartition(".")
        m = _PAIR.match(pair)
        if not m or got != fld:
            return None, [Problem(where, "malformed address", address, ADDRESS_KINDS[head])]
        a, b = m.groups()
        probs = [unknown_actor(x) for x in (a, b) if x not in world]
        if probs:
            return None, probs
        if not any({t.a, t.b} == {a, b} for t in world.ties_in(layer)):
            have = [
                f"{t.a}-{t.b}" for t in world.ties_in(layer) if a in (t.a, t.b) or b in (t.a, t.b)
            ]
            return None, [
                Problem(
                    where,
                    f"no {layer} tie between {a} and {b}",
                    address,
                    f"{layer} ties of these actors: {', '.join(have) or 'none'}",
                    suggest(pair, have),
                )
            ]
        return _Target(layer, (a, b), fld, 0.0, 1.0), []
    # supply.SRC->DST.COMMODITY.volume
    parts = rest.split(".")
    arrow = _ARROW.match(parts[0])
    if len(parts) != 3 or parts[2] != "volume" or not arrow:
        return None, [Problem(where, "malformed address", address, ADDRESS_KINDS["supply"])]
    src, dst = arrow.groups()
    commodity = parts[1]
    probs = [unknown_actor(x) for x in (src, dst) if x not in world]
    if probs:
        return None, probs
    ties = [t for t in world.ties_in("supply") if (t.supplier, t.recipient) == (src, dst)]
    if not any(t.commodity == commodity for t in ties):
        have = [f"supply.{t.supplier}->{t.recipient}.{t.commodity}.volume" for t in ties]
        if not have:
            have = [
                f"supply.{t.supplier}->{t.recipient}.{t.commodity}.volume"
                for t in world.ties_in("supply")
                if src in (t.supplier, t.recipient) or dst in (t.supplier, t.recipient)
            ]
        return None, [
            Problem(
                where,
                f"no {commodity!r} supply tie from {src} to {dst}",
                address,
                ", ".join(have[:8]) or "a supply tie of the world",
                suggest(address, have),
            )
        ]
    return _Target("supply", (src, dst, commodity), "volume", 0.0, float("inf")), []


def check_addresses(
    space: Mapping[str, Distribution], world: World, *, where: str = "uncertainty"
) -> dict[str, _Target]:
    """Resolve every address of `space` against `world`; check each range; raise all problems.

    Parameters
    ----------
    space : mapping of str to Distribution
        Address (see the module notes) -> distribution.
    world : World
        The world the addresses name actors and ties of.
    where : str
        Where `space` comes from, for messages.

    Returns
    -------
    dict
        Address -> resolved target (what :func:`apply_values` needs).

    Raises
    ------
    ValidationError
        Every unknown address, actor or tie, and every distribution reaching outside what its
        field accepts, at once.

    Examples
    --------
    >>> import sim.worlds
    >>> from sim.sensitivity.uncertain import check_addresses
    >>> from sim.uncertainty import Uniform
    >>> world = sim.worlds.synthetic(8, mean_degree=2, rng=1)
    >>> list(check_addresses({"actors.A00002.stability": Uniform(0.5, 0.9)}, world))
    ['actors.A00002.stability']
    >>> from sim.errors import ValidationError
    >>> try:
    ...     check_addresses({"actors.A0002.stability": Uniform(0, 1),
    ...                      "ties.A00000-A00002.strength": Uniform(0.5, 1.5)}, world)
    ... except ValidationError as e:
    ...     for p in e.problems:
    ...         print(p.message, "|", p.suggestion)
    unknown actor 'A0002' | did you mean 'A00002'?
    reaches [0.5, 1.5], outside the range of strength | narrow it, or give a normal lo and hi
    """
    targets: dict[str, _Target] = {}
    problems: list[Problem] = []
    for address, dist in space.items():
        w = f'{where}."{address}"'
        target, probs = _resolve(address, world, w)
        problems.extend(probs)
        if target is None:
            continue
        lo, hi = dist.support
        if lo < target.lo or hi > target.hi:
            problems.append(
                Problem(
                    w,
                    f"reaches [{lo:g}, {hi:g}], outside the range of {target.field}",
                    dist.to_dict(),
                    f"values in [{target.lo:g}, {target.hi:g}]",
                    "narrow it, or give a normal lo and hi",
                )
            )
        targets[address] = target
    if problems:
        raise ValidationError(problems, what=where)
    return targets


def apply_values(
    world: World,
    params: Mapping[str, Any],
    targets: Mapping[str, _Target],
    values: Mapping[str, float],
) -> tuple[World, dict[str, Any]]:
    """The world and parameter overrides with the sampled `values` put in place.

    Parameters
    ----------
    world : World
        The nominal world.
    params : mapping
        The nominal parameter overrides (a scenario's ``[params]``).
    targets : mapping
        Address -> target, from :func:`check_addresses`.
    values : mapping of str to float
        One sample point: address -> value.

    Returns
    -------
    world : World
        A copy with the sampled actor and tie values (`world` itself when none is sampled).
    params : dict
        The overrides with the sampled parameters.

    Examples
    --------
    >>> import sim.worlds
    >>> from sim.sensitivity.uncertain import apply_values, check_addresses
    >>> from sim.uncertainty import Uniform
    >>> world = sim.worlds.synthetic(8, mean_degree=2, rng=1)
    >>> space = {"actors.A00002.stability": Uniform(0.5, 0.9),
    ...          "params.threat_weight": Uniform(2.0, 4.0)}
    >>> targets = check_addresses(space, world)
    >>> new, params = apply_values(world, {}, targets,
    ...                            {"actors.A00002.stability": 0.6, "params.threat_weight": 3.0})
    >>> world.actor("A00002").stability, new.actor("A00002").stability, params
    (0.814, 0.6, {'threat_weight': 3.0})
    """
    params = dict(params)
    actors: dict[str, dict[str, Any]] = {}  # field name -> value, as replace()'s keywords
    ties: dict[tuple, float] = {}
    for address, value in values.items():
        t = targets[address]
        if t.kind == "params":
            params[t.field] = float(value)
        elif t.kind == "actor":
            actors.setdefault(t.key[0], {})[t.field] = float(value)
        else:
            ties[(t.kind, *t.key)] = float(value)
    new_actors = tuple(
        dataclasses.replace(a, **actors[a.id]) if a.id in actors else a for a in world.actors
    )
    new_ties = []
    for tie in world.ties:
        if tie.layer == "supply":
            key = ("supply", tie.supplier, tie.recipient, tie.commodity)
            if key in ties:
                tie = dataclasses.replace(tie, volume=ties[key])
        else:
            for pair in ((tie.layer, tie.a, tie.b), (tie.layer, tie.b, tie.a)):
                if pair in ties:
                    fld = "strength" if tie.layer == "partnership" else "intensity"
                    change: dict[str, Any] = {fld: ties[pair]}
                    tie = dataclasses.replace(tie, **change)
        new_ties.append(tie)
    if not actors and not ties:
        return world, params
    return world.replace(actors=new_actors, ties=new_ties), params


# -- scenarios with an [uncertainty] table ------------------------------------------------------


@dataclass(frozen=True)
class UncertainScenario:
    """A scenario and the distributions of its uncertain inputs.

    Attributes
    ----------
    spec : ScenarioSpec
        The scenario without its ``[uncertainty]`` table.
    space : dict of str to Distribution
        Address to distribution, in file order.

    Examples
    --------
    An 8-actor world loses ``A00001`` at step 1; the axis bloc is then left with one
    partnership, ``A00000-A00002``, whose strength is uncertain:

    >>> import sim.worlds
    >>> from sim.scenario import ScenarioSpec
    >>> from sim.shocks import RemoveState
    >>> from sim.uncertainty import Uniform
    >>> from sim.sensitivity.uncertain import UncertainScenario
    >>> spec = ScenarioSpec(name="tiny", world=sim.worlds.synthetic(8, mean_degree=2, rng=1),
    ...                     shocks=(RemoveState("A00001", at=1),), steps=3, replicates=2,
    ...                     seed=5, outcomes=("mean_strength:axis",))
    >>> us = UncertainScenario(spec, {"ties.A00000-A00002.strength": Uniform(0.3, 0.9)})
    >>> us.spec.name, list(us.space)
    ('tiny', ['ties.A00000-A00002.strength'])
    """

    spec: Any
    space: Mapping[str, Distribution]


def load_uncertain_scenario(name_or_path: str | Path) -> UncertainScenario:
    """Read a scenario file with an ``[uncertainty]`` table; validate all of it at once.

    Parameters
    ----------
    name_or_path : str or Path
        A scenario file, or the name of a shipped scenario (``"syria_uncertainty"``).

    Returns
    -------
    UncertainScenario

    Raises
    ------
    ValidationError
        Every problem of the scenario and of its uncertainty table (addresses, distributions,
        ranges), located by file, line and key path.

    Examples
    --------
    >>> import os, tempfile, sim.worlds
    >>> from sim.sensitivity.uncertain import load_uncertain_scenario
    >>> folder = tempfile.mkdtemp()
    >>> sim.worlds.synthetic(8, mean_degree=2, rng=1).to_toml(os.path.join(folder, "tiny.toml"))
    >>> path = os.path.join(folder, "tiny_uncertain.toml")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write('''[scenario]
    ... world = "tiny.toml"
    ... steps = 3
    ... [uncertainty]
    ... "actors.A00002.stability" = { dist = "uniform", lo = 0.5, hi = 0.9 }
    ... ''')
    >>> us = load_uncertain_scenario(path)
    >>> us.spec.name, us.space["actors.A00002.stability"].support
    ('tiny_uncertain', (0.5, 0.9))
    """
    from sim.scenario import parse_scenario, scenario_path
    from sim.world import _read_text, read_toml_text

    path = scenario_path(name_or_path)
    text = _read_text(path)
    data = read_toml_text(text, origin=str(path))
    raw = data.get("uncertainty")
    problems: list[Problem] = []
    if raw is None:
        problems.append(
            Problem(
                str(path),
                "has no [uncertainty] table: nothing to vary",
                None,
                '[uncertainty] with entries like "params.threat_weight" = '
                '{ dist = "uniform", lo = 2.0, hi = 4.0 }',
            )
        )
    spec = None
    try:
        spec = parse_scenario(text, origin=str(path), base=path.parent)  # ignores the table
    except ValidationError as exc:
        problems.extend(exc.problems)
    c = Collector(str(path), text)
    space: dict[str, Distribution] = {}
    if isinstance(raw, Mapping):
        for address, entry in raw.items():
            where = c.at(f'uncertainty."{address}"')
            dist, probs = parse_distribution(entry, where=where)
            problems.extend(probs)
            if dist is not None:
                space[address] = dist
        if not raw:
            problems.append(Problem(f"{path} uncertainty", "is empty", None, "at least one entry"))
    elif raw is not None:
        problems.append(Problem(f"{path} uncertainty", "must be a table", raw))
    world = spec.world if spec is not None else _named_world(data, path)
    if world is not None and space:
        try:
            check_addresses(space, world, where=f"{path} uncertainty")
        except ValidationError as exc:
            problems.extend(
                dataclasses.replace(p, where=_with_line(p.where, c)) for p in exc.problems
            )
    if problems:
        raise ValidationError(problems, what=str(path))
    return UncertainScenario(spec, space)


def _named_world(data: Mapping[str, Any], path: Path) -> World | None:
    """The scenario's world, unpatched, so the table's addresses are checked even when the
    rest of the scenario has problems; ``None`` if it cannot be loaded (reported elsewhere)."""
    from sim.errors import SimError
    from sim.worlds import load_world, resolve

    ref = (
        data.get("scenario", {}).get("world") if isinstance(data.get("scenario"), Mapping) else None
    )
    if not isinstance(ref, str):
        return None
    try:
        return load_world(resolve(ref, "world", base=path.parent))
    except SimError:
        return None


def _with_line(where: str, c: Collector) -> str:
    """An address's problem located at its line of the ``[uncertainty]`` table."""
    m = re.search(r'uncertainty\."(.+)"$', where)
    return c.at(f'uncertainty."{m.group(1)}"') if m else where


@dataclass(frozen=True)
class ScenarioEvaluator:
    """Run sample points of an uncertain scenario: replicates with paired baselines.

    Picklable (a scenario spec and plain data), so chunks of sample points can run on any
    executor. Returns, per outcome ``o``: ``o`` (mean paired difference at the final step),
    ``shock:o`` and ``baseline:o`` (mean final levels). A chunk of points goes to
    :func:`evaluate_points` whole (:meth:`evaluate_many`).

    Parameters
    ----------
    spec : ScenarioSpec
        The scenario at its nominal values.
    targets : mapping
        Address -> target, from :func:`check_addresses`.
    seeds : tuple of int
        The replicate seeds, the same at every point.

    Examples
    --------
    >>> import sim.worlds
    >>> from sim.scenario import ScenarioSpec
    >>> from sim.shocks import RemoveState
    >>> from sim.uncertainty import Uniform
    >>> from sim.sensitivity.uncertain import UncertainScenario
    >>> spec = ScenarioSpec(name="tiny", world=sim.worlds.synthetic(8, mean_degree=2, rng=1),
    ...                     shocks=(RemoveState("A00001", at=1),), steps=3, replicates=2,
    ...                     seed=5, outcomes=("mean_strength:axis",))
    >>> us = UncertainScenario(spec, {"ties.A00000-A00002.strength": Uniform(0.3, 0.9)})
    >>> from sim.runner import replicate_seeds
    >>> from sim.sensitivity.uncertain import ScenarioEvaluator, check_addresses
    >>> evaluator = ScenarioEvaluator(spec, check_addresses(us.space, spec.world),
    ...                               tuple(replicate_seeds(spec.seed, 2)))
    >>> out = evaluator({"ties.A00000-A00002.strength": 0.9})
    >>> for name, value in out.items():
    ...     print(name, round(value, 3))
    mean_strength:axis 0.188
    shock:mean_strength:axis 0.905
    baseline:mean_strength:axis 0.716
    """

    spec: Any
    targets: Mapping[str, _Target]
    seeds: tuple[int, ...]

    def __call__(self, values: Mapping[str, float]) -> dict[str, float]:
        return evaluate_points(self.spec, self.targets, [values], self.seeds)[0]

    def evaluate_many(self, values_list: Sequence[Mapping[str, float]]) -> list[dict[str, float]]:
        """Every point of a chunk, in order (see :func:`evaluate_points`)."""
        return evaluate_points(self.spec, self.targets, values_list, self.seeds)


def evaluate_points(
    spec: Any,
    targets: Mapping[str, _Target],
    values_list: Sequence[Mapping[str, float]],
    seeds: Sequence[int],
) -> list[dict[str, float]]:
    """The outputs of each sample point of a chunk: the one seam of a chunk's evaluation.

    Parameters
    ----------
    spec : ScenarioSpec
        The scenario at its nominal values.
    targets : mapping
        Address -> target, from :func:`check_addresses`.
    values_list : sequence of mapping
        One ``{address: value}`` per sample point.
    seeds : sequence of int
        The replicate seeds, the same at every point (common random numbers).

    Returns
    -------
    list of dict
        Per point, in order: per outcome ``o``, ``o`` (mean over replicates of shock -
        baseline at the final step), ``shock:o`` and ``baseline:o`` (mean final levels).

    Notes
    -----
    The chunk runs as points x replicates rows of one batch per arm
    (:func:`sim.sensitivity.batch.evaluate_points`), with the numbers the per-point
    :class:`ScenarioEvaluator` gives. A row that fails (non-finite numbers, a shock that
    raised) makes its point's outputs NaN, which the index tables then refuse with the
    point named.

    Examples
    --------
    With ``A00001`` gone, the axis keeps one partnership: its strength at the horizon follows
    the sampled strength of that tie.

    >>> import sim.worlds
    >>> from sim.scenario import ScenarioSpec
    >>> from sim.shocks import RemoveState
    >>> from sim.uncertainty import Uniform
    >>> from sim.sensitivity.uncertain import UncertainScenario
    >>> spec = ScenarioSpec(name="tiny", world=sim.worlds.synthetic(8, mean_degree=2, rng=1),
    ...                     shocks=(RemoveState("A00001", at=1),), steps=3, replicates=2,
    ...                     seed=5, outcomes=("mean_strength:axis",))
    >>> us = UncertainScenario(spec, {"ties.A00000-A00002.strength": Uniform(0.3, 0.9)})
    >>> from sim.runner import replicate_seeds
    >>> from sim.sensitivity.uncertain import check_addresses, evaluate_points
    >>> targets = check_addresses(us.space, spec.world)
    >>> points = [{"ties.A00000-A00002.strength": s} for s in (0.3, 0.9)]
    >>> for out in evaluate_points(spec, targets, points, replicate_seeds(spec.seed, 2)):
    ...     print(round(out["shock:mean_strength:axis"], 3), round(out["mean_strength:axis"], 3))
    0.314 -0.203
    0.905 0.188
    """
    from sim.sensitivity.batch import evaluate_points as batched

    return batched(spec, targets, values_list, seeds)


def _evaluate_point(
    spec: Any, targets: Mapping[str, _Target], values: Mapping[str, float], seeds: Sequence[int]
) -> dict[str, float]:
    from sim.runner import run_replicate

    world, params = apply_values(spec.world, spec.params, targets, values)
    spec = dataclasses.replace(spec, world=world, params=params)
    diffs: dict[str, list[float]] = {o: [] for o in spec.outcomes}
    levels: dict[str, list[float]] = {
        f"{a}:{o}": [] for a in ("shock", "baseline") for o in spec.outcomes
    }
    for rep, seed in enumerate(seeds):
        frame, _ = run_replicate(spec, rep, seed)
        final = frame[frame["step"] == frame["step"].max()].set_index("arm")
        for o in spec.outcomes:
            s, b = float(final.at["shock", o]), float(final.at["baseline", o])
            diffs[o].append(s - b)
            levels[f"shock:{o}"].append(s)
            levels[f"baseline:{o}"].append(b)
    out = {o: float(np.mean(v)) for o, v in diffs.items()}
    out.update({k: float(np.mean(v)) for k, v in levels.items()})
    return out


def scenario_sensitivity(
    scenario: str | Path | UncertainScenario,
    *,
    method: str = "sobol",
    samples: int = 64,
    rng: np.random.Generator | int | None = None,
    outcome: str | None = None,
    replicates: int | None = None,
    steps: int | None = None,
    out: str | Path | None = None,
    executor: Any = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
    **options: Any,
):
    """Sobol' or Morris sensitivity of a scenario's outcome to its uncertain inputs.

    Parameters
    ----------
    scenario : path, name or UncertainScenario
        A scenario with an ``[uncertainty]`` table.
    outcome : str, optional
        An outcome of the scenario (default: its first), analysed as the paired difference
        shock - baseline at the final step; ``shock:OUTCOME`` or ``baseline:OUTCOME`` analyse
        an arm's level instead.
    replicates, steps : int, optional
        Override the scenario's values (replicates per sample point; months per run).
    rng : Generator or int or None
        Seeds the design and bootstrap; default: the scenario's seed.

    method, samples, out, executor, workers, scheduler, chunk_size, on_chunk
        As in :func:`sim.sensitivity.analyse`.
    **options
        Passed on to :func:`sim.sensitivity.analyse_function`: ``resume``, ``wait``,
        ``quiet`` and the design's options.

    Returns
    -------
    SensitivityResult

    Examples
    --------
    >>> import sim.worlds
    >>> from sim.scenario import ScenarioSpec
    >>> from sim.shocks import RemoveState
    >>> from sim.uncertainty import Uniform
    >>> from sim.sensitivity.uncertain import UncertainScenario
    >>> spec = ScenarioSpec(name="tiny", world=sim.worlds.synthetic(8, mean_degree=2, rng=1),
    ...                     shocks=(RemoveState("A00001", at=1),), steps=3, replicates=2,
    ...                     seed=5, outcomes=("mean_strength:axis",))
    >>> us = UncertainScenario(spec, {"ties.A00000-A00002.strength": Uniform(0.3, 0.9)})
    >>> from sim.sensitivity.uncertain import scenario_sensitivity
    >>> res = scenario_sensitivity(us, method="morris", samples=2, replicates=1, rng=1, quiet=True)
    >>> res.runs, res.outcome  # 2 trajectories x (1 input + 1) points, 1 replicate each
    (4, 'mean_strength:axis')
    >>> res.table[["parameter", "mu_star"]].round(3).to_dict("list")
    {'parameter': ['ties.A00000-A00002.strength'], 'mu_star': [0.397]}
    """
    from sim.runner import replicate_seeds
    from sim.sensitivity.analysis import analyse_function

    us = scenario if isinstance(scenario, UncertainScenario) else load_uncertain_scenario(scenario)
    spec = us.spec
    if replicates is not None or steps is not None:
        spec = spec.with_overrides(replicates=replicates, steps=steps)
    if not spec.outcomes:
        raise SimError(f"scenario {spec.name!r} names no outcomes")
    choices = [*spec.outcomes, *(f"{a}:{o}" for a in ("shock", "baseline") for o in spec.outcomes)]
    if outcome is None:
        outcome = spec.outcomes[0]
    elif outcome not in choices:
        raise ValidationError(
            [
                Problem(
                    "--outcome",
                    "not an outcome of the scenario",
                    outcome,
                    ", ".join(spec.outcomes),
                    suggest(outcome, choices),
                )
            ],
            what=f"scenario {spec.name!r}",
        )
    targets = check_addresses(us.space, spec.world)
    evaluator = ScenarioEvaluator(spec, targets, tuple(replicate_seeds(spec.seed, spec.replicates)))
    manifest = {
        "scenario": spec.to_record(),
        "outcome": outcome,
        "outcome_definition": "mean over replicates of shock - baseline at the final step",
        "replicates_per_point": spec.replicates,
    }
    return analyse_function(
        evaluator,
        us.space,
        method=method,
        samples=samples,
        rng=spec.seed if rng is None else rng,
        outcome=outcome,
        out=out,
        manifest=manifest,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        chunk_size=chunk_size,
        on_chunk=on_chunk,
        **options,
    )
