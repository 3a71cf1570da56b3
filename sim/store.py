"""The results store: one Parquet part per replicate, written atomically, and a JSON manifest.

Layout of a results directory::

    manifest.json                 scenario record and hash, versions, seeds, status
    parts/r000003.agent.parquet   both arms of replicate 3, agent variables
    parts/r000003.model.parquet   both arms of replicate 3, model variables and outcomes

Every file is written to a temporary name in the same directory, flushed to disk and renamed
into place (``os.replace`` is atomic on POSIX and Windows), so a run killed at any moment leaves
only whole files. A replicate counts as stored once its model part exists; the agent part is
written first. Resuming skips stored replicates; since each replicate's seed depends only on the
root seed and its index, a resumed run equals an uninterrupted one.
"""

from __future__ import annotations

import json
import platform
import re
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim._files import atomic_write
from sim.errors import Problem, SimError, ValidationError

__all__ = ["MANIFEST", "ResultsStore", "dependency_versions"]

MANIFEST = "manifest.json"
_PART = re.compile(r"^r(\d{6})\.(model|agent)\.parquet$")
#: Manifest entries that must match for a run to resume into an existing directory.
_RESUME_KEYS = {
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
}
_DEPENDENCIES = ("mesa", "networkx", "numpy", "scipy", "pandas", "pyarrow")


def dependency_versions() -> dict[str, str]:
    """Versions of Python, alliance-sim and the libraries a run's numbers depend on."""
    out = {"python": platform.python_version()}
    for name in ("alliance-sim", *_DEPENDENCIES):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            if name == "alliance-sim":
                from sim import __version__

                out[name] = __version__
    return out


class ResultsStore:
    """A results directory: atomic Parquet parts per replicate and a JSON manifest.

    Parameters
    ----------
    root : path
        The directory (created when opened for writing).

    Notes
    -----
    Parts hold both arms of a replicate, so a replicate is stored whole or not at all; nothing
    else is kept in memory while writing.
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.parts = self.root / "parts"

    # -- writing ------------------------------------------------------------------------------
    @classmethod
    def open_for_run(
        cls, root: str | Path, manifest: Mapping[str, Any], *, resume: bool = False
    ) -> ResultsStore:
        """Prepare `root` for a run described by `manifest`.

        Parameters
        ----------
        root : path
        manifest : mapping
            JSON-ready description of the run (``scenario`` record, ``seeds``...).
        resume : bool
            Keep replicates already stored, after checking the stored run is the same scenario,
            world, seed and parameters. Without it, a directory holding results (at least one
            stored replicate) is an error; a directory with a manifest but no stored replicate
            is reused.

        Raises
        ------
        ValidationError
            The directory holds another run (or holds results and `resume` is false).
        """
        store = cls(root)
        # A manifest without a stored replicate (a run that failed or was stopped before its
        # first replicate finished) holds no results: the directory is reused as if empty.
        old = store.manifest() if (store.root / MANIFEST).exists() else None
        if store.stored():
            if not resume:
                raise ValidationError(
                    [
                        Problem(
                            str(store.root),
                            "already holds results",
                            None,
                            "an empty or new directory",
                            "pass --resume to continue that run, or choose another --out",
                        )
                    ],
                    what="results directory",
                )
            if old is not None:
                store._check_same_run(old, manifest)
        store.parts.mkdir(parents=True, exist_ok=True)
        store.write_manifest({**manifest, "status": "running"})
        return store

    def _check_same_run(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        a, b = old.get("scenario", {}), new.get("scenario", {})
        problems = []
        for key, what in _RESUME_KEYS.items():
            if a.get(key) == b.get(key):
                continue
            message = f"{what} from the stored run's"
            if key == "params_sha256":
                changed = _changed_fields(a.get("model_params"), b.get("model_params"))
                if changed:
                    message += f" ({changed})"
            if a.get(key) is None and key in ("world_sha256", "params_sha256"):
                message += " (the stored run predates this record, so it cannot be checked)"
            problems.append(
                Problem(
                    f"{self.root / MANIFEST} scenario.{key}",
                    message,
                    b.get(key),
                    f"the stored value {a.get(key)!r}",
                    "resume with the same scenario, world, seed and parameters, or choose "
                    "another --out",
                )
            )
        if problems:
            raise ValidationError(problems, what="resumed run")

    def _wanted(self, manifest: Mapping[str, Any]) -> set[int] | None:
        n = manifest.get("replicates")
        return set(range(n)) if isinstance(n, int) else None

    def write_manifest(self, manifest: Mapping[str, Any]) -> None:
        """Write the manifest atomically."""
        atomic_write(
            self.root / MANIFEST,
            lambda p: p.write_text(json.dumps(manifest, indent=2, default=str) + "\n"),
        )

    def write_replicate(self, replicate: int, model: pd.DataFrame, agent: pd.DataFrame) -> None:
        """Store one replicate (both arms): the agent part first, then the model part."""
        for kind, frame in (("agent", agent), ("model", model)):
            table = pa.Table.from_pandas(frame, preserve_index=False)
            atomic_write(self._part(replicate, kind), lambda p, t=table: pq.write_table(t, p))

    def finish(self, **info: Any) -> None:
        """Mark the run complete in the manifest, adding `info`."""
        manifest = self.manifest()
        manifest.update(info)
        manifest["status"] = "complete"
        stored = self.stored()
        wanted = self._wanted(manifest)  # a resumed run may ask for fewer replicates
        manifest["replicates_stored"] = sorted(stored if wanted is None else stored & wanted)
        self.write_manifest(manifest)

    # -- reading ------------------------------------------------------------------------------
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

    def stored(self) -> set[int]:
        """Replicates whose parts are complete on disk."""
        if not self.parts.is_dir():
            return set()
        kinds: dict[int, set[str]] = {}
        for p in self.parts.iterdir():
            m = _PART.match(p.name)
            if m:
                kinds.setdefault(int(m.group(1)), set()).add(m.group(2))
        return {r for r, k in kinds.items() if k == {"model", "agent"}}

    def read(self, kind: str, replicates: Iterable[int] | None = None) -> pd.DataFrame:
        """The ``model`` or ``agent`` frame of the stored replicates, in replicate order."""
        if kind not in ("model", "agent"):
            raise SimError(f"unknown frame kind {kind!r}; use 'model' or 'agent'")
        reps = sorted(self.stored() if replicates is None else replicates)
        if not reps:
            raise ValidationError(
                [Problem(str(self.root), "holds no complete replicate", None, "a finished run")],
                what="results",
            )
        tables, bad = [], []
        for r in reps:
            try:
                tables.append(pq.read_table(self._part(r, kind)))
            except (pa.ArrowException, OSError):  # damaged on disk after it was written
                bad.append(
                    Problem(
                        str(self._part(r, kind)),
                        "is damaged: not a readable Parquet file",
                        None,
                        "a part written by alliance-sim",
                        "delete it and rerun with --resume to recompute that replicate",
                    )
                )
        if bad:
            raise ValidationError(bad, what="results")
        frame = pa.concat_tables(tables, promote_options="default").to_pandas()
        return frame.reset_index(drop=True)

    def _part(self, replicate: int, kind: str) -> Path:
        return self.parts / f"r{replicate:06d}.{kind}.parquet"


def _changed_fields(old: Any, new: Any) -> str:
    """``"name: old -> new"`` for each field that differs between two parameter records."""
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return ""
    keys = sorted(set(old) | set(new))
    return ", ".join(
        f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys if old.get(k) != new.get(k)
    )
