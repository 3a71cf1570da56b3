"""Hindcasts: the model's predicted arms flows after a historical shock, scored against SIPRI.

The world is built at the end of the episode's year (:func:`sim.history.build_world`); a paired
ensemble runs it with and without the episode's shocks over the window; each dyad's predicted
change is compared with the change SIPRI recorded, beside two null models.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from sim.errors import Problem, SimError, ValidationError
from sim.history.episode import Episode, episode_shocks, load_episode, shocked_actors
from sim.history.world import arms_flows, build_world, sipri_years
from sim.io import ImportReport, read_sipri_records
from sim.io.sipri import SipriDeal
from sim.store import Store
from sim.world import World

__all__ = [
    "FLAT_FACTOR",
    "FLOW_FLOOR",
    "PREDICTORS",
    "Hindcast",
    "direction",
    "hindcast",
    "hindcast_record",
    "log_change",
    "spearman",
]

#: The predictors scored: the model and the two null models.
PREDICTORS = ("model", "persistence", "direct")

#: Added to both flows of a log ratio, in million TIV per month: one million TIV a year, the
#: size below which SIPRI rounds a delivery to 0. It keeps dyads that start or stop finite.
FLOW_FLOOR = 1.0 / 12.0

#: A change by more than this factor (either way) counts as up or down; else flat.
FLAT_FACTOR = 1.5

_BOOTSTRAP = 2000


def log_change(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """``log((after + c) / (before + c))`` with ``c =`` :data:`FLOW_FLOOR`.

    Parameters
    ----------
    before, after : numpy.ndarray
        Flows in million TIV per month.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from sim.history.hindcast import log_change
    >>> log_change(np.array([1.0, 0.0]), np.array([2.0, 0.0])).round(3).tolist()
    [0.654, 0.0]
    """
    return np.log((np.asarray(after) + FLOW_FLOOR) / (np.asarray(before) + FLOW_FLOOR))


def direction(change: np.ndarray) -> np.ndarray:
    """+1 (up), -1 (down) or 0 (flat) for log changes, by :data:`FLAT_FACTOR`.

    Parameters
    ----------
    change : numpy.ndarray
        Log changes (:func:`log_change`).

    Returns
    -------
    numpy.ndarray of int

    Examples
    --------
    >>> import numpy as np
    >>> from sim.history.hindcast import direction
    >>> direction(np.log([2.0, 1.2, 0.5])).tolist()  # doubled, +20 %, halved
    [1, 0, -1]
    """
    t = math.log(FLAT_FACTOR)
    return np.where(change > t, 1, np.where(change < -t, -1, 0))


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rank correlation (average ranks for ties); NaN when either is constant.

    Parameters
    ----------
    x, y : numpy.ndarray
        Paired samples.

    Returns
    -------
    float

    Examples
    --------
    >>> round(spearman(np.array([1, 2, 3, 4]), np.array([10, 20, 40, 30])), 3)
    0.8
    """
    if len(x) < 2:
        return math.nan
    rx, ry = rankdata(x), rankdata(y)
    sx, sy = rx.std(), ry.std()
    if sx == 0 or sy == 0:
        return math.nan
    return float(((rx - rx.mean()) * (ry - ry.mean())).mean() / (sx * sy))


def _accuracy(pred: np.ndarray, obs: np.ndarray) -> float:
    """Share of dyads whose observed flow changed (up or down) that the predictor calls right."""
    moved = direction(obs) != 0
    if not moved.any():
        return math.nan
    return float((direction(pred)[moved] == direction(obs)[moved]).mean())


