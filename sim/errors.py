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
    """Base class of every error alliance-sim raises on purpose."""


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
    """An unknown actor, world, scenario or layer name; the message carries a suggestion."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ShockError(SimError, ValueError):
    """A shock cannot be applied to a model (unknown actor, time in the past...)."""


def suggest(value: object, choices: Iterable[str], *, n: int = 1) -> str:
    """Return ``"did you mean 'X'?"`` for the closest of `choices`, or ``""``.

    Case-insensitive; uses :func:`difflib.get_close_matches` with a cutoff of 0.6.
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
