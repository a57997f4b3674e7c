"""The small things a newcomer hits: a scenario by name, files given to the wrong command, the README's tour,
``sweep --help`` / ``whatif --help`` examples, and an output folder's lock whose holder is gone."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cogov_sim.cli import SWEEP_EXAMPLE, WHATIF_EXAMPLE, build_parser, main
from cogov_sim.experiments import folder
from cogov_sim.experiments.files import file_kind, load_scenario_ref, shipped_scenarios
from cogov_sim.experiments.spec import load_experiment
from cogov_sim.experiments.whatif import load_whatif
from cogov_sim.scenario import ScenarioError, load_scenario
from tests.conftest import ROOT, SCENARIOS

EXPERIMENTS = ROOT / "experiments"
SHIPPED = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cogov_sim.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)  # fmt: skip


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("error: ")
    return err[0]


# ------------------------------------------------------------------------------------- a scenario by name
def test_run_resolves_a_shipped_scenario_by_name(tmp_path: Path) -> None:
    out = tmp_path / "dense"
    args = ["run", "dense", "--days", "2", "--seed", "5", "--set", "population.sample_fraction=0.01"]
    assert main([*args, "--no-plots", "--quiet", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    expected = load_scenario(SCENARIOS / "dense.yaml", ["population.sample_fraction=0.01"])
    assert summary["scenario_hash"] == expected.hash() and summary["seed"] == 5


def test_a_file_of_that_name_wins_over_the_shipped_scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = yaml.safe_load((SCENARIOS / "sparse.yaml").read_text())
    (tmp_path / "dense").write_text(yaml.safe_dump({**data, "name": "my_dense"}), encoding="utf-8")
    (tmp_path / "sparse").mkdir()  # a folder of that name does not hide the shipped scenario
    monkeypatch.chdir(tmp_path)
    assert load_scenario_ref("dense").name == "my_dense"
    assert load_scenario_ref("sparse").name == data["name"]


def test_an_unknown_name_lists_the_shipped_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    assert shipped_scenarios() == SHIPPED and "dense" in SHIPPED
    assert main(["run", "dens", "--days", "1", "--quiet"]) == 2
    line = _one_error_line(capsys)
    assert line.startswith("error: dens: no such file, and no shipped scenario of that name. Did you mean 'dense'?")
    assert line.endswith(", ".join(SHIPPED))
    assert main(["run", "missing/street.yaml", "--quiet"]) == 2
    line = _one_error_line(capsys)
    assert "missing/street.yaml: file not found; shipped scenarios" in line and line.endswith(", ".join(SHIPPED))


def test_validate_takes_a_name_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "business_district"]) == 0
    assert capsys.readouterr().out.strip() == "ok"


# ------------------------------------------------------------------------------ a file of the wrong kind
WRONG = [
    ("sweep", EXPERIMENTS / "whatif_alliance.yaml", "what-if", "sweep", "whatif"),
    ("whatif", EXPERIMENTS / "density_sweep.yaml", "sweep", "what-if", "sweep"),
    ("sweep", SCENARIOS / "dense.yaml", "scenario", "sweep", "run"),
    ("whatif", SCENARIOS / "dense.yaml", "scenario", "what-if", "run"),
    ("run", EXPERIMENTS / "smoke.yaml", "sweep", "scenario", "sweep"),
    ("run", EXPERIMENTS / "whatif_alliance.yaml", "what-if", "scenario", "whatif"),
]
"""(command, file, the file's kind, the kind the command wants, the command that runs the file)."""


@pytest.mark.parametrize(
    ("command", "file", "kind", "wanted", "right"), WRONG, ids=[f"{w[0]}-{w[1].stem}" for w in WRONG]
)
def test_a_file_given_to_the_wrong_command_says_what_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, file: Path, kind: str, wanted: str, right: str
) -> None:
    out = tmp_path / "out"
    assert main([command, str(file), "--quiet", "--out", str(out)]) == 2
    message = f"this is a {kind} file, not a {wanted} file; run it with cogov {right}"
    assert _one_error_line(capsys) == f"error: {file}: {message}"
    assert not out.exists(), "nothing is written for a refused file"


