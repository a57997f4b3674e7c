"""The results store: one checksummed file per finished run, written atomically; resume; healing; consolidation.

Layout of a sweep's output folder::

    .cogov.lock             held (``flock``) by the sweep or what-if writing the folder: its pid, host, command
    runs/<run_id>.parquet   one per finished run (status ok or failed): its kept daily series as rows, its
                            runs.parquet row as JSON in the file's key-value metadata (key ``cogov_run``) and the
                            sha256 of both (key ``cogov_sha256``)
    quarantine/             damaged run files moved aside (kept for inspection; their runs are computed again)
    runs.parquet            one row per run of the experiment, in design order (point, replication)
    timeseries.parquet      the kept daily series, wide: run_id, point_index, replication, day, indicators

A file is written to a temporary name unique to its writer (``.<name>.<pid>.<random>.tmp``) in the same folder,
flushed to disk and renamed over its final name (``os.replace``), so a reader (or a resumed sweep) sees either the
whole file or none of it. A writer removes its own temporary files; a store that opens removes only those whose
writer process is gone. The run id is a content hash of the resolved scenario, the design point and the seed
(:func:`~cogov_sim.experiments.runner.run_key`), so a finished run is recognised whatever the order of the tasks.
Lost runs are not stored: the next sweep runs them again.

A run file that cannot be read, has no run record or checksum, or whose content does not match its checksum is
damaged: :meth:`ResultStore.check` and :meth:`ResultStore.consolidate` name it in one warning line, move it into
``quarantine/`` and treat its run as not done, so it is computed again and never read into a table.

Consolidation streams: it reads one run file at a time and writes ``timeseries.parquet`` in row groups, so memory
does not grow with the number of runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cogov_sim.experiments.folder import (
    OutputFolderError,
    OutputWriteError,
    atomic_write,
    remove_stale_temps,
    shown,
    temp_name,
    write_csv,
    write_yaml,
)
from cogov_sim.experiments.runner import RunOutcome, RunTask, lost_outcome

__all__ = [
    "Consolidated",
    "DamagedRunFileError",
    "ResultStore",
    "atomic_write",
    "content_digest",
    "write_csv",
    "write_yaml",
]

META_KEY = b"cogov_run"
"""Key of the run's row (JSON) in a run file's Parquet metadata."""

CHECKSUM_KEY = b"cogov_sha256"
"""Key of the sha256 of the run's row and series (:func:`content_digest`) in a run file's Parquet metadata."""

STREETS_KEY = b"cogov_streets"
"""Key of a city run's final per-street rows (JSON list) in its run file's metadata (covered by the checksum)."""

SERIES_KEYS: tuple[str, ...] = ("run_id", "point_index", "replication")
"""Columns that ``timeseries.parquet`` adds in front of each run's series."""

QUARANTINE = "quarantine"
"""Folder (in the output folder) where damaged run files are kept."""


