"""The sensitivity pipeline: Ishigami indices, streaming and resuming, executors, worker loss."""

import os
import signal
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from sim.designs import saltelli
from sim.errors import SimError, ValidationError
from sim.executors import DaskExecutor
from sim.sensitivity import Ishigami, analyse, ishigami_indices, read_outputs, run_design
from sim.uncertainty import Uniform


def test_ishigami_closed_form_matches_the_literature():
    exact = ishigami_indices(7.0, 0.1).set_index("parameter")
    np.testing.assert_allclose(exact["S1"], [0.3139, 0.4424, 0.0], atol=1e-4)
    np.testing.assert_allclose(exact["ST"], [0.5576, 0.4424, 0.2437], atol=1e-4)


def test_pipeline_recovers_ishigami_indices_within_their_confidence_intervals(tmp_path):
    res = analyse(Ishigami(), method="sobol", samples=4096, rng=2024, out=tmp_path, chunk_size=2048)
    assert res.runs == 4096 * 5
    assert len(list((tmp_path / "parts").glob("c*.outputs.parquet"))) == 10
    table = res.table.set_index("parameter")
    exact = ishigami_indices().set_index("parameter")
    for col in ("S1", "ST"):
        err = (table[col] - exact[col]).abs()
        assert (err <= table[f"{col}_conf"]).all(), (col, err, table[f"{col}_conf"])
        assert (table[f"{col}_conf"] < 0.05).all()  # and the intervals are informative
    stored = pd.read_csv(tmp_path / "indices.csv")
    pd.testing.assert_frame_equal(stored, res.table, check_exact=False)
    np.testing.assert_array_equal(read_outputs(tmp_path, "y"), res.outputs["y"])


@dataclass(frozen=True)
class WithDummy:
    """Ishigami plus an input `dummy` that the function ignores."""

    f: Ishigami = field(default_factory=Ishigami)

    def __call__(self, values):
        return self.f(values)


def test_an_unused_input_gets_indices_indistinguishable_from_zero():
    space = {**Ishigami().space, "dummy": Uniform(0, 1)}
    sob = analyse(WithDummy(), space, method="sobol", samples=2048, rng=1).table
    row = sob.set_index("parameter").loc["dummy"]
    assert abs(row["S1"]) <= row["S1_conf"] and abs(row["ST"]) <= max(row["ST_conf"], 1e-12)
    mor = analyse(WithDummy(), space, method="morris", samples=50, rng=1).table
    mor = mor.set_index("parameter")
    assert mor.loc["dummy", "mu_star"] == 0.0 and mor.loc["dummy", "sigma"] == 0.0
    assert (mor.drop("dummy")["mu_star"] > 1.0).all()


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


def test_constant_output_and_bad_options():
    space = {"x": Uniform(0, 1)}
    res = analyse(_constant, space, method="sobol", samples=8, rng=0)
    assert (res.table[["S1", "ST"]] == 0).all().all()
    with pytest.raises(ValidationError, match="did you mean 'morris'"):
        analyse(_constant, space, method="moris")
    with pytest.raises(ValidationError, match="did you mean 'y'"):
        analyse(_constant, space, samples=8, outcome="Y")
    with pytest.raises(SimError, match="not finite"):
        analyse(_nan, space, samples=8)


def _constant(values):
    return 1.0


def _nan(values):
    return float("nan")


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


def test_sim_analyse_sensitivity_after_importing_the_package_in_a_fresh_interpreter():
    # sim.sensitivity was both a module and the function exported from sim: once the module
    # was imported, sim.sensitivity(...) raised "'module' object is not callable".
    import subprocess
    import sys

    code = """
import warnings
import sim
from sim.sensitivity import Ishigami
res = sim.analyse_sensitivity(Ishigami(), method="sobol", samples=64, rng=1)
assert sim.analyse_sensitivity is sim.sensitivity.analyse
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    old = sim.sensitivity(Ishigami(), method="sobol", samples=64, rng=1)
assert [w.category.__name__ for w in caught] == ["DeprecationWarning"], caught
assert "sim.analyse_sensitivity" in str(caught[0].message)
assert old.table.equals(res.table)
print(res.runs, round(float(res.table.set_index("parameter").loc["x2", "S1"]), 2))
"""
    done = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning:__main__", "-c", code],
        capture_output=True,
        text=True,
        cwd=str(__import__("pathlib").Path(__file__).resolve().parents[1]),
    )
    assert done.returncode == 0, done.stderr
    runs, s1 = done.stdout.split()
    assert int(runs) == 64 * 5 and abs(float(s1) - 0.44) < 0.2


def test_the_old_names_still_work_with_a_deprecation_warning():
    import sim.sensitivity as pkg
    from sim.executors import SerialExecutor

    with pytest.warns(DeprecationWarning, match="resolve_executor"):
        ex, owned = pkg.get_executor("serial")
    assert isinstance(ex, SerialExecutor) and owned
    with pytest.warns(DeprecationWarning, match="analyse_sensitivity"):
        res = pkg.sensitivity(Ishigami(), samples=8, rng=0)
    assert res.runs == 8 * 5


@dataclass
class Batched:
    """An evaluator that takes a chunk whole (as a batched scenario evaluator will)."""

    sizes: list = field(default_factory=list)

    def __call__(self, values):  # pragma: no cover - must not be called point by point
        raise AssertionError("a chunk goes to evaluate_many whole")

    def evaluate_many(self, points):
        self.sizes.append(len(points))
        return [Ishigami()(p) for p in points]


def test_an_evaluator_with_evaluate_many_gets_each_chunk_whole():
    design = saltelli(Ishigami().space, 8, rng=3)  # 40 points
    batched = Batched()
    y = run_design(batched, design, chunk_size=16)["y"]
    assert batched.sizes == [16, 16, 8]
    np.testing.assert_array_equal(y, run_design(Ishigami(), design)["y"])
