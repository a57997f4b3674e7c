"""The targets file: the evidence as data, each target a measured statistic against an observed value or range.

A targets file (YAML, read by the project's safe loader and validated like scenario, sweep and what-if files:
unknown keys are refused with the nearest allowed one, and every error names the file and the field path)::

    name: evidence                      # output folder results/<name>/ (default: the file name)
    evidence: ../shared/research/domain-evidence.md
    seed: 1                             # the runs use seeds seed, seed + 1, ... (cogov check --seeds N)
    facts: {1: Distance decay of centre use, ...}     # names of the stylized facts the targets check
    runs:                               # named runs the targets are measured on
      year: {scenario: baseline, days: 365, sample_fraction: 0.1}
      sd_high: {scenario: baseline, days: 365, sample_fraction: 0.1, set: {behaviour.threshold_sd: 0.14}}
    targets:
      - id: decay_efolding_km
        title: Distance decay of street-center use (e-folding length)
        fact: 1                         # the stylized fact of the evidence's section 4 it checks (optional)
        shanghai: street-center catchment   # the Shanghai figure it checks (optional)
        measure: {kind: distance_decay, run: year, level: street, form: exponential}
        observed: {value: 0.6, range: [0.5, 0.8], unit: km}
        uncertainty: {absolute: 0.2}    # or {factor: 2}: what counts as near
        source: "§4.1; §2.11 (walkscore)"
        note: what the evidence measures and how it differs from the model's measure

Loading it is :mod:`~cogov_sim.calibration.targets_file`. The kinds of measure (:data:`MEASURE_KINDS`, computed
by :mod:`~cogov_sim.calibration.measures`): ``indicator`` (a daily indicator on a day, or averaged over a window or
the last days), ``table`` (a cell of a run's tables or of the probe's record, optionally per resident or person and
scaled), ``distance_decay`` (the e-folding length, or the power-form exponent, of visits per resident with walking
distance), ``logistic`` (K, r or the inflection of a logistic fitted to an indicator), ``age_gradient``
(participation by age band: ratio, difference, the middle band's position, monotonicity), ``growth_rate`` (of an
indicator, per year) and ``ratio`` (of two measures, possibly on two runs with paired seeds, or their difference).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from cogov_sim.scenario import Frozen, Level

FACTS = range(1, 14)
"""The stylized facts of the evidence's section 4 a target may check (1-13)."""


class RunSpec(Frozen):
    """A named run the targets are measured on: a scenario, how long, at which sample fraction, with changes."""

    scenario: str = Field(description="Scenario file (relative to the targets file, the working folder or the"
                          " project) or the name of a shipped scenario.")  # fmt: skip
    days: int = Field(ge=1, le=36_500, description="Days per run.")
    sample_fraction: float = Field(gt=0, le=1, description="population.sample_fraction of the runs.")
    set_: dict[str, Any] = Field(default_factory=dict, alias="set", description="Changes: dotted path -> value.")
    description: str = ""


class IndicatorMeasure(Frozen):
    """A daily indicator on ``day`` (default: the last), or its mean over ``window`` or the ``last`` N days."""

    kind: Literal["indicator"]
    run: str
    name: str
    day: int | None = Field(None, ge=1)
    window: tuple[int, int] | None = None
    last: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _one_choice(self) -> IndicatorMeasure:
        if sum(x is not None for x in (self.day, self.window, self.last)) > 1:
            raise ValueError("give one of day, window and last")
        if self.window is not None and not 1 <= self.window[0] <= self.window[1]:
            raise ValueError(f"window: expected [first day, last day] with 1 <= first <= last, got {self.window}")
        return self


class TableMeasure(Frozen):
    """A cell of a run's table (``row`` and ``column``), times ``scale``, optionally per resident or person."""

    kind: Literal["table"]
    run: str
    table: str
    row: str
    column: str
    per: Literal["residents", "people"] | None = None
    scale: float = Field(1.0, gt=0)


class DecayMeasure(Frozen):
    """Visits per resident against walking distance from home to the nearest center of ``level``, fitted.

    ``exponential``: the e-folding length (km) of exp(-d / L); ``power``: the exponent β of d^-β (Huff).
    """

    kind: Literal["distance_decay"]
    run: str
    level: Level = "street"
    form: Literal["exponential", "power"] = "exponential"


class LogisticMeasure(Frozen):
    """A logistic K / (1 + exp(-r (t - t0))) fitted to an indicator's daily series; one of its parameters.

    ``K`` (the level it tends to), ``r`` (per year), ``inflection_day`` (t0, in days) or ``inflection_share``
    (t0 as a share of the run).
    """

    kind: Literal["logistic"]
    run: str
    indicator: str = "volunteer_share"
    parameter: Literal["K", "r", "inflection_day", "inflection_share"]


