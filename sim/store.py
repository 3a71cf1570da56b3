"""The results store: one directory layout, one resume policy and one lock for every kind of run.

Ensembles (:func:`sim.runner.run_scenario`), sensitivity designs
(:func:`sim.sensitivity.run_design`), hindcasts (:func:`sim.history.hindcast` with ``out=``)
and calibrations all write the same layout::

    manifest.json                  kind, record, fingerprint, versions, status (+ kind's extras)
    parts/KEY.TABLE.parquet        one part per unit of work (a replicate, a chunk of sample
                                   points...), one file per table of the kind
    .lock                          while a process writes: its pid, host and start time

Every file is written to a temporary name in the same directory, flushed to disk and renamed
into place (``os.replace`` is atomic on POSIX and Windows), so a run killed at any moment
leaves only whole files. A part counts as stored once every table of its kind exists; the
tables are written in the kind's order, the last one marking the part complete.

The resume policy (one for every kind)
--------------------------------------
- A new or empty directory, or one whose manifest lists no stored part (a run that stopped
  before its first part), is (re)used.
- A directory holding stored parts is refused unless ``resume=True`` (``--resume``).
- On resume, the stored record must equal the new one in every compared field, else a
  :class:`~sim.errors.ValidationError` lists each field that changed (stored and new value),
  and nothing is written. Parts already stored are kept and only the missing ones computed;
  since every part is a pure function of the record and its key (seeds included), a resumed
  run equals an uninterrupted one.

The lock
--------
Opening a store for writing creates ``.lock`` with ``O_CREAT | O_EXCL`` (atomic on local file
systems), holding the writer's pid, host, start time and command. A second writer gets a
:class:`StoreLockedError` (exit code 2 at the command line) naming that process, or with
``wait=True`` (``--wait``) polls until the directory is free. A lock whose process is dead
(same host: the pid no longer exists, or is now another process with a later start time) is
stale and is taken over. A lock held from another host is never broken automatically: the
message says which file to delete once that host's run is known to be gone.

For calibration and other new kinds
-----------------------------------
>>> import tempfile, pandas as pd
>>> root = tempfile.mkdtemp()
>>> with Store.open(root, "calibration", {"target": "x", "seed": 1}) as store:
...     store.write_part("p000000", {"data": pd.DataFrame({"loss": [0.5]})})
...     sorted(store.keys())
...     store.read_part("p000000")["loss"].tolist()
...     store.finish(best=0.5)
['p000000']
[0.5]
>>> Store(root).manifest()["status"]
'complete'
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import platform
import re
import socket
import sys
import time
import warnings
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Self

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim._files import atomic_write
from sim.errors import Problem, SimError, ValidationError, suggest

__all__ = [
    "KINDS",
    "LOCK",
    "MANIFEST",
    "Kind",
    "ResultsStore",
    "Store",
    "StoreLock",
    "StoreLockedError",
    "dependency_versions",
    "fingerprint",
]

#: The manifest's file name in a results directory (kind, record, fingerprint, status...).
MANIFEST = "manifest.json"
#: The lock file's name in a results directory, present while a process writes to it.
LOCK = ".lock"
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
_DEPENDENCIES = ("mesa", "networkx", "numpy", "scipy", "pandas", "pyarrow")


@dataclass(frozen=True)
class Kind:
    """What distinguishes one kind of run in a store.

    Attributes
    ----------
    name : str
        Stored as the manifest's ``kind``.
    record_key : str
        The manifest entry holding the record (what was run) that a resume must match.
    tables : tuple of str
        The Parquet files of one part, in writing order (the last marks the part stored).
    compared : mapping of str to str, optional
        Only these record fields are compared on resume, each with the words saying what
        differs (``"the root seed differs"``); default: every field, one level into tables.
    ignored : collection of str
        Record fields a resume may change (they name what is analysed, not what was run).
    implied : collection of str
        Fields left out of the message when another field differs too (a hash of the others).
    details : mapping of str to str
        A compared field -> a record table whose changed entries the message lists
        (``params_sha256`` -> ``model_params``: ``tie_decay: 0.06 -> 0.5``).
    advice : str
        The hint of a resume that does not match.

    Examples
    --------
    >>> from sim.store import KINDS, Kind
    >>> KINDS["ensemble"].tables, KINDS["ensemble"].record_key
    (('agent', 'model'), 'scenario')
    >>> Kind("calibration").tables
    ('data',)
    """

    name: str
    record_key: str = "record"
    tables: tuple[str, ...] = ("data",)
    compared: Mapping[str, str] | None = None
    ignored: Collection[str] = ()
    implied: Collection[str] = ()
    details: Mapping[str, str] = field(default_factory=dict)
    advice: str = "resume with the same inputs, or choose another --out"


#: The kinds of run stored today; :meth:`Store.open` also accepts a :class:`Kind` of its own.
KINDS: dict[str, Kind] = {
    "ensemble": Kind(
        "ensemble",
        record_key="scenario",
        tables=("agent", "model"),
        compared={
            "sha256": "the scenario file's text differs",
            "world_name": "the world's name differs",
            "world_sha256": "the world's content (actors and ties after the patch) differs",
            "steps": "the horizon (steps) differs",
            "seed": "the root seed differs",
            "params": "the [params] overrides differ",
            "params_sha256": "the resolved model parameters differ",
            "shocks": "the shocks differ",
            "baseline_shocks": "the baseline arm's shocks differ",
            "outcomes": "the outcomes differ",
            "patch": "the world patch differs",
        },
        details={"params_sha256": "model_params"},
        advice="resume with the same scenario, world, seed and parameters, or choose another --out",
    ),
    "design": Kind(
        "design",
        record_key="design",
        tables=("outputs",),
        ignored=("outcome", "outcome_definition"),
        implied=("design_fingerprint",),
        advice="resume with the same design (method, samples, seed, inputs, scenario), or "
        "choose another --out",
    ),
    "hindcast": Kind(
        "hindcast",
        record_key="hindcast",
        tables=("deliveries",),
        advice="resume with the same episode and data files, or choose another --out",
    ),
    "calibration": Kind("calibration"),
}


def dependency_versions() -> dict[str, str]:
    """Versions of Python, alliance-sim and the libraries a run's numbers depend on.

    Returns
    -------
    dict of str to str
        Package name (and ``"python"``) -> version string, as stored in every manifest.

    Examples
    --------
    >>> from sim.store import dependency_versions
    >>> sorted(dependency_versions())
    ['alliance-sim', 'mesa', 'networkx', 'numpy', 'pandas', 'pyarrow', 'python', 'scipy']
    """
    out = {"python": platform.python_version()}
    for name in ("alliance-sim", *_DEPENDENCIES):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            if name == "alliance-sim":
                from sim import __version__

                out[name] = __version__
    return out


def _jsonable(value: Any) -> Any:
    """`value` as JSON stores it (tuples become lists, keys strings), to compare like stored."""
    return json.loads(json.dumps(value, default=str))


def fingerprint(record: Mapping[str, Any]) -> str:
    """sha256 of a record's canonical JSON (sorted keys): equal records, equal fingerprints.

    Parameters
    ----------
    record : mapping
        JSON-able data (tuples count as lists, other values as their ``str``).

    Returns
    -------
    str
        64 hexadecimal digits.

    Examples
    --------
    >>> from sim.store import fingerprint
    >>> fingerprint({"seed": 1, "steps": 3})[:12]
    '280c4fa68a1b'
    >>> fingerprint({"steps": 3, "seed": 1}) == fingerprint({"seed": 1, "steps": 3})
    True
    >>> fingerprint({"via": ("IRQ", "SYR")}) == fingerprint({"via": ["IRQ", "SYR"]})
    True
    """
    text = json.dumps(_jsonable(record), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# -- the lock ------------------------------------------------------------------------------------


class StoreLockedError(SimError):
    """Another live process holds the results directory (exit code 2 at the command line).

    Parameters
    ----------
    root : pathlib.Path
        The results directory.
    holder : mapping
        The lock file's content: the holder's ``pid``, ``host``, ``started`` and ``command``.

    Examples
    --------
    >>> import os, tempfile
    >>> from sim.store import StoreLock, StoreLockedError
    >>> root = tempfile.mkdtemp()
    >>> with StoreLock(root):
    ...     try:
    ...         StoreLock(root).acquire()
    ...     except StoreLockedError as e:
    ...         print(e.holder["pid"] == os.getpid(), "choose another --out" in str(e))
    True True
    """

    def __init__(self, root: Path, holder: Mapping[str, Any]):
        self.root, self.holder = root, dict(holder)
        pid, host = holder.get("pid", "?"), holder.get("host", "?")
        since = holder.get("started", "?")
        command = holder.get("command")
        who = f"process {pid} on {host} (since {since}" + (f": {command})" if command else ")")
        if host != socket.gethostname():
            hint = (
                f"wait for it to finish (--wait), or, if no run on {host} is using it any more, "
                f"delete {root / LOCK}"
            )
        else:
            hint = "wait for it to finish (--wait), or choose another --out"
        super().__init__(f"{root} is in use by {who}; {hint}")


def _proc_start(pid: int) -> int | None:
    """The start time of `pid` in clock ticks since boot (Linux), to tell a reused pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    try:
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (IndexError, ValueError):
        return None


