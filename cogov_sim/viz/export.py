"""What a session exports: its time series with provenance, and the session as a what-if file to rerun.

- :func:`metadata`: seed, scenario name, file and hash, model fingerprint, package version, overrides and the
  what-ifs applied with their days, as every output of the project records its provenance;
- :func:`timeseries_csv`: the daily indicators of both arms (the run with the what-ifs and, once one was applied,
  the twin without them; column ``arm``), preceded by the metadata as ``# key: value`` comment lines
  (``pandas.read_csv(path, comment="#")`` reads the table);
- :func:`session_whatif`: the session as a what-if file for ``cogov whatif``: the scenario and its overrides as
  the base, one policy ``session`` holding every what-if applied, each starting the day after it was applied in
  the app, against the baseline without them, over the scenario's days with paired replications.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
import yaml

from cogov_sim import __version__
from cogov_sim.experiments.effects import BASELINE
from cogov_sim.experiments.files import REPO_ROOT
from cogov_sim.i18n import text
from cogov_sim.simulation import model_fingerprint
from cogov_sim.viz.whatif import kind_name


class Session(Protocol):
    """What an export reads of a session (:class:`cogov_sim.viz.session.Session`, which imports this module)."""

    name: str
    seed: int
    changes: dict[str, Any]
    applied: list[Any]
    twin: Any
    catalog: Any
    lock: Any
    replications: int

    def _require(self) -> Any: ...


SESSION_POLICY = "session"
"""Name of the policy (and of the arm in the CSV) holding the what-ifs applied in the app."""

REPLICATIONS = 10
"""Paired replications of an exported what-if file (edit the file for more)."""


def base_reference(path: Path) -> str:
    """How the what-if file names its base scenario: relative to the project for a shipped file, else absolute."""
    path = path.resolve()
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def applied_data(applied: Sequence[Any]) -> list[dict[str, Any]]:
    """The what-ifs applied, as machine-read entries: the day applied and the intervention with all its fields."""
    return [{"applied_on_day": a.day, **a.data} for a in applied]


def metadata(session: Session) -> dict[str, Any]:
    """The provenance of a session's outputs (machine-read keys, the model's names)."""
    model = session._require()
    meta = model.meta()
    return {
        "scenario": meta["scenario"],
        "scenario_file": base_reference(session.catalog.path(session.name)),
        "scenario_hash": meta["scenario_hash"],
        "seed": meta["seed"],
        "model_fingerprint": model_fingerprint(),
        "version": __version__,
        "mesa_version": meta["mesa_version"],
        "overrides": dict(session.changes),
        "whatifs": applied_data(session.applied),
        "twin_from_day": session.twin.start_day if session.twin is not None else None,
    }


def timeseries_csv(session: Session) -> str:
    """The daily indicators of both arms, first column ``day``, last ``arm``, after ``# key: value`` metadata lines.

    Arm ``baseline`` is the run without what-ifs (the run itself while none was applied, then the twin), arm
    ``session`` the run with them (from the first day the twin exists).
    """
    with session.lock:
        model = session._require()
        out = io.StringIO()
        for key, value in metadata(session).items():
            out.write(f"# {key}: {json.dumps(value, ensure_ascii=False)}\n")
        if session.twin is None:
            table = pd.DataFrame(model.world.records).assign(arm=BASELINE)
        else:
            table = pd.concat([
                pd.DataFrame(session.twin.records).assign(arm=BASELINE),
                pd.DataFrame(model.world.records).assign(arm=SESSION_POLICY),
            ])  # fmt: skip
        table.to_csv(out, index=False, float_format="%.6g")
        return out.getvalue()


def session_whatif(session: Session, lang: str = "en") -> dict[str, Any]:
    """The session as the data of a what-if file (see the module docstring); ``lang``: its question's language.

    Raises:
        ValueError: no what-if was applied yet (there is nothing to compare).
    """
    with session.lock:
        model = session._require()
        if not session.applied:
            raise ValueError("no what-if applied yet: apply one, then export the session")
        scenario = model.world.scenario
        names = ", ".join(
            text("app.export_whatif", lang, day=a.day, kind=kind_name(a.kind, lang)) for a in session.applied
        )
        data: dict[str, Any] = {
            "name": f"{session.name}_session",
            "question": text("app.export_question", lang, scenario=scenario.name, whatifs=names),
            "description": text("app.export_description", lang, seed=session.seed, day=model.day),
            "base_scenario": base_reference(session.catalog.path(session.name)),
        }
        if session.changes:
            data["overrides"] = dict(session.changes)
        data.update(days=scenario.days, seed=session.seed, replications=int(session.replications))
        data["policies"] = {
            SESSION_POLICY: {
                "description": "; ".join(a.words(lang) for a in session.applied),
                "interventions": [dict(a.data) for a in session.applied],
            }
        }
        return data


def whatif_yaml(session: Session, lang: str = "en") -> str:
    """The session as a what-if file (YAML text), with a first comment line saying where it came from."""
    data = session_whatif(session, lang)
    head = f"# {text('app.export_head', lang, scenario=data['base_scenario'])}\n"
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
