"""Crash safety: SIGKILL (and Ctrl-C) a running ensemble at random points, resume, lose nothing.

The run is killed several times on the same results directory — at points drawn from a fixed
seed: after a random number of stored replicates plus a random delay, so kills land during
model runs, during Parquet writes and between them — and each time resumed with ``--resume``.
The stored results must then equal an uninterrupted run's, frame for frame. The whole process
group is killed (the ``processes`` executor's workers too), as the kernel's OOM killer or a
closed laptop lid would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from pandas.testing import assert_frame_equal

pytest.importorskip("sim.runner", reason="the scenario runner is not merged yet")

from sim.runner import load_results

ROOT = Path(__file__).resolve().parents[1]
REPLICATES = 16
ARGS = ["run", "syria_loss", "--replicates", str(REPLICATES), "--steps", "24", "--quiet"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals and process groups"),
]


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "sim.cli", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _stored(out: Path) -> int:
    parts = out / "parts"
    return len(list(parts.glob("*.model.parquet"))) if parts.is_dir() else 0


def _run_and_kill(
    args: list[str], out: Path, min_parts: int, delay: float, sig: int = signal.SIGKILL
) -> int | None:
    """Start a run; send `sig` to its process group once `min_parts` replicates are stored and
    a further `delay` seconds passed. Returns the replicates stored at the kill, or ``None`` if
    the run finished first. A SIGINT (Ctrl-C) must end it with exit code 130, no traceback."""
    proc = subprocess.Popen(
        _cli(*args, "--out", str(out)),
        cwd=ROOT,
        env=_env(),
        start_new_session=True,  # its own process group: workers die with it
        # pytest-xdist workers ignore SIGINT, and an ignored signal stays ignored across exec:
        # give the run the default disposition a user's terminal gives it.
        preexec_fn=_default_sigint,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 180
    while proc.poll() is None and _stored(out) < min_parts and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(delay)
    if proc.poll() is not None:
        assert proc.returncode == 0, proc.stderr.read().decode()
        proc.stderr.close()
        return None
    os.killpg(proc.pid, sig)
    proc.wait(timeout=60)
    err = proc.stderr.read().decode()
    proc.stderr.close()
    if proc.returncode == 0:
        # The run finished between the last poll and the signal (a loaded machine makes this
        # window real): it must then be complete, and there was nothing to interrupt.
        assert _stored(out) == REPLICATES, err
        return None
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and "Traceback" not in err, (proc.returncode, err)
        assert "interrupted" in err
    return _stored(out)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted run (serial; results do not depend on the executor)."""
    out = tmp_path_factory.mktemp("whole") / "r"
    subprocess.run(
        _cli(*ARGS, "--executor", "serial", "--out", str(out)), cwd=ROOT, env=_env(), check=True
    )
    return load_results(out)


SERIAL = ["--executor", "serial"]
PROCESSES = ["--executor", "processes", "--workers", "2"]


@pytest.mark.parametrize(
    ("executor", "seed", "kills", "sig"),
    [
        (SERIAL, 20261128, 4, signal.SIGKILL),
        (PROCESSES, 8, 3, signal.SIGKILL),
        (SERIAL, 3, 2, signal.SIGINT),
        (PROCESSES, 5, 2, signal.SIGINT),
    ],
    ids=["serial-SIGKILL", "processes-SIGKILL", "serial-Ctrl-C", "processes-Ctrl-C"],
)
def test_killed_and_resumed_runs_equal_an_uninterrupted_run(
    tmp_path, reference, executor, seed, kills, sig
):
    rng = np.random.default_rng(seed)
    out = tmp_path / "r"
    args = [*ARGS, *executor]
    at_kill = []
    for k in range(kills):
        # where to kill: once 0.. more replicates are stored than now, plus up to 50 ms, while
        # a few replicates are still to run (so a loaded machine cannot finish the run first)
        have = _stored(out)
        min_parts = have + int(rng.integers(0, max(1, REPLICATES - 4 - have)))
        if sig == signal.SIGINT:  # Ctrl-C while Python itself starts up prints its traceback
            min_parts = max(min_parts, have + 1)
        delay = float(rng.uniform(0, 0.05))
        n = _run_and_kill(args + (["--resume"] if k else []), out, min_parts, delay, sig)
        if n is None:
            break
        at_kill.append(n)
        if (out / "manifest.json").exists():  # never torn: written atomically
            status = json.loads((out / "manifest.json").read_text())["status"]
            # "complete" when the kill hit after the last replicate (printing the summary)
            assert status == ("complete" if n == REPLICATES else "running"), (status, n)
    print(f"replicates stored at each kill: {at_kill}")
    assert at_kill and any(0 < n < REPLICATES for n in at_kill), at_kill

    done = subprocess.run(
        _cli(*args, "--resume", "--out", str(out)), cwd=ROOT, env=_env(), capture_output=True
    )
    assert done.returncode == 0, done.stderr.decode()
    res = load_results(out)
    assert res.replicates == list(range(REPLICATES))
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"
    assert_frame_equal(res.model_frame, reference.model_frame)
    assert_frame_equal(res.agent_frame, reference.agent_frame)
