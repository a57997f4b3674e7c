"""The one error of bad input, the message for a name that is not allowed, and the commands' exit codes.

:class:`ScenarioError` names the file, the field path and what is allowed; the command line prints it on one line
and exits with code 2 (:data:`EXIT_BAD_INPUT`). Scenario, experiment and what-if files, ``--set`` overrides and
interventions all raise it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2
"""Exit codes of every command: success; an unexpected failure (or runs lost, to run again); bad input."""


@dataclass
class ScenarioError(Exception):
    """Bad input: names the file, the field path and what is allowed."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        field = f"{self.path}: " if self.path else ""
        return f"{where}{field}{self.message}"


def unknown_message(key: str, allowed: Sequence[str], what: str = "key") -> str:
    """``unknown <what> '<key>'.`` with the nearest allowed name, if one is close, and the list of allowed names."""
    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.5)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"unknown {what} '{key}'.{hint} Allowed: {', '.join(allowed)}"
