"""The Ishigami test function (sim.sensitivity.ishigami): its closed-form indices."""

import numpy as np

from sim.sensitivity import ishigami_indices


def test_ishigami_closed_form_matches_the_literature():
    exact = ishigami_indices(7.0, 0.1).set_index("parameter")
    np.testing.assert_allclose(exact["S1"], [0.3139, 0.4424, 0.0], atol=1e-4)
    np.testing.assert_allclose(exact["ST"], [0.5576, 0.4424, 0.2437], atol=1e-4)
