"""Shared pieces of the importers: the import report, text decoding, years, dates and actors."""

from __future__ import annotations

import csv
import datetime as dt
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sim.errors import Problem, ValidationError
from sim.io.codes import CountryCodes, country_codes
from sim.world import Actor, PartnershipTie, World

__all__ = [
    "DataImportWarning",
    "ImportReport",
    "YearRange",
    "actors_for_ccodes",
    "collapse_partnerships",
    "read_data_text",
    "year_range",
]

#: Partnership kind and strength per treaty obligation, strongest first. The strengths are the
#: project's design choices (not sourced facts): a defence pledge binds most, a consultation
#: pledge least; the order decides which obligation names a dyad holding several.
OBLIGATIONS: dict[str, tuple[str, float]] = {
    "defense": ("defence_pact", 1.0),
    "neutrality": ("neutrality", 0.6),
    "nonaggression": ("non_aggression", 0.5),
    "entente": ("entente", 0.3),
}


class DataImportWarning(UserWarning):
    """Something in an imported file was skipped or guessed (see the :class:`ImportReport`)."""


@dataclass
class ImportReport:
    """What an importer read, skipped and guessed: pass one in to collect it.

    Every public importer takes ``report=None``; without one, the warnings are issued once as a
    :class:`DataImportWarning` summary instead.

    Attributes
    ----------
    source : str
        The file read.
    format : str
        The detected variant, e.g. ``"cow-dyad-yearly"`` or ``"sipri-trade-register"``.
    encoding : str
        ``"utf-8"``, or ``"latin-1"`` for a file that is not valid UTF-8.
    records : int
        Data records parsed.
    skipped : collections.Counter
        Records left out, by reason.
    names : collections.Counter
        Names seen per category: ``"organisation"``, ``"non_state"``, ``"unknown"``...
    warnings : list of str
        Human-readable notes on anything skipped or guessed.
    """

    source: str = ""
    format: str = ""
    encoding: str = ""
    records: int = 0
    skipped: Counter = field(default_factory=Counter)
    names: dict[str, Counter] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def count_name(self, category: str, name: str) -> None:
        self.names.setdefault(category, Counter())[name] += 1

    def lines(self) -> list[str]:
        """The report as readable lines (what the CLI prints)."""
        out = [f"{self.source}: {self.format} ({self.encoding}), {self.records} records"]
        for reason, n in sorted(self.skipped.items()):
            out.append(f"  skipped {n}: {reason}")
        out.extend(f"  warning: {w}" for w in self.warnings)
        return out


def finish_report(report: ImportReport, given: ImportReport | None) -> None:
    """Issue the report's warnings as one :class:`DataImportWarning` when no report was given."""
    if given is None and report.warnings:
        shown = report.warnings[:5]
        more = len(report.warnings) - len(shown)
        text = "; ".join(shown) + (f"; and {more} more" if more > 0 else "")
        warnings.warn(f"{report.source}: {text}", DataImportWarning, stacklevel=3)


#: What ``years=`` accepts: ``"1990-1995"`` or ``"1990"``, a ``range``, or ``(first, last)``.
YearsArg = str | range | Sequence[int] | None


@dataclass(frozen=True)
class YearRange:
    """Inclusive range of years; ``None`` bounds mean the whole file."""

    first: int | None = None
    last: int | None = None

    def __contains__(self, year: object) -> bool:
        if not isinstance(year, int):
            return False
        return (self.first is None or year >= self.first) and (
            self.last is None or year <= self.last
        )

    def overlaps(self, start: int, end: int | None) -> bool:
        """Whether the span `start`..`end` (``None`` = open-ended) meets this range."""
        return (self.last is None or start <= self.last) and (
            end is None or self.first is None or end >= self.first
        )

    @property
    def label(self) -> str:
        if self.first is None and self.last is None:
            return "all years"
        if self.first == self.last:
            return str(self.first)
        return f"{self.first}-{self.last}"


