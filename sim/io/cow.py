"""Read Correlates of War Formal Alliances v4.1 files (Gibler 2009) into partnership ties.

All six CSV files of the release are read, the variant told apart by its header (matched
case-insensitively): ``alliance_v4.1_by_dyad[_yearly].csv``, ``..._by_directed[_yearly].csv``
(columns ``ccode1, ccode2``) and ``..._by_member[_yearly].csv`` (``ccode``, ``mem_st_year``).

References
----------
Gibler, Douglas M. 2009. *International Military Alliances, 1648-2008*. CQ Press.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sim.errors import Problem, ValidationError
from sim.io._common import (
    OBLIGATIONS,
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
    record_obligations,
    to_int,
    year_columns,
    year_range,
)
from sim.io.codes import country_codes
from sim.world import PartnershipTie, World

__all__ = ["read_cow", "world_from_cow"]

SOURCE = "COW Formal Alliances"
_OBLIGATION_COLUMNS = tuple(OBLIGATIONS)  # defense, neutrality, nonaggression, entente
_DYAD_COLUMNS = (
    "version4id",
    "ccode1",
    "ccode2",
    "dyad_st_day",
    "dyad_st_month",
    "dyad_st_year",
    "dyad_end_year",
    *_OBLIGATION_COLUMNS,
)
_MEMBER_COLUMNS = (
    "version4id",
    "ccode",
    "mem_st_day",
    "mem_st_month",
    "mem_st_year",
    "mem_end_year",
    *_OBLIGATION_COLUMNS,
)


def read_cow(
    path: str | Path,
    *,
    year: int | None = None,
    years: YearsArg = None,
    on: dt.date | None = None,
    report: ImportReport | None = None,
) -> list[PartnershipTie]:
    """Read a COW Formal Alliances v4.1 CSV into undirected partnership ties.

    Parameters
    ----------
    path : str or Path
        Any of the six CSV files of the release (dyad, directed, member; yearly or not).
    year, years : optional
        One year, or a range ``(first, last)`` / ``"1990-1995"``: ties in force on any day of
        it. Neither: every alliance in the file.
    on : datetime.date, optional
        Instead of `year`/`years`: the ties in force on this day (member files and the
        non-yearly dyad file count to the day; yearly files by the year of `on`).
    report : ImportReport, optional
        Filled with what was read and skipped; without one, warnings are issued instead.

    Returns
    -------
    list of PartnershipTie
        One tie per pair of states (sorted by COW code), ids from the country-code table.

    Raises
    ------
    ValidationError
        Missing or unreadable file, unknown header, bad values (every problem at once), years
        outside those the file holds, or no alliance in force in the chosen years.

    Notes
    -----
    - Dyad files hold duplicate dyad-years when a pair shares several treaties, and directed
      files hold each pair twice: all collapse to one tie per unordered pair, keeping every
      obligation either side pledged (the maximum, as peacesciencer does).
    - Member files give all pairs of members of one alliance active in the year; a pair's
      obligations are those of either member.
    - ``kind`` and ``strength`` come from the strongest obligation: defence ->
      ``defence_pact`` 1.0, neutrality -> ``neutrality`` 0.6, non-aggression ->
      ``non_aggression`` 0.5, entente -> ``entente`` 0.3. The strengths are design choices.
    - ``since`` is the start of the earliest dyad (or joint membership) carrying that
      obligation; an unknown day or month (``-9``) is read as 1.
    - A missing, empty or 0 end year means the alliance was still in force at the end of the
      data (2012). Exit and entry dates count to the day: a state that left on 2 October 1990
      and one that joined on 3 October (the two Germanies in NATO) were never allied.
    - Years after the end of the file (its release's documented end when the ``version``
      column states one: 2012 for v4.1) are refused, not filled in.
    - A state that had ceased to exist before the requested years (by the country-code
      table: the German Federal Republic after 1990) is dropped with a report warning.
    - The release named in the tie sources is read from the ``version`` column.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sim.io import ImportReport
    >>> path = Path(tempfile.mkdtemp()) / "alliance_v4.1_by_dyad.csv"
    >>> _ = path.write_text(
    ...     "version4id,ccode1,state_name1,ccode2,state_name2,dyad_st_day,dyad_st_month,"
    ...     "dyad_st_year,dyad_end_day,dyad_end_month,dyad_end_year,left_censor,right_censor,"
    ...     "defense,neutrality,nonaggression,entente,asymmetric,version\\n"
    ...     '3,2,"United States of America",200,"United Kingdom",24,8,1949,,,,0,1,1,0,0,1,0,4.1\\n'
    ... )
    >>> from sim.io.cow import read_cow
    >>> report = ImportReport()
    >>> [(t.a, t.b, t.kind) for t in read_cow(path, year=2000, report=report)]
    [('USA', 'GBR', 'defence_pact')]
    >>> report.format
    'cow-dyad'
    """
    ties, _, rep = _read(path, year_range(year, years, on), report, on)
    finish_report(rep, report)
    return ties


def world_from_cow(
    path: str | Path,
    *,
    year: int | None = None,
    years: YearsArg = None,
    on: dt.date | None = None,
    report: ImportReport | None = None,
) -> World:
    """A :class:`World` of the alliances in a COW file for a year or range (see :func:`read_cow`).

    The actors are the states with a tie, named and placed from the country-code table for the
    last year of the range; bloc, capability and stability keep the
    :class:`~sim.world.Actor` defaults.

    Parameters
    ----------
    path, year, years, on, report
        As in :func:`read_cow`.

    Returns
    -------
    sim.world.World

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sim.io import ImportReport
    >>> path = Path(tempfile.mkdtemp()) / "alliance_v4.1_by_dyad.csv"
    >>> _ = path.write_text(
    ...     "version4id,ccode1,state_name1,ccode2,state_name2,dyad_st_day,dyad_st_month,"
    ...     "dyad_st_year,dyad_end_day,dyad_end_month,dyad_end_year,left_censor,right_censor,"
    ...     "defense,neutrality,nonaggression,entente,asymmetric,version\\n"
    ...     '3,2,"United States of America",200,"United Kingdom",24,8,1949,,,,0,1,1,0,0,1,0,4.1\\n'
    ... )
    >>> from sim.io.cow import world_from_cow
    >>> world = world_from_cow(path, year=2000, report=ImportReport())
    >>> world.name, world.ids
    ('cow-2000', ('USA', 'GBR'))
    """
    yr = year_range(year, years, on)
    ties, ccodes, rep = _read(path, yr, report, on)
    label = ties[0].source.split(",")[0] if ties else SOURCE
    return alliance_world(ties, ccodes, yr, rep, report, prefix="cow", source=label, path=path)


def _read(
    path: str | Path, years: YearRange, given: ImportReport | None, on: dt.date | None = None
) -> tuple[list[PartnershipTie], set[int], ImportReport]:
    report = given if given is not None else ImportReport()
    report.source = str(path)
    text = read_data_text(path, report)
    header, rows = read_csv_rows(text, str(path))
    cols = set(header)
    if {"ccode1", "ccode2"} <= cols:
        variant, needed = "dyad", _DYAD_COLUMNS
    elif {"ccode", "mem_st_year"} <= cols:
        variant, needed = "member", _MEMBER_COLUMNS
    else:
        raise ValidationError(
            [
                Problem(
                    f"{path}:1",
                    "not a COW Formal Alliances v4.1 file: no ccode1/ccode2 or ccode/mem_st_year",
                    ",".join(header)[:200],
                    "the header of alliance_v4.1_by_dyad, _by_directed or _by_member "
                    "(yearly or not)",
                    "for ATOP files use --atop, for SIPRI exports --sipri",
                )
            ],
            what=str(path),
        )
    missing = [c for c in needed if c not in cols]
    if missing:
        raise ValidationError(
            [
                Problem(
                    f"{path}:1",
                    f"COW {variant} file lacks column(s) {', '.join(missing)}",
                    ",".join(header)[:200],
                    ", ".join(needed),
                )
            ],
            what=str(path),
        )
    yearly = "year" in cols
    report.format = f"cow-{variant}{'-yearly' if yearly else ''}"
    report.records = len(rows)
    version = file_version(rows)
    label = f"{SOURCE} v{version}" if version else SOURCE
    if not version:
        report.warn("the file has no version column: the COW release is not stated")
    year_cols = year_columns("COW", cols)
    check_coverage(path, coverage(rows, year_cols, dataset="COW", version=version), years)
    problems: list[Problem] = []
    window = day_window(years, on)
    if variant == "dyad":
        obligations, sources = _dyads(path, rows, years, window, yearly, problems, report)
    else:
        obligations, sources = _members(path, rows, window, problems, report)
    if problems:
        raise ValidationError(problems, what=str(path))
    drop_ended_states(obligations, sources, years, report)
    if not obligations:
        raise ValidationError(
            [
                Problem(
                    str(path),
                    f"no alliance in force in {years.label}",
                    years.label,
                    f"years with data in this file ({_span(rows, variant, yearly)})",
                )
            ],
            what=str(path),
        )
    ccodes = {c for pair in obligations for c in pair}
    ids = ccode_ids(ccodes, years, country_codes())
    ties = collapse_partnerships(obligations, ids, sources, label=label, id_prefix="version4id")
    return ties, ccodes, report


def _flags(path, line: int, row: dict[str, str], problems: list[Problem]) -> set[str]:
    held = set()
    for col in _OBLIGATION_COLUMNS:
        try:
            v = to_int(row.get(col))
        except ValueError:
            problems.append(Problem(f"{path}:{line} {col}", "must be 0 or 1", row.get(col), "0, 1"))
            continue
        if v:
            held.add(col)
    return held


def _ints(path, line, row, cols, problems) -> dict[str, int | None] | None:
    out: dict[str, int | None] = {}
    ok = True
    for col in cols:
        try:
            out[col] = to_int(row.get(col))
        except ValueError:
            problems.append(Problem(f"{path}:{line} {col}", "must be an integer", row.get(col)))
            ok = False
    return out if ok else None


def _dyads(path, rows, years: YearRange, window: Window, yearly: bool, problems, report):
    obligations: dict[tuple[int, int], dict[str, dt.date]] = {}
    sources: dict[tuple[int, int], set[str]] = {}
    cols = (
        "version4id",
        "ccode1",
        "ccode2",
        "dyad_st_day",
        "dyad_st_month",
        "dyad_st_year",
        "dyad_end_day",
        "dyad_end_month",
        "dyad_end_year",
        "year",
    )
    lo, hi = window
    for line, row in rows:
        v = _ints(path, line, row, cols, problems)
        if v is None:
            continue
        if v["ccode1"] is None or v["ccode2"] is None or v["dyad_st_year"] is None:
            problems.append(
                Problem(
                    f"{path}:{line}",
                    "missing ccode1, ccode2 or dyad_st_year",
                    {k: row.get(k) for k in ("ccode1", "ccode2", "dyad_st_year")},
                )
            )
            continue
        if yearly:
            if v["year"] is None:
                problems.append(Problem(f"{path}:{line} year", "missing year in a yearly file"))
                continue
            active = v["year"] in years
        else:
            st = make_date(v["dyad_st_year"], v["dyad_st_month"], v["dyad_st_day"])
            end = make_end_date(v["dyad_end_year"], v["dyad_end_month"], v["dyad_end_day"])
            active = (hi is None or st <= hi) and (end is None or lo is None or end >= lo)
        held = _flags(path, line, row, problems)
        if not active:
            continue
        if not held:
            report.skipped["dyad with no obligation flagged"] += 1
            continue
        a, b = v["ccode1"], v["ccode2"]
        if a == b:
            report.skipped["state allied with itself"] += 1
            continue
        start = make_date(v["dyad_st_year"], v["dyad_st_month"], v["dyad_st_day"])
        record_obligations(
            obligations, sources, (min(a, b), max(a, b)), held, start, str(v["version4id"])
        )
    return obligations, sources


def _members(path, rows, window: Window, problems, report):
    cols = (
        "version4id",
        "ccode",
        "mem_st_day",
        "mem_st_month",
        "mem_st_year",
        "mem_end_day",
        "mem_end_month",
        "mem_end_year",
    )
    alliances: Memberships = {}
    for line, row in rows:
        v = _ints(path, line, row, cols, problems)
        if v is None:
            continue
        if v["version4id"] is None or v["ccode"] is None or v["mem_st_year"] is None:
            problems.append(
                Problem(
                    f"{path}:{line}",
                    "missing version4id, ccode or mem_st_year",
                    {k: row.get(k) for k in ("version4id", "ccode", "mem_st_year")},
                )
            )
            continue
        held = frozenset(_flags(path, line, row, problems))
        start = make_date(v["mem_st_year"], v["mem_st_month"], v["mem_st_day"])
        end = make_end_date(v["mem_end_year"], v["mem_end_month"], v["mem_end_day"])
        members = alliances.setdefault(v["version4id"], {})
        members.setdefault(v["ccode"], []).append(Spell(start, end, held))
    obligations: dict[tuple[int, int], dict[str, dt.date]] = {}
    sources: dict[tuple[int, int], set[str]] = {}
    pair_members(alliances, window, report, obligations, sources)
    return obligations, sources


def _span(rows, variant: str, yearly: bool) -> str:
    key = "year" if yearly else ("dyad_st_year" if variant == "dyad" else "mem_st_year")
    ys = []
    for _, row in rows:
        try:
            y = to_int(row.get(key))
        except ValueError:
            continue
        if y is not None:
            ys.append(y)
    return f"{min(ys)}-{max(ys)}" if ys else "none"
