"""The store heals itself and guards its folder: damaged run files are set aside and rerun, one writer per folder,
temporary files removed only by their writer, the folder checked before any run, a full disk ends in one line.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from cogov_sim import cli
from cogov_sim.experiments import folder, store
from cogov_sim.experiments.command import Progress
from cogov_sim.experiments.executors import ExecutorUnavailableError, open_executor
from cogov_sim.experiments.folder import FolderBusyError, lock_folder, remove_stale_temps, temp_name
from cogov_sim.experiments.runner import EXECUTION_COLUMNS, RunOutcome, RunTask, lost_outcome
from cogov_sim.experiments.store import META_KEY, ResultStore

ROOT = Path(__file__).resolve().parents[1]
TINY = {
    "name": "tiny",
    "base_scenario": str(ROOT / "scenarios" / "baseline.yaml"),
    "set": {"population.sample_fraction": 0.005},
    "days": 4,
    "seed": 3,
    "replications": 2,
    "design": "full_factorial",
    "parameters": [{"path": "centers.residential.count", "type": "int", "levels": [0, 4, 8, 12]}],
    "keep": {"daily_every": 2},
    "indicators": ["gci"],
}
N_TINY = 8


def sweep(exp: Path, out: Path, *extra: str) -> int:
    return cli.main(["sweep", str(exp), "--out", str(out), "--quiet", "--workers", "1", *extra])


def tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    runs = pd.read_parquet(out / "runs.parquet").drop(columns=list(EXECUTION_COLUMNS))
    return runs, pd.read_parquet(out / "timeseries.parquet"), (out / "summary.csv").read_text()


def assert_same_tables(out: Path, reference: Path) -> None:
    runs, series, summary = tables(out)
    ref_runs, ref_series, ref_summary = tables(reference)
    pd.testing.assert_frame_equal(runs, ref_runs)
    pd.testing.assert_frame_equal(series, ref_series)
    assert summary == ref_summary


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("exp") / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    assert sweep(tiny, out) == 0
    return out


# ------------------------------------------------------------------------------------------ damaged run files
def _rewrite(path: Path, change: Any) -> None:
    table = pq.read_table(path)
    pq.write_table(change(table), path)


def _alter_series(table: pa.Table) -> pa.Table:
    gci = table.column("gci").to_numpy().copy()
    gci[0] += 0.25
    return table.set_column(table.column_names.index("gci"), "gci", pa.array(gci))


def _alter_row(table: pa.Table) -> pa.Table:
    meta = dict(table.schema.metadata)
    row = json.loads(meta[META_KEY])
    row["gci"] = 0.999
    meta[META_KEY] = json.dumps(row).encode()
    return table.replace_schema_metadata(meta)


DAMAGES = {
    "truncated": lambda p: os.truncate(p, 100),
    "empty": lambda p: p.write_bytes(b""),
    "garbage": lambda p: p.write_bytes(np.random.default_rng(1).bytes(4000)),
    "no metadata": lambda p: _rewrite(p, lambda t: t.replace_schema_metadata(None)),
    "altered value": lambda p: _rewrite(p, _alter_series),
    "altered row": lambda p: _rewrite(p, _alter_row),
}
REASONS = {
    "truncated": "unreadable",
    "empty": "unreadable",
    "garbage": "unreadable",
    "no metadata": "no run record",
    "altered value": "checksum mismatch",
    "altered row": "checksum mismatch",
}


def test_damaged_run_files_are_named_kept_aside_and_rerun(
    tiny: Path, reference: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    files = sorted((out / "runs").glob("*.parquet"))
    assert len(files) == N_TINY
    damaged = dict(zip(DAMAGES, files, strict=False))
    for kind, path in damaged.items():
        DAMAGES[kind](path)
    sound = {p.name: p.stat().st_mtime_ns for p in files[len(DAMAGES) :]}
    capsys.readouterr()

    assert sweep(tiny, out) == 0
    cap = capsys.readouterr()
    assert "Traceback" not in cap.err
    warnings = [line for line in cap.err.splitlines() if line.startswith("warning: damaged run file")]
    assert len(warnings) == len(DAMAGES)
    for kind, path in damaged.items():
        (line,) = [w for w in warnings if str(path) in w]
        assert f"({REASONS[kind]}" in line and "moved to" in line and "computed again" in line
    kept = sorted(p.name.split(".")[0] for p in (out / "quarantine").iterdir())
    assert kept == sorted(p.stem for p in damaged.values())  # kept for inspection, not deleted
    assert f"{N_TINY - len(DAMAGES)} finished earlier, {len(DAMAGES)} to run" in cap.out
    assert {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")}.items() >= sound.items()
    assert_same_tables(out, reference)

    assert sweep(tiny, out) == 0  # healed: nothing to do, no warning
    cap = capsys.readouterr()
    assert "warning" not in cap.err and f"{N_TINY} finished earlier, 0 to run" in cap.out


def test_old_run_files_without_a_checksum_are_rerun(tmp_path: Path) -> None:
    s = ResultStore(tmp_path, warn=lambda _line: None)
    t = RunTask("r1", 0, 0, 1, {}, {}, "h", 3, 1)
    path = s.write(RunOutcome(lost_outcome(t, "", 1).row | {"status": "ok"}))
    table = pq.read_table(path)
    meta = {META_KEY: table.schema.metadata[META_KEY]}  # the format before checksums
    pq.write_table(table.replace_schema_metadata(meta), path)
    assert s.check(["r1"]) == {}
    assert not path.exists() and len(list((tmp_path / "quarantine").iterdir())) == 1


def test_consolidation_never_reads_a_damaged_file(tmp_path: Path) -> None:
    lines: list[str] = []
    s = ResultStore(tmp_path, warn=lines.append)
    tasks = [RunTask(f"r{i}", i, 0, i, {"x": i}, {}, "h", 3, 1) for i in range(3)]
    for t in tasks:
        row = lost_outcome(t, "", 1).row | {"status": "ok", "error": None, "gci": 0.1 * t.point_index}
        s.write(RunOutcome(row, np.array([[1.0, row["gci"]]]), ("day", "gci")))
    s.path("r1").write_bytes(b"PAR1 not really")  # damaged after the sweep checked the store
    merged = s.consolidate(tasks)
    assert merged.damaged == ["r1"]
    assert merged.runs["status"].tolist() == ["ok", "lost", "ok"]
    assert "damaged run file" in merged.runs["error"].iloc[1]
    assert pq.read_table(tmp_path / "timeseries.parquet").column("run_id").to_pylist() == ["r0", "r2"]
    assert len(lines) == 1 and "r1.parquet" in lines[0]
    assert not s.path("r1").exists()


# ------------------------------------------------------------------------------------------------- the lock
def test_the_lock_names_its_holder_and_wait_blocks_until_it_is_free(tmp_path: Path) -> None:
    said: list[str] = []
    with lock_folder(tmp_path, "cogov sweep first.yaml"):
        with pytest.raises(FolderBusyError) as busy, lock_folder(tmp_path, "second"):
            pass
        assert f"cogov sweep first.yaml (pid {os.getpid()} on " in str(busy.value)
        assert "or add --wait" in str(busy.value)
        got: list[float] = []

        def second() -> None:
            with lock_folder(tmp_path, "second", wait=True, say=said.append):
                got.append(time.monotonic())

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        assert not got, "the waiting writer got the lock while it was held"
        released = time.monotonic()
    thread.join(timeout=10)
    assert got and got[0] >= released
    assert said and "in use by cogov sweep first.yaml" in said[0]


def test_two_sweeps_on_one_folder_the_second_exits_2_or_waits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tiny = tmp_path / "longer.yaml"  # long enough for the second sweep to find the first one running
    tiny.write_text(yaml.safe_dump({**TINY, "name": "longer", "days": 30}, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    first = subprocess.Popen(
        [sys.executable, "-m", "cogov_sim.cli", "sweep", str(tiny), "--out", str(out), "--quiet", "--workers", "1"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        lock = out / folder.LOCK_NAME
        deadline = time.monotonic() + 60
        while not (lock.exists() and f'"pid": {first.pid}' in lock.read_text()):
            assert first.poll() is None and time.monotonic() < deadline, "the first sweep did not take the lock"
            time.sleep(0.02)
        assert sweep(tiny, out) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(f"error: --out: {out} is in use by cogov sweep {tiny}")
        assert f"(pid {first.pid} on " in err[0]
        assert first.poll() is None, "the first sweep ended before the second was refused: the test is too slow"
        assert sweep(tiny, out, "--wait") == 0
    finally:
        try:
            first.wait(timeout=60)  # it released the folder; let it finish exiting
        except subprocess.TimeoutExpired:
            first.kill()
            first.wait(timeout=60)
    assert first.returncode == 0, first.stderr.read().decode() if first.stderr else ""
    cap = capsys.readouterr()
    assert f"waiting for {out}: in use by cogov sweep {tiny}" in cap.out
    assert f"{N_TINY} finished earlier, 0 to run" in cap.out and f"0 run now, {N_TINY} from earlier" in cap.out


# ------------------------------------------------------------------------------------------ temporary files
def test_temporary_files_are_removed_only_by_their_writer(tmp_path: Path) -> None:
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        runs = tmp_path / "runs"
        runs.mkdir()
        names = {
            "live": f".abc.parquet.{live.pid}.0badcafe.tmp",
            "dead": f".abc.parquet.{dead.pid}.0badcafe.tmp",
            "old format, dead writer": f".abc.parquet.{dead.pid}.tmp",
            "not ours": ".notes.tmp",
        }
        for name in names.values():
            (runs / name).write_bytes(b"PAR1 partial")
        ResultStore(tmp_path)
        left = {p.name for p in runs.iterdir()}
        assert left == {names["live"], names["not ours"]}
    finally:
        live.kill()
        live.wait()
    a, b = temp_name(runs / "x.parquet"), temp_name(runs / "x.parquet")
    assert a != b and f".{os.getpid()}." in a.name


def test_a_second_start_up_leaves_a_write_in_flight_alone(tmp_path: Path) -> None:
    s = ResultStore(tmp_path)
    writing, release = threading.Event(), threading.Event()
    result: list[Path | BaseException] = []

    def slow_write(f: IO[bytes]) -> None:
        f.write(b"half")
        writing.set()
        release.wait(30)
        f.write(b" and the rest")

    def writer() -> None:
        try:
            result.append(folder.atomic_write(s.runs_dir / "slow.parquet", slow_write))
        except BaseException as exc:
            result.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    assert writing.wait(10)
    assert len(list(s.runs_dir.glob(".*.tmp"))) == 1
    code = "import sys; from cogov_sim.experiments.store import ResultStore; ResultStore(sys.argv[1])"
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, check=True)  # another start-up
    assert len(list(s.runs_dir.glob(".*.tmp"))) == 1, "another process removed a live writer's temporary file"
    release.set()
    thread.join(10)
    assert result == [s.runs_dir / "slow.parquet"]
    assert (s.runs_dir / "slow.parquet").read_bytes() == b"half and the rest"
    assert remove_stale_temps(s.runs_dir) == [] and not list(s.runs_dir.glob(".*.tmp"))


# ------------------------------------------------------------------------------- output checked, full disk
@pytest.mark.parametrize("command", ["sweep", "whatif"])
def test_an_output_folder_that_cannot_be_used_exits_2_before_any_run(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    exp = ROOT / "experiments" / ("smoke.yaml" if command == "sweep" else "whatif_alliance.yaml")
    afile = tmp_path / "afile"
    afile.write_text("x")
    for out in (afile, Path("/dev/null"), afile / "below"):
        start = time.monotonic()
        assert cli.main([command, str(exp), "--out", str(out), "--quiet"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: --out: "), err
        assert time.monotonic() - start < 10  # refused before any simulation


def test_a_full_disk_before_any_run_exits_2(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_fsync = os.fsync

    def full(fd: int) -> None:
        real_fsync(fd)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(folder.os, "fsync", full)
    assert sweep(tiny, tmp_path / "out") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left on device" in err[0] and err[0].startswith("error: --out: ")
    assert not list((tmp_path / "out" / "runs").glob("*.parquet"))


def test_a_full_disk_during_a_sweep_ends_in_one_line_and_keeps_what_was_finished(
    tiny: Path, reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = store.atomic_write
    written: list[Path] = []

    def filling(path: Path, write: Any) -> Path:
        if path.parent.name == "runs" and len(written) >= 3:

            def half(f: IO[bytes]) -> None:
                f.write(b"PAR1")
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            return real(path, half)
        written.append(path)
        return real(path, write)

    monkeypatch.setattr(store, "atomic_write", filling)
    out = tmp_path / "out"
    assert sweep(tiny, out) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"error: cannot write {out / 'runs'}/") and "No space left on device" in err[0]
    assert "the 3 finished runs" in err[0] and "free some space and run the same command again" in err[0]
    assert sorted(p.name for p in (out / "runs").iterdir()) == sorted(p.name for p in written)  # no temp file left
    assert not (out / "runs.parquet").exists()

    monkeypatch.setattr(store, "atomic_write", real)
    assert sweep(tiny, out) == 0
    assert f"3 finished earlier, {N_TINY - 3} to run" in capsys.readouterr().out
    assert_same_tables(out, reference)


# ----------------------------------------------------------------------------------- scheduler, progress bar
def test_a_scheduler_that_is_not_an_address_exits_2(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for bad in ("not a url", "tcp://host", "tcp://host:70000", "x" * 300):
        assert cli.main(["sweep", str(tiny), "--executor", "dask", "--scheduler", bad, "--quiet"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: --scheduler: ") and "host:port" in err[0]
        assert len(err[0]) < 250


def test_an_address_dask_cannot_parse_is_an_unavailable_executor() -> None:
    pytest.importorskip("distributed")
    with (
        pytest.raises(ExecutorUnavailableError, match="cannot reach the Dask scheduler"),
        open_executor("dask", 1, "not a url"),
    ):
        pass


def test_lost_runs_show_as_lost_in_the_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    t = RunTask("r", 0, 0, 1, {}, {}, "h", 3, 1)
    bar = Progress(3, 0, 0, "x", True)
    bar.update(lost_outcome(t, "gone", 3))
    bar.update(RunOutcome(lost_outcome(t, "boom", 1).row | {"status": "failed"}))
    bar.close()
    err = capsys.readouterr().err
    assert "failed 1, lost 1, remaining 1" in err


# ------------------------------------------------------------------------------------------------- what-if
WHATIF = {
    "name": "tiny_whatif",
    "question": "Does a campaign change anything in four days?",
    "base_scenario": str(ROOT / "scenarios" / "baseline.yaml"),
    "overrides": {"population.sample_fraction": 0.005},
    "days": 4,
    "seed": 5,
    "replications": 2,
    "indicators": ["gci"],
    "policies": {"campaign": [{"kind": "mobilization_campaign", "start_day": 2, "multiplier": 4}]},
}


def test_whatif_heals_a_damaged_run_file_and_refuses_a_held_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exp = tmp_path / "w.yaml"
    exp.write_text(yaml.safe_dump(WHATIF, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    args = ["whatif", str(exp), "--out", str(out), "--quiet", "--workers", "1"]
    assert cli.main(args) == 0
    effects = (out / "effects.csv").read_text()
    victim = sorted((out / "runs").glob("*.parquet"))[0]
    victim.write_bytes(b"garbage")
    capsys.readouterr()
    assert cli.main(args) == 0
    cap = capsys.readouterr()
    assert cap.err.count("warning: damaged run file") == 1 and str(victim) in cap.err
    assert "3 finished earlier, 1 to run" in cap.out
    assert (out / "effects.csv").read_text() == effects
    with lock_folder(out, "cogov whatif elsewhere.yaml"):
        assert cli.main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is in use by cogov whatif elsewhere.yaml" in err[0]
