"""Executors: one interface to map a function over work items here, on local cores or on Dask.

Ensembles (:mod:`sim.runner`), experiment designs (:mod:`sim.sensitivity`) and hindcasts
(:mod:`sim.history.hindcast`) all resolve their executor with :func:`resolve_executor`, cut
their work with :func:`chunk_size`, show it with :func:`progress`, hand the executor a
picklable function and an iterable of chunks, and consume results in completion order with
:meth:`Executor.imap_unordered`. Results never depend on the executor: each chunk
is a pure function of its inputs (seeds included), so serial, processes and Dask give identical
numbers; only their order of arrival differs, and callers store results by key, not by order.
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import logging
import math
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

from sim.errors import Problem, SimError, ValidationError, suggest

if TYPE_CHECKING:
    from distributed import LocalCluster

__all__ = [
    "ENSEMBLE_CHUNK",
    "EXECUTORS",
    "DaskExecutor",
    "Executor",
    "ProcessExecutor",
    "SerialExecutor",
    "available_cores",
    "chunk_size",
    "make_executor",
    "progress",
    "resolve_executor",
    "split",
]

#: Executor names accepted by :func:`make_executor` (and ``--executor`` on the command line).
EXECUTORS = ("serial", "processes", "dask")

_END = object()


def available_cores() -> int:
    """Cores this process may run on (the affinity mask where the OS has one).

    Returns
    -------
    int
        At least 1.

    Examples
    --------
    >>> from sim.executors import available_cores
    >>> available_cores() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Executor:
    """Maps a function over items and yields results as they complete.

    Use as a context manager (or call :meth:`close`); workers start on first use.

    Examples
    --------
    Every executor maps the same way; results arrive in any order:

    >>> from sim.executors import SerialExecutor
    >>> with SerialExecutor() as ex:
    ...     sorted(ex.imap_unordered(abs, [-2, 1, -3]))
    [1, 2, 3]
    """

    name = "executor"

    @property
    def workers(self) -> int:
        """How many items run at once."""
        return 1

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """Results of ``fn(item)`` for every item, in completion order."""
        raise NotImplementedError

    def close(self, *, cancel: bool = False) -> None:
        """Release the workers this executor started (`cancel`: drop queued items)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        # On an interrupt or error, queued work is dropped; finished results are already out.
        self.close(cancel=exc_type is not None)


class SerialExecutor(Executor):
    """Everything in this process, in order: the reference the others must equal.

    Examples
    --------
    >>> from sim.executors import SerialExecutor
    >>> with SerialExecutor() as ex:
    ...     list(ex.imap_unordered(abs, [-2, 1, -3])), ex.workers
    ([2, 1, 3], 1)
    """

    name = "serial"

    def imap_unordered(self, fn, items):
        for item in items:
            yield fn(item)


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent, which cancels the pool and exits 130; otherwise each
    worker prints its own KeyboardInterrupt traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class ProcessExecutor(Executor):
    """A pool of worker processes on this machine.

    Parameters
    ----------
    workers : int, optional
        Processes (default: every core this process may use).

    Notes
    -----
    Processes start with ``forkserver`` (``spawn`` where it is missing), never ``fork``: forking
    a process that runs threads (Dask, pyarrow) can deadlock. At most ``2 * workers`` items are
    in flight, so finished results never pile up in memory.

    Examples
    --------
    >>> from sim.executors import ProcessExecutor
    >>> with ProcessExecutor(workers=1) as ex:
    ...     sorted(ex.imap_unordered(abs, [-2, 1, -3]))
    [1, 2, 3]
    """

    name = "processes"

    def __init__(self, workers: int | None = None):
        self._workers = int(workers or available_cores())
        self._pool: cf.ProcessPoolExecutor | None = None

    @property
    def workers(self) -> int:
        return self._workers

    def imap_unordered(self, fn, items):
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            self._pool = cf.ProcessPoolExecutor(
                max_workers=self._workers, mp_context=ctx, initializer=_ignore_sigint
            )
        it = iter(items)
        pending = {self._pool.submit(fn, x) for x in itertools.islice(it, 2 * self._workers)}
        while pending:
            done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                nxt = next(it, _END)
                if nxt is not _END:
                    pending.add(self._pool.submit(fn, nxt))
                yield fut.result()

    def close(self, *, cancel: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=not cancel, cancel_futures=True)
            self._pool = None


class DaskExecutor(Executor):
    """A ``dask.distributed`` cluster: an existing one by address, or a local one.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://HOST:8786``). Without one, a
        :class:`distributed.LocalCluster` of `workers` single-threaded processes is started on
        first use and shut down by :meth:`close`.
    workers : int, optional
        Worker processes of the local cluster (default: every core).
    client : distributed.Client, optional
        Use this client (and leave it open on close).

    Notes
    -----
    Items are submitted with ``pure=False`` and a window of ``4 * threads`` in flight. When a
    worker dies, the scheduler reschedules the items it held on the others; since each item is
    a pure function of its inputs, the results do not depend on where it ran.

    Examples
    --------
    The local cluster starts only when the first item is mapped:

    >>> from sim.executors import DaskExecutor
    >>> ex = DaskExecutor(workers=2)
    >>> ex.name, ex.workers
    ('dask', 2)
    >>> ex.close()
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, *, workers: int | None = None, client=None):
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise SimError(
                "the dask executor needs dask.distributed: pip install 'alliance-sim[distributed]'"
            ) from None
        self.scheduler = scheduler
        self._n_local = int(workers or available_cores())
        self._client = client
        self._own_client = client is None
        self._cluster: LocalCluster | None = None

    @property
    def client(self):
        """The ``distributed.Client``, connecting (or starting the local cluster) if needed."""
        if self._client is None:
            from distributed import Client, LocalCluster

            if self.scheduler:
                try:
                    self._client = Client(self.scheduler, timeout="10s")
                except OSError as exc:
                    raise SimError(
                        f"cannot reach the Dask scheduler at {self.scheduler}: {exc}; start one "
                        "with `dask scheduler` and workers with `dask worker tcp://HOST:8786`"
                    ) from None
            else:
                self._cluster = LocalCluster(
                    n_workers=self._n_local,
                    threads_per_worker=1,
                    processes=True,
                    # A random free port: the scheduler's HTTP server starts even without a
                    # dashboard, and a busy default port (8787) is a warning (an error in tests).
                    dashboard_address=":0",
                    silence_logs=logging.ERROR,
                )
                self._client = Client(self._cluster)
        return self._client

    @property
    def workers(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def imap_unordered(self, fn, items):
        from distributed import as_completed

        client = self.client
        it = iter(items)
        ac = as_completed()
        for x in itertools.islice(it, 4 * self.workers):
            ac.add(client.submit(fn, x, pure=False))
        for fut in ac:
            result = fut.result()
            fut.release()
            nxt = next(it, _END)
            if nxt is not _END:
                ac.add(client.submit(fn, nxt, pure=False))
            yield result

    def close(self, *, cancel: bool = False) -> None:
        if self._client is not None and self._own_client:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def make_executor(
    name: str = "processes", *, workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """An executor by name: ``"serial"``, ``"processes"`` or ``"dask"``.

    A `scheduler` address only makes sense with ``"dask"``; anything else is a
    :class:`~sim.errors.ValidationError` with a suggestion.

    Parameters
    ----------
    name : {"serial", "processes", "dask"}
    workers : int, optional
        Worker processes (default every core; ignored by ``"serial"``).
    scheduler : str, optional
        Address of a running Dask scheduler (``"dask"`` only).

    Returns
    -------
    Executor
        Not started yet: workers start on first use.

    Raises
    ------
    sim.errors.ValidationError
        For an unknown name, a bad worker count or a scheduler without ``"dask"``.

    Examples
    --------
    >>> from sim.executors import make_executor
    >>> with make_executor("serial") as ex:
    ...     type(ex).__name__
    'SerialExecutor'
    >>> from sim.errors import ValidationError
    >>> try:
    ...     make_executor("proceses")
    ... except ValidationError as err:
    ...     print(err.problems[0].suggestion)
    did you mean 'processes'?
    """
    problems = []
    if name not in EXECUTORS:
        problems.append(
            Problem(
                "executor",
                "unknown executor",
                name,
                " | ".join(EXECUTORS),
                suggest(name, EXECUTORS),
            )
        )
    if scheduler and name != "dask":
        problems.append(
            Problem(
                "scheduler", "is only used with the dask executor", scheduler, "--executor dask"
            )
        )
    if problems:
        raise ValidationError(problems, what="executor options")
    if name == "serial":
        return SerialExecutor()
    if name == "processes":
        return ProcessExecutor(workers)
    return DaskExecutor(scheduler, workers=workers)


def resolve_executor(
    executor: str | Executor | None = "processes",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
) -> tuple[Executor, bool]:
    """The executor to run on, and whether the caller must close it.

    Parameters
    ----------
    executor : {"serial", "processes", "dask"}, Executor or None
        A name (:func:`make_executor`), or an object with ``imap_unordered(fn, items)`` and
        ``workers`` (used as is and left open). ``None``: ``"dask"`` when a `scheduler` is
        given, else ``"processes"`` (the command line's default).
    workers : int, optional
        Processes, or workers of a local Dask cluster (default: every core).
    scheduler : str, optional
        A Dask scheduler address.

    Returns
    -------
    executor : Executor
    owned : bool
        True when it was made here (from a name): the caller closes it.

    Examples
    --------
    >>> ex, owned = resolve_executor("serial")
    >>> ex.name, owned
    ('serial', True)
    """
    if executor is None:
        executor = "dask" if scheduler else "processes"
    if not isinstance(executor, str):
        if not hasattr(executor, "imap_unordered"):
            raise SimError(f"executor {executor!r} has no imap_unordered(fn, items) method")
        return executor, False
    return make_executor(executor, workers=workers, scheduler=scheduler), True


#: Chunks per worker: enough that load balances and a lost worker costs little.
CHUNKS_PER_WORKER = 8


def chunk_size(n: int, workers: int, *, max_size: int = 1000) -> int:
    """Items per chunk: the one rule for every kind of run.

    About ``CHUNKS_PER_WORKER`` chunks per worker (load balance; a killed worker or
    process loses little, and a resumed run redoes little), and never more than `max_size`
    items, which a caller sets from what batching saves and what a chunk holds in memory: an
    ensemble's replicates run together as rows of one batched engine
    (:func:`sim.engine.run_arms`), so it passes :data:`ENSEMBLE_CHUNK` (up to 64 replicates,
    each stored when its chunk completes); a design's sample points share a chunk of up to
    1000.

    Parameters
    ----------
    n : int
        Items to run.
    workers : int
        Workers they are shared among.
    max_size : int
        The largest chunk.

    Returns
    -------
    int
        At least 1.

    Examples
    --------
    >>> chunk_size(20480, 2), chunk_size(20480, 1), chunk_size(100, 2, max_size=1)
    (1000, 1000, 1)
    >>> chunk_size(320, 2)
    20
    >>> [chunk_size(n, 2, max_size=ENSEMBLE_CHUNK) for n in (20, 1000, 100_000)]
    [2, 63, 64]
    """
    return int(min(max_size, max(1, math.ceil(n / (CHUNKS_PER_WORKER * max(1, workers))))))


#: The chunk bound of an ensemble's replicates (see :func:`chunk_size`): the batch's cost per
#: replicate levels off by a few dozen rows, and 64 rows of the default world hold a few MiB.
ENSEMBLE_CHUNK: Final = 64


def split(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    """`items` cut into consecutive chunks of `size` (the last may be shorter).

    Parameters
    ----------
    items : sequence
    size : int
        Items per chunk (at least 1 is used).

    Returns
    -------
    list of sequence

    Examples
    --------
    >>> from sim.executors import split
    >>> split([1, 2, 3, 4, 5], 2)
    [[1, 2], [3, 4], [5]]
    """
    return [items[i : i + size] for i in range(0, len(items), max(1, size))]


def progress(total: int, *, initial: int = 0, quiet: bool = False, desc: str = "", unit: str):
    """The one progress bar: tqdm on stderr, silent when `quiet` or stderr is not a terminal.

    Returns a tqdm object (a context manager; ``update(n)``).

    Parameters
    ----------
    total : int
        Items expected.
    initial : int
        Items already done (a resumed run).
    quiet : bool
        No bar at all.
    desc : str
        The bar's label.
    unit : str
        What an item is, e.g. ``"replicate"``.

    Returns
    -------
    tqdm.tqdm

    Examples
    --------
    >>> from sim.executors import progress
    >>> with progress(3, quiet=True, unit="replicate") as bar:
    ...     bar.update(2)
    ...     bar.total, bar.disable
    (3, True)
    """
    from tqdm.auto import tqdm

    disable = quiet or not sys.stderr.isatty()
    return tqdm(
        total=total, initial=initial, disable=disable, desc=desc, unit=unit, file=sys.stderr
    )