def _alive(holder: Mapping[str, Any]) -> bool:
    """Whether the lock's process still runs (only decidable on this host: else True)."""
    if holder.get("host") != socket.gethostname():
        return True
    pid = holder.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    start = holder.get("pid_start")
    now = _proc_start(pid)
    return not (start is not None and now is not None and now != start)


class StoreLock:
    """An ``O_EXCL`` lock file in a directory (see the module notes); a context manager.

    Parameters
    ----------
    root : str or path
        The directory to lock (created when the lock is taken).

    Examples
    --------
    >>> import tempfile
    >>> from sim.store import StoreLock
    >>> lock = StoreLock(tempfile.mkdtemp()).acquire()
    >>> lock.path.name, sorted(lock.holder())
    ('.lock', ['command', 'host', 'pid', 'pid_start', 'started'])
    >>> lock.release()
    >>> lock.holder() is None
    True
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.path = self.root / LOCK
        self._held = False

    def holder(self) -> dict[str, Any] | None:
        """The lock file's content (``{}`` when unreadable), or None without a lock."""
        try:
            return json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {}

    def acquire(self, *, wait: bool | float = False, poll: float = 0.5) -> StoreLock:
        """Take the lock; raise :class:`StoreLockedError`, or with `wait` poll until free
        (`wait` a number: give up after that many seconds)."""
        self.root.mkdir(parents=True, exist_ok=True)
        me = {
            "pid": os.getpid(),
            "pid_start": _proc_start(os.getpid()),
            "host": socket.gethostname(),
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": " ".join(Path(sys.argv[0]).name.split() + sys.argv[1:])[:200],
        }
        deadline = None if wait is True or not wait else time.monotonic() + float(wait)
        while True:
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self.holder()
                if holder is None:
                    continue  # released between our open and our read
                if self._stale(holder):
                    # stale: remove it only if it is still the one we judged (another process
                    # may have replaced it meanwhile), then try again
                    if self.holder() == holder:
                        with contextlib.suppress(FileNotFoundError):
                            self.path.unlink()
                    continue
                if not wait or (deadline is not None and time.monotonic() > deadline):
                    raise StoreLockedError(self.root, holder) from None
                time.sleep(poll)
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(me, fh)
                fh.flush()
                os.fsync(fh.fileno())
            self._held = True
            return self

    def _stale(self, holder: Mapping[str, Any]) -> bool:
        if not holder:  # empty or torn: its writer died between creating and filling it
            try:
                return time.time() - self.path.stat().st_mtime > 5.0
            except FileNotFoundError:
                return True
        return holder.get("host") == socket.gethostname() and not _alive(holder)

    def release(self) -> None:
        """Remove the lock file if this object holds it."""
        if self._held:
            self._held = False
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    def __enter__(self) -> StoreLock:
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()


