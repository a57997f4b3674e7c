"""``cogov whatif``: a baseline and named policies run with paired seeds; effects with intervals; plots; a report.

The what-if file (YAML, validated like scenario and sweep files: unknown keys are rejected with the nearest valid
key, and errors name the file and the field path)::

    name: whatif_alliance                   # output folder results/<name>/ (default: the file name)
    question: What changes if ...?          # stated at the top of report.md
    description: ...
    base_scenario: scenarios/business_district.yaml   # relative to this file, the working folder or the project
    overrides: {population.sample_fraction: 0.1}      # dotted scenario path -> value (``set`` is an alias)
    days: 365                               # default: the scenario's
    seed: 11                                # replication r runs every arm with run_seed(seed, 0, r)
    replications: 10
    indicators: [gci, joint_actions, ...]   # reported in effects.csv, plotted
    windows: [final_day, after_start]       # also last_<N>_days
    interval: t                             # or bootstrap (paired, seeded by `seed`)
    contrasts: [[alliance, campaign]]       # optional: policy against policy (contrasts.csv)
    policies:
      alliance:                             # a name, then a list of interventions ...
        - {kind: launch_alliance, start_day: 90}
      campaign:                             # ... or a description and the list
        description: Party organizations convene twice as much for three months.
        interventions:
          - {kind: mobilization_campaign, start_day: 90, end_day: 180, multiplier: 2}

Paired seeds (common random numbers): replication ``r`` runs the baseline and every policy with one seed, and every
mechanism draws from its own (mechanism, day) stream, so the arms differ only where a policy acts; a policy that
changes nothing reproduces the baseline exactly, and days before a policy's first ``start_day`` are identical.

Execution reuses the sweep layer: each arm × replication is a :class:`~cogov_sim.experiments.runner.RunTask` run
by :func:`~cogov_sim.experiments.runner.run_tasks` on a process pool or Dask, stored by
:class:`~cogov_sim.experiments.store.ResultStore` under a content-hash id (base scenario, policy content, seed,
days), so an interrupted what-if resumes where it stopped and nothing is run twice. The analysis
(:mod:`cogov_sim.experiments.effects`) reads only the stored tables.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyarrow.parquet as pq
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cogov_sim.experiments.designs import run_seed
from cogov_sim.experiments.runner import (
    ExecutorHandle,
    RunnerStats,
    RunOutcome,
    RunTask,
    execute,
    open_executor,
    run_key,
    run_tasks,
    warm_up,
)
from cogov_sim.experiments.spec import check_indicators, find_base
from cogov_sim.experiments.store import ResultStore, atomic_write
from cogov_sim.experiments.sweep import SweepReport, executor_errors, executor_factory
from cogov_sim.interventions import Intervention, make_intervention
from cogov_sim.scenario import (
    ScenarioError,
    apply_overrides,
    format_error,
    read_yaml,
    scenario_from_dict,
    unknown_message,
)

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2

BASELINE = "baseline"
"""Name of the arm without interventions (reserved: no policy may use it)."""

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

WINDOW_RE = re.compile(r"^(final_day|after_start|last_([1-9][0-9]*)_days)$")
"""Effect windows: the final day; the mean over the days from the policy's first start day; the last N days."""

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PolicySpec(_Frozen):
    """A named policy as written with a description."""

    description: str = Field("", description="What the policy does, in words (shown in the report).")
    interventions: list[Any] = Field(default_factory=list, description="The interventions, each with a kind.")


class WhatIfSpec(_Frozen):
    """The what-if file as written."""

    name: str | None = Field(None, description="Short name; the default output folder results/<name>/.")
    question: str = Field("", description="The question the experiment answers (top of report.md).")
    description: str = Field("", description="More about the setting.")
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
    policies: dict[str, Any] = Field(min_length=1, description="Policy name -> interventions.")

    @model_validator(mode="before")
    @classmethod
    def _set_alias(cls, data: Any) -> Any:
        if isinstance(data, dict) and "set" in data:
            if "overrides" in data:
                raise ValueError("overrides: give overrides or its alias set, not both")
            data = {**data, "overrides": data["set"]}
            del data["set"]
        return data


@dataclass(frozen=True)
class Policy:
    """A validated policy.

    Attributes:
        name: the policy's name (an arm of the experiment).
        description: its description.
        interventions: the interventions, in file order.
    """

    name: str
    description: str
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
class WhatIf:
    """A loaded, validated what-if experiment.

    Attributes:
        spec: the file's content, validated.
        file: the file path as given.
        base_file: the base scenario file that was found.
        base_data: the resolved base scenario (defaults filled, overrides and days applied) as plain data.
        base_hash: content hash of the resolved base scenario.
        policies: the policies, in file order.
    """

    spec: WhatIfSpec
    file: str
    base_file: str
    base_data: dict[str, Any]
    base_hash: str
    policies: tuple[Policy, ...]

    @property
    def name(self) -> str:
        """The experiment name (default: the file name without extension)."""
        return self.spec.name or Path(self.file).stem

    @property
    def days(self) -> int:
        """Days per run."""
        return int(self.base_data["days"])

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
        data = self.spec.model_dump(mode="json", exclude={"policies"})
        data["name"] = self.name
        data["days"] = self.days
        data["policies"] = {p.name: {"description": p.description, "interventions": p.to_data()} for p in self.policies}
        data["resolved"] = {
            "base_scenario_file": self.base_file,
            "base_scenario_hash": self.base_hash,
            "seeds": [self.seed(r) for r in range(self.spec.replications)],
        }
        return data