def test_the_wrong_kind_in_a_real_process_is_one_line_without_a_traceback() -> None:
    r = _cli("sweep", "experiments/whatif_alliance.yaml", "--quiet")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip() == (
        "error: experiments/whatif_alliance.yaml: this is a what-if file, not a sweep file; run it with cogov whatif"
    )


def test_every_shipped_file_is_told_apart_by_its_kind() -> None:
    kinds = {p.name: file_kind(yaml.safe_load(p.read_text())) for p in sorted(EXPERIMENTS.glob("*.yaml"))}
    assert {n for n, k in kinds.items() if k == "whatif"} == {n for n in kinds if n.startswith("whatif_")}
    assert {n for n, k in kinds.items() if k == "exploration"} == {"when_circle_of_friends.yaml"}
    assert {n for n, k in kinds.items() if k == "sweep"} == {
        n for n in kinds if not n.startswith("whatif_") and kinds[n] != "exploration"
    }
    assert {file_kind(yaml.safe_load(p.read_text())) for p in SCENARIOS.glob("*.yaml")} == {"scenario"}
    assert file_kind({"base_scenario": "x.yaml"}) is None  # unclear: validated as the command's own kind
    assert file_kind({"policies": {}, "design": "sobol"}) is None
    assert file_kind([1, 2]) is None