class AgeGradientMeasure(Frozen):
    """A column of the participation table by age band, from the first to the last of ``bands``.

    ``ratio`` last / first; ``difference`` last - first; ``mid_position`` (middle - first) / (last - first) with
    three bands; ``monotonicity`` the rank correlation of the value with age over every band from first to last.
    """

    kind: Literal["age_gradient"]
    run: str
    form: Literal["ratio", "difference", "mid_position", "monotonicity"]
    bands: list[str] = Field(default_factory=lambda: ["18-29", "50-59", "70-79"], min_length=2, max_length=7)
    column: Literal["participation", "visits_per_person", "volunteer_share"] = "participation"


class GrowthMeasure(Frozen):
    """The annual growth rate of an indicator between two days: (y_b / y_a)^(365 / (b - a)) - 1."""

    kind: Literal["growth_rate"]
    run: str
    indicator: str
    window: tuple[int, int | None] = (1, None)


class RatioMeasure(Frozen):
    """Two measures, each on its own run, with paired seeds: numerator / denominator (or their difference)."""

    kind: Literal["ratio"]
    numerator: Measure
    denominator: Measure
    form: Literal["ratio", "difference"] = "ratio"


Measure = Annotated[
    IndicatorMeasure
    | TableMeasure
    | DecayMeasure
    | LogisticMeasure
    | AgeGradientMeasure
    | GrowthMeasure
    | RatioMeasure,
    Field(discriminator="kind"),
]
"""What a target measures, told apart by its ``kind``."""

RatioMeasure.model_rebuild()

MEASURE_KINDS: dict[str, type[Frozen]] = {
    "indicator": IndicatorMeasure,
    "table": TableMeasure,
    "distance_decay": DecayMeasure,
    "logistic": LogisticMeasure,
    "age_gradient": AgeGradientMeasure,
    "growth_rate": GrowthMeasure,
    "ratio": RatioMeasure,
}
"""Kind -> model of a measure."""


class Observed(Frozen):
    """What the evidence says: a value, a range (either end may be open: null), or both; and its unit."""

    value: float | None = None
    range: tuple[float | None, float | None] | None = None
    unit: str = ""

    @model_validator(mode="after")
    def _value_or_range(self) -> Observed:
        if self.value is None and self.range is None:
            raise ValueError("give a value, a range or both")
        if self.range is not None:
            lo, hi = self.range
            if lo is None and hi is None:
                raise ValueError("range: at least one end must be a number")
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"range: expected [low, high] with low <= high, got {[lo, hi]}")
            if self.value is not None and not ((lo is None or lo <= self.value) and (hi is None or self.value <= hi)):
                raise ValueError(f"value: {self.value} lies outside the range {[lo, hi]}")
        return self

    @property
    def band(self) -> tuple[float, float]:
        """The observed range as (low, high), open ends as -inf and inf; a value alone is (value, value)."""
        if self.range is None:
            assert self.value is not None
            return (self.value, self.value)
        lo, hi = self.range
        return (float("-inf") if lo is None else lo, float("inf") if hi is None else hi)


class Uncertainty(Frozen):
    """How far beyond the observed range a result still counts as near: an absolute margin or a factor."""

    absolute: float | None = Field(None, ge=0)
    factor: float | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _one(self) -> Uncertainty:
        if (self.absolute is None) == (self.factor is None):
            raise ValueError("give one of absolute and factor")
        return self


class Target(Frozen):
    """One target: what is measured, on which run, against what the evidence observed, and where that is from."""

    id: str
    title: str
    fact: int | None = Field(None, ge=min(FACTS), le=max(FACTS))
    shanghai: str | None = None
    measure: Measure
    observed: Observed
    uncertainty: Uncertainty | None = None
    source: str = Field(min_length=1, description="Where the observed value comes from: a § of the evidence file.")
    note: str = ""

    def near_band(self) -> tuple[float, float]:
        """The observed range widened by the uncertainty (the range itself without one)."""
        lo, hi = self.observed.band
        u = self.uncertainty
        if u is None:
            return (lo, hi)
        if u.absolute is not None:
            return (lo - u.absolute, hi + u.absolute)
        assert u.factor is not None
        return (lo / u.factor if lo > 0 else lo, hi * u.factor)


class TargetsSpec(Frozen):
    """The targets file as written."""

    name: str | None = None
    description: str = ""
    evidence: str = ""
    seed: int = Field(1, ge=0, le=2**32 - 64, description="The first run seed; runs use seed, seed + 1, ...")
    facts: dict[int, str] = Field(default_factory=dict)
    runs: dict[str, RunSpec] = Field(min_length=1)
    targets: list[Target] = Field(min_length=1)
