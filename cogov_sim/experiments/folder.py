"""The output folder of a sweep or what-if: one writer at a time (a lock), checked before any run, atomic writes.

:func:`lock_folder` creates the folder and takes ``flock`` on its lock file ``.cogov.lock``, writing who holds it
(command, pid, host, since when); a second sweep or what-if on the folder is told who holds it, or waits. Writing
the lock file is also the check that the folder can be written, before any simulation starts.

:func:`atomic_write` writes to a temporary name unique to its writer (``.<name>.<pid>.<random>.tmp``), flushes it
to disk and renames it into place, so a file is whole or absent; it removes its own temporary file on failure, and
:func:`remove_stale_temps` removes only those whose writer process is gone. A failed write (a full disk) raises
:class:`OutputWriteError`, which the commands report in one line.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pandas as pd
import yaml

from cogov_sim.scenario import one_line, shorten

LOCK_NAME = ".cogov.lock"
"""The lock file of an output folder."""

_TMP_PID = re.compile(r"\.(\d+)(?:\.[0-9a-f]+)?\.tmp$")


class OutputFolderError(Exception):
    """The output folder cannot be created or written (checked before any run starts)."""


class FolderBusyError(OutputFolderError):
    """Another sweep or what-if holds the output folder's lock.

    Attributes:
        holder: who holds it (command, pid, host, since when), as one phrase.
    """

    def __init__(self, root: Path, holder: str) -> None:
        super().__init__(f"{shown(root)} is in use by {holder}; wait for it to finish, or add --wait")
        self.holder = holder


class OutputWriteError(Exception):
    """A result file could not be written (a full disk, a lost mount); the files finished so far are kept."""

    def __init__(self, path: Path, exc: OSError) -> None:
        super().__init__(f"cannot write {shown(path)}: {os.strerror(exc.errno) if exc.errno else exc}")
        self.path = path
        self.errno = exc.errno


def shown(path: str | Path) -> str:
    """A path as a message shows it: on one line, at most 160 characters (its middle cut)."""
    return one_line(shorten(str(path), 160))


def _pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def temp_name(path: Path) -> Path:
    """A temporary name next to ``path`` that no other writer uses: ``.<name>.<pid>.<random>.tmp``."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete the temporary files in ``folder`` whose writer process is gone; leave every other file alone."""
    removed = []
    for tmp in folder.glob(".*.tmp"):
        match = _TMP_PID.search(tmp.name)
        if match and int(match.group(1)) != os.getpid() and not _pid_alive(int(match.group(1))):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def atomic_write(path: Path, write: Callable[[IO[bytes]], Any]) -> Path:
    """Write a file through ``write(file)`` to a temporary name, flush it to disk, then rename it into place.

    Raises:
        OutputWriteError: the file could not be written (the temporary file is removed, the old file kept).
    """
    path = Path(path)
    tmp = temp_name(path)
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputWriteError(path, exc) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write a result table as CSV (no index, numbers to 8 significant digits), atomically."""
    return atomic_write(path, lambda f: f.write(frame.to_csv(index=False, float_format="%.8g").encode()))


def write_yaml(path: Path, data: Any) -> Path:
    """Write plain data as YAML in its own key order (a resolved experiment file), atomically."""
    return atomic_write(path, lambda f: f.write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()))


def _holder_text(fd: int) -> str:
    """Who holds a lock, from its lock file (``another process`` when it has not written itself yet).

    The file keeps the last holder's record after it ends (the lock itself ends with its process). A record of a
    process on this machine that is gone is stale: the holder is a new process that has not written itself yet.
    """
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        if info["host"] == socket.gethostname() and not _pid_alive(int(info["pid"])):
            return "another process (just starting)"
        return f"{info['command']} (pid {info['pid']} on {info['host']}, since {info['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


@contextlib.contextmanager
def lock_folder(
    root: str | Path, command: str, *, wait: bool = False, say: Callable[[str], None] = print
) -> Iterator[Path]:
    """Hold the output folder for one writer: create it, take ``flock`` on its lock file, write who holds it.

    Writing the lock file (and syncing it) is also the check that the folder can be written, done before any run
    starts. The lock ends with the process (a killed sweep frees it at once); the file stays.

    Args:
        root: the output folder (created with its parents).
        command: what holds it, for the message another writer gets.
        wait: wait for the holder to finish instead of raising :class:`FolderBusyError`.
        say: where the line saying whom we wait for goes.

    Raises:
        OutputFolderError: the folder cannot be created or written.
        FolderBusyError: another process holds the folder (and ``wait`` is false).
    """
    root = Path(root)
    try:
        if root.exists() and not root.is_dir():
            raise OutputFolderError(f"cannot use {shown(root)} as the output folder: it is not a folder")
        root.mkdir(parents=True, exist_ok=True)
        fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise OutputFolderError(f"cannot create or write the output folder {shown(root)}: {reason}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder_text(fd)
            if not wait:
                raise FolderBusyError(root, holder) from None
            say(f"waiting for {shown(root)}: in use by {holder}")
            fcntl.flock(fd, fcntl.LOCK_EX)
        info = {
            "command": command,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        }
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode(), 0)
            os.fsync(fd)
        except OSError as exc:
            raise OutputFolderError(f"cannot write in the output folder {shown(root)}: {exc.strerror or exc}") from None
        yield root
    finally:
        os.close(fd)