@dataclass
class Hindcast:
    """The result of :func:`hindcast`.

    Attributes
    ----------
    episode : Episode
    world : World
        The world built for the episode's year.
    dyads : pandas.DataFrame
        One row per scored dyad: ``supplier, recipient, before, observed_after`` (million TIV
        per month) and, per predictor, the predicted after-window flow ``after_<p>`` and the
        log changes ``observed`` and ``<p>``.
    metrics : dict
        Predictor -> ``{"spearman", "direction_accuracy", "ci"}``; ``ci`` maps each metric to
        its bootstrap 95% interval ``[low, high]``.
    after_years : tuple of int
        The observed after-window (as far as the data go).
    seconds : float
        Wall time of the run.
    notes : list of str

    Examples
    --------
    A year's window of the hand-made test data, Russia's deliveries to Syria cut in month 2:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import sim
    >>> data = Path(sim.__file__).parents[1] / "tests" / "data" / "history"  # hand-made files
    >>> episode = Path(tempfile.mkdtemp()) / "rus_syr_cut.toml"
    >>> _ = episode.write_text(
    ...     '[episode]\\nname = "rus_syr_cut"\\nyear = 2004\\nwindow = 1\\nreplicates = 2\\n'
    ...     'seed = 7\\n[[shocks]]\\ntype = "cut_tie"\\ntarget = ["RUS", "SYR"]\\nat = 2\\n')
    >>> h = hindcast(episode, sipri=data / "sipri.csv", alliances=data / "cow_member.csv",
    ...              capabilities=data / "nmc.csv")
    >>> print(h.table())  # doctest: +ELLIPSIS
    rus_syr_cut: world of 2004, observed 2005-2005 against 2004-2004; 3 dyads (3 moved by ...)
    predictor     spearman           95% CI  direction           95% CI
    model            -0.50   [-1.00, +1.00]      +0.33   [+0.00, +1.00]
    persistence        n/a              n/a      +0.00   [+0.00, +0.00]
    direct           -0.50   [-1.00, +1.00]      +0.33   [+0.00, +1.00]
    >>> h.to_dict()["persistence"]["spearman"] is None  # a constant predictor: NaN -> None
    True
    """

    episode: Episode
    world: World
    dyads: pd.DataFrame
    metrics: dict[str, dict[str, Any]]
    after_years: tuple[int, int]
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON record: ``episode``, ``dyads`` and the metrics per predictor (NaN -> None)."""

        def clean(x):
            if isinstance(x, dict):
                return {k: clean(v) for k, v in x.items()}
            if isinstance(x, list | tuple):
                return [clean(v) for v in x]
            if isinstance(x, float) and not math.isfinite(x):
                return None
            return x

        out: dict[str, Any] = {"episode": self.episode.name, "dyads": len(self.dyads)}
        for p in PREDICTORS:
            out[p] = clean(self.metrics[p])
        return out

    def table(self) -> str:
        """The metrics as a text table (what the CLI prints)."""

        def f(x: float) -> str:
            return "  n/a" if not math.isfinite(x) else f"{x:+.2f}"

        def ci(pair) -> str:
            lo, hi = pair
            if not (math.isfinite(lo) and math.isfinite(hi)):
                return "n/a"
            return f"[{lo:+.2f}, {hi:+.2f}]"

        a, b = self.after_years
        moved = int((direction(self.dyads["observed"].to_numpy()) != 0).sum())
        lines = [
            f"{self.episode.name}: world of {self.episode.year}, observed {a}-{b} against "
            f"{self.episode.year - self.episode.window + 1}-{self.episode.year}; "
            f"{len(self.dyads)} dyads ({moved} moved by more than x{FLAT_FACTOR:g})",
            f"{'predictor':<12} {'spearman':>9} {'95% CI':>16} {'direction':>10} {'95% CI':>16}",
        ]
        for p in PREDICTORS:
            m = self.metrics[p]
            lines.append(
                f"{p:<12} {f(m['spearman']):>9} {ci(m['ci']['spearman']):>16} "
                f"{f(m['direction_accuracy']):>10} {ci(m['ci']['direction_accuracy']):>16}"
            )
        return "\n".join(lines)


def _run_ensemble(
    world: World,
    shocks: list[Any],
    episode: Episode,
    months: int,
    *,
    store: Store | None = None,
    quiet: bool = True,
):
    """Mean delivered per supply tie over `months` (shocked, baseline, summed over replicates)
    and the per-step deliveries of both arms (replicate sums).

    The replicates not yet stored run together, each arm as one batch
    (:class:`sim.engine.Engine`; every row equals ``AllianceModel(world, shocks=..., rng=seed)``).
    With a `store`, each replicate's deliveries are a part (``rNNNNNN``, table
    ``deliveries``: ``arm, month, tie, delivered``); replicates already stored are read back
    instead of run (the same numbers: Parquet keeps float64). The sums add the replicates in
    order.
    """
    from sim.executors import progress

    children = np.random.SeedSequence(episode.seed).spawn(episode.replicates)
    seeds = [int(child.generate_state(1)[0]) for child in children]
    n = len(world.ties_in("supply"))
    shocked_steps = np.zeros((months, n))
    base_steps = np.zeros((months, n))
    stored = store.keys() if store is not None else set()
    keys = [f"r{rep:06d}" for rep in range(len(seeds))]
    todo = [rep for rep, key in enumerate(keys) if key not in stored]
    if todo:
        run_seeds = [seeds[rep] for rep in todo]
        shocked_rows, base_rows = _run_arms_rows(world, (shocks, []), months, run_seeds)
        fresh = {rep: (shocked_rows[k], base_rows[k]) for k, rep in enumerate(todo)}
    with progress(episode.replicates, quiet=quiet, desc=episode.name, unit="rep") as bar:
        for rep, key in enumerate(keys):
            if key in stored:
                assert store is not None  # only a store has stored keys
                shocked, base = _read_replicate(store.read_part(key), months, n)
            else:
                shocked, base = fresh[rep]
                if store is not None:
                    store.write_part(key, _replicate_frame(shocked, base))
            shocked_steps += shocked
            base_steps += base
            bar.update(1)
    return shocked_steps, base_steps


def _run_arms_rows(
    world: World,
    arms: Sequence[Sequence[Any]],
    months: int,
    seeds: list[int],
    params: Any = None,
) -> list[np.ndarray]:
    """Deliveries per row, month and supply tie (R, months, ties) of each arm (shock set).

    The engine is built once for every arm and forked (as :func:`sim.engine.run_arms`): the
    arms start from the same seeds, so their construction is the same. `params`: ``None``
    (the defaults), one ``ModelParams`` or one per row (calibration).
    """
    from sim.engine import Engine, formalize_pairs

    pos = {a.id: i for i, a in enumerate(world.actors)}
    every = [shock for arm in arms for shock in arm]
    eng = Engine(world, params, seeds, formalize_pairs=formalize_pairs(pos, every))
    engines = [eng if k == len(arms) - 1 else eng._fork() for k in range(len(arms))]
    return _step_arms(engines, arms, months)


def _step_arms(engines: Sequence[Any], arms: Sequence[Sequence[Any]], months: int):
    """Step freshly built (or forked) engines `months` months, each under its arm's shocks,
    month by month together (forked arms share each month's random draws, so they are
    stepped in step); each arm's deliveries (R, months, ties)."""
    from sim.engine import RowView

    runs = []
    for eng, arm_shocks in zip(engines, arms, strict=True):
        views = [RowView(eng, r, time=0.0, shocks=()) for r in range(eng.R)]
        for view in views:
            for shock in arm_shocks:
                shock.validate(view)
                view.shocks.append(shock)
        due: dict[int, list[Any]] = {}
        for shock in arm_shocks:
            due.setdefault(int(shock.at), []).append(shock)
        out = np.zeros((eng.R, months, len(eng.supply.supplier)))
        runs.append((eng, views, due, out))
    for t in range(months + 1):
        for eng, views, due, out in runs:
            if t:
                eng.step()
                out[:, t - 1] = eng.deliveries
            for shock in due.get(t, ()):  # Mesa fires the shocks at t after the step to t
                for r, view in enumerate(views):
                    view.time = float(t)
                    eng.apply_shock(r, shock, view)
    return [out for *_, out in runs]


