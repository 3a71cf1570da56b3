"""Global sensitivity analysis: design runs on the executors, Sobol'/Morris tables, test models.

``sim.sensitivity`` is this package; the function that runs an analysis is
:func:`analyse` (also ``sim.analyse_sensitivity``)::

    import sim
    from sim.sensitivity import Ishigami
    res = sim.analyse_sensitivity(Ishigami(), method="sobol", samples=1024, rng=1)

The submodules:

``runs``
    :func:`run_design`: a design's sample points in chunks on an executor, streamed to a
    ``design`` store (:mod:`sim.store`), resumable with ``resume=True``.
``indices``
    :func:`sobol_table`, :func:`morris_table`, :func:`design_notes`.
``analysis``
    :func:`analyse` (design, run, analyse) and :class:`SensitivityResult`.
``ishigami``
    :class:`Ishigami` and its exact indices, to check the whole pipeline.
``uncertain``
    Scenarios with an ``[uncertainty]`` table: addresses, ``ScenarioEvaluator``,
    ``evaluate_points``, ``scenario_sensitivity``.

The scenario side (the ``[uncertainty]`` table, its addresses,
:class:`~sim.sensitivity.uncertain.ScenarioEvaluator`, ``scenario_sensitivity``,
:func:`~sim.sensitivity.uncertain.evaluate_points`) is the submodule ``uncertain``
(:mod:`sim.sensitivity.uncertain`; ``sim.uncertain_world`` before 0.2, still importable with
a :class:`DeprecationWarning`).

Before 0.2 ``sim.sensitivity`` was both this module and a function exported from ``sim``,
so ``sim.sensitivity(...)`` failed with "'module' object is not callable" once the module had
been imported. Calling the package still works, with a :class:`DeprecationWarning`, as do
``from sim.sensitivity import sensitivity`` and :func:`get_executor`.
"""

from __future__ import annotations

import sys
import types
import warnings
from typing import Any

from sim.sensitivity.analysis import SensitivityResult, analyse, analyse_function
from sim.sensitivity.indices import STABLE_CONF, design_notes, morris_table, sobol_table
from sim.sensitivity.ishigami import Ishigami, ishigami_indices
from sim.sensitivity.runs import read_outputs, run_design

__all__ = [
    "STABLE_CONF",
    "Ishigami",
    "SensitivityResult",
    "analyse",
    "analyse_function",
    "design_notes",
    "get_executor",
    "ishigami_indices",
    "morris_table",
    "read_outputs",
    "run_design",
    "sensitivity",
    "sobol_table",
]


def sensitivity(*args: Any, **kwargs: Any) -> SensitivityResult:
    """Deprecated name of :func:`analyse` (``sim.analyse_sensitivity``).

    Parameters
    ----------
    *args, **kwargs
        Passed to :func:`analyse`.

    Returns
    -------
    SensitivityResult

    Examples
    --------
    >>> import warnings
    >>> from sim.sensitivity import Ishigami, sensitivity
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     res = sensitivity(Ishigami(), method="morris", samples=4, rng=1, quiet=True)
    >>> caught[0].category.__name__, res.runs
    ('DeprecationWarning', 16)
    """
    warnings.warn(
        "sim.sensitivity.sensitivity(...) is deprecated: call sim.analyse_sensitivity(...) "
        "(or sim.sensitivity.analyse), the same function",
        DeprecationWarning,
        stacklevel=2,
    )
    return analyse(*args, **kwargs)


def get_executor(executor: Any = "serial", *, workers: int | None = None, scheduler=None):
    """Deprecated: use :func:`sim.executors.resolve_executor` (the one resolver).

    Unlike before, a local Dask cluster gets every core unless `workers` says otherwise, and
    ``None`` means processes (dask with a `scheduler`), as on the command line.

    Parameters
    ----------
    executor : {"serial", "processes", "dask"}, executor object or None
        See :func:`sim.executors.resolve_executor`.
    workers : int, optional
        Processes, or workers of a local Dask cluster.
    scheduler : str, optional
        A Dask scheduler address.

    Returns
    -------
    executor, owned : Executor, bool
        What :func:`sim.executors.resolve_executor` returns: the executor, and whether the
        caller must close it.

    Examples
    --------
    >>> import warnings
    >>> from sim.sensitivity import get_executor
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     exe, owned = get_executor("serial")
    >>> exe.name, caught[0].category.__name__
    ('serial', 'DeprecationWarning')
    """
    from sim.executors import resolve_executor

    warnings.warn(
        "sim.sensitivity.get_executor is deprecated: use sim.executors.resolve_executor",
        DeprecationWarning,
        stacklevel=2,
    )
    return resolve_executor(executor, workers=workers, scheduler=scheduler)


class _CallablePackage(types.ModuleType):
    """Lets the pre-0.2 call ``sim.sensitivity(...)`` still work, with a warning."""

    def __call__(self, *args: Any, **kwargs: Any) -> SensitivityResult:
        warnings.warn(
            "calling sim.sensitivity(...) is deprecated: sim.sensitivity is the package; call "
            "sim.analyse_sensitivity(...) (or sim.sensitivity.analyse), the same function",
            DeprecationWarning,
            stacklevel=2,
        )
        return analyse(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
