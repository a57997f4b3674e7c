"""The what-if file: a base scenario, named policies (lists of interventions), the indicators and effect windows.

The what-if file (YAML, validated like scenario and sweep files: unknown keys are rejected with the nearest valid
key, and errors name the file and the field path)::

    name: whatif_alliance                   # output folder results/<name>/ (default: the file name)
    question: What changes if ...?          # stated at the top of report.md; or {en: ..., zh: ...}
    description: ...                        # as question
    base_scenario: scenarios/business_district.yaml   # relative to this file, the working folder or the project
    overrides: {population.sample_fraction: 0.1}      # dotted scenario path -> value (``set`` is an alias)
    days: 365                               # default: the scenario's
    seed: 11                                # replication r runs every arm with run_seed(seed, 0, r)
    replications: 10
    indicators: [gci, joint_actions, ...]   # reported in effects.csv, plotted
    windows: [final_day, after_start]       # also last_<N>_days
    interval: t                             # or bootstrap (paired, seeded by `seed`)
    contrasts: [[alliance, campaign]]       # optional: policy against policy (contrasts.csv)
    min_important: {gci: 0.005, joint_actions: 10%}   # optional: minimum important differences (absolute or %)
    map_indicator: visits_per_capita        # the per-area indicator of the maps of differences
    policies:
      alliance:                             # a name, then a list of interventions ...
        - {kind: launch_alliance, start_day: 90}
      campaign:                             # ... or a description and the list
        description: Party organizations convene twice as much for three months.
        interventions:
          - {kind: mobilization_campaign, start_day: 90, end_day: 180, multiplier: 2}

Loading checks every intervention against the base scenario; errors are
:class:`~cogov_sim.scenario.ScenarioError` naming the file and the field path (``policies.alliance.0.radius_m``).
Running it with paired seeds is :mod:`~cogov_sim.experiments.whatif_run`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from cogov_sim.experiments.designs import run_seed
from cogov_sim.experiments.effects import BASELINE, parse_mid
from cogov_sim.experiments.files import (
    LoadedFile,
    changed_base,
    check_indicators,
    check_kind,
    check_name,
    find_base,
    resolve_base,
    take_alias,
)
from cogov_sim.experiments.whatif_units import AREA_INDICATORS
from cogov_sim.interventions import Intervention, make_intervention
from cogov_sim.scenario import (
    SHOWN_CHARS,
    Frozen,
    Scenario,
    ScenarioError,
    check_keys,
    expect_mapping,
    read_yaml,
    shorten,
    show,
    unknown_message,
    validate_model,
)
from cogov_sim.scenario.base import Localized, check_localized
from cogov_sim.vocabulary import INDICATORS

DEFAULT_INDICATORS: tuple[str, ...] = (
    "gci",
    "joint_actions",
    "joint_action_success_rate",
    "co_building_agreements",
    "visits_per_capita",
    "bridging_tie_share",
    "cogov_consciousness_mean",
    "trust_mean",
)
"""Indicators reported when a what-if file does not name its own."""

MAP_INDICATOR = "visits_per_capita"
"""The indicator the maps of differences show unless the file names another (``map_indicator``)."""

WINDOW_RE = re.compile(r"^(final_day|after_start|last_([1-9][0-9]*)_days)$")
"""Effect windows: the final day; the mean over the days from the policy's first start day; the last N days."""


class PolicySpec(Frozen):
    """A named policy as written with a description."""

    description: Localized = Field("", description="What the policy does, in words (shown in the report).")

    _localized = field_validator("description", mode="before")(check_localized)
    interventions: list[Any] = Field(default_factory=list, description="The interventions, each with a kind.")


