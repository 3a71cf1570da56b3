"""World: actors and the ties between them in layers; TOML/JSON read and write; validation; views.

A world is plain, frozen data. It is read from one human-editable TOML format::

    [world]
    name = "my-world"
    as_of = 2024-11-26

    [[states]]                 # states and armed non-state actors alike
    id = "IRN"
    name = "Iran"
    kind = "state"             # or "non_state"
    bloc = "axis"
    lat = 35.70
    lon = 51.40
    capability = 0.45          # relative, in [0, 1]
    stability = 0.7            # in [0, 1]
    produces = { drones = 400 } # optional; default: what its supply ties ship
    needs = { energy = 50 }     # optional; default: what its supply ties bring

    [[ties]]
    layer = "partnership"      # undirected
    between = ["RUS", "IRN"]
    kind = "strategic_partnership"
    strength = 0.5
    since = 2001-03-12
    source = "Outlet (date)"

    [[ties]]
    layer = "supply"           # directed, supplier -> recipient
    from = "IRN"
    to = "HEZ"
    commodity = "arms"
    volume = 60                # per month, in the commodity's unit (see COMMODITIES)
    via = ["IRQ", "SYR"]       # transit actors, in order
    corridor = "land bridge"
    alternatives = [{ via = [], capacity = 0.1, corridor = "air" }]
    since = 2012-01-01
    source = "..."

    [[ties]]
    layer = "rivalry"          # undirected
    between = ["IRN", "ISR"]
    intensity = 0.9
    since = 1979-02-11
    source = "..."

Every problem in a file is reported at once (:class:`sim.errors.ValidationError`), each with
the file, the line of its table, the key path, the bad value, what is allowed and a suggestion.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, overload

import networkx as nx

from sim.checks import Collector, choice_problem, is_number, number_problem, string_problem
from sim.errors import Problem, UnknownNameError, ValidationError, suggest

__all__ = [
    "ACTOR_KINDS",
    "COMMODITIES",
    "LAYERS",
    "PARTNERSHIP_KINDS",
    "Actor",
    "PartnershipTie",
    "RivalryTie",
    "Route",
    "SupplyTie",
    "Tie",
    "World",
    "layer_view",
    "read_toml_text",
]

#: The tie layers of a world: an undirected partnership, a directed supply, an undirected rivalry.
LAYERS = ("partnership", "supply", "rivalry")
#: What an actor can be: a state or an armed non-state actor (``Actor.kind``).
ACTOR_KINDS = ("state", "non_state")
#: The kinds of partnership a tie can record, roughly from the tightest to the loosest.
PARTNERSHIP_KINDS = (
    "defence_pact",
    "union",
    "strategic_partnership",
    "entente",
    "basing",
    "cooperation",
    "neutrality",  # a pledge to stay out of a war against the partner (COW Type II, ATOP)
    "non_aggression",  # a pledge not to attack the partner (COW Type IIa, ATOP)
)
#: Supply commodities and the unit each volume is counted in (per month unless stated).
COMMODITIES: dict[str, str] = {
    "arms": "SIPRI TIV (millions) per month",
    "drones": "drones per month",
    "missiles": "missiles per month",
    "shells": "thousand artillery rounds per month",
    "troops": "thousand personnel deployed",
    "energy": "thousand barrels of oil equivalent per day",
    "dual_use": "USD million per month",
    "funding": "USD million per month",
    "technology": "relative transfer intensity (0-100)",
}

_MAX_VALUE = 1e12  # larger volumes or capabilities are treated as input mistakes


@dataclass(frozen=True)
class Actor:
    """A state or an armed non-state actor.

    Attributes
    ----------
    id : str
        ISO 3166 alpha-3 for states; a documented code for non-state actors
        (``HEZ`` Hezbollah, ``HOU`` the Houthis, ``IQM`` Iraqi militias).
    name, kind, bloc : str
        Display name; ``"state"`` or ``"non_state"``; the camp it belongs to.
    lat, lon : float
        Capital (or headquarters) coordinates in degrees.
    capability : float
        Relative military-economic capability in [0, 1].
    stability : float
        Regime stability in [0, 1]; the model collapses an actor that falls below a threshold.
    produces, needs : mapping of commodity to volume per month
        Optional. An empty mapping means "derived from the supply ties"
        (see :meth:`World.production` and :meth:`World.needs`).
    domestic : mapping of commodity to volume per month
        Optional. The actor's own output for its own use, in the commodity's unit: its need
        of a commodity is met by this plus its imports, so the share of imports in its supply
        (its import dependence) is what a supply shock can take away. Empty: the actor makes
        none of what it imports (and needs none of what it exports).
    note : str
        Free text: caveats, what the figures rest on.
    domestic_source : str
        Where the ``domestic`` figures come from, or the reasoning behind a judgement.

    Examples
    --------
    >>> from sim.world import Actor
    >>> iran = Actor("IRN", "Iran", bloc="axis", capability=0.45)
    >>> iran.kind, iran.capability, iran.stability
    ('state', 0.45, 0.7)
    """

    id: str
    name: str
    kind: Literal["state", "non_state"] = "state"
    bloc: str = "neutral"
    lat: float = 0.0
    lon: float = 0.0
    capability: float = 0.5
    stability: float = 0.7
    produces: Mapping[str, float] = field(default_factory=dict)
    needs: Mapping[str, float] = field(default_factory=dict)
    note: str = ""
    domestic: Mapping[str, float] = field(default_factory=dict)
    domestic_source: str = ""

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True)
class Route:
    """A path for supply through transit actors (``via``, in order; empty = direct).

    Parameters
    ----------
    via : tuple of str
        Transit actor ids, in order from supplier to recipient; empty for a direct route.
    capacity : float
        The share of the tie's volume the route can carry, in (0, 1].
    corridor : str
        A name for the route (``"land bridge"``, ``"air"``...).

    Examples
    --------
    >>> from sim.world import Route
    >>> Route(via=("IRQ", "SYR"), corridor="land bridge")
    Route(via=('IRQ', 'SYR'), capacity=1.0, corridor='land bridge')
    """

    via: tuple[str, ...] = ()
    capacity: float = 1.0
    corridor: str = ""


@dataclass(frozen=True)
class _TieBase:
    since: dt.date
    source: str
    verified: bool = True
    note: str = ""


@dataclass(frozen=True)
class PartnershipTie(_TieBase):
    """An undirected partnership: a defence pact, union, strategic partnership, entente...

    Parameters
    ----------
    since : datetime.date
        When the tie began.
    source : str
        Where it is documented: an outlet and date, or a dataset and version.
    verified : bool
        False for a tie reported but not confirmed.
    note : str
        Free text.
    a, b : str
        The two partners' actor ids (the order carries no meaning).
    kind : str
        One of :data:`PARTNERSHIP_KINDS`.
    strength : float
        How binding the partnership is, in [0, 1].
    layer : {"partnership"}
        Fixed: the layer this tie belongs to.

    Examples
    --------
    >>> import datetime as dt
    >>> from sim.world import PartnershipTie
    >>> t = PartnershipTie(dt.date(2001, 3, 12), "Outlet (2001)", a="RUS", b="IRN")
    >>> t.ends, t.kind, t.strength
    (('RUS', 'IRN'), 'strategic_partnership', 0.5)
    """

    a: str = ""
    b: str = ""
    kind: str = "strategic_partnership"
    strength: float = 0.5
    layer: Literal["partnership"] = "partnership"

    @property
    def ends(self) -> tuple[str, str]:
        return (self.a, self.b)


@dataclass(frozen=True)
class SupplyTie(_TieBase):
    """A directed supply of one commodity from a supplier to a recipient along a route.

    Parameters
    ----------
    since : datetime.date
        When the tie began.
    source : str
        Where it is documented: an outlet and date, or a dataset and version.
    verified : bool
        False for a tie reported but not confirmed.
    note : str
        Free text.
    supplier, recipient : str
        The actor ids at the two ends; supply flows from `supplier` to `recipient`.
    commodity : str
        One of :data:`COMMODITIES`.
    volume : float
        Per month, in the commodity's unit.
    route : Route
        The main route; the default is direct.
    alternatives : tuple of Route
        Other routes the supply can take when the main one is blocked.
    layer : {"supply"}
        Fixed: the layer this tie belongs to.

    Examples
    --------
    >>> import datetime as dt
    >>> from sim.world import Route, SupplyTie
    >>> t = SupplyTie(dt.date(2012, 1, 1), "Outlet (2012)", supplier="IRN", recipient="HEZ",
    ...               volume=60, route=Route(via=("IRQ", "SYR")))
    >>> t.ends, t.route.via, t.volume
    (('IRN', 'HEZ'), ('IRQ', 'SYR'), 60)
    """

    supplier: str = ""
    recipient: str = ""
    commodity: str = "arms"
    volume: float = 0.0
    route: Route = field(default_factory=Route)
    alternatives: tuple[Route, ...] = ()
    layer: Literal["supply"] = "supply"

    @property
    def ends(self) -> tuple[str, str]:
        return (self.supplier, self.recipient)


@dataclass(frozen=True)
class RivalryTie(_TieBase):
    """An undirected rivalry with an intensity in [0, 1].

    Parameters
    ----------
    since : datetime.date
        When the tie began.
    source : str
        Where it is documented: an outlet and date, or a dataset and version.
    verified : bool
        False for a tie reported but not confirmed.
    note : str
        Free text.
    a, b : str
        The two rivals' actor ids (the order carries no meaning).
    intensity : float
        How hostile the rivalry is, in [0, 1].
    layer : {"rivalry"}
        Fixed: the layer this tie belongs to.

    Examples
    --------
    >>> import datetime as dt
    >>> from sim.world import RivalryTie
    >>> RivalryTie(dt.date(1979, 2, 11), "Outlet (1979)", a="IRN", b="ISR", intensity=0.9).ends
    ('IRN', 'ISR')
    """

    a: str = ""
    b: str = ""
    intensity: float = 0.5
    layer: Literal["rivalry"] = "rivalry"

    @property
    def ends(self) -> tuple[str, str]:
        return (self.a, self.b)


#: A tie of any layer: ``isinstance(t, Tie)`` holds for each of the three tie classes.
Tie = PartnershipTie | SupplyTie | RivalryTie


@dataclass(frozen=True)
class World:
    """Actors and ties in layers: the input of every model run and structural analysis.

    Build one with :meth:`from_toml`, :meth:`from_json`, :func:`sim.load_world` or an importer;
    two worlds are equal when their metadata, actors and ties are equal (in order).

    Parameters
    ----------
    actors : sequence of Actor
        Every actor, in file order; ids are unique.
    ties : sequence of Tie
        Every tie, in file order; each end (and each transit actor) is one of `actors`.
    name, description : str
        A short name and a free-text description.
    as_of : datetime.date or None
        The date the world describes.

    Raises
    ------
    sim.errors.ValidationError
        Listing every problem at once (an unknown actor, a value out of range...).

    Examples
    --------
    >>> import datetime as dt
    >>> from sim.world import Actor, PartnershipTie, World
    >>> w = World(actors=(Actor("A", "Alpha"), Actor("B", "Beta")),
    ...           ties=(PartnershipTie(dt.date(2000, 1, 1), "test", a="A", b="B"),))
    >>> len(w), w.ids, len(w.ties_in("partnership"))
    (2, ('A', 'B'), 1)
    """

    actors: tuple[Actor, ...]
    ties: tuple[Tie, ...] = ()
    name: str = "world"
    description: str = ""
    as_of: dt.date | None = None

    def __post_init__(self):
        object.__setattr__(self, "actors", tuple(self.actors))
        object.__setattr__(self, "ties", tuple(self.ties))
        problems = _world_problems(self.actors, self.ties)
        if problems:
            raise ValidationError(problems, what=f"world {self.name!r}")

    @classmethod
    def _checked(cls, **kw: Any) -> World:
        """A world from actors and ties the reader has just checked (with their file lines):
        built without running the same checks a second time."""
        world = object.__new__(cls)
        for f in fields(cls):
            value = kw.get(f.name, f.default)
            object.__setattr__(
                world, f.name, tuple(value) if f.name in ("actors", "ties") else value
            )
        return world

    # -- lookups ----------------------------------------------------------------------------
    @cached_property
    def _by_id(self) -> dict[str, Actor]:
        return {a.id: a for a in self.actors}

    @property
    def ids(self) -> tuple[str, ...]:
        """Actor ids in file order."""
        return tuple(a.id for a in self.actors)

    def actor(self, actor_id: str) -> Actor:
        """The actor with this id; ``KeyError`` with a suggestion when unknown."""
        try:
            return self._by_id[actor_id]
        except KeyError:
            hint = suggest(actor_id, self._by_id)
            msg = f"unknown actor {actor_id!r}" + (f"; {hint}" if hint else "")
            raise UnknownNameError(msg) from None

    def __contains__(self, actor_id: object) -> bool:
        return actor_id in self._by_id

    def __len__(self) -> int:
        return len(self.actors)

    @overload
    def ties_in(self, layer: Literal["partnership"]) -> tuple[PartnershipTie, ...]: ...
    @overload
    def ties_in(self, layer: Literal["supply"]) -> tuple[SupplyTie, ...]: ...
    @overload
    def ties_in(self, layer: Literal["rivalry"]) -> tuple[RivalryTie, ...]: ...
    @overload
    def ties_in(
        self, layer: Literal["partnership", "rivalry"]
    ) -> tuple[PartnershipTie | RivalryTie, ...]: ...
    @overload
    def ties_in(self, layer: str) -> tuple[Tie, ...]: ...
    def ties_in(self, layer: str) -> tuple[Tie, ...]:
        """The ties of one layer, in file order (typed by layer: ``ties_in("supply")`` holds
        :class:`SupplyTie` only)."""
        _check_layer(layer)
        return tuple(t for t in self.ties if t.layer == layer)

    @property
    def blocs(self) -> tuple[str, ...]:
        """Bloc names in order of first appearance."""
        return tuple(dict.fromkeys(a.bloc for a in self.actors))

    def production(self, actor_id: str) -> dict[str, float]:
        """Output per commodity per month: the declared ``produces``, or what its ties ship."""
        declared = self.actor(actor_id).produces
        if declared:
            return dict(declared)
        out: dict[str, float] = {}
        for t in self.ties_in("supply"):
            if t.supplier == actor_id:
                out[t.commodity] = out.get(t.commodity, 0.0) + t.volume
        return out

    def needs(self, actor_id: str) -> dict[str, float]:
        """Need per commodity per month: the declared ``needs``, or what its ties bring plus
        its own ``domestic`` output for its own use."""
        actor = self.actor(actor_id)
        if actor.needs:
            return dict(actor.needs)
        out: dict[str, float] = {}
        for t in self.ties_in("supply"):
            if t.recipient == actor_id:
                out[t.commodity] = out.get(t.commodity, 0.0) + t.volume
        for c, v in actor.domestic.items():
            if v > 0:
                out[c] = out.get(c, 0.0) + v
        return out

    # -- graph views ------------------------------------------------------------------------
    def to_networkx(self) -> nx.MultiDiGraph:
        """All layers as one :class:`networkx.MultiDiGraph`.

        Nodes carry every actor attribute. Edge keys name the layer: ``"partnership"`` and
        ``"rivalry"`` (undirected ties appear once in each direction), ``"supply:<commodity>"``
        for supply ties; every edge also has a ``layer`` attribute and the tie's fields.
        """
        G: nx.MultiDiGraph[str] = nx.MultiDiGraph(name=self.name)
        for a in self.actors:
            attrs = {f.name: getattr(a, f.name) for f in fields(a) if f.name != "id"}
            attrs["produces"] = dict(a.produces)
            attrs["needs"] = dict(a.needs)
            G.add_node(a.id, **attrs)
        for t in self.ties:
            attrs = _tie_attrs(t)
            if t.layer == "supply":
                G.add_edge(t.supplier, t.recipient, key=f"supply:{t.commodity}", **attrs)
            else:
                G.add_edge(t.a, t.b, key=t.layer, **attrs)
                G.add_edge(t.b, t.a, key=t.layer, **attrs)
        return G

    def layer(self, layer: str) -> nx.Graph:
        """One layer as a simple graph (see :func:`layer_view`)."""
        return layer_view(self.to_networkx(), layer)

    # -- reading and writing ------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, origin: str = "<dict>", text: str = "") -> World:
        """Build a world from parsed TOML/JSON data, reporting every problem at once.

        `origin` names the file in messages; `text` (the file's text) lets messages give lines.
        """
        return _parse_world(data, origin=origin, text=text)

    @classmethod
    def from_toml(cls, path: str | Path) -> World:
        """Read a world from a TOML file (see the module docstring for the format)."""
        path = Path(path)
        text = _read_text(path)
        return cls.from_dict(read_toml_text(text, origin=str(path)), origin=str(path), text=text)

    @classmethod
    def from_json(cls, path: str | Path) -> World:
        """Read a world written by :meth:`to_json`."""
        path = Path(path)
        text = _read_text(path)
        try:
            data = json.loads(text)
        except RecursionError:
            raise ValidationError(
                [Problem(str(path), "JSON nested too deeply to read", allowed="a few levels")],
                what=str(path),
            ) from None
        except json.JSONDecodeError as exc:
            raise ValidationError(
                [Problem(f"{path}:{exc.lineno}:{exc.colno}", f"invalid JSON: {exc.msg}")],
                what=str(path),
            ) from None
        return cls.from_dict(data, origin=str(path))

    def to_dict(self, *, json_safe: bool = False) -> dict[str, Any]:
        """The world as plain data in the file layout (dates as ISO strings if `json_safe`)."""
        meta: dict[str, Any] = {"name": self.name}
        if self.description:
            meta["description"] = self.description
        if self.as_of is not None:
            meta["as_of"] = self.as_of.isoformat() if json_safe else self.as_of
        states = [_actor_to_dict(a) for a in self.actors]
        ties = [_tie_to_dict(t, json_safe=json_safe) for t in self.ties]
        return {"world": meta, "states": states, "ties": ties}

    def to_toml(self, path: str | Path) -> None:
        """Write the world as TOML (atomically); :meth:`from_toml` reads it back equal."""
        import tomli_w

        _write_atomic(Path(path), tomli_w.dumps(self.to_dict()))

    def to_json(self, path: str | Path) -> None:
        """Write the world as JSON (atomically); :meth:`from_json` reads it back equal."""
        _write_atomic(Path(path), json.dumps(self.to_dict(json_safe=True), indent=2) + "\n")

    def replace(
        self,
        *,
        actors: Iterable[Actor] | None = None,
        ties: Iterable[Tie] | None = None,
        **meta: Any,
    ) -> World:
        """A copy with actors, ties or metadata replaced (validated again)."""
        return World(
            actors=tuple(self.actors if actors is None else actors),
            ties=tuple(self.ties if ties is None else ties),
            name=meta.get("name", self.name),
            description=meta.get("description", self.description),
            as_of=meta.get("as_of", self.as_of),
        )

    def summary(self) -> str:
        """A few readable lines: actors per bloc and ties per layer."""
        lines = [f"World {self.name!r}" + (f" (as of {self.as_of})" if self.as_of else "")]
        lines.append(
            f"  {len(self.actors)} actors in {len(self.blocs)} blocs: "
            + ", ".join(f"{b} {sum(a.bloc == b for a in self.actors)}" for b in self.blocs)
        )
        lines.append("  ties: " + ", ".join(f"{lay} {len(self.ties_in(lay))}" for lay in LAYERS))
        return "\n".join(lines)


# -- graph views ----------------------------------------------------------------------------


def layer_view(G: nx.MultiDiGraph, layer: str) -> nx.Graph:
    """One layer of a world graph as a simple graph: the one place layer views come from.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph from :meth:`World.to_networkx` (or one built the same way).
    layer : {"partnership", "rivalry", "supply"}

    Returns
    -------
    networkx.Graph or networkx.DiGraph
        ``partnership``: undirected, edge attributes ``strength`` and ``kind``;
        ``rivalry``: undirected, ``intensity``; ``supply``: directed, ``volume`` (summed over
        commodities, each in its own unit) and ``commodities`` (commodity -> volume).
        Every actor of `G` is a node, with its attributes, even without ties in the layer.

    Examples
    --------
    >>> import sim.worlds
    >>> from sim.world import layer_view
    >>> G = sim.worlds.synthetic(8, mean_degree=2, rng=1).to_networkx()
    >>> H = layer_view(G, "supply")
    >>> H.is_directed(), H.number_of_nodes()
    (True, 8)
    """
    _check_layer(layer)
    H: nx.Graph = nx.DiGraph() if layer == "supply" else nx.Graph()
    H.add_nodes_from(G.nodes(data=True))
    for u, v, data in G.edges(data=True):
        if data.get("layer") != layer:
            continue
        if layer == "supply":
            if H.has_edge(u, v):
                e = H[u][v]
                e["volume"] += data["volume"]
                e["commodities"][data["commodity"]] = (
                    e["commodities"].get(data["commodity"], 0.0) + data["volume"]
                )
            else:
                H.add_edge(
                    u, v, volume=data["volume"], commodities={data["commodity"]: data["volume"]}
                )
        else:
            H.add_edge(u, v, **{k: v_ for k, v_ in data.items() if k not in ("a", "b")})
    return H


def _check_layer(layer: str) -> None:
    # A ValidationError (a SimError, so the CLI reports it; and a ValueError, so callers that
    # caught the ValueError this raised before still do), with the allowed layers and a hint.
    if layer not in LAYERS:
        raise ValidationError(
            [
                Problem(
                    "layer",
                    "unknown layer",
                    layer,
                    ", ".join(LAYERS),
                    suggest(layer, LAYERS),
                )
            ],
            what="layer argument",
        )


def _tie_attrs(t: Tie) -> dict[str, Any]:
    attrs = {f.name: getattr(t, f.name) for f in fields(t)}
    if isinstance(t, SupplyTie):
        attrs["via"] = t.route.via
    return attrs


# -- I/O helpers ----------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    where = str(path)
    if not path.exists():
        raise ValidationError([Problem(where, "file not found")], what=where)
    if path.is_dir():
        raise ValidationError([Problem(where, "is a directory, not a file")], what=where)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValidationError(
            [Problem(where, f"cannot be read: {exc.strerror}")], what=where
        ) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValidationError(
            [
                Problem(
                    f"{where}:{line}",
                    "is not valid UTF-8 text",
                    value=raw[exc.start : exc.start + 4],
                    suggestion="save the file as UTF-8",
                )
            ],
            what=where,
        ) from None


def read_toml_text(text: str, *, origin: str) -> dict[str, Any]:
    """Parse TOML, turning a syntax error into a located :class:`ValidationError`.

    Parameters
    ----------
    text : str
        The TOML text.
    origin : str
        Where the text comes from (a file path), used to locate problems.

    Returns
    -------
    dict
        The parsed tables.

    Raises
    ------
    sim.errors.ValidationError
        On a syntax error (at ``origin:line:column`` when known) or an unreadable value.

    Examples
    --------
    >>> from sim.world import read_toml_text
    >>> read_toml_text("world = { name = 'w', size = 8 }", origin="w.toml")
    {'world': {'name': 'w', 'size': 8}}
    >>> from sim.errors import ValidationError
    >>> try:
    ...     read_toml_text("name = ", origin="w.toml")
    ... except ValidationError as e:
    ...     print(e.problems[0].where, "|", e.problems[0].message.startswith("TOML syntax error"))
    w.toml | True
    """
    try:
        return tomllib.loads(text)
    except RecursionError:  # tomllib recurses per nesting level; a hostile file can exhaust it
        raise ValidationError(
            [Problem(origin, "TOML nested too deeply to read", allowed="a few levels of nesting")],
            what=origin,
        ) from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\s*\(at line (\d+), column (\d+)\)", msg)
        where = origin
        if m:  # Python < 3.14 puts the position in the message only
            where = f"{origin}:{m.group(1)}:{m.group(2)}"
            msg = msg[: m.start()] + msg[m.end() :]
        raise ValidationError([Problem(where, f"TOML syntax error: {msg}")], what=origin) from None
    except ValueError as exc:  # e.g. an integer beyond Python's 4300-digit conversion limit
        msg = "a number has too many digits" if "digits" in str(exc) else str(exc)
        raise ValidationError(
            [Problem(origin, f"TOML value cannot be read: {msg}")], what=origin
        ) from None


def _write_atomic(path: Path, text: str) -> None:
    """Write an output file atomically; an unusable path is a user error (ValidationError)."""
    from sim._files import atomic_write_text

    def fail(message: str) -> ValidationError:  # an unusable output path is a user error
        return ValidationError(
            [
                Problem(
                    str(path),
                    message,
                    allowed="a file path in a writable directory",
                    suggestion="choose another --out",
                )
            ],
            what=f"output {path}",
        )

    if path.is_dir():
        raise fail("is a directory; refusing to replace it with a file")
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise fail(f"{parent} is a file, not a directory")
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise fail(f"cannot be written: {exc.strerror or exc}") from None


def _actor_to_dict(a: Actor) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": a.id,
        "name": a.name,
        "kind": a.kind,
        "bloc": a.bloc,
        "lat": a.lat,
        "lon": a.lon,
        "capability": a.capability,
        "stability": a.stability,
    }
    if a.produces:
        d["produces"] = dict(a.produces)
    if a.needs:
        d["needs"] = dict(a.needs)
    if a.domestic:
        d["domestic"] = dict(a.domestic)
    if a.domestic_source:
        d["domestic_source"] = a.domestic_source
    if a.note:
        d["note"] = a.note
    return d


def _route_to_dict(r: Route, *, main: bool) -> dict[str, Any]:
    d: dict[str, Any] = {"via": list(r.via)}
    if not main:
        d["capacity"] = r.capacity
    if r.corridor:
        d["corridor"] = r.corridor
    return d


def _tie_to_dict(t: Tie, *, json_safe: bool) -> dict[str, Any]:
    d: dict[str, Any] = {"layer": t.layer}
    if isinstance(t, SupplyTie):
        d.update(
            {"from": t.supplier, "to": t.recipient, "commodity": t.commodity, "volume": t.volume}
        )
        d.update(_route_to_dict(t.route, main=True))
        if t.alternatives:
            d["alternatives"] = [_route_to_dict(r, main=False) for r in t.alternatives]
    elif isinstance(t, PartnershipTie):
        d.update({"between": [t.a, t.b], "kind": t.kind, "strength": t.strength})
    else:
        d.update({"between": [t.a, t.b], "intensity": t.intensity})
    d["since"] = t.since.isoformat() if json_safe else t.since
    d["source"] = t.source
    if not t.verified:
        d["verified"] = False
    if t.note:
        d["note"] = t.note
    return d


# -- parsing and validation -----------------------------------------------------------------
#
# Reading a file turns each table into an object, converting what can be converted (dates,
# lists of ids to tuples, numbers to floats) and reporting only what stops an object being
# built: a table that is not a table, unknown and missing keys, an unknown layer. Every value
# and cross-reference is then checked once, on the objects, by _world_problems: the same
# function World() runs on a world built in code, so each rule and its message live once.

_ACTOR_KEYS = {
    "id": "a short code (ISO 3166 alpha-3 for states)",
    "name": "a display name",
    "kind": "state | non_state",
    "bloc": "a bloc name",
    "lat": "latitude in degrees, -90..90",
    "lon": "longitude in degrees, -180..180",
    "capability": "a number in [0, 1]",
    "stability": "a number in [0, 1]",
    "produces": "a table commodity -> volume per month",
    "needs": "a table commodity -> volume per month",
    "domestic": "a table commodity -> own output for own use per month",
    "domestic_source": "free text: where the domestic figures come from",
    "note": "free text",
}
_REQUIRED_ACTOR_KEYS = ("id", "name", "bloc", "lat", "lon")
_ACTOR_RANGES = {"lat": (-90, 90), "lon": (-180, 180), "capability": (0, 1), "stability": (0, 1)}
_COMMON_TIE_KEYS = ("layer", "since", "source", "verified", "note")
_TIE_KEYS = {
    "partnership": ("between", "kind", "strength"),
    "rivalry": ("between", "intensity"),
    "supply": ("from", "to", "commodity", "volume", "via", "corridor", "alternatives"),
}
_REQUIRED_TIE_KEYS = {
    "partnership": ("between", "kind", "strength", "since", "source"),
    "rivalry": ("between", "intensity", "since", "source"),
    "supply": ("from", "to", "commodity", "volume", "since", "source"),
}
_ROUTE_KEYS = ("via", "capacity", "corridor")
_WORLD_KEYS = ("name", "description", "as_of")
_SOURCE = "outlet and date, or a dataset and version"
_DATE = "YYYY-MM-DD (a TOML date, e.g. 2024-12-08)"


class _Reported:
    """Stands in for a value that is missing or unreadable: its problem is already reported,
    and the checks skip it (so one mistake gives one message)."""

    def __repr__(self) -> str:
        return "<reported>"


_REPORTED: Any = _Reported()


# -- converting tables to objects -----------------------------------------------------------


def _as_float(value: object) -> Any:
    """A number as a float (what a world holds); anything else unchanged, for the checks."""
    if is_number(value):
        try:
            return float(value)
        except OverflowError:  # a 400-digit TOML integer: left for the range check
            return value
    return value


def _as_date(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return value


def _as_flows(value: object) -> object:
    return {k: _as_float(v) for k, v in value.items()} if isinstance(value, Mapping) else value


def _as_ids(value: object) -> object:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return value


def _parse_actor(c: Collector, i: int, entry: object) -> Actor | None:
    path = f"states[{i}]"
    if not isinstance(entry, Mapping):
        c.add(c.at(path), "must be a table", entry, "a [[states]] table")
        return None
    c.unknown_keys(path, entry, _ACTOR_KEYS)
    kw: dict[str, Any] = {}
    for key in _REQUIRED_ACTOR_KEYS:
        if key not in entry:
            c.add(c.at(f"{path}.{key}"), "missing required key", None, _ACTOR_KEYS[key])
            kw[key] = _REPORTED
    for key in _ACTOR_KEYS:
        if key in entry:
            value = entry[key]
            kw[key] = (
                _as_float(value)
                if key in _ACTOR_RANGES
                else _as_flows(value)
                if key in ("produces", "needs", "domestic")
                else value
            )
    return Actor(**kw)


def _parse_route(c: Collector, path: str, entry: Mapping[str, Any], *, main: bool) -> Route:
    capacity: object = 1.0
    if not main:
        c.unknown_keys(path, entry, _ROUTE_KEYS)
        if "capacity" not in entry:
            c.add(
                c.at(f"{path}.capacity"),
                "missing required key",
                None,
                "the share of the tie's volume this route can carry, in (0, 1]",
            )
            capacity = _REPORTED
        else:
            capacity = _as_float(entry["capacity"])
    # built from unchecked input on purpose: _world_problems checks the object afterwards
    return Route(
        via=_as_ids(entry.get("via", [])),  # type: ignore[arg-type]
        capacity=capacity,  # type: ignore[arg-type]
        corridor=entry.get("corridor", ""),
    )


def _parse_tie(c: Collector, i: int, entry: object) -> Tie | None:
    path = f"ties[{i}]"
    if not isinstance(entry, Mapping):
        c.add(c.at(path), "must be a table", entry, "a [[ties]] table")
        return None
    w = lambda k: c.at(f"{path}.{k}")  # noqa: E731
    layer = entry.get("layer")
    if layer not in LAYERS:
        if layer is None:
            c.add(w("layer"), "missing required key", None, " | ".join(LAYERS))
        else:
            c.add(w("layer"), "unknown layer", layer, " | ".join(LAYERS), suggest(layer, LAYERS))
        return None
    c.unknown_keys(path, entry, (*_COMMON_TIE_KEYS, *_TIE_KEYS[layer]))
    for key in _REQUIRED_TIE_KEYS[layer]:
        if key not in entry:
            allowed = {"source": _SOURCE, "since": "a date, YYYY-MM-DD"}.get(
                key, f"required for layer {layer!r}"
            )
            c.add(w(key), "missing required key", None, allowed)
    get = lambda key, default=_REPORTED: entry.get(key, default)  # noqa: E731
    common: dict[str, Any] = {
        "since": _as_date(get("since")),
        "source": get("source"),
        "verified": get("verified", True),
        "note": get("note", ""),
    }
    if layer == "supply":
        alts = get("alternatives", [])
        routes: list[Route] = []
        if not isinstance(alts, list):
            c.add(
                w("alternatives"),
                "must be a list of tables",
                alts,
                '[{ via = ["TKM"], capacity = 0.3 }]',
            )
        else:
            for j, alt in enumerate(alts):
                if not isinstance(alt, Mapping):
                    c.add(
                        w(f"alternatives[{j}]"),
                        "must be a table",
                        alt,
                        "{ via = [...], capacity = 0.3, corridor = '...' }",
                    )
                    continue
                routes.append(_parse_route(c, f"{path}.alternatives[{j}]", alt, main=False))
        return SupplyTie(
            **common,
            supplier=get("from"),
            recipient=get("to"),
            commodity=get("commodity"),
            volume=_as_float(get("volume")),
            route=_parse_route(c, path, entry, main=True),
            alternatives=tuple(routes),
        )
    between = get("between")
    a = b = _REPORTED
    if between is not _REPORTED:
        if (
            isinstance(between, list)
            and len(between) == 2
            and all(isinstance(x, str) for x in between)
        ):
            a, b = between
        else:
            c.add(w("between"), "must be a pair of actor ids", between, '["RUS", "IRN"]')
    if layer == "partnership":
        return PartnershipTie(
            **common, a=a, b=b, kind=get("kind"), strength=_as_float(get("strength"))
        )
    return RivalryTie(**common, a=a, b=b, intensity=_as_float(get("intensity")))


def _parse_world(data: Mapping[str, Any], *, origin: str, text: str) -> World:
    c = Collector(origin, text, by_table=True)
    if not isinstance(data, Mapping):
        raise ValidationError(
            [Problem(origin, "must be a table at the top level", data)], what=origin
        )
    for key in data:
        if key not in ("world", "states", "ties"):
            c.add(
                f"{origin} {key}",
                "unknown top-level key",
                key,
                "world, states, ties",
                suggest(key, ("world", "states", "ties")),
            )
    meta = data.get("world", {})
    kw: dict[str, Any] = {}
    if not isinstance(meta, Mapping):
        c.add(f"{origin} world", "must be a table", meta, "[world] with name, description, as_of")
        meta = {}
    for key in meta:
        if key not in _WORLD_KEYS:
            c.add(
                f"{origin} world.{key}",
                "unknown key",
                key,
                ", ".join(_WORLD_KEYS),
                suggest(key, _WORLD_KEYS),
            )
    if "name" in meta and c.string(f"{origin} world.name", meta["name"], allowed="a name"):
        kw["name"] = meta["name"]
    if "description" in meta and c.string(
        f"{origin} world.description", meta["description"], allowed="text", nonempty=False
    ):
        kw["description"] = meta["description"]
    if "as_of" in meta:
        kw["as_of"] = _as_date(meta["as_of"])
        if not isinstance(kw["as_of"], dt.date):
            c.add(f"{origin} world.as_of", "must be a date", meta["as_of"], _DATE)

    states = data.get("states")
    if states is None:
        c.add(
            f"{origin} states",
            "missing: a world needs at least one [[states]] table",
            None,
            "[[states]] tables with id, name, bloc, lat, lon",
        )
        states = []
    elif not isinstance(states, list):
        c.add(f"{origin} states", "must be an array of tables", states, "[[states]] tables")
        states = []
    elif not states:
        c.add(
            f"{origin} states",
            "a world needs at least one actor",
            states,
            "one or more [[states]] tables",
        )
    ties = data.get("ties", [])
    if not isinstance(ties, list):
        c.add(f"{origin} ties", "must be an array of tables", ties, "[[ties]] tables")
        ties = []

    actors = [_parse_actor(c, i, e) for i, e in enumerate(states)]
    parsed_ties = [_parse_tie(c, i, e) for i, e in enumerate(ties)]
    c.extend(_world_problems(actors, parsed_ties, c.at))
    if c.problems:
        raise ValidationError(c.problems, what=origin)
    return World._checked(actors=tuple(actors), ties=tuple(parsed_ties), **kw)


# -- the checks, on objects -----------------------------------------------------------------


def _plain(path: str) -> str:
    return path


def _located(found: list[Problem | None], at: Callable[[str], str], entry: str) -> list[Problem]:
    """The problems of one entry (``where`` a key path inside it), located in the file. The
    checks name keys only; a location is made for the few values that fail."""
    return [dataclasses.replace(p, where=at(f"{entry}.{p.where}")) for p in found if p is not None]


def _flow_problems(where: str, value: object) -> list[Problem | None]:
    if not isinstance(value, Mapping):
        return [Problem(where, "must be a table", value, "commodity -> volume per month")]
    out: list[Problem | None] = []
    for k, v in value.items():
        if not isinstance(k, str) or k not in COMMODITIES:
            out.append(choice_problem(f"{where}.{k}", k, COMMODITIES, message="unknown commodity"))
            continue
        out.append(
            number_problem(
                f"{where}.{k}",
                v,
                lo=0.0,
                hi=_MAX_VALUE,
                allowed=f"a volume >= 0 in {COMMODITIES[k]}",
            )
        )
    return out


def _actor_problems(a: Actor) -> list[Problem | None]:
    out: list[Problem | None] = []
    for key in ("id", "name", "bloc"):
        value = getattr(a, key)
        if value is not _REPORTED:
            out.append(string_problem(key, value, allowed=_ACTOR_KEYS[key]))
    out.append(choice_problem("kind", a.kind, ACTOR_KINDS, message="unknown actor kind", sep=" | "))
    for key, (lo, hi) in _ACTOR_RANGES.items():
        value = getattr(a, key)
        if value is not _REPORTED:
            out.append(number_problem(key, value, lo=lo, hi=hi, allowed=_ACTOR_KEYS[key]))
    for key in ("produces", "needs", "domestic"):
        out += _flow_problems(key, getattr(a, key))
    for key in ("note", "domestic_source"):
        out.append(string_problem(key, getattr(a, key), allowed="text", nonempty=False))
    return out


def _route_problems(r: Route, key: str) -> list[Problem | None]:
    """`key`: ``""`` for the main route (its keys sit on the tie), else ``alternatives[j].``."""
    out: list[Problem | None] = []
    if not (isinstance(r.via, tuple | list) and all(isinstance(x, str) for x in r.via)):
        out.append(
            Problem(f"{key}via", "must be a list of actor ids", r.via, 'e.g. ["IRQ", "SYR"]')
        )
    if key and r.capacity is not _REPORTED:
        out.append(
            number_problem(
                f"{key}capacity",
                r.capacity,
                lo=0.0,
                hi=1.0,
                lo_open=True,
                allowed="a share in (0, 1]",
            )
        )
    if not isinstance(r.corridor, str):
        out.append(Problem(f"{key}corridor", "must be a string", r.corridor, "a corridor name"))
    return out


def _tie_problems(t: Tie) -> list[Problem | None]:
    out: list[Problem | None] = []
    value: object
    if t.since is not _REPORTED and not isinstance(t.since, dt.date):
        out.append(Problem("since", "must be a date", t.since, _DATE))
    if t.source is not _REPORTED:
        out.append(string_problem("source", t.source, allowed=_SOURCE))
    if not isinstance(t.verified, bool):
        out.append(Problem("verified", "must be true or false", t.verified, "true | false"))
    out.append(string_problem("note", t.note, allowed="text", nonempty=False))
    if isinstance(t, SupplyTie):
        for end, actor in (("from", t.supplier), ("to", t.recipient)):
            if actor is not _REPORTED:
                out.append(string_problem(end, actor, allowed="an actor id"))
        if t.commodity is not _REPORTED:
            out.append(
                choice_problem("commodity", t.commodity, COMMODITIES, message="unknown commodity")
            )
        if t.volume is not _REPORTED:
            out.append(
                number_problem(
                    "volume",
                    t.volume,
                    lo=0.0,
                    hi=_MAX_VALUE,
                    allowed="a volume per month >= 0 in the commodity's unit",
                )
            )
        out += _route_problems(t.route, "")
        for j, r in enumerate(t.alternatives):
            out += _route_problems(r, f"alternatives[{j}].")
        return out
    if isinstance(t, PartnershipTie):
        if t.kind is not _REPORTED:
            out.append(
                choice_problem(
                    "kind", t.kind, PARTNERSHIP_KINDS, message="unknown partnership kind"
                )
            )
        key, value = "strength", t.strength
    else:
        key, value = "intensity", t.intensity
    if value is not _REPORTED:
        out.append(number_problem(key, value, lo=0, hi=1, allowed="a number in [0, 1]"))
    return out


def _reference_problems(
    actors: Sequence[Actor | None], ties: Sequence[Tie | None], at: Callable[[str], str]
) -> list[Problem]:
    """Ids unique and known, no self-ties, routes through other actors once, no duplicate tie."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for j, a in enumerate(actors):
        if a is None or not isinstance(a.id, str):
            continue
        if a.id in seen:
            problems.append(
                Problem(
                    at(f"states[{j}].id"),
                    "duplicate actor id",
                    a.id,
                    "ids must be unique",
                    f"first defined at {at(f'states[{seen[a.id]}]')}",
                )
            )
        else:
            seen[a.id] = j
    ids = list(seen)

    def known(path: str, x: object) -> bool:
        if not isinstance(x, str):  # missing or not a string: reported by the value checks
            return False
        if x not in seen:
            problems.append(
                Problem(
                    at(path), "unknown actor", x, "an id defined in [[states]]", suggest(x, ids)
                )
            )
            return False
        return True

    first: dict[tuple, int] = {}
    for j, t in enumerate(ties):
        if t is None:
            continue
        w = lambda k, j=j: at(f"ties[{j}].{k}")  # noqa: E731
        pair: tuple
        if isinstance(t, SupplyTie):
            src, dst = t.supplier, t.recipient
            known(f"ties[{j}].from", src)
            known(f"ties[{j}].to", dst)
            if isinstance(src, str) and src == dst:
                problems.append(
                    Problem(
                        w("to"),
                        "a supply tie cannot join an actor to itself",
                        dst,
                        "two different actors",
                    )
                )
            for k, route in enumerate((t.route, *t.alternatives)):
                key = "via" if k == 0 else f"alternatives[{k - 1}].via"
                if not isinstance(route.via, tuple | list):
                    continue
                for x in route.via:
                    if known(f"ties[{j}].{key}", x) and x in (src, dst):
                        problems.append(
                            Problem(
                                w(key),
                                "a route cannot pass through its own endpoints",
                                x,
                                "transit actors other than supplier and recipient",
                            )
                        )
                hashable = [x for x in route.via if isinstance(x, str)]
                if len(set(hashable)) != len(hashable):
                    problems.append(
                        Problem(
                            w(key),
                            "a route visits an actor twice",
                            list(route.via),
                            "each transit actor once",
                        )
                    )
            pair = (src, dst, t.commodity)
        else:
            if not (isinstance(t.a, str) and isinstance(t.b, str)):
                continue
            known(f"ties[{j}].between", t.a)
            known(f"ties[{j}].between", t.b)
            if t.a == t.b:
                problems.append(
                    Problem(
                        w("between"),
                        f"a {t.layer} tie cannot join an actor to itself",
                        [t.a, t.b],
                        "two different actors",
                    )
                )
            pair = (t.layer, *sorted((t.a, t.b)))
        if not all(isinstance(x, str) for x in pair):
            continue
        if pair in first:
            problems.append(
                Problem(
                    at(f"ties[{j}]"),
                    f"duplicate {t.layer} tie",
                    list(pair),
                    "one tie per pair and layer (per commodity for supply)",
                    f"merge it with {at(f'ties[{first[pair]}]')}",
                )
            )
        else:
            first[pair] = j
    return problems


def _world_problems(
    actors: Sequence[Actor | None],
    ties: Sequence[Tie | None],
    at: Callable[[str], str] = _plain,
) -> list[Problem]:
    """Every problem of a world's actors and ties: each value, then the cross-references.

    The one validation of a world, run on objects whether they come from a file (`at` then
    maps a key path such as ``ties[3].volume`` to ``file:line ties[3].volume``) or from code.
    ``None`` entries (tables that were not tables, reported by the reader) are skipped.
    """
    found: list[Problem | None] = []
    for j, a in enumerate(actors):
        if a is None:
            continue
        if not isinstance(a, Actor):
            found.append(Problem(at(f"states[{j}]"), "must be an Actor", a, "sim.world.Actor"))
            continue
        found += _located(_actor_problems(a), at, f"states[{j}]")
    good_ties: list[Tie | None] = []
    for j, t in enumerate(ties):
        if t is not None and not isinstance(t, PartnershipTie | SupplyTie | RivalryTie):
            found.append(
                Problem(
                    at(f"ties[{j}]"), "must be a tie", t, "PartnershipTie, SupplyTie, RivalryTie"
                )
            )
            good_ties.append(None)
            continue
        good_ties.append(t)
        if t is not None:
            found += _located(_tie_problems(t), at, f"ties[{j}]")
    good_actors = [a if isinstance(a, Actor) else None for a in actors]
    problems = [p for p in found if p is not None]
    return problems + _reference_problems(good_actors, good_ties, at)
