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

import datetime as dt
import json
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import networkx as nx

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

LAYERS = ("partnership", "supply", "rivalry")
ACTOR_KINDS = ("state", "non_state")
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
    domestic_source : str
        Where the ``domestic`` figures come from, or the reasoning behind a judgement.
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

    ``capacity`` is the share of the tie's volume the route can carry, in (0, 1].
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
    """An undirected partnership: a defence pact, union, strategic partnership, entente..."""

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
    """A directed supply of one commodity from a supplier to a recipient along a route."""

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
    """An undirected rivalry with an intensity in [0, 1]."""

    a: str = ""
    b: str = ""
    intensity: float = 0.5
    layer: Literal["rivalry"] = "rivalry"

    @property
    def ends(self) -> tuple[str, str]:
        return (self.a, self.b)


Tie = PartnershipTie | SupplyTie | RivalryTie


@dataclass(frozen=True)
class World:
    """Actors and ties in layers: the input of every model run and structural analysis.

    Build one with :meth:`from_toml`, :meth:`from_json`, :func:`sim.load_world` or an importer;
    two worlds are equal when their metadata, actors and ties are equal (in order).
    """

    actors: tuple[Actor, ...]
    ties: tuple[Tie, ...] = ()
    name: str = "world"
    description: str = ""
    as_of: dt.date | None = None

    def __post_init__(self):
        object.__setattr__(self, "actors", tuple(self.actors))
        object.__setattr__(self, "ties", tuple(self.ties))
        problems = _check_semantics(self, lambda kind, i: f"{kind}[{i}]")
        if problems:
            raise ValidationError(problems, what=f"world {self.name!r}")

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

    def ties_in(self, layer: str) -> tuple[Tie, ...]:
        """The ties of one layer, in file order."""
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
        G = nx.MultiDiGraph(name=self.name)
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
    """Parse TOML, turning a syntax error into a located :class:`ValidationError`."""
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
_WORLD_KEYS = ("name", "description", "as_of")


class _Collector:
    """Collects problems with locations ``file:line key.path``."""

    def __init__(self, origin: str, text: str):
        self.origin = origin
        self.problems: list[Problem] = []
        self._lines = _table_lines(text) if text else {}

    def where(self, table: str, index: int | None, key: str = "") -> str:
        line = self._lines.get(table, [])
        loc = self.origin
        if index is not None and index < len(line):
            loc += f":{line[index]}"
        path = table if index is None else f"{table}[{index}]"
        if key:
            path += f".{key}"
        return f"{loc} {path}"

    def add(
        self,
        where: str,
        message: str,
        value: object = None,
        allowed: str = "",
        suggestion: str = "",
    ) -> None:
        self.problems.append(Problem(where, message, value, allowed, suggestion))


def _table_lines(text: str) -> dict[str, list[int]]:
    """Line numbers of each ``[[states]]`` and ``[[ties]]`` header, in order."""
    out: dict[str, list[int]] = {"states": [], "ties": []}
    for n, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        for table in out:
            if s.startswith(f"[[{table}]]"):
                out[table].append(n)
    return out


def _is_number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _number(
    c: _Collector, where: str, value: object, *, lo: float, hi: float, allowed: str
) -> float | None:
    if not _is_number(value):
        c.add(where, "must be a number", value, allowed)
        return None
    try:
        x = float(value)  # type: ignore[arg-type]
    except OverflowError:  # TOML integers are unbounded; 10**400 has no float
        c.add(where, "is out of range", value, allowed)
        return None
    if math.isnan(x) or math.isinf(x) or not lo <= x <= hi:
        c.add(where, "is out of range", value, allowed)
        return None
    return x


def _string(
    c: _Collector, where: str, value: object, *, allowed: str, nonempty: bool = True
) -> str | None:
    if not isinstance(value, str) or (nonempty and not value.strip()):
        c.add(
            where, "must be a non-empty string" if nonempty else "must be a string", value, allowed
        )
        return None
    return value


def _unknown_keys(
    c: _Collector, table: str, i: int, entry: Mapping[str, Any], allowed: Iterable[str]
) -> None:
    allowed = list(allowed)
    for key in entry:
        if key not in allowed:
            c.add(
                c.where(table, i, key),
                "unknown key",
                key,
                ", ".join(allowed),
                suggest(key, allowed),
            )