class WhatIfSpec(Frozen):
    """The what-if file as written."""

    name: str | None = Field(None, description="Short name; the default output folder results/<name>/.")
    question: Localized = Field("", description="The question the experiment answers (top of report.md).")
    description: Localized = Field("", description="More about the setting.")
    base_scenario: str = Field(description="Scenario file, relative to this file, the working folder or the project.")
    overrides: dict[str, Any] = Field(default_factory=dict, description="Base scenario changes: dotted path -> value.")
    days: int | None = Field(None, ge=1, le=36_500, description="Days per run (default: the scenario's).")
    seed: int = Field(0, ge=0, description="Experiment seed; replication r of every arm uses run_seed(seed, 0, r).")
    replications: int = Field(10, ge=1, le=10_000, description="Paired replications (each runs every arm).")
    indicators: list[str] = Field(default_factory=lambda: list(DEFAULT_INDICATORS), min_length=1)
    windows: list[str] = Field(
        default_factory=lambda: ["final_day", "after_start"],
        min_length=1,
        description="Effect windows: final_day, after_start, last_<N>_days.",
    )
    interval: Literal["t", "bootstrap"] = Field("t", description="Paired t interval or paired bootstrap.")
    bootstrap_samples: int = Field(2000, ge=100, le=100_000, description="Resamples of the paired bootstrap.")
    contrasts: list[tuple[str, str]] = Field(
        default_factory=list, description="Pairs [policy, reference policy] compared directly (contrasts.csv)."
    )
    min_important: dict[str, Any] = Field(
        default_factory=dict,
        description="Indicator -> minimum important difference: a number (absolute) or a percentage of the"
        " baseline mean ('5%'); replaces the default of effects.MIN_IMPORTANT.",
    )
    map_indicator: str = Field(
        MAP_INDICATOR, description="The per-area indicator the maps of differences colour the residential areas by."
    )
    policies: dict[str, Any] = Field(min_length=1, description="Policy name -> interventions.")

    _localized = field_validator("question", "description", mode="before")(check_localized)

    @model_validator(mode="before")
    @classmethod
    def _set_alias(cls, data: Any) -> Any:
        return take_alias(data, "set", "overrides")


