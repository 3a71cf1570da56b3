"""Round trips of the results store over generated frames: what is written is read back equal."""

from __future__ import annotations

import tempfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

pytest.importorskip("sim.store", reason="the results store is not merged yet")

from sim.store import ResultsStore
from tests.strategies import CI

_values = st.floats(allow_nan=True, allow_infinity=True, width=64)


@st.composite
def _replicates(draw):
    """Tidy frames in the results layout: both arms of a few replicates, any float values."""
    steps = draw(st.integers(1, 6))
    actors = draw(st.lists(st.sampled_from(["AAA", "BBB", "CCC", "DDD"]), min_size=1, unique=True))
    reps = draw(st.lists(st.integers(0, 999_999), min_size=1, max_size=4, unique=True))
    out = {}
    for r in reps:
        seed = draw(st.integers(0, 2**63 - 1))
        rows = [("shock", t) for t in range(steps + 1)] + [
            ("baseline", t) for t in range(steps + 1)
        ]
        model = pd.DataFrame(
            {
                "scenario": "s",
                "replicate": r,
                "seed": seed,
                "arm": [a for a, _ in rows],
                "step": [t for _, t in rows],
                "fulfilment:axis": [draw(_values) for _ in rows],
                "alive:axis": [draw(st.integers(0, 40)) for _ in rows],
            }
        )
        agent = model[["scenario", "replicate", "seed", "arm", "step"]].merge(
            pd.DataFrame({"actor": actors}), how="cross"
        )
        agent["capability"] = [draw(_values) for _ in range(len(agent))]
        agent["alive"] = [draw(st.booleans()) for _ in range(len(agent))]
        out[r] = (model, agent)
    return out


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("store")


@settings(CI, max_examples=60)
@given(data=_replicates())
def test_parts_read_back_equal(data, scratch):
    store = ResultsStore(tempfile.mkdtemp(dir=scratch))
    store.open_for_run(store.root, {"scenario": {"name": "s"}, "replicates": len(data)})
    for r, (model, agent) in data.items():
        store.write_replicate(r, model, agent)
    assert store.stored() == set(data)
    for kind, k in (("model", 0), ("agent", 1)):
        expected = pd.concat([data[r][k] for r in sorted(data)], ignore_index=True)
        got = store.read_frame(kind)
        assert_frame_equal(got, expected)
        # NaN, +inf and -inf survive bit for bit where they were written
        for col in expected.select_dtypes("float").columns:
            a, b = expected[col].to_numpy(), got[col].to_numpy()
            assert np.array_equal(a, b, equal_nan=True)