class DamagedRunFileError(Exception):
    """A run file that cannot be read or fails its checksum."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{shown(path)}: {reason}")
        self.path = path
        self.reason = reason


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "item"):
        return obj.item()
    return str(obj)


def content_digest(table: pa.Table, meta: bytes) -> str:
    """sha256 of a run file's content: its run record (JSON bytes) and every column's name, type and values."""
    digest = hashlib.sha256(meta)
    digest.update(f"\0rows={table.num_rows}".encode())
    for name, column in zip(table.column_names, table.columns, strict=True):
        values = column.combine_chunks()
        digest.update(f"\0{name}\0{values.type}\0".encode())
        if pa.types.is_integer(values.type) or pa.types.is_floating(values.type):
            digest.update(np.ascontiguousarray(values.to_numpy(zero_copy_only=False)).tobytes())
        else:  # text and other columns: by value, never by object address
            digest.update(json.dumps(values.to_pylist(), default=str).encode())
    return digest.hexdigest()


@dataclass
class Consolidated:
    """What :meth:`ResultStore.consolidate` wrote.

    Attributes:
        runs: the ``runs.parquet`` table.
        series_rows: rows of ``timeseries.parquet``.
        foreign_files: run files in the folder that belong to no task.
        damaged: run ids whose file was found damaged here (moved aside; recorded as ``lost``, run again next time).
    """

    runs: pd.DataFrame
    series_rows: int
    foreign_files: int
    damaged: list[str] = field(default_factory=list)


def _stderr_line(text: str) -> None:
    print(text, file=sys.stderr)


class ResultStore:
    """Per-run result files under ``<root>/runs/`` and the consolidated tables in ``<root>``.

    Opening a store removes the temporary files of writers that are gone (never another live writer's).

    Args:
        root: the sweep's output folder (created if needed).
        warn: where the one-line warning about a damaged run file goes (default: stderr).
    """

    def __init__(self, root: str | Path, warn: Callable[[str], None] | None = None) -> None:
        self.root = Path(root)
        self.runs_dir = self.root / "runs"
        self.quarantine_dir = self.root / QUARANTINE
        self.warn = warn or _stderr_line
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(self.runs_dir)
        remove_stale_temps(self.root)

    def check_writable(self) -> None:
        """Write and delete a probe file in ``runs/``.

        Raises:
            OutputFolderError: the folder cannot be written.
        """
        probe = temp_name(self.runs_dir / "probe")
        try:
            with open(probe, "wb") as f:
                f.write(b"\0" * 4096)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise OutputFolderError(f"cannot write in {shown(self.runs_dir)}: {exc.strerror or exc}") from None
        finally:
            probe.unlink(missing_ok=True)

    def path(self, run_id: str) -> Path:
        """The file of a run."""
        return self.runs_dir / f"{run_id}.parquet"

    def finished(self) -> set[str]:
        """Ids of the runs that have a file (status ok or failed; not checked: see :meth:`check`)."""
        return {p.name[: -len(".parquet")] for p in self.runs_dir.glob("*.parquet") if not p.name.startswith(".")}

    def write(self, outcome: RunOutcome) -> Path:
        """Store a finished run atomically, with the checksum of its content.

        Raises:
            ValueError: for a lost run (it has no result; the next sweep runs it again).
            OutputWriteError: the file could not be written (nothing is left under its name).
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
        meta = json.dumps(outcome.row, default=_json_default, allow_nan=True).encode()
        extra = {}
        if outcome.streets:
            extra[STREETS_KEY] = json.dumps(outcome.streets, default=_json_default, allow_nan=True).encode()
        digest = content_digest(table, meta + b"".join(b"\0" + v for v in extra.values())).encode()
        table = table.replace_schema_metadata({META_KEY: meta, CHECKSUM_KEY: digest, **extra})
        return atomic_write(self.path(outcome.run_id), lambda f: pq.write_table(table, f))

    def load(self, run_id: str) -> tuple[pa.Table, dict[str, Any], list[dict[str, Any]]]:
        """A run's kept series (without metadata), its ``runs.parquet`` row and its per-street rows, checked.

        The per-street rows are a city's (empty otherwise); everything is checked against the checksum.

        Raises:
            DamagedRunFileError: the file cannot be read, has no run record or checksum, does not match its
                checksum, or records another run.
        """
        path = self.path(run_id)
        try:
            table = pq.read_table(path)
        except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
            raise DamagedRunFileError(path, f"unreadable: {type(exc).__name__}") from None
        meta = table.schema.metadata or {}
        if META_KEY not in meta:
            raise DamagedRunFileError(path, "no run record")
        if CHECKSUM_KEY not in meta:
            raise DamagedRunFileError(path, "no checksum")
        table = table.replace_schema_metadata(None)
        streets_bytes = meta.get(STREETS_KEY)
        record = meta[META_KEY] + (b"\0" + streets_bytes if streets_bytes is not None else b"")
        if content_digest(table, record).encode() != meta[CHECKSUM_KEY]:
            raise DamagedRunFileError(path, "checksum mismatch")
        try:
            row = json.loads(meta[META_KEY])
            streets = json.loads(streets_bytes) if streets_bytes is not None else []
        except ValueError:
            raise DamagedRunFileError(path, "unreadable run record") from None
        if not isinstance(row, dict) or row.get("run_id") != run_id:
            raise DamagedRunFileError(path, "records another run")
        return table, row, streets

    def read_row(self, run_id: str) -> dict[str, Any]:
        """The ``runs.parquet`` row stored with a finished run (checked: see :meth:`load`)."""
        return self.load(run_id)[1]

    def quarantine(self, damaged: DamagedRunFileError) -> Path:
        """Move a damaged run file into ``quarantine/`` (kept for inspection), warn in one line; the new path.

        Raises:
            OutputWriteError: the file cannot be moved.
        """
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        dest = self.quarantine_dir / f"{damaged.path.stem}.{stamp}.{secrets.token_hex(2)}.parquet"
        try:
            self.quarantine_dir.mkdir(exist_ok=True)
            os.replace(damaged.path, dest)
        except OSError as exc:
            raise OutputWriteError(dest, exc) from exc
        self.warn(
            f"warning: damaged run file {shown(damaged.path)} ({damaged.reason}): moved to {shown(dest)};"
            " the run is computed again"
        )
        return dest

    def check(self, run_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Rows of the given runs whose files are sound; damaged files are moved aside (their runs are to do)."""
        finished = self.finished()
        rows: dict[str, dict[str, Any]] = {}
        for run_id in run_ids:
            if run_id in finished and run_id not in rows:
                try:
                    rows[run_id] = self.read_row(run_id)
                except DamagedRunFileError as damaged:
                    self.quarantine(damaged)
        return rows

    def consolidate(
        self,
        tasks: Iterable[RunTask],
        lost: Mapping[str, RunOutcome] | None = None,
        *,
        row_group_rows: int = 65_536,
    ) -> Consolidated:
        """Write ``runs.parquet`` and ``timeseries.parquet`` (and a city's ``streets.parquet``) for ``tasks``.

        Every task gives exactly one row: its stored result, else its lost outcome, else a ``lost`` row saying it
        has no result. A run file found damaged is moved aside and its run recorded as ``lost`` (never read into
        the tables). Run files of other experiments in the folder are left alone and counted.

        Args:
            tasks: the experiment's tasks in design order.
            lost: outcomes of runs lost in this sweep, by run id.
            row_group_rows: rows buffered before a row group of ``timeseries.parquet`` is written.

        Raises:
            OutputWriteError: a table could not be written (the run files are kept).
        """
        lost = lost or {}
        rows: list[dict[str, Any]] = []
        street_rows: list[dict[str, Any]] = []
        ids: set[str] = set()
        damaged: list[str] = []
        finished = self.finished()
        series_path = self.root / "timeseries.parquet"
        tmp_series = temp_name(series_path)
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
                loaded = None
                if task.run_id in finished:
                    try:
                        loaded = self.load(task.run_id)
                    except DamagedRunFileError as bad:
                        self.quarantine(bad)
                        damaged.append(task.run_id)
                if loaded is not None:
                    table, row, streets = loaded
                    street_rows += [{"run_id": task.run_id, "point_index": task.point_index,
                                     "replication": task.replication, **s} for s in streets]  # fmt: skip
                    if table.num_rows:
                        keys = [
                            pa.array([task.run_id] * table.num_rows, pa.string()),
                            pa.array([task.point_index] * table.num_rows, pa.int64()),
                            pa.array([task.replication] * table.num_rows, pa.int64()),
                        ]
                        table = pa.Table.from_arrays(
                            keys + list(table.columns), names=[*SERIES_KEYS, *table.column_names]
                        )
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
                elif task.run_id in damaged:
                    row = lost_outcome(task, "damaged run file (moved to quarantine/): run the command again", 0).row
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
        except OSError as exc:
            raise OutputWriteError(series_path, exc) from exc
        finally:
            if writer is not None:
                with contextlib.suppress(OSError):
                    writer.close()
            tmp_series.unlink(missing_ok=True)
        runs = _runs_frame(rows)
        atomic_write(self.root / "runs.parquet", lambda f: runs.to_parquet(f, index=False))
        if street_rows:  # one row per run and street: "which streets gain" is a groupby with runs.parquet
            streets_frame = pd.DataFrame.from_records(street_rows)
            atomic_write(self.root / "streets.parquet", lambda f: streets_frame.to_parquet(f, index=False))
        return Consolidated(runs, series_rows, len(finished - ids), damaged)


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
