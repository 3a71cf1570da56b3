"""Shared pieces of the importers: the import report, text decoding, years, dates and actors."""

from __future__ import annotations

import csv
import datetime as dt
import warnings
from collections import Counter
from collections.abc import Iterable
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


def year_range(year: int | None = None, years: object = None) -> YearRange:
    """Normalise ``year=`` / ``years=`` arguments to a :class:`YearRange`.

    `years` may be ``(first, last)``, a ``range``, or a string ``"1990-1995"``.
    """
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
        a, b = (int(x) for x in years)  # type: ignore[union-attr]
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
        actors=actors,
        ties=ties,
        name=f"{prefix}-{years.label.replace(' ', '-')}",
        description=f"Alliances in force, {years.label}, from {source} ({Path(path).name})",
        as_of=dt.date(years.last, 12, 31) if years.last is not None else None,
    )


# -- alliance memberships into pairs ------------------------------------------------------------

#: A state's membership of one alliance: first entry, last year (None: still in force), and the
#: obligations it took on.
Membership = tuple[dt.date, int | None, set[str]]


def add_membership(
    members: dict[int, Membership], code: int, start: dt.date, end: int | None, held: set[str]
) -> None:
    """Merge one row (a phase, or a year of a yearly file) into a state's membership."""
    if code in members:
        s0, e0, h0 = members[code]
        last = None if e0 is None or end is None else max(e0, end)
        members[code] = (min(s0, start), last, h0 | held)
    else:
        members[code] = (start, end, held)


def record_obligations(
    obligations: dict[tuple[int, int], dict[str, dt.date]],
    sources: dict[tuple[int, int], set[str]],
    pair: tuple[int, int],
    held: set[str],
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
    alliances: dict[int, dict[int, Membership]],
    years: YearRange,
    report: ImportReport,
    obligations: dict[tuple[int, int], dict[str, dt.date]],
    sources: dict[tuple[int, int], set[str]],
) -> None:
    """Every pair of members of one alliance who were in it *together* within `years`.

    Two memberships that each meet the range but not each other (one left before the other
    joined) make no tie; the pair's start is the later of the two entries.
    """
    for aid, members in alliances.items():
        codes = sorted(members)
        for i, a in enumerate(codes):
            for b in codes[i + 1 :]:
                (sa, ea, ha), (sb, eb, hb) = members[a], members[b]
                start = max(sa, sb)  # the pair exists once both joined
                end = ea if eb is None else eb if ea is None else min(ea, eb)
                if (end is not None and end < start.year) or not years.overlaps(start.year, end):
                    report.skipped["member pair never in the alliance together in the range"] += 1
                    continue
                held = ha | hb
                if not held:
                    report.skipped["member pair with no obligation flagged"] += 1
                    continue
                record_obligations(obligations, sources, (a, b), held, start, str(aid))
