"""The exception hierarchy of alliance-sim, and the problem records that validation collects."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "Problem",
    "ShockError",
    "SimError",
    "UnknownNameError",
    "ValidationError",
    "suggest",
]


class SimError(Exception):
    """Base class of every error alliance-sim raises on purpose.

    Examples
    --------
    Catch every deliberate error of the package at once:

    >>> from sim.errors import SimError
    >>> from sim.worlds import load_world
    >>> try:
    ...     load_world("axis-2042")
    ... except SimError as err:
    ...     print(type(err).__name__)
    UnknownNameError
    """


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely enough to fix it.

    Attributes
    ----------
    where : str
        File and line or key path, e.g. ``"my.toml:42 ties[3].strength"``.
    message : str
        What is wrong, in a sentence.
    value : object
        The offending value (``None`` when a key is missing).
    allowed : str
        What would be accepted.
    suggestion : str
        A likely fix ("did you mean 'SYR'?"), or ``""``.

    Examples
    --------
    >>> from sim.errors import Problem
    >>> print(Problem("w.toml:12 actors[3].bloc", "unknown bloc", "axsi", "axis | west",
    ...               "did you mean 'axis'?"))
    w.toml:12 actors[3].bloc: unknown bloc; got 'axsi'; allowed: axis | west (did you mean 'axis'?)
    """

    where: str
    message: str
    value: object = None
    allowed: str = ""
    suggestion: str = ""

    def __str__(self) -> str:
        parts = [f"{self.where}: {self.message}"]
        if self.value is not None:
            parts.append(f"got {_short_repr(self.value)}")
        if self.allowed:
            parts.append(f"allowed: {self.allowed}")
        text = "; ".join(parts)
        if self.suggestion:
            text += f" ({self.suggestion})"
        return text


def _short_repr(value: object, limit: int = 80) -> str:
    """``repr(value)``, cut to `limit` characters: a hostile file's 400-digit number or
    megabyte string must not flood the message (nor a deeply nested list crash it)."""
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # deep nesting; ints beyond the str-digits limit
        return f"<{type(value).__name__} too large to show>"
    if len(text) > limit:
        text = f"{text[: limit - 20]}...{text[-10:]} ({len(text)} characters)"
    return text


class ValidationError(SimError, ValueError):
    """An input (world, scenario, data file) has one or more problems.

    Every problem found is listed, not just the first.

    Parameters
    ----------
    problems : sequence of Problem
        Every problem found (at least one).
    what : str
        What was read, e.g. the file name; it opens the message.

    Examples
    --------
    >>> from sim.errors import Problem, ValidationError
    >>> err = ValidationError(
    ...     [Problem("w.toml:12 actors[3].bloc", "unknown bloc", "axsi", "axis | west"),
    ...      Problem("w.toml:20 ties[0].strength", "must be in [0, 1]", 1.5, "0 <= strength <= 1")],
    ...     what="w.toml",
    ... )
    >>> print(err)
    w.toml has 2 problems:
      - w.toml:12 actors[3].bloc: unknown bloc; got 'axsi'; allowed: axis | west
      - w.toml:20 ties[0].strength: must be in [0, 1]; got 1.5; allowed: 0 <= strength <= 1
    >>> len(err.problems), isinstance(err, ValueError)
    (2, True)
    """

    def __init__(self, problems: Sequence[Problem], *, what: str = "input"):
        self.problems = tuple(problems)
        self.what = what
        n = len(self.problems)
        head = f"{what} has {n} problem{'s' if n != 1 else ''}:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))

    def __reduce__(self):
        # Exceptions pickle as ``cls(*self.args)``, i.e. ValidationError(message): the message
        # would be read as the problem list (one "problem" per character). Rebuild from the
        # problems instead (a worker process's error must arrive intact); extra attributes
        # such as __notes__ travel in the state.
        return (_rebuild_validation_error, (type(self), self.problems, self.what), self.__dict__)


def _rebuild_validation_error(cls: type, problems: Sequence[Problem], what: str):
    """Unpickle a :class:`ValidationError` (or a subclass with the same signature)."""
    return cls(problems, what=what)


class UnknownNameError(SimError, KeyError):
    """An unknown actor, world, scenario or layer name; the message carries a suggestion.

    Examples
    --------
    >>> from sim.errors import UnknownNameError
    >>> from sim.worlds import world_path
    >>> try:
    ...     world_path("axis-2042")
    ... except UnknownNameError as err:
    ...     print(err)
    unknown embedded world 'axis-2042'; available: axis-2024, axis-2025; did you mean 'axis-2025'?
    """

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ShockError(SimError, ValueError):
    """A shock cannot be applied to a model (unknown actor, time in the past...).

    Examples
    --------
    >>> from sim.errors import ShockError, SimError
    >>> issubclass(ShockError, SimError) and issubclass(ShockError, ValueError)
    True
    """


def suggest(value: object, choices: Iterable[str], *, n: int = 1) -> str:
    """Return ``"did you mean 'X'?"`` for the closest of `choices`, or ``""``.

    Case-insensitive; uses :func:`difflib.get_close_matches` with a cutoff of 0.6.

    Parameters
    ----------
    value : object
        What was given (compared as a string).
    choices : iterable of str
        What is allowed.
    n : int
        How many close matches to name at most.

    Returns
    -------
    str
        ``"did you mean 'X'?"`` (or ``'X' or 'Y'`` with several), or ``""`` when nothing is
        close.

    Examples
    --------
    >>> from sim.errors import suggest
    >>> suggest("Syr", ["SYR", "IRN"])
    "did you mean 'SYR'?"
    >>> suggest("IRm", ["IRN", "IRQ"], n=2)
    "did you mean 'IRQ' or 'IRN'?"
    >>> suggest("zzz", ["SYR"])
    ''
    """
    if not isinstance(value, str):
        return ""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    if value.lower() in lowered and lowered[value.lower()] != value:
        return f"did you mean {lowered[value.lower()]!r}?"
    close = difflib.get_close_matches(value.lower(), list(lowered), n=n, cutoff=0.6)
    if not close:
        return ""
    names = " or ".join(repr(lowered[c]) for c in close)
    return f"did you mean {names}?"