def _replicate_frame(shocked: np.ndarray, base: np.ndarray) -> pd.DataFrame:
    months, n = shocked.shape
    month, tie = np.meshgrid(np.arange(months), np.arange(n), indexing="ij")
    return pd.DataFrame(
        {
            "arm": np.repeat(["shock", "baseline"], months * n),
            "month": np.tile(month.ravel(), 2),
            "tie": np.tile(tie.ravel(), 2),
            "delivered": np.concatenate([shocked.ravel(), base.ravel()]),
        }
    )


def _read_replicate(frame: pd.DataFrame, months: int, n: int):
    arms = []
    for arm in ("shock", "baseline"):
        f = frame[frame["arm"] == arm]
        acc = np.zeros((months, n))
        acc[f["month"].to_numpy(), f["tie"].to_numpy()] = f["delivered"].to_numpy()
        arms.append(acc)
    return arms[0], arms[1]


def hindcast_record(episode: Episode, world: World, shocks: list[Any], months: int) -> dict:
    """What a hindcast's replicates depend on: the record its store compares on resume.

    Parameters
    ----------
    episode : Episode
        The parsed episode (its name, file hash, seed and replicates are recorded).
    world : World
        The world of the episode's year (recorded by its canonical hash).
    shocks : list of shocks
        The episode's shocks, built for `world`.
    months : int
        Months each replicate runs.

    Returns
    -------
    dict
        ``episode``, ``episode_sha256``, ``world_sha256``, ``shocks`` (as manifest records),
        ``months``, ``seed``, ``replicates``.

    Examples
    --------
    >>> from sim.history.episode import parse_episode
    >>> from sim.shocks import CutTie
    >>> from sim.worlds import synthetic
    >>> episode = parse_episode('[episode]\\nname = "e"\\nyear = 2004\\nreplicates = 2\\n'
    ...                         'seed = 7\\n[[shocks]]\\ntype = "cut_tie"\\n'
    ...                         'target = ["A00000", "A00001"]\\nat = 2\\n')
    >>> world = synthetic(8, mean_degree=2, rng=1)
    >>> r = hindcast_record(episode, world, [CutTie(("A00000", "A00001"), at=2)], 12)
    >>> sorted(r)
    ['episode', 'episode_sha256', 'months', 'replicates', 'seed', 'shocks', 'world_sha256']
    >>> r["episode"], r["months"], r["seed"], r["replicates"], r["shocks"][0]["type"]
    ('e', 12, 7, 2, 'cut_tie')
    """
    from sim.scenario import _shock_record, canonical_sha256

    return {
        "episode": episode.name,
        "episode_sha256": episode.sha256,
        "world_sha256": canonical_sha256(world.to_dict(json_safe=True)),
        "shocks": [_shock_record(s) for s in shocks],
        "months": months,
        "seed": episode.seed,
        "replicates": episode.replicates,
    }


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.ones_like(num, dtype=float), where=den > 0)


