"""Probability distributions for uncertain inputs, mapped from the unit interval by their ppf."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from scipy import stats

from sim.checks import is_finite_number
from sim.errors import Problem, ValidationError, suggest

__all__ = [
    "DISTRIBUTIONS",
    "Discrete",
    "Distribution",
    "Normal",
    "Triangular",
    "Uniform",
    "parse_distribution",
    "parse_space",
]

#: An untruncated normal maps u in [TAIL, 1 - TAIL] (about ±3.09 sd): Morris grids and
#: factorial designs hit u = 0 and u = 1 exactly, where the ppf is infinite.
TAIL = 1e-3


class Distribution:
    """A one-dimensional distribution that turns unit-interval samples into values.

    Every experiment design works on the unit hypercube ``[0, 1]^d``; a distribution's
    :meth:`ppf` (inverse CDF) maps each coordinate to a value, so a design's stratification
    (Latin hypercube, Sobol' sequence, Morris grid) carries over to any marginal. Because the
    map is monotone and inputs are independent, Sobol' indices computed on the unit cube are
    the indices of the mapped inputs.

    Examples
    --------
    Every distribution maps the unit interval to its values:

    >>> from sim.uncertainty import Uniform
    >>> Uniform(0, 2).ppf([0.1, 0.5, 0.9]).round(3).tolist()
    [0.2, 1.0, 1.8]
    """

    kind: ClassVar[str] = ""

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        """Values at unit-interval coordinates `u` (the inverse CDF)."""
        raise NotImplementedError

    @property
    def support(self) -> tuple[float, float]:
        """The smallest and largest value the distribution produces (through :meth:`ppf`)."""
        lo, hi = self.ppf(np.array([0.0, 1.0]))
        return float(lo), float(hi)

    def to_dict(self) -> dict[str, Any]:
        """The distribution as scenario-file data; :func:`parse_distribution` reads it back."""
        raise NotImplementedError

    def sample(self, n: int, rng: np.random.Generator | int | None = None) -> np.ndarray:
        """`n` independent draws (inverse-transform sampling)."""
        return self.ppf(np.random.default_rng(rng).random(n))


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform on ``[lo, hi]``.

    Parameters
    ----------
    lo, hi : float
        The bounds, ``lo < hi``.

    Examples
    --------
    >>> from sim.uncertainty import Uniform
    >>> Uniform(0, 2).ppf([0.1, 0.5, 0.9]).round(3).tolist()
    [0.2, 1.0, 1.8]
    """

    lo: float
    hi: float
    kind: ClassVar[str] = "uniform"

    def __post_init__(self):
        _raise(_check(self.to_dict(), "uniform"))

    def ppf(self, u):
        return self.lo + (self.hi - self.lo) * np.asarray(u, dtype=float)

    def to_dict(self):
        return {"dist": self.kind, "lo": self.lo, "hi": self.hi}


@dataclass(frozen=True)
class Triangular(Distribution):
    """Triangular on ``[lo, hi]`` with its peak at ``mode``.

    Parameters
    ----------
    lo, mode, hi : float
        The bounds and the peak, ``lo <= mode <= hi``, ``lo < hi``.

    Examples
    --------
    >>> from sim.uncertainty import Triangular
    >>> Triangular(0, 1, 4).ppf([0.1, 0.5, 0.9]).round(3).tolist()
    [0.632, 1.551, 2.905]
    """

    lo: float
    mode: float
    hi: float
    kind: ClassVar[str] = "triangular"

    def __post_init__(self):
        _raise(_check(self.to_dict(), "triangular"))

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        width = self.hi - self.lo
        c = (self.mode - self.lo) / width
        left = self.lo + np.sqrt(u * width * (self.mode - self.lo))
        right = self.hi - np.sqrt((1.0 - u) * width * (self.hi - self.mode))
        return np.where(u < c, left, right)

    def to_dict(self):
        return {"dist": self.kind, "lo": self.lo, "mode": self.mode, "hi": self.hi}


@dataclass(frozen=True)
class Normal(Distribution):
    """Normal with ``mean`` and ``sd``, truncated to ``[lo, hi]`` where bounds are given.

    Notes
    -----
    Without bounds the tails beyond the 0.1 % and 99.9 % quantiles are cut (see ``TAIL``):
    grid designs evaluate the ppf at exactly 0 and 1.

    Parameters
    ----------
    mean, sd : float
        Mean and standard deviation of the untruncated normal, ``sd > 0``.
    lo, hi : float, optional
        Truncation bounds.

    Examples
    --------
    >>> from sim.uncertainty import Normal
    >>> Normal(1, 0.5, lo=0).ppf([0.1, 0.5, 0.9]).round(3).tolist()
    [0.414, 1.014, 1.647]
    """

    mean: float
    sd: float
    lo: float | None = None
    hi: float | None = None
    kind: ClassVar[str] = "normal"

    def __post_init__(self):
        _raise(_check(self.to_dict(), "normal"))

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        if self.lo is None and self.hi is None:
            return self.mean + self.sd * stats.norm.ppf(np.clip(u, TAIL, 1.0 - TAIL))
        a = -np.inf if self.lo is None else (self.lo - self.mean) / self.sd
        b = np.inf if self.hi is None else (self.hi - self.mean) / self.sd
        # A one-sided truncation still has an infinite end; cut that tail like the untruncated.
        u = np.clip(u, TAIL if self.lo is None else 0.0, 1.0 - TAIL if self.hi is None else 1.0)
        x = stats.truncnorm.ppf(u, a, b, loc=self.mean, scale=self.sd)
        lo = -np.inf if self.lo is None else self.lo
        hi = np.inf if self.hi is None else self.hi
        return np.clip(x, lo, hi)  # guard rounding at the bounds

    def to_dict(self):
        d: dict[str, Any] = {"dist": self.kind, "mean": self.mean, "sd": self.sd}
        if self.lo is not None:
            d["lo"] = self.lo
        if self.hi is not None:
            d["hi"] = self.hi
        return d


@dataclass(frozen=True)
class Discrete(Distribution):
    """A finite set of ``values`` with ``weights`` (equal when omitted), normalised to sum 1.

    Parameters
    ----------
    values : tuple of float
        The possible values.
    weights : tuple of float, optional
        Their relative weights (non-negative, not all zero).

    Examples
    --------
    >>> from sim.uncertainty import Discrete
    >>> Discrete((0.0, 1.0), weights=(3, 1)).ppf([0.1, 0.5, 0.9]).tolist()  # 0 three times in four
    [0.0, 0.0, 1.0]
    """

    values: tuple[float, ...]
    weights: tuple[float, ...] | None = None
    kind: ClassVar[str] = "discrete"

    def __post_init__(self):
        object.__setattr__(self, "values", tuple(self.values))
        if self.weights is not None:
            object.__setattr__(self, "weights", tuple(self.weights))
        _raise(_check(self.to_dict(), "discrete"))

    @property
    def probabilities(self) -> np.ndarray:
        """The normalised weights."""
        w = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights, float)
        return w / w.sum()

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        cum = np.cumsum(self.probabilities)
        idx = np.searchsorted(cum[:-1], u, side="right")
        return np.asarray(self.values, dtype=float)[idx]

    @property
    def support(self):
        return float(min(self.values)), float(max(self.values))

    def to_dict(self):
        d: dict[str, Any] = {"dist": self.kind, "values": list(self.values)}
        if self.weights is not None:
            d["weights"] = list(self.weights)
        return d


