"""Sobol' and Morris indices from a design's outputs, and what a reader of them must know."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.designs import Design
from sim.errors import SimError

__all__ = ["STABLE_CONF", "design_notes", "morris_table", "sobol_table"]


def _check_outputs(y: np.ndarray, what: str) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        raise SimError(
            f"{what}: {bad.size} of {y.size} outputs are missing or not finite "
            f"(first at sample {int(bad[0])}); rerun into the same --out to fill missing chunks"
        )
    return y


def sobol_table(
    design: Design,
    y: np.ndarray,
    *,
    conf_level: float = 0.95,
    num_resamples: int = 200,
    rng: np.random.Generator | int | None = None,
) -> pd.DataFrame:
    """First- and total-order Sobol' indices with bootstrap confidence half-widths.

    Parameters
    ----------
    design : Design
        A ``"sobol"`` design (Saltelli cross-sampling).
    y : ndarray
        One output per sample point, in sample order.
    conf_level : float
        Confidence level of the ``*_conf`` half-widths (normal approximation of the bootstrap).
    num_resamples : int
        Bootstrap resamples behind the half-widths.
    rng : Generator or int or None
        Seeds the bootstrap.

    Returns
    -------
    DataFrame
        ``parameter, S1, S1_conf, ST, ST_conf``, one row per input in design order. A constant
        output has no variance to apportion: every index is 0.

    Examples
    --------
    ``y = a + 0.1 b`` on the unit square: `a` carries about 99% of the variance.

    >>> import numpy as np
    >>> from sim.designs import make_design
    >>> from sim.sensitivity import sobol_table
    >>> from sim.uncertainty import Uniform
    >>> design = make_design("sobol", {"a": Uniform(0, 1), "b": Uniform(0, 1)}, 64, rng=1)
    >>> y = design.values() @ np.array([1.0, 0.1])
    >>> len(design), sobol_table(design, y, rng=1)[["S1", "ST"]].round(2).to_dict("list")
    (256, {'S1': [1.01, 0.01], 'ST': [1.01, 0.01]})

    References
    ----------
    Saltelli, A. et al. (2010), Computer Physics Communications 181(2), 259-270 (S1);
    Jansen, M. J. W. (1999), Computer Physics Communications 117, 35-43 (ST).
    """
    from sim.designs import _salib

    sobol = _salib("analyze.sobol")
    if design.method != "sobol":
        raise SimError(f"Sobol' indices need a Sobol' (Saltelli) design, not {design.method!r}")
    y = _check_outputs(y, "Sobol' analysis")
    names = design.names
    if np.ptp(y) == 0:
        z = np.zeros(len(names))
        return pd.DataFrame({"parameter": names, "S1": z, "S1_conf": z, "ST": z, "ST_conf": z})
    seed = int(np.random.default_rng(rng).integers(1, 2**31 - 1))  # SALib skips a 0 seed
    si = sobol.analyze(
        design.problem,
        y,
        calc_second_order=bool(design.options.get("calc_second_order", False)),
        num_resamples=num_resamples,
        conf_level=conf_level,
        seed=seed,
    )
    return pd.DataFrame(
        {
            "parameter": names,
            "S1": si["S1"],
            "S1_conf": si["S1_conf"],
            "ST": si["ST"],
            "ST_conf": si["ST_conf"],
        }
    )


def morris_table(
    design: Design,
    y: np.ndarray,
    *,
    conf_level: float = 0.95,
    num_resamples: int = 200,
    rng: np.random.Generator | int | None = None,
) -> pd.DataFrame:
    """Morris screening: mean absolute elementary effect ``mu_star`` (with a bootstrap
    confidence half-width), signed mean ``mu`` and standard deviation ``sigma``.

    Effects are per unit step in the inputs' quantile (the design's unit cube), so inputs
    with different units compare on their uncertainty ranges.

    Parameters
    ----------
    design : Design
        A ``"morris"`` design (trajectories).
    y : ndarray
        One output per sample point, in sample order.
    conf_level : float
        Confidence level of ``mu_star_conf``.
    num_resamples : int
        Bootstrap resamples behind ``mu_star_conf``.
    rng : Generator or int or None
        Seeds the bootstrap.

    Returns
    -------
    DataFrame
        ``parameter, mu_star, mu_star_conf, sigma, mu``.

    Examples
    --------
    A linear output has constant elementary effects (its slopes): ``sigma`` is 0.

    >>> import numpy as np
    >>> from sim.designs import make_design
    >>> from sim.sensitivity import morris_table
    >>> from sim.uncertainty import Uniform
    >>> design = make_design("morris", {"a": Uniform(0, 1), "b": Uniform(0, 1)}, 4, rng=1)
    >>> y = design.values() @ np.array([2.0, 0.1])
    >>> morris_table(design, y, rng=1)[["mu_star", "sigma", "mu"]].round(3).to_dict("list")
    {'mu_star': [2.0, 0.1], 'sigma': [0.0, 0.0], 'mu': [2.0, 0.1]}
    """
    from sim.designs import _salib

    morris = _salib("analyze.morris")
    if design.method != "morris":
        raise SimError(f"Morris indices need a Morris design, not {design.method!r}")
    y = _check_outputs(y, "Morris analysis")
    names = design.names
    if np.ptp(y) == 0:
        z = np.zeros(len(names))
        return pd.DataFrame(
            {"parameter": names, "mu_star": z, "mu_star_conf": z, "sigma": z, "mu": z}
        )
    si = morris.analyze(
        design.problem,
        design.unit,
        y,
        num_resamples=num_resamples,
        conf_level=conf_level,
        num_levels=int(design.options["num_levels"]),
        seed=np.random.default_rng(rng),
    )
    return pd.DataFrame(
        {
            "parameter": names,
            "mu_star": np.asarray(si["mu_star"], float),
            "mu_star_conf": np.asarray(si["mu_star_conf"], float),
            "sigma": np.asarray(si["sigma"], float),
            "mu": np.asarray(si["mu"], float),
        }
    )


#: A 95% half-width above this, on an index in [0, 1], leaves the ranking of inputs unsettled.
STABLE_CONF = 0.05


def design_notes(table: pd.DataFrame, *, method: str, samples: int) -> list[str]:
    """Warnings and comments a reader of a sensitivity table needs.

    Parameters
    ----------
    table : DataFrame
        :func:`sobol_table` or :func:`morris_table` output.
    method : {"sobol", "morris"}
    samples : int
        Sobol' base samples N, or Morris trajectories r, of the design.

    Returns
    -------
    list of str
        Empty when the indices look stable. Sobol': a design too small for stable indices
        (a 95% half-width above :data:`STABLE_CONF`, an index outside [0, 1], first-order
        indices summing above 1), with the N that would bring the widest interval to
        :data:`STABLE_CONF` (intervals shrink as 1/sqrt(N)). Morris: inputs whose elementary
        effects were all zero, fewer than 10 trajectories, and a mu* interval wider than half
        of mu*.

    Examples
    --------
    >>> t = pd.DataFrame({"parameter": ["a"], "S1": [1.15], "S1_conf": [0.97],
    ...                   "ST": [0.9], "ST_conf": [0.4]})
    >>> design_notes(t, method="sobol", samples=8)[0][:46]
    'warning: the design is too small for stable So'
    """
    notes: list[str] = []
    if table.empty:
        return notes
    if method == "sobol":
        conf = float(np.nanmax(table[["S1_conf", "ST_conf"]].to_numpy()))
        s = table[["S1", "ST"]].to_numpy()
        outside = bool(np.any((s < -STABLE_CONF) | (s > 1 + STABLE_CONF)))
        excess = float(np.nansum(np.clip(table["S1"], 0, None))) > 1 + STABLE_CONF
        if conf > STABLE_CONF or outside or excess:
            want = samples * (conf / STABLE_CONF) ** 2 if conf > STABLE_CONF else samples * 4
            n = 2 ** math.ceil(math.log2(max(want, samples * 2)))
            why = [f"the widest 95% interval is ±{conf:.2f}"]
            if outside:
                why.append("an index lies outside [0, 1]")
            if excess:
                why.append("the first-order indices sum above 1")
            notes.append(
                f"warning: the design is too small for stable Sobol' indices (N = {samples} "
                f"base samples): {'; '.join(why)}. Intervals shrink as 1/sqrt(N): --samples {n} "
                f"would bring them near ±{min(conf, 1.0) * math.sqrt(samples / n):.2f}; until "
                "then read the table as a rough ranking at most."
            )
        return notes
    if samples < 10:
        notes.append(
            f"warning: r = {samples} trajectories is few for Morris screening: each mu* rests on "
            f"{samples} elementary effects; r = 20 to 50 is usual (Campolongo et al. 2007), "
            "e.g. --samples 20."
        )
    zero = table.loc[(table["mu_star"] == 0) & (table["sigma"] == 0), "parameter"].tolist()
    if zero:
        notes.append(
            f"note: mu* = 0 and sigma = 0 for {', '.join(map(str, zero))}: every elementary "
            "effect was exactly zero, so the outcome did not move when these inputs did (they "
            "do not act on it within this horizon, or only through paths the shocks cut); "
            "this is a result, not a failure."
        )
    top = table.loc[table["mu_star"] > 0]
    if not top.empty:
        wide = top.loc[top["mu_star_conf"] > 0.5 * top["mu_star"], "parameter"].tolist()
        if wide:
            ratio = float(np.nanmax(top["mu_star_conf"] / top["mu_star"]))
            r = max(samples * 2, math.ceil(samples * (ratio / 0.25) ** 2))
            notes.append(
                f"warning: with r = {samples} trajectories the mu* of {', '.join(map(str, wide))} "
                f"is uncertain (95% interval up to ±{ratio:.0%} of mu*); about --samples {r} "
                "would bring it to ±25% (r = 20 to 50 is usual)."
            )
    return notes
