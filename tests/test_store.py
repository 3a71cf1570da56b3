"""The one results store: layout, resume policy, kinds, and the lock between real processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from sim.errors import ValidationError
from sim.store import LOCK, ResultsStore, Store, StoreLock, StoreLockedError, fingerprint

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")


def _frame(x: float) -> pd.DataFrame:
    return pd.DataFrame({"x": [x, x + 1]})


def test_parts_round_trip_in_key_order_and_only_whole_parts_count(tmp_path):
    with Store.open(tmp_path / "s", "calibration", {"target": "t", "seed": 3}) as store:
        store.write_part("p2", {"data": _frame(2.0)})
        store.write_part("p1", _frame(1.0))  # one table: a bare frame will do
        (store.parts / ".p3.data.parquet.x.tmp").write_bytes(b"torn")
        assert store.keys() == {"p1", "p2"}
        assert store.read()["x"].tolist() == [1.0, 2.0, 2.0, 3.0]
        assert (tmp_path / "s" / LOCK).exists()
        store.finish(best=1.5)
    m = Store(tmp_path / "s").manifest()
    assert m["kind"] == "calibration" and m["status"] == "complete" and m["best"] == 1.5
    assert m["record"] == {"target": "t", "seed": 3}
    assert m["fingerprint"] == fingerprint({"seed": 3, "target": "t"})  # key order is moot
    assert not (tmp_path / "s" / LOCK).exists()  # finish released the lock


def test_one_resume_policy_for_every_kind(tmp_path):
    root = tmp_path / "s"
    record = {"method": "sobol", "options": {"seed": 1, "n": 8}, "outcome": "y"}
    with Store.open(root, "design", record) as store:
        pass  # stopped before its first part: the directory holds no results
    with Store.open(root, "design", record) as store:  # so it is reused without --resume
        store.write_part("c000000", _frame(0.0))
    with pytest.raises(ValidationError, match="pass --resume"):
        Store.open(root, "design", record)
    changed = {**record, "options": {"seed": 2, "n": 8}, "outcome": "z"}
    with pytest.raises(ValidationError) as info:
        Store.open(root, "design", changed, resume=True)
    (problem,) = info.value.problems  # the outcome may change: it names what is analysed
    assert problem.where.endswith("manifest.json design.options.seed")
    assert problem.value == 2 and problem.allowed == "the stored value 1"
    with pytest.raises(ValidationError, match="another kind of run"):
        Store.open(root, "hindcast", record, resume=True)
    with pytest.raises(ValidationError, match="did you mean 'design'"):
        Store.open(tmp_path / "t", "desing", record)
    assert not (root / LOCK).exists()  # every refusal released the lock
    with Store.open(root, "design", {**record, "outcome": "z"}, resume=True) as store:
        assert store.keys() == {"c000000"}


def test_a_directory_of_an_old_sensitivity_run_is_refused_clearly(tmp_path):
    (tmp_path / "design.json").write_text("{}")
    with pytest.raises(ValidationError, match="cannot be resumed by this version"):
        Store.open(tmp_path, "design", {"a": 1}, resume=True)


def test_a_second_writer_is_refused_and_a_stale_lock_taken_over(tmp_path):
    first = StoreLock(tmp_path).acquire()
    with pytest.raises(StoreLockedError, match=f"in use by process {os.getpid()} on "):
        StoreLock(tmp_path).acquire()
    with pytest.raises(StoreLockedError):
        StoreLock(tmp_path).acquire(wait=0.3, poll=0.05)  # waited, then gave up
    first.release()
    # a lock left by a dead process of this host is stale
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True
    )
    pid = int(dead.stdout)
    (tmp_path / LOCK).write_text(json.dumps({"pid": pid, "host": socket.gethostname()}))
    StoreLock(tmp_path).acquire().release()
    # one from another host is not judged: the message says which file to delete
    (tmp_path / LOCK).write_text(json.dumps({"pid": 1, "host": "elsewhere"}))
    with pytest.raises(StoreLockedError, match=f"delete {tmp_path / LOCK}"):
        StoreLock(tmp_path).acquire()


_HOLD = """
import sys, time
from sim.store import Store
with Store.open(sys.argv[1], "ensemble", {"name": "held"}):
    print("locked", flush=True)
    sys.stdin.readline()  # hold the directory until the test says so
