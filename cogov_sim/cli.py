"""The ``cogov`` command line: thin; parses, calls the package, prints.

Exit codes: 0 success; 2 bad input (scenario, experiment, arguments) with a message naming the file, the field
path and what is allowed; 1 an unexpected failure.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from cogov_sim import __version__
from cogov_sim.discovery.commands import DISCOVERY_COMMANDS, add_discovery_parsers
from cogov_sim.i18n import LANGS, check_lang, lang_from_env
from cogov_sim.scenario import (
    EXIT_BAD_INPUT,
    EXIT_FAIL,
    EXIT_OK,
    Scenario,
    ScenarioError,
    one_line,
    shorten,
    unknown_message,
)
from cogov_sim.vocabulary import STREET_COLUMNS

MAX_DAYS = next(m.le for m in Scenario.model_fields["days"].metadata if getattr(m, "le", None) is not None)
"""Largest ``--days``: the scenario schema's own bound on ``days``."""

MAX_WORKERS = 256
"""Largest ``--workers``."""

MAX_SEED = 2**63 - 1
"""Largest ``--seed`` (a 64-bit signed integer)."""


SWEEP_EXAMPLE = """\
a sweep file (experiments/smoke.yaml; more in docs/experiments.md):

  name: smoke
  base_scenario: scenarios/baseline.yaml
  set: {population.sample_fraction: 0.02}
  days: 30
  seed: 7
  replications: 2
  design: full_factorial
  parameters:
    - {path: centers.residential.count, type: int, levels: [0, 12]}
"""
"""The example ``cogov sweep --help`` ends with (a valid sweep file)."""

WHATIF_EXAMPLE = """\
a what-if file (more in experiments/whatif_*.yaml and docs/whatif.md):

  name: evening_hours
  question: What if residential stations also open in the evening?
  base_scenario: scenarios/baseline.yaml
  overrides: {population.sample_fraction: 0.05}
  days: 120
  seed: 47
  replications: 4
  policies:
    evening:
      - {kind: change_hours, start_day: 30, levels: [residential], open_slots: [evening]}
"""
"""The example ``cogov whatif --help`` ends with (a valid what-if file)."""


CHECK_EXAMPLE = """\
a targets file (the shipped one is targets/evidence.yaml):

  name: mini
  runs:
    year: {scenario: baseline, days: 365, sample_fraction: 0.1}
  targets:
    - id: street_visits_per_resident_year
      title: Street-center visits per resident per year
      measure: {kind: table, run: year, table: per_level, row: street, column: visits_per_day,
                per: residents, scale: 365}
      observed: {value: 3.5, range: [3, 4]}
      uncertainty: {factor: 3}
      source: "§4.3"
"""
"""The example ``cogov check --help`` ends with (a valid targets file)."""