#: Distribution names in scenario files, and their classes.
DISTRIBUTIONS: dict[str, type[Distribution]] = {
    cls.kind: cls for cls in (Uniform, Triangular, Normal, Discrete)
}

_FIELDS = {
    "uniform": (("lo", "hi"), ()),
    "triangular": (("lo", "mode", "hi"), ()),
    "normal": (("mean", "sd"), ("lo", "hi")),
    "discrete": (("values",), ("weights",)),
}


def _check(spec: Mapping[str, Any], kind: str, where: str = "") -> list[Problem]:
    """Every problem with the parameters of a distribution of `kind` (already known)."""
    w = f"{where}." if where else ""
    required, optional = _FIELDS[kind]
    problems: list[Problem] = []
    for key in spec:
        if key != "dist" and key not in required + optional:
            problems.append(
                Problem(
                    f"{w}{key}",
                    f"unknown key for a {kind} distribution",
                    key,
                    ", ".join(required + optional),
                    suggest(key, required + optional),
                )
            )
    for key in required:
        if key not in spec:
            problems.append(Problem(f"{w}{key}", f"missing for a {kind} distribution"))
    if kind == "discrete":
        values, weights = spec.get("values"), spec.get("weights")
        if "values" in spec and (
            not isinstance(values, Sequence)
            or isinstance(values, str)
            or not values
            or not all(is_finite_number(v) for v in values)
        ):
            problems.append(
                Problem(f"{w}values", "must be a non-empty list of numbers", values, "[0.2, 0.5]")
            )
            values = None
        if weights is not None:
            ok = (
                isinstance(weights, Sequence)
                and not isinstance(weights, str)
                and all(is_finite_number(x) and x >= 0 for x in weights)
                and sum(weights) > 0
            )
            if not ok:
                problems.append(
                    Problem(
                        f"{w}weights",
                        "must be non-negative numbers with a positive sum",
                        weights,
                        "one weight per value, e.g. [1, 2]",
                    )
                )
            elif values is not None and len(weights) != len(values):
                problems.append(
                    Problem(
                        f"{w}weights",
                        f"has {len(weights)} entries but values has {len(values)}",
                        weights,
                        "one weight per value",
                    )
                )
        return problems
    nums: dict[str, float] = {}
    for key in required + optional:
        if key in spec and spec[key] is not None:
            if is_finite_number(spec[key]):
                nums[key] = float(spec[key])
            else:
                problems.append(Problem(f"{w}{key}", "must be a finite number", spec[key]))
    lo, hi = nums.get("lo"), nums.get("hi")
    if lo is not None and hi is not None and not lo < hi:
        problems.append(
            Problem(f"{w}hi", f"must be greater than lo ({lo:g})", hi, "lo < hi", "swap lo and hi?")
        )
    in_range = lo is None or hi is None or "mode" not in nums or lo <= nums["mode"] <= hi
    if kind == "triangular" and not in_range:
        problems.append(
            Problem(f"{w}mode", "must lie between lo and hi", nums["mode"], f"[{lo:g}, {hi:g}]")
        )
    if kind == "normal" and "sd" in nums and nums["sd"] <= 0:
        problems.append(Problem(f"{w}sd", "must be positive", nums["sd"], "sd > 0"))
    return problems


