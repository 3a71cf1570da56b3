"""The country-code table shipped with the importers: COW ccode, ISO3, SIPRI names, capitals.

The table lives in ``sim/io/country_codes.csv`` (its header comment gives the provenance of every
row). One row per state *and naming period*: COW code 365 is the Russian Empire to 1917, the
Soviet Union to 1991 and Russia afterwards, all with actor id ``RUS``. An actor's id is the
state's ISO 3166 alpha-3 code when it has one, else its COW abbreviation (``AUH`` for
Austria-Hungary, ``YUG`` Yugoslavia, ``GDR``), so ids are stable across the periods of one code.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "CountryCode",
    "CountryCodes",
    "country_codes",
    "fold_name",
]


@dataclass(frozen=True)
class CountryCode:
    """One row of the table: a state under one name for a span of years.

    Attributes
    ----------
    id : str
        Actor id: ISO3 when the state has one, else the COW abbreviation.
    iso3, cow_abb : str
        ISO 3166 alpha-3 (``""`` for historical states) and COW state abbreviation
        (``""`` outside the COW state system, e.g. Palestine).
    ccode, gw : int or None
        COW and Gleditsch–Ward numeric codes.
    name, capital : str
        Display name for the period and its capital.
    sipri_names : tuple of str
        Spellings used in SIPRI trade-register exports.
    lat, lon : float
        Capital coordinates in degrees.
    first, last : int or None
        First and last year the name and capital apply (``None`` = unbounded).
    source : str
        ``"world-facts"`` (reference table) or ``"general-knowledge"`` (unverified).

    Examples
    --------
    >>> from sim.io.codes import country_codes
    >>> row = country_codes().by_id("SYR")
    >>> row.ccode, row.name, row.capital
    (652, 'Syria', 'Damascus')
    """

    id: str
    iso3: str
    cow_abb: str
    ccode: int | None
    gw: int | None
    name: str
    sipri_names: tuple[str, ...]
    capital: str
    lat: float
    lon: float
    first: int | None
    last: int | None
    source: str

    def covers(self, year: int) -> bool:
        """Whether this row's name applies in `year`."""
        return (self.first is None or self.first <= year) and (
            self.last is None or year <= self.last
        )


def fold_name(name: str) -> str:
    """A name reduced for matching: accents dropped, case folded, spaces collapsed.

    ``"Côte d'Ivoire"`` and ``"COTE D'IVOIRE "`` both fold to ``"cote d'ivoire"``.

    Parameters
    ----------
    name : str

    Returns
    -------
    str

    Examples
    --------
    >>> from sim.io.codes import fold_name
    >>> fold_name("Côte d'Ivoire") == fold_name("COTE D'IVOIRE ") == "cote d'ivoire"
    True
    """
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


class CountryCodes:
    """Lookups over the rows of the country-code table.

    Parameters
    ----------
    rows : sequence of CountryCode

    Examples
    --------
    >>> from sim.io.codes import country_codes
    >>> codes = country_codes()
    >>> codes.by_ccode(652).id, codes.by_sipri_name("Turkiye").id
    ('SYR', 'TUR')
    """

    def __init__(self, rows: list[CountryCode]):
        self.rows = tuple(rows)
        self._by_ccode: dict[int, list[CountryCode]] = {}
        self._by_sipri: dict[str, CountryCode] = {}
        self._by_id: dict[str, list[CountryCode]] = {}
        for r in self.rows:
            if r.ccode is not None:
                self._by_ccode.setdefault(r.ccode, []).append(r)
            self._by_id.setdefault(r.id, []).append(r)
            for n in r.sipri_names:
                # the latest period wins, so "Serbia" means the post-2006 row
                self._by_sipri[fold_name(n)] = r

    def by_ccode(self, ccode: int, year: int | None = None) -> CountryCode | None:
        """The row for a COW code in `year` (the latest row when `year` is None or uncovered)."""
        rows = self._by_ccode.get(ccode)
        if not rows:
            return None
        if year is not None:
            for r in rows:
                if r.covers(year):
                    return r
            # outside every period: take the closest one in time
            return min(rows, key=lambda r: _distance(r, year))
        return rows[-1]

    def by_sipri_name(self, name: str) -> CountryCode | None:
        """The row for a SIPRI state name (ignoring case and accents), or None."""
        return self._by_sipri.get(fold_name(name))

    def by_id(self, actor_id: str, year: int | None = None) -> CountryCode | None:
        """The row for an actor id in `year` (the latest row when `year` is None)."""
        rows = self._by_id.get(actor_id)
        if not rows:
            return None
        if year is not None:
            return min(rows, key=lambda r: _distance(r, year))
        return rows[-1]

    def __len__(self) -> int:
        return len(self.rows)


def _distance(r: CountryCode, year: int) -> int:
    if r.covers(year):
        return 0
    if r.first is not None and year < r.first:
        return r.first - year
    return year - (r.last or year)


def _opt_int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text else None


def _parse_years(text: str) -> tuple[int | None, int | None]:
    text = text.strip()
    if not text:
        return None, None
    first, _, last = text.partition("-")
    return _opt_int(first), _opt_int(last)


@cache
def country_codes() -> CountryCodes:
    """The shipped country-code table (read once and cached).

    Returns
    -------
    CountryCodes

    Examples
    --------
    >>> from sim.io.codes import country_codes
    >>> country_codes().by_id("IRN").name
    'Iran'
    """
    text = resources.files("sim.io").joinpath("country_codes.csv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    rows = []
    for rec in csv.DictReader(io.StringIO("\n".join(lines))):
        first, last = _parse_years(rec["years"])
        iso3, abb = rec["iso3"].strip(), rec["cow_abb"].strip()
        rows.append(
            CountryCode(
                id=iso3 or abb,
                iso3=iso3,
                cow_abb=abb,
                ccode=_opt_int(rec["ccode"]),
                gw=_opt_int(rec["gw"]),
                name=rec["name"].strip(),
                sipri_names=tuple(n.strip() for n in rec["sipri_name"].split("|") if n.strip()),
                capital=rec["capital"].strip(),
                lat=float(rec["lat"]),
                lon=float(rec["lon"]),
                first=first,
                last=last,
                source=rec["source"].strip(),
            )
        )
    return CountryCodes(rows)
