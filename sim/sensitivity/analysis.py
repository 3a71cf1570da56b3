"""Design, run and analyse: :func:`analyse` for a function or a scenario's outcome."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim._files import atomic_write
from sim.designs import Design, make_design
from sim.errors import Problem, SimError, ValidationError, suggest
from sim.executors import Executor
from sim.sensitivity.indices import morris_table, sobol_table
from sim.sensitivity.runs import run_design
from sim.uncertainty import Distribution, parse_space

__all__ = ["SensitivityResult", "analyse", "analyse_function"]


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
    seconds : float
        Wall time of the design run (not of the analysis).

    Examples
    --------
    >>> from sim.sensitivity import Ishigami, analyse
    >>> res = analyse(Ishigami(), method="morris", samples=4, rng=1, quiet=True)
    >>> res.method, res.outcome, res.runs, list(res.table.columns)
    ('morris', 'y', 16, ['parameter', 'mu_star', 'mu_star_conf', 'sigma', 'mu'])
    >>> print(res.to_string().splitlines()[0])
    morris sensitivity of 'y': 16 sample points, 3 parameters
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


def analyse(
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
    resume: bool = False,
    wait: bool | float = False,
    quiet: bool = False,
    **options: Any,
) -> SensitivityResult:
    """Run a sensitivity analysis of a function or of a scenario's outcome.

    Parameters
    ----------
    func_or_scenario : callable, ScenarioSpec or path
        A picklable ``f({name: value}) -> float | {output: float}``, or a scenario (object or
        file) whose ``[uncertainty]`` section gives the inputs (see
        :func:`sim.sensitivity.uncertain.scenario_sensitivity`).
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
    out, resume, wait, executor, workers, scheduler, chunk_size, on_chunk, quiet
        As in :func:`~sim.sensitivity.run_design`; with `out`, ``indices.csv`` is written
        there too.
    **options
        Passed to the design (``calc_second_order``, ``num_levels``).

    Returns
    -------
    SensitivityResult

    Examples
    --------
    The Ishigami function's indices are known (x2: S1 = ST = 0.44; x3: S1 = 0, ST = 0.24):

    >>> import sim
    >>> from sim.sensitivity import Ishigami
    >>> res = sim.analyse_sensitivity(Ishigami(), method="sobol", samples=1024, rng=1)
    >>> t = res.table.set_index("parameter")
    >>> bool(abs(t.loc["x2", "S1"] - 0.44) < 0.05), bool(abs(t.loc["x3", "ST"] - 0.24) < 0.05)
    (True, True)
    """
    if not callable(func_or_scenario):
        from sim.sensitivity.uncertain import scenario_sensitivity

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
            resume=resume,
            wait=wait,
            quiet=quiet,
            **options,
        )
    if problem is None:
        space = getattr(func_or_scenario, "space", None)
        if space is None:
            raise SimError(
                "analyse_sensitivity(func, problem): give the problem (name -> distribution)"
            )
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
        resume=resume,
        wait=wait,
        quiet=quiet,
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
    """Design, run and analyse: the steps of :func:`analyse` for a given input space.

    Parameters
    ----------
    evaluate : callable
        ``evaluate({name: value}) -> float | {output: float}`` (see
        :func:`~sim.sensitivity.run_design`).
    space : mapping of str to Distribution
        The uncertain inputs, in column order.
    method : {"sobol", "morris"}
    samples : int
        Base samples (Sobol') or trajectories (Morris), as in :func:`analyse`.
    rng : Generator or int or None
        Seeds the design and the bootstrap.
    outcome : str, optional
        The output analysed (default: the first the function returns).
    out : path, optional
        A ``design`` store; ``indices.csv`` is written there too.
    manifest : mapping, optional
        Extra record entries of the store (see :func:`~sim.sensitivity.run_design`).
    **run_options
        The design's options (``calc_second_order``, ``num_levels``), then
        :func:`~sim.sensitivity.run_design`'s (``executor``, ``chunk_size``, ``quiet``...).

    Returns
    -------
    SensitivityResult

    Raises
    ------
    ValidationError
        An unknown `method`, or an `outcome` the function does not return.

    Examples
    --------
    A linear function's Morris effects are its slopes per unit of the inputs' ranges:

    >>> from sim.sensitivity import analyse_function
    >>> from sim.uncertainty import Uniform
    >>> def linear(v):
    ...     return {"y": v["a"] + 2 * v["b"]}
    >>> res = analyse_function(linear, {"a": Uniform(0, 1), "b": Uniform(0, 1)},
    ...                        method="morris", samples=4, rng=1, quiet=True)
    >>> res.table[["parameter", "mu_star", "sigma"]].round(3).to_dict("list")
    {'parameter': ['a', 'b'], 'mu_star': [1.0, 2.0], 'sigma': [0.0, 0.0]}
    """
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
