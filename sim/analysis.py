"""Ensemble summaries: paired shock-minus-baseline differences with confidence intervals and
resilience over time.

Everything here takes tidy frames (columns ``replicate, arm, step`` and one per variable) and
never imports the model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sim import metrics
from sim.errors import Problem, ValidationError
from sim.outcomes import worse_when_higher

__all__ = [
    "compare_effects",
    "mean_ci",
    "paired_differences",
    "performance_curve",
    "resilience_figures",
    "summarize",
]

#: Outcomes for which more is worse: no resilience figures (performance must be "higher is better").


def mean_ci(x: Sequence[float] | np.ndarray, *, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided Student-t confidence interval of a sample.

    Parameters
    ----------
    x : array_like
        Independent observations (NaNs are dropped).
    level : float
        Confidence level in (0, 1).

    Returns
    -------
    mean, low, high : float
        ``mean ± t_{n-1, (1+level)/2} · s / sqrt(n)``; the interval is ``(mean, mean)`` when the
        sample has zero spread and ``(nan, nan)`` when it has one observation.

    Examples
    --------
    >>> m, lo, hi = mean_ci([1.0, 2.0, 3.0])
    >>> round(m, 3), round(lo, 3), round(hi, 3)
    (2.0, -0.484, 4.484)
    """
    a = np.asarray(x, dtype=float)
    a = a[~np.isnan(a)]
    n = a.size
    if n == 0:
        return (np.nan, np.nan, np.nan)
    m = float(a.mean())
    if n == 1:
        return (m, np.nan, np.nan)
    half = float(stats.t.ppf((1 + level) / 2, n - 1) * a.std(ddof=1) / np.sqrt(n))
    return (m, m - half, m + half)


def paired_differences(
    frame: pd.DataFrame, outcome: str, *, step: int | None = None
) -> pd.DataFrame:
    """Per replicate: the outcome in the shocked arm, in the baseline arm, and their difference.

    Parameters
    ----------
    frame : DataFrame
        A model frame with columns ``replicate``, ``arm``, ``step`` and `outcome`.
    outcome : str
    step : int, optional
        The step compared (default: the last step, the horizon).

    Returns
    -------
    DataFrame
        Indexed by replicate, columns ``shock``, ``baseline``, ``difference``.

    Examples
    --------
    Two replicates, two months; the shock costs the west 0.3 and 0.2 of its giant component:

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"replicate": [0] * 4 + [1] * 4, "seed": [7] * 4 + [8] * 4,
    ...                       "arm": ["shock", "shock", "baseline", "baseline"] * 2,
    ...                       "step": [0, 1] * 4,
    ...                       "giant:west": [1.0, 0.6, 1.0, 0.9, 1.0, 0.8, 1.0, 1.0]})
    >>> paired_differences(frame, "giant:west")  # doctest: +NORMALIZE_WHITESPACE
               shock  baseline  difference
    replicate
    0            0.6       0.9        -0.3
    1            0.8       1.0        -0.2
    """
    _require(frame, ("replicate", "arm", "step", outcome))
    step = int(frame["step"].max()) if step is None else step
    at = frame[frame["step"] == step]
    wide = at.pivot_table(index="replicate", columns="arm", values=outcome, aggfunc="first")
    for arm in ("shock", "baseline"):
        if arm not in wide:
            wide[arm] = np.nan
    out = wide[["shock", "baseline"]].copy()
    out["difference"] = out["shock"] - out["baseline"]
    out.columns.name = None
    return out