def year_range(
    year: int | None = None, years: YearsArg = None, on: dt.date | None = None
) -> YearRange:
    """Normalise ``year=`` / ``years=`` / ``on=`` arguments to a :class:`YearRange`.

    `years` may be ``(first, last)``, a ``range``, or a string ``"1990-1995"``; `on` (a date)
    is the year of that date. Give at most one of the three.
    """
    if on is not None:
        if year is not None or years is not None:
            raise ValueError("give on=, year= or years=, not several")
        return YearRange(on.year, on.year)
    if year is not None and years is not None:
        raise ValueError("give year= or years=, not both")
    if year is not None:
        return YearRange(int(year), int(year))
    if years is None:
        return YearRange()
    if isinstance(years, str):
        first, sep, last = years.strip().partition("-")
        try:
            a = int(first)
            b = int(last) if sep else a
        except ValueError:
            raise ValueError(f"years {years!r}: expected 'YYYY' or 'YYYY-YYYY'") from None
    elif isinstance(years, range):
        if len(years) == 0:
            raise ValueError("years: empty range")
        a, b = years[0], years[-1]
    else:
        a, b = (int(x) for x in years)
    if a > b:
        raise ValueError(f"years: first year {a} is after last year {b}")
    return YearRange(a, b)


def read_data_text(path: str | Path, report: ImportReport) -> str:
    """Read a data file as text: UTF-8 (with or without BOM) first, then Latin-1.

    Raises
    ------
    ValidationError
        The file is missing, a directory, unreadable or empty.
    """
    p = Path(path)
    where = str(p)
    if not p.exists():
        raise ValidationError([Problem(where, "file not found")], what=where)
    if p.is_dir():
        raise ValidationError([Problem(where, "is a directory, not a file")], what=where)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ValidationError(
            [Problem(where, f"cannot be read: {exc.strerror}")], what=where
        ) from None
    if not raw.strip():
        raise ValidationError([Problem(where, "is empty")], what=where)
    try:
        text = raw.decode("utf-8-sig")
        report.encoding = "utf-8"
        return text
    except UnicodeDecodeError:
        # Latin-1 decodes any byte string, so it is the last resort (SIPRI's classic encoding)
        report.encoding = "latin-1"
        return raw.decode("latin-1")