@dataclass(frozen=True)
class Policy:
    """A validated policy.

    Attributes:
        name: the policy's name (an arm of the experiment).
        description: its description (one text, or one per language: :func:`in_lang`).
        interventions: the interventions, in file order.
    """

    name: str
    description: Localized
    interventions: tuple[Intervention, ...]

    @property
    def start_day(self) -> int:
        """First day any intervention acts (1 for a policy without interventions)."""
        return min((iv.start_day for iv in self.interventions), default=1)

    @property
    def marker_days(self) -> list[tuple[int, str]]:
        """Days to mark on plots: each start day and, half a day later than the last day in effect, each end."""
        out = []
        for iv in self.interventions:
            out.append((iv.start_day, "start"))
            end = getattr(iv, "end_day", None)
            if end is not None:
                out.append((end + 1, "end"))
        return sorted(set(out))

    def to_data(self) -> list[dict[str, Any]]:
        """The interventions as plain data (all fields, defaults filled)."""
        return [iv.model_dump(mode="json") for iv in self.interventions]

    @property
    def hash(self) -> str:
        """Content hash of the interventions (part of every run id of this arm)."""
        text = json.dumps(self.to_data(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class WhatIf(LoadedFile):
    """A loaded, validated what-if experiment.

    Attributes:
        spec: the file's content, validated.
        policies: the policies, in file order.
    """

    spec: WhatIfSpec
    policies: tuple[Policy, ...]

    @property
    def arms(self) -> tuple[Policy, ...]:
        """The baseline (no interventions) followed by the policies."""
        return (Policy(BASELINE, "No intervention.", ()), *self.policies)

    @property
    def n_runs(self) -> int:
        """Runs: arms × replications."""
        return len(self.arms) * self.spec.replications

    def seed(self, replication: int) -> int:
        """The seed every arm of ``replication`` runs with."""
        return run_seed(self.spec.seed, 0, replication)

    def to_dict(self) -> dict[str, Any]:
        """The experiment as plain data, interventions with all their parameters (``whatif.resolved.yaml``)."""
        policies = {p.name: {"description": p.description, "interventions": p.to_data()} for p in self.policies}
        return self.with_resolved(
            self.spec.model_dump(mode="json", exclude={"policies"}),
            {"policies": policies},
            seeds=[self.seed(r) for r in range(self.spec.replications)],
        )


def load_whatif(path: str | Path) -> WhatIf:
    """Read and validate a what-if file.

    Args:
        path: the what-if YAML file.

    Returns:
        The validated experiment with its resolved base scenario and interventions.

    Raises:
        ScenarioError: for any bad input, naming the file and the field path (``policies.alliance.0.radius_m``).
    """
    file = str(path)
    data = read_yaml(path)
    check_kind(file, data, "whatif")  # a sweep or scenario file is named as such, not as unknown keys
    data = expect_mapping(file, data, "what-if")
    check_keys(file, data, [*WhatIfSpec.model_fields, "set"])
    spec = validate_model(WhatIfSpec, data, file)
    check_name(file, spec.name)
    base_file = find_base(file, spec.base_scenario)
    base_data = changed_base(file, base_file, spec.overrides, "overrides")
    scenario = resolve_base(file, base_data, spec.days)
    base_data = scenario.to_dict()
    check_indicators(file, spec.indicators)
    for j, w in enumerate(spec.windows):
        if not WINDOW_RE.match(w):
            raise ScenarioError(file, f"windows.{j}", f"got {show(w)}; allowed: final_day, after_start, last_<N>_days")
    if len(set(spec.windows)) != len(spec.windows):
        raise ScenarioError(file, "windows", f"windows must be distinct, got {show(spec.windows)}")
    for ind, value in spec.min_important.items():
        if ind not in INDICATORS:
            raise ScenarioError(file, f"min_important.{ind}", unknown_message(str(ind), list(INDICATORS), "indicator"))
        try:
            parse_mid(value)
        except ValueError as err:
            raise ScenarioError(file, f"min_important.{ind}", str(err)) from None
    if spec.map_indicator not in AREA_INDICATORS:
        msg = unknown_message(spec.map_indicator, list(AREA_INDICATORS), "per-area indicator")
        raise ScenarioError(file, "map_indicator", msg)
    policies = tuple(_policy(file, name, entry, scenario) for name, entry in spec.policies.items())
    names = [BASELINE, *(p.name for p in policies)]
    for j, pair in enumerate(spec.contrasts):
        for k, name in enumerate(pair):
            if name not in names:
                raise ScenarioError(file, f"contrasts.{j}.{k}", unknown_message(name, names, "policy"))
        if pair[0] == pair[1]:
            raise ScenarioError(file, f"contrasts.{j}", f"compare two different arms, got {show(list(pair))}")
    return WhatIf(spec, file, str(base_file), base_data, scenario.hash(), policies)


def _policy(file: str, name: Any, entry: Any, scenario: Scenario) -> Policy:
    at = f"policies.{name}"
    check_name(file, name, at)
    if name == BASELINE:
        raise ScenarioError(file, at, f"'{BASELINE}' is the arm without interventions; give the policy another name")
    description = ""
    items_at = at
    if isinstance(entry, dict):
        check_keys(file, entry, list(PolicySpec.model_fields), f"{at}.")
        ps = validate_model(PolicySpec, entry, file, at)
        description, items, items_at = ps.description, ps.interventions, f"{at}.interventions"
    elif isinstance(entry, list):
        items = entry
    elif entry is None:
        items = []
    else:
        raise ScenarioError(
            file, at, "expected a list of interventions, or a mapping with description and interventions"
        )
    for k, item in enumerate(items):
        _check_item(file, f"{items_at}.{k}", item)
    try:
        ivs = tuple(make_intervention(item, file, f"{items_at}.{k}") for k, item in enumerate(items))
    except ScenarioError as err:  # its message may quote a value whole
        raise ScenarioError(err.file, err.path, shorten(err.message, 4 * SHOWN_CHARS)) from None
    days = scenario.days
    for k, iv in enumerate(ivs):
        if iv.start_day > days:
            raise ScenarioError(file, f"{items_at}.{k}.start_day", f"{iv.start_day} is after the last day ({days})")
        try:
            iv.check(scenario, ivs)
        except ValueError as err:
            sub, sep, msg = str(err).partition(": ")
            where = f"{items_at}.{k}.{sub}" if sep else f"{items_at}.{k}"
            raise ScenarioError(file, where, msg if sep else str(err)) from None
    return Policy(name, description, ivs)


def _check_item(file: str, at: str, item: Any) -> None:
    """Refuse an intervention entry whose ``kind`` is not text or that holds a number that is not finite."""
    if isinstance(item, dict) and "kind" in item and not isinstance(item["kind"], str):
        raise ScenarioError(file, f"{at}.kind", f"expected the name of an intervention, got {show(item['kind'])}")
    bad = _non_finite(item)
    if bad is not None:
        where = ".".join([at, *bad])
        raise ScenarioError(file, where, "Input should be a finite number (NaN and infinity are not allowed)")


def _non_finite(data: Any) -> list[str] | None:
    """The sub-path of the first NaN or infinity in plain data, or ``None``."""
    if isinstance(data, float):
        return None if math.isfinite(data) else []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        sub = _non_finite(value)
        if sub is not None:
            return [str(key), *sub]
    return None
