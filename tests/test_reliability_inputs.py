"""Inputs that cannot hurt: a seeded fuzz of every shipped file and the named cases of issue 14.

Every mutated scenario, experiment and what-if file ends in exit 0 or in one line and exit 2 naming the file,
quickly and within a memory cap; most run in this process (``cogov validate`` through :func:`main`), a handful in
a real process under ``RLIMIT_AS`` and a timeout.
"""

from __future__ import annotations

import copy
import errno
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from cogov_sim.cli import main
from cogov_sim.scenario import MAX_FILE_BYTES, ScenarioError, load_scenario, read_yaml
from cogov_sim.scenario.size import BYTES_PER_CANDIDATE, BYTES_PER_CENTER, candidate_width, check_size, estimated_bytes
from tests.conftest import ROOT, SCENARIOS

EXPERIMENTS = ROOT / "experiments"
SHIPPED = sorted(SCENARIOS.glob("*.yaml")) + sorted(EXPERIMENTS.glob("*.yaml"))
MUTATIONS_PER_FILE = 18
"""Mutations of each shipped file (20 files: 360 in all)."""

CALL_SECONDS = 3.0
"""Longest a single in-process validation may take (the model is imported before the clock starts)."""

GB = 2**30
SMALL_RUN = ["--days", "1", "--quiet", "--no-plots", "--set", "population.sample_fraction=0.01"]


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    """``cogov <args>`` in this process: the exit code and the lines written to stderr."""
    try:
        code = main(list(args))
    except SystemExit as stop:  # argparse's own errors
        code = int(stop.code or 0)
    return code, capsys.readouterr().err.strip().splitlines()


def _refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one line of a command that must exit 2."""
    code, lines = _cli(capsys, *args)
    assert code == 2, lines
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    return lines[0]


def _limit_memory(limit: int = GB) -> Any:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def _process(*args: str, limit: int = GB, timeout: float = 30) -> tuple[subprocess.CompletedProcess[str], float]:
    """``cogov <args>`` in a real process under an address-space limit; the result and its wall time."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    start = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "cogov_sim.cli", *args], capture_output=True, text=True, cwd=ROOT,
                       timeout=timeout, preexec_fn=_limit_memory(limit), env=env)  # fmt: skip
    return r, time.perf_counter() - start