class _Parser(argparse.ArgumentParser):
    """argparse that exits with code 2 and one line on bad arguments (its default code too, made explicit)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(one_line(f"{self.prog}: error: {message} (see {self.prog} --help)"), file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _int_between(text: str, lower: int, upper: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {shorten(repr(text))}") from None
    if value < lower:
        raise argparse.ArgumentTypeError(f"must be >= {lower}, got {value}")
    if value > upper:
        raise argparse.ArgumentTypeError(f"must be <= {upper:,}, got {shorten(str(value))}")
    return value


def _nonneg_int(text: str) -> int:
    return _int_between(text, 0, MAX_SEED)


def _days(text: str) -> int:
    return _int_between(text, 1, MAX_DAYS)


def _workers(text: str) -> int:
    return _int_between(text, 1, MAX_WORKERS)


def _seeds(text: str) -> int:
    return _int_between(text, 1, 1_000)


def _port(text: str) -> int:
    return _int_between(text, 1, 65_535)


def _idle(text: str) -> int:
    return _int_between(text, 1, 86_400)


def _sessions(text: str) -> int:
    return _int_between(text, 1, 1_000)


def _lang(text: str) -> str:
    try:
        return check_lang(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _add_lang(parser: argparse.ArgumentParser, what: str) -> None:
    """The ``--lang`` option: the language of ``what``, by default the locale's (LC_ALL / LANG starting with zh)."""
    default = lang_from_env()
    parser.add_argument("--lang", type=_lang, default=default, metavar="|".join(reversed(LANGS)),
                        help=f"language of {what}: zh (中文) or en (default from the locale"
                        f" LC_ALL/LANG: {default})")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    p = _Parser(
        prog="cogov",
        description="Agent-based simulation of Party-mass service centers and grassroots co-governance.",
    )
    p.add_argument("--version", action="version", version=f"cogov_sim {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    r = sub.add_parser("run", help="run one simulation and write results and plots")
    r.add_argument(
        "scenario", help="scenario YAML file, or the name of a shipped one: e.g. scenarios/baseline.yaml or dense"
    )
    r.add_argument("--days", type=_days, help=f"days to simulate, 1-{MAX_DAYS:,} (default: the scenario's `days`)")
    r.add_argument("--seed", type=_nonneg_int, default=1, help="run seed, >= 0 (default 1)")
    r.add_argument("--out", type=Path, help="output folder (default results/<scenario name>/)")
    r.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a scenario field, e.g. --set centers.residential.count=30 (repeatable)",
    )
    r.add_argument("--no-plots", action="store_true", help="skip the plots (faster)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_lang(r, "the plots and report.md")

    m = sub.add_parser("city-map", help="draw a city run's streets coloured by one indicator (tables/per_street.csv)")
    m.add_argument("results", type=Path, help="the folder of a city or district run (cogov run ... --out)")
    m.add_argument("--indicator", default="gci_consciousness", help="a column of per_street.csv (default"
                   " gci_consciousness): " + ", ".join(STREET_COLUMNS))  # fmt: skip
    m.add_argument("--out", type=Path, help="image file (default <results>/plots/city_map_<indicator>.png)")
    _add_lang(m, "the map")

    v = sub.add_parser("validate", help="check a scenario or experiment file")
    v.add_argument("file", help="scenario, sweep or what-if YAML file (or the name of a shipped scenario)")

    sc = sub.add_parser("schema", help="print the JSON Schema of scenario files (for editors)")
    sc.add_argument("--markdown", action="store_true", help="print the parameter table (as in docs/MODEL.md) instead")

    for name, helptext, example, epilog in (
        ("sweep", "run an experiment's design × replications (resumable)", "experiments/smoke.yaml", SWEEP_EXAMPLE),
        (
            "whatif",
            "run a baseline and policies with paired seeds; write effects with intervals",
            "experiments/whatif_alliance.yaml",
            WHATIF_EXAMPLE,
        ),
    ):
        s = sub.add_parser(name, help=helptext, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
        kind = "sweep" if name == "sweep" else "what-if"
        s.add_argument("experiment", help=f"{kind} YAML file, e.g. {example}")
        s.add_argument("--workers", type=_workers, help=f"parallel workers, 1-{MAX_WORKERS} (default: number of cores)")
        s.add_argument("--executor", choices=("process", "dask"), default="process", help="default: process")
        s.add_argument("--scheduler", help="Dask scheduler address (default: a local cluster)")
        s.add_argument("--out", type=Path, help="output folder (default results/<experiment name>/)")
        s.add_argument("--quiet", action="store_true", help="no progress bar")
        s.add_argument(
            "--wait", action="store_true", help="if another sweep or what-if holds the output folder, wait for it"
        )
        _add_lang(s, "the plots and report.md")

    k = sub.add_parser("check", help="run a targets file across seeds; write a scorecard (resumable)",
                       epilog=CHECK_EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    k.add_argument("targets", help="targets YAML file, e.g. targets/evidence.yaml")
    k.add_argument("--seeds", type=_seeds, default=5, help="seeds per named run, 1-1,000 (default 5)")
    k.add_argument("--workers", type=_workers, help=f"parallel workers, 1-{MAX_WORKERS} (default: number of cores)")
    k.add_argument("--executor", choices=("process", "dask"), default="process", help="default: process")
    k.add_argument("--scheduler", help="Dask scheduler address (default: a local cluster)")
    k.add_argument("--out", type=Path, help="output folder (default results/<targets name>/)")
    k.add_argument("--doc", type=Path, help="also write the scorecard as this page (make validation)")
    k.add_argument("--quiet", action="store_true", help="no progress bar")
    k.add_argument("--wait", action="store_true", help="if another command holds the output folder, wait for it")

    c = sub.add_parser("calibrate", help="history matching in waves with Gaussian-process emulators (resumable)")
    c.add_argument("calibration", help="calibration YAML file, e.g. targets/calibration.yaml")
    c.add_argument("--workers", type=_workers, help=f"parallel workers, 1-{MAX_WORKERS} (default: number of cores)")
    c.add_argument("--executor", choices=("process", "dask"), default="process", help="default: process")
    c.add_argument("--scheduler", help="Dask scheduler address (default: a local cluster)")
    c.add_argument("--out", type=Path, help="output folder (default results/<calibration name>/)")
    c.add_argument("--quiet", action="store_true", help="no progress bar")
    c.add_argument("--wait", action="store_true", help="if another command holds the output folder, wait for it")

    z = sub.add_parser("viz", help="serve the browser app on 127.0.0.1")
    z.add_argument("--port", type=_port, default=8765, help="port, 1-65535 (default 8765)")
    z.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    z.add_argument("--scenario", action="append", default=[], help="extra scenario file the app may open")
    idle_help = "a session ends this long after its page is gone, 1-86,400 (default COGOV_VIZ_IDLE, else 300)"
    z.add_argument("--idle", type=_idle, metavar="SECONDS", help=idle_help)
    z.add_argument("--max-sessions", type=_sessions, metavar="N",
                   help="sessions at once, 1-1,000 (default COGOV_VIZ_MAX_SESSIONS, else 8)")  # fmt: skip
    _add_lang(z, "the app when a page opens (each page can switch)")
    add_discovery_parsers(sub, workers=_workers, add_lang=_add_lang)
    return p


def check_out_folder(out: Path, what: str = "--out") -> None:
    """Create the output folder ``out`` if needed and check a file can be written in it, before any simulation.

    Raises:
        ScenarioError: naming ``what`` and the folder, when it is a file, cannot be created or is not writable.
    """
    try:
        if out.exists() and not out.is_dir():
            raise ScenarioError(what, "", f"{shorten(str(out), 160)} is not a folder")
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-check-"):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ScenarioError(what, "", f"cannot write in {shorten(str(out), 160)}: {reason}") from None
    except ValueError as exc:  # a NUL in the path
        raise ScenarioError(what, "", f"cannot write in {shorten(str(out), 160)}: {exc}") from None


def _cmd_run(args: argparse.Namespace) -> int:
    from cogov_sim.experiments.files import load_scenario_ref

    # a path or a shipped name (`cogov run dense`); bad input is refused before the model is imported
    scenario = load_scenario_ref(args.scenario, args.overrides)
    days = args.days or scenario.days
    out = args.out or Path("results") / scenario.name
    check_out_folder(out)

    from cogov_sim.report import write_run
    from cogov_sim.simulation import simulate

    bar = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=days, desc=f"{scenario.name} seed {args.seed}", unit="day", file=sys.stderr)
    try:
        tick = (lambda _day: bar.update(1)) if bar is not None else None
        result = simulate(scenario, args.seed, days, progress=tick, keep_model=not args.no_plots)
    finally:
        if bar is not None:
            bar.close()
    try:
        write_run(result, scenario, out, plots=not args.no_plots, lang=args.lang)
    except OSError as exc:  # a full disk, the folder removed meanwhile
        where = shorten(exc.filename if isinstance(exc.filename, str) else str(out), 160)
        print(one_line(f"error: writing {where}: {exc.strerror or exc}"), file=sys.stderr)
        return EXIT_FAIL
    f = result.final
    print(f"wrote {out}/ ({days} days, {result.meta['wall_time_s']:.1f} s)")
    if "per_street" in result.tables:
        streets = result.tables["per_street"]
        low, high = streets["gci_consciousness"].min(), streets["gci_consciousness"].max()
        print(f"  {len(streets)} streets in {streets['district'].nunique()} districts: gci_consciousness"
              f" {low:.3f}-{high:.3f}; tables/per_street.csv, tables/per_district.csv")  # fmt: skip
    print(
        f"  visits/day {f['visits']:.0f}  joint actions/day {f['joint_actions']:.0f}  volunteers"
        f" {f['volunteer_share']:.1%}  bridging ties {f['bridging_tie_share']:.1%}  gci {f['gci']:.3f}"
    )
    return EXIT_OK


def _cmd_city_map(args: argparse.Namespace) -> int:
    table = args.results / "tables" / "per_street.csv"
    if not table.is_file():
        raise ScenarioError(str(table), "", "no per-street table here: run a city or district scenario first")
    if args.indicator not in STREET_COLUMNS:
        raise ScenarioError(str(table), "", unknown_message(args.indicator, STREET_COLUMNS, "indicator"))
    import pandas as pd

    from cogov_sim.city_map import city_map_figure

    streets = pd.read_csv(table)
    summary = json.loads((args.results / "summary.json").read_text(encoding="utf-8"))
    out = args.out or args.results / "plots" / f"city_map_{args.indicator}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    city_map_figure(streets, args.indicator, summary.get("scenario", ""), summary.get("days", 0),
                    args.lang).savefig(out, dpi=110)  # fmt: skip
    print(f"wrote {out}")
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from cogov_sim.experiments.files import file_kind, scenario_file
    from cogov_sim.scenario import read_yaml, scenario_from_dict

    path = scenario_file(args.file)
    data = read_yaml(path)
    kind = file_kind(data)
    if kind == "whatif":
        from cogov_sim.experiments.whatif import load_whatif

        load_whatif(path)
    elif kind == "sweep" or (kind is None and isinstance(data, dict) and "base_scenario" in data):
        from cogov_sim.experiments.spec import load_experiment

        load_experiment(path)
    elif kind == "exploration":
        from cogov_sim.discovery.explore import load_exploration

        load_exploration(path)
    elif kind == "targets":
        from cogov_sim.calibration.targets_file import load_targets

        load_targets(path)
    elif kind == "calibration":
        from cogov_sim.calibration.calibrate_file import load_calibration

        load_calibration(path)
    else:
        scenario_from_dict(data, file=str(path))
    print("ok")
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    from cogov_sim.scenario import json_schema, parameter_table

    print(parameter_table() if args.markdown else json.dumps(json_schema(), indent=2, ensure_ascii=False), end="")
    return EXIT_OK


def _warm_up(args: argparse.Namespace) -> None:
    """Start the process pool's forkserver first: it imports the model while the experiment is loaded and planned."""
    if args.executor == "process":
        from cogov_sim.experiments.executors import warm_up

        warm_up()


def _cmd_sweep(args: argparse.Namespace) -> int:
    _warm_up(args)
    from cogov_sim.experiments.sweep import sweep_command

    return sweep_command(args)


def _cmd_whatif(args: argparse.Namespace) -> int:
    _warm_up(args)
    from cogov_sim.experiments.whatif_run import whatif_command

    return whatif_command(args)


def _cmd_check(args: argparse.Namespace) -> int:
    _warm_up(args)
    from cogov_sim.calibration.check import check_command

    return check_command(args)


def _cmd_calibrate(args: argparse.Namespace) -> int:
    _warm_up(args)
    from cogov_sim.calibration.calibrate import calibrate_command

    return calibrate_command(args)


def _cmd_viz(args: argparse.Namespace) -> int:
    from cogov_sim.viz.serve import serve

    return serve(host=args.host, port=args.port, scenarios=args.scenario, idle=args.idle,
                 max_sessions=args.max_sessions, lang=args.lang)  # fmt: skip


COMMANDS = {
    "run": _cmd_run,
    "validate": _cmd_validate,
    "city-map": _cmd_city_map,
    "schema": _cmd_schema,
    "sweep": _cmd_sweep,
    "whatif": _cmd_whatif,
    "viz": _cmd_viz,
    "check": _cmd_check,
    "calibrate": _cmd_calibrate,
    **DISCOVERY_COMMANDS,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cogov`` command."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ScenarioError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