def is_whatif_data(data: Any) -> bool:
    """Whether plain file data is a what-if experiment (it has ``policies``)."""
    return isinstance(data, dict) and "policies" in data


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
    if not isinstance(data, dict):
        raise ScenarioError(file, "", f"expected a mapping of what-if fields, got {type(data).__name__}")
    allowed = [*WhatIfSpec.model_fields, "set"]
    for key in data:
        if key not in allowed:
            raise ScenarioError(file, str(key), unknown_message(str(key), allowed))
    try:
        spec = WhatIfSpec.model_validate(data)
    except ValidationError as err:
        where, message = format_error(err)
        raise ScenarioError(file, where, message) from None
    if spec.name is not None and not _NAME_RE.match(spec.name):
        raise ScenarioError(
            file, "name", f"use letters, digits, '_', '-' and '.' only (a folder name), got {spec.name!r}"
        )
    base_file = find_base(file, spec.base_scenario)
    base = scenario_from_dict(read_yaml(base_file), file=str(base_file))
    base_data = base.to_dict()
    if spec.overrides:
        try:
            base_data = apply_overrides(base_data, spec.overrides)
        except ScenarioError as err:
            raise ScenarioError(file, f"overrides.{err.path}", err.message) from None
        try:
            scenario_from_dict(base_data)
        except ScenarioError as err:
            raise ScenarioError(file, f"overrides.{err.path}", err.message) from None
    if spec.days is not None:
        base_data["days"] = spec.days
    scenario = scenario_from_dict(base_data, file=file)
    base_data = scenario.to_dict()
    check_indicators(file, spec.indicators)
    for j, w in enumerate(spec.windows):
        if not WINDOW_RE.match(w):
            raise ScenarioError(file, f"windows.{j}", f"got {w!r}; allowed: final_day, after_start, last_<N>_days")
    if len(set(spec.windows)) != len(spec.windows):
        raise ScenarioError(file, "windows", f"windows must be distinct, got {spec.windows}")
    policies = tuple(_policy(file, name, entry, scenario) for name, entry in spec.policies.items())
    names = [BASELINE, *(p.name for p in policies)]
    for j, pair in enumerate(spec.contrasts):
        for k, name in enumerate(pair):
            if name not in names:
                raise ScenarioError(file, f"contrasts.{j}.{k}", unknown_message(name, names, "policy"))
        if pair[0] == pair[1]:
            raise ScenarioError(file, f"contrasts.{j}", f"compare two different arms, got {list(pair)}")
    return WhatIf(spec, file, str(base_file), base_data, scenario.hash(), policies)


def _policy(file: str, name: Any, entry: Any, scenario: Any) -> Policy:
    at = f"policies.{name}"
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ScenarioError(file, at, f"a policy name uses letters, digits, '_', '-' and '.' only, got {name!r}")
    if name == BASELINE:
        raise ScenarioError(file, at, f"'{BASELINE}' is the arm without interventions; give the policy another name")
    description = ""
    items_at = at
    if isinstance(entry, dict):
        for key in entry:
            if key not in PolicySpec.model_fields:
                raise ScenarioError(file, f"{at}.{key}", unknown_message(str(key), list(PolicySpec.model_fields)))
        try:
            ps = PolicySpec.model_validate(entry)
        except ValidationError as err:
            where, message = format_error(err)
            raise ScenarioError(file, f"{at}.{where}", message) from None
        description, items, items_at = ps.description, ps.interventions, f"{at}.interventions"
    elif isinstance(entry, list):
        items = entry
    elif entry is None:
        items = []
    else:
        raise ScenarioError(
            file, at, "expected a list of interventions, or a mapping with description and interventions"
        )
    ivs = tuple(make_intervention(item, file, f"{items_at}.{k}") for k, item in enumerate(items))
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


# ------------------------------------------------------------------------------------------------------ running
def plan(wf: WhatIf) -> list[RunTask]:
    """One task per replication and arm, replication by replication (so pairs complete early).

    Every arm of replication ``r`` has the same seed; the run id hashes the base scenario, the arm's name and
    intervention content, the seed and the days, so a changed policy is run again and an unchanged one is not.
    """
    tasks: list[RunTask] = []
    for r in range(wf.spec.replications):
        seed = wf.seed(r)
        for i, arm in enumerate(wf.arms):
            point = {"policy": arm.name, "policy_hash": arm.hash}
            run_id = run_key(wf.base_hash, point, seed, wf.days, 1)
            tasks.append(RunTask(run_id, i, r, seed, point, wf.base_data, wf.base_hash, wf.days, 1, arm.interventions))
    return tasks


