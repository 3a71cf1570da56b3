"""Global sensitivity analysis: designs run in chunks on an executor, streamed to disk, analysed.

The pipeline is the same for any model: a design's sample points are cut into chunks; an
executor (serial, local processes or a Dask cluster) evaluates each chunk with a picklable
``evaluate(values) -> float | dict`` and hands back as soon as a chunk is done; the driver
writes each chunk as one Parquet part (atomically) and keeps only the outputs' numbers, so a
100,000-run design never holds more than a window of chunk results; a rerun into the same
directory skips the parts already written. SALib turns the outputs into Sobol' or Morris
indices.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim._files import atomic_write, atomic_write_text
from sim.designs import Design, make_design
from sim.errors import Problem, SimError, ValidationError, suggest
from sim.executors import Executor, make_executor
from sim.uncertainty import Distribution, parse_space

__all__ = [
    "STABLE_CONF",
    "Ishigami",
    "SensitivityResult",
    "design_notes",
    "get_executor",
    "ishigami_indices",
    "morris_table",
    "read_outputs",
    "run_design",
    "sensitivity",
    "sobol_table",
]

log = logging.getLogger(__name__)

# -- executors ---------------------------------------------------------------------------------


def get_executor(
    executor: str | Executor | None = "serial",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
) -> tuple[Executor, bool]:
    """An executor by name (:func:`sim.executors.make_executor`) or the one given.

    Returns it and whether the caller must close it. ``None`` means Dask when a `scheduler`
    is given, else serial. Any object with ``imap_unordered(fn, items)`` and ``workers`` works.
    """
    if executor is None:
        executor = "dask" if scheduler else "serial"
    if not isinstance(executor, str):
        if not hasattr(executor, "imap_unordered"):
            raise SimError(f"executor {executor!r} has no imap_unordered(fn, items) method")
        return executor, False
    if executor == "dask" and workers is None:
        workers = 2
    return make_executor(executor, workers=workers, scheduler=scheduler), True


# -- the chunked, streamed pipeline ------------------------------------------------------------


@dataclass(frozen=True)
class _ChunkTask:
    """Evaluate one chunk of sample points (picklable; runs on a worker)."""

    evaluate: Callable[[Mapping[str, float]], float | Mapping[str, float]]
    names: tuple[str, ...]

    def __call__(self, item: tuple[int, int, np.ndarray]) -> tuple[int, dict[str, np.ndarray]]:
        chunk, start, values = item
        rows = []
        for row in values:
            out = self.evaluate(dict(zip(self.names, row.tolist(), strict=True)))
            rows.append({"y": float(out)} if not isinstance(out, Mapping) else out)
        keys = list(rows[0])
        cols = {k: np.array([float(r[k]) for r in rows]) for k in keys}
        cols["sample"] = np.arange(start, start + len(values), dtype=np.int64)
        return chunk, cols


def _auto_chunk(n: int, workers: int) -> int:
    # Enough chunks that every worker gets several (load balance, a lost worker costs little),
    # few enough that per-task overhead (~ms on Dask) stays far below the work in a chunk.
    return int(min(1000, max(1, math.ceil(n / (8 * workers)))))


def _manifest(design: Design, chunk_size: int, extra: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "kind": "alliance-sim sensitivity design",
        "fingerprint": design.fingerprint(),
        "method": design.method,
        "options": design.options,
        "parameters": {k: d.to_dict() for k, d in design.space.items()},
        "runs": len(design),
        "chunk_size": chunk_size,
        "chunks": math.ceil(len(design) / chunk_size),
        **extra,
    }


def run_design(
    evaluate: Callable[[Mapping[str, float]], float | Mapping[str, float]],
    design: Design,
    *,
    out: str | Path | None = None,
    executor: str | Executor | None = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
    manifest: Mapping[str, Any] | None = None,
) -> dict[str, np.ndarray]:
    """Evaluate every sample point of `design`, chunk by chunk, streaming parts to `out`.

    Parameters
    ----------
    evaluate : callable
        ``evaluate({name: value}) -> float | {output: float}``; picklable for the process and
        Dask executors (a module-level function or an instance of a module-level class).
    design : Design
    out : path, optional
        Directory for ``design.json`` (the manifest: parameters, distributions, options),
        ``points.parquet`` (sample points: values and unit coordinates) and
        ``parts/part-NNNNN.parquet`` (one per chunk: ``sample``, values, outputs). A rerun
        with the same design into the same directory evaluates only the missing chunks.
    executor : {"serial", "processes", "dask"} or executor object
        Anything with ``imap_unordered(fn, items)`` and ``workers`` can be plugged in.
    workers : int, optional
        Processes for ``processes`` and a local Dask cluster.
    scheduler : str, optional
        A Dask scheduler address (implies ``executor="dask"``).
    chunk_size : int, optional
        Sample points per task (default: about 8 chunks per worker, at most 1000).
    on_chunk : callable, optional
        Called as ``on_chunk(done, total)`` after each chunk is stored.
    manifest : mapping, optional
        Extra entries for ``design.json`` (scenario, outcome, replicates...).

    Returns
    -------
    dict of str to ndarray
        Each output, indexed by sample id (only these numbers stay in memory).
    """
    ex, owned = get_executor(executor, workers=workers, scheduler=scheduler)
    try:
        n = len(design)
        size = (
            chunk_size
            or _stored_chunk_size(out, design)
            or _auto_chunk(n, getattr(ex, "workers", 1))
        )
        size = int(size)
        n_chunks = math.ceil(n / size)
        outputs: dict[str, np.ndarray] = {}
        done: set[int] = set()
        parts_dir = None
        if out is not None:
            parts_dir = _prepare_out(Path(out), design, _manifest(design, size, manifest or {}))
            for chunk, cols in _existing_parts(parts_dir, n_chunks, design.names):
                _fill(outputs, cols, n)
                done.add(chunk)
        values = design.values()
        names = tuple(design.names)
        todo = (
            (c, c * size, values[c * size : (c + 1) * size])
            for c in range(n_chunks)
            if c not in done
        )
        task = _ChunkTask(evaluate, names)
        count = len(done)
        for chunk, cols in ex.imap_unordered(task, todo):
            if parts_dir is not None:
                idx = cols["sample"]
                frame = pd.DataFrame({"sample": idx})
                for j, name in enumerate(names):
                    frame[name] = values[idx, j]
                for k, v in cols.items():
                    if k != "sample":
                        frame[k] = v
                atomic_write(parts_dir / f"part-{chunk:05d}.parquet", frame.to_parquet)
            _fill(outputs, cols, n)
            count += 1
            if on_chunk is not None:
                on_chunk(count, n_chunks)
        if count != n_chunks:  # pragma: no cover - an executor that drops results is a bug
            raise SimError(f"only {count} of {n_chunks} chunks came back")
        return outputs
    finally:
        if owned:
            ex.close()


def _fill(outputs: dict[str, np.ndarray], cols: Mapping[str, np.ndarray], n: int) -> None:
    idx = cols["sample"]
    for k, v in cols.items():
        if k == "sample":
            continue
        if k not in outputs:
            outputs[k] = np.full(n, np.nan)
        outputs[k][idx] = v


#: Manifest entries that may change between a run and its resumption (they name what is
#: analysed, not what was run).
_VOLATILE = ("outcome", "outcome_definition")


def _stored_chunk_size(out: str | Path | None, design: Design) -> int | None:
    """The chunk size of an earlier run of the same design in `out` (so resuming on another
    executor, with another default chunk size, still matches the stored parts)."""
    if out is None or not (Path(out) / "design.json").exists():
        return None
    old = json.loads((Path(out) / "design.json").read_text())
    return old.get("chunk_size") if old.get("fingerprint") == design.fingerprint() else None


def _stored_differences(
    old: Mapping, new: Mapping, keys: Iterable[str]
) -> dict[str, tuple[Any, Any]]:
    """``{key: (stored, new)}`` where the runs differ, one level into tables.

    The fingerprint (a hash of everything) is left out when a named setting explains it.
    """
    out: dict[str, tuple[Any, Any]] = {}
    for k in sorted(keys):
        a, b = old.get(k), new.get(k)
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            for sub in sorted(set(a) | set(b)):
                if a.get(sub) != b.get(sub):
                    out[f"{k}.{sub}"] = (a.get(sub), b.get(sub))
        else:
            out[k] = (a, b)
    if len(out) > 1:
        out.pop("fingerprint", None)
    return out


def _prepare_out(out: Path, design: Design, manifest: dict[str, Any]) -> Path:
    parts = out / "parts"
    mpath = out / "design.json"
    if mpath.exists():
        old = json.loads(mpath.read_text())
        # Compare through JSON so tuples and lists, ints and floats compare as stored.
        new = json.loads(json.dumps(manifest, default=str))
        differ = [k for k in set(old) | set(new) if k not in _VOLATILE and old.get(k) != new.get(k)]
        if differ:
            raise ValidationError(
                [
                    Problem(
                        f"{out} (design.json) {key}",
                        "differs from the run stored there",
                        now,
                        f"the stored value {was!r} (to resume), or another --out",
                        "choose another --out, or delete the directory to start afresh",
                    )
                    for key, (was, now) in _stored_differences(old, new, differ).items()
                ],
                what=f"output directory {out}",
            )
    parts.mkdir(parents=True, exist_ok=True)
    atomic_write_text(mpath, json.dumps(manifest, indent=2, default=str) + "\n")
    points = out / "points.parquet"
    if not points.exists():
        frame = design.frame
        for j, name in enumerate(design.names):
            frame[f"unit:{name}"] = design.unit[:, j]
        atomic_write(points, frame.to_parquet)
    return parts


def _existing_parts(
    parts: Path, n_chunks: int, names: Iterable[str]
) -> Iterator[tuple[int, dict[str, np.ndarray]]]:
    """Chunks already stored (by an interrupted run): their sample ids and outputs."""
    import pyarrow.parquet as pq

    inputs = set(names)
    for p in sorted(parts.glob("part-*.parquet")):
        chunk = int(p.stem.split("-")[1])
        if chunk >= n_chunks:
            continue
        table = pq.read_table(p)
        yield chunk, {c: table.column(c).to_numpy() for c in table.column_names if c not in inputs}


def read_outputs(out: str | Path, column: str) -> np.ndarray:
    """One output column of a stored run, indexed by sample id, read part by part."""
    import pyarrow.parquet as pq

    out = Path(out)
    manifest = json.loads((out / "design.json").read_text())
    y = np.full(int(manifest["runs"]), np.nan)
    for p in sorted((out / "parts").glob("part-*.parquet")):
        t = pq.read_table(p, columns=["sample", column])
        y[t.column("sample").to_numpy()] = t.column(column).to_numpy()
    return y


# -- analysis ----------------------------------------------------------------------------------


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
    rng : Generator or int or None
        Seeds the bootstrap.

    Returns
    -------
    DataFrame
        ``parameter, S1, S1_conf, ST, ST_conf``, one row per input in design order. A constant
        output has no variance to apportion: every index is 0.

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

    Returns
    -------
    DataFrame
        ``parameter, mu_star, mu_star_conf, sigma, mu``.
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


# -- the test function with known indices -------------------------------------------------------


@dataclass(frozen=True)
class Ishigami:
    """The Ishigami function ``sin x1 + a sin² x2 + b x3⁴ sin x1`` on ``[-π, π]³``.

    Its Sobol' indices are known in closed form (:func:`ishigami_indices`), so it checks the
    whole design → executor → store → analysis pipeline independently of the model.

    References
    ----------
    Ishigami, T. and Homma, T. (1990). An importance quantification technique in uncertainty
    analysis for computer models. ISUMA '90, 398-403.
    """

    a: float = 7.0
    b: float = 0.1
    delay: float = 0.0  # seconds per evaluation, to make a fast function take wall time

    @property
    def space(self) -> dict[str, Distribution]:
        """``x1, x2, x3`` uniform on ``[-π, π]``."""
        from sim.uncertainty import Uniform

        return {f"x{i}": Uniform(-math.pi, math.pi) for i in (1, 2, 3)}

    def __call__(self, values: Mapping[str, float]) -> float:
        if self.delay:
            time.sleep(self.delay)
        x1, x2, x3 = values["x1"], values["x2"], values["x3"]
        return math.sin(x1) + self.a * math.sin(x2) ** 2 + self.b * x3**4 * math.sin(x1)


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> pd.DataFrame:
    """The exact first- and total-order indices of the Ishigami function.

    ``V1 = (1 + b π⁴/5)²/2``, ``V2 = a²/8``, ``V13 = b² π⁸ (1/18 - 1/50)``,
    ``V = V1 + V2 + V13``; S1 = (V1, V2, 0)/V, ST = (V1 + V13, V2, V13)/V.
    """
    pi4 = math.pi**4
    v1 = 0.5 * (1 + b * pi4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi4**2 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return pd.DataFrame(
        {
            "parameter": ["x1", "x2", "x3"],
            "S1": [v1 / v, v2 / v, 0.0],
            "ST": [(v1 + v13) / v, v2 / v, v13 / v],
        }
    )


# -- the generic entry point --------------------------------------------------------------------


@dataclass
class SensitivityResult:
    """Indices and what produced them.

    Attributes
    ----------
    table : DataFrame
        Sobol' (``parameter, S1, S1_conf, ST, ST_conf``) or Morris
        (``parameter, mu_star, mu_star_conf, sigma, mu``) indices.
    method, outcome : str
    design : Design
        The sample points (values via ``design.frame``).
    outputs : dict of str to ndarray
        Every output per sample point.
    out : Path or None
        Where parts, manifest and ``indices.csv`` were written.
    """

    table: pd.DataFrame
    method: str
    outcome: str
    design: Design
    outputs: dict[str, np.ndarray] = field(repr=False)
    out: Path | None = None
    seconds: float = 0.0

    @property
    def runs(self) -> int:
        """Sample points evaluated."""
        return len(self.design)

    def to_string(self) -> str:
        """The table, formatted for a terminal."""
        head = (
            f"{self.method} sensitivity of {self.outcome!r}: {self.runs} sample points, "
            f"{len(self.design.names)} parameters"
        )
        return head + "\n" + self.table.to_string(index=False, float_format=lambda x: f"{x:.4f}")


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


def sensitivity(
    func_or_scenario: Any,
    problem: Mapping[str, Any] | None = None,
    *,
    method: str = "sobol",
    samples: int = 256,
    rng: np.random.Generator | int | None = None,
    outcome: str | None = None,
    out: str | Path | None = None,
    executor: str | Executor | None = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
    **options: Any,
) -> SensitivityResult:
    """Run a sensitivity analysis of a function or of a scenario's outcome.

    Parameters
    ----------
    func_or_scenario : callable, ScenarioSpec or path
        A picklable ``f({name: value}) -> float | {output: float}``, or a scenario (object or
        file) whose ``[uncertainty]`` section gives the inputs (see
        :func:`sim.uncertain_world.scenario_sensitivity`).
    problem : mapping, optional
        For a function: name to :class:`~sim.uncertainty.Distribution` or to a spec such as
        ``{"dist": "uniform", "lo": 0, "hi": 1}``.
    method : {"sobol", "morris"}
    samples : int
        Base samples for Sobol' (rounded up to a power of two; ``samples * (d + 2)`` runs) or
        trajectories for Morris (``samples * (d + 1)`` runs).
    rng : Generator or int or None
        Seeds the design and the bootstrap (children via ``SeedSequence.spawn``).
    outcome : str, optional
        The output to analyse when the function returns several (default: the first).
    out, executor, workers, scheduler, chunk_size, on_chunk
        As in :func:`run_design`; with `out`, ``indices.csv`` is written there too.
    **options
        Passed to the design (``calc_second_order``, ``num_levels``).

    Returns
    -------
    SensitivityResult

    Examples
    --------
    The Ishigami function's indices are known (x2: S1 = ST = 0.44; x3: S1 = 0, ST = 0.24):

    >>> from sim.sensitivity import Ishigami, sensitivity
    >>> res = sensitivity(Ishigami(), method="sobol", samples=1024, rng=1)
    >>> t = res.table.set_index("parameter")
    >>> bool(abs(t.loc["x2", "S1"] - 0.44) < 0.05), bool(abs(t.loc["x3", "ST"] - 0.24) < 0.05)
    (True, True)
    """
    if not callable(func_or_scenario):
        from sim.uncertain_world import scenario_sensitivity

        return scenario_sensitivity(
            func_or_scenario,
            method=method,
            samples=samples,
            rng=rng,
            outcome=outcome,
            out=out,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            chunk_size=chunk_size,
            on_chunk=on_chunk,
            **options,
        )
    if problem is None:
        space = getattr(func_or_scenario, "space", None)
        if space is None:
            raise SimError("sensitivity(func, problem): give the problem (name -> distribution)")
    elif problem and all(isinstance(v, Distribution) for v in problem.values()):
        space = dict(problem)
    else:
        spec = {k: v.to_dict() if isinstance(v, Distribution) else v for k, v in problem.items()}
        space = parse_space(spec, where="problem")
    return analyse_function(
        func_or_scenario,
        space,
        method=method,
        samples=samples,
        rng=rng,
        outcome=outcome,
        out=out,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        chunk_size=chunk_size,
        on_chunk=on_chunk,
        **options,
    )


def analyse_function(
    evaluate: Callable[[Mapping[str, float]], Any],
    space: Mapping[str, Distribution],
    *,
    method: str = "sobol",
    samples: int = 256,
    rng=None,
    outcome: str | None = None,
    out: str | Path | None = None,
    manifest: Mapping[str, Any] | None = None,
    **run_options: Any,
) -> SensitivityResult:
    """Design, run and analyse: the steps of :func:`sensitivity` for a given input space."""
    if method not in ("sobol", "morris"):
        raise ValidationError(
            [
                Problem(
                    "method",
                    "unknown method",
                    method,
                    "sobol, morris",
                    suggest(method, ["sobol", "morris"]),
                )
            ],
            what="options",
        )
    design_opts = {
        k: run_options.pop(k) for k in ("calc_second_order", "num_levels") if k in run_options
    }
    design_rng, boot_rng = np.random.SeedSequence(_entropy(rng)).spawn(2)
    design = make_design(
        method, space, samples, rng=np.random.default_rng(design_rng), **design_opts
    )
    t0 = time.perf_counter()
    outputs = run_design(evaluate, design, out=out, manifest=manifest, **run_options)
    seconds = time.perf_counter() - t0
    if outcome is None:
        outcome = next(iter(outputs))
    if outcome not in outputs:
        raise ValidationError(
            [
                Problem(
                    "outcome",
                    "not an output",
                    outcome,
                    ", ".join(outputs),
                    suggest(outcome, outputs),
                )
            ],
            what="options",
        )
    analyse = sobol_table if method == "sobol" else morris_table
    table = analyse(design, outputs[outcome], rng=np.random.default_rng(boot_rng))
    if out is not None:
        atomic_write(Path(out) / "indices.csv", lambda p: table.to_csv(p, index=False))
    return SensitivityResult(
        table, method, outcome, design, outputs, Path(out) if out else None, seconds
    )


def _entropy(rng: np.random.Generator | int | None) -> int | None:
    if rng is None or isinstance(rng, int | np.integer):
        return None if rng is None else int(rng)
    return int(rng.integers(2**63 - 1))