def hindcast(
    episode: Episode | str | Path,
    *,
    sipri: str | Path | Sequence[SipriDeal],
    alliances: str | Path | None = None,
    capabilities: str | Path | None = None,
    alliance_kind: str | None = None,
    rng: int | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    wait: bool | float = False,
    quiet: bool = True,
) -> Hindcast:
    """Hindcast an episode: the model and two null models against the flows SIPRI recorded.

    Parameters
    ----------
    episode : Episode or path
        A parsed episode or its file.
    sipri : path or sequence of SipriDeal
        The SIPRI trade register (or its records).
    alliances, capabilities : path, optional
        A COW or ATOP alliance file; a COW NMC file (see :func:`build_world`).
    alliance_kind : {"COW", "ATOP"}, optional
        The data set `alliances` must hold.
    rng : int, optional
        Seed of the bootstrap (default: the episode's seed).
    out : path, optional
        A ``hindcast`` store (:mod:`sim.store`) for the ensemble: one part per replicate
        (both arms' deliveries per month and supply tie), written as each completes, and the
        scores in the manifest when done. Without `resume`, a directory holding results is
        refused; with it, stored replicates are read back, not rerun.
    resume, wait : bool
        As for every store (:meth:`sim.store.Store.open`).
    quiet : bool
        No progress bar (the default; there is none anyway when stderr is not a terminal).

    Returns
    -------
    Hindcast

    Raises
    ------
    ValidationError
        Every problem at once: the episode's own, the data files', a year outside the data,
        no SIPRI data after the year, an actor or bloc unknown in the world of the year.

    Notes
    -----
    - Before-window: the `window` years up to the episode's year (the world's supply
      volumes). After-window: the `window` years after it, cut at the last year of the SIPRI
      data. Each flow is the mean monthly TIV delivered per dyad (supplier, recipient).
    - Scored dyads: every dyad with a SIPRI flow in either window that touches a shocked
      actor (a shock's target, the ends of a cut tie, sanctioning suppliers and buyers) or one
      of its partners (an actor with a partnership or supply tie to it in the world).
    - Change: ``log((after + c) / (before + c))``, ``c =`` :data:`FLOW_FLOOR`.
    - ``model``: the paired ensemble (each replicate's shocked run and its baseline share a
      seed); a dyad's predicted after-window flow is its volume times the shocked over the
      baseline deliveries, summed over the after-window months and the replicates. A dyad with
      no tie in the world is predicted not to change (0 stays 0).
    - ``persistence``: no flow changes.
    - ``direct``: only flows to or from the shocked actors change, by the shock alone: after
      each shock the tie's delivery ratio of the month that follows it (shocked over baseline,
      before any feedback can act) holds until the next shock; all other flows persist.
    - Spearman's rho between predicted and observed changes (NaN for a constant predictor,
      such as persistence); direction accuracy on the dyads whose observed flow changed by more
      than a factor :data:`FLAT_FACTOR`, a predicted change being up, down or flat by the same
      factor; 95% intervals from 2,000 bootstrap resamples of the dyads (percentiles).

    Examples
    --------
    A year's window of the hand-made test data, Russia's deliveries to Syria cut in month 2
    (1.667 million TIV a month before; none recorded after):

    >>> import tempfile
    >>> from pathlib import Path
    >>> import sim
    >>> data = Path(sim.__file__).parents[1] / "tests" / "data" / "history"  # hand-made files
    >>> episode = Path(tempfile.mkdtemp()) / "rus_syr_cut.toml"
    >>> _ = episode.write_text(
    ...     '[episode]\\nname = "rus_syr_cut"\\nyear = 2004\\nwindow = 1\\nreplicates = 2\\n'
    ...     'seed = 7\\n[[shocks]]\\ntype = "cut_tie"\\ntarget = ["RUS", "SYR"]\\nat = 2\\n')
    >>> h = hindcast(episode, sipri=data / "sipri.csv", alliances=data / "cow_member.csv",
    ...              capabilities=data / "nmc.csv")
    >>> h.after_years, len(h.dyads)
    ((2005, 2005), 3)
    >>> d = h.dyads.set_index(["supplier", "recipient"]).loc[("RUS", "SYR")]
    >>> [round(float(d[c]), 3) for c in ("before", "observed_after", "after_persistence",
    ...                                  "after_direct", "after_model")]
    [1.667, 0.0, 1.667, 0.278, 0.278]
    """
    import time

    start = time.perf_counter()
    problems: list[Problem] = []
    if not isinstance(episode, Episode):
        source = episode
        try:
            episode = load_episode(source)
        except ValidationError as exc:
            # the episode file is broken: still check the data files for the year it names,
            # so that every problem is reported at once
            problems.extend(exc.problems)
            year, window = _peek(source)
            if year is not None:
                try:
                    build_world(
                        year,
                        sipri=sipri,
                        alliances=alliances,
                        capabilities=capabilities,
                        window=window,
                        alliance_kind=alliance_kind,
                    )
                except ValidationError as more:
                    problems.extend(more.problems)
            raise ValidationError(problems, what=f"hindcast of {episode}") from None
    records: list[SipriDeal] | None = None
    if isinstance(sipri, str | Path):
        try:
            records = read_sipri_records(sipri, report=ImportReport())
        except ValidationError as exc:
            problems.extend(exc.problems)
    else:
        records = list(sipri)
    world = None
    if records is not None:
        try:
            world = build_world(
                episode.year,
                sipri=records,
                alliances=alliances,
                capabilities=capabilities,
                window=episode.window,
                alliance_kind=alliance_kind,
            )
        except ValidationError as exc:
            problems.extend(exc.problems)
        last_data = sipri_years(records)[1]
        if episode.year + 1 > last_data:
            problems.append(
                Problem(
                    f"{episode.source} episode.year",
                    f"no SIPRI deliveries after {episode.year} to compare with",
                    episode.year,
                    f"a year before {last_data}",
                )
            )
    elif alliances is not None or capabilities is not None:
        try:  # still report what is wrong with the other files
            build_world(
                episode.year,
                sipri=[],
                alliances=alliances,
                capabilities=capabilities,
                alliance_kind=alliance_kind,
            )
        except ValidationError as exc:
            problems.extend(p for p in exc.problems if p.where != "sipri records")
    shocks: list[Any] = []
    if world is not None:
        shocks, shock_problems = episode_shocks(episode, world)
        problems.extend(shock_problems)
    if problems:
        raise ValidationError(problems, what=f"hindcast of {episode.source}")
    assert world is not None and records is not None

    after_first = episode.year + 1
    after_last = min(episode.year + episode.window, sipri_years(records)[1])
    months = 12 * (after_last - after_first + 1)
    notes = []
    if after_last < episode.year + episode.window:
        notes.append(
            f"the SIPRI data end in {after_last}: the after-window is {after_first}-{after_last}"
        )

    store = None
    if out is not None:
        store = Store.open(
            out,
            "hindcast",
            hindcast_record(episode, world, shocks, months),
            resume=resume,
            wait=wait,
            extra={"source": episode.source},
        )
    try:
        shocked_steps, base_steps = _run_ensemble(
            world, shocks, episode, months, store=store, quiet=quiet
        )
        return _scored(
            episode, world, shocks, records, months, shocked_steps, base_steps,
            (after_first, after_last), notes, rng, start, store,
        )  # fmt: skip
    finally:
        if store is not None:
            store.close()


