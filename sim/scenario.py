"""Scenario files: their schema, parsing and validation into a frozen :class:`ScenarioSpec`.

A scenario is a TOML file whose opening comment states the question it answers::

    # What happens to the axis when Syria is lost (December 2024)?
    [scenario]
    name = "syria_loss"
    description = "The Assad government falls; the land bridge to Hezbollah is cut."
    world = "axis-2024"          # an embedded world, or a path relative to this file
    steps = 36                   # months
    replicates = 20
    seed = 20241208
    outcomes = ["fulfilment:axis", "cohesion:axis", "strength:RUS-IRN",
                "delivered:IRN->HEZ", "capability:HEZ"]

    [params]                     # overrides of sim.params.ModelParams fields
    collapse_threshold = 0.2

    [[shocks]]                   # any shock of sim.shocks.SHOCKS, by its snake_case name
    type = "remove_state"
    target = "SYR"
    at = 6
    fate = "removed"

    [[baseline_shocks]]          # optional: shocks of the baseline arm too (default: none)

    [patch]                      # optional changes to the world before the run
    remove_actors = ["NIC"]
    remove_ties = [{ layer = "partnership", between = ["RUS", "ARM"] }]
    [[patch.add_actors]]         # same keys as a world's [[states]]
    [[patch.add_ties]]           # same keys as a world's [[ties]]
    [[patch.set]]                # change fields of an actor or a tie
    actor = "SYR"
    stability = 0.3

Outcomes are names of the outcome registry (:mod:`sim.outcomes`): a model reporter
(``fulfilment:B``, ``cohesion:B``, ``alive:B``, ``mean_strength:B``, ``giant:B`` for a bloc
``B``, or ``collapses``) or a quantity the runner reads through the model's inspection API after
every step: ``strength:A-B`` (partnership strength), ``delivered:A->B`` (delivered last step,
all commodities) and ``capability:A``.

Parsing reads the file once, loads and patches the world, builds the shocks and the parameters,
and reports every problem at once (:class:`sim.errors.ValidationError`), each located by file,
line and key path, with the bad value, what is allowed and a suggestion.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.checks import Collector, is_int, is_number
from sim.errors import Problem, SimError, ValidationError, suggest
from sim.outcomes import OUTCOME_KINDS, default_outcomes, outcome_problems
from sim.world import LAYERS, World, read_toml_text

__all__ = [
    "OUTCOME_KINDS",
    "ScenarioSpec",
    "WorldPatch",
    "canonical_sha256",
    "list_scenarios",
    "load_scenario",
    "parse_scenario",
    "read_question",
    "scenario_path",
]

# "uncertainty" (input distributions) is read by sim.uncertain_world for `alliance-sim
# sensitivity`; a plain run uses the nominal values.
_TOP_KEYS = ("scenario", "params", "shocks", "baseline_shocks", "patch", "uncertainty")
_SCENARIO_KEYS = {
    "name": "a short snake_case name",
    "description": "text",
    "world": "an embedded world name or a path to a world file",
    "steps": "an integer number of months >= 1",
    "replicates": "an integer >= 1",
    "seed": "an integer >= 0",
    "outcomes": "a list of outcome names, e.g. 'fulfilment:axis', 'strength:RUS-IRN'",
}
_PATCH_KEYS = ("remove_actors", "remove_ties", "add_actors", "add_ties", "set")
_DEFAULTS = {"steps": 36, "replicates": 10, "seed": 0}
#: Upper bounds: beyond them a run cannot finish (or even allocate its seeds); a typo, not a plan.
_MAX = {"steps": 100_000, "replicates": 1_000_000}


# -- the frozen result --------------------------------------------------------------------------


@dataclass(frozen=True)
class WorldPatch:
    """Changes a scenario makes to its world before any run (kept for the record).

    Attributes
    ----------
    remove_actors : tuple of str
        Actors dropped with every tie that touches them; supply routes through them are dropped,
        and a supply tie left without a route is dropped.
    remove_ties : tuple of dict
        Ties dropped, each named by ``layer`` and ``between`` (or ``from``, ``to``, ``commodity``).
    add_actors, add_ties : tuple of dict
        Tables in the world file's ``[[states]]`` and ``[[ties]]`` format.
    set : tuple of dict
        Field changes: ``{actor = "SYR", stability = 0.3}`` or
        ``{layer = "partnership", between = ["RUS", "IRN"], strength = 0.8}``.

    Examples
    --------
    >>> from sim.scenario import WorldPatch
    >>> bool(WorldPatch()), bool(WorldPatch(remove_actors=("SYR",)))
    (False, True)
    """

    remove_actors: tuple[str, ...] = ()
    remove_ties: tuple[Mapping[str, Any], ...] = ()
    add_actors: tuple[Mapping[str, Any], ...] = ()
    add_ties: tuple[Mapping[str, Any], ...] = ()
    set: tuple[Mapping[str, Any], ...] = ()

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in dataclasses.fields(self))


@dataclass(frozen=True)
class ScenarioSpec:
    """A parsed, validated scenario: everything a run needs, frozen.

    Build one with :func:`load_scenario` (a name or a path) or :func:`parse_scenario` (text).
    Picklable, so executors can ship it to worker processes.

    Attributes
    ----------
    name, description : str
    question : str
        The opening comment of the file: the question the scenario answers.
    world : World
        The world after the patch, validated.
    world_ref : str
        The world as named in the file (an embedded name or a path).
    patch : WorldPatch
    params : dict
        Overrides of :class:`sim.params.ModelParams` fields (the rest keep their defaults).
    shocks : tuple
        Shock objects of :data:`sim.shocks.SHOCKS`, in file order: the shocked arm.
    baseline_shocks : tuple
        Shocks of the baseline arm (usually none). With some, the paired difference compares
        two shocks (``random_vs_targeted``: a targeted attack against random failures).
    steps, replicates, seed : int
    outcomes : tuple of str
    source : str
        The file read (``"<text>"`` for text).
    sha256 : str
        Hash of the file's text, recorded in the results manifest.

    Examples
    --------
    >>> import sim.worlds
    >>> from sim.scenario import ScenarioSpec
    >>> from sim.shocks import RemoveState
    >>> spec = ScenarioSpec(name="tiny", world=sim.worlds.synthetic(8, mean_degree=2, rng=1),
    ...                     shocks=(RemoveState("A00001", at=1),), steps=3, replicates=2)
    >>> spec.check_runnable()  # silent: every shock fits the world
    >>> spec.with_overrides(replicates=4).replicates, len(spec.world)
    (4, 8)
    """

    name: str
    world: World
    shocks: tuple[Any, ...] = ()
    baseline_shocks: tuple[Any, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    steps: int = 36
    replicates: int = 10
    seed: int = 0
    outcomes: tuple[str, ...] = ()
    description: str = ""
    question: str = ""
    world_ref: str = ""
    patch: WorldPatch = field(default_factory=WorldPatch)
    source: str = "<text>"
    sha256: str = ""

    def model_params(self):
        """A :class:`sim.params.ModelParams` with this scenario's overrides."""
        return _params_class()(**self.params)

    def check_runnable(self) -> None:
        """Check the scenario against a throw-away model of each arm, before any run.

        :func:`parse_scenario` does this for a file (locating problems by line); this method
        covers a spec built or changed in code. Each arm gets a fresh
        :class:`~sim.model.AllianceModel` with the scenario's parameters, and each of its shocks
        is scheduled on it, so everything ``Shock.validate(model)`` rejects is found.

        Raises
        ------
        ValidationError
            One problem per rejected shock (``shocks[i]``, ``baseline_shocks[i]``) or parameter.
        """
        problems = _model_problems(
            self.world,
            self.params,
            {"shocks": self.shocks, "baseline_shocks": self.baseline_shocks},
            lambda path: f"{self.source} {path}",
        )
        if problems:
            raise ValidationError(problems, what=f"scenario {self.name!r}")

    def with_overrides(
        self,
        *,
        replicates: int | None = None,
        seed: int | None = None,
        steps: int | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> ScenarioSpec:
        """A copy with the replicate count, seed, horizon or parameters replaced (validated).

        `params` are merged over the scenario's own ``[params]`` overrides (see
        ``parse_param_settings`` for reading them from ``NAME=VALUE`` text).
        """
        problems = []
        if params:
            merged = {**self.params, **params}
            problems += [
                dataclasses.replace(p, where=f"--set {p.where}")
                for p in _params_problems(_params_class(), merged)
            ]
        for key, value, lo in (
            ("replicates", replicates, 1),
            ("seed", seed, 0),
            ("steps", steps, 1),
        ):
            hi = _MAX.get(key)
            if value is not None and not (
                is_int(value) and value >= lo and (hi is None or value <= hi)
            ):
                allowed = f">= {lo}" + (f" and <= {hi:_}" if hi else "")
                problems.append(Problem(f"--{key}", "must be an integer", value, allowed))
        if steps is not None and is_int(steps):
            arms = (("shocks", self.shocks), ("baseline_shocks", self.baseline_shocks))
            for table, i, s in ((t, i, s) for t, shocks in arms for i, s in enumerate(shocks)):
                at = getattr(s, "at", 0)
                if at >= steps:
                    problems.append(
                        Problem(
                            f"--steps ({table}[{i}].at)",
                            "shock after the horizon",
                            at,
                            f"a step in [0, {steps - 1}] for {steps} steps",
                            f"use --steps {at + 1} or more",
                        )
                    )
        if problems:
            raise ValidationError(problems, what=f"scenario {self.name!r} overrides")
        changes: dict[str, Any] = {
            k: v
            for k, v in (("replicates", replicates), ("seed", seed), ("steps", steps))
            if v is not None
        }
        if params:
            changes["params"] = {**self.params, **params}
        return dataclasses.replace(self, **changes)

    def to_record(self) -> dict[str, Any]:
        """Plain JSON-ready data describing the scenario (for results manifests).

        Besides the file's hash (``sha256``) it holds hashes of what a run actually uses, so a
        spec changed in code (same file, other world or parameters) is told apart:
        ``world_sha256`` (the patched world's content, :func:`canonical_sha256` of
        ``world.to_dict(json_safe=True)``) and ``params_sha256`` (of ``model_params``, every
        resolved :class:`~sim.params.ModelParams` field).
        """
        return {
            "name": self.name,
            "description": self.description,
            "question": self.question,
            "source": self.source,
            "sha256": self.sha256,
            "world": self.world_ref,
            "world_name": self.world.name,
            # month 0 of the run: figures and reports date their time axis from it
            "world_as_of": self.world.as_of.isoformat() if self.world.as_of else None,
            # figures and reports name actors ("Iran", not "IRN") without loading the world
            "actor_names": {x.id: x.name for x in self.world.actors},
            "steps": self.steps,
            "replicates": self.replicates,
            "seed": self.seed,
            "outcomes": list(self.outcomes),
            "world_sha256": canonical_sha256(self.world.to_dict(json_safe=True)),
            "params": dict(self.params),
            "model_params": (resolved := _jsonable(dataclasses.asdict(self.model_params()))),
            "params_sha256": canonical_sha256(resolved),
            "shocks": [_shock_record(s) for s in self.shocks],
            "baseline_shocks": [_shock_record(s) for s in self.baseline_shocks],
            "patch": _jsonable(dataclasses.asdict(self.patch)),
        }


def canonical_sha256(data: Any) -> str:
    """sha256 of `data` as canonical JSON (sorted keys, no spaces, UTF-8).

    Equal plain data gives equal hashes whatever the order its mappings were built in.

    Parameters
    ----------
    data : JSON-able data
        Mappings, lists, strings, numbers; anything else counts as its ``str``.

    Returns
    -------
    str
        64 hexadecimal digits.

    Examples
    --------
    >>> from sim.scenario import canonical_sha256
    >>> canonical_sha256({"b": 1, "a": [1, 2]})[:12]
    '94a786c3662b'
    >>> canonical_sha256({"a": [1, 2], "b": 1})[:12]
    '94a786c3662b'
    """
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- finding and loading scenarios ------------------------------------------------------------


def _scenario_dirs() -> list[Path]:
    here = Path(__file__).resolve().parent
    # A source checkout keeps them in <repo>/scenarios; a wheel ships them in sim/_scenarios.
    return [d for d in (here.parent / "scenarios", here / "_scenarios") if d.is_dir()]


def list_scenarios() -> list[str]:
    """Names of the shipped scenarios.

    Returns
    -------
    list of str
        Sorted file stems, each loadable with :func:`load_scenario`.

    Examples
    --------
    >>> from sim.scenario import list_scenarios
    >>> "syria_loss" in list_scenarios()
    True
    """
    names = {p.stem for d in _scenario_dirs() for p in d.glob("*.toml")}
    return sorted(names)


def scenario_path(name_or_path: str | Path) -> Path:
    """The file of a shipped scenario (by name) or the given path.

    Parameters
    ----------
    name_or_path : str or Path
        A path to an existing file, or the name of a shipped scenario.

    Returns
    -------
    Path

    Raises
    ------
    UnknownNameError
        Neither an existing file nor a shipped scenario; the message suggests the closest name.

    Examples
    --------
    >>> from sim.scenario import scenario_path
    >>> scenario_path("syria_loss").name
    'syria_loss.toml'
    """
    from sim.worlds import resolve

    return Path(resolve(name_or_path, "scenario"))


def load_scenario(name_or_path: str | Path, **kwargs: Any) -> ScenarioSpec:
    """Read and validate a scenario file, or a shipped scenario by name.

    Parameters
    ----------
    name_or_path : str or Path
        A path to a ``.toml`` file, or the name of a shipped scenario (``"syria_loss"``).
    **kwargs
        Passed to :func:`parse_scenario` (``catalogue``, ``params_class``).

    Returns
    -------
    ScenarioSpec

    Raises
    ------
    ValidationError
        Listing every problem in the file.

    Examples
    --------
    >>> import os, tempfile, sim.worlds
    >>> from sim.scenario import parse_scenario
    >>> folder = tempfile.mkdtemp()
    >>> sim.worlds.synthetic(8, mean_degree=2, rng=1).to_toml(os.path.join(folder, "tiny.toml"))
    >>> text = '''# What if A00001 falls?
    ... [scenario]
    ... world = "tiny.toml"
    ... steps = 3
    ... replicates = 2
    ... [[shocks]]
    ... type = "remove_state"
    ... target = "A00001"
    ... at = 1
    ... '''
    >>> path = os.path.join(folder, "tiny_loss.toml")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write(text)
    >>> spec = load_scenario(path)
    >>> spec.name, spec.steps, spec.replicates, spec.source == path
    ('tiny_loss', 3, 2, True)
    """
    from sim.world import _read_text

    path = scenario_path(name_or_path)
    return parse_scenario(_read_text(path), origin=str(path), base=path.parent, **kwargs)


def parse_scenario(
    text: str,
    *,
    origin: str = "<text>",
    base: str | Path | None = None,
    catalogue: Mapping[str, type] | None = None,
    params_class: type | None = None,
) -> ScenarioSpec:
    """Parse scenario TOML text into a :class:`ScenarioSpec`, reporting every problem at once.

    Parameters
    ----------
    text : str
        The file's text.
    origin : str
        The file name used in messages.
    base : path, optional
        Directory that relative world paths start from (default: the current directory).
    catalogue : mapping, optional
        Shock names to shock dataclasses (default :data:`sim.shocks.SHOCKS`).
    params_class : type, optional
        The parameter dataclass (default :class:`sim.params.ModelParams`).

    Returns
    -------
    ScenarioSpec

    Raises
    ------
    ValidationError
        With one :class:`~sim.errors.Problem` per mistake; a TOML syntax error gives its line
        and column.

    Examples
    --------
    >>> import os, tempfile, sim.worlds
    >>> from sim.scenario import parse_scenario
    >>> folder = tempfile.mkdtemp()
    >>> sim.worlds.synthetic(8, mean_degree=2, rng=1).to_toml(os.path.join(folder, "tiny.toml"))
    >>> text = '''# What if A00001 falls?
    ... [scenario]
    ... world = "tiny.toml"
    ... steps = 3
    ... replicates = 2
    ... [[shocks]]
    ... type = "remove_state"
    ... target = "A00001"
    ... at = 1
    ... '''
    >>> spec = parse_scenario(text, base=folder)
    >>> spec.question, spec.steps, len(spec.world)
    ('What if A00001 falls?', 3, 8)
    >>> spec.shocks
    (RemoveState(target='A00001', at=1, fate='removed', to_bloc=None),)

    Every problem at once, each located and with a suggestion:

    >>> bad = text.replace("steps", "stepz").replace('"A00001"', '"A0001"')
    >>> from sim.errors import ValidationError
    >>> try:
    ...     parse_scenario(bad, base=folder)
    ... except ValidationError as e:
    ...     for p in e.problems:
    ...         print(p.where, "|", p.message, "|", p.suggestion)
    <text>:4 scenario.stepz | unknown key | did you mean 'steps'?
    <text>:8 shocks[0].target | unknown actor | did you mean 'A00001'?
    """
    data = read_toml_text(text, origin=origin)
    c = Collector(origin, text)
    base = Path(base) if base is not None else Path.cwd()

    for key in data:
        if key not in _TOP_KEYS:
            c.add(c.at(key), "unknown table", key, ", ".join(_TOP_KEYS), suggest(key, _TOP_KEYS))

    meta = _table(c, data, "scenario")
    for key in meta:
        if key not in _SCENARIO_KEYS:
            c.add(
                c.at(f"scenario.{key}"),
                "unknown key",
                key,
                ", ".join(_SCENARIO_KEYS),
                suggest(key, _SCENARIO_KEYS),
            )
    stem = Path(origin).stem if origin != "<text>" else "scenario"
    name = _str(c, meta, "scenario.name", default=stem)
    description = _str(c, meta, "scenario.description", default="", nonempty=False)
    steps = _int(c, meta, "scenario.steps", lo=1)
    replicates = _int(c, meta, "scenario.replicates", lo=1)
    seed = _int(c, meta, "scenario.seed", lo=0)

    world_ref = meta.get("world")
    world = None
    if world_ref is None:
        c.add(c.at("scenario"), "missing required key 'world'", None, _SCENARIO_KEYS["world"])
    elif not isinstance(world_ref, str) or not world_ref.strip():
        c.add(
            c.at("scenario.world"), "must be a non-empty string", world_ref, _SCENARIO_KEYS["world"]
        )
    else:
        world = _load_world(c, world_ref, base)

    patch = _parse_patch(c, _table(c, data, "patch"))
    names_from = world  # names are checked against the unpatched world if the patch fails
    if world is not None and patch:
        world = _apply_patch(c, world, patch)
        names_from = world or names_from

    params = _parse_params(c, _table(c, data, "params"), params_class)

    shocks, baseline_shocks = (
        _parse_shocks(c, table, data.get(table, []), names_from, steps, catalogue)
        for table in ("shocks", "baseline_shocks")
    )

    outcomes = _parse_outcomes(c, meta.get("outcomes"), names_from)

    # What only a model can check (a cut tie that does not exist, a restore before its shock,
    # params.defect_bloc naming no bloc): a throw-away model per arm, so that `validate`
    # catches it and a run never fails after opening its results directory.
    if world is not None and params_class is None:
        c.problems.extend(
            _model_problems(
                world,
                params,
                {"shocks": shocks, "baseline_shocks": baseline_shocks},
                c.at,
            )
        )

    if c.problems:
        raise ValidationError(c.problems, what=origin)
    assert world is not None and isinstance(world_ref, str)
    assert steps is not None and replicates is not None and seed is not None
    return ScenarioSpec(
        name=name,
        world=world,
        shocks=tuple(shocks),
        baseline_shocks=tuple(baseline_shocks),
        params=params,
        steps=steps,
        replicates=replicates,
        seed=seed,
        outcomes=tuple(outcomes),
        description=description,
        question=_leading_comment(text),
        world_ref=world_ref,
        patch=patch,
        source=origin,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


# -- the question ------------------------------------------------------------------------------


def _leading_comment(text: str) -> str:
    """The file's first comment paragraph (up to an empty ``#`` line): its question."""
    out = []
    for line in text.splitlines():
        s = line.strip()
        if not s.startswith("#") or not s.lstrip("#").strip():
            break
        out.append(s.lstrip("#").strip())
    return " ".join(out)


def read_question(path: str | Path) -> str:
    """The question a scenario file answers (its opening comment), without parsing the rest.

    Parameters
    ----------
    path : str or Path
        A scenario file.

    Returns
    -------
    str
        The first comment paragraph, its lines joined by spaces; empty without one.

    Examples
    --------
    >>> from sim.scenario import read_question, scenario_path
    >>> read_question(scenario_path("syria_loss"))[:22]
    'What does losing Syria'
    """
    return _leading_comment(Path(path).read_text(encoding="utf-8"))


# -- scalar helpers -------------------------------------------------------------------------


def _table(c: Collector, data: Mapping, key: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        c.add(c.at(key), "must be a table", value, f"a [{key}] table")
        return {}
    return value


def _str(c: Collector, meta: Mapping, path: str, *, default: str, nonempty: bool = True) -> str:
    key = path.rsplit(".", 1)[-1]
    value = meta.get(key, default)
    if not isinstance(value, str) or (nonempty and not value.strip()):
        c.add(c.at(path), "must be a non-empty string" if nonempty else "must be a string", value)
        return default
    return value


def _int(c: Collector, meta: Mapping, path: str, *, lo: int) -> int | None:
    key = path.rsplit(".", 1)[-1]
    value = meta.get(key, _DEFAULTS[key])
    hi = _MAX.get(key)
    allowed = f"an integer >= {lo}" + (f" and <= {hi:_}" if hi else "")
    if is_int(value):
        if value < lo or (hi is not None and value > hi):
            c.add(c.at(path), "is out of range", value, allowed)
            return None
        return value
    hint = ""
    if isinstance(value, float) and value.is_integer() and lo <= value <= (hi or math.inf):
        hint = f"write {int(value)} without a decimal point"
    c.add(c.at(path), "must be an integer", value, allowed, hint)
    return None


# -- world and patch ------------------------------------------------------------------------


def _load_world(c: Collector, ref: str, base: Path) -> World | None:
    from sim.worlds import load_world, resolve, resolve_problem

    where = c.at("scenario.world")
    problem = resolve_problem(ref, "world", where=where, base=base)
    if problem is not None:
        c.problems.append(problem)
        return None
    found = resolve(ref, "world", base=base)
    if isinstance(found, Path) and not found.exists():
        c.add(where, "world file not found", str(found), "an existing .toml or .json world file")
        return None
    try:
        return load_world(found)
    except ValidationError as exc:
        c.problems.extend(exc.problems)
        return None


def _parse_patch(c: Collector, raw: Mapping[str, Any]) -> WorldPatch:
    kw: dict[str, tuple] = {}
    for key, value in raw.items():
        path = f"patch.{key}"
        if key not in _PATCH_KEYS:
            c.add(c.at(path), "unknown key", key, ", ".join(_PATCH_KEYS), suggest(key, _PATCH_KEYS))
            continue
        if not isinstance(value, list):
            c.add(c.at(path), "must be an array", value, f"a list for {key}")
            continue
        if key == "remove_actors":
            bad = [x for x in value if not isinstance(x, str)]
            if bad:
                c.add(c.at(path), "must be a list of actor ids", bad, "strings")
                continue
            kw[key] = tuple(value)
        else:
            bad = [i for i, x in enumerate(value) if not isinstance(x, Mapping)]
            for i in bad:
                c.add(c.at(f"{path}[{i}]"), "must be a table", value[i], f"a [[patch.{key}]] table")
            kw[key] = tuple(dict(x) for x in value if isinstance(x, Mapping))
    return WorldPatch(**kw)


def _tie_key(d: Mapping[str, Any]) -> tuple | None:
    layer = d.get("layer")
    if layer == "supply":
        return ("supply", d.get("from"), d.get("to"), d.get("commodity"))
    between = d.get("between")
    if layer in LAYERS and isinstance(between, list) and len(between) == 2:
        return (layer, *sorted(map(str, between)))
    return None


def _apply_patch(c: Collector, world: World, patch: WorldPatch) -> World | None:
    """Apply `patch` on the world's plain data and validate the result as a world file."""
    data = world.to_dict()
    states, ties = data["states"], data["ties"]
    ids = [s["id"] for s in states]

    gone = set()
    for x in patch.remove_actors:
        if x not in ids:
            c.add(
                c.at("patch.remove_actors"),
                "unknown actor",
                x,
                "an actor of the world",
                suggest(x, ids),
            )
        gone.add(x)
    states = [s for s in states if s["id"] not in gone]
    kept = []
    for t in ties:
        ends = (t["from"], t["to"]) if t["layer"] == "supply" else tuple(t["between"])
        if gone & set(ends):
            continue
        if t["layer"] == "supply" and gone:
            t = _reroute(t, gone)
            if t is None:
                continue
        kept.append(t)
    ties = kept

    index = {_tie_key(t): i for i, t in enumerate(ties)}
    drop = set()
    for i, spec in enumerate(patch.remove_ties):
        key = _tie_key(spec)
        if key is None or key not in index:
            known = [f"{k[0]} {'-'.join(map(str, k[1:]))}" for k in index if k is not None]
            c.add(
                c.at(f"patch.remove_ties[{i}]"),
                "no such tie in the world",
                dict(spec),
                "layer and between = [A, B] (supply: from, to, commodity) of an existing tie",
                suggest(f"{spec.get('layer')} {'-'.join(map(str, (key or ('',))[1:]))}", known),
            )
        else:
            drop.add(index[key])
    ties = [t for i, t in enumerate(ties) if i not in drop]

    by_id = {s["id"]: s for s in states}
    tie_at = {_tie_key(t): t for t in ties}
    for i, change in enumerate(patch.set):
        where = c.at(f"patch.set[{i}]")
        change = dict(change)
        if "actor" in change:
            aid = change.pop("actor")
            if aid not in by_id:
                c.add(
                    where, "unknown actor", aid, "an actor of the world", suggest(aid, list(by_id))
                )
                continue
            by_id[aid].update(change)
        else:
            key = _tie_key(change)
            if key is None or key not in tie_at:
                c.add(
                    where,
                    "names neither an actor nor an existing tie",
                    change,
                    "actor = ID, or layer and between (supply: from, to, commodity) of a tie",
                )
                continue
            ident = (
                {"layer", "between"} if key[0] != "supply" else {"layer", "from", "to", "commodity"}
            )
            tie_at[key].update({k: v for k, v in change.items() if k not in ident})

    n_states, n_ties = len(states), len(ties)
    data["states"] = [*states, *map(dict, patch.add_actors)]
    data["ties"] = [*ties, *map(dict, patch.add_ties)]
    origin = f"{c.origin} (patched world)"
    try:
        return World.from_dict(data, origin=origin)
    except ValidationError as exc:
        for p in exc.problems:
            where = p.where.removeprefix(origin).strip()
            c.problems.append(dataclasses.replace(p, where=_relocate(c, where, n_states, n_ties)))
        return None


def _reroute(t: dict[str, Any], gone: set[str]) -> dict[str, Any] | None:
    """A supply tie without the routes that pass through removed actors (None if none is left).

    When the main route is lost, the first surviving alternative becomes the main route and the
    volume shrinks to its capacity; the other alternatives keep their capacity in absolute terms.
    """
    main = {"via": t.get("via", []), "capacity": 1.0}
    if "corridor" in t:
        main["corridor"] = t["corridor"]
    routes = [r for r in (main, *t.get("alternatives", [])) if not gone & set(r.get("via", []))]
    if not routes:
        return None
    t = {k: v for k, v in t.items() if k not in ("via", "corridor", "alternatives")}
    first, rest = routes[0], routes[1:]
    scale = first.get("capacity", 1.0)
    t["via"] = list(first.get("via", []))
    if first.get("corridor"):
        t["corridor"] = first["corridor"]
    t["volume"] = t["volume"] * scale
    if rest:
        t["alternatives"] = [
            {**r, "capacity": min(1.0, r.get("capacity", 1.0) / scale)} for r in rest
        ]
    return t


def _relocate(c: Collector, where: str, n_states: int, n_ties: int) -> str:
    """Point a problem in the patched world at the patch entry that caused it."""
    m = re.match(r"^(states|ties)\[(\d+)\](.*)$", where)
    if not m:
        return f"{c.origin} patch: {where}"
    table, i, rest = m.group(1), int(m.group(2)), m.group(3)
    n = n_states if table == "states" else n_ties
    if i >= n:
        return c.at(f"patch.{'add_actors' if table == 'states' else 'add_ties'}[{i - n}]{rest}")
    return f"{c.at('patch')} (patched world {where})"


# -- parameters -------------------------------------------------------------------------------


def _params_class() -> type:
    try:
        from sim.params import ModelParams
    except ImportError as exc:  # the model layer is a separate module; say what is missing
        raise SimError(
            f"the model parameters (sim.params.ModelParams) are unavailable: {exc}"
        ) from None
    return ModelParams


def _parse_params(c: Collector, raw: Mapping[str, Any], params_class: type | None) -> dict:
    """The ``[params]`` overrides; every field is checked on its own and located at its line.

    A field's type is checked against its default, then its value by the parameter class
    itself with that field alone set, so one bad field never hides another; last, the valid
    fields together (for checks that span fields).
    """
    if not raw:
        return {}
    cls = params_class or _params_class()
    fields = {f.name: f for f in dataclasses.fields(cls)}
    defaults = cls()
    out: dict[str, Any] = {}
    for key, value in raw.items():
        where = c.at(f"params.{key}")
        if key not in fields:
            c.add(
                where,
                "unknown model parameter",
                key,
                f"a field of {cls.__name__}",
                suggest(key, fields),
            )
            continue
        default = getattr(defaults, key)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
            allowed = "true or false"
        elif isinstance(default, int):
            ok = is_int(value)
            allowed = "an integer"
        elif isinstance(default, float):
            ok = is_number(value) and math.isfinite(_as_float(value))
            allowed = "a finite number"
            value = float(value) if ok else value
        elif isinstance(default, str):
            ok = isinstance(value, str)
            allowed = "a string"
        else:
            ok, allowed = True, ""
        if not ok:
            overflow = isinstance(default, float) and is_number(value)  # 1e400, inf
            wrong = "must be a finite number" if overflow else "has the wrong type"
            c.add(where, f"{wrong} (default {default!r})", value, allowed)
            continue
        problems = _params_problems(cls, {key: value})
        for p in problems:
            c.add(where, p.message, p.value, p.allowed, p.suggestion)
        if not problems:
            out[key] = value
    if len(out) > 1:  # checks across fields, once each field is fine on its own
        for p in _params_problems(cls, out):
            c.add(f"{c.at('params')} ({p.where})", p.message, p.value, p.allowed, p.suggestion)
    return out


def parse_param_settings(settings: Sequence[str], *, origin: str = "--set") -> dict[str, Any]:
    """Model-parameter overrides from ``NAME=VALUE`` text (the command line's ``--set``).

    Each value is read as a TOML value (``0.06``, ``3``, ``true``, ``"neutral"``); a bare word
    that is not one is taken as a string. Names and values are checked as a scenario's
    ``[params]`` table is: unknown names get the closest known one, values their range.

    Parameters
    ----------
    settings : sequence of str
        ``"tie_decay=0.06"`` and the like.
    origin : str
        How problems name where the setting came from.

    Returns
    -------
    dict
        Parameter name to value.

    Raises
    ------
    ValidationError
        Every malformed setting, unknown name and bad value, at once.

    Examples
    --------
    >>> parse_param_settings(["tie_decay=0.06"])
    {'tie_decay': 0.06}
    """
    import tomllib

    c = Collector(origin, "")
    raw: dict[str, Any] = {}
    for text in settings:
        name, sep, value_text = text.partition("=")
        name = name.strip()
        if not sep or not name:
            c.add(origin, "expected NAME=VALUE", text, "e.g. --set tie_decay=0.06")
            continue
        try:
            value = tomllib.loads(f"v = {value_text.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = value_text.strip()  # a bare word: a string parameter such as a bloc name
        raw[name] = value
    params = _parse_params(c, raw, None)
    if c.problems:
        problems = [
            dataclasses.replace(p, where=p.where.replace(f"{origin} params.", f"{origin} "))
            for p in c.problems
        ]
        raise ValidationError(problems, what="parameter settings")
    return params


def _as_float(x: int | float) -> float:
    try:
        return float(x)
    except OverflowError:  # a 400-digit integer
        return math.inf


def _params_problems(cls: type, values: Mapping[str, Any]) -> list[Problem]:
    """What the parameter class rejects in `values`, as problems (``where`` = the field)."""
    try:
        cls(**values)
    except ValidationError as exc:
        return list(exc.problems)
    except (TypeError, ValueError) as exc:
        return [Problem(", ".join(values), f"rejected by {cls.__name__}: {exc}", None)]
    return []


# -- shocks -------------------------------------------------------------------------------------


def _shock_catalogue() -> Mapping[str, type]:
    try:
        from sim.shocks import SHOCKS
    except ImportError as exc:
        raise SimError(f"the shock catalogue (sim.shocks.SHOCKS) is unavailable: {exc}") from None
    return SHOCKS


@dataclass(frozen=True)
class _ShockContext:
    """What a shock field is checked against: the world's actors, blocs and corridors (None
    when the world could not be loaded), the horizon, and the shocks built so far."""

    ids: list[str] | None
    blocs: list[str] | None
    corridors: list[str] | None
    steps: int | None
    as_of: dt.date | None
    built: list[Any]
    index: int


#: Stands in for a field whose problem lies elsewhere (a restore of a rejected shock).
_SKIP = object()


def _parse_shocks(
    c: Collector,
    table: str,
    raw: Any,
    world: World | None,
    steps: int | None,
    catalogue: Mapping[str, type] | None,
) -> list[Any]:
    if not isinstance(raw, list):
        c.add(c.at(table), "must be an array of tables", raw, f"[[{table}]] tables")
        return []
    if not raw:
        return []
    catalogue = catalogue if catalogue is not None else _shock_catalogue()
    names = list(catalogue)
    built: list[Any] = []
    for i, entry in enumerate(raw):
        path = f"{table}[{i}]"
        if not isinstance(entry, Mapping):
            c.add(c.at(path), "must be a table", entry, f"a [[{table}]] table")
            built.append(None)
            continue
        kind = entry.get("type")
        if kind is None:
            c.add(c.at(path), "missing required key 'type'", None, ", ".join(names))
            built.append(None)
            continue
        if not isinstance(kind, str) or kind not in catalogue:  # a list is unhashable
            c.add(
                c.at(f"{path}.type"), "unknown shock", kind, ", ".join(names), suggest(kind, names)
            )
            built.append(None)
            continue
        cls = catalogue[kind]
        fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
        ctx = _ShockContext(
            ids=list(world.ids) if world is not None else None,
            blocs=list(world.blocs) if world is not None else None,
            corridors=sorted(world_corridors(world)) if world is not None else None,
            steps=steps,
            as_of=world.as_of if world is not None else None,
            built=built,
            index=i,
        )
        n_before = len(c.problems)
        kwargs: dict[str, Any] = {}
        for key, value in entry.items():
            if key == "type":
                continue
            where = c.at(f"{path}.{key}")
            if key not in fields:
                c.add(
                    where, f"unknown field of {kind}", key, ", ".join(fields), suggest(key, fields)
                )
                continue
            kwargs[key] = _shock_field(c, where, cls, fields[key], value, ctx)
        for name, f in fields.items():
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if required and name not in entry:
                c.add(c.at(path), f"{kind} needs '{name}'", None, f"fields: {', '.join(fields)}")
        if len(c.problems) > n_before or any(v is _SKIP for v in kwargs.values()):
            built.append(None)
            continue
        try:
            built.append(cls(**kwargs))
        except SimError as exc:
            c.add(c.at(path), f"invalid {kind}: {exc}", dict(entry))
            built.append(None)
        except (TypeError, ValueError) as exc:
            c.add(c.at(path), f"invalid {kind}: {exc}", dict(entry))
            built.append(None)
    return built


def _model_problems(
    world: World,
    params: Mapping[str, Any],
    arms: Mapping[str, Any],
    at: Any,
) -> list[Problem]:
    """Problems a model finds with the parameters and each arm's shocks (see ``check_runnable``).

    Parameters
    ----------
    world : World
    params : mapping
        ``ModelParams`` overrides.
    arms : mapping
        Table name (``"shocks"``, ``"baseline_shocks"``) to its shocks; ``None`` entries (shocks
        the parser already rejected) and stand-ins without ``validate`` are skipped.
    at : callable
        Key path to a location (``"file:line path"``).

    Notes
    -----
    Parameters that ``ModelParams`` itself rejects are the parser's to report; the shocks are
    then checked on a model with default parameters, so every problem is still found at once.

    Why a model, not the world: what is left after the field checks is each shock's
    ``validate(model)``, whose answer depends on state the model builds from the world and
    the parameters (the supply ties after rerouting and their per-pair index, the
    partnership index, the bloc list with ``neutral``, the shocks already scheduled, which a
    restore must name and follow). Re-deriving that from the world here would be a second
    copy of each rule; scheduling on a throw-away model asks the rule itself. The model is
    built once per arm and never stepped (about 70 ms on axis-2024).
    """
    from sim.model import AllianceModel

    cls = _params_class()
    problems: list[Problem] = []
    try:
        model_params = cls(**params)
    except (SimError, TypeError, ValueError):
        model_params = None  # the parser reports bad parameters itself
    if model_params is not None:
        try:
            AllianceModel(world, params=model_params, rng=0)
        except SimError as exc:
            key = "params.defect_bloc" if "defect_bloc" in str(exc) else "params"
            problems.append(Problem(at(key), f"rejected by the model: {exc}"))
            model_params = None
    for table, shocks in arms.items():
        if not any(s is not None and hasattr(s, "validate") for s in shocks):
            continue
        try:
            model = AllianceModel(world, params=model_params or cls(), rng=0)
        except SimError:  # the default parameters fit every valid world; nothing more to learn
            continue
        rejected: list[Any] = []
        for i, shock in enumerate(shocks):
            if shock is None or not hasattr(shock, "validate"):
                continue
            if getattr(shock, "shock", None) is not None and any(
                shock.shock is r for r in rejected
            ):
                continue  # restores a shock already reported
            try:
                model.add_shock(shock)
            except SimError as exc:
                rejected.append(shock)
                kind = _shock_record(shock)["type"]
                problems.append(
                    Problem(
                        at(f"{table}[{i}]"),
                        f"{kind} cannot be applied to world {world.name!r}: {exc}",
                    )
                )
    return problems


def month_of_date(date: dt.date, as_of: dt.date) -> int:
    """The month of a run that `date` falls in: whole months from the world's `as_of` date.

    Month ``t`` runs from ``as_of + t months`` up to the day before ``as_of + (t + 1)
    months``, so a shock dated inside it takes effect in the step from t to t + 1.

    Examples
    --------
    >>> import datetime as dt
    >>> month_of_date(dt.date(2025, 1, 1), dt.date(2024, 11, 26))
    1
    >>> month_of_date(dt.date(2024, 12, 8), dt.date(2024, 11, 26))
    0
    """
    months = (date.year - as_of.year) * 12 + (date.month - as_of.month)
    return months - 1 if date.day < as_of.day else months


def _month_of(c: Collector, where: str, value: Any, as_of: dt.date | None) -> int | None:
    """A shock's ``at`` given as a date, as a month; None (and a problem) when it cannot be."""
    if isinstance(value, dt.time) or (isinstance(value, dt.datetime) and value.tzinfo):
        c.add(
            where,
            "must be a step or a date",
            value.isoformat(),
            "a month (an integer >= 0) or a date such as 2025-01-01, without a time",
        )
        return None
    date = value.date() if isinstance(value, dt.datetime) else value
    if as_of is None:
        c.add(
            where,
            "a date needs the world's as_of date, which this world lacks",
            date.isoformat(),
            "a step: an integer >= 0 (months from the start)",
            "give at as a month, or set as_of in the world's [world] table",
        )
        return None
    month = month_of_date(date, as_of)
    if month < 0:
        c.add(
            where,
            "date before the world's as_of",
            date.isoformat(),
            f"a date on or after {as_of.isoformat()} (month 0 of the run)",
        )
        return None
    return month


def world_corridors(world: World) -> set[str]:
    """Names of the corridors the world's supply routes (main or alternative) run through."""
    return {
        r.corridor
        for t in world.ties_in("supply")
        for r in (t.route, *t.alternatives)
        if r.corridor
    }


def _shock_field(
    c: Collector, where: str, cls: type, f: dataclasses.Field, value: Any, ctx: _ShockContext
) -> Any:
    """Check one shock field by the kind its metadata declares; return the value to build with.

    The checks that need no world are the shock's own (:func:`sim.shocks.field_problem`, which
    its ``__post_init__`` runs too); the world adds actor ids, blocs, corridors and the horizon.
    A date given for a month becomes the month of the run it falls in (:func:`month_of_date`);
    an index given for a shock (``restore``) becomes that earlier shock.
    """
    from sim.shocks import field_problem

    kind = f.metadata.get("kind")
    given = value
    if kind == "month" and isinstance(value, dt.date | dt.datetime | dt.time):
        value = _month_of(c, where, value, ctx.as_of)
        if value is None:
            return _SKIP
        given = f"{given.isoformat()} (month {value})"
    if kind == "shock":  # restore: names an earlier shock by its index
        i = ctx.index
        if not is_int(value) or not 0 <= value < i:
            c.add(
                where,
                "must name an earlier shock",
                value,
                f"an index in [0, {i - 1}]" if i else "no earlier shock",
            )
            return value
        if ctx.built[value] is None:
            return _SKIP  # that shock's own problems are already reported
        return ctx.built[value]
    if kind in ("actor_pair", "actors") and isinstance(value, list):
        value = tuple(value)
    problem = field_problem(cls, f.name, value, where)
    if problem is not None:
        c.problems.append(problem)
        return value
    ids = ctx.ids
    if ids is None or value is None:
        return value

    def actor(x: str) -> None:
        if x not in ids:
            c.add(where, "unknown actor", x, "an actor id of the world", suggest(x, ids))

    if kind == "actor":
        actor(value)
    elif kind in ("actor_pair", "actors"):
        for x in value:
            actor(x)
    elif kind == "corridor_or_actor" and value not in ids and value not in (ctx.corridors or ()):
        corridors = ctx.corridors or []
        c.add(
            where,
            "unknown actor or corridor",
            value,
            f"an actor id, or a corridor: {', '.join(corridors)}",
            suggest(value, [*ids, *corridors]),
        )
    elif kind == "bloc" and ctx.blocs is not None and value not in (*ctx.blocs, "neutral"):
        c.add(
            where,
            "unknown bloc",
            value,
            ", ".join((*ctx.blocs, "neutral")),
            suggest(value, ctx.blocs),
        )
    elif kind == "count" and value > len(ids):
        c.add(where, "must be a number of actors", value, f"an integer in [1, {len(ids)}]")
    if kind == "month" and ctx.steps is not None and value >= ctx.steps:
        c.add(
            where,
            "shock after the horizon",
            given,
            f"a step in [0, {ctx.steps - 1}] for steps = {ctx.steps}",
            f"raise scenario.steps to at least {value + 1}",
        )
    return value


def _shock_record(shock: Any) -> dict[str, Any]:
    # Class names are the CamelCase of the catalogue's snake_case names (RemoveState: remove_state).
    out: dict[str, Any] = {"type": re.sub(r"(?<!^)(?=[A-Z])", "_", type(shock).__name__).lower()}
    for f in dataclasses.fields(shock):
        v = getattr(shock, f.name)
        out[f.name] = _shock_record(v) if dataclasses.is_dataclass(v) else _jsonable(v)
    return out


def _jsonable(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if hasattr(x, "isoformat"):
        return x.isoformat()
    return x


# -- outcomes -------------------------------------------------------------------------------


def _parse_outcomes(c: Collector, raw: Any, world: World | None) -> list[str]:
    """The outcome names, each checked by the registry (:mod:`sim.outcomes`) against the world."""
    if raw is None:
        return [] if world is None else default_outcomes(world.blocs)
    where = c.at("scenario.outcomes")
    if not isinstance(raw, list) or not raw:
        c.add(where, "must be a non-empty list", raw, _SCENARIO_KEYS["outcomes"])
        return []
    out: list[str] = []
    for j, name in enumerate(raw):
        w = f"{where}[{j}]"
        if not isinstance(name, str):
            c.add(w, "must be a string", name, _SCENARIO_KEYS["outcomes"])
            continue
        problems = outcome_problems(name, w, world)
        c.problems.extend(problems)
        if any(p.message in ("unknown outcome", "malformed outcome") for p in problems):
            continue
        if name in out:
            c.add(w, "listed twice", name, "each outcome once")
        out.append(name)
    return out