"""


def _cli(*args) -> list[str]:
    return [sys.executable, "-m", "sim.cli", *map(str, args)]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@posix_only
def test_two_processes_on_one_directory(tmp_path):
    out = tmp_path / "r"
    run = ["run", DATA / "shock_timing.toml", "--out", out, "--executor", "serial", "--quiet"]
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(out)],
        cwd=ROOT,
        env=_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        # another process exits 2 naming the holder, and computes nothing
        second = subprocess.run(
            _cli(*run, "--resume"), cwd=ROOT, env=_env(), capture_output=True, text=True
        )
        assert second.returncode == 2, second.stderr
        assert f"is in use by process {holder.pid} on {socket.gethostname()}" in second.stderr
        assert "--wait" in second.stderr and "Traceback" not in second.stderr
        assert not list((out / "parts").glob("*.parquet"))
        # with --wait it runs once the holder is done
        waiting = subprocess.Popen(
            _cli(*run, "--wait"), cwd=ROOT, env=_env(), stdout=subprocess.PIPE, text=True
        )
        time.sleep(1.0)
        assert waiting.poll() is None  # still waiting
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=30) == 0
        assert waiting.wait(timeout=120) == 0
        assert "shock_timing: 2 replicates" in waiting.stdout.read()
        waiting.stdout.close()
    finally:
        holder.kill()
        holder.wait()
        holder.stdin.close()
        holder.stdout.close()
    assert not (out / LOCK).exists()


@posix_only
def test_a_killed_writer_leaves_a_stale_lock_that_the_next_resume_takes_over(tmp_path):
    out = tmp_path / "r"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(out)],
        cwd=ROOT,
        env=_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    holder.stdin.close()
    holder.stdout.close()
    assert json.loads((out / LOCK).read_text())["pid"] == holder.pid  # left behind
    done = subprocess.run(
        _cli("run", DATA / "shock_timing.toml", "--out", out, "--executor", "serial", "--quiet"),
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert not (out / LOCK).exists()


def _parts(rep: int):
    model = pd.DataFrame(
        {"replicate": rep, "arm": ["shock", "baseline"], "step": 0, "y": [1.0, 2.0]}
    )
    agent = model.assign(actor="AAA")
    return model, agent


def test_store_round_trip_and_only_complete_replicates_count(tmp_path):
    store = ResultsStore.open_for_run(tmp_path / "r", {"scenario": {"name": "x", "seed": 1}})
    for rep in (1, 0):
        store.write_replicate(rep, *_parts(rep))
    # A half-written replicate (agent part only) and a stray temporary file do not count.
    store.write_replicate(2, *_parts(2))
    (store.parts / "r000002.model.parquet").unlink()
    (store.parts / ".r000003.model.parquet.xyz.tmp").write_bytes(b"partial")
    assert store.stored() == {0, 1}
    back = store.read_frame("model")
    assert_frame_equal(back, pd.concat([_parts(0)[0], _parts(1)[0]], ignore_index=True))
    store.finish()
    assert store.manifest()["status"] == "complete"


def test_results_store_reads_parts_like_any_store_and_frames_by_kind(tmp_path):
    store = ResultsStore.open_for_run(tmp_path / "r", {"scenario": {"name": "x", "seed": 1}})
    for rep in (0, 1):
        store.write_replicate(rep, *_parts(rep))
    # Store.read's own signature (parts by key) holds for a ResultsStore too
    assert_frame_equal(store.read(["r000001"], "agent"), _parts(1)[1])
    assert_frame_equal(store.read_frame("agent", [1]), _parts(1)[1])
    # version 0.1's read(kind[, replicates]) still answers, with a warning
    with pytest.warns(DeprecationWarning, match="use ResultsStore.read_frame"):
        old = store.read("model", [0])
    assert_frame_equal(old, _parts(0)[0])


def test_store_refuses_to_mix_runs(tmp_path):
    root = tmp_path / "r"
    store = ResultsStore.open_for_run(root, {"scenario": {"name": "x", "seed": 1}})
    store.write_replicate(0, *_parts(0))  # a directory holds results once a replicate is stored
    store.close()  # a run that stopped releases its lock (tests/test_store.py tests the lock)
    with pytest.raises(ValidationError, match="--resume"):
        ResultsStore.open_for_run(root, {"scenario": {"name": "x", "seed": 1}})
    with pytest.raises(ValidationError, match=r"scenario\.seed"):
        ResultsStore.open_for_run(root, {"scenario": {"name": "x", "seed": 2}}, resume=True)
    with pytest.raises(ValidationError, match="not a results directory"):
        ResultsStore(tmp_path / "none").manifest()