def _scored(
    episode: Episode,
    world: World,
    shocks: list[Any],
    records: list[SipriDeal],
    months: int,
    shocked_steps: np.ndarray,
    base_steps: np.ndarray,
    after_years: tuple[int, int],
    notes: list[str],
    rng: int | None,
    start: float,
    store: Store | None,
) -> Hindcast:
    """Predictions of the model and the null models for each dyad, scored (see hindcast)."""
    import time

    after_first, after_last = after_years
    ties = world.ties_in("supply")
    volume = np.array([t.volume for t in ties])
    model_after = volume * _ratio(shocked_steps.sum(0), base_steps.sum(0))
    targets = shocked_actors(shocks)
    touches = np.array([t.supplier in targets or t.recipient in targets for t in ties])
    # the direct null: the first month after each shock, frozen until the next one
    ratio_path = np.ones((months, len(ties)))
    for at in sorted({s.at for s in shocks if s.at < months}):
        immediate = _ratio(shocked_steps[at], base_steps[at])
        ratio_path[at:] = immediate
    direct_after = volume * np.where(touches, ratio_path.mean(0), 1.0)

    partners = set(targets)
    for t in world.ties:
        if t.layer == "rivalry":
            continue
        a, b = (t.supplier, t.recipient) if t.layer == "supply" else (t.a, t.b)
        if a in targets:
            partners.add(b)
        if b in targets:
            partners.add(a)
    first_data = sipri_years(records)[0]
    before_first = max(episode.year - episode.window + 1, first_data)
    before, _ = arms_flows(records, before_first, episode.year)
    after, _ = arms_flows(records, after_first, after_last)
    index = {(t.supplier, t.recipient): k for k, t in enumerate(ties)}
    rows = []
    for dyad in sorted(set(before) | set(after)):
        if not (dyad[0] in partners or dyad[1] in partners):
            continue
        k = index.get(dyad)
        b0 = before.get(dyad, 0.0)
        rows.append(
            {
                "supplier": dyad[0],
                "recipient": dyad[1],
                "before": b0,
                "observed_after": after.get(dyad, 0.0),
                "after_model": float(model_after[k]) if k is not None else b0,
                "after_persistence": b0,
                "after_direct": float(direct_after[k]) if k is not None else b0,
            }
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "supplier",
            "recipient",
            "before",
            "observed_after",
            *(f"after_{p}" for p in PREDICTORS),
        ],
    )
    df["observed"] = log_change(df["before"].to_numpy(), df["observed_after"].to_numpy())
    for p in PREDICTORS:
        df[p] = log_change(df["before"].to_numpy(), df[f"after_{p}"].to_numpy())
    metrics = _score(df, np.random.default_rng(episode.seed if rng is None else rng))
    result = Hindcast(
        episode=episode,
        world=world,
        dyads=df,
        metrics=metrics,
        after_years=(after_first, after_last),
        seconds=time.perf_counter() - start,
        notes=notes,
    )
    if store is not None:
        store.finish(scores=result.to_dict(), replicates_stored=sorted(store.keys()))
    return result


