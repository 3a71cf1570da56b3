"""The validation kit: one problem collector, one TOML key locator, one set of value checks.

Every input reader of alliance-sim (worlds, scenarios, their ``[uncertainty]`` tables, shocks)
reports every problem at once, each located as ``file:line key.path`` with the bad value, what
is allowed and a suggestion. They all take their pieces from here:

- :class:`Collector` gathers :class:`~sim.errors.Problem` records and locates key paths in the
  file's text (:func:`key_lines`);
- the value checks (:func:`number_problem`, :func:`integer_problem`, :func:`choice_problem`,
  :func:`string_problem`) return a problem or ``None``, so a collector can gather them and a
  frozen dataclass can raise them; the same rule thus gives the same message wherever it is
  caught.

Examples
--------
>>> c = Collector("w.toml", "[[states]]\\nid = 'AAA'\\nlat = 91\\n")
>>> c.number(c.at("states[0].lat"), 91, lo=-90, hi=90, allowed="-90..90")
False
>>> print(c.problems[0])
w.toml:3 states[0].lat: is out of range; got 91; allowed: -90..90
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable
from typing import TypeGuard

from sim.errors import Problem, suggest

__all__ = [
    "Collector",
    "choice_problem",
    "integer_problem",
    "is_finite_number",
    "is_int",
    "is_number",
    "key_lines",
    "number_problem",
    "string_problem",
]


# -- scalar predicates --------------------------------------------------------------------------


def is_number(x: object) -> TypeGuard[int | float]:
    """Whether `x` is an int or a float (a bool is not a number here).

    Parameters
    ----------
    x : object
        Any value, as read from a TOML or JSON file.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_number(2.5), is_number(True), is_number("3")
    (True, False, False)
    """
    return isinstance(x, int | float) and not isinstance(x, bool)


def is_finite_number(x: object) -> bool:
    """Whether `x` is a number (:func:`is_number`) and finite (not NaN, not infinite).

    Parameters
    ----------
    x : object
        Any value, as read from a TOML or JSON file.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_finite_number(0.5), is_finite_number(float("nan")), is_finite_number(float("inf"))
    (True, False, False)
    """
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def is_int(x: object) -> TypeGuard[int]:
    """Whether `x` is an int (not a bool).

    Parameters
    ----------
    x : object
        Any value, as read from a TOML or JSON file.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_int(3), is_int(3.0), is_int(False)
    (True, False, False)
    """
    return isinstance(x, int) and not isinstance(x, bool)


# -- value checks: a Problem or None --------------------------------------------------------------


def number_problem(
    where: str,
    value: object,
    *,
    lo: float = -math.inf,
    hi: float = math.inf,
    allowed: str,
    lo_open: bool = False,
    hi_open: bool = False,
    message: str = "is out of range",
    type_message: str = "must be a number",
) -> Problem | None:
    """A finite number in ``[lo, hi]`` (``(lo, ...`` with `lo_open`, ``..., hi)`` with `hi_open`).

    Not a number gives `type_message`; NaN, an infinity, a TOML integer too large for a float,
    or a value outside the interval gives `message`.

    Parameters
    ----------
    where : str
        Where the value is, ``file:line key.path`` (see :meth:`Collector.at`).
    value : object
        The value read.
    lo, hi : float
        The bounds, included unless `lo_open` / `hi_open`.
    allowed : str
        What is allowed, in words, for the message (``"0..1"``).
    lo_open, hi_open : bool
        Exclude the bound itself.
    message : str
        The message when the value is a number but not a finite one in range.
    type_message : str
        The message when the value is not a number at all.

    Returns
    -------
    Problem or None
        ``None`` when the value passes.

    Examples
    --------
    >>> print(number_problem("w.toml:4 alpha", 1.5, lo=0, hi=1, allowed="0..1"))
    w.toml:4 alpha: is out of range; got 1.5; allowed: 0..1
    >>> print(number_problem("w.toml:4 alpha", 0.5, lo=0, hi=1, allowed="0..1"))
    None
    >>> print(number_problem("w.toml:4 alpha", 0, lo=0, lo_open=True, allowed="> 0"))
    w.toml:4 alpha: is out of range; got 0; allowed: > 0
    """
    if type(value) is float and lo < value < hi:  # the common case, fast (NaN fails it)
        return None
    if not is_number(value):
        return Problem(where, type_message, value, allowed)
    try:
        x = float(value)
    except OverflowError:  # TOML integers are unbounded; 10**400 has no float
        return Problem(where, message, value, allowed)
    if not math.isfinite(x) or x < lo or x > hi or (lo_open and x == lo) or (hi_open and x == hi):
        return Problem(where, message, value, allowed)
    return None


def integer_problem(
    where: str,
    value: object,
    *,
    lo: int | None = None,
    hi: int | None = None,
    allowed: str,
    message: str = "must be an integer",
) -> Problem | None:
    """An integer (not a bool) in ``[lo, hi]``; any failure gives `message`.

    Parameters
    ----------
    where : str
        Where the value is, ``file:line key.path`` (see :meth:`Collector.at`).
    value : object
        The value read.
    lo, hi : int, optional
        The bounds, both included; ``None`` for no bound.
    allowed : str
        What is allowed, in words, for the message.
    message : str
        The message of any failure.

    Returns
    -------
    Problem or None
        ``None`` when the value passes.

    Examples
    --------
    >>> print(integer_problem("s.toml:2 replicates", 2.5, lo=1, allowed="an integer >= 1"))
    s.toml:2 replicates: must be an integer; got 2.5; allowed: an integer >= 1
    >>> print(integer_problem("s.toml:2 replicates", 4, lo=1, allowed="an integer >= 1"))
    None
    """
    if not is_int(value) or (lo is not None and value < lo) or (hi is not None and value > hi):
        return Problem(where, message, value, allowed)
    return None


def choice_problem(
    where: str,
    value: object,
    choices: Collection[object],
    *,
    message: str,
    allowed: str | None = None,
    sep: str = ", ",
    optional: bool = False,
) -> Problem | None:
    """One of `choices` (``None`` too if `optional`), with "did you mean" for a near miss.

    Safe for unhashable values (a list where a name was expected is reported, not raised).

    Parameters
    ----------
    where : str
        Where the value is, ``file:line key.path`` (see :meth:`Collector.at`).
    value : object
        The value read.
    choices : collection
        The values allowed.
    message : str
        The message when the value is not one of them.
    allowed : str, optional
        What is allowed, in words (default: the string choices joined by `sep`).
    sep : str
        Separator of the choices listed in the message.
    optional : bool
        Accept ``None`` too.

    Returns
    -------
    Problem or None
        ``None`` when the value passes; else the problem, with a suggestion for a near miss.

    Examples
    --------
    >>> print(choice_problem("s.toml:3 executor", "seral", ["serial", "process"], message="?"))
    s.toml:3 executor: ?; got 'seral'; allowed: serial, process (did you mean 'serial'?)
    >>> print(choice_problem("s.toml:3 executor", None, ["serial"], message="?", optional=True))
    None
    """
    if type(value) is str and value in choices:  # the common case, fast
        return None
    choices = tuple(choices)
    if optional and value is None:
        return None
    if isinstance(value, str | int | float | bool) and value in choices:
        return None
    names = [x for x in choices if isinstance(x, str)]
    shown = allowed if allowed is not None else sep.join(map(str, names))
    return Problem(where, message, value, shown, suggest(value, names))


def string_problem(
    where: str, value: object, *, allowed: str = "", nonempty: bool = True
) -> Problem | None:
    """A string (non-blank if `nonempty`).

    Parameters
    ----------
    where : str
        Where the value is, ``file:line key.path`` (see :meth:`Collector.at`).
    value : object
        The value read.
    allowed : str
        What is allowed, in words, for the message.
    nonempty : bool
        Reject an empty or blank string.

    Returns
    -------
    Problem or None
        ``None`` when the value passes.

    Examples
    --------
    >>> print(string_problem("w.toml:5 states[0].id", "  "))
    w.toml:5 states[0].id: must be a non-empty string; got '  '
    >>> print(string_problem("w.toml:5 states[0].id", "SYR"))
    None
    """
    if type(value) is str and (not nonempty or value.strip()):  # the common case, fast
        return None
    if not isinstance(value, str) or (nonempty and not value.strip()):
        message = "must be a non-empty string" if nonempty else "must be a string"
        return Problem(where, message, value, allowed)
    return None


# -- locating keys in TOML text -------------------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r'^\s*(?:"([^"]+)"|([A-Za-z0-9_\-]+))\s*=')


def key_lines(text: str) -> dict[str, int]:
    """Line of every table header and ``key =`` line, by key path.

    Arrays of tables are numbered (``shocks[1]``, ``shocks[1].target``); a quoted key keeps
    its quotes (``uncertainty."params.threat_weight"``). The first line wins.

    Parameters
    ----------
    text : str
        A TOML file's text.

    Returns
    -------
    dict of str to int
        1-based line number by key path.

    Examples
    --------
    >>> key_lines('[scenario]\\nname = "x"\\n[[shocks]]\\nat = 1\\n[u]\\n"a.b" = 2\\n')
    {'scenario': 1, 'scenario.name': 2, 'shocks[0]': 3, 'shocks[0].at': 4, 'u': 5, 'u."a.b"': 6}
    """
    lines: dict[str, int] = {}
    counts: dict[str, int] = {}
    table = ""
    for n, line in enumerate(text.splitlines(), start=1):
        m = _HEADER.match(line)
        if m:
            name = m.group(2).replace(" ", "")
            if m.group(1) == "[[":
                i = counts.get(name, 0)
                counts[name] = i + 1
                table = f"{name}[{i}]"
            else:
                table = name
            lines.setdefault(table, n)
            continue
        m = _KEY.match(line)
        if m:
            key = m.group(2) or f'"{m.group(1)}"'
            lines.setdefault(f"{table}.{key}" if table else key, n)
    return lines


# -- the collector --------------------------------------------------------------------------------


class Collector:
    """Collects problems located as ``file:line key.path``.

    Parameters
    ----------
    origin : str
        The file name used in messages.
    text : str
        The file's text ("" when there is none: locations then carry no line).
    by_table : bool
        Give the line of the enclosing array-of-tables entry (``[[ties]]``) rather than of the
        key itself (a world file names its problems by the table they are in).

    Examples
    --------
    >>> c = Collector("s.toml", '[run]\\nname = "x"\\nhorizon = 12\\n')
    >>> c.at("run.horizon"), c.at("run.colour")  # an absent key: its table's line
    ('s.toml:3 run.horizon', 's.toml:1 run.colour')
    >>> c.unknown_keys("run", ["name", "horizn"], ["name", "horizon"])
    >>> print(c.problems[0])
    s.toml:1 run.horizn: unknown key; got 'horizn'; allowed: name, horizon (did you mean 'horizon'?)
    """

    def __init__(self, origin: str, text: str = "", *, by_table: bool = False):
        self.origin = origin
        self.problems: list[Problem] = []
        self.lines = key_lines(text) if text else {}
        self.by_table = by_table

    def at(self, path: str) -> str:
        """``file:line path``, the line of the nearest enclosing key that has one."""
        probe = path
        if self.by_table:
            m = re.match(r"^[^\[]*\[\d+\]", path)
            probe = m.group(0) if m else path
        while probe:
            if probe in self.lines:
                return f"{self.origin}:{self.lines[probe]} {path}"
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return f"{self.origin} {path}"

    def add(
        self,
        where: str,
        message: str,
        value: object = None,
        allowed: str = "",
        suggestion: str = "",
    ) -> None:
        """Record one problem."""
        self.problems.append(Problem(where, message, value, allowed, suggestion))

    def extend(self, problems: Iterable[Problem | None]) -> bool:
        """Record every problem that is not ``None``; whether there was none."""
        found = [p for p in problems if p is not None]
        self.problems.extend(found)
        return not found

    # Each check records its problem and returns whether the value passed.

    def number(self, where: str, value: object, **kw) -> bool:
        """See :func:`number_problem`."""
        return self.extend([number_problem(where, value, **kw)])

    def integer(self, where: str, value: object, **kw) -> bool:
        """See :func:`integer_problem`."""
        return self.extend([integer_problem(where, value, **kw)])

    def choice(self, where: str, value: object, choices: Collection[object], **kw) -> bool:
        """See :func:`choice_problem`."""
        return self.extend([choice_problem(where, value, choices, **kw)])

    def string(self, where: str, value: object, **kw) -> bool:
        """See :func:`string_problem`."""
        return self.extend([string_problem(where, value, **kw)])

    def unknown_keys(self, path: str, entry: Iterable[str], allowed: Iterable[str]) -> None:
        """One problem per key of `entry` that is not `allowed` (at ``path.key``)."""
        allowed = list(allowed)
        for key in entry:
            if key not in allowed:
                self.add(
                    self.at(f"{path}.{key}"),
                    "unknown key",
                    key,
                    ", ".join(allowed),
                    suggest(key, allowed),
                )
