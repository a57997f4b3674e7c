"""The results store: one file per finished run, written atomically; resume; consolidation to tidy tables.

Layout of a sweep's output folder::

    runs/<run_id>.parquet   one per finished run (status ok or failed): its kept daily series as rows and its
                            runs.parquet row as JSON in the file's key-value metadata (key ``cogov_run``)
    runs.parquet            one row per run of the experiment, in design order (point, replication)
    timeseries.parquet      the kept daily series, wide: run_id, point_index, replication, day, indicators

A run file is written to a temporary name in the same folder, flushed to disk and renamed over its final name
(``os.replace``), so a reader (or a resumed sweep) sees either the whole file or none of it; a sweep killed at any
moment leaves at most a temporary file, which the next sweep deletes. The run id is a content hash of the resolved
scenario, the design point and the seed (:func:`~cogov_sim.experiments.runner.run_key`), so a finished run is
recognised whatever the order of the tasks. Lost runs are not stored: the next sweep runs them again.

Consolidation streams: it reads one run file at a time and writes ``timeseries.parquet`` in row groups, so memory
does not grow with the number of runs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from cogov_sim.experiments.runner import RunOutcome, RunTask, lost_outcome

META_KEY = b"cogov_run"
"""Key of the run's row (JSON) in a run file's Parquet metadata."""

SERIES_KEYS: tuple[str, ...] = ("run_id", "point_index", "replication")
"""Columns that ``timeseries.parquet`` adds in front of each run's series."""


def atomic_write(path: Path, write: Callable[[IO[bytes]], Any]) -> Path:
    """Write a file through ``write(file)`` to a temporary name, flush it to disk, then rename it into place."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write a result table as CSV (no index, numbers to 8 significant digits), atomically."""
    return atomic_write(path, lambda f: f.write(frame.to_csv(index=False, float_format="%.8g").encode()))


def write_yaml(path: Path, data: Any) -> Path:
    """Write plain data as YAML in its own key order (a resolved experiment file), atomically."""
    return atomic_write(path, lambda f: f.write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()))


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "item"):
        return obj.item()
    return str(obj)


@dataclass
class Consolidated:
    """What :meth:`ResultStore.consolidate` wrote."""

    runs: pd.DataFrame
    series_rows: int
    foreign_files: int


class ResultStore:
    """Per-run result files under ``<root>/runs/`` and the consolidated tables in ``<root>``.

    Args:
        root: the sweep's output folder (created if needed).
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.runs_dir = self.root / "runs"
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.runs_dir.glob(".*.tmp"):
            stale.unlink(missing_ok=True)

    def path(self, run_id: str) -> Path:
        """The file of a run."""
        return self.runs_dir / f"{run_id}.parquet"

    def finished(self) -> set[str]:
        """Ids of the runs that have a file (status ok or failed)."""
        return {p.name[: -len(".parquet")] for p in self.runs_dir.glob("*.parquet") if not p.name.startswith(".")}

    def write(self, outcome: RunOutcome) -> Path:
        """Store a finished run atomically.

        Raises:
            ValueError: for a lost run (it has no result; the next sweep runs it again).
        """
        if outcome.status == "lost":
            raise ValueError(f"run {outcome.run_id} was lost; lost runs are not stored")
        if outcome.series is not None and len(outcome.series_columns):
            cols = outcome.series_columns
            arrays = [
                pa.array(outcome.series[:, j].astype("int64") if c == "day" else outcome.series[:, j])
                for j, c in enumerate(cols)
            ]
            table = pa.Table.from_arrays(arrays, names=list(cols))
        else:
            table = pa.table({"day": pa.array([], pa.int64())})
        meta = json.dumps(outcome.row, default=_json_default, allow_nan=True)
        table = table.replace_schema_metadata({META_KEY: meta.encode()})
        return atomic_write(self.path(outcome.run_id), lambda f: pq.write_table(table, f))

    def read_row(self, run_id: str) -> dict[str, Any]:
        """The ``runs.parquet`` row stored with a finished run."""
        meta = pq.read_schema(self.path(run_id)).metadata or {}
        return json.loads(meta[META_KEY])

    def consolidate(
        self,
        tasks: Iterable[RunTask],
        lost: Mapping[str, RunOutcome] | None = None,
        *,
        row_group_rows: int = 65_536,
    ) -> Consolidated:
        """Write ``runs.parquet`` and ``timeseries.parquet`` for ``tasks``, in their order.

        Every task gives exactly one row: its stored result, else its lost outcome, else a ``lost`` row saying it
        has no result. Run files of other experiments in the folder are left alone and counted.

        Args:
            tasks: the experiment's tasks in design order.
            lost: outcomes of runs lost in this sweep, by run id.
            row_group_rows: rows buffered before a row group of ``timeseries.parquet`` is written.
        """
        lost = lost or {}
        rows: list[dict[str, Any]] = []
        ids: set[str] = set()
        finished = self.finished()
        series_path = self.root / "timeseries.parquet"
        tmp_series = series_path.with_name(f".{series_path.name}.{os.getpid()}.tmp")
        writer: pq.ParquetWriter | None = None
        schema: pa.Schema | None = None
        buffer: list[pa.Table] = []
        buffered = 0
        series_rows = 0

        def flush() -> None:
            nonlocal buffer, buffered
            if buffer and writer is not None:
                writer.write_table(pa.concat_tables(buffer))
            buffer, buffered = [], 0

        try:
            for task in tasks:
                ids.add(task.run_id)
                if task.run_id in finished:
                    table = pq.read_table(self.path(task.run_id))
                    row = json.loads((table.schema.metadata or {})[META_KEY])
                    if table.num_rows:
                        keys = [
                            pa.array([task.run_id] * table.num_rows, pa.string()),
                            pa.array([task.point_index] * table.num_rows, pa.int64()),
                            pa.array([task.replication] * table.num_rows, pa.int64()),
                        ]
                        table = pa.Table.from_arrays(
                            keys + list(table.columns), names=[*SERIES_KEYS, *table.column_names]
                        ).replace_schema_metadata(None)
                        if schema is None:
                            schema = table.schema
                            writer = pq.ParquetWriter(tmp_series, schema)
                        buffer.append(table.select(schema.names).cast(schema))
                        buffered += table.num_rows
                        series_rows += table.num_rows
                        if buffered >= row_group_rows:
                            flush()
                elif task.run_id in lost:
                    row = dict(lost[task.run_id].row)
                else:
                    row = lost_outcome(task, "no result: run the sweep again", 0).row
                rows.append(row)
            flush()
            if writer is None:
                empty = pa.schema(
                    [
                        ("run_id", pa.string()),
                        ("point_index", pa.int64()),
                        ("replication", pa.int64()),
                        ("day", pa.int64()),
                    ]
                )
                writer = pq.ParquetWriter(tmp_series, empty)
            writer.close()
            writer = None
            os.replace(tmp_series, series_path)
        finally:
            if writer is not None:
                writer.close()
            tmp_series.unlink(missing_ok=True)
        runs = _runs_frame(rows)
        atomic_write(self.root / "runs.parquet", lambda f: runs.to_parquet(f, index=False))
        return Consolidated(runs, series_rows, len(finished - ids))


def _runs_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows to a frame with stable column order and types (missing values as NaN or None)."""
    columns: dict[str, None] = {}
    for r in rows:
        columns.update(dict.fromkeys(r))
    df = pd.DataFrame.from_records(rows, columns=list(columns))
    for col in ("point_index", "replication", "seed", "days", "attempts"):
        if col in df:
            df[col] = df[col].astype("int64")
    return df