def _raise(problems: list[Problem], what: str = "distribution") -> None:
    if problems:
        raise ValidationError(problems, what=what)


def parse_distribution(spec: object, *, where: str = "") -> tuple[Distribution | None, list]:
    """Read one distribution from scenario data, e.g. ``{dist = "uniform", lo = 0, hi = 1}``.

    Parameters
    ----------
    spec : mapping
        ``dist`` names the family (``uniform``, ``triangular``, ``normal``, ``discrete``);
        the other keys are its parameters.
    where : str
        Key path used in problem messages.

    Returns
    -------
    (Distribution or None, list of Problem)
        The distribution when there are no problems; otherwise ``None`` and every problem.

    Examples
    --------
    >>> from sim.uncertainty import parse_distribution
    >>> parse_distribution({"dist": "uniform", "lo": 0, "hi": 1})
    (Uniform(lo=0.0, hi=1.0), [])
    >>> dist, problems = parse_distribution({"dist": "unifrom"}, where="uncertainty.x")
    >>> dist, problems[0].where, problems[0].suggestion
    (None, 'uncertainty.x.dist', "did you mean 'uniform'?")
    """
    if not isinstance(spec, Mapping):
        return None, [
            Problem(
                where,
                "must be a table describing a distribution",
                spec,
                "{ dist = 'uniform', lo = ..., hi = ... } or triangular, normal, discrete",
            )
        ]
    kind = spec.get("dist")
    if kind not in DISTRIBUTIONS:
        w = f"{where}.dist" if where else "dist"
        return None, [
            Problem(
                w,
                "unknown distribution" if kind is not None else "missing distribution name",
                kind,
                ", ".join(DISTRIBUTIONS),
                suggest(kind, DISTRIBUTIONS),
            )
        ]
    problems = _check(spec, kind, where)
    if problems:
        return None, problems
    cls = DISTRIBUTIONS[kind]
    kwargs = {k: v for k, v in spec.items() if k != "dist"}
    if kind == "discrete":
        kwargs["values"] = tuple(float(v) for v in kwargs["values"])
        if kwargs.get("weights") is not None:
            kwargs["weights"] = tuple(float(v) for v in kwargs["weights"])
    else:
        kwargs = {k: float(v) for k, v in kwargs.items() if v is not None}
    return cls(**kwargs), []


def parse_space(
    data: Mapping[str, Any], *, where: str = "uncertainty", origin: str = "input"
) -> dict[str, Distribution]:
    """Read a table of named distributions, raising one :class:`ValidationError` for all problems.

    Parameters
    ----------
    data : mapping of str to mapping
        Parameter address (any string; see :mod:`sim.sensitivity.uncertain` for world addresses)
        to distribution spec.
    where : str
        Key path prefix for messages (the TOML table's name).
    origin : str
        What the error names (usually the file).

    Returns
    -------
    dict of str to Distribution
        In the order given.

    Examples
    --------
    >>> space = parse_space({"x": {"dist": "uniform", "lo": 0, "hi": 2}})
    >>> float(space["x"].ppf(0.25))
    0.5
    """
    if not isinstance(data, Mapping):
        raise ValidationError(
            [Problem(where, "must be a table of name = distribution", data)], what=origin
        )
    space: dict[str, Distribution] = {}
    problems: list[Problem] = []
    for name, spec in data.items():
        dist, probs = parse_distribution(spec, where=f"{where}.{_quote(name)}")
        problems.extend(probs)
        if dist is not None:
            space[name] = dist
    if not data:
        problems.append(Problem(where, "is empty", None, "at least one uncertain input"))
    if problems:
        raise ValidationError(problems, what=origin)
    return space


def _quote(key: str) -> str:
    return key if key.replace("_", "").isalnum() else f'"{key}"'
