"""The Ishigami function: a test model whose Sobol' indices are known in closed form."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from sim.uncertainty import Distribution

__all__ = ["Ishigami", "ishigami_indices"]


@dataclass(frozen=True)
class Ishigami:
    """The Ishigami function ``sin x1 + a sin² x2 + b x3⁴ sin x1`` on ``[-π, π]³``.

    Its Sobol' indices are known in closed form (:func:`ishigami_indices`), so it checks the
    whole design → executor → store → analysis pipeline independently of the model.

    Parameters
    ----------
    a, b : float
        The function's constants (7 and 0.1, as in the literature).
    delay : float
        Seconds of sleep per evaluation, to make a fast function take wall time (to test
        executors and resuming).

    Examples
    --------
    >>> from sim.sensitivity import Ishigami
    >>> f = Ishigami()
    >>> round(f({"x1": 1.0, "x2": 0.5, "x3": -2.0}), 4), list(f.space)
    (3.7968, ['x1', 'x2', 'x3'])

    References
    ----------
    Ishigami, T. and Homma, T. (1990). An importance quantification technique in uncertainty
    analysis for computer models. ISUMA '90, 398-403.
    """

    a: float = 7.0
    b: float = 0.1
    delay: float = 0.0  # seconds per evaluation, to make a fast function take wall time

    @property
    def space(self) -> dict[str, Distribution]:
        """``x1, x2, x3`` uniform on ``[-π, π]``."""
        from sim.uncertainty import Uniform

        return {f"x{i}": Uniform(-math.pi, math.pi) for i in (1, 2, 3)}

    def __call__(self, values: Mapping[str, float]) -> float:
        if self.delay:
            time.sleep(self.delay)
        x1, x2, x3 = values["x1"], values["x2"], values["x3"]
        return math.sin(x1) + self.a * math.sin(x2) ** 2 + self.b * x3**4 * math.sin(x1)


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> pd.DataFrame:
    """The exact first- and total-order indices of the Ishigami function.

    ``V1 = (1 + b π⁴/5)²/2``, ``V2 = a²/8``, ``V13 = b² π⁸ (1/18 - 1/50)``,
    ``V = V1 + V2 + V13``; S1 = (V1, V2, 0)/V, ST = (V1 + V13, V2, V13)/V.

    Parameters
    ----------
    a, b : float
        The function's constants (see :class:`Ishigami`).

    Returns
    -------
    DataFrame
        ``parameter, S1, ST``, one row per input ``x1, x2, x3``.

    Examples
    --------
    >>> from sim.sensitivity import ishigami_indices
    >>> ishigami_indices().round(3).to_dict("list")
    {'parameter': ['x1', 'x2', 'x3'], 'S1': [0.314, 0.442, 0.0], 'ST': [0.558, 0.442, 0.244]}
    """
    pi4 = math.pi**4
    v1 = 0.5 * (1 + b * pi4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi4**2 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return pd.DataFrame(
        {
            "parameter": ["x1", "x2", "x3"],
            "S1": [v1 / v, v2 / v, 0.0],
            "ST": [(v1 + v13) / v, v2 / v, v13 / v],
        }
    )
