"""The sensitivity package (sim.sensitivity): `sim.analyse_sensitivity` after importing the package
in a fresh interpreter, and the old names kept with a deprecation warning."""

import pytest

from sim.sensitivity import Ishigami


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
