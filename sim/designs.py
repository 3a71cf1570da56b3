"""Designs over uncertain inputs: Monte Carlo, Latin hypercube, factorial, Sobol, Morris."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import Problem, ValidationError
from sim.uncertainty import Discrete, Distribution

__all__ = [
    "METHODS",
    "Design",
    "full_factorial",
    "latin_hypercube",
    "make_design",
    "monte_carlo",
    "morris",
    "saltelli",
]

Space = Mapping[str, Distribution]


@dataclass(frozen=True, eq=False)
class Design:
    """Sample points of an experiment: unit-cube coordinates and the values they map to.

    Attributes
    ----------
    method : str
        ``"monte_carlo"``, ``"latin_hypercube"``, ``"factorial"``, ``"sobol"`` or ``"morris"``.
    space : mapping of str to Distribution
        The uncertain inputs, in column order.
    unit : ndarray, shape (n, d)
        Coordinates in ``[0, 1]^d``; analysis (SALib) works on these.
    options : dict
        What is needed to rebuild or analyse the design (seed, base samples, levels...).

    Examples
    --------
    >>> from sim.designs import full_factorial
    >>> from sim.uncertainty import Discrete, Uniform
    >>> design = full_factorial({"a": Uniform(0, 1), "b": Discrete((1, 2))}, 2)
    >>> design.names, len(design)
    (['a', 'b'], 4)
    >>> design.frame
       sample     a    b
    0       0  0.25  1.0
    1       1  0.25  2.0
    2       2  0.75  1.0
    3       3  0.75  2.0
    """

    method: str
    space: Mapping[str, Distribution]
    unit: np.ndarray
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """Input names, in column order."""
        return list(self.space)

    def __len__(self) -> int:
        return int(self.unit.shape[0])

    def values(self, rows: slice | np.ndarray | None = None) -> np.ndarray:
        """Input values (each column through its distribution's ppf), optionally for some rows."""
        u = self.unit if rows is None else self.unit[rows]
        out = np.empty_like(u, dtype=float)
        for j, dist in enumerate(self.space.values()):
            out[:, j] = dist.ppf(u[:, j])
        return out

    @property
    def frame(self) -> pd.DataFrame:
        """A tidy frame: a ``sample`` id column, then one column of values per input."""
        df = pd.DataFrame(self.values(), columns=self.names)
        df.insert(0, "sample", np.arange(len(self), dtype=np.int64))
        return df

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem definition (on the unit cube, see :class:`Design`)."""
        return {
            "num_vars": len(self.space),
            "names": self.names,
            "bounds": [[0.0, 1.0]] * len(self.space),
        }

    def fingerprint(self) -> str:
        """A hash of method, inputs and coordinates: equal designs give equal fingerprints."""
        import hashlib
        import json

        h = hashlib.sha256()
        meta = {
            "method": self.method,
            "space": {k: d.to_dict() for k, d in self.space.items()},
            "options": self.options,
        }
        h.update(json.dumps(meta, sort_keys=True, default=str).encode())
        h.update(np.ascontiguousarray(self.unit, dtype=float).tobytes())
        return h.hexdigest()[:16]


def _salib(module: str):
    """Import a SALib module, or say how to install it."""
    import importlib

    try:
        return importlib.import_module(f"SALib.{module}")
    except ImportError:
        from sim.errors import SimError

        raise SimError(
            "Sobol' and Morris designs need SALib: pip install 'alliance-sim[sensitivity]'"
        ) from None


def _seed(rng: np.random.Generator | int | None) -> int:
    """An integer seed for libraries that take one, drawn from (or equal to) `rng`."""
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool):
        return int(rng)
    return int(np.random.default_rng(rng).integers(2**31 - 1))


def _check_space(space: Mapping[str, object]) -> None:
    problems = []
    if not space:
        problems.append(Problem("space", "no uncertain inputs", None, "at least one"))
    for name, dist in space.items():
        if not isinstance(dist, Distribution):
            problems.append(
                Problem(f"space.{name}", "is not a distribution", dist, "Uniform, Normal, ...")
            )
    if problems:
        raise ValidationError(problems, what="design")


def _check_n(n: object, what: str, minimum: int = 1) -> int:
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < minimum:
        raise ValidationError(
            [
                Problem(
                    what, f"must be an integer >= {minimum}", n, f"{minimum}, {minimum + 1}, ..."
                )
            ],
            what="design",
        )
    return int(n)


def monte_carlo(space: Space, n: int, *, rng: np.random.Generator | int | None = None) -> Design:
    """`n` independent random points.

    Parameters
    ----------
    space : mapping of str to Distribution
    n : int
        Number of points.
    rng : numpy.random.Generator or int or None
        Seed or generator; equal seeds give equal designs.

    Returns
    -------
    Design
        ``method`` ``"monte_carlo"``; ``options`` the seed and `n`.

    Examples
    --------
    >>> from sim.designs import monte_carlo
    >>> from sim.uncertainty import Discrete, Uniform
    >>> design = monte_carlo({"a": Uniform(0, 1), "b": Discrete((1, 2))}, 4, rng=1)
    >>> design.values().round(3).tolist()
    [[0.512, 2.0], [0.144, 2.0], [0.312, 1.0], [0.828, 1.0]]
    """
    _check_space(space)
    n = _check_n(n, "samples")
    seed = _seed(rng)
    unit = np.random.default_rng(seed).random((n, len(space)))
    return Design("monte_carlo", dict(space), unit, {"seed": seed, "n": n})


def latin_hypercube(
    space: Space, n: int, *, rng: np.random.Generator | int | None = None
) -> Design:
    """`n` points, one in each of `n` equal-probability strata of every input.

    Uses :class:`scipy.stats.qmc.LatinHypercube` (random position inside each stratum).

    Parameters
    ----------
    space : mapping of str to Distribution
        The uncertain inputs (:mod:`sim.uncertainty`), in column order.
    n : int
        Number of points.
    rng : numpy.random.Generator or int or None
        Seed or generator; equal seeds give equal designs.

    Returns
    -------
    Design

    Examples
    --------
    Each of four strata of the input holds exactly one point:

    >>> from sim.designs import latin_hypercube
    >>> from sim.uncertainty import Uniform
    >>> design = latin_hypercube({"a": Uniform(0, 1)}, 4, rng=1)
    >>> sorted((design.unit[:, 0] * 4).astype(int).tolist())
    [0, 1, 2, 3]
    """
    from scipy.stats import qmc

    _check_space(space)
    n = _check_n(n, "samples")
    seed = _seed(rng)
    unit = qmc.LatinHypercube(d=len(space), rng=np.random.default_rng(seed)).random(n)
    return Design("latin_hypercube", dict(space), unit, {"seed": seed, "n": n})


def full_factorial(space: Space, levels: int | Mapping[str, int] = 3) -> Design:
    """Every combination of `levels` values per input.

    A continuous input takes the values at the quantiles ``(i + 0.5) / k``, ``i < k``
    (mid-points of k equal-probability strata); a :class:`~sim.uncertainty.Discrete` input
    takes each of its values once, whatever `levels` says.

    Parameters
    ----------
    space : mapping of str to Distribution
        The uncertain inputs (:mod:`sim.uncertainty`), in column order.
    levels : int or mapping of str to int
        Levels for every input, or per input (missing ones get 3).

    Returns
    -------
    Design
        The product of every input's levels, first input slowest.

    Examples
    --------
    >>> from sim.designs import full_factorial
    >>> from sim.uncertainty import Discrete, Uniform
    >>> full_factorial({"a": Uniform(0, 1), "b": Discrete((1, 2))}, 2).values().tolist()
    [[0.25, 1.0], [0.25, 2.0], [0.75, 1.0], [0.75, 2.0]]
    """
    _check_space(space)
    axes = []
    for name, dist in space.items():
        if isinstance(dist, Discrete):
            cum = np.cumsum(dist.probabilities)
            lower = np.r_[0.0, cum[:-1]]
            axes.append((lower + cum) / 2)  # the middle of each value's probability block
            continue
        k = levels.get(name, 3) if isinstance(levels, Mapping) else levels
        k = _check_n(k, f"levels.{name}" if isinstance(levels, Mapping) else "levels")
        axes.append((np.arange(k) + 0.5) / k)
    unit = np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, len(space))
    opts = {"levels": dict(levels) if isinstance(levels, Mapping) else levels}
    return Design("factorial", dict(space), unit, opts)


def saltelli(
    space: Space,
    n: int,
    *,
    rng: np.random.Generator | int | None = None,
    calc_second_order: bool = False,
) -> Design:
    """Saltelli's cross-sampling of a scrambled Sobol' sequence, for Sobol' indices.

    ``n`` base samples give ``n * (d + 2)`` points (``n * (2d + 2)`` with second order).
    `n` is rounded up to a power of two, where the Sobol' sequence keeps its balance; the
    rounded value is in ``options["n"]``.

    Parameters
    ----------
    space : mapping of str to Distribution
        The uncertain inputs (:mod:`sim.uncertainty`), in column order.
    n : int
        Base samples (rounded up to a power of two).
    rng : numpy.random.Generator or int or None
        Seed or generator; equal seeds give equal designs.
    calc_second_order : bool
        Add the points second-order indices need.

    Returns
    -------
    Design

    References
    ----------
    Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output.
    Computer Physics Communications 181(2), 259-270.

    Examples
    --------
    >>> from sim.designs import saltelli
    >>> from sim.uncertainty import Uniform
    >>> design = saltelli({"a": Uniform(0, 1), "c": Uniform(0, 1)}, 3, rng=1)
    >>> design.options["n"], design.unit.shape  # 3 rounded up to 4; 4 * (2 + 2) points
    (4, (16, 2))
    """
    _check_space(space)
    n = _check_n(n, "samples", 2)
    n = 1 << (n - 1).bit_length()
    seed = _seed(rng)
    d = dict(space)
    problem = {"num_vars": len(d), "names": list(d), "bounds": [[0.0, 1.0]] * len(d)}
    unit = _salib("sample.sobol").sample(problem, n, calc_second_order=calc_second_order, seed=seed)
    return Design("sobol", d, unit, {"seed": seed, "n": n, "calc_second_order": calc_second_order})


def morris(
    space: Space,
    n: int,
    *,
    num_levels: int = 4,
    rng: np.random.Generator | int | None = None,
) -> Design:
    """`n` Morris trajectories on a grid of `num_levels` levels: ``n * (d + 1)`` points.

    Parameters
    ----------
    space : mapping of str to Distribution
        The uncertain inputs (:mod:`sim.uncertainty`), in column order.
    n : int
        Number of trajectories.
    num_levels : int
        Levels of the grid per input.
    rng : numpy.random.Generator or int or None
        Seed or generator; equal seeds give equal designs.

    Returns
    -------
    Design

    References
    ----------
    Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments.
    Technometrics 33(2), 161-174. Campolongo, F. et al. (2007), for mu*.

    Examples
    --------
    >>> import numpy as np
    >>> from sim.designs import morris
    >>> from sim.uncertainty import Uniform
    >>> design = morris({"a": Uniform(0, 1), "c": Uniform(0, 1)}, 2, rng=1)
    >>> design.unit.shape  # 2 trajectories of 2 + 1 points
    (6, 2)
    >>> np.unique(design.unit.round(3)).tolist()  # on the grid of 4 levels
    [0.0, 0.333, 0.667, 1.0]
    """
    _check_space(space)
    n = _check_n(n, "samples", 2)
    num_levels = _check_n(num_levels, "num_levels", 2)
    seed = _seed(rng)
    d = dict(space)
    problem = {"num_vars": len(d), "names": list(d), "bounds": [[0.0, 1.0]] * len(d)}
    unit = _salib("sample.morris").sample(problem, n, num_levels=num_levels, seed=seed)
    return Design("morris", d, unit, {"seed": seed, "n": n, "num_levels": num_levels})


#: Design names accepted by :func:`make_design`.
METHODS = ("monte_carlo", "latin_hypercube", "factorial", "sobol", "morris")


def make_design(method: str, space: Space, samples: int, *, rng=None, **options: Any) -> Design:
    """Build a design by name; `samples` means points (MC, LHS), levels (factorial), base
    samples (Sobol) or trajectories (Morris).

    Parameters
    ----------
    method : {"monte_carlo", "latin_hypercube", "factorial", "sobol", "morris"}
    space : mapping of str to Distribution
        The uncertain inputs (:mod:`sim.uncertainty`), in column order.
    samples : int
        Its meaning depends on `method` (above).
    rng : numpy.random.Generator or int or None
        Seed or generator (not used by ``"factorial"``).
    **options
        Passed to the method: ``calc_second_order`` (Sobol), ``num_levels`` (Morris).

    Returns
    -------
    Design

    Raises
    ------
    sim.errors.ValidationError
        For an unknown method, with a suggestion.

    Examples
    --------
    >>> from sim.designs import make_design
    >>> from sim.uncertainty import Uniform
    >>> make_design("morris", {"a": Uniform(0, 1)}, 3, rng=1).unit.shape
    (6, 1)
    >>> from sim.errors import ValidationError
    >>> try:
    ...     make_design("sobbol", {"a": Uniform(0, 1)}, 3)
    ... except ValidationError as err:
    ...     print(err.problems[0].suggestion)
    did you mean 'sobol'?
    """
    from sim.errors import suggest

    aliases = {"mc": "monte_carlo", "lhs": "latin_hypercube", "saltelli": "sobol"}
    method = aliases.get(method, method)
    if method == "monte_carlo":
        return monte_carlo(space, samples, rng=rng)
    if method == "latin_hypercube":
        return latin_hypercube(space, samples, rng=rng)
    if method == "factorial":
        return full_factorial(space, samples)
    if method == "sobol":
        return saltelli(space, samples, rng=rng, **options)
    if method == "morris":
        return morris(space, samples, rng=rng, **options)
    raise ValidationError(
        [Problem("method", "unknown design", method, ", ".join(METHODS), suggest(method, METHODS))],
        what="design",
    )
