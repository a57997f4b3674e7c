"""The command line of scenario discovery: ``cogov explore``, ``discover``, ``robust`` and ``ema-export``.

:func:`add_discovery_parsers` adds the four subcommands to ``cogov``'s parser and :data:`DISCOVERY_COMMANDS`
maps each to its function. This module imports nothing heavy: a command's module is imported when it runs, so
``cogov --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from pathlib import Path

EXPLORE_EXAMPLE = """\
an exploration file (experiments/when_circle_of_friends.yaml; more in docs/discovery.md):

  name: tiny_exploration
  base_scenario: scenarios/baseline.yaml
  set: {population.sample_fraction: 0.02}
  days: 30
  futures: 8
  uncertainties:
    - path: behaviour.emergent_convening_threshold      # over its plausible range
    - {path: organizations.convening_per_week, range: [0.2, 1.5]}
  policies:
    campaign: [{kind: mobilization_campaign, start_day: 5, end_day: 25, multiplier: 2}]
  robustness:
    - {outcome: gci, direction: maximize, threshold: 0.3}
"""
"""The example ``cogov explore --help`` ends with."""

DISCOVER_EPILOG = """\
expressions: indicators (final values) and input columns, numbers, 'text', + - * /, < <= > >= == !=,
and/or/not; effect(x): a policy's paired effect on x against the no-policy run of the same future;
mid(x) (or mid with one effect): x's minimum important difference. Examples:

  cogov discover results/when_circle_of_friends --where "non_party_convened_share > 0.25"
  cogov discover results/when_circle_of_friends --where "effect(gci) > mid" --policy campaign
"""
"""The text ``cogov discover --help`` ends with."""


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 1, got {value:g}")
    return value


def _depth(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 10:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 10, got {text!r}")
    return int(text)


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def add_discovery_parsers(
    sub: argparse._SubParsersAction,
    *,
    workers: Callable[[str], int],
    add_lang: Callable[[argparse.ArgumentParser, str], None],
) -> None:
    """Add ``explore``, ``discover``, ``robust`` and ``ema-export`` to ``cogov``'s subcommands.

    Args:
        sub: the subparsers of ``cogov``.
        workers: the type of ``--workers`` (cli.py's, so the bound is the same as sweep's).
        add_lang: adds the ``--lang`` option (cli.py's).
    """
    raw = argparse.RawDescriptionHelpFormatter
    e = sub.add_parser("explore", help="run futures over the uncertainties × policies with paired seeds (resumable)",
                       epilog=EXPLORE_EXAMPLE, formatter_class=raw)  # fmt: skip
    e.add_argument("experiment", help="exploration YAML file, e.g. experiments/when_circle_of_friends.yaml")
    e.add_argument("--workers", type=workers, help="parallel workers (default: number of cores)")
    e.add_argument("--executor", choices=("process", "dask"), default="process", help="default: process")
    e.add_argument("--scheduler", help="Dask scheduler address (default: a local cluster)")
    e.add_argument("--out", type=Path, help="output folder (default results/<experiment name>/)")
    e.add_argument("--quiet", action="store_true", help="no progress bar")
    e.add_argument("--wait", action="store_true", help="if another command holds the output folder, wait for it")
    add_lang(e, "the plots and reports")

    d = sub.add_parser("discover", help="scenario discovery (PRIM and CART): under which inputs does a condition"
                       " hold?", epilog=DISCOVER_EPILOG, formatter_class=raw)  # fmt: skip
    d.add_argument("results", help="results folder of cogov sweep, whatif or explore, e.g. results/smoke")
    d.add_argument("--where", required=True, help='the condition, e.g. "non_party_convened_share > 0.25"')
    d.add_argument("--policy", help="search the runs of this policy only")
    d.add_argument("--min-density", type=_share, default=0.8, help="density the chosen box must reach (0.8)")
    d.add_argument("--max-qp", type=_share, default=0.05, help="largest quasi-p of its restrictions (0.05)")
    d.add_argument("--depth", type=_depth, default=3, help="depth of the CART tree, 1-10 (default 3)")
    d.add_argument("--out", type=Path, help="output folder (default RESULTS/discover/)")
    add_lang(d, "the plots and report.md")

    r = sub.add_parser("robust", help="robustness of policies across futures: regret, satisficing, rankings")
    r.add_argument("results", help="results folder of cogov whatif or explore")
    r.add_argument("--outcome", required=True, help="the indicator judged, e.g. gci")
    r.add_argument("--direction", choices=("maximize", "minimize"), default="maximize", help="default: maximize")
    r.add_argument("--threshold", type=_number, help="satisficing threshold (met at >= when maximizing)")
    r.add_argument("--out", type=Path, help="output folder (default RESULTS/robustness/)")
    add_lang(r, "the plots and report.md")

    x = sub.add_parser("ema-export", help="write results as an EMA Workbench archive (ema_workbench.load_results)")
    x.add_argument("results", help="results folder of cogov sweep, whatif or explore")
    x.add_argument("--out", type=Path, help="archive to write (default RESULTS/ema_results.tar.gz)")


def _run(module: str, function: str, warm: bool = False) -> Callable[[argparse.Namespace], int]:
    def command(args: argparse.Namespace) -> int:
        if warm and args.executor == "process":  # the forkserver imports the model while the file is loaded
            importlib.import_module("cogov_sim.experiments.executors").warm_up()
        return int(getattr(importlib.import_module(f"cogov_sim.discovery.{module}"), function)(args))

    return command


DISCOVERY_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "explore": _run("explore_run", "explore_command", warm=True),
    "discover": _run("discover", "discover_command"),
    "robust": _run("robust_report", "robust_command"),
    "ema-export": _run("ema", "export_command"),
}
"""Subcommand -> its function (the module is imported when it runs)."""