def test_an_unclear_file_still_gets_the_commands_own_message(tmp_path: Path) -> None:
    f = tmp_path / "both.yaml"
    f.write_text("base_scenario: scenarios/baseline.yaml\npolicies: {}\ndesign: sobol\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_experiment(f)
    assert "unknown key 'policies'" in str(err.value)


# ----------------------------------------------------------------------------------------- --help examples
def _help(command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", "200")  # argparse wraps help lines to the terminal
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args([command, "--help"])
    assert stop.value.code == 0
    return capsys.readouterr().out


def _example_file(text: str, folder_: Path, name: str) -> Path:
    """The indented YAML of a help example, written to a file."""
    body = "\n".join(line[2:] for line in text.splitlines() if line.startswith("  "))
    path = folder_ / name
    path.write_text(body + "\n", encoding="utf-8")
    return path


def test_whatif_help_shows_a_whatif_example_that_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _help("whatif", capsys, monkeypatch)
    assert "what-if YAML file, e.g. experiments/whatif_alliance.yaml" in text
    assert "smoke.yaml" not in text and "design" not in text
    assert WHATIF_EXAMPLE.strip() in text
    wf = load_whatif(_example_file(WHATIF_EXAMPLE, tmp_path, "w.yaml"))
    assert [p.name for p in wf.policies] == ["evening"] and wf.spec.question


def test_sweep_help_shows_a_sweep_example_that_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _help("sweep", capsys, monkeypatch)
    assert "sweep YAML file, e.g. experiments/smoke.yaml" in text and "policies" not in text
    assert SWEEP_EXAMPLE.strip() in text
    exp = load_experiment(_example_file(SWEEP_EXAMPLE, tmp_path, "s.yaml"))
    assert exp.n_runs == 4
    assert (EXPERIMENTS / "smoke.yaml").is_file()


# ------------------------------------------------------------------------------------------ the README tour
def _tour() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## A short tour", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    return [shlex.split(line.split("  #", 1)[0]) for line in block.splitlines() if line.strip()]


def test_the_readme_tour_names_files_that_exist_or_that_it_makes(tmp_path: Path) -> None:
    lines = _tour()
    made: set[str] = set()
    for words in lines:
        if words[0] == "cp":
            assert (ROOT / words[1]).is_file(), words
            shutil.copy(ROOT / words[1], tmp_path / words[2])
            made.add(words[2])
            continue
        if words[0] != ".venv/bin/cogov":
            continue
        command, rest = words[1], words[2:]
        if command in ("run", "validate"):
            name = rest[0]
            assert name in made or (ROOT / name).is_file() or name in SHIPPED, f"the tour names {name}"
        if command in ("sweep", "whatif"):
            assert (ROOT / rest[0]).is_file(), rest[0]
    validate = next(w for w in lines if w[:2] == [".venv/bin/cogov", "validate"])
    assert validate[2] in made, "the tour's validate line names the file its cp line made"


def test_the_readme_tour_commands_load_their_inputs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for d in ("scenarios", "experiments"):
        (tmp_path / d).symlink_to(ROOT / d)
    for words in _tour():
        if words[0] == "cp":
            shutil.copy(words[1], words[2])
        elif words[:2] == [".venv/bin/cogov", "validate"]:
            assert main(words[1:]) == 0
            assert capsys.readouterr().out.strip() == "ok"
        elif words[:2] == [".venv/bin/cogov", "run"]:
            sets = [words[i + 1] for i, w in enumerate(words) if w == "--set"]
            assert load_scenario_ref(words[2], sets).behaviour.decay_per_km == 2.0
        elif words[:2] == [".venv/bin/cogov", "sweep"]:
            load_experiment(words[2])
        elif words[:2] == [".venv/bin/cogov", "whatif"]:
            load_whatif(words[2])


# ------------------------------------------------------------------------------------ a stale lock record
def _gone_pid() -> int:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    return dead.pid


HOLD_WITHOUT_WRITING = (
    "import fcntl, os, sys\n"
    "fd = os.open(sys.argv[1], os.O_RDWR)\n"
    "fcntl.flock(fd, fcntl.LOCK_EX)\n"
    "print('held', flush=True)\n"
    "sys.stdin.read()\n"
)
"""A process that takes the lock and has not written its record yet (a sweep just starting), until stdin closes."""

WAIT_HINT = "wait for it to finish, or add --wait"


def _record(pid: int) -> str:
    return json.dumps({"command": "sweep old", "pid": pid, "host": socket.gethostname(), "since": "earlier"})


def test_a_lock_record_left_by_a_process_that_is_gone_does_not_block(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / folder.LOCK_NAME).write_text(_record(_gone_pid()), encoding="utf-8")
    assert main(["sweep", str(EXPERIMENTS / "smoke.yaml"), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    record = json.loads((out / folder.LOCK_NAME).read_text())
    assert record["pid"] == os.getpid() and record["command"] == f"cogov sweep {EXPERIMENTS / 'smoke.yaml'}"
    assert "4 run now, 0 from earlier" in capsys.readouterr().out


def test_a_held_lock_with_a_gone_holders_record_names_no_dead_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    lock = out / folder.LOCK_NAME
    gone = _gone_pid()
    lock.write_text(_record(gone), encoding="utf-8")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WITHOUT_WRITING, str(lock)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with open(lock, "rb") as f, pytest.raises(BlockingIOError):  # the lock is really held by the other process
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main(["sweep", str(EXPERIMENTS / "smoke.yaml"), "--out", str(out), "--quiet"]) == 2
        line = _one_error_line(capsys)
        assert line == f"error: --out: {out} is in use by another process (just starting); {WAIT_HINT}"
        assert str(gone) not in line
    finally:
        holder.communicate("", timeout=30)
    assert holder.returncode == 0
    assert re.fullmatch(r"\{.*\}", lock.read_text())  # the record is left as it was: the holder wrote nothing


KIND_CASES = [("targets/evidence.yaml", "sweep", "targets file"),
              ("targets/calibration.yaml", "run", "calibration file"),
              ("targets/calibration.yaml", "check", "calibration file")]  # fmt: skip


@pytest.mark.parametrize(("file", "command", "named"), KIND_CASES)
def test_targets_and_calibration_files_are_known_by_kind(file, command, named, capsys):
    assert main(["validate", str(ROOT / file)]) == 0
    with pytest.raises(SystemExit) as stop:
        code = main([command, str(ROOT / file)])
        raise SystemExit(code)
    assert stop.value.code == 2
    assert f"this is a {named}" in capsys.readouterr().err
