"""Read ATOP 5.1 (Alliance Treaty Obligations and Provisions) files into partnership ties.

Reads the member file ``atop5_1m.csv`` (one row per member and phase), the undirected
dyad-year file ``atop5_1dy.csv`` and the directed ``atop5_1ddyr.csv`` (and their ``_NNA``
variants), the variant told apart by its header (matched case-insensitively).

References
----------
Leeds, Brett Ashley, Jeffrey M. Ritter, Sara McLaughlin Mitchell and Andrew G. Long. 2002.
"Alliance Treaty Obligations and Provisions, 1815-1944." *International Interactions* 28: 237-60.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sim.errors import Problem, ValidationError
from sim.io._common import (
    ImportReport,
    Memberships,
    Spell,
    Window,
    YearRange,
    YearsArg,
    alliance_world,
    ccode_ids,
    check_coverage,
    collapse_partnerships,
    coverage,
    day_window,
    drop_ended_states,
    file_version,
    finish_report,
    make_date,
    make_end_date,
    pair_members,
    read_csv_rows,
    read_data_text,
    to_int,
    year_columns,
    year_range,
)
from sim.io.codes import country_codes
from sim.world import PartnershipTie, World

__all__ = ["read_atop", "world_from_atop"]

SOURCE = "ATOP"
#: ATOP obligation columns -> the obligation names of sim.io._common.OBLIGATIONS. An offence
#: pact binds its members to fight together, so it is read as a military alliance
#: (``defence_pact``) too: a design choice.
_OBLIGATIONS = {
    "defense": "defense",
    "offense": "defense",
    "neutral": "neutrality",
    "nonagg": "nonaggression",
    "consul": "entente",
}
_VARIANTS = {
    "dyad-year": ("mem1", "mem2", "year"),
    "directed-dyad-year": ("statea", "stateb", "year"),
    "member": ("atopid", "member", "yrent"),
}


def read_atop(
    path: str | Path,
    *,
    year: int | None = None,
    years: YearsArg = None,
    on: dt.date | None = None,
    report: ImportReport | None = None,
) -> list[PartnershipTie]:
    """Read an ATOP 5.1 member or dyad-year CSV into undirected partnership ties.

    Parameters
    ----------
    path : str or Path
        ``atop5_1m.csv``, ``atop5_1dy.csv`` or ``atop5_1ddyr.csv`` (or an ``_NNA`` variant).
    year, years : optional
        One year, or a range ``(first, last)`` / ``"1990-1995"``: ties in force on any day of
        it. Neither: every alliance in the file.
    on : datetime.date, optional
        Instead of `year`/`years`: the ties in force on this day (the member file counts to
        the day; dyad-year files by the year of `on`).
    report : ImportReport, optional
        Filled with what was read and skipped; without one, warnings are issued instead.

    Returns
    -------
    list of PartnershipTie
        One tie per pair of states (sorted by COW code), ids from the country-code table.

    Raises
    ------
    ValidationError
        Missing or unreadable file, a header of another ATOP file (alliance- or state-level),
        bad values (every problem at once), or no alliance in force in the chosen years.

    Notes
    -----
    - Obligations map as in :func:`sim.io.read_cow`: ``defense`` and ``offense`` ->
      ``defence_pact`` 1.0, ``neutral`` -> ``neutrality`` 0.6, ``nonagg`` ->
      ``non_aggression`` 0.5, ``consul`` -> ``entente`` 0.3 (strengths are design choices);
      the strongest obligation a pair holds names its tie.
    - Dyad-year files carry no dates: ``since`` is 1 January of the first year of the
      unbroken run of years in which the pair held that obligation. Directed dyads collapse
      to one undirected tie (the maximum over both directions).
    - Member files: all pairs of members of one alliance in force in the year; ``since`` is
      the later of the two entry dates (an unknown day or month, 0 or -9, is read as 1).
      ``yrexit`` 0 or empty means still in force at the end of the data (2018). Exit dates
      count to the day (Yugoslavia left the CSCE in 1992 before Ukraine joined: no tie), and
      a member's consecutive phases are one membership, so USA-GBR in NATO dates from
      1949-04-04 whichever phase the requested years fall in.
    - Years after the end of the file (its release's documented end when the ``version``
      column states one) are refused, not filled in; states that had ceased to exist before
      the requested years (by the country-code table) are dropped with a report warning.
    - The release named in the tie sources (``ATOP 5.1``) is read from the ``version`` column.

    Examples
    --------
    A two-member alliance (NATO's United States and United Kingdom, in ATOP's member layout):

    >>> import tempfile
    >>> from pathlib import Path
    >>> from sim.io import ImportReport
    >>> path = Path(tempfile.mkdtemp()) / "atop5_1m.csv"
    >>> _ = path.write_text(
    ...     "atopid,cowid,member,yrent,moent,dayent,yrexit,moexit,dayexit,phase,"
    ...     "defense,offense,neutral,nonagg,consul,version\\n"
    ...     "3180,,2,1949,8,24,0,0,0,1,1,0,0,0,1,5.1\\n"
    ...     "3180,,200,1949,8,24,0,0,0,1,1,0,0,0,1,5.1\\n"
    ... )
    >>> from sim.io.atop import read_atop
    >>> report = ImportReport()
    >>> [(t.a, t.b, t.kind, t.strength) for t in read_atop(path, year=2000, report=report)]
    [('USA', 'GBR', 'defence_pact', 1.0)]
    >>> report.format, report.records
    ('atop-member', 2)
    """
    ties, _, rep = _read(path, year_range(year, years, on), report, on)
    finish_report(rep, report)
    return ties


def world_from_atop(
    path: str | Path,
    *,
    year: int | None = None,
    years: YearsArg = None,
    on: dt.date | None = None,
    report: ImportReport | None = None,
) -> World:
    """A :class:`World` of the alliances in an ATOP file (see :func:`read_atop`).

    The actors are the states with a tie, named and placed from the country-code table for the
    last year of the range; bloc, capability and stability keep the
    :class:`~sim.world.Actor` defaults.

    Parameters
    ----------
    path, year, years, on, report
        As in :func:`read_atop`.

    Returns
    -------
    sim.world.World

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sim.io import ImportReport
    >>> path = Path(tempfile.mkdtemp()) / "atop5_1m.csv"
    >>> _ = path.write_text(
    ...     "atopid,cowid,member,yrent,moent,dayent,yrexit,moexit,dayexit,phase,"
    ...     "defense,offense,neutral,nonagg,consul,version\\n"
    ...     "3180,,2,1949,8,24,0,0,0,1,1,0,0,0,1,5.1\\n"
    ...     "3180,,200,1949,8,24,0,0,0,1,1,0,0,0,1,5.1\\n"
    ... )
    >>> from sim.io.atop import world_from_atop
    >>> world = world_from_atop(path, year=2000, report=ImportReport())
    >>> world.name, world.ids
    ('atop-2000', ('USA', 'GBR'))
    """
    yr = year_range(year, years, on)
    ties, ccodes, rep = _read(path, yr, report, on)
    label = ties[0].source.split(",")[0] if ties else SOURCE
    return alliance_world(ties, ccodes, yr, rep, report, prefix="atop", source=label, path=path)


def _read(path, years: YearRange, given: ImportReport | None, on: dt.date | None = None):
    report = given if given is not None else ImportReport()
    report.source = str(path)
    text = read_data_text(path, report)
    header, rows = read_csv_rows(text, str(path))
    cols = set(header)
    variant = next((v for v, need in _VARIANTS.items() if set(need) <= cols), None)
    if variant is None:
        hint = ""
        if {"state", "year", "atopally"} <= cols:
            hint = "this is the state-year file (atop5_1sy): use atop5_1dy.csv or atop5_1m.csv"
        elif {"atopid", "begyr"} <= cols:
            hint = "this is the alliance-level file (atop5_1a): use atop5_1m.csv or atop5_1dy.csv"
        elif {"ccode1", "ccode2"} <= cols or "mem_st_year" in cols:
            hint = "this looks like a COW alliance file: use --cow / read_cow"
        raise ValidationError(
            [
                Problem(
                    f"{path}:1",
                    "not an ATOP member or dyad-year file",
                    ",".join(header)[:200],
                    "columns mem1,mem2,year (atop5_1dy), stateA,stateB,year (atop5_1ddyr) or "
                    "atopid,member,yrent,... (atop5_1m)",
                    hint,
                )
            ],
            what=str(path),
        )
    obligation_cols = [c for c in _OBLIGATIONS if c in cols]
    if not obligation_cols:
        raise ValidationError(
            [
                Problem(
                    f"{path}:1",
                    f"ATOP {variant} file has no obligation columns",
                    ",".join(header)[:200],
                    ", ".join(_OBLIGATIONS),
                    "use the dyad-year file atop5_1dy.csv, which always has them",
                )
            ],
            what=str(path),
        )
    report.format = f"atop-{variant}"
    report.records = len(rows)
    version = file_version(rows)
    label = f"{SOURCE} {version}" if version else SOURCE
    if not version:
        report.warn("the file has no version column: the ATOP release is not stated")
    year_cols = year_columns("ATOP", cols)
    check_coverage(path, coverage(rows, year_cols, dataset="ATOP", version=version), years)
    problems: list[Problem] = []
    if variant == "member":
        window = day_window(years, on)
        obligations, sources = _members(path, rows, window, obligation_cols, problems, report)
    else:
        a, b, _ = _VARIANTS[variant]
        obligations, sources = _dyad_years(
            path, rows, years, a, b, obligation_cols, header, problems, report
        )
    if problems:
        raise ValidationError(problems, what=str(path))
    drop_ended_states(obligations, sources, years, report)
    if not obligations:
        raise ValidationError(
            [Problem(str(path), f"no alliance in force in {years.label}", years.label)],
            what=str(path),
        )
    ccodes = {c for pair in obligations for c in pair}
    ids = ccode_ids(ccodes, years, country_codes())
    ties = collapse_partnerships(obligations, ids, sources, label=label, id_prefix="atopid")
    return ties, ccodes, report


def _held(path, line, row, obligation_cols, problems) -> set[str]:
    held = set()
    for col in obligation_cols:
        try:
            v = to_int(row.get(col))
        except ValueError:
            problems.append(Problem(f"{path}:{line} {col}", "must be 0 or 1", row.get(col), "0, 1"))
            continue
        if v and v > 0:
            held.add(_OBLIGATIONS[col])
    return held


def _dyad_years(path, rows, years: YearRange, ca, cb, obligation_cols, header, problems, report):
    id_cols = [h for h in header if h.startswith("atopid")]
    # every (pair, obligation) -> years held, over the whole file, to find where runs start
    held_years: dict[tuple[int, int], dict[str, set[int]]] = {}
    sources: dict[tuple[int, int], set[str]] = {}
    for line, row in rows:
        try:
            a, b, y = to_int(row.get(ca)), to_int(row.get(cb)), to_int(row.get("year"))
        except ValueError:
            problems.append(
                Problem(
                    f"{path}:{line}",
                    f"{ca}, {cb} and year must be integers",
                    [row.get(ca), row.get(cb), row.get("year")],
                )
            )
            continue
        if a is None or b is None or y is None:
            problems.append(Problem(f"{path}:{line}", f"missing {ca}, {cb} or year"))
            continue
        held = _held(path, line, row, obligation_cols, problems)
        if not held or a == b:
            continue
        pair = (min(a, b), max(a, b))
        slot = held_years.setdefault(pair, {})
        for ob in held:
            slot.setdefault(ob, set()).add(y)
        if y in years:
            for col in id_cols:
                try:
                    aid = to_int(row.get(col))
                except ValueError:
                    aid = None
                if aid:
                    sources.setdefault(pair, set()).add(str(aid))
    obligations: dict[tuple[int, int], dict[str, dt.date]] = {}
    for pair, slot in held_years.items():
        for ob, ys in slot.items():
            in_range = [y for y in ys if y in years]
            if not in_range:
                continue
            start = min(in_range)
            while start - 1 in ys:
                start -= 1
            obligations.setdefault(pair, {})[ob] = dt.date(start, 1, 1)
        if pair in obligations:
            sources.setdefault(pair, set())
    if not id_cols:
        report.warn("no atopid columns: tie sources name the file only")
    return obligations, sources


def _members(path, rows, window: Window, obligation_cols, problems, report):
    cols = ("atopid", "member", "yrent", "moent", "dayent", "yrexit", "moexit", "dayexit")
    alliances: Memberships = {}
    for line, row in rows:
        v: dict[str, int | None] = {}
        bad = False
        for col in cols:
            try:
                v[col] = to_int(row.get(col))
            except ValueError:
                problems.append(Problem(f"{path}:{line} {col}", "must be an integer", row.get(col)))
                bad = True
        if bad:
            continue
        if v["atopid"] is None or v["member"] is None or v["yrent"] is None:
            problems.append(Problem(f"{path}:{line}", "missing atopid, member or yrent"))
            continue
        held = frozenset(_held(path, line, row, obligation_cols, problems))
        start = make_date(v["yrent"], v["moent"], v["dayent"])
        end = make_end_date(v["yrexit"], v["moexit"], v["dayexit"])
        members = alliances.setdefault(v["atopid"], {})
        members.setdefault(v["member"], []).append(Spell(start, end, held))
    obligations: dict[tuple[int, int], dict[str, dt.date]] = {}
    sources: dict[tuple[int, int], set[str]] = {}
    pair_members(alliances, window, report, obligations, sources)
    return obligations, sources