def execute_whatif(task: RunTask) -> RunOutcome:
    """Run one arm × replication (in a worker) with fresh copies of its interventions.

    Interventions keep per-run state once bound to a model, so each run gets its own copies (a thread pool would
    otherwise share them between runs).
    """
    fresh = tuple(type(iv).model_validate(iv.model_dump()) for iv in task.interventions)
    return execute(dataclasses.replace(task, interventions=fresh))


WhatIfReport = SweepReport
"""What a what-if run did: the same record as a sweep's (``sweep.SweepReport``)."""


def run_whatif(
    wf: WhatIf,
    out: str | Path,
    executor_factory: Callable[[], Any] | None = None,
    *,
    progress: bool = True,
    say: Callable[[str], None] = print,
) -> WhatIfReport:
    """Run (or resume) a what-if experiment into ``out``; write the effects, plots and report.

    Args:
        wf: the loaded experiment.
        out: output folder.
        executor_factory: a context manager factory yielding an :class:`ExecutorHandle` (default: a process pool
            with one worker per core); opened only when there is something to run.
        progress: show a progress bar on stderr.
        say: where one-line messages go.
    """
    from cogov_sim.experiments import effects

    start = time.perf_counter()
    out = Path(out)
    tasks = plan(wf)
    store = ResultStore(out)
    atomic_write(
        out / "whatif.resolved.yaml",
        lambda f: f.write(yaml.safe_dump(wf.to_dict(), sort_keys=False, allow_unicode=True).encode()),
    )
    finished = store.finished()
    todo = [t for t in tasks if t.run_id not in finished]
    skipped = len(tasks) - len(todo)
    reps = wf.spec.replications
    say(
        f"{wf.name}: {len(tasks)} runs (baseline + {len(wf.policies)} polic{'y' if len(wf.policies) == 1 else 'ies'}"
        f" × {reps} paired replication{'s' * (reps != 1)}, {wf.days} days); {skipped} finished earlier,"
        f" {len(todo)} to run"
    )
    lost: dict[str, RunOutcome] = {}
    stats = RunnerStats()
    bar = None
    if progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), initial=skipped, desc=wf.name, unit="run", file=sys.stderr, dynamic_ncols=True)

    def on_outcome(outcome: RunOutcome) -> None:
        if outcome.status == "lost":
            lost[outcome.run_id] = outcome
        else:
            store.write(outcome)
        if bar is not None:
            bar.update(1)

    try:
        if todo:
            factory = executor_factory or open_executor
            with factory() as handle:
                assert isinstance(handle, ExecutorHandle)
                (bar.write if bar is not None else say)(f"running on {handle.description}")
                stats = run_tasks(
                    todo,
                    handle.executor,
                    on_outcome,
                    fn=execute_whatif,
                    max_in_flight=2 * handle.slots,
                    new_executor=handle.new_executor,
                )
    finally:
        if bar is not None:
            bar.close()
    merged = store.consolidate(tasks, lost)
    files = [out / "runs.parquet", out / "timeseries.parquet", out / "whatif.resolved.yaml"]
    files += effects.write_outputs(out, wf, merged.runs, pq.read_table(out / "timeseries.parquet").to_pandas())
    return WhatIfReport(out, len(tasks), skipped, stats, sorted(lost), files, time.perf_counter() - start)


def whatif_command(args: argparse.Namespace) -> int:
    """The ``cogov whatif`` command: run or resume a what-if experiment; print where the results are.

    Args:
        args: ``experiment``, ``workers``, ``executor`` (``process`` or ``dask``), ``scheduler``, ``out``,
            ``quiet``.

    Returns:
        0 when every run has a result (ok or failed), 1 when some were lost (run the command again); bad input
        raises :class:`ScenarioError` (exit code 2 from the CLI).
    """
    if args.executor == "process":
        warm_up()
    wf = load_whatif(args.experiment)
    out = Path(args.out) if args.out else Path("results") / wf.name
    with executor_errors(args):
        report = run_whatif(wf, out, executor_factory(args), progress=not args.quiet)
    status = pq.read_table(out / "runs.parquet", columns=["status"]).column("status").to_pylist()
    ok, failed, lost = status.count("ok"), status.count("failed"), status.count("lost")
    s = report.stats
    print(
        f"wrote {out}/ ({report.total} runs: {ok} ok, {failed} failed, {lost} lost; {s.done} run now,"
        f" {report.skipped} from earlier; {report.wall_s:.1f} s): effects.csv, report.md, plots/"
    )
    if failed:
        print(f"  {failed} failed runs are recorded with their error in runs.parquet")
    if lost:
        print(f"  {lost} runs lost: run the same command again to run them", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK
