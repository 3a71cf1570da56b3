"""The world as it stood at the end of a year, built from SIPRI, COW or ATOP, and NMC files."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import networkx as nx

from sim.errors import Problem, ValidationError
from sim.io import (
    ImportReport,
    alliance_file,
    country_codes,
    read_atop,
    read_cow,
    read_nmc,
    read_sipri_records,
)
from sim.io.sipri import SipriDeal, SipriParty, sipri_to_ties
from sim.world import Actor, PartnershipTie, RivalryTie, SupplyTie, Tie, World

__all__ = [
    "NONALIGNED",
    "RIVALRY_INTENSITY",
    "SUCCESSORS",
    "Rivalry",
    "arms_flows",
    "build_world",
    "detect_blocs",
    "rivalries",
    "sipri_years",
]

#: The bloc of actors in no community of two or more.
NONALIGNED = "nonaligned"

#: Continuator states: the id a state is known by in every year, because the later state
#: continued it (its seat, treaties and armed forces). Absorbed states (the German Democratic
#: Republic, South Yemen, South Vietnam) keep their own ids while they exist.
SUCCESSORS: dict[str, tuple[str, str]] = {
    "GFR": ("DEU", "German Federal Republic -> Germany (unified 3 Oct 1990)"),
    "YAR": ("YEM", "Yemen Arab Republic -> Yemen (unified 22 May 1990)"),
    "YUG": ("SRB", "Yugoslavia / Serbia and Montenegro -> Serbia (2006)"),
}
# The Soviet Union needs no entry: COW code 365 and SIPRI's "Soviet Union" are RUS already.

#: Intensity of every strategic rivalry in the built world: a design choice (the handbook
#: records that a rivalry exists, not how intense it is), between the model's default 0.5 and
#: the 0.9 of an open war in the default world.
RIVALRY_INTENSITY = 0.6


@dataclass(frozen=True)
class Rivalry:
    """One spell of a strategic rivalry (Thompson & Dreyer 2011).

    ``end`` is None for a rivalry ongoing when the handbook closed (2010).

    Parameters
    ----------
    a, b : str
        Actor ids.
    start : int
        First year.
    end : int or None
        Last year.
    type : str
        Thompson and Dreyer's kind: ``"spatial"``, ``"positional"``, ``"ideological"``...
    source : str

    Examples
    --------
    >>> from sim.history.world import Rivalry
    >>> Rivalry("IND", "PAK", 1947, None, "spatial", "Thompson & Dreyer (2011)").end is None
    True
    """

    a: str
    b: str
    start: int
    end: int | None
    type: str
    source: str

    def active(self, year: int) -> bool:
        """Whether the rivalry was active in `year`."""
        return self.start <= year and (self.end is None or year <= self.end)


@cache
def rivalries() -> tuple[Rivalry, ...]:
    """The curated table of strategic rivalries shipped in ``sim/history/rivalries.csv``.

    Returns
    -------
    tuple of Rivalry

    References
    ----------
    Thompson, W. R. and Dreyer, D. (2011). *Handbook of International Rivalries, 1494-2010*.
    Washington, DC: CQ Press.

    Examples
    --------
    >>> from sim.history.world import rivalries
    >>> cold_war = rivalries()[0]
    >>> cold_war.a, cold_war.b, cold_war.start, cold_war.end
    ('USA', 'RUS', 1945, 1989)
    """
    text = resources.files("sim.history").joinpath("rivalries.csv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    out = []
    for r in csv.DictReader(io.StringIO("\n".join(lines))):
        out.append(
            Rivalry(
                a=r["a"],
                b=r["b"],
                start=int(r["start"]),
                end=int(r["end"]) if r["end"].strip() else None,
                type=r["type"],
                source=r["source"],
            )
        )
    return tuple(out)


def _successor(actor_id: str) -> str:
    return SUCCESSORS[actor_id][0] if actor_id in SUCCESSORS else actor_id


# -- SIPRI ------------------------------------------------------------------------------------


def sipri_years(records: Sequence[SipriDeal]) -> tuple[int, int]:
    """The first and last delivery year in a SIPRI export.

    Parameters
    ----------
    records : sequence of SipriDeal
        At least one with a delivery year.

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> from sim.io import SipriDeal
    >>> records = [
    ...     SipriDeal("Russia", "Syria", delivery_years=(2003, 2004),
    ...               tiv_by_year=((2003, 12.0), (2004, 24.0)), tiv_delivered=36.0),
    ...     SipriDeal("Russia", "Iran", delivery_years=(2004,), tiv_by_year=((2004, 6.0),),
    ...               tiv_delivered=6.0),
    ...     SipriDeal("United States", "Israel", delivery_years=(2004,),
    ...               tiv_by_year=((2004, 60.0),), tiv_delivered=60.0),
    ... ]
    >>> from sim.history import sipri_years
    >>> sipri_years(records)
    (2003, 2004)
    """
    ys = [y for r in records for y in r.delivery_years]
    return min(ys), max(ys)


def arms_flows(
    records: Sequence[SipriDeal], first: int, last: int
) -> tuple[dict[tuple[str, str], float], dict[str, SipriParty]]:
    """Mean monthly TIV delivered per (supplier, recipient) over the years `first`..`last`.

    Parameters
    ----------
    records : sequence of SipriDeal
    first, last : int
        The window, inclusive.

    Returns
    -------
    flows : dict
        ``(supplier, recipient) -> million TIV per month``, averaged over all the window's
        months (a dyad with deliveries in one year of five gets a fifth of that year's rate).
    parties : dict
        Actor id -> :class:`~sim.io.SipriParty`.

    Notes
    -----
    Ids are those of the importer (:func:`sim.io.sipri_to_ties`: organisations and unknown
    parties skipped) with continuators mapped (:data:`SUCCESSORS`), so the flows of two
    windows compare dyad by dyad.

    Examples
    --------
    >>> from sim.io import SipriDeal
    >>> records = [
    ...     SipriDeal("Russia", "Syria", delivery_years=(2003, 2004),
    ...               tiv_by_year=((2003, 12.0), (2004, 24.0)), tiv_delivered=36.0),
    ...     SipriDeal("Russia", "Iran", delivery_years=(2004,), tiv_by_year=((2004, 6.0),),
    ...               tiv_delivered=6.0),
    ...     SipriDeal("United States", "Israel", delivery_years=(2004,),
    ...               tiv_by_year=((2004, 60.0),), tiv_delivered=60.0),
    ... ]
    >>> from sim.history.world import arms_flows
    >>> flows, parties = arms_flows(records, 2003, 2004)
    >>> flows  # million TIV per month over the 24 months
    {('RUS', 'IRN'): 0.25, ('RUS', 'SYR'): 1.5, ('USA', 'ISR'): 2.5}
    """
    rep = ImportReport()
    ties, parties = sipri_to_ties(records, years=(first, last), report=rep)
    flows: dict[tuple[str, str], float] = {}
    for t in ties:
        key = (_successor(t.supplier), _successor(t.recipient))
        if key[0] != key[1]:
            flows[key] = flows.get(key, 0.0) + t.volume
    return flows, {_successor(k): p for k, p in parties.items()}


# -- blocs ------------------------------------------------------------------------------------


def detect_blocs(world: World, *, capability: Mapping[str, float] | None = None) -> dict[str, str]:
    """Blocs as communities of the partnership and supply layers, named after a member.

    Parameters
    ----------
    world : World
    capability : mapping, optional
        Actor id -> capability used to name blocs (default: the actors' ``capability``).

    Returns
    -------
    dict
        Actor id -> bloc: the id of the community's most capable member (ties broken by the
        weighted degree, then the id), or :data:`NONALIGNED` for an actor in a community of one.

    Notes
    -----
    One undirected graph: a defence pact adds its strength to the pair's weight; an arms supply
    tie adds the share of the recipient's arms imports that it carries (in [0, 1]), so that a
    main supplier binds its client as strongly as a defence pact. Consultation, neutrality and
    non-aggression pacts are left out: the large consultative treaties (the CSCE/OSCE, the
    Organization of American States) join adversaries and would merge the camps. Communities
    are found by Clauset-Newman-Moore greedy modularity maximisation
    (:func:`networkx.algorithms.community.greedy_modularity_communities`, resolution 1), which
    has no random element; nodes and edges enter in sorted order, so the result is
    deterministic. Rivalries are ignored.

    References
    ----------
    Clauset, A., Newman, M. E. J. and Moore, C. (2004). Finding community structure in very
    large networks. *Physical Review E* 70, 066111. doi:10.1103/PhysRevE.70.066111

    Examples
    --------
    >>> from sim.io import SipriDeal
    >>> records = [
    ...     SipriDeal("Russia", "Syria", delivery_years=(2003, 2004),
    ...               tiv_by_year=((2003, 12.0), (2004, 24.0)), tiv_delivered=36.0),
    ...     SipriDeal("Russia", "Iran", delivery_years=(2004,), tiv_by_year=((2004, 6.0),),
    ...               tiv_delivered=6.0),
    ...     SipriDeal("United States", "Israel", delivery_years=(2004,),
    ...               tiv_by_year=((2004, 60.0),), tiv_delivered=60.0),
    ... ]
    >>> from sim.history import build_world, detect_blocs
    >>> detect_blocs(build_world(2004, sipri=records))
    {'IRN': 'RUS', 'ISR': 'USA', 'RUS': 'RUS', 'SYR': 'RUS', 'USA': 'USA'}
    """
    cap = capability if capability is not None else {a.id: a.capability for a in world.actors}
    weights: dict[tuple[str, str], float] = {}

    def add(a: str, b: str, w: float) -> None:
        key = (a, b) if a < b else (b, a)
        weights[key] = weights.get(key, 0.0) + w

    for t in world.ties_in("partnership"):
        if t.kind == "defence_pact":
            add(t.a, t.b, t.strength)
    imports: dict[str, float] = {}
    for st in world.ties_in("supply"):
        imports[st.recipient] = imports.get(st.recipient, 0.0) + st.volume
    for st in world.ties_in("supply"):
        total = imports[st.recipient]
        add(st.supplier, st.recipient, st.volume / total if total > 0 else 0.0)
    G: nx.Graph[str] = nx.Graph()
    G.add_nodes_from(sorted(world.ids))
    for (a, b), w in sorted(weights.items()):
        if w > 0:
            G.add_edge(a, b, weight=w)
    blocs = {a: NONALIGNED for a in world.ids}
    if G.number_of_edges() == 0:
        return blocs
    degree = dict(G.degree(weight="weight"))
    communities = nx.algorithms.community.greedy_modularity_communities(G, weight="weight")
    for members in communities:
        if len(members) < 2:
            continue
        leader = max(members, key=lambda x: (cap.get(x, 0.0), degree[x], x))
        for m in members:
            blocs[m] = leader
    return blocs


# -- the builder ------------------------------------------------------------------------------


def _check_year(year: object, window: object) -> list[Problem]:
    problems = []
    if isinstance(year, bool) or not isinstance(year, int):
        problems.append(Problem("year", "must be an integer year", year, "e.g. 1978"))
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        problems.append(Problem("window", "must be a number of years >= 1", window, "e.g. 5"))
    return problems


def build_world(
    year: int,
    *,
    sipri: str | Path | Sequence[SipriDeal],
    alliances: str | Path | None = None,
    capabilities: str | Path | None = None,
    window: int = 5,
    alliance_kind: str | None = None,
) -> World:
    """The world as it stood at the end of `year`, from research data files.

    Parameters
    ----------
    year : int
        The world is the one of 31 December of this year.
    sipri : path or sequence of SipriDeal
        A SIPRI trade-register export (or its records, already read).
    alliances : path, optional
        A COW Formal Alliances or ATOP file (told apart by its header).
    capabilities : path, optional
        A COW National Material Capabilities file (the CINC scores).
    window : int
        Years of SIPRI deliveries, up to and including `year`, that set the supply volumes.
    alliance_kind : {"COW", "ATOP"}, optional
        The data set `alliances` must hold (a file of the other one is an error).

    Returns
    -------
    World
        Named ``history-YEAR``, ``as_of`` 31 December of `year`; its description says what
        each layer came from and every fallback taken.

    Raises
    ------
    ValidationError
        Every problem at once: a year outside the SIPRI data, a file of the wrong kind, a
        missing file.

    Notes
    -----
    - supply: SIPRI deliveries in ``year - window + 1 .. year`` as ``arms`` ties, TIV
      (millions) per month per dyad (see :func:`sim.io.sipri_to_ties`); a window reaching
      before the data (which start in 1950) is cut at their first year, said.
    - partnership: the alliances in force on 31 December of `year` (kind and strength from the
      strongest obligation, as the importers map them: defence 1.0, neutrality 0.6,
      non-aggression 0.5, entente/consultation 0.3). Where the alliance file ends before
      `year`, the alliances in force on 31 December of its last year, said in the
      description.
    - capability: CINC of `year` (or of the file's last year, said), divided by the largest
      CINC among the actors so that the strongest has 1. Actors without a score (non-state
      actors, microstates) get 0; without an NMC file every actor keeps 0.5.
    - rivalry: the pairs of :func:`rivalries` active in `year` whose two actors are in the
      world, at intensity :data:`RIVALRY_INTENSITY`.
    - blocs: :func:`detect_blocs`.
    - continuators are mapped (:data:`SUCCESSORS`) and listed in the description; ties that
      meet after the mapping merge (partnerships keep the strongest, supply volumes add).
    - The actors are those with a supply or partnership tie; a state that had ceased to exist
      by the end of `year` (by the country-code table: South Vietnam after 1975) is left out
      with its ties, and named. Stability keeps the :class:`~sim.world.Actor` default (0.7).

    Examples
    --------
    A world from SIPRI records alone (no alliance or capability file):

    >>> from sim.io import SipriDeal
    >>> records = [
    ...     SipriDeal("Russia", "Syria", delivery_years=(2003, 2004),
    ...               tiv_by_year=((2003, 12.0), (2004, 24.0)), tiv_delivered=36.0),
    ...     SipriDeal("Russia", "Iran", delivery_years=(2004,), tiv_by_year=((2004, 6.0),),
    ...               tiv_delivered=6.0),
    ...     SipriDeal("United States", "Israel", delivery_years=(2004,),
    ...               tiv_by_year=((2004, 60.0),), tiv_delivered=60.0),
    ... ]
    >>> from sim.history import build_world
    >>> world = build_world(2004, sipri=records)
    >>> world.name, world.ids
    ('history-2004', ('IRN', 'ISR', 'RUS', 'SYR', 'USA'))
    >>> {a.id: a.bloc for a in world.actors}
    {'IRN': 'RUS', 'ISR': 'USA', 'RUS': 'RUS', 'SYR': 'RUS', 'USA': 'USA'}
    """
    problems = _check_year(year, window)
    if problems:
        raise ValidationError(problems, what="build_world")
    notes: list[str] = []
    problems = []
    # -- read every file first, so that every problem is reported at once
    records: Sequence[SipriDeal] | None = None
    sipri_where = "sipri records"
    if isinstance(sipri, str | Path):
        sipri_where = str(sipri)
        try:
            records = read_sipri_records(sipri, report=ImportReport())
        except ValidationError as exc:
            problems.extend(exc.problems)
    else:
        records = list(sipri)
    if records is not None and not records:
        problems.append(Problem(sipri_where, "no deliveries in the SIPRI data"))
    elif records is not None:
        first, last = sipri_years(records)
        if not first <= year <= last:
            problems.append(
                Problem(
                    sipri_where,
                    f"{year} is outside the SIPRI deliveries this file holds ({first}-{last})",
                    year,
                    f"a year in {first}-{last}",
                )
            )
    found_kind, alliance_span = "", None
    if alliances is not None:
        try:
            found_kind, alliance_span = alliance_file(alliances)
        except ValidationError as exc:
            problems.extend(exc.problems)
        else:
            if not found_kind:
                problems.append(
                    Problem(
                        str(alliances),
                        "not a COW Formal Alliances or ATOP file",
                        Path(alliances).name,
                        "alliance_v4.1_by_member.csv (and the other COW files) or atop5_1m.csv",
                        "SIPRI exports go to --sipri, NMC files to --nmc",
                    )
                )
            elif alliance_kind is not None and alliance_kind != found_kind:
                problems.append(
                    Problem(
                        str(alliances),
                        f"is {'an' if found_kind == 'ATOP' else 'a'} {found_kind} file, "
                        f"not {alliance_kind}",
                        Path(alliances).name,
                        f"a {alliance_kind} alliance file",
                        f"pass it as --{found_kind.lower()}",
                    )
                )
            elif alliance_span is not None and year < alliance_span[0]:
                problems.append(
                    Problem(
                        str(alliances),
                        f"{year} is before the first year of this alliance file",
                        year,
                        f"years from {alliance_span[0]}",
                    )
                )
    nmc = None
    if capabilities is not None:
        try:
            nmc = read_nmc(capabilities, report=ImportReport())
        except ValidationError as exc:
            problems.extend(exc.problems)
        else:
            if year < nmc.first:
                problems.append(Problem(str(capabilities), f"{year} is before the NMC file", year))
    if problems:
        raise ValidationError(problems, what=f"the world of {year}")
    assert records is not None

    # -- supply
    start = max(year - window + 1, sipri_years(records)[0])
    if start > year - window + 1:
        notes.append(f"the SIPRI data start in {start}: the supply window is {start}-{year}")
    flows, parties = arms_flows(records, start, year)
    supply_src = f"SIPRI Arms Transfers Database ({Path(sipri_where).name}), (c) SIPRI"
    supply = [
        SupplyTie(
            supplier=s,
            recipient=r,
            commodity="arms",
            volume=v,
            since=dt.date(start, 1, 1),
            source=supply_src,
            note=f"mean TIV (millions) per month delivered {start}-{year}",
        )
        for (s, r), v in sorted(flows.items())
    ]
    notes.append(
        f"supply: {len(supply)} arms ties, SIPRI deliveries {start}-{year} (TIV per month)"
    )

    # -- partnership
    partnership: list[PartnershipTie] = []
    raw_partners: list[PartnershipTie] = []
    if alliances is not None:
        assert alliance_span is not None
        on_year = min(year, alliance_span[1])
        if on_year < year:
            notes.append(
                f"partnership: {Path(alliances).name} ends in {alliance_span[1]}; the alliances "
                f"in force on 31 Dec {on_year} stand in for {year}"
            )
        reader = read_cow if found_kind == "COW" else read_atop
        rep = ImportReport()
        try:
            raw = reader(alliances, on=dt.date(on_year, 12, 31), report=rep)
        except ValidationError as exc:
            if "no alliance in force" not in str(exc):
                raise
            raw = []
        raw_partners = raw
        merged: dict[tuple[str, str], PartnershipTie] = {}
        for t in raw:
            a, b = sorted((_successor(t.a), _successor(t.b)))
            if a == b:
                continue
            kept = merged.get((a, b))
            if kept is None or t.strength > kept.strength:
                merged[a, b] = PartnershipTie(
                    a=a, b=b, kind=t.kind, strength=t.strength, since=t.since, source=t.source
                )
        partnership = list(merged.values())
        notes.append(
            f"partnership: {len(partnership)} ties in force on 31 Dec {on_year} "
            f"({found_kind}, {Path(alliances).name})"
        )

    # -- actors: states that had ended by the end of the year leave with their ties
    codes = country_codes()
    ended = set()
    for i in {x for t in supply for x in (t.supplier, t.recipient)} | {
        x for t in partnership for x in (t.a, t.b)
    }:
        rows = [r for r in codes.rows if r.id == i]
        if rows and all(r.last is not None and r.last < year for r in rows):
            ended.add(i)
    if ended:
        supply = [t for t in supply if t.supplier not in ended and t.recipient not in ended]
        partnership = [t for t in partnership if t.a not in ended and t.b not in ended]
        notes.append(
            f"states that had ceased to exist by the end of {year} left out with their ties: "
            + ", ".join(sorted(ended))
        )
    ids = sorted(
        {x for t in supply for x in (t.supplier, t.recipient)}
        | {x for t in partnership for x in (t.a, t.b)}
    )
    seen_ids = {p.id for p in parties.values()} | {x for t in raw_partners for x in (t.a, t.b)}
    mapped = sorted(f"{old} -> {SUCCESSORS[old][0]}" for old in seen_ids if old in SUCCESSORS)
    if mapped:
        notes.append("continuators mapped: " + ", ".join(mapped))

    scores: dict[str, float] = {}
    if nmc is not None and capabilities is not None:  # nmc was read from capabilities
        used, by_id = nmc.for_year(year)
        for k, v in by_id.items():
            key = _successor(k)
            scores[key] = max(scores.get(key, 0.0), v)
        top = max((scores.get(i, 0.0) for i in ids), default=0.0)
        missing = [i for i in ids if i not in scores]
        note = f"capability: CINC {used} scaled to the strongest actor"
        if used < year:
            note += f" ({Path(capabilities).name} ends in {nmc.last}; {used} stands in for {year})"
        if missing:
            note += f"; {len(missing)} actor(s) without a score at 0 ({', '.join(missing[:8])}"
            note += ", ...)" if len(missing) > 8 else ")"
        notes.append(note)
        capability = {i: (scores.get(i, 0.0) / top if top > 0 else 0.0) for i in ids}
    else:
        capability = {i: 0.5 for i in ids}
        notes.append("capability: no NMC file; every actor at 0.5")

    actors = []
    kind: Literal["state", "non_state"]
    for i in ids:
        party = parties.get(i)
        row = codes.by_id(i, year)
        for old, (new, _) in SUCCESSORS.items():  # a continuator keeps its name of the year
            earlier = codes.by_id(old, year)
            if new == i and earlier is not None and earlier.covers(year):
                row = earlier
        if row is not None:
            name, lat, lon, kind = row.name, row.lat, row.lon, "state"
        elif party is not None:
            name, lat, lon = party.display or party.name, party.lat, party.lon
            kind = "non_state" if party.category == "non_state" else "state"
        else:  # pragma: no cover - every id comes from the code table or a SIPRI party
            name, lat, lon, kind = i, 0.0, 0.0, "state"
        actors.append(
            Actor(
                id=i,
                name=name,
                kind=kind,
                lat=lat,
                lon=lon,
                capability=min(1.0, max(0.0, capability[i])),
            )
        )

    # -- rivalry
    present = set(ids)
    riv: list[RivalryTie] = []
    seen = set()
    for r in rivalries():
        pair = tuple(sorted((r.a, r.b)))
        if r.active(year) and r.a in present and r.b in present and pair not in seen:
            seen.add(pair)
            riv.append(
                RivalryTie(
                    a=r.a,
                    b=r.b,
                    intensity=RIVALRY_INTENSITY,
                    since=dt.date(r.start, 1, 1),
                    source=f"{r.source}, Handbook of International Rivalries ({r.type})",
                    note="ongoing in 2010, read as still active" if r.end is None else "",
                )
            )
    notes.append(f"rivalry: {len(riv)} strategic rivalries active in {year}")

    ties: tuple[Tie, ...] = (*partnership, *supply, *riv)
    draft = World(actors=tuple(actors), ties=ties, name=f"history-{year}")
    blocs = detect_blocs(draft)
    named = sorted({b for b in blocs.values() if b != NONALIGNED})
    notes.append(
        f"blocs: {len(named)} communities named after their most capable member "
        f"({', '.join(named[:10])}{', ...' if len(named) > 10 else ''}); "
        f"{sum(b == NONALIGNED for b in blocs.values())} actors {NONALIGNED}"
    )
    actors = [
        Actor(
            id=a.id,
            name=a.name,
            kind=a.kind,
            bloc=blocs[a.id],
            lat=a.lat,
            lon=a.lon,
            capability=a.capability,
        )
        for a in actors
    ]
    return World(
        actors=tuple(actors),
        ties=ties,
        name=f"history-{year}",
        description=f"The world at the end of {year}, built from data. " + "; ".join(notes),
        as_of=dt.date(year, 12, 31),
    )
