"""Read SIPRI Arms Transfers Database trade-register exports into arms supply ties.

Two CSV layouts are read, told apart by their columns:

- the classic per-deal *trade register* (16 columns, ``Recipient,Supplier,...``; Latin-1;
  11 preamble lines; ``?`` uncertainty flags in three columns named ``" "``; a deal's delivered
  TIV is a total over its listed delivery years);
- the newer per-delivery-year export (17 columns, ``SIPRI AT Database ID,Supplier,Recipient,
  ...``; one row per deal and delivery year, ``TIV delivery values`` exact per year).

Names: a trailing ``*`` marks a non-state actor, ``**`` an international organisation.

References
----------
SIPRI Arms Transfers Database, https://www.sipri.org/databases/armstransfers (c) SIPRI.
Sources and methods (the trend-indicator value, TIV):
https://www.sipri.org/databases/armstransfers/sources-and-methods
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload

from sim.errors import Problem, ValidationError
from sim.io._common import (
    ImportReport,
    YearRange,
    YearsArg,
    finish_report,
    read_data_text,
    year_range,
)
from sim.io.codes import country_codes, fold_name
from sim.world import Actor, SupplyTie, World

__all__ = [
    "KNOWN_NON_STATE",
    "SipriDeal",
    "SipriParty",
    "read_sipri",
    "read_sipri_records",
    "sipri_party",
    "sipri_to_ties",
    "world_from_sipri",
]

SOURCE = "SIPRI Arms Transfers Database"
_FIELDS_1 = 16
_MAX_JOINED_LINES = 5  # a record spread over more physical lines than this is malformed

#: Documented codes of the non-state actors the project models by name (folded SIPRI name ->
#: id, display name, headquarters). Older exports spell the Houthis "Huthi".
KNOWN_NON_STATE: dict[str, tuple[str, str, float, float]] = {
    "hezbollah (lebanon)": ("HEZ", "Hezbollah", 33.8959, 35.4784),
    "houthi rebels (yemen)": ("HOU", "Houthis (Ansar Allah)", 15.3539, 44.2059),
    "huthi rebels (yemen)": ("HOU", "Houthis (Ansar Allah)", 15.3539, 44.2059),
    "hamas (palestine)": ("HAM", "Hamas", 31.50, 34.47),
}
_UNKNOWN_PARTIES = ("unknown supplier(s)", "unknown recipient(s)", "unknown country")


@dataclass(frozen=True)
class SipriDeal:
    """One record of a trade register: a deal (classic) or a deal's delivery year (newer).

    Attributes
    ----------
    supplier, recipient : str
        SIPRI names as written (``*`` non-state, ``**`` organisation).
    order_year : int or None
    number_ordered, number_delivered : int or None
        Empty fields are None (SIPRI: "data not yet available" / "no deliveries").
    designation, description, status, comments : str
    delivery_years : tuple of int
        Years of delivery listed for the deal.
    tiv_unit, tiv_order, tiv_delivered : float or None
        Millions of TIV; `tiv_delivered` is the total over `delivery_years`.
    tiv_by_year : tuple of (int, float)
        Delivered TIV per year: the total split evenly over the listed years (classic
        export; an approximation) or the exact figure (per-delivery-year export).
    uncertain : frozenset of str
        Fields flagged ``?`` (or "estimate"), or years in brackets: ``"order_year"``,
        ``"number_ordered"``, ``"number_delivered"``, ``"delivery_years"``.
    line : int
        Line of the file where the record starts.
    deal_id : str
        SIPRI AT Database ID (newer export only).

    Examples
    --------
    >>> from sim.io.sipri import SipriDeal
    >>> deal = SipriDeal("Iran", "Russia", delivery_years=(2022, 2023), tiv_delivered=9.0)
    >>> deal.supplier, deal.delivery_years
    ('Iran', (2022, 2023))
    """

    supplier: str
    recipient: str
    order_year: int | None = None
    number_ordered: int | None = None
    designation: str = ""
    description: str = ""
    number_delivered: int | None = None
    delivery_years: tuple[int, ...] = ()
    status: str = ""
    comments: str = ""
    tiv_unit: float | None = None
    tiv_order: float | None = None
    tiv_delivered: float | None = None
    tiv_by_year: tuple[tuple[int, float], ...] = ()
    uncertain: frozenset[str] = field(default_factory=frozenset)
    line: int = 0
    deal_id: str = ""


@dataclass(frozen=True)
class SipriParty:
    """What a SIPRI name stands for.

    ``category`` is ``"state"``, ``"non_state"`` (``*``), ``"organisation"`` (``**``),
    ``"unknown_party"`` (SIPRI's "unknown supplier(s)") or ``"unmapped"`` (a state name the
    country-code table lacks); ``id`` is empty for the last three.

    Parameters
    ----------
    name : str
        The SIPRI name as written.
    category : str
        One of the categories above.
    id : str
        The actor id, or ``""``.
    display : str
        A readable name.
    lat, lon : float
        Where the actor is drawn.
    located : bool
        Whether `lat` and `lon` are known (else a placeholder).

    Examples
    --------
    >>> from sim.io.sipri import sipri_party
    >>> sipri_party("Houthi rebels (Yemen)*").id
    'HOU'
    """

    name: str
    category: str
    id: str = ""
    display: str = ""
    lat: float = 0.0
    lon: float = 0.0
    located: bool = True


def sipri_party(name: str, *, year: int | None = None) -> SipriParty:
    """Classify a SIPRI name and give its actor id.

    Non-state actors (``*``) the project knows get documented codes (:data:`KNOWN_NON_STATE`:
    ``HEZ``, ``HOU``, ``HAM``); any other gets a generated code ``"NS_"`` + the upper-cased
    words of its name (``"PKK (Turkiye)*"`` -> ``NS_PKK_TURKIYE``), placed at the capital of the
    country named in brackets or at the start of its name, else at 0, 0 (``located=False``).
    Any name starting with "unknown" (``unknown supplier(s)``, ``unknown rebel group*``) is an
    ``"unknown_party"``: its deals are skipped and counted, never placed.

    Parameters
    ----------
    name : str
        A supplier or recipient as SIPRI writes it.
    year : int, optional
        The year, for states whose code changed (the latest row without one).

    Returns
    -------
    SipriParty

    Examples
    --------
    >>> from sim.io.sipri import sipri_party
    >>> party = sipri_party("Hezbollah (Lebanon)*")
    >>> party.category, party.id, party.display
    ('non_state', 'HEZ', 'Hezbollah')
    >>> sipri_party("Iran").id, sipri_party("NATO**").category
    ('IRN', 'organisation')
    """
    codes = country_codes()
    raw = name.strip()
    if raw.endswith("**"):
        return SipriParty(raw, "organisation")
    if fold_name(raw).startswith("unknown"):  # "unknown rebel group*": no one to place
        return SipriParty(raw, "unknown_party")
    if raw.endswith("*"):
        base = raw.rstrip("*").strip()
        folded = fold_name(base)
        if folded in KNOWN_NON_STATE:
            aid, display, lat, lon = KNOWN_NON_STATE[folded]
            return SipriParty(raw, "non_state", aid, display, lat, lon)
        slug = "_".join(re.findall(r"[A-Za-z0-9]+", fold_name(base).upper()))
        where = _locate(base)
        lat, lon = (where.lat, where.lon) if where else (0.0, 0.0)
        return SipriParty(raw, "non_state", f"NS_{slug}", base, lat, lon, where is not None)
    if fold_name(raw) in _UNKNOWN_PARTIES:
        return SipriParty(raw, "unknown_party")
    row = codes.by_sipri_name(raw)
    if row is None:
        return SipriParty(raw, "unmapped")
    named = codes.by_id(row.id, year) if year is not None else row
    named = named or row
    return SipriParty(raw, "state", row.id, named.name, named.lat, named.lon)


def _locate(base: str):
    codes = country_codes()
    m = re.search(r"\(([^)]*)\)\s*$", base)
    if m:
        for part in re.split(r"[/,]", m.group(1)):
            row = codes.by_sipri_name(part)
            if row:
                return row
    words = base.split()
    for n in range(len(words), 0, -1):  # "Syria rebels" -> Syria, "Libya HoR" -> Libya
        row = codes.by_sipri_name(" ".join(words[:n]))
        if row:
            return row
    return None


# -- reading ----------------------------------------------------------------------------------


def read_sipri_records(path: str | Path, *, report: ImportReport | None = None) -> list[SipriDeal]:
    """Parse every record of a SIPRI trade-register export.

    Parameters
    ----------
    path : str or Path
        A classic trade register (16 columns) or a per-delivery-year export (17 columns).
    report : ImportReport, optional
        Gets the detected format and the number of records.

    Returns
    -------
    list of SipriDeal
        In file order.

    Raises
    ------
    ValidationError
        No header line, missing columns, or records that cannot be read (all listed).

    Notes
    -----
    The header is the first line naming both ``Recipient`` and ``Supplier`` (so the preamble
    may have any length). A record with fewer fields than the header (a raw line break inside
    *Comments*) is joined with the following line(s). ``?`` flags and bracketed years
    (``(2025)``, read as estimates) become ``SipriDeal.uncertain``.

    Examples
    --------
    Two invented deals in the layout of the trade register:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from sim.io import ImportReport
    >>> path = Path(tempfile.mkdtemp()) / "trade-register.csv"
    >>> _ = path.write_text(
    ...     "Recipient,Supplier,Year of order, ,Number ordered, ,Weapon designation,"
    ...     "Weapon description,Number delivered, ,Year(s) of delivery,status,Comments,SIPRI TIV "
    ...     "per unit,SIPRI TIV for total order,SIPRI TIV of delivered weapons\\n"
    ...     "Russia,Iran,2022,,100,?,Drone-A,one-way attack drone,90,,2022; 2023,New,,0.1,10,9\\n"
    ...     "Hezbollah (Lebanon)*,Iran,2023,,10,,ATGM-1,anti-tank missile,10,,2023,New,,"
    ...     "0.05,0.5,0.5\\n"
    ... )
    >>> from sim.io.sipri import read_sipri_records
    >>> report = ImportReport()
    >>> deal = read_sipri_records(path, report=report)[0]
    >>> deal.supplier, deal.recipient, deal.delivery_years, deal.tiv_delivered
    ('Iran', 'Russia', (2022, 2023), 9.0)
    >>> report.format, report.records
    ('sipri-trade-register', 2)
    """
    rep = report if report is not None else ImportReport()
    rep.source = str(path)
    text = read_data_text(path, rep)
    lines = [ln.removesuffix("\r") for ln in text.split("\n")]
    head = None
    for i, ln in enumerate(lines):
        low = ln.lower()
        if "recipient" in low and "supplier" in low:
            fields = [f.strip().lower() for f in _split(ln)]
            if "recipient" in fields and "supplier" in fields:
                head = i
                break
    if head is None:
        raise ValidationError(
            [
                Problem(
                    str(path),
                    "not a SIPRI trade register: no header line naming Recipient and Supplier",
                    lines[0][:120] if lines else "",
                    "a CSV export of the SIPRI Arms Transfers Database trade register",
                    "for COW or ATOP files use --cow / --atop",
                )
            ],
            what=str(path),
        )
    header = [f.strip().lower() for f in _split(lines[head])]
    cols = set(header)
    problems: list[Problem] = []
    if {"delivery year", "tiv delivery values"} <= cols:
        rep.format = "sipri-per-delivery-year"
        parse: _PerYear | _Classic = _PerYear(header, str(path))
    elif {"year(s) of delivery", "sipri tiv of delivered weapons"} <= cols:
        rep.format = "sipri-trade-register"
        parse = _Classic(header, str(path), head + 1)
    else:
        raise ValidationError(
            [
                Problem(
                    f"{path}:{head + 1}",
                    "SIPRI header lacks the delivery columns",
                    lines[head][:200],
                    "'Year(s) of delivery' and 'SIPRI TIV of delivered weapons' (trade "
                    "register) or 'Delivery year' and 'TIV delivery values' (per-year export)",
                )
            ],
            what=str(path),
        )
    records: list[SipriDeal] = []
    n = len(header)
    i = head + 1
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        start = i
        text_ = lines[i]
        fields = _split(text_)
        while len(fields) < n and i + 1 < len(lines) and i - start < _MAX_JOINED_LINES:
            i += 1
            # inside an open quote keep the line break; otherwise it was a stray break
            sep = "\n" if text_.count('"') % 2 else " "
            text_ = text_ + sep + lines[i]
            fields = _split(text_)
        i += 1
        if len(fields) != n:
            problems.append(
                Problem(
                    f"{path}:{start + 1}",
                    f"record has {len(fields)} fields",
                    text_[:80],
                    f"{n} fields, as in the header on line {head + 1}",
                )
            )
            continue
        rec = parse(fields, start + 1, problems)
        if rec is not None:
            records.append(rec)
    if problems:
        raise ValidationError(problems, what=str(path))
    rep.records = len(records)
    if report is None:
        finish_report(rep, report)
    return records


def _split(line: str) -> list[str]:
    return next(csv.reader([line]), [])


_YEAR = re.compile(r"^\(?\s*(\d{4})\s*\)?\s*(\?)?$")


def _year_list(text: str) -> tuple[tuple[int, ...], bool] | None:
    """``"2022; 2023?; (2025)"`` -> ((2022, 2023, 2025), uncertain); None if unreadable."""
    years, unsure = [], False
    for part in re.split(r"[;,]", text):
        part = part.strip()
        if not part:
            continue
        m = _YEAR.match(part)
        if not m:
            return None
        years.append(int(m.group(1)))
        unsure = unsure or "(" in part or m.group(2) is not None
    return tuple(years), unsure


@overload
def _number(text: str, kind: type[int]) -> tuple[int | None, bool]: ...
@overload
def _number(text: str, kind: type[float]) -> tuple[float | None, bool]: ...
def _number(text: str, kind: type) -> tuple[float | None, bool]:
    """A number field: (value or None, flagged uncertain). Raises ValueError when unreadable."""
    t = text.strip()
    unsure = False
    if t.endswith("?"):
        t, unsure = t[:-1].strip(), True
    if t.startswith("(") and t.endswith(")"):
        t, unsure = t[1:-1].strip(), True
    if not t:
        return None, unsure
    return (int(float(t)) if kind is int else float(t)), unsure


def _truthy(text: str) -> bool:
    return text.strip().lower() in ("yes", "y", "true", "1", "?", "estimate")


class _Classic:
    """Reads one 16-field record of the classic trade register."""

    def __init__(self, header: list[str], path: str, header_line: int):
        self.path = path
        idx: dict[str, int] = {}
        for name in (
            "recipient",
            "supplier",
            "year of order",
            "number ordered",
            "weapon designation",
            "weapon description",
            "number delivered",
            "year(s) of delivery",
            "status",
            "comments",
            "sipri tiv per unit",
            "sipri tiv for total order",
            "sipri tiv of delivered weapons",
        ):
            if name not in header:
                raise ValidationError(
                    [
                        Problem(
                            f"{path}:{header_line}",
                            f"trade-register header lacks column {name!r}",
                            ",".join(header)[:200],
                        )
                    ],
                    what=path,
                )
            idx[name] = header.index(name)
        self.idx = idx
        # the "?" flag columns are the unnamed ones right after these three
        self.flags = {}
        for name, key in (
            ("year of order", "order_year"),
            ("number ordered", "number_ordered"),
            ("number delivered", "number_delivered"),
        ):
            j = idx[name] + 1
            if j < len(header) and header[j] == "":
                self.flags[key] = j

    def __call__(self, f: list[str], line: int, problems: list[Problem]) -> SipriDeal | None:
        g = lambda name: f[self.idx[name]].strip()  # noqa: E731
        unsure = {key for key, j in self.flags.items() if "?" in f[j]}
        counts: dict[str, int | None] = {}
        amounts: dict[str, float | None] = {}
        ok = True
        for key, col, kind in (
            ("order_year", "year of order", int),
            ("number_ordered", "number ordered", int),
            ("number_delivered", "number delivered", int),
            ("tiv_unit", "sipri tiv per unit", float),
            ("tiv_order", "sipri tiv for total order", float),
            ("tiv_delivered", "sipri tiv of delivered weapons", float),
        ):
            try:
                if kind is int:
                    counts[key], flagged = _number(g(col), int)
                else:
                    amounts[key], flagged = _number(g(col), float)
            except ValueError:
                problems.append(
                    Problem(
                        f"{self.path}:{line} {col!r}",
                        "must be a number",
                        g(col),
                        "a number or empty",
                    )
                )
                ok = False
                continue
            if flagged:
                unsure.add(key)
        years = _year_list(g("year(s) of delivery"))
        if years is None:
            problems.append(
                Problem(
                    f"{self.path}:{line} 'Year(s) of delivery'",
                    "unreadable years",
                    g("year(s) of delivery"),
                    "years separated by ';', e.g. '2022; 2023; 2024'",
                )
            )
            return None
        if not ok:
            return None
        delivery_years, unsure_years = years
        if unsure_years:
            unsure.add("delivery_years")
        tiv = amounts["tiv_delivered"]
        by_year: tuple[tuple[int, float], ...] = ()
        if tiv is not None and delivery_years:
            share = float(tiv) / len(delivery_years)
            by_year = tuple((y, share) for y in delivery_years)
        return SipriDeal(
            supplier=g("supplier"),
            recipient=g("recipient"),
            order_year=counts["order_year"],
            number_ordered=counts["number_ordered"],
            designation=g("weapon designation"),
            description=g("weapon description"),
            number_delivered=counts["number_delivered"],
            delivery_years=delivery_years,
            status=g("status"),
            comments=g("comments"),
            tiv_unit=amounts["tiv_unit"],
            tiv_order=amounts["tiv_order"],
            tiv_delivered=tiv,
            tiv_by_year=by_year,
            uncertain=frozenset(unsure),
            line=line,
        )


class _PerYear:
    """Reads one row of the per-delivery-year export."""

    def __init__(self, header: list[str], path: str):
        self.path = path
        self.idx = {name: j for j, name in enumerate(header)}

    def _get(self, f: list[str], name: str) -> str:
        j = self.idx.get(name)
        return f[j].strip() if j is not None else ""

    def __call__(self, f: list[str], line: int, problems: list[Problem]) -> SipriDeal | None:
        g = lambda name: self._get(f, name)  # noqa: E731
        unsure = set()
        for flag, key in (
            ("order date is estimate", "order_year"),
            ("numbers delivered is estimate", "number_delivered"),
            ("delivery year is estimate", "delivery_years"),
        ):
            if _truthy(g(flag)):
                unsure.add(key)
        try:
            m = re.search(r"\d{4}", g("order date"))
            order_year = int(m.group(0)) if m else None
            delivered, f1 = _number(g("numbers delivered"), int)
            year, f2 = _number(g("delivery year"), int)
            tiv, f3 = _number(g("tiv delivery values"), float)
            unit, _ = _number(g("tiv deal unit"), float)
        except ValueError:
            problems.append(
                Problem(
                    f"{self.path}:{line}",
                    "unreadable number in Numbers delivered, Delivery year or TIV columns",
                    ",".join(f)[:120],
                )
            )
            return None
        if f1:
            unsure.add("number_delivered")
        if f2:
            unsure.add("delivery_years")
        years = (int(year),) if year is not None else ()
        by_year = ((years[0], float(tiv)),) if years and tiv is not None else ()
        return SipriDeal(
            supplier=g("supplier"),
            recipient=g("recipient"),
            order_year=order_year,
            designation=g("designation"),
            description=g("description"),
            number_delivered=delivered,
            delivery_years=years,
            status=g("status"),
            tiv_unit=unit,
            tiv_delivered=tiv,
            tiv_by_year=by_year,
            uncertain=frozenset(unsure | ({"tiv"} if f3 else set())),
            line=line,
            deal_id=g("sipri at database id"),
        )


# -- ties and worlds --------------------------------------------------------------------------


def sipri_to_ties(
    records: Iterable[SipriDeal],
    *,
    years: YearsArg | YearRange = None,
    report: ImportReport | None = None,
    source: str = SOURCE,
) -> tuple[list[SupplyTie], dict[str, SipriParty]]:
    """Aggregate deals into one ``arms`` supply tie per (supplier, recipient).

    Parameters
    ----------
    records : iterable of SipriDeal
    years : optional
        ``(first, last)``, ``"2020-2024"`` or a year; None: the span of all delivery years.
    report : ImportReport, optional
        Gets skipped records (organisations, unknown parties, unmapped names).
    source : str
        The tie source text.

    Returns
    -------
    ties : list of SupplyTie
        Sorted by (supplier, recipient).
    parties : dict
        Actor id -> :class:`SipriParty` for every actor a tie names.

    Notes
    -----
    ``volume`` is the delivered TIV (millions) falling in the range, per month of the range
    (commodity ``arms``, unit "SIPRI TIV (millions) per month"). A pair gets a tie when it has
    a delivery year in the range, even of TIV 0 (SIPRI: 0 means under 0.5 million).
    ``since`` is 1 January of the earliest order year among the pair's deals delivering in the
    range; ``verified`` is False when any of them carries a ``?`` flag or estimate.
    Deals with an organisation (``**``) or "unknown supplier(s)/recipient(s)" are skipped and
    counted, as are names missing from the country-code table (listed in the report).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sim.io import ImportReport
    >>> path = Path(tempfile.mkdtemp()) / "trade-register.csv"
    >>> _ = path.write_text(
    ...     "Recipient,Supplier,Year of order, ,Number ordered, ,Weapon designation,"
    ...     "Weapon description,Number delivered, ,Year(s) of delivery,status,Comments,SIPRI TIV "
    ...     "per unit,SIPRI TIV for total order,SIPRI TIV of delivered weapons\\n"
    ...     "Russia,Iran,2022,,100,?,Drone-A,one-way attack drone,90,,2022; 2023,New,,0.1,10,9\\n"
    ...     "Hezbollah (Lebanon)*,Iran,2023,,10,,ATGM-1,anti-tank missile,10,,2023,New,,"
    ...     "0.05,0.5,0.5\\n"
    ... )
    >>> from sim.io.sipri import read_sipri_records, sipri_to_ties
    >>> records = read_sipri_records(path, report=ImportReport())
    >>> ties, parties = sipri_to_ties(records, years=(2022, 2023), report=ImportReport())
    >>> [(t.supplier, t.recipient, round(t.volume, 4)) for t in ties]
    [('IRN', 'HEZ', 0.0208), ('IRN', 'RUS', 0.375)]
    >>> parties["HEZ"].category, parties["HEZ"].display
    ('non_state', 'Hezbollah')
    """
    rep = report if report is not None else ImportReport()
    records = list(records)
    yr = effective_years(records, years, where=rep.source or "records")
    assert yr.first is not None and yr.last is not None  # effective_years closes the range
    months = 12 * (yr.last - yr.first + 1)
    name_year = yr.last
    cache: dict[str, SipriParty] = {}

    def party(name: str) -> SipriParty:
        if name not in cache:
            cache[name] = sipri_party(name, year=name_year)
        return cache[name]

    agg: dict[tuple[str, str], dict] = {}
    parties: dict[str, SipriParty] = {}
    for r in records:
        in_range = [(y, t) for y, t in r.tiv_by_year if y in yr]
        if not in_range and not any(y in yr for y in r.delivery_years):
            continue
        s, t = party(r.supplier), party(r.recipient)
        skip = False
        for p in (s, t):
            rep.count_name(p.category, p.name)
            if p.category == "organisation":
                rep.skipped["deal with an international organisation (**)"] += 1
                skip = True
            elif p.category == "unknown_party":
                rep.skipped["deal with an unknown supplier or recipient"] += 1
                skip = True
            elif p.category == "unmapped":
                rep.skipped["deal with a name missing from the country-code table"] += 1
                rep.warn(f"SIPRI name {p.name!r} is not in the country-code table; deals skipped")
                skip = True
            elif p.category == "non_state" and not p.located:
                rep.warn(f"non-state actor {p.name!r} could not be placed; put at 0, 0")
        if skip:
            continue
        if s.id == t.id:
            rep.skipped["supplier and recipient map to the same actor"] += 1
            continue
        slot = agg.setdefault(
            (s.id, t.id), {"tiv": 0.0, "deals": 0, "unsure": 0, "orders": [], "first": None}
        )
        slot["tiv"] += sum(x for _, x in in_range)
        slot["deals"] += 1
        slot["unsure"] += bool(r.uncertain)
        first_delivery = min(y for y in r.delivery_years if y in yr)
        slot["orders"].append(r.order_year if r.order_year is not None else first_delivery)
        parties[s.id], parties[t.id] = s, t
    ties = []
    for (sid, rid), slot in sorted(agg.items()):
        note = (
            f"{slot['deals']} deal(s) delivering in {yr.label}, {slot['tiv']:.2f} million TIV "
            f"(split evenly over listed delivery years where the export gives a total)"
        )
        if slot["unsure"]:
            note += f"; {slot['unsure']} deal(s) with '?' flags or estimates"
        ties.append(
            SupplyTie(
                supplier=sid,
                recipient=rid,
                commodity="arms",
                volume=slot["tiv"] / months,
                since=dt.date(min(slot["orders"]), 1, 1),
                source=source,
                verified=slot["unsure"] == 0,
                note=note,
            )
        )
    return ties, parties


def read_sipri(
    path: str | Path,
    *,
    year: int | None = None,
    years: YearsArg = None,
    report: ImportReport | None = None,
) -> list[SupplyTie]:
    """Read a SIPRI trade-register export into ``arms`` supply ties for a year or range.

    See :func:`read_sipri_records` for parsing and :func:`sipri_to_ties` for aggregation.

    Parameters
    ----------
    path : str or pathlib.Path
        A SIPRI export (see :func:`read_sipri_records`).
    year, years : optional
        One year, or a range ``(first, last)`` / ``"2020-2024"``; by default the span of all
        delivery years.
    report : ImportReport, optional
        Gets the format, the records and everything skipped.

    Returns
    -------
    list of sim.world.SupplyTie
        One ``arms`` tie per (supplier, recipient), its volume the mean TIV delivered per month.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sim.io import ImportReport
    >>> path = Path(tempfile.mkdtemp()) / "trade-register.csv"
    >>> _ = path.write_text(
    ...     "Recipient,Supplier,Year of order, ,Number ordered, ,Weapon designation,"
    ...     "Weapon description,Number delivered, ,Year(s) of delivery,status,Comments,SIPRI TIV "
    ...     "per unit,SIPRI TIV for total order,SIPRI TIV of delivered weapons\\n"
    ...     "Russia,Iran,2022,,100,?,Drone-A,one-way attack drone,90,,2022; 2023,New,,0.1,10,9\\n"
    ...     "Hezbollah (Lebanon)*,Iran,2023,,10,,ATGM-1,anti-tank missile,10,,2023,New,,"
    ...     "0.05,0.5,0.5\\n"
    ... )
    >>> from sim.io.sipri import read_sipri
    >>> ties = read_sipri(path, years=(2022, 2023), report=ImportReport())
    >>> [(t.supplier, t.recipient, round(t.volume, 4)) for t in ties]  # TIV million per month
    [('IRN', 'HEZ', 0.0208), ('IRN', 'RUS', 0.375)]
    """
    rep = report if report is not None else ImportReport()
    records = read_sipri_records(path, report=rep)
    ties, _ = sipri_to_ties(
        records, years=year_range(year, years), report=rep, source=_source(path)
    )
    _check_some(ties, path, year_range(year, years))
    finish_report(rep, report)
    return ties


def world_from_sipri(
    path: str | Path,
    *,
    year: int | None = None,
    years: YearsArg = None,
    report: ImportReport | None = None,
) -> World:
    """A :class:`World` of the arms supply ties in a SIPRI export (see :func:`read_sipri`).

    States are named and placed from the country-code table for the last year of the range;
    non-state actors (``*``) get ``kind="non_state"``. Bloc, capability and stability keep the
    :class:`~sim.world.Actor` defaults.

    Parameters
    ----------
    path, year, years, report
        As in :func:`read_sipri`.

    Returns
    -------
    sim.world.World

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sim.io import ImportReport
    >>> path = Path(tempfile.mkdtemp()) / "trade-register.csv"
    >>> _ = path.write_text(
    ...     "Recipient,Supplier,Year of order, ,Number ordered, ,Weapon designation,"
    ...     "Weapon description,Number delivered, ,Year(s) of delivery,status,Comments,SIPRI TIV "
    ...     "per unit,SIPRI TIV for total order,SIPRI TIV of delivered weapons\\n"
    ...     "Russia,Iran,2022,,100,?,Drone-A,one-way attack drone,90,,2022; 2023,New,,0.1,10,9\\n"
    ...     "Hezbollah (Lebanon)*,Iran,2023,,10,,ATGM-1,anti-tank missile,10,,2023,New,,"
    ...     "0.05,0.5,0.5\\n"
    ... )
    >>> from sim.io.sipri import world_from_sipri
    >>> world = world_from_sipri(path, years=(2022, 2023), report=ImportReport())
    >>> [(a.id, a.kind) for a in world.actors]
    [('HEZ', 'non_state'), ('IRN', 'state'), ('RUS', 'state')]
    """
    rep = report if report is not None else ImportReport()
    records = read_sipri_records(path, report=rep)
    yr = year_range(year, years)
    yr = effective_years(records, yr, where=str(path))
    ties, parties = sipri_to_ties(records, years=yr, report=rep, source=_source(path))
    _check_some(ties, path, yr)
    actors = [
        Actor(
            id=p.id,
            name=p.display or p.name,
            kind="non_state" if p.category == "non_state" else "state",
            lat=p.lat,
            lon=p.lon,
            note=f"SIPRI name {p.name!r}",
        )
        for _, p in sorted(parties.items())
    ]
    finish_report(rep, report)
    return World(
        actors=tuple(actors),
        ties=tuple(ties),
        name=f"sipri-{yr.label}",
        description=(
            f"Arms transfers delivered in {yr.label}, from the {SOURCE} ({Path(path).name}); "
            "Source: SIPRI Arms Transfers Database (c) SIPRI"
        ),
        as_of=dt.date(yr.last, 12, 31) if yr.last is not None else None,
    )


def effective_years(
    records: Sequence[SipriDeal], years: YearsArg | YearRange, *, where: str
) -> YearRange:
    """The chosen year range, or the span of all delivery years in `records` when open."""
    yr = years if isinstance(years, YearRange) else year_range(years=years)
    if yr.first is not None and yr.last is not None:
        return yr
    all_years = [y for r in records for y in r.delivery_years]
    if not all_years:
        raise ValidationError([Problem(where, "no deliveries in the file")], what=where)
    return YearRange(
        yr.first if yr.first is not None else min(all_years),
        yr.last if yr.last is not None else max(all_years),
    )


def _source(path: str | Path) -> str:
    return f"{SOURCE}, trade register ({Path(path).name})"


def _check_some(ties: Sequence[SupplyTie], path, yr: YearRange) -> None:
    if not ties:
        raise ValidationError(
            [
                Problem(
                    str(path),
                    f"no deliveries between states or non-state actors in {yr.label}",
                    yr.label,
                    "years with deliveries in this export",
                )
            ],
            what=str(path),
        )
