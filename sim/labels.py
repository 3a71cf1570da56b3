"""Human labels and units for outcome names, in one place for figures, tables and reports.

``delivered:IRN->HEZ`` reads "Iran → Hezbollah deliveries" in "USD million per month" (every
commodity valued at its price, :mod:`sim.commodities`); a later outcome registry can take over
:func:`outcome_label` whole.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["OutcomeLabel", "month_dates", "outcome_label", "shock_label"]


@dataclass(frozen=True)
class OutcomeLabel:
    """What an outcome measures, for a reader.

    Attributes
    ----------
    outcome : str
        The outcome's name as in results (``"delivered:IRN->HEZ"``).
    title : str
        A short title (``"Iran → Hezbollah deliveries"``).
    unit : str
        Its unit or scale (``"share, 0–1"``), ``""`` when it has none.
    """

    outcome: str
    title: str
    unit: str

    def axis(self, *, wrap: int | None = None) -> str:
        """``"title (unit)"``, wrapped to `wrap` characters a line when given."""
        text = f"{self.title} ({self.unit})" if self.unit else self.title
        if wrap is None:
            return text
        return "\n".join(textwrap.wrap(text, wrap, break_on_hyphens=False)) or text


# kind -> (title template, unit); {a}, {b} are actor or bloc names, {c} a commodity
_KINDS: dict[str, tuple[str, str]] = {
    "alive": ("{a}: actors alive", "count"),
    "fulfilment": ("{a}: need fulfilment", "share of needs delivered, 0–1"),
    "cohesion": ("{a}: cohesion", "share of the initial partnership strength kept, 0–1"),
    "mean_strength": ("{a}: mean partnership strength", "0–1"),
    "giant": ("{a}: largest connected share", "giant-component fraction, 0–1"),
    "collapses": ("Collapsed actors", "count, cumulative"),
    "strength": ("{a}–{b} partnership strength", "0–1"),
    "delivered": ("{a} → {b} deliveries", "USD million per month"),
    "capability": ("{a}: capability", "0–1"),
}


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
        An unknown kind keeps its name as title, with no unit.

    Examples
    --------
    >>> outcome_label("delivered:IRN->HEZ:arms").axis()
    'IRN → HEZ deliveries of arms (SIPRI TIV (millions) per month)'
    >>> outcome_label("fulfilment:axis").title
    'axis bloc: need fulfilment'
    >>> outcome_label("delivered:IRN->HEZ", names={"IRN": "Iran", "HEZ": "Hezbollah"}).title
    'Iran → Hezbollah deliveries'
    """
    kind, _, arg = outcome.partition(":")
    if kind not in _KINDS:
        return OutcomeLabel(outcome, outcome, "")
    template, unit = _KINDS[kind]

    def name(x: str) -> str:
        return (names or {}).get(x, x)

    if kind == "delivered":
        ends, _, commodity = arg.partition(":")
        a, _, b = ends.partition("->")
        title = template.format(a=name(a), b=name(b))
        if commodity:
            from sim.world import COMMODITIES

            title += f" of {commodity.replace('_', '-')}"
            unit = COMMODITIES.get(commodity, "volume per month")
        return OutcomeLabel(outcome, title, unit)
    if kind == "strength":
        a, _, b = arg.partition("-")
        return OutcomeLabel(outcome, template.format(a=name(a), b=name(b)), unit)
    if kind in ("capability",):
        return OutcomeLabel(outcome, template.format(a=name(arg)), unit)
    if kind == "collapses":
        return OutcomeLabel(outcome, template, unit)
    return OutcomeLabel(outcome, template.format(a=f"{arg} bloc"), unit)


def month_dates(as_of: dt.date | str | None, months: Any) -> list[dt.date] | None:
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
