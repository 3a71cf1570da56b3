"""Human labels and units for outcome names, in one place for figures, tables and reports.

``delivered:IRN->HEZ`` reads "Iran → Hezbollah deliveries" in "USD million per month" (every
commodity valued at its price, :mod:`sim.commodities`). Outcome titles and units are kept by the
outcome registry (:mod:`sim.outcomes`); :func:`outcome_label` is the public name for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, overload

from sim.outcomes import OutcomeLabel
from sim.outcomes import outcome_label as _outcome_label

__all__ = ["OutcomeLabel", "month_dates", "outcome_label", "shock_label"]


def outcome_label(outcome: str, *, names: Mapping[str, str] | None = None) -> OutcomeLabel:
    """The title and unit of an outcome.

    Parameters
    ----------
    outcome : str
        ``kind:argument`` (``fulfilment:axis``, ``strength:RUS-IRN``, ``delivered:IRN->HEZ``,
        ``delivered:IRN->HEZ:arms``, ``capability:HEZ``) or ``collapses``.
    names : mapping, optional
        Actor ids to full names (``{"IRN": "Iran"}``); ids are shown otherwise.

    Returns
    -------
    OutcomeLabel
        An unknown kind keeps its name as title, with no unit (the registry,
        :data:`sim.outcomes.OUTCOME_KINDS`, holds every kind's title and unit).

    Examples
    --------
    >>> outcome_label("delivered:IRN->HEZ:arms").axis()
    'IRN → HEZ deliveries of arms (SIPRI TIV (millions) per month)'
    >>> outcome_label("fulfilment:axis").title
    'axis bloc: need fulfilment'
    >>> outcome_label("delivered:IRN->HEZ", names={"IRN": "Iran", "HEZ": "Hezbollah"}).title
    'Iran → Hezbollah deliveries'
    """
    return _outcome_label(outcome, names=names)


@overload
def month_dates(as_of: dt.date | str, months: Iterable[float]) -> list[dt.date]: ...
@overload
def month_dates(as_of: None, months: Iterable[float]) -> None: ...
@overload
def month_dates(as_of: dt.date | str | None, months: Iterable[float]) -> list[dt.date] | None: ...
def month_dates(as_of: dt.date | str | None, months: Iterable[float]) -> list[dt.date] | None:
    """The calendar date of each month of a run: month 0 is the world's `as_of`.

    Parameters
    ----------
    as_of : datetime.date or ISO string, optional
        The world's snapshot date; without one there are no dates (``None``).
    months : iterable of int
        Months from the start.

    Returns
    -------
    list of datetime.date or None
        The same day of the month `t` months later (clipped to the month's last day).

    Examples
    --------
    >>> month_dates("2024-11-30", [0, 3])
    [datetime.date(2024, 11, 30), datetime.date(2025, 2, 28)]
    """
    if as_of is None:
        return None
    start = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    out = []
    for t in months:
        m = start.month - 1 + int(t)
        year, month = start.year + m // 12, m % 12 + 1
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        last = (nxt - dt.timedelta(days=1)).day
        out.append(dt.date(year, month, min(start.day, last)))
    return out


def shock_label(record: Any) -> str:
    """A short label for a shock line: ``"remove state: SYR"``, ``"block transit: Caspian"``.

    Parameters
    ----------
    record : mapping or shock
        A shock's record as stored in a results manifest (``type``, ``target``...), or a
        shock object of :mod:`sim.shocks`.

    Returns
    -------
    str
        The shock's kind in words, then its target (a tie as ``A→B``; a count or share when it
        has no target); a restore names the shock it undoes.

    Examples
    --------
    >>> shock_label({"type": "cut_tie", "target": ["IRN", "HEZ"], "at": 3})
    'cut tie: IRN→HEZ'
    """
    if not isinstance(record, dict):
        import re

        kind = re.sub(r"(?<!^)(?=[A-Z])", "_", type(record).__name__).lower()
        record = {"type": kind, **{k: v for k, v in vars(record).items()}}
    kind = str(record.get("type", "shock")).replace("_", " ")
    target = record.get("target")
    if target is None:
        for key in ("k", "fraction"):
            if record.get(key) is not None:
                target = f"{key} = {record[key]}"
                break
    if isinstance(target, list | tuple):
        target = "→".join(map(str, target))
    if kind == "restore" and record.get("shock") is not None:
        target = shock_label(record["shock"])
    return f"{kind}: {target}" if target is not None else kind