def performance_curve(shock: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """Performance relative to the paired baseline, ``P(t) = shock(t) / baseline(t)``.

    Where the baseline is 0, ``P`` is 1 (nothing to lose). ``P`` above 1 means the shocked arm
    does better than the baseline (a tie drawing tighter after a shared loss, say).

    Parameters
    ----------
    shock : array
        The outcome in the shocked arm, per time.
    baseline : array
        The same outcome in the paired baseline arm, at the same times.

    Returns
    -------
    ndarray
        ``P(t)`` per time, as floats.

    Examples
    --------
    >>> performance_curve([0.5, 0.9, 1.2], [1.0, 1.0, 0.0]).tolist()
    [0.5, 0.9, 1.0]
    """
    s = np.asarray(shock, dtype=float)
    b = np.asarray(baseline, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(b == 0, 1.0, s / np.where(b == 0, 1.0, b))
    return p


def resilience_figures(
    steps: np.ndarray, performance: np.ndarray, *, t0: float = 0.0, eps: float = 0.05
) -> dict[str, float]:
    """Robustness, loss and time to recovery of one performance curve (science.md, s. 6).

    Parameters
    ----------
    steps : array
        Times (months), increasing.
    performance : array
        ``P(t)`` relative to the baseline level ``P0 = 1``.
    t0 : float
        The time the disruption starts; earlier points are ignored.
    eps : float
        Tolerance: recovered means ``P >= 1 - eps``.

    Returns
    -------
    dict
        ``robustness`` = min P over ``t >= t0``; ``loss`` = ∫ max(1 − P, 0) dt from t0 to the
        horizon (trapezoid rule; the resilience triangle of Bruneau et al. 2003, so gains above
        the baseline do not offset losses); computed by :mod:`sim.metrics`;
        ``time_to_recovery`` = first time after the minimum from which P stays >= 1 − eps,
        minus t0 (NaN if P never recovers by the horizon; 0 if it never drops below 1 − eps).

    References
    ----------
    Bruneau, M. et al. (2003), Earthquake Spectra 19(4), 733-752. doi:10.1193/1.1623497
    Henry, D. & Ramirez-Marquez, J. E. (2012), RESS 99, 114-122. doi:10.1016/j.ress.2011.09.002

    Examples
    --------
    Linear recovery from 0.6 to 1 over 10 months loses 2 month-units (200 in percent):

    >>> t = np.arange(11.0)
    >>> r = resilience_figures(t, 0.6 + 0.04 * t)
    >>> round(r["robustness"], 3), round(r["loss"], 3), r["time_to_recovery"]
    (0.6, 2.0, 9.0)
    """
    t = np.asarray(steps, dtype=float)
    p = np.asarray(performance, dtype=float)
    keep = t >= t0
    t, p = t[keep], p[keep]
    if t.size == 0:
        return {"robustness": np.nan, "loss": np.nan, "time_to_recovery": np.nan}
    if (p >= 1.0 - eps).all():
        recovery = 0.0  # never dropped below tolerance: nothing to recover from
    else:
        t_r = metrics.time_to_recovery(p, t, baseline=1.0, eps=eps)
        recovery = t_r - t0 if math.isfinite(t_r) else np.nan
    return {
        "robustness": metrics.robustness(p),
        "loss": metrics.resilience_loss(p, t, baseline=1.0),
        "time_to_recovery": recovery,
    }


def summarize(
    frame: pd.DataFrame,
    outcomes: Sequence[str],
    *,
    shock_time: float = 0.0,
    level: float = 0.95,
    eps: float = 0.05,
) -> pd.DataFrame:
    """One row per outcome: arms' means at the horizon, paired difference with its CI, resilience.

    Parameters
    ----------
    frame : DataFrame
        Model frame with ``replicate, arm, step`` and the outcome columns.
    outcomes : sequence of str
    shock_time : float
        When the first shock strikes (``at`` of the earliest shock); resilience is measured from
        there.
    level : float
        Confidence level of the intervals.
    eps : float
        Recovery tolerance (see :func:`resilience_figures`).

    Returns
    -------
    DataFrame
        Indexed by outcome: ``shock_mean``, ``baseline_mean``, ``difference``, ``ci_low``,
        ``ci_high`` (the paired difference at the horizon and its t-interval over replicates),
        ``n`` (replicates), the replicate means of ``robustness`` and ``loss``, and recovery
        kept apart from never having dropped: ``dropped`` (share of replicates whose ``P``
        fell below ``1 - eps`` after the shock), ``recovered`` (share of *those* that were back
        within ``eps`` by the horizon; NaN when none dropped) and ``time_to_recovery`` (mean
        months to recovery over the replicates that dropped and recovered; NaN when none did).

    Notes
    -----
    Both arms of a replicate share a seed, so the difference is paired: its interval is a
    one-sample t-interval of the per-replicate differences, narrower than comparing the arms'
    means when the arms are positively correlated. Resilience uses ``P(t)`` of
    :func:`performance_curve`: each replicate's shocked arm over the ensemble-mean baseline at
    ``t`` (``P0 = 1``); outcomes where more is worse (``collapses``) get no resilience figures.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"replicate": [0] * 4 + [1] * 4, "seed": [7] * 4 + [8] * 4,
    ...                       "arm": ["shock", "shock", "baseline", "baseline"] * 2,
    ...                       "step": [0, 1] * 4,
    ...                       "giant:west": [1.0, 0.6, 1.0, 0.9, 1.0, 0.8, 1.0, 1.0]})
    >>> s = summarize(frame, ["giant:west"])
    >>> s[["difference", "ci_low", "ci_high", "n"]].round(3)  # doctest: +NORMALIZE_WHITESPACE
                difference  ci_low  ci_high  n
    outcome
    giant:west       -0.25  -0.885    0.385  2
    >>> s[["robustness", "loss", "dropped", "recovered"]].round(3)  # doctest: +NORMALIZE_WHITESPACE
                robustness   loss  dropped  recovered
    outcome
    giant:west       0.737  0.132      1.0        0.0
    """
    rows = []
    for outcome in outcomes:
        diffs = paired_differences(frame, outcome)
        m, lo, hi = mean_ci(diffs["difference"].to_numpy(), level=level)
        row = {
            "outcome": outcome,
            "shock_mean": float(diffs["shock"].mean()),
            "baseline_mean": float(diffs["baseline"].mean()),
            "difference": m,
            "ci_low": lo,
            "ci_high": hi,
            "n": int(diffs["difference"].notna().sum()),
        }
        row.update(_resilience_means(frame, outcome, shock_time=shock_time, eps=eps))
        rows.append(row)
    return pd.DataFrame(rows).set_index("outcome")


def _resilience_means(frame: pd.DataFrame, outcome: str, *, shock_time: float, eps: float) -> dict:
    keys = ("robustness", "loss", "dropped", "time_to_recovery", "recovered")
    nan = dict.fromkeys(keys, np.nan)
    if worse_when_higher(outcome):
        return nan
    if not np.isfinite(frame[outcome].to_numpy(dtype=float)).any():
        return nan  # undefined in this world (e.g. fulfilment of a bloc with no needs)
    # P(t) is each replicate's shocked arm over the ensemble-mean baseline at t: a single
    # replicate's baseline can dip near zero (a volatile delivery), which makes ratios explode.
    base = frame[frame["arm"] == "baseline"].groupby("step")[outcome].mean()
    figures = []
    for _, rep in frame[frame["arm"] == "shock"].groupby("replicate", sort=True):
        shocked = rep.set_index("step")[outcome].reindex(base.index)
        p = performance_curve(shocked.to_numpy(), base.to_numpy())
        t = base.index.to_numpy()
        fig = resilience_figures(t, p, t0=shock_time, eps=eps)
        # resilience_figures gives a replicate that never dropped a recovery time of 0: kept
        # apart here, else "never dropped" would pull the mean time to recovery towards 0.
        fig["dropped"] = bool((p[t >= shock_time] < 1.0 - eps).any())
        figures.append(fig)
    if not figures:
        return nan
    f = pd.DataFrame(figures)
    dropped = f["dropped"].astype(bool)
    back = dropped & f["time_to_recovery"].notna()
    return {
        "robustness": float(f["robustness"].mean()),
        "loss": float(f["loss"].mean()),
        "dropped": float(dropped.mean()),
        "time_to_recovery": float(f.loc[back, "time_to_recovery"].mean()) if back.any() else np.nan,
        "recovered": float(back.sum() / dropped.sum()) if dropped.any() else np.nan,
    }


def compare_effects(
    a: pd.DataFrame,
    b: pd.DataFrame,
    outcomes: Sequence[str],
    *,
    level: float = 0.95,
) -> pd.DataFrame:
    """Compare two runs' effects (shocked − baseline at the horizon): B − A with its interval.

    Parameters
    ----------
    a, b : DataFrame
        Model frames of the two runs (``replicate, seed, arm, step`` and the outcomes).
    outcomes : sequence of str
        Outcomes both frames hold.
    level : float
        Confidence level.

    Returns
    -------
    DataFrame
        Indexed by outcome: ``effect_a``, ``effect_b`` (mean paired difference of each run),
        ``difference`` (``effect_b - effect_a``), ``ci_low``, ``ci_high``, ``n_a``, ``n_b``,
        ``test`` (``"paired t (by seed)"`` or ``"Welch t"``) and ``note`` (why an interval is
        missing, else ``""``).

    Notes
    -----
    When both runs hold the same replicate seeds (the same root seed and replicate count, e.g.
    two scenarios on the same world), replicate ``i`` of A and B share their random draws up
    to the shocks, so their effects are paired by seed and the interval is a one-sample
    t-interval of the per-seed differences (:func:`mean_ci`). Otherwise the runs are
    independent samples and the interval is Welch's, with Welch–Satterthwaite degrees of
    freedom. With a single replicate on a side (or a single pair) there is no estimate of
    spread: the interval is NaN and ``note`` says so.

    Examples
    --------
    Run B's shock leaves the west at 0.9 in both replicates; the seeds match, so B − A is
    paired by seed:

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"replicate": [0] * 4 + [1] * 4, "seed": [7] * 4 + [8] * 4,
    ...                       "arm": ["shock", "shock", "baseline", "baseline"] * 2,
    ...                       "step": [0, 1] * 4,
    ...                       "giant:west": [1.0, 0.6, 1.0, 0.9, 1.0, 0.8, 1.0, 1.0]})
    >>> shocked = frame["arm"] == "shock"
    >>> b = frame.assign(**{"giant:west": frame["giant:west"].mask(shocked, 0.9)})
    >>> c = compare_effects(frame, b, ["giant:west"])
    >>> c[["effect_a", "effect_b", "difference", "test"]].round(3)  # doctest: +NORMALIZE_WHITESPACE
                effect_a  effect_b  difference                test
    outcome
    giant:west     -0.25     -0.05         0.2  paired t (by seed)
    """
    paired = _seeds(a) is not None and _seeds(a) == _seeds(b)
    rows = []
    for outcome in outcomes:
        ea = _effects_by_seed(a, outcome)
        eb = _effects_by_seed(b, outcome)
        effect_a = float(ea.mean()) if ea.size else np.nan
        effect_b = float(eb.mean()) if eb.size else np.nan
        row: dict[str, object] = {
            "outcome": outcome,
            "effect_a": effect_a,
            "effect_b": effect_b,
            "n_a": int(ea.size),
            "n_b": int(eb.size),
            "test": "paired t (by seed)" if paired else "Welch t",
            "note": "",
        }
        row["difference"] = effect_b - effect_a
        if paired:
            d = (eb - ea.reindex(eb.index)).dropna().to_numpy()
            _, lo, hi = mean_ci(d, level=level)
            if d.size < 2:
                n = d.size
                row["note"] = f"{n} seed pair{'s' * (n != 1)}: no interval (needs 2 or more)"
        else:
            lo, hi, row["note"] = _welch_ci(ea.to_numpy(), eb.to_numpy(), level)
        row["ci_low"], row["ci_high"] = lo, hi
        rows.append(row)
    columns = ["effect_a", "effect_b", "difference", "ci_low", "ci_high", "n_a", "n_b"]
    return pd.DataFrame(rows).set_index("outcome")[[*columns, "test", "note"]]


def _seeds(frame: pd.DataFrame) -> frozenset[int] | None:
    if "seed" not in frame.columns:
        return None
    per_rep = frame.groupby("replicate")["seed"].first()
    return frozenset(int(s) for s in per_rep)


def _effects_by_seed(frame: pd.DataFrame, outcome: str) -> pd.Series:
    """Per replicate's seed (or replicate number without seeds): shocked − baseline."""
    d = paired_differences(frame, outcome)["difference"].dropna()
    if "seed" in frame.columns:
        seeds = frame.groupby("replicate")["seed"].first()
        d.index = seeds.reindex(d.index).to_numpy()
    return d.sort_index()


def _welch_ci(xa: np.ndarray, xb: np.ndarray, level: float) -> tuple[float, float, str]:
    """Welch's interval for mean(xb) − mean(xa); NaN (with a note) below two per side."""
    if xa.size < 2 or xb.size < 2:
        few = ", ".join(
            f"{n} replicate{'s' * (n != 1)} in {k}"
            for k, n in (("A", xa.size), ("B", xb.size))
            if n < 2
        )
        return np.nan, np.nan, f"{few}: no interval (needs 2 or more per run)"
    diff = float(xb.mean() - xa.mean())
    va, vb = xa.var(ddof=1) / xa.size, xb.var(ddof=1) / xb.size
    se = float(np.sqrt(va + vb))
    if se == 0:
        return diff, diff, ""
    dof = (va + vb) ** 2 / (va**2 / (xa.size - 1) + vb**2 / (xb.size - 1))
    half = float(stats.t.ppf((1 + level) / 2, dof) * se)
    return diff - half, diff + half, ""


def _require(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationError(
            [
                Problem(
                    f"frame column {c!r}",
                    "missing",
                    None,
                    ", ".join(map(str, frame.columns)),
                )
                for c in missing
            ],
            what="results frame",
        )
