"""`cogov run`, `validate` and `schema` end to end, and the exit-code contract for bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
import yaml

import cogov_sim.viz.serve as serve_module
from cogov_sim.cli import main
from cogov_sim.scenario import load_scenario
from cogov_sim.vocabulary import INDICATORS
from tests.conftest import ROOT, SCENARIOS

PNG = b"\x89PNG\r\n\x1a\n"


def test_run_writes_every_output(tmp_path):
    out = tmp_path / "out"
    code = main(["run", str(SCENARIOS / "baseline.yaml"), "--days", "12", "--seed", "7", "--out", str(out),
                 "--set", "population.sample_fraction=0.03", "--quiet"])  # fmt: skip
    assert code == 0
    ts = pd.read_csv(out / "timeseries.csv")
    assert list(ts.columns) == ["day", *INDICATORS]
    assert ts["day"].tolist() == list(range(1, 13))
    summary = json.loads((out / "summary.json").read_text())
    resolved = load_scenario(out / "scenario.resolved.yaml")
    assert summary["seed"] == 7
    assert summary["scenario_hash"] == resolved.hash()
    assert summary["version"]
    assert summary["wall_time_s"] > 0
    assert summary["final"]["gci"] == pytest.approx(ts["gci"].iloc[-1], rel=1e-5)
    assert resolved.population.sample_fraction == 0.03
    for plot in ("dashboard", "map", "network"):
        data = (out / "plots" / f"{plot}.png").read_bytes()
        assert data.startswith(PNG) and len(data) > 20_000
    for table in ("per_center", "per_level", "per_segment", "per_actor_type"):
        assert len(pd.read_csv(out / "tables" / f"{table}.csv")) > 0


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cogov_sim.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)  # fmt: skip


def _write(tmp_path, text: str, name: str = "s.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


BASE = (SCENARIOS / "baseline.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "path", "fragment"),
    [
        (None, "", "file not found"),
        ("", "", "the file is empty"),
        ("name: [unclosed\n", "", "malformed YAML at line"),
        (BASE.replace("residential_areas: 12", "residental_areas: 12"), "population.residental_areas",
         "Did you mean 'residential_areas'"),
        (BASE.replace("residents: 50000", "residents: lots"), "population.residents", "valid integer"),
        (BASE.replace("count: 18", "count: -18"), "centers.residential.count", "greater than or equal to 0"),
        (BASE.replace("party_member_share: 0.075", "party_member_share: 7.5"), "population.party_member_share",
         "less than or equal to 1"),
        (BASE.replace("  party_member_share: 0.075", "  party_member_share: 0.075\n  segments: {elderly: 0.9}"),
         "population.segments", "sum to 1"),
        (BASE.replace("functions: [new_employment_support]", "functions: [canteen]"), "centers.rider.functions.0",
         "allowed"),
        (BASE.replace("residents: 50000", "residents: 900000000"), "population.residents", "at most"),
    ],
)  # fmt: skip
def test_bad_scenario_exits_2_with_file_and_path(tmp_path, capsys, text, path, fragment):
    f = str(tmp_path / "missing.yaml") if text is None else _write(tmp_path, text)
    for cmd in (["validate", f], ["run", f, "--days", "1", "--quiet"]):
        assert main(cmd) == 2
        line = capsys.readouterr().err.strip().splitlines()[-1]
        assert f in line and path in line and fragment in line


def test_bad_input_in_a_real_process_has_no_traceback(tmp_path):
    f = _write(tmp_path, BASE.replace("count: 18", "count: -18"))
    r = _cli("run", f, "--quiet")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert (
        r.stderr.strip()
        == f"error: {f}: centers.residential.count: Input should be greater than or equal to 0 (got -18)"
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--set", "centers.grid.cont=3"], "centers.grid.cont: unknown field 'cont'. Did you mean 'count'?"),
        (["--set", "behaviour.decay_per_km=-1"], "behaviour.decay_per_km"),
        (["--days", "0"], "--days: must be >= 1"),
        (["--seed", "-1"], "--seed: must be >= 0"),
    ],
)
def test_bad_arguments_exit_2(capsys, args, fragment):
    try:
        code = main(["run", str(SCENARIOS / "baseline.yaml"), "--quiet", *args])
    except SystemExit as stop:  # argparse's own errors
        code = stop.code
    assert code == 2
    assert fragment in capsys.readouterr().err


def test_validate_ok_and_schema_is_json():
    assert _cli("validate", "scenarios/dense.yaml").stdout.strip() == "ok"
    schema = json.loads(_cli("schema").stdout)
    assert "population" in schema["properties"]
    assert yaml.safe_load(BASE)["name"] == "baseline"


def test_viz_session_options_reach_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict = {}
    monkeypatch.setattr(serve_module, "serve", lambda **kw: seen.update(kw) or 0)
    assert main(["viz", "--idle", "30", "--max-sessions", "3"]) == 0
    assert seen["idle"] == 30 and seen["max_sessions"] == 3
    assert main(["viz"]) == 0
    assert seen["idle"] is None and seen["max_sessions"] is None  # the environment or the defaults decide


@pytest.mark.parametrize("args", [["--max-sessions", "0"], ["--idle", "0"], ["--idle", "1e9"]])
def test_viz_session_options_are_checked(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["viz", *args])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and args[0] in err[0]
