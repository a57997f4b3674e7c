"""The results store: atomic run files, resume by id, consolidation in design order, streaming."""

from __future__ import annotations

import math
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from cogov_sim.experiments.runner import RunOutcome, RunTask, lost_outcome
from cogov_sim.experiments.store import ResultStore

COLUMNS = ("day", "gci", "visits")


def task(i: int, r: int = 0) -> RunTask:
    return RunTask(f"id{i:03d}r{r}", i, r, 1000 * i + r, {"x": i * 0.5}, {}, "h", 30, 10)


def outcome(t: RunTask, status: str = "ok", rows: int = 3) -> RunOutcome:
    row = {
        "run_id": t.run_id,
        "point_index": t.point_index,
        "x": t.point["x"],
        "replication": t.replication,
        "seed": t.seed,
        "status": status,
        "error": None if status == "ok" else "RuntimeError: boom",
        "gci": 0.1 * t.point_index + 0.01 * t.replication if status == "ok" else math.nan,
        "visits": 100.0 * t.point_index if status == "ok" else math.nan,
        "scenario_hash": "h",
        "days": 30,
        "version": "0",
        "wall_time_s": random.random(),
        "attempts": 1,
    }
    if status != "ok":
        return RunOutcome(row)
    series = np.column_stack([np.arange(1, rows + 1) * 10.0, np.full(rows, row["gci"]), np.full(rows, row["visits"])])
    return RunOutcome(row, series, COLUMNS)


def test_write_is_atomic_and_resumable(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    t = task(1)
    path = store.write(outcome(t))
    assert path.name == f"{t.run_id}.parquet"
    assert store.finished() == {t.run_id}
    assert [p.name for p in store.runs_dir.iterdir()] == [path.name]
    assert store.read_row(t.run_id)["gci"] == pytest.approx(0.1)
    table = pq.read_table(path)
    assert table.column_names == list(COLUMNS)
    assert table.column("day").to_pylist() == [10, 20, 30]
    # a half-written temporary file (a sweep killed while writing) is not a finished run and is cleaned up
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (store.runs_dir / f".{task(2).run_id}.parquet.{int(gone.stdout)}.0123abcd.tmp").write_bytes(b"PAR1 partial")
    assert store.finished() == {t.run_id}
    reopened = ResultStore(tmp_path)
    assert reopened.finished() == {t.run_id}
    assert not list(store.runs_dir.glob(".*.tmp"))


def test_lost_runs_are_not_stored(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    with pytest.raises(ValueError, match="lost"):
        store.write(lost_outcome(task(1), "gone", 3))
    assert store.finished() == set()


def test_consolidation_follows_design_order_with_every_run_once(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    tasks = [task(i, r) for i in range(5) for r in range(3)]
    order = list(tasks)
    random.Random(3).shuffle(order)
    for t in order:
        if t.point_index == 2 and t.replication == 1:
            store.write(outcome(t, "failed"))
        elif t.point_index == 4 and t.replication == 2:
            continue  # lost in this sweep
        else:
            store.write(outcome(t))
    lost = {tasks[-1].run_id: lost_outcome(tasks[-1], "worker lost", 3)}
    (store.runs_dir / "feedfacefeedfacefeed.parquet").write_bytes(b"")  # another experiment's file
    merged = store.consolidate(tasks, lost, row_group_rows=7)
    runs = merged.runs
    assert runs["run_id"].tolist() == [t.run_id for t in tasks]
    assert runs["status"].tolist().count("failed") == 1
    assert runs["status"].iloc[-1] == "lost"
    assert runs["error"].iloc[-1] == "worker lost"
    assert runs["attempts"].iloc[-1] == 3
    assert merged.foreign_files == 1
    on_disk = pq.read_table(tmp_path / "runs.parquet").to_pandas()
    assert on_disk["run_id"].tolist() == runs["run_id"].tolist()
    assert on_disk.columns.tolist()[:7] == ["run_id", "point_index", "x", "replication", "seed", "status", "error"]
    series = pq.ParquetFile(tmp_path / "timeseries.parquet")
    assert series.metadata.num_rows == merged.series_rows == 3 * 13
    assert series.metadata.num_row_groups >= 4  # written in pieces while reading one run file at a time
    ts = series.read().to_pandas()
    assert ts.columns.tolist() == ["run_id", "point_index", "replication", *COLUMNS]
    assert ts.groupby("run_id").size().eq(3).all()
    first = ts[ts["run_id"] == tasks[4].run_id]
    assert first["gci"].tolist() == pytest.approx([0.11] * 3)
    # consolidating again gives the same tables (nothing appended twice)
    again = store.consolidate(tasks, lost)
    assert again.runs.drop(columns="wall_time_s").equals(runs.drop(columns="wall_time_s"))
    assert pq.ParquetFile(tmp_path / "timeseries.parquet").metadata.num_rows == 39


def test_no_series_kept_gives_an_empty_timeseries_table(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    tasks = [task(i) for i in range(3)]
    for t in tasks:
        o = outcome(t)
        store.write(RunOutcome(o.row))
    merged = store.consolidate(tasks)
    assert merged.series_rows == 0
    table = pq.read_table(tmp_path / "timeseries.parquet")
    assert table.num_rows == 0
    assert "run_id" in table.column_names
    assert merged.runs["gci"].tolist() == pytest.approx([0.0, 0.1, 0.2])
