"""ModelParams: every parameter of the alliance model, with units, defaults and plausible ranges.

Each field carries metadata: ``units``, ``range`` (a plausible interval, used by sensitivity
analysis) and ``doc``. The equations they enter are written out in ``docs/model.md``.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from dataclasses import replace as _dc_replace
from typing import Any

from sim.errors import Problem, ValidationError, suggest

__all__ = ["COLLAPSE_FATES", "ModelParams"]

#: What becomes of an actor whose stability falls below the collapse threshold.
COLLAPSE_FATES = ("removed", "defected", "neutral")


def _p(default: Any, units: str, lo: float | None, hi: float | None, doc: str):
    meta = {"units": units, "doc": doc}
    if lo is not None:
        meta["range"] = (lo, hi)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class ModelParams:
    """The parameters of :class:`sim.AllianceModel`; frozen, validated when built.

    Every numeric field has a default, units and a plausible range (``ModelParams.ranges()``);
    values outside the range are rejected, since the range is where the model is meant to be
    read. Build variants with :meth:`replace`.

    Notes
    -----
    The supply, state and tie submodels that use these parameters are given, with every
    equation, in ``docs/model.md`` (section "Submodels").
    """

    # -- supply ---------------------------------------------------------------------------
    volume_noise: float = _p(
        0.1, "log-sd per month", 0.0, 0.3,
        "Month-to-month noise of each supplier's output (lognormal, mean-preserving).",
    )  # fmt: skip
    interdiction_rate: float = _p(
        0.02, "expected share per transit hop per month", 0.0, 0.1,
        "Expected share of a month's shipment on a tie interdicted at each transit hop.",
    )  # fmt: skip
    production_elasticity: float = _p(
        1.0, "dimensionless", 0.0, 2.0,
        "Output scales as (capability / initial capability) ** elasticity.",
    )  # fmt: skip
    # -- state update ---------------------------------------------------------------------
    need_weight: float = _p(
        0.5, "dimensionless", 0.0, 2.0,
        "Weight of the change in supply fulfilment in an actor's condition index.",
    )  # fmt: skip
    support_weight: float = _p(
        0.5, "dimensionless", 0.0, 2.0,
        "Weight of the change in allied support (strength x partner capability).",
    )  # fmt: skip
    pressure_weight: float = _p(
        0.5, "dimensionless", 0.0, 2.0,
        "Weight of the change in rival pressure (intensity x rival capability).",
    )  # fmt: skip
    capability_rate: float = _p(
        0.1, "1/month", 0.02, 0.5,
        "Share of the gap to its target capability an actor closes each month.",
    )  # fmt: skip
    stability_rate: float = _p(
        0.1, "1/month", 0.02, 0.5,
        "Share of the gap to its target stability an actor closes each month.",
    )  # fmt: skip
    stability_sensitivity: float = _p(
        0.5, "dimensionless", 0.1, 2.0,
        "Relative change of target stability per unit of condition index.",
    )  # fmt: skip
    stability_noise: float = _p(
        0.01, "stability units per month (sd)", 0.0, 0.05,
        "Random month-to-month shocks to stability (domestic politics).",
    )  # fmt: skip
    collapse_threshold: float = _p(
        0.1, "stability units", 0.02, 0.3,
        "Stability below which an actor's regime may collapse.",
    )  # fmt: skip
    collapse_prob: float = _p(
        0.5, "probability per month", 0.05, 1.0,
        "Chance that an actor below the threshold collapses in a given month.",
    )  # fmt: skip
    collapse_fate: str = field(
        default="removed",
        metadata={
            "units": "one of " + ", ".join(COLLAPSE_FATES),
            "doc": "What happens to a collapsed actor: removed, defects, or turns neutral.",
        },
    )
    defect_bloc: str = field(
        default="",
        metadata={
            "units": "bloc name",
            "doc": "Bloc a collapsed actor defects to ('' = the bloc of its strongest rival).",
        },
    )
    # -- tie update -----------------------------------------------------------------------
    tie_gain: float = _p(
        0.5, "1/month", 0.02, 1.0,
        "Rate at which the drivers of a partnership raise its strength.",
    )  # fmt: skip
    tie_decay: float = _p(
        0.06, "1/month", 0.005, 0.1,
        "Rate at which an unused partnership weakens.",
    )  # fmt: skip
    tie_support_weight: float = _p(
        1.0, "dimensionless", 0.0, 4.0,
        "Weight of support delivered between the partners in the tie's drive.",
    )  # fmt: skip
    dependence_weight: float = _p(
        0.5, "dimensionless", 0.0, 4.0,
        "Weight of mutual dependence (needs covered, few alternatives) in the tie's drive.",
    )  # fmt: skip
    threat_weight: float = _p(
        3.0, "dimensionless", 0.0, 4.0,
        "Weight of shared threat (rival pressure / combined capability) in the tie's drive.",
    )  # fmt: skip
    tie_floor: float = _p(
        0.05, "strength units", 0.01, 0.2,
        "Strength below which a partnership dissolves.",
    )  # fmt: skip
    formation_rate: float = _p(
        0.002, "probability per pair per month", 0.0, 0.02,
        "Chance per month that two actors sharing a rival form a partnership, at full threat.",
    )  # fmt: skip
    formation_strength: float = _p(
        0.15, "strength units", 0.05, 0.4,
        "Strength of a newly formed partnership.",
    )  # fmt: skip

    # -- numerics -------------------------------------------------------------------------
    anchor_draws: int = _p(
        32, "draws", 1, 256,
        "Noisy first months averaged to set the equilibrium anchors at t = 0.",
    )  # fmt: skip

    def __post_init__(self):
        problems = []
        for f in fields(self):
            value = getattr(self, f.name)
            rng = f.metadata.get("range")
            if rng is not None:
                lo, hi = rng
                if not isinstance(value, int | float) or isinstance(value, bool):
                    problems.append(Problem(f.name, "must be a number", value, f"[{lo}, {hi}]"))
                elif not lo <= value <= hi:
                    problems.append(
                        Problem(
                            f.name,
                            "is outside its plausible range",
                            value,
                            f"[{lo}, {hi}] {f.metadata['units']}",
                        )
                    )
        if self.collapse_fate not in COLLAPSE_FATES:
            problems.append(
                Problem(
                    "collapse_fate",
                    "unknown fate",
                    self.collapse_fate,
                    " | ".join(COLLAPSE_FATES),
                    suggest(self.collapse_fate, COLLAPSE_FATES),
                )
            )
        if not isinstance(self.defect_bloc, str):
            problems.append(Problem("defect_bloc", "must be a string", self.defect_bloc))
        if problems:
            raise ValidationError(problems, what="model parameters")

    @classmethod
    def ranges(cls) -> dict[str, tuple[float, float]]:
        """Plausible range of every numeric parameter: ``{name: (lo, hi)}``."""
        return {f.name: f.metadata["range"] for f in fields(cls) if "range" in f.metadata}

    @classmethod
    def describe(cls) -> dict[str, dict[str, Any]]:
        """Default, units, range and meaning of every parameter."""
        out = {}
        for f in fields(cls):
            out[f.name] = {
                "default": f.default if f.default is not MISSING else None,
                "units": f.metadata["units"],
                "range": f.metadata.get("range"),
                "doc": f.metadata["doc"],
            }
        return out

    def replace(self, **changes: Any) -> ModelParams:
        """A copy with some parameters changed; unknown names are reported with suggestions.

        Raises
        ------
        ValidationError
            Every unknown name and every value out of range, at once.
        """
        names = [f.name for f in fields(self)]
        unknown = [
            Problem(
                k, "unknown model parameter", k, "see ModelParams.describe()", suggest(k, names)
            )
            for k in changes
            if k not in names
        ]
        if unknown:
            raise ValidationError(unknown, what="model parameters")
        return _dc_replace(self, **changes)
