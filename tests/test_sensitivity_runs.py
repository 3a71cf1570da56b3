"""Running a design (sim.sensitivity.runs): streaming and resuming chunks, one design per
directory, executors giving the serial results, worker loss, batched evaluators."""

import os
import signal
from dataclasses import dataclass, field

import numpy as np
import pytest

from sim.designs import saltelli
from sim.errors import ValidationError
from sim.executors import DaskExecutor
from sim.sensitivity import Ishigami, read_outputs, run_design


@dataclass
class Counting:
    """Counts evaluations (serial executor only) and can fail at a given sample."""

    fail_at: float | None = None
    calls: list = field(default_factory=list)

    def __call__(self, values):
        self.calls.append(values["x1"])
        if self.fail_at is not None and values["x1"] == self.fail_at:
            raise RuntimeError("simulated crash")
        return Ishigami()(values)


@dataclass
class Batched:
    """An evaluator that takes a chunk whole (as a batched scenario evaluator will)."""

    sizes: list = field(default_factory=list)

    def __call__(self, values):  # pragma: no cover - must not be called point by point
        raise AssertionError("a chunk goes to evaluate_many whole")

    def evaluate_many(self, points):
        self.sizes.append(len(points))
        return [Ishigami()(p) for p in points]


def test_an_interrupted_run_resumes_only_the_missing_chunks(tmp_path):
    design = saltelli(Ishigami().space, 64, rng=7)  # 320 points
    full = run_design(Ishigami(), design, chunk_size=32)["y"]
    crash_at = design.values()[200, 0]
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_design(Counting(fail_at=crash_at), design, out=tmp_path, chunk_size=32)
    parts = sorted(p.name for p in (tmp_path / "parts").glob("*.parquet"))
    assert parts == [f"c{i:06d}.outputs.parquet" for i in range(6)]  # samples 0..191 stored
    assert not list((tmp_path / "parts").glob("*.tmp"))
    assert not (tmp_path / ".lock").exists()  # the crash released the directory
    # the policy of every store: a directory holding results needs resume=True (--resume)
    with pytest.raises(ValidationError, match="pass --resume"):
        run_design(Counting(), design, out=tmp_path, chunk_size=32)
    again = Counting()
    y = run_design(again, design, out=tmp_path, chunk_size=32, resume=True)["y"]
    assert len(again.calls) == 320 - 6 * 32
    np.testing.assert_array_equal(y, full)


def test_a_directory_holding_another_design_is_refused(tmp_path):
    run_design(Ishigami(), saltelli(Ishigami().space, 8, rng=1), out=tmp_path)
    with pytest.raises(ValidationError, match="differs from the run stored there") as info:
        run_design(Ishigami(), saltelli(Ishigami().space, 8, rng=2), out=tmp_path, resume=True)
    assert [p.where.rsplit(" ", 1)[1] for p in info.value.problems] == ["design.options.seed"]
    # what the evaluator was (scenario, replicates...) is part of the run, too
    same = saltelli(Ishigami().space, 8, rng=1)
    with pytest.raises(ValidationError) as info:
        run_design(
            Ishigami(), same, out=tmp_path, resume=True, manifest={"replicates_per_point": 3}
        )
    (problem,) = info.value.problems
    assert problem.where.endswith("replicates_per_point") and problem.value == 3
    assert problem.allowed.startswith("the stored value None")
    # resuming on another executor keeps the stored chunk size; the outcome may change
    run_design(Ishigami(), same, out=tmp_path, workers=7, resume=True, manifest={"outcome": "y"})


def test_process_pool_gives_the_serial_results():
    design = saltelli(Ishigami().space, 32, rng=5)
    serial = run_design(Ishigami(), design)["y"]
    procs = run_design(Ishigami(), design, executor="processes", workers=2, chunk_size=16)["y"]
    np.testing.assert_array_equal(procs, serial)


def test_dask_run_survives_a_killed_worker_with_identical_results(tmp_path):
    f = Ishigami(delay=0.004)
    design = saltelli(f.space, 128, rng=9)  # 640 points, 40 chunks of 16
    serial = run_design(Ishigami(), design)["y"]
    dm = DaskExecutor(workers=2)
    killed = []

    def kill_one_worker(done, total):
        if done == 4 and not killed:
            pids = dm.client.run(os.getpid)  # {worker address: pid}
            addr, pid = sorted(pids.items())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append((addr, done, total))

    try:
        y = run_design(
            f, design, executor=dm, out=tmp_path, chunk_size=16, on_chunk=kill_one_worker
        )["y"]
        # the killed worker is gone (its nanny may have started a new one on another port)
        assert killed[0][0] not in dm.client.scheduler_info()["workers"]
    finally:
        dm.close()
    assert killed and killed[0][1] < killed[0][2]  # the kill happened mid-run
    parts = list((tmp_path / "parts").glob("c*.outputs.parquet"))
    assert len(parts) == 40
    np.testing.assert_array_equal(y, serial)
    np.testing.assert_array_equal(read_outputs(tmp_path, "y"), serial)


def test_an_evaluator_with_evaluate_many_gets_each_chunk_whole():
    design = saltelli(Ishigami().space, 8, rng=3)  # 40 points
    batched = Batched()
    y = run_design(batched, design, chunk_size=16)["y"]
    assert batched.sizes == [16, 16, 8]
    np.testing.assert_array_equal(y, run_design(Ishigami(), design)["y"])