def _bomb(levels: int) -> str:
    """A "billion laughs" scenario: ``levels`` levels of nine aliases each under ``name``."""
    lines = ["&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"&a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return f"name: [{', '.join(lines)}]\n"


# --------------------------------------------------------------------------------------------------- the fuzz


def _nodes(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every node below the root of plain data."""
    out: list[tuple[Any, ...]] = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        out.append((*path, key))
        out.extend(_nodes(value, (*path, key)))
    return out


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


ODD_VALUES: list[Any] = [
    "x", "", [1, 2], {"a": 1}, None, True, 3.5, -7, 0, 10**30, 2**63, 1e308, -1e9, -1,
    float("nan"), float("inf"), float("-inf"), "x" * 100_000, "旭辉滨江街道", "\u202eevil", "a\x00b",
    "../../escape", "/etc/passwd", "😀" * 50, "e\u0301", [float("nan"), 400], _nested(30), _nested(60),
    {"kind": ["launch_alliance"]}, [[1, 2], [3, 4]],
]  # fmt: skip
"""Values a mutation may put anywhere."""


def _mutate(text: str, rng: random.Random) -> str:
    """One seeded mutation of a file's text: a tree edit (dumped again) or a text edit."""
    data = yaml.safe_load(text)
    kind = rng.choice(["delete", "retype", "retype", "retype", "add_key", "dup_key", "alias", "bomb", "digits",
                       "truncate", "garbage"])  # fmt: skip
    paths = _nodes(data)
    if kind in ("delete", "retype", "add_key") and paths:
        path = rng.choice(paths)
        parent = _parent(data, path)
        if kind == "delete":
            del parent[path[-1]]
        elif kind == "retype":
            parent[path[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif isinstance(parent, dict):
            parent[rng.choice(["extra", "nme", "1", "旭辉", "a\x00"])] = rng.choice(ODD_VALUES)
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    lines = text.splitlines()
    keyed = [i for i, line in enumerate(lines) if ":" in line and not line.lstrip().startswith(("#", "-"))]
    if kind == "dup_key" and keyed:
        i = rng.choice(keyed)
        lines.insert(i + 1, lines[i])
    elif kind == "alias" and keyed:
        i = rng.choice(keyed)
        head = lines[i].split(":", 1)[0]
        lines[i] = f"{head}: &v {lines[i].split(':', 1)[1].strip() or '1'}"
        lines.append(f"extra: [{', '.join(['*v'] * rng.choice([3, 101]))}]")
    elif kind == "bomb" and keyed:
        i = rng.choice(keyed)
        head = lines[i].split(":", 1)[0]
        lines[i] = f"{head}: {_bomb(rng.choice([3, 9, 10]))[6:].strip()}"
    elif kind == "digits" and keyed:
        i = rng.choice(keyed)
        lines[i] = f"{lines[i].split(':', 1)[0]}: {'9' * rng.choice([20, 5000])}"
    elif kind == "truncate":
        return text[: rng.randrange(1, max(len(text), 2))]
    else:
        pos = rng.randrange(len(text))
        junk = rng.choice(["\x00", "{", "]", "\t", ": :", "&", "*nope", "!!python/object:os.system"])
        return text[:pos] + junk + text[pos:]
    return "\n".join(lines) + "\n"


def test_fuzz_every_shipped_file_ends_clean(tmp_path, capsys):
    (tmp_path / "scenarios").symlink_to(SCENARIOS)  # experiments find ../scenarios/... next to them
    (tmp_path / "experiments").mkdir()
    rng = random.Random(20261201)
    assert _cli(capsys, "validate", str(EXPERIMENTS / "whatif_alliance.yaml"))[0] == 0  # imports the model once
    counts = {0: 0, 2: 0}
    slowest = 0.0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    n = 0
    for source in SHIPPED:
        text = source.read_text(encoding="utf-8")
        folder = tmp_path / source.parent.name
        if source.parent == SCENARIOS:
            folder = tmp_path / "mutated_scenarios"
            folder.mkdir(exist_ok=True)
        for k in range(MUTATIONS_PER_FILE):
            f = folder / f"{source.stem}_{k}.yaml"
            f.write_text(_mutate(text, rng), encoding="utf-8", errors="surrogatepass")
            start = time.perf_counter()
            code, lines = _cli(capsys, "validate", str(f))
            took = time.perf_counter() - start
            slowest = max(slowest, took)
            n += 1
            assert code in (0, 2), (f.read_text()[:300], lines)
            assert took < CALL_SECONDS, (f.name, took)
            counts[code] += 1
            if code == 2:
                assert len(lines) == 1 and lines[0].startswith("error: "), lines
                assert len(lines[0]) < 1_200, lines[0][:200]
                assert str(f) in lines[0] or "scenarios/" in lines[0], lines[0]  # the file or its base scenario
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) * 1024
    print(f"fuzz: {n} mutations, {counts[0]} exit 0, {counts[2]} exit 2, slowest {slowest:.2f} s,"
          f" peak memory grew {grown / 2**20:.0f} MB")  # fmt: skip
    assert n >= 300
    assert counts[2] > n // 3
    assert grown < GB


@pytest.mark.parametrize("seed", range(4))
def test_fuzz_in_a_real_process_under_a_memory_limit(tmp_path, seed):
    rng = random.Random(seed)
    source = SCENARIOS / "baseline.yaml"
    f = tmp_path / f"m{seed}.yaml"
    text = _mutate(source.read_text(encoding="utf-8"), rng)
    if seed == 0:
        text = _bomb(10)
    f.write_text(text, encoding="utf-8")
    r, took = _process("validate", str(f), timeout=20)
    assert r.returncode in (0, 2), r.stderr[-500:]
    assert "Traceback" not in r.stderr
    if r.returncode == 2:
        assert len(r.stderr.strip().splitlines()) == 1 and str(f) in r.stderr
    assert took < 10


# ---------------------------------------------------------------------------------------------- named cases


@pytest.mark.parametrize("levels", [9, 10])
def test_alias_bomb_is_refused_fast_and_small(tmp_path, levels):
    f = tmp_path / f"bomb{levels}.yaml"
    f.write_text(_bomb(levels), encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(ScenarioError, match="aliases expand") as err:
        read_yaml(f)
    assert time.perf_counter() - start < 2
    assert err.value.path.startswith("name.")
    r, took = _process("validate", str(f), timeout=20)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr[-300:]
    assert took < 5  # interpreter start included; the refusal itself is in microseconds
    r, _ = _process("run", str(f), "--quiet", timeout=20)
    assert r.returncode == 2 and "aliases" in r.stderr


def test_more_aliases_than_the_budget_and_recursive_aliases(tmp_path):
    f = tmp_path / "many.yaml"
    f.write_text("name: &n baseline\ndescription: [" + ", ".join(["*n"] * 101) + "]\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="more than 100 YAML aliases") as err:
        read_yaml(f)
    assert err.value.path.startswith("description.")
    f.write_text("name: &n [a, *n]\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="inside the node it names"):
        read_yaml(f)
    f.write_text("base: &b {width_m: 3000}\narea: *b\n", encoding="utf-8")  # a few aliases are fine
    assert read_yaml(f)["area"] == {"width_m": 3000}


def test_duplicate_keys_are_refused_with_key_and_path(tmp_path, capsys):
    text = (SCENARIOS / "baseline.yaml").read_text(encoding="utf-8")
    f = tmp_path / "dup.yaml"
    f.write_text(text + "days: 10\n", encoding="utf-8")
    line = _refused(capsys, "validate", str(f))
    assert f"{f}: days: duplicate key 'days'" in line
    f.write_text(text.replace("  residents: 50000", "  residents: 50000\n  residents: 9"), encoding="utf-8")
    assert "population.residents: duplicate key 'residents'" in _refused(capsys, "validate", str(f))


def test_a_50_mb_file_is_refused_fast(tmp_path, capsys):
    f = tmp_path / "big.yaml"
    with f.open("w", encoding="utf-8") as out:
        out.write("name: big\ndescription: '")
        out.write("x" * 50_000_000)
        out.write("'\n")
    start = time.perf_counter()
    line = _refused(capsys, "validate", str(f))
    assert time.perf_counter() - start < 1
    assert f"{f}: the file has 50,000,026 bytes; at most {MAX_FILE_BYTES:,}" in line


def test_deep_nesting_and_huge_integers_are_clean_errors(tmp_path, capsys):
    f = tmp_path / "deep.yaml"
    f.write_text("name: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    assert "nested more than 40 levels" in _refused(capsys, "validate", str(f))
    f.write_text("days: " + "9" * 5000 + "\n", encoding="utf-8")
    assert str(f) in _refused(capsys, "validate", str(f))


@pytest.mark.parametrize(
    ("value", "path"),
    [("[.nan,400]", "centers.street.area_m2.0"), ("[100,.inf]", "centers.street.area_m2.1")],
)
def test_non_finite_numbers_are_refused_at_their_path(capsys, value, path):
    line = _refused(capsys, "run", str(SCENARIOS / "baseline.yaml"), *SMALL_RUN,
                    "--set", f"centers.street.area_m2={value}")  # fmt: skip
    assert f"{path}: Input should be a finite number" in line
    sc = load_scenario(SCENARIOS / "baseline.yaml")
    with pytest.raises(ScenarioError, match="finite"):
        load_scenario(SCENARIOS / "baseline.yaml", {"population.segments.elderly": float("nan")})
    assert sc.centers["street"].area_m2 == (2000.0, 2000.0)


def test_sizes_that_would_exhaust_the_machine_are_refused_with_the_estimate(capsys):
    line = _refused(capsys, "run", str(SCENARIOS / "baseline.yaml"), *SMALL_RUN, "--set", "zones.shops=1000000000")
    assert "zones.shops: a run would need about" in line and "GiB" in line and "at most 8 GiB" in line


def test_a_city_of_many_street_centers_is_not_refused_for_its_candidate_table():
    base = load_scenario(SCENARIOS / "baseline.yaml")
    city = load_scenario(SCENARIOS / "baseline.yaml", {"centers.street.count": 100_000, "centers.district.count": 16})
    assert candidate_width(base) == 6 + 1 + 0  # the nearest six, the one street center, no district center
    assert candidate_width(city) == 6 + 3 + 2  # the nearest three street and two district centers, not all
    grown = estimated_bytes(city) - estimated_bytes(base)
    added = city.center_count("street") + 16 - 1
    assert grown == added * BYTES_PER_CENTER + base.population.agents * BYTES_PER_CANDIDATE * 4
    check_size(city)  # not refused


def test_days_is_bounded_like_the_schema(capsys):
    line = _refused(capsys, "run", str(SCENARIOS / "baseline.yaml"), "--days", "9223372036854775808", "--quiet")
    assert "--days: must be <= 36,500" in line


def test_zero_agents_are_refused(capsys):
    line = _refused(capsys, "run", str(SCENARIOS / "baseline.yaml"), "--quiet", "--days", "1",
                    "--set", "population.sample_fraction=1e-9")  # fmt: skip
    assert "population: 50,000 residents and 6,000 commuters" in line and "0 agents" in line


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("../../escape", "'/' is not allowed"),
        ("/tmp/abs", "'/' is not allowed"),
        ("a\x00b", "'\\x00' is not allowed"),
        ("..", "starts with a letter or a digit"),
        ("a..b", "'..'"),
        ("街" * 100, "at most 80 characters"),  # 300 bytes
    ],
)
def test_unsafe_scenario_names_are_refused(tmp_path, capsys, name, fragment):
    line = _refused(capsys, "run", str(SCENARIOS / "baseline.yaml"), *SMALL_RUN, "--set", f"name={name}",
                    "--out", str(tmp_path / "out"))  # fmt: skip
    assert "name: " in line and fragment in line
    assert not (tmp_path / "out").exists()
    assert not (ROOT.parent / "escape").exists()


def test_chinese_names_are_accepted_for_scenarios_and_experiments(tmp_path, capsys):
    assert load_scenario(SCENARIOS / "baseline.yaml", ["name=徐汇 滨江-街道_1"]).name == "徐汇 滨江-街道_1"
    text = (EXPERIMENTS / "smoke.yaml").read_text(encoding="utf-8")
    (tmp_path / "scenarios").symlink_to(SCENARIOS)
    (tmp_path / "experiments").mkdir()
    f = tmp_path / "experiments" / "zh.yaml"
    f.write_text(text.replace("name: smoke", "name: 烟雾测试"), encoding="utf-8")
    assert _cli(capsys, "validate", str(f))[0] == 0
    f.write_text(text.replace("name: smoke", "name: " + "烟" * 80), encoding="utf-8")  # 240 bytes
    assert "200 bytes" in _refused(capsys, "validate", str(f))
    f.write_text(text.replace("name: smoke", "name: ../escape"), encoding="utf-8")
    assert "name: '/' is not allowed" in _refused(capsys, "validate", str(f))


def test_a_5000_character_path_is_one_line(capsys):
    path = "a" * 5000 + ".yaml"
    for args in (["validate", path], ["run", path, "--quiet"]):
        line = _refused(capsys, *args)
        assert "File name too long" in line and len(line) < 300
    line = _refused(capsys, "run", str(SCENARIOS / "baseline.yaml"), *SMALL_RUN, "--out", "/tmp/" + "o" * 5000)
    assert line.startswith("error: --out: cannot write in") and "File name too long" in line


def test_cli_options_are_bounded_with_one_line(capsys):
    assert "--workers: must be >= 1" in _refused(capsys, "sweep", "experiments/smoke.yaml", "--workers", "0")
    assert "--workers: must be <= 256" in _refused(capsys, "sweep", "experiments/smoke.yaml", "--workers", "99999")
    assert "--port: must be <= 65,535" in _refused(capsys, "viz", "--port", "70000")
    assert "--seed: expected a whole number" in _refused(capsys, "run", "x.yaml", "--seed", "1" * 5000)


def _experiment_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    (tmp_path / "scenarios").symlink_to(SCENARIOS)
    (tmp_path / "experiments").mkdir()
    f = tmp_path / "experiments" / name
    text = (EXPERIMENTS / name).read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new, 1), encoding="utf-8")
    return f


def test_whatif_kind_that_is_not_text(tmp_path, capsys):
    f = _experiment_copy(tmp_path, "whatif_alliance.yaml", "kind: launch_alliance", "kind: [launch_alliance]")
    line = _refused(capsys, "validate", str(f))
    assert "policies.alliance.interventions.0.kind: expected the name of an intervention" in line
    text = f.read_text().replace("kind: [launch_alliance]", "kind: launch_alliance")
    f.write_text(text.replace("actions_per_month: 4", "actions_per_month: .inf"))
    line = _refused(capsys, "validate", str(f))
    assert "policies.alliance.interventions.0.actions_per_month: Input should be a finite number" in line


def test_morris_parameter_name_with_a_nul_is_refused_at_validation(tmp_path, capsys):
    f = _experiment_copy(tmp_path, "morris_screening.yaml", "name: visit_scale,", 'name: "visit_scale\\0",')
    line = _refused(capsys, "validate", str(f))
    assert "parameters.0.name: '\\x00' is not allowed" in line


@pytest.mark.parametrize("target", ["file", "/dev/null", "under_a_file"])
def test_run_out_that_cannot_be_written_is_refused_before_simulating(tmp_path, capsys, target):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    out = {"file": str(a_file), "/dev/null": "/dev/null", "under_a_file": str(a_file / "sub")}[target]
    start = time.perf_counter()
    line = _refused(capsys, "run", str(SCENARIOS / "baseline.yaml"), *SMALL_RUN, "--out", out)
    assert time.perf_counter() - start < 1.5
    assert line.startswith("error: --out: ") and out in line


def test_a_full_disk_while_writing_is_one_line_and_exit_1(tmp_path, capsys, monkeypatch):
    import cogov_sim.report

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "out" / "timeseries.csv"))

    monkeypatch.setattr(cogov_sim.report, "write_run", full)
    code, lines = _cli(capsys, "run", str(SCENARIOS / "baseline.yaml"), *SMALL_RUN, "--out", str(tmp_path / "out"))
    assert code == 1
    assert lines == [f"error: writing {tmp_path / 'out' / 'timeseries.csv'}: No space left on device"]


def test_run_refuses_a_bad_file_before_importing_the_model(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("days: 0\n", encoding="utf-8")
    code = (
        "import sys; from cogov_sim.cli import main; c = main(['run', sys.argv[1], '--quiet']);"
        " print(c, 'cogov_sim.model' in sys.modules, 'cogov_sim.simulation' in sys.modules)"
    )
    r = subprocess.run([sys.executable, "-c", code, str(f)], capture_output=True, text=True, cwd=ROOT, timeout=60,
                       preexec_fn=_limit_memory())  # fmt: skip
    assert r.stdout.split() == ["2", "False", "False"], r.stderr[-300:]
    assert r.stderr.strip() == f"error: {f}: days: Input should be greater than or equal to 1 (got 0)"


def test_messages_never_render_the_input_whole(tmp_path, capsys):
    f = tmp_path / "long.yaml"
    f.write_text(f"name: [{', '.join(['x' * 1000] * 200)}]\nzones: {{shops: '{'y' * 200_000}'}}\n")
    line = _refused(capsys, "validate", str(f))
    assert len(line) < 400
    f.write_text(f"? {'k' * 100_000}\n: 1\n")
    line = _refused(capsys, "validate", str(f))
    assert len(line) < 600 and "unknown key" in line
    f.write_text('name: "a\\nb\\u2028c"\n')
    assert len(_cli(capsys, "validate", str(f))[1]) == 1


def test_set_values_are_read_by_the_same_guarded_loader(capsys):
    bomb = _bomb(9)[6:].strip()
    line = _refused(capsys, "run", str(SCENARIOS / "baseline.yaml"), "--quiet", "--set", f"description={bomb}")
    assert "--set: description" in line and "aliases" in line
    with pytest.raises(ScenarioError, match="valid string"):  # a date, once a json.dumps TypeError
        load_scenario(SCENARIOS / "baseline.yaml", ["name=2024-01-01"])


def test_shipped_files_still_validate(capsys):
    for f in SHIPPED:
        code, lines = _cli(capsys, "validate", str(f))
        assert code == 0, lines


def test_fuzz_set_overrides_end_in_a_scenario_or_one_clean_error():
    from cogov_sim.scenario import MAX_RUN_BYTES, estimated_bytes, tunable_fields

    rng = random.Random(14)
    paths = [t.path for t in tunable_fields()] + ["name", "days", "zones.shops", "population.sample_fraction",
                                                   "centers.street.count", "centers.street.area_m2", "area.width_m",
                                                   "population.segments.elderly", "centers.grid.sites"]  # fmt: skip
    texts = ["1.0e+400", "-.inf", ".nan", "-1", "0", "1e9", "9" * 30, "[1, 2]", "{a: 1}", "~", "true", "'x'",
             "&a [*a]", "[&a x, *a, *a]", "旭辉", "a\x00b", "'" + "y" * 2000 + "'", "[" * 60, "2024-01-01"]  # fmt: skip
    base = SCENARIOS / "baseline.yaml"
    outcomes = {"ok": 0, "refused": 0}
    for _ in range(200):
        override = f"{rng.choice(paths)}={rng.choice(texts)}"
        try:
            sc = load_scenario(base, [override])
        except ScenarioError as err:
            text = str(err)
            assert "\n" not in text and len(text) < 2_400, override
            outcomes["refused"] += 1
        else:
            assert estimated_bytes(sc) <= MAX_RUN_BYTES
            outcomes["ok"] += 1
    assert outcomes["refused"] > 100 and outcomes["ok"] > 5, outcomes