def _parse_date(c: _Collector, where: str, value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    c.add(where, "must be a date", value, "YYYY-MM-DD (a TOML date, e.g. 2024-12-08)")
    return None


def _parse_flows(c: _Collector, where: str, value: object) -> dict[str, float]:
    if not isinstance(value, Mapping):
        c.add(where, "must be a table", value, "commodity -> volume per month")
        return {}
    out: dict[str, float] = {}
    for k, v in value.items():
        if k not in COMMODITIES:
            c.add(
                f"{where}.{k}",
                "unknown commodity",
                k,
                ", ".join(COMMODITIES),
                suggest(k, COMMODITIES),
            )
            continue
        x = _number(
            c,
            f"{where}.{k}",
            v,
            lo=0.0,
            hi=_MAX_VALUE,
            allowed=f"a volume >= 0 in {COMMODITIES[k]}",
        )
        if x is not None:
            out[k] = x
    return out


def _parse_actor(c: _Collector, i: int, entry: object) -> Actor | None:
    if not isinstance(entry, Mapping):
        c.add(c.where("states", i), "must be a table", entry, "a [[states]] table")
        return None
    ok = True
    _unknown_keys(c, "states", i, entry, _ACTOR_KEYS)
    for key in _REQUIRED_ACTOR_KEYS:
        if key not in entry:
            c.add(c.where("states", i, key), "missing required key", None, _ACTOR_KEYS[key])
            ok = False
    w = lambda k: c.where("states", i, k)  # noqa: E731
    kw: dict[str, Any] = {}
    for key in ("id", "name", "bloc"):
        if key in entry:
            kw[key] = _string(c, w(key), entry[key], allowed=_ACTOR_KEYS[key])
    if "kind" in entry:
        kind = entry["kind"]
        if kind not in ACTOR_KINDS:
            c.add(
                w("kind"),
                "unknown actor kind",
                kind,
                " | ".join(ACTOR_KINDS),
                suggest(kind, ACTOR_KINDS),
            )
            ok = False
        kw["kind"] = kind
    ranges = {"lat": (-90, 90), "lon": (-180, 180), "capability": (0, 1), "stability": (0, 1)}
    for key, (lo, hi) in ranges.items():
        if key in entry:
            kw[key] = _number(c, w(key), entry[key], lo=lo, hi=hi, allowed=_ACTOR_KEYS[key])
    for key in ("produces", "needs", "domestic"):
        if key in entry:
            kw[key] = _parse_flows(c, w(key), entry[key])
    for key in ("note", "domestic_source"):
        if key in entry:
            kw[key] = _string(c, w(key), entry[key], allowed="text", nonempty=False)
    if not ok or any(v is None for v in kw.values()):
        return None
    return Actor(**kw)


def _parse_route(
    c: _Collector, where: str, entry: Mapping[str, Any], *, main: bool
) -> Route | None:
    via = entry.get("via", [])
    ok = True
    if not isinstance(via, list) or not all(isinstance(v, str) for v in via):
        c.add(
            f"{where}.via" if not main else where.rsplit(".", 1)[0] + ".via",
            "must be a list of actor ids",
            via,
            'e.g. ["IRQ", "SYR"]',
        )
        ok = False
    capacity = 1.0
    if not main:
        if "capacity" not in entry:
            c.add(
                f"{where}.capacity",
                "missing required key",
                None,
                "the share of the tie's volume this route can carry, in (0, 1]",
            )
            ok = False
        else:
            cap = _number(
                c,
                f"{where}.capacity",
                entry["capacity"],
                lo=0.0,
                hi=1.0,
                allowed="a share in (0, 1]",
            )
            if cap is not None and cap <= 0:
                c.add(
                    f"{where}.capacity", "is out of range", entry["capacity"], "a share in (0, 1]"
                )
                cap = None
            ok = ok and cap is not None
            capacity = cap if cap is not None else 1.0
    corridor = entry.get("corridor", "")
    if not isinstance(corridor, str):
        c.add(f"{where}.corridor", "must be a string", corridor, "a corridor name")
        ok = False
    if not ok:
        return None
    return Route(via=tuple(via), capacity=capacity, corridor=corridor)


def _parse_tie(c: _Collector, i: int, entry: object) -> Tie | None:
    if not isinstance(entry, Mapping):
        c.add(c.where("ties", i), "must be a table", entry, "a [[ties]] table")
        return None
    w = lambda k: c.where("ties", i, k)  # noqa: E731
    layer = entry.get("layer")
    if layer not in LAYERS:
        if layer is None:
            c.add(w("layer"), "missing required key", None, " | ".join(LAYERS))
        else:
            c.add(w("layer"), "unknown layer", layer, " | ".join(LAYERS), suggest(layer, LAYERS))
        return None
    _unknown_keys(c, "ties", i, entry, (*_COMMON_TIE_KEYS, *_TIE_KEYS[layer]))
    ok = True
    for key in _REQUIRED_TIE_KEYS[layer]:
        if key not in entry:
            allowed = {
                "source": "outlet and date, or a dataset and version",
                "since": "a date, YYYY-MM-DD",
            }.get(key, f"required for layer {layer!r}")
            c.add(w(key), "missing required key", None, allowed)
            ok = False
    common: dict[str, Any] = {}
    if "since" in entry:
        common["since"] = _parse_date(c, w("since"), entry["since"])
    if "source" in entry:
        common["source"] = _string(
            c, w("source"), entry["source"], allowed="outlet and date, or a dataset and version"
        )
    if "verified" in entry:
        if not isinstance(entry["verified"], bool):
            c.add(w("verified"), "must be true or false", entry["verified"], "true | false")
            ok = False
        common["verified"] = entry["verified"]
    if "note" in entry:
        common["note"] = _string(c, w("note"), entry["note"], allowed="text", nonempty=False)
    if not ok or any(v is None for v in common.values()):
        ok = False

    if layer == "supply":
        kw: dict[str, Any] = {}
        for key, name in (("from", "supplier"), ("to", "recipient")):
            if key in entry:
                kw[name] = _string(c, w(key), entry[key], allowed="an actor id")
        if "commodity" in entry:
            com = entry["commodity"]
            if not isinstance(com, str) or com not in COMMODITIES:  # a list is unhashable
                c.add(
                    w("commodity"),
                    "unknown commodity",
                    com,
                    ", ".join(COMMODITIES),
                    suggest(com, COMMODITIES),
                )
                ok = False
            kw["commodity"] = com
        if "volume" in entry:
            vol = _number(
                c,
                w("volume"),
                entry["volume"],
                lo=0.0,
                hi=_MAX_VALUE,
                allowed="a volume per month >= 0 in the commodity's unit",
            )
            kw["volume"] = vol
        route = _parse_route(c, w("via"), entry, main=True)
        kw["route"] = route
        alts = entry.get("alternatives", [])
        if not isinstance(alts, list):
            c.add(
                w("alternatives"),
                "must be a list of tables",
                alts,
                '[{ via = ["TKM"], capacity = 0.3 }]',
            )
            ok = False
        else:
            routes = []
            for j, alt in enumerate(alts):
                if not isinstance(alt, Mapping):
                    c.add(
                        w(f"alternatives[{j}]"),
                        "must be a table",
                        alt,
                        "{ via = [...], capacity = 0.3, corridor = '...' }",
                    )
                    ok = False
                    continue
                for key in alt:
                    if key not in ("via", "capacity", "corridor"):
                        c.add(
                            w(f"alternatives[{j}].{key}"),
                            "unknown key",
                            key,
                            "via, capacity, corridor",
                            suggest(key, ("via", "capacity", "corridor")),
                        )
                        ok = False
                routes.append(_parse_route(c, w(f"alternatives[{j}]"), alt, main=False))
            kw["alternatives"] = tuple(routes)
            ok = ok and all(r is not None for r in routes)
        if not ok or any(v is None for v in kw.values()):
            return None
        return SupplyTie(**common, **kw)

    kw = {}
    between = entry.get("between")
    if "between" in entry:
        if (
            not isinstance(between, list)
            or len(between) != 2
            or not all(isinstance(x, str) for x in between)
        ):
            c.add(w("between"), "must be a pair of actor ids", between, '["RUS", "IRN"]')
            ok = False
        else:
            kw["a"], kw["b"] = between
    if layer == "partnership":
        if "kind" in entry:
            kind = entry["kind"]
            if kind not in PARTNERSHIP_KINDS:
                c.add(
                    w("kind"),
                    "unknown partnership kind",
                    kind,
                    ", ".join(PARTNERSHIP_KINDS),
                    suggest(kind, PARTNERSHIP_KINDS),
                )
                ok = False
            kw["kind"] = kind
        if "strength" in entry:
            kw["strength"] = _number(
                c, w("strength"), entry["strength"], lo=0, hi=1, allowed="a number in [0, 1]"
            )
        cls: type = PartnershipTie
    else:
        if "intensity" in entry:
            kw["intensity"] = _number(
                c, w("intensity"), entry["intensity"], lo=0, hi=1, allowed="a number in [0, 1]"
            )
        cls = RivalryTie
    if not ok or any(v is None for v in kw.values()):
        return None
    return cls(**common, **kw)


def _parse_world(data: Mapping[str, Any], *, origin: str, text: str) -> World:
    c = _Collector(origin, text)
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
    if "name" in meta:
        kw["name"] = _string(c, f"{origin} world.name", meta["name"], allowed="a name") or "world"
    if "description" in meta:
        kw["description"] = (
            _string(
                c,
                f"{origin} world.description",
                meta["description"],
                allowed="text",
                nonempty=False,
            )
            or ""
        )
    if "as_of" in meta:
        kw["as_of"] = _parse_date(c, f"{origin} world.as_of", meta["as_of"])

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
    _check_references(c, states, ties)
    if c.problems:
        raise ValidationError(c.problems, what=origin)
    return World(actors=tuple(actors), ties=tuple(parsed_ties), **kw)


def _check_references(c: _Collector, states: list, ties: list) -> None:
    """Cross-references on the raw entries, so they are checked even where a field is bad."""
    seen: dict[str, int] = {}
    for i, e in enumerate(states):
        aid = e.get("id") if isinstance(e, Mapping) else None
        if not isinstance(aid, str):
            continue
        if aid in seen:
            c.add(
                c.where("states", i, "id"),
                "duplicate actor id",
                aid,
                "ids must be unique",
                f"first defined at {c.where('states', seen[aid])}",
            )
        else:
            seen[aid] = i
    ids = list(seen)

    def known(where: str, x: object) -> bool:
        if not isinstance(x, str):
            return False
        if x not in seen:
            c.add(where, "unknown actor", x, "an id defined in [[states]]", suggest(x, ids))
            return False
        return True

    first: dict[tuple, int] = {}
    for i, e in enumerate(ties):
        if not isinstance(e, Mapping) or e.get("layer") not in LAYERS:
            continue
        w = lambda k, i=i: c.where("ties", i, k)  # noqa: E731
        if e["layer"] == "supply":
            src, dst = e.get("from"), e.get("to")
            known(w("from"), src)
            known(w("to"), dst)
            if isinstance(src, str) and src == dst:
                c.add(
                    w("to"),
                    "a supply tie cannot join an actor to itself",
                    dst,
                    "two different actors",
                )
            routes = [("via", e.get("via", []))]
            alts = e.get("alternatives", [])
            if isinstance(alts, list):
                routes += [
                    (f"alternatives[{j}].via", a.get("via", []))
                    for j, a in enumerate(alts)
                    if isinstance(a, Mapping)
                ]
            for key, via in routes:
                if not isinstance(via, list):
                    continue
                for x in via:
                    if known(w(key), x) and x in (src, dst):
                        c.add(
                            w(key),
                            "a route cannot pass through its own endpoints",
                            x,
                            "transit actors other than supplier and recipient",
                        )
                hashable = [x for x in via if isinstance(x, str)]
                if len(set(hashable)) != len(hashable):
                    c.add(w(key), "a route visits an actor twice", via, "each transit actor once")
            pair = (src, dst, e.get("commodity"))
        else:
            between = e.get("between")
            if not (isinstance(between, list) and len(between) == 2):
                continue
            known(w("between"), between[0])
            known(w("between"), between[1])
            if between[0] == between[1]:
                c.add(
                    w("between"),
                    f"a {e['layer']} tie cannot join an actor to itself",
                    between,
                    "two different actors",
                )
            pair = (e["layer"], *sorted(map(str, between)))
        if not all(isinstance(x, str) for x in pair):
            continue
        if pair in first:
            c.add(
                c.where("ties", i),
                f"duplicate {e['layer']} tie",
                list(pair),
                "one tie per pair and layer (per commodity for supply)",
                f"merge it with {c.where('ties', first[pair])}",
            )
        else:
            first[pair] = i


def _check_semantics(world: World, locate) -> list[Problem]:
    """Cross-reference checks: ids unique and known, no self-ties, routes valid."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for j, a in enumerate(world.actors):
        if a.id in seen:
            problems.append(
                Problem(
                    locate("states", j) + ".id",
                    "duplicate actor id",
                    a.id,
                    "ids must be unique",
                    f"first defined at {locate('states', seen[a.id])}",
                )
            )
        else:
            seen[a.id] = j
        if a.kind not in ACTOR_KINDS:
            problems.append(
                Problem(
                    locate("states", j) + ".kind",
                    "unknown actor kind",
                    a.kind,
                    " | ".join(ACTOR_KINDS),
                )
            )
        for key, lo, hi in (
            ("capability", 0, 1),
            ("stability", 0, 1),
            ("lat", -90, 90),
            ("lon", -180, 180),
        ):
            x = getattr(a, key)
            if not (_is_number(x) and lo <= x <= hi):
                problems.append(
                    Problem(
                        locate("states", j) + f".{key}",
                        "is out of range",
                        x,
                        f"a number in [{lo}, {hi}]",
                    )
                )
    ids = list(seen)

    def known(where: str, actor_id: str) -> bool:
        if actor_id in seen:
            return True
        problems.append(
            Problem(
                where,
                "unknown actor",
                actor_id,
                "an id defined in [[states]]",
                suggest(actor_id, ids),
            )
        )
        return False

    first_tie: dict[tuple, int] = {}
    for j, t in enumerate(world.ties):
        at = locate("ties", j)
        if isinstance(t, SupplyTie):
            ok = known(f"{at}.from", t.supplier) & known(f"{at}.to", t.recipient)
            if ok and t.supplier == t.recipient:
                problems.append(
                    Problem(
                        f"{at}.to",
                        "a supply tie cannot join an actor to itself",
                        t.recipient,
                        "two different actors",
                    )
                )
            if t.commodity not in COMMODITIES:
                problems.append(
                    Problem(
                        f"{at}.commodity",
                        "unknown commodity",
                        t.commodity,
                        ", ".join(COMMODITIES),
                        suggest(t.commodity, COMMODITIES),
                    )
                )
            if not (
                _is_number(t.volume) and 0 <= t.volume <= _MAX_VALUE and math.isfinite(t.volume)
            ):
                problems.append(
                    Problem(f"{at}.volume", "is out of range", t.volume, "a volume >= 0")
                )
            for k, route in enumerate((t.route, *t.alternatives)):
                key = "via" if k == 0 else f"alternatives[{k - 1}].via"
                for x in route.via:
                    if not known(f"{at}.{key}", x):
                        continue
                    if x in (t.supplier, t.recipient):
                        problems.append(
                            Problem(
                                f"{at}.{key}",
                                "a route cannot pass through its own endpoints",
                                x,
                                "transit actors other than supplier and recipient",
                            )
                        )
                if len(set(route.via)) != len(route.via):
                    problems.append(
                        Problem(
                            f"{at}.{key}",
                            "a route visits an actor twice",
                            list(route.via),
                            "each transit actor once",
                        )
                    )
                if not 0 < route.capacity <= 1:
                    problems.append(
                        Problem(
                            f"{at}.{key}",
                            "route capacity out of range",
                            route.capacity,
                            "a share in (0, 1]",
                        )
                    )
        else:
            ok = known(f"{at}.between", t.a) & known(f"{at}.between", t.b)
            if ok and t.a == t.b:
                problems.append(
                    Problem(
                        f"{at}.between",
                        f"a {t.layer} tie cannot join an actor to itself",
                        [t.a, t.b],
                        "two different actors",
                    )
                )
            value = t.strength if isinstance(t, PartnershipTie) else t.intensity
            key = "strength" if isinstance(t, PartnershipTie) else "intensity"
            if not (_is_number(value) and 0 <= value <= 1):
                problems.append(
                    Problem(f"{at}.{key}", "is out of range", value, "a number in [0, 1]")
                )
            if isinstance(t, PartnershipTie) and t.kind not in PARTNERSHIP_KINDS:
                problems.append(
                    Problem(
                        f"{at}.kind",
                        "unknown partnership kind",
                        t.kind,
                        ", ".join(PARTNERSHIP_KINDS),
                        suggest(t.kind, PARTNERSHIP_KINDS),
                    )
                )
        pair = (
            (t.supplier, t.recipient, t.commodity)
            if isinstance(t, SupplyTie)
            else (t.layer, *sorted((t.a, t.b)))
        )
        if pair in first_tie:
            problems.append(
                Problem(
                    at,
                    f"duplicate {t.layer} tie",
                    list(pair),
                    "one tie per pair and layer (per commodity for supply)",
                    f"merge it with {locate('ties', first_tie[pair])}",
                )
            )
        else:
            first_tie[pair] = j
        if not isinstance(t.source, str) or not t.source.strip():
            problems.append(
                Problem(
                    f"{at}.source",
                    "every tie needs a source",
                    t.source,
                    "outlet and date, or a dataset and version",
                )
            )
    return problems