def read_csv_rows(text: str, where: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """A CSV text as (lower-cased header, [(line, row)]): headers match case-insensitively."""
    # split on newlines only: str.splitlines would also split on U+0085, a Latin-1 byte
    lines = [ln.removesuffix("\r") for ln in text.split("\n")]
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError([Problem(where, "no header line")], what=where) from None
    keys = [h.strip().lower() for h in header]
    rows = []
    for rec in reader:
        if not any(x.strip() for x in rec):
            continue
        rows.append((reader.line_num, dict(zip(keys, (x.strip() for x in rec), strict=False))))
    return keys, rows


def to_int(value: str | None) -> int | None:
    """An integer field: ``None`` for empty, ``NA`` or ``.`` (Stata's missing)."""
    if value is None:
        return None
    v = value.strip()
    if v in ("", "NA", ".", "NaN", "nan"):
        return None
    return int(float(v))


def make_date(year: int, month: int | None, day: int | None) -> dt.date:
    """A date from COW/ATOP parts; unknown month or day (``-9``, 0, empty) becomes 1."""
    m = month if month and 1 <= month <= 12 else 1
    d = day if day and day >= 1 else 1
    while d > 28:
        try:
            return dt.date(year, m, d)
        except ValueError:
            d -= 1
    return dt.date(year, m, d)


def collapse_partnerships(
    obligations: dict[tuple[int, int], dict[str, dt.date]],
    ids: dict[int, str],
    sources: dict[tuple[int, int], set[str]],
    *,
    label: str,
    id_prefix: str,
) -> list[PartnershipTie]:
    """One undirected tie per pair: the strongest obligation names it.

    `obligations` maps a sorted ccode pair to {obligation: earliest start date}; `sources` to
    the alliance ids behind it.
    """
    ties = []
    for pair in sorted(obligations):
        held = obligations[pair]
        ob = next((o for o in OBLIGATIONS if o in held), None)
        if ob is None:  # pragma: no cover - pairs are only recorded with an obligation
            continue
        kind, strength = OBLIGATIONS[ob]
        ids_ = sorted(sources.get(pair, ()), key=lambda s: (len(s), s))
        ties.append(
            PartnershipTie(
                a=ids[pair[0]],
                b=ids[pair[1]],
                kind=kind,
                strength=strength,
                since=held[ob],
                source=f"{label}, {id_prefix} {', '.join(ids_)}" if ids_ else label,
            )
        )
    return ties


def ccode_ids(ccodes: Iterable[int], years: YearRange, codes: CountryCodes) -> dict[int, str]:
    """Actor id per COW code: the table's id, or ``"C" + ccode`` for a code not in the table."""
    year = years.last if years.last is not None else None
    out = {}
    for c in ccodes:
        row = codes.by_ccode(c, year)
        out[c] = row.id if row else f"C{c}"
    return out


def actors_for_ccodes(ccodes: Iterable[int], years: YearRange, report: ImportReport) -> list[Actor]:
    """Actors for COW codes, named for the last year of the range, in ccode order.

    A code missing from the table gets id ``"C" + ccode``, lat/lon 0 and a report warning.
    Capability, stability and bloc keep the :class:`Actor` defaults: the alliance data sets
    say nothing about them.
    """
    codes = country_codes()
    year = years.last
    actors = []
    for c in sorted(set(ccodes)):
        row = codes.by_ccode(c, year)
        if row is None:
            report.warn(f"COW code {c} is not in the country-code table: actor 'C{c}' at 0, 0")
            actors.append(Actor(id=f"C{c}", name=f"COW state {c}", note=f"COW ccode {c}"))
            continue
        actors.append(
            Actor(
                id=row.id,
                name=row.name,
                lat=row.lat,
                lon=row.lon,
                note=f"COW ccode {c}; capital {row.capital} ({row.source})",
            )
        )
    return actors


def alliance_world(
    ties: list[PartnershipTie],
    ccodes: Iterable[int],
    years: YearRange,
    report: ImportReport,
    given: ImportReport | None,
    *,
    prefix: str,
    source: str,
    path: str | Path,
) -> World:
    """A :class:`World` of imported alliance ties, its actors placed from the code table.

    Bloc, capability and stability keep the :class:`Actor` defaults: the data sets say
    nothing about them.
    """
    actors = actors_for_ccodes(ccodes, years, report)
    finish_report(report, given)
    return World(
        actors=tuple(actors),
        ties=tuple(ties),
        name=f"{prefix}-{years.label.replace(' ', '-')}",
        description=f"Alliances in force, {years.label}, from {source} ({Path(path).name})",
        as_of=dt.date(years.last, 12, 31) if years.last is not None else None,
    )


# -- alliance memberships into pairs ------------------------------------------------------------


@dataclass(frozen=True)
class Spell:
    """One row of a member file: a state in one alliance from `start` to `end` (inclusive).

    ``end`` is None while the membership was in force at the end of the data; ``held`` are the
    obligations it carried (names of :data:`OBLIGATIONS`).
    """

    start: dt.date
    end: dt.date | None
    held: frozenset[str]


#: Alliance id -> COW code -> the member's spells (phases, or yearly rows) in that alliance.
Memberships = dict[int, dict[int, list[Spell]]]

#: A span of days: first and last day, ``None`` = unbounded on that side.
Window = tuple[dt.date | None, dt.date | None]


def make_end_date(year: int | None, month: int | None, day: int | None) -> dt.date | None:
    """The last day of a membership; ``None`` when the end year is empty, 0 or negative.

    An unknown month (``-9``, 0, empty) reads as December and an unknown day as the month's
    last day, so that a membership is never cut short by a missing part of its date.
    """
    if year is None or year <= 0:
        return None
    m = month if month and 1 <= month <= 12 else 12
    if day and day >= 1:
        return make_date(year, m, day)
    nxt = dt.date(year + 1, 1, 1) if m == 12 else dt.date(year, m + 1, 1)
    return nxt - dt.timedelta(days=1)


def day_window(years: YearRange, on: dt.date | None = None) -> Window:
    """The days a request covers: the single day `on`, else 1 January to 31 December."""
    if on is not None:
        return on, on
    return (
        dt.date(years.first, 1, 1) if years.first is not None else None,
        dt.date(years.last, 12, 31) if years.last is not None else None,
    )


def _min_end(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return b if a is None else a if b is None else min(a, b)


def _runs(spells: list[Spell]) -> list[tuple[dt.date, dt.date | None, list[Spell]]]:
    """Unbroken runs of membership: spells that follow each other within a day merge."""
    out: list[tuple[dt.date, dt.date | None, list[Spell]]] = []
    for sp in sorted(spells, key=lambda s: s.start):
        if out:
            s0, e0, group = out[-1]
            if e0 is None or sp.start <= e0 + dt.timedelta(days=1):
                end = None if e0 is None or sp.end is None else max(e0, sp.end)
                out[-1] = (s0, end, [*group, sp])
                continue
        out.append((sp.start, sp.end, [sp]))
    return out


def record_obligations(
    obligations: dict[tuple[int, int], dict[str, dt.date]],
    sources: dict[tuple[int, int], set[str]],
    pair: tuple[int, int],
    held: Iterable[str],
    start: dt.date,
    alliance_id: str,
) -> None:
    """Note that `pair` held each obligation in `held` from `start` (the earliest start wins)."""
    slot = obligations.setdefault(pair, {})
    for ob in held:
        if ob not in slot or start < slot[ob]:
            slot[ob] = start
    sources.setdefault(pair, set()).add(alliance_id)


def pair_members(
    alliances: Memberships,
    window: Window,
    report: ImportReport,
    obligations: dict[tuple[int, int], dict[str, dt.date]],
    sources: dict[tuple[int, int], set[str]],
) -> None:
    """Every pair of members of one alliance who were in it *together* within `window`.

    Dates count to the day: a state that left on 2 October 1990 and one that joined on
    3 October were never members together, so they make no tie. A member's consecutive spells
    (ATOP phases) form one unbroken run, so a pair's ``since`` is the day the later of the two
    joined that run, however many phases later the window falls; its obligations are those of
    the spells in force within the window.
    """
    lo, hi = window
    for aid, members in alliances.items():
        runs = {code: _runs(spells) for code, spells in members.items()}
        codes = sorted(members)
        for i, a in enumerate(codes):
            for b in codes[i + 1 :]:
                together = False
                for sa, ea, ga in runs[a]:
                    for sb, eb, gb in runs[b]:
                        start, end = max(sa, sb), _min_end(ea, eb)
                        w0 = start if lo is None else max(start, lo)
                        w1 = _min_end(end, hi)
                        if w1 is not None and w1 < w0:
                            continue
                        together = True
                        held = {
                            ob
                            for sp in (*ga, *gb)
                            if sp.start <= (w1 or sp.start) and (sp.end is None or sp.end >= w0)
                            for ob in sp.held
                        }
                        if not held:
                            report.skipped["member pair with no obligation flagged"] += 1
                            continue
                        record_obligations(obligations, sources, (a, b), held, start, str(aid))
                if not together:
                    report.skipped["member pair never in the alliance together in the range"] += 1


# -- what a file covers, and states that no longer exist ---------------------------------------

#: The last year of data in each documented release (used when a file states its version).
RELEASE_ENDS: dict[tuple[str, str], int] = {
    ("COW", "4.1"): 2012,
    ("ATOP", "5.1"): 2018,
    ("ATOP", "5.0"): 2018,
    ("ATOP", "4.01"): 2016,
    ("ATOP", "4.0"): 2016,
}


def file_version(rows: list[tuple[int, dict[str, str]]]) -> str:
    """The release a file states in its ``version`` column (the commonest value), or ``""``."""
    seen = Counter(row.get("version", "").strip() for _, row in rows)
    seen.pop("", None)
    if not seen:
        return ""
    v = seen.most_common(1)[0][0]
    try:  # "5.1" and "5.10" are one release; keep what the file wrote otherwise
        return f"{float(v):g}" if float(v) != int(float(v)) else f"{int(float(v))}.0"
    except ValueError:
        return v


def coverage(
    rows: list[tuple[int, dict[str, str]]], year_cols: Iterable[str], *, dataset: str, version: str
) -> tuple[int, int] | None:
    """First and last year a file holds: the years its records name, extended to the end of its
    release when the file states one (:data:`RELEASE_ENDS`). None for a file with no years."""
    years = []
    for _, row in rows:
        for col in year_cols:
            try:
                y = to_int(row.get(col))
            except ValueError:
                continue
            if y is not None and y > 0:
                years.append(y)
    if not years:
        return None
    last = max(max(years), RELEASE_ENDS.get((dataset, version), 0))
    return min(years), last


def year_columns(dataset: str, cols: Iterable[str]) -> tuple[str, ...]:
    """The columns that hold years in a COW or ATOP alliance file, by its variant."""
    cols = set(cols)
    if "year" in cols:
        return ("year",)
    if dataset == "COW":
        if "ccode1" in cols:
            return ("dyad_st_year", "dyad_end_year")
        return ("mem_st_year", "mem_end_year")
    return ("yrent", "yrexit")


def alliance_file(path: str | Path) -> tuple[str, tuple[int, int] | None]:
    """Which alliance data set a file holds (``"COW"``, ``"ATOP"``, or ``""`` for neither)
    and the years it covers (see ``coverage``)."""
    rep = ImportReport()
    header, rows = read_csv_rows(read_data_text(path, rep), str(path))
    cols = set(header)
    if {"ccode1", "ccode2"} <= cols or {"ccode", "mem_st_year"} <= cols:
        dataset = "COW"
    elif {"atopid", "member", "yrent"} <= cols or {"mem1", "mem2"} <= cols or "statea" in cols:
        dataset = "ATOP"
    else:
        return "", None
    cover = coverage(rows, year_columns(dataset, cols), dataset=dataset, version=file_version(rows))
    return dataset, cover


def check_coverage(path: str | Path, span: tuple[int, int] | None, years: YearRange) -> None:
    """Raise when the requested years fall outside what the file holds (never fill them in).

    Raises
    ------
    ValidationError
        Naming the request, the file's range and the nearest year it holds.
    """
    if span is None or (years.first is None and years.last is None):
        return
    first, last = span
    lo = years.first if years.first is not None else first
    hi = years.last if years.last is not None else last
    if lo >= first and hi <= last:
        return
    near = last if hi > last else first
    raise ValidationError(
        [
            Problem(
                str(path),
                f"{years.label} is outside the years this file holds ({first}-{last})",
                years.label,
                f"years {first}-{last}",
                f"the {'latest' if hi > last else 'earliest'} year it holds is {near}",
            )
        ],
        what=str(path),
    )


def drop_ended_states(
    obligations: dict[tuple[int, int], dict[str, dt.date]],
    sources: dict[tuple[int, int], set[str]],
    years: YearRange,
    report: ImportReport,
) -> None:
    """Drop the ties of states that had ceased to exist before the requested years began.

    A member file may leave a membership open after its state ended (COW holds the German
    Federal Republic in the WEU to 2012); the country-code table's years for that COW code say
    when it ended. Each dropped state is named in a report warning.
    """
    if years.first is None:
        return
    codes = country_codes()
    ended: dict[int, tuple[str, int]] = {}
    for c in {c for pair in obligations for c in pair}:
        rows = [r for r in codes.rows if r.ccode == c]
        if rows and all(r.last is not None for r in rows):
            last = max(r.last for r in rows if r.last is not None)
            if last < years.first:
                ended[c] = (rows[-1].name, last)
    for c, (name, last) in sorted(ended.items()):
        gone = [pair for pair in obligations if c in pair]
        for pair in gone:
            del obligations[pair]
            sources.pop(pair, None)
        report.skipped["tie of a state that no longer existed"] += len(gone)
        report.warn(
            f"COW code {c} ({name}) no longer existed in {years.label} (country-code table: "
            f"to {last}); dropped with its {len(gone)} tie(s), which the file leaves open"
        )