# -- the store -----------------------------------------------------------------------------------


class Store:
    """A results directory of any kind: a manifest, atomic Parquet parts, a lock while writing.

    Parameters
    ----------
    root : path
        The directory (created when opened for writing with :meth:`open`).
    kind : str or Kind, optional
        The kind of run; read from the manifest when not given (a manifest without one, from
        alliance-sim 0.1, is an ensemble).

    Notes
    -----
    Reading (:meth:`manifest`, :meth:`keys`, :meth:`read_part`, :meth:`read`) needs no lock.
    Writing goes through :meth:`open`, which takes the lock, applies the resume policy and
    marks the manifest ``running``; :meth:`finish` marks it ``complete``; :meth:`close` (or
    leaving the ``with`` block) releases the lock.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from sim.store import Store
    >>> root = tempfile.mkdtemp()
    >>> with Store.open(root, "calibration", {"seed": 1}) as store:
    ...     store.write_part("p000000", pd.DataFrame({"loss": [0.25]}))
    ...     store.finish()
    >>> Store(root).kind.name, sorted(Store(root).keys())
    ('calibration', ['p000000'])
    >>> Store(root).read_part("p000000")["loss"].tolist()
    [0.25]
    """

    def __init__(self, root: str | Path, kind: str | Kind | None = None):
        self.root = Path(root)
        self.parts = self.root / "parts"
        self._kind = _kind(kind) if kind is not None else None
        self._lock: StoreLock | None = None

    @property
    def kind(self) -> Kind:
        """The kind of run (from the manifest when not given)."""
        if self._kind is None:
            name = self.manifest().get("kind", "ensemble")
            self._kind = KINDS.get(name) or Kind(name)
        return self._kind

    # -- opening for writing ---------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        root: str | Path,
        kind: str | Kind,
        record: Mapping[str, Any],
        *,
        resume: bool = False,
        wait: bool | float = False,
        extra: Mapping[str, Any] | None = None,
    ) -> Store:
        """Open `root` to write a run of `kind` described by `record`.

        Parameters
        ----------
        root : path
        kind : str or Kind
            ``"ensemble"``, ``"design"``, ``"hindcast"``, ``"calibration"`` or a new
            :class:`Kind`.
        record : mapping
            JSON-ready description of what is run: everything its parts depend on.
        resume : bool
            Keep the parts already stored, after checking the stored record matches (see the
            module's resume policy). Without it, a directory holding stored parts is an error.
        wait : bool or float
            When another process holds the directory: wait for it (seconds, or forever with
            True) instead of raising :class:`StoreLockedError`.
        extra : mapping, optional
            Further manifest entries (seeds, executor...), stored but not compared.

        Returns
        -------
        Store
            Holding the lock until :meth:`close`; a context manager.

        Raises
        ------
        StoreLockedError
            Another live process writes to `root`.
        ValidationError
            The directory holds results and `resume` is false; holds another kind of run; or
            its record differs (every changed field at once).
        """
        store = cls(root, kind)
        k = store.kind
        lock = StoreLock(store.root).acquire(wait=wait)
        try:
            store._check_reusable(record, resume)
            store.parts.mkdir(parents=True, exist_ok=True)
            manifest = {
                "format": 2,
                "kind": k.name,
                "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                **dict(extra or {}),
            }
            manifest.update(
                {
                    "format": 2,
                    "kind": k.name,
                    "fingerprint": fingerprint(record),
                    k.record_key: dict(record),
                    "versions": dependency_versions(),
                    "status": "running",
                }
            )
            for stale in ("finished", "replicates_stored", "failed"):
                manifest.pop(stale, None)
            store.write_manifest(manifest)
        except BaseException:
            lock.release()
            raise
        store._lock = lock
        return store

    def _check_reusable(self, record: Mapping[str, Any], resume: bool) -> None:
        if (self.root / "design.json").exists() and not (self.root / MANIFEST).exists():
            raise ValidationError(
                [
                    Problem(
                        str(self.root),
                        "holds a sensitivity run of alliance-sim 0.1 (design.json), which "
                        "cannot be resumed by this version",
                        None,
                        "a directory written by this version",
                        "choose another --out; its indices.csv stays readable",
                    )
                ],
                what="results directory",
            )
        old = self.manifest() if (self.root / MANIFEST).exists() else None
        stored_kind = old.get("kind", "ensemble") if old is not None else self.kind.name
        # parts are counted by the stored kind's tables: another kind's parts are results too
        stored = Store(self.root, KINDS.get(stored_kind) or Kind(stored_kind)).keys()
        if not stored:
            # a manifest without a stored part (a run stopped before its first part finished)
            # holds no results: the directory is reused as if empty
            return
        if not resume:
            raise ValidationError(
                [
                    Problem(
                        str(self.root),
                        "already holds results",
                        None,
                        "an empty or new directory",
                        "pass --resume to continue that run, or choose another --out",
                    )
                ],
                what="results directory",
            )
        if old is None:
            return
        if stored_kind != self.kind.name:
            raise ValidationError(
                [
                    Problem(
                        f"{self.root / MANIFEST} kind",
                        "holds another kind of run",
                        self.kind.name,
                        f"the stored kind {stored_kind!r}",
                        "choose another --out",
                    )
                ],
                what="resumed run",
            )
        problems = self._differences(old.get(self.kind.record_key) or {}, record)
        if problems:
            raise ValidationError(problems, what="resumed run")

    def _differences(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Problem]:
        """One problem per compared field that differs between the stored and the new record."""
        k = self.kind
        a, b = _jsonable(old), _jsonable(new)
        changed: list[tuple[str, Any, Any, str]] = []
        if k.compared is not None:
            changed = [(f, a.get(f), b.get(f), w) for f, w in k.compared.items()]
        else:
            for f in sorted(set(a) | set(b)):
                if f in k.ignored:
                    continue
                x, y = a.get(f), b.get(f)
                if isinstance(x, Mapping) and isinstance(y, Mapping):
                    changed += [
                        (f"{f}.{s}", x.get(s), y.get(s), "differs from the run stored there")
                        for s in sorted(set(x) | set(y))
                    ]
                else:
                    changed.append((f, x, y, "differs from the run stored there"))
        changed = [c for c in changed if c[1] != c[2]]
        if len(changed) > 1:
            changed = [c for c in changed if c[0] not in k.implied]
        problems = []
        for f, was, now, what in changed:
            message = what if k.compared is None else f"{what} from the stored run's"
            detail = k.details.get(f)
            if detail:
                fields = _changed_fields(a.get(detail), b.get(detail))
                if fields:
                    message += f" ({fields})"
            if was is None and f in k.details:
                message += " (the stored run predates this record, so it cannot be checked)"
            if k.name == "ensemble" and was is None and f == "world_sha256":
                message += " (the stored run predates this record, so it cannot be checked)"
            problems.append(
                Problem(
                    f"{self.root / MANIFEST} {k.record_key}.{f}",
                    message,
                    now,
                    f"the stored value {was!r}",
                    k.advice,
                )
            )
        return problems

    def write_manifest(self, manifest: Mapping[str, Any]) -> None:
        """Write the manifest atomically."""
        atomic_write(
            self.root / MANIFEST,
            lambda p: p.write_text(json.dumps(manifest, indent=2, default=str) + "\n"),
        )

    def update_manifest(self, **entries: Any) -> None:
        """Add or replace manifest entries (atomically)."""
        self.write_manifest({**self.manifest(), **entries})

    # -- parts -----------------------------------------------------------------------------------
    def write_part(self, key: str, tables: pd.DataFrame | Mapping[str, pd.DataFrame]) -> None:
        """Store part `key` atomically: one Parquet file per table, in the kind's order.

        `tables` maps each of the kind's table names to its frame (a single frame for a kind
        with one table). The part counts as stored once the last table is on disk.
        """
        if not _KEY.match(key):
            raise SimError(f"part key {key!r}: use letters, digits, '_' and '-'")
        names = self.kind.tables
        if isinstance(tables, pd.DataFrame):
            if len(names) != 1:
                raise SimError(f"a {self.kind.name} part has tables {', '.join(names)}")
            tables = {names[0]: tables}
        missing = [n for n in names if n not in tables]
        unknown = [n for n in tables if n not in names]
        if missing or unknown:
            raise SimError(
                f"part {key!r} of a {self.kind.name} run needs tables {', '.join(names)}; "
                f"missing {missing or 'none'}, unknown {unknown or 'none'}"
            )
        for name in names:
            table = pa.Table.from_pandas(tables[name], preserve_index=False)
            atomic_write(self._path(key, name), functools.partial(pq.write_table, table))

    def keys(self) -> set[str]:
        """Keys of the parts stored whole (every table of the kind on disk)."""
        if not self.parts.is_dir():
            return set()
        names = set(self.kind.tables) if self._kind is not None or self._has_manifest() else None
        found: dict[str, set[str]] = {}
        for p in self.parts.iterdir():
            if p.name.startswith(".") or not p.name.endswith(".parquet"):
                continue
            key, _, table = p.name[: -len(".parquet")].rpartition(".")
            if key:
                found.setdefault(key, set()).add(table)
        if names is None:  # no manifest yet and no kind given: any part counts
            return set(found)
        return {k for k, t in found.items() if names <= t}

    def _has_manifest(self) -> bool:
        return (self.root / MANIFEST).exists()

    def read_part(self, key: str, table: str | None = None, **read: Any) -> pd.DataFrame:
        """One stored table of part `key` (the kind's only or last table by default)."""
        return self.read([key], table, **read)

    def read(
        self, keys: Iterable[str] | None = None, table: str | None = None, **read: Any
    ) -> pd.DataFrame:
        """A table of the given parts (default: every stored part, in key order), concatenated.

        `read` is passed to :func:`pyarrow.parquet.read_table` (``columns=[...]``). A part
        damaged on disk is a :class:`ValidationError` naming its file.
        """
        table = table or self.kind.tables[-1]
        keys = sorted(self.keys() if keys is None else keys)
        if not keys:
            raise ValidationError(
                [Problem(str(self.root), "holds no complete part", None, "a finished run")],
                what="results",
            )
        tables, bad = [], []
        for key in keys:
            try:
                tables.append(pq.read_table(self._path(key, table), **read))
            except (pa.ArrowException, OSError):  # damaged on disk after it was written
                bad.append(
                    Problem(
                        str(self._path(key, table)),
                        "is damaged: not a readable Parquet file",
                        None,
                        "a part written by alliance-sim",
                        "delete it and rerun with --resume to recompute that part",
                    )
                )
        if bad:
            raise ValidationError(bad, what="results")
        frame = pa.concat_tables(tables, promote_options="default").to_pandas()
        return frame.reset_index(drop=True)

    def _path(self, key: str, table: str) -> Path:
        return self.parts / f"{key}.{table}.parquet"

    # -- finishing -------------------------------------------------------------------------------
    def finish(self, **info: Any) -> None:
        """Mark the run complete in the manifest, adding `info`, and release the lock."""
        manifest = self.manifest()
        manifest.update(info)
        manifest["status"] = "complete"
        manifest["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.write_manifest(manifest)
        self.close()

    def close(self) -> None:
        """Release the lock (the manifest keeps its status: ``running`` if not finished)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        """The manifest; ``ValidationError`` when the directory holds no results."""
        path = self.root / MANIFEST
        if not path.exists():
            raise ValidationError(
                [
                    Problem(
                        str(self.root),
                        "is not a results directory (no manifest.json)",
                        None,
                        "a directory written by `alliance-sim run --out DIR`",
                    )
                ],
                what="results",
            )
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValidationError(
                [Problem(f"{path}:{exc.lineno}:{exc.colno}", f"invalid JSON: {exc.msg}")],
                what="results manifest",
            ) from None

    def require_kind(self, name: str, *, reader: str) -> dict[str, Any]:
        """The manifest, if the directory holds a run of kind `name` (else a clear error)."""
        manifest = self.manifest()
        stored = manifest.get("kind", "ensemble")
        if stored != name:
            raise ValidationError(
                [
                    Problem(
                        f"{self.root / MANIFEST} kind",
                        f"holds a {stored} run, which {reader} cannot read",
                        stored,
                        f"a {name} run",
                    )
                ],
                what="results",
            )
        return manifest


def _kind(kind: str | Kind) -> Kind:
    if isinstance(kind, Kind):
        return kind
    if kind not in KINDS:
        raise ValidationError(
            [Problem("kind", "unknown kind of run", kind, ", ".join(KINDS), suggest(kind, KINDS))],
            what="results store",
        )
    return KINDS[kind]


class ResultsStore(Store):
    """An ensemble's store: one part per replicate (``rNNNNNN``), tables agent and model.

    Parameters
    ----------
    root : path

    Notes
    -----
    Parts hold both arms of a replicate, so a replicate is stored whole or not at all (the
    agent table first, then the model table); nothing else is kept in memory while writing.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from sim.store import ResultsStore
    >>> root = tempfile.mkdtemp()
    >>> frame = pd.DataFrame({"replicate": [0], "step": [0], "x": [1.5]})
    >>> with ResultsStore.open_for_run(root, {"scenario": {"seed": 1}, "replicates": 1}) as s:
    ...     s.write_replicate(0, model=frame, agent=frame)
    ...     s.finish()
    >>> ResultsStore(root).stored(), ResultsStore(root).read_frame("model")["x"].tolist()
    ({0}, [1.5])
    >>> ResultsStore(root).manifest()["status"]
    'complete'
    """

    def __init__(self, root: str | Path):
        super().__init__(root, "ensemble")

    @classmethod
    def open_for_run(
        cls,
        root: str | Path,
        manifest: Mapping[str, Any],
        *,
        resume: bool = False,
        wait: bool | float = False,
    ) -> ResultsStore:
        """Prepare `root` for a run described by `manifest` (its ``scenario`` is the record).

        See :meth:`Store.open` for the resume policy, the lock and the errors.
        """
        manifest = dict(manifest)
        record = manifest.pop("scenario", {})
        opened = Store.open(root, "ensemble", record, resume=resume, wait=wait, extra=manifest)
        store = cls(root)
        store._lock = opened._lock
        return store

    def write_replicate(self, replicate: int, model: pd.DataFrame, agent: pd.DataFrame) -> None:
        """Store one replicate (both arms): the agent part first, then the model part."""
        self.write_part(_rkey(replicate), {"agent": agent, "model": model})

    def record_failures(self, failures: Iterable[Mapping[str, Any]]) -> None:
        """Add failed replicates to the manifest's ``failed`` list (atomically).

        Each is a mapping ``replicate, seed, arm, reason`` (the reason holds the traceback
        when an exception was raised). A failed replicate has no part, so a resumed run
        tries it again (and, its seed being the same, records the same failure).
        """
        new = [dict(f) for f in failures]
        again = {int(f["replicate"]) for f in new}
        manifest = self.manifest()
        failed = [f for f in manifest.get("failed", []) if f["replicate"] not in again]
        failed += new
        failed.sort(key=lambda f: (f["replicate"], f["arm"]))
        self.write_manifest({**manifest, "failed": failed})

    def finish(self, **info: Any) -> None:
        """Mark the run complete, listing the replicates it holds, and release the lock."""
        n = self.manifest().get("replicates")
        stored = self.stored()
        if isinstance(n, int):  # a resumed run may ask for fewer replicates
            stored &= set(range(n))
        super().finish(**info, replicates_stored=sorted(stored))

    def stored(self) -> set[int]:
        """Replicates whose parts are complete on disk."""
        return {int(k[1:]) for k in self.keys() if re.fullmatch(r"r\d{6}", k)}

    def read_frame(self, kind: str, replicates: Iterable[int] | None = None) -> pd.DataFrame:
        """The ``model`` or ``agent`` frame of the stored replicates, in replicate order.

        Parameters
        ----------
        kind : {"model", "agent"}
        replicates : iterable of int, optional
            Default: every stored replicate.

        Returns
        -------
        pandas.DataFrame

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> from sim.store import ResultsStore
        >>> root = tempfile.mkdtemp()
        >>> frame = pd.DataFrame({"replicate": [0], "step": [0], "x": [1.5]})
        >>> with ResultsStore.open_for_run(root, {"scenario": {"seed": 1}, "replicates": 1}) as s:
        ...     s.write_replicate(0, model=frame, agent=frame)
        ...     s.finish()
        >>> ResultsStore(root).read_frame("model")["x"].tolist()
        [1.5]
        """
        if kind not in ("model", "agent"):
            raise SimError(f"unknown frame kind {kind!r}; use 'model' or 'agent'")
        reps = sorted(self.stored() if replicates is None else replicates)
        if not reps:
            raise ValidationError(
                [Problem(str(self.root), "holds no complete replicate", None, "a finished run")],
                what="results",
            )
        return super().read([_rkey(r) for r in reps], kind)

    def read(
        self, keys: Iterable[str] | None = None, table: str | None = None, **read: Any
    ) -> pd.DataFrame:
        """:meth:`Store.read` (parts by key); ``read("model")``, the frame by kind as in
        version 0.1, still works with a ``DeprecationWarning`` (use :meth:`read_frame`).

        Parameters
        ----------
        keys, table, read
            As for :meth:`Store.read`; or `keys` ``"model"``/``"agent"`` and `table` the
            replicates (deprecated).

        Returns
        -------
        pandas.DataFrame

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> from sim.store import ResultsStore
        >>> root = tempfile.mkdtemp()
        >>> frame = pd.DataFrame({"replicate": [0], "step": [0], "x": [1.5]})
        >>> with ResultsStore.open_for_run(root, {"scenario": {"seed": 1}, "replicates": 1}) as s:
        ...     s.write_replicate(0, model=frame, agent=frame)
        ...     s.finish()
        >>> ResultsStore(root).read(["r000000"], "model")["x"].tolist()
        [1.5]
        """
        if isinstance(keys, str):
            warnings.warn(
                "ResultsStore.read(kind) is deprecated: use ResultsStore.read_frame(kind)",
                DeprecationWarning,
                stacklevel=2,
            )
            replicates: Any = table
            return self.read_frame(keys, replicates)
        return super().read(keys, table, **read)

    def _part(self, replicate: int, kind: str) -> Path:
        return self._path(_rkey(replicate), kind)


def _rkey(replicate: int) -> str:
    return f"r{replicate:06d}"


def _changed_fields(old: Any, new: Any) -> str:
    """``"name: old -> new"`` for each field that differs between two parameter records."""
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return ""
    keys = sorted(set(old) | set(new))
    return ", ".join(
        f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys if old.get(k) != new.get(k)
    )
