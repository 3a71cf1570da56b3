"""Sensitivity analysis (sim.sensitivity.analysis): Ishigami indices recovered within their
intervals, an unused input at zero, constant outputs and bad options."""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from sim.errors import SimError, ValidationError
from sim.sensitivity import Ishigami, analyse, ishigami_indices, read_outputs
from sim.uncertainty import Uniform


@dataclass(frozen=True)
class WithDummy:
    """Ishigami plus an input `dummy` that the function ignores."""

    f: Ishigami = field(default_factory=Ishigami)

    def __call__(self, values):
        return self.f(values)


def _constant(values):
    return 1.0


def _nan(values):
    return float("nan")


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


def test_an_unused_input_gets_indices_indistinguishable_from_zero():
    space = {**Ishigami().space, "dummy": Uniform(0, 1)}
    sob = analyse(WithDummy(), space, method="sobol", samples=2048, rng=1).table
    row = sob.set_index("parameter").loc["dummy"]
    assert abs(row["S1"]) <= row["S1_conf"] and abs(row["ST"]) <= max(row["ST_conf"], 1e-12)
    mor = analyse(WithDummy(), space, method="morris", samples=50, rng=1).table
    mor = mor.set_index("parameter")
    assert mor.loc["dummy", "mu_star"] == 0.0 and mor.loc["dummy", "sigma"] == 0.0
    assert (mor.drop("dummy")["mu_star"] > 1.0).all()


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
