"""ModelParams: every parameter of the alliance model, with units, defaults and plausible ranges.

Each field carries metadata: ``units``, ``range`` (a plausible interval, used by sensitivity
analysis) and ``doc``. The equations they enter are written out in ``docs/model.md``.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from dataclasses import replace as _dc_replace
from typing import Any

from sim.errors import Problem, ValidationError, suggest

__all__ = ["COLLAPSE_FATES", "TIE_MODELS", "ModelParams"]

#: What becomes of an actor whose stability falls below the collapse threshold.
COLLAPSE_FATES = ("removed", "defected", "neutral")

#: Tie submodels (``ModelParams.tie_model``): ``"logodds"`` (the default: a tie's target
#: strength shifts in log-odds with its drivers relative to their initial values),
#: ``"anchor"`` (the residual-anchor equation of version 0.1) and ``"inertia"`` (a null
#: model: strengths never change, no tie forms). See ``docs/model.md``, section 7.3.
TIE_MODELS = ("logodds", "anchor", "inertia")


def _p(default: Any, units: str, lo: float | None, hi: float | None, doc: str):
    meta: dict[str, object] = {"units": units, "doc": doc}
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

    Examples
    --------
    >>> from sim.params import ModelParams
    >>> params = ModelParams()
    >>> params.tie_rate, params.replace(tie_rate=0.2).tie_rate
    (0.1, 0.2)
    >>> ModelParams.ranges()["tie_rate"]
    (0.02, 0.5)
    >>> from sim.errors import ValidationError
    >>> try:
    ...     ModelParams(tie_rate=5)
    ... except ValidationError as err:
    ...     print(err)
    model parameters has 1 problem:
      - tie_rate: is outside its plausible range; got 5; allowed: [0.02, 0.5] 1/month
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
    direct_interdiction_rate: float = _p(
        0.005, "expected share per month", 0.0, 0.05,
        "Expected share of a month's shipment lost on a direct route (no transit actor).",
    )  # fmt: skip
    production_elasticity: float = _p(
        1.0, "dimensionless", 0.0, 2.0,
        "Output scales as (capability / initial capability) ** elasticity.",
    )  # fmt: skip
    trade_elasticity: float = _p(
        0.5, "dimensionless", 0.0, 2.0,
        "A supply tie's volume scales as (partnership strength / initial) ** elasticity.",
    )  # fmt: skip
    substitution_rate: float = _p(
        0.15, "1/month", 0.0, 0.5,
        "Share of the gap to its substitution target a surge closes each month.",
    )  # fmt: skip
    surge_capacity: float = _p(
        0.1, "share of own output", 0.0, 0.5,
        "Share of a supplier's own-use output it can divert to a partner in need.",
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
    tie_model: str = field(
        default="logodds",
        metadata={
            "units": "one of " + ", ".join(TIE_MODELS),
            "doc": "Tie submodel: logodds (default), anchor (v0.1) or inertia (null model).",
        },
    )
    tie_rate: float = _p(
        0.1, "1/month", 0.02, 0.5,
        "logodds: share of the gap to its target strength a tie closes each month.",
    )  # fmt: skip
    support_elasticity: float = _p(
        0.5, "log-odds per log unit", 0.0, 2.0,
        "logodds: shift of a tie's log-odds per log change of support delivered.",
    )  # fmt: skip
    dependence_elasticity: float = _p(
        0.5, "log-odds per log unit", 0.0, 2.0,
        "logodds: shift of a tie's log-odds per log change of mutual dependence.",
    )  # fmt: skip
    threat_elasticity: float = _p(
        1.0, "log-odds per log unit", 0.0, 2.0,
        "logodds: shift of a tie's log-odds per log change of shared threat.",
    )  # fmt: skip
    hostility_weight: float = _p(
        1.0, "log-odds per hostile act", 0.0, 3.0,
        "logodds: fall of a tie's log-odds per hostile act in force between the partners.",
    )  # fmt: skip
    treaty_damping: float = _p(
        0.5, "dimensionless", 0.0, 1.0,
        "logodds: factor on the shift of ties with a defence clause (defence pact, union).",
    )  # fmt: skip
    driver_floor: float = _p(
        0.02, "driver units", 0.005, 0.2,
        "logodds: added to each driver before its log ratio, so a driver of 0 stays finite.",
    )  # fmt: skip
    tie_gain: float = _p(
        0.5, "1/month", 0.02, 1.0,
        "anchor: rate at which the drivers of a partnership raise its strength.",
    )  # fmt: skip
    tie_decay: float = _p(
        0.06, "1/month", 0.005, 0.1,
        "anchor: rate at which an unused partnership weakens.",
    )  # fmt: skip
    tie_support_weight: float = _p(
        1.0, "dimensionless", 0.0, 4.0,
        "anchor: weight of support delivered between the partners in the tie's drive.",
    )  # fmt: skip
    dependence_weight: float = _p(
        0.5, "dimensionless", 0.0, 4.0,
        "anchor: weight of mutual dependence (needs covered, few alternatives) in the drive.",
    )  # fmt: skip
    threat_weight: float = _p(
        3.0, "dimensionless", 0.0, 4.0,
        "anchor: weight of shared threat (rival pressure / combined capability) in the drive.",
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
                elif isinstance(f.default, int) and not isinstance(value, int):
                    problems.append(
                        Problem(
                            f.name, "must be a whole number", value, f"an integer in [{lo}, {hi}]"
                        )
                    )
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
        if self.tie_model not in TIE_MODELS:
            problems.append(
                Problem(
                    "tie_model",
                    "unknown tie model",
                    self.tie_model,
                    " | ".join(TIE_MODELS),
                    suggest(self.tie_model, TIE_MODELS),
                )
            )
        defect_bloc: object = self.defect_bloc  # typed str, but built from user input
        if not isinstance(defect_bloc, str):
            problems.append(Problem("defect_bloc", "must be a string", defect_bloc))
        if problems:
            raise ValidationError(problems, what="model parameters")

    @classmethod
    def ranges(cls) -> dict[str, tuple[float, float]]:
        """Plausible range of every continuous parameter: ``{name: (lo, hi)}``.

        These are what uncertainty and sensitivity analysis may vary; whole-number settings
        (``anchor_draws``, a numerical choice rather than a model quantity) are left out.
        """
        return {
            f.name: f.metadata["range"]
            for f in fields(cls)
            if "range" in f.metadata and isinstance(f.default, float)
        }

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


def _parameters_section(cls: type) -> str:
    """The numpydoc Parameters section of `cls`, written from its fields' metadata.

    One source for each parameter's meaning, units and range: the field itself, which
    :meth:`ModelParams.describe` and the sensitivity designs read too.
    """
    lines = ["Parameters", "----------"]
    for f in fields(cls):
        rng = f.metadata.get("range")
        bounds = f"; plausible range [{rng[0]}, {rng[1]}]" if rng else ""
        lines.append(f"{f.name} : {f.type}, default {f.default!r}")
        lines.append(f"    {f.metadata['doc']} Units: {f.metadata['units']}{bounds}.")
    return "\n".join("    " + line if line else line for line in lines) + "\n\n"


if ModelParams.__doc__:  # None under python -OO
    ModelParams.__doc__ = ModelParams.__doc__.replace(
        "    Notes\n", _parameters_section(ModelParams) + "    Notes\n", 1
    )