def _peek(path: str | Path) -> tuple[int | None, int]:
    """The year and window a broken episode file (or shipped episode) names, if readably."""
    import tomllib

    from sim.worlds import resolve

    try:
        file = Path(resolve(path, "episode"))
        meta = tomllib.loads(file.read_text(encoding="utf-8")).get("episode", {})
    except (OSError, ValueError, SimError):
        return None, 5
    year, window = meta.get("year"), meta.get("window", 5)
    ok = isinstance(year, int) and not isinstance(year, bool) and year > 0
    okw = isinstance(window, int) and not isinstance(window, bool) and window >= 1
    return (year if ok else None), (window if okw else 5)


def _score(df: pd.DataFrame, gen: np.random.Generator) -> dict[str, dict[str, Any]]:
    obs = df["observed"].to_numpy()
    n = len(obs)
    draws = gen.integers(0, n, size=(_BOOTSTRAP, n)) if n else np.zeros((0, 0), dtype=int)
    out: dict[str, dict[str, Any]] = {}
    for p in PREDICTORS:
        pred = df[p].to_numpy()
        rho, acc = spearman(pred, obs), _accuracy(pred, obs)
        boot_rho = np.array([spearman(pred[i], obs[i]) for i in draws])
        boot_acc = np.array([_accuracy(pred[i], obs[i]) for i in draws])
        out[p] = {
            "spearman": rho,
            "direction_accuracy": acc,
            "ci": {
                "spearman": _interval(boot_rho) if math.isfinite(rho) else [math.nan] * 2,
                "direction_accuracy": _interval(boot_acc),
            },
        }
    return out


def _interval(values: np.ndarray) -> list[float]:
    ok = values[np.isfinite(values)]
    if len(ok) == 0:
        return [math.nan, math.nan]
    lo, hi = np.percentile(ok, [2.5, 97.5])
    return [float(lo), float(hi)]
