"""Design runs: a design's sample points evaluated in chunks on an executor, streamed to a store.

A design's sample points are cut into chunks (:func:`sim.executors.chunk_size`); an executor
(serial, local processes or a Dask cluster) evaluates each chunk with a picklable
``evaluate(values) -> float | dict`` and hands it back as soon as it is done; the driver
writes each chunk as one part of a ``design`` store (:mod:`sim.store`: atomic, locked, one
resume policy) and keeps only the outputs' numbers, so a 100,000-run design never holds more
than a window of chunk results. An evaluator with an ``evaluate_many(values_list)`` method
gets a whole chunk at once (:class:`sim.sensitivity.uncertain.ScenarioEvaluator`, whose
``evaluate_points`` a batched evaluator can replace).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.designs import Design
from sim.errors import SimError
from sim.executors import Executor, chunk_size, progress, resolve_executor
from sim.store import Store

__all__ = ["POINTS", "design_record", "read_outputs", "run_design"]

#: The sample points of a stored design (values and unit-cube coordinates), beside its parts.
POINTS = "points.parquet"


@dataclass(frozen=True)
class _ChunkTask:
    """Evaluate one chunk of sample points (picklable; runs on a worker)."""

    evaluate: Callable[[Mapping[str, float]], float | Mapping[str, float]]
    names: tuple[str, ...]

    def __call__(self, item: tuple[int, int, np.ndarray]) -> tuple[int, dict[str, np.ndarray]]:
        chunk, start, values = item
        points = [dict(zip(self.names, row.tolist(), strict=True)) for row in values]
        many = getattr(self.evaluate, "evaluate_many", None)
        outs = many(points) if many is not None else [self.evaluate(p) for p in points]
        rows = [{"y": float(o)} if not isinstance(o, Mapping) else o for o in outs]
        keys = list(rows[0])
        cols = {k: np.array([float(r[k]) for r in rows]) for k in keys}
        cols["sample"] = np.arange(start, start + len(values), dtype=np.int64)
        return chunk, cols


def design_record(design: Design, size: int, extra: Mapping[str, Any]) -> dict[str, Any]:
    """What a design run's parts depend on: the store's record (compared on resume).

    Parameters
    ----------
    design : Design
        The sample points.
    size : int
        Sample points per chunk (one stored part each).
    extra : mapping
        More record entries (scenario, outcome, replicates...).

    Returns
    -------
    dict
        The design's fingerprint, method, options, distributions, runs, chunk size and
        number of chunks, then `extra`.

    Examples
    --------
    >>> from sim.designs import make_design
    >>> from sim.sensitivity.runs import design_record
    >>> from sim.uncertainty import Uniform
    >>> design = make_design("monte_carlo", {"a": Uniform(0, 1)}, 10, rng=1)
    >>> record = design_record(design, 4, {"outcome": "y"})
    >>> record["runs"], record["chunk_size"], record["chunks"], record["outcome"]
    (10, 4, 3, 'y')
    """
    return {
        "design_fingerprint": design.fingerprint(),
        "method": design.method,
        "options": design.options,
        "parameters": {k: d.to_dict() for k, d in design.space.items()},
        "runs": len(design),
        "chunk_size": size,
        "chunks": math.ceil(len(design) / size),
        **extra,
    }


def _ckey(chunk: int) -> str:
    return f"c{chunk:06d}"


def run_design(
    evaluate: Callable[[Mapping[str, float]], float | Mapping[str, float]],
    design: Design,
    *,
    out: str | Path | None = None,
    resume: bool = False,
    wait: bool | float = False,
    executor: str | Executor | None = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
    manifest: Mapping[str, Any] | None = None,
    quiet: bool = False,
) -> dict[str, np.ndarray]:
    """Evaluate every sample point of `design`, chunk by chunk, streaming parts to `out`.

    Parameters
    ----------
    evaluate : callable
        ``evaluate({name: value}) -> float | {output: float}``; picklable for the process and
        Dask executors (a module-level function or an instance of a module-level class).
        With an ``evaluate_many(list of {name: value}) -> list`` method, it gets each chunk
        whole.
    design : Design
    out : path, optional
        A ``design`` store (:mod:`sim.store`): ``manifest.json`` (the record: design
        fingerprint, method, options, distributions, chunking, and `manifest`'s entries),
        ``points.parquet`` (sample points: values and unit coordinates) and
        ``parts/cNNNNNN.outputs.parquet`` (one per chunk: ``sample``, values, outputs).
    resume : bool
        Keep the chunks already stored in `out` (the same design and evaluator) and evaluate
        only the missing ones. Without it, a directory holding results is an error (the
        policy of every store).
    wait : bool or float
        Wait for another process writing to `out` instead of raising
        :class:`sim.store.StoreLockedError`.
    executor : {"serial", "processes", "dask"}, executor object or None
        See :func:`sim.executors.resolve_executor`.
    workers : int, optional
        Processes for ``processes`` and a local Dask cluster.
    scheduler : str, optional
        A Dask scheduler address (with ``executor="dask"``, or ``None``).
    chunk_size : int, optional
        Sample points per task (default: :func:`sim.executors.chunk_size`; on resume, the
        stored run's).
    on_chunk : callable, optional
        Called as ``on_chunk(done, total)`` after each chunk is stored.
    manifest : mapping, optional
        Extra record entries (scenario, outcome, replicates...); ``outcome`` and
        ``outcome_definition`` may change on resume (they name what is analysed).
    quiet : bool
        No progress bar (there is none anyway when stderr is not a terminal).

    Returns
    -------
    dict of str to ndarray
        Each output, indexed by sample id (only these numbers stay in memory).

    Examples
    --------
    >>> import os, tempfile
    >>> from sim.designs import make_design
    >>> from sim.sensitivity import run_design
    >>> from sim.uncertainty import Uniform
    >>> def linear(v):
    ...     return {"y": v["a"] + 2 * v["b"]}
    >>> design = make_design("monte_carlo", {"a": Uniform(0, 1), "b": Uniform(0, 1)}, 4, rng=1)
    >>> out = tempfile.mkdtemp()
    >>> outputs = run_design(linear, design, out=out, chunk_size=2, quiet=True)
    >>> outputs["y"].round(3).tolist()
    [2.413, 2.041, 1.158, 1.646]
    >>> sorted(os.listdir(out))
    ['manifest.json', 'parts', 'points.parquet']
    >>> sorted(os.listdir(os.path.join(out, "parts")))  # one part per chunk of 2 points
    ['c000000.outputs.parquet', 'c000001.outputs.parquet']
    """
    ex, owned = resolve_executor(executor, workers=workers, scheduler=scheduler)
    store = None
    try:
        n = len(design)
        size = int(
            chunk_size
            or (_stored_chunk_size(out, design) if resume else None)
            or _default_chunk_size(n, getattr(ex, "workers", 1))
        )
        n_chunks = math.ceil(n / size)
        outputs: dict[str, np.ndarray] = {}
        done: set[int] = set()
        if out is not None:
            store = Store.open(
                out, "design", design_record(design, size, manifest or {}), resume=resume, wait=wait
            )
            _write_points(Path(out), design)
            for key in sorted(store.keys()):
                chunk = int(key[1:])
                if chunk >= n_chunks:
                    continue
                table = store.read_part(key)
                cols = {c: table[c].to_numpy() for c in table.columns if c not in design.names}
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
        stored_points = sum(min(size, n - c * size) for c in done)
        with progress(n, initial=stored_points, quiet=quiet, desc=design.method, unit="pt") as bar:
            for chunk, cols in ex.imap_unordered(task, todo):
                if store is not None:
                    idx = cols["sample"]
                    frame = pd.DataFrame({"sample": idx})
                    for j, name in enumerate(names):
                        frame[name] = values[idx, j]
                    for k, v in cols.items():
                        if k != "sample":
                            frame[k] = v
                    store.write_part(_ckey(chunk), frame)
                _fill(outputs, cols, n)
                count += 1
                bar.update(len(cols["sample"]))
                if on_chunk is not None:
                    on_chunk(count, n_chunks)
        if count != n_chunks:  # pragma: no cover - an executor that drops results is a bug
            raise SimError(f"only {count} of {n_chunks} chunks came back")
        if store is not None:
            store.finish()
        return outputs
    finally:
        if store is not None:
            store.close()
        if owned:
            ex.close()


def _default_chunk_size(n: int, workers: int) -> int:
    return chunk_size(n, workers)


def _fill(outputs: dict[str, np.ndarray], cols: Mapping[str, np.ndarray], n: int) -> None:
    idx = cols["sample"]
    for k, v in cols.items():
        if k == "sample":
            continue
        if k not in outputs:
            outputs[k] = np.full(n, np.nan)
        outputs[k][idx] = v


def _stored_chunk_size(out: str | Path | None, design: Design) -> int | None:
    """The chunk size of an earlier run of the same design in `out` (so resuming on another
    executor, with another default chunk size, still matches the stored parts)."""
    if out is None or not (Path(out) / "manifest.json").exists():
        return None
    record = Store(out).manifest().get("design") or {}
    same = record.get("design_fingerprint") == design.fingerprint()
    return record.get("chunk_size") if same else None


def _write_points(out: Path, design: Design) -> None:
    from sim._files import atomic_write

    points = out / POINTS
    if not points.exists():
        frame = design.frame
        for j, name in enumerate(design.names):
            frame[f"unit:{name}"] = design.unit[:, j]
        atomic_write(points, frame.to_parquet)


def read_outputs(out: str | Path, column: str) -> np.ndarray:
    """One output column of a stored design run, indexed by sample id, read part by part.

    Parameters
    ----------
    out : str or Path
        The results directory of a design run (:func:`run_design` with `out`).
    column : str
        An output (or input) column of its parts.

    Returns
    -------
    ndarray
        One value per sample point; NaN for points not stored yet.

    Raises
    ------
    ValidationError
        `out` holds no design run.

    Examples
    --------
    >>> import tempfile
    >>> from sim.designs import make_design
    >>> from sim.sensitivity import read_outputs, run_design
    >>> from sim.uncertainty import Uniform
    >>> def linear(v):
    ...     return {"y": v["a"] + 2 * v["b"]}
    >>> design = make_design("monte_carlo", {"a": Uniform(0, 1), "b": Uniform(0, 1)}, 4, rng=1)
    >>> out = tempfile.mkdtemp()
    >>> _ = run_design(linear, design, out=out, quiet=True)
    >>> read_outputs(out, "y").round(3).tolist()
    [2.413, 2.041, 1.158, 1.646]
    """
    store = Store(out)
    manifest = store.require_kind("design", reader="read_outputs")
    y = np.full(int(manifest["design"]["runs"]), np.nan)
    for key in sorted(store.keys()):
        t = store.read_part(key, columns=["sample", column])
        y[t["sample"].to_numpy()] = t[column].to_numpy()
    return y
