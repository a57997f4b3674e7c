"""The one error of bad input, how input text appears in its message, what a name may be, and the exit codes.

:class:`ScenarioError` names the file, the field path and what is allowed; the command line prints it on one line
and exits with code 2 (:data:`EXIT_BAD_INPUT`). Scenario, experiment and what-if files, ``--set`` overrides and
interventions all raise it. A message never renders the input whole: values are shown with :func:`show` (a
bounded ``repr``), user text with :func:`shorten`, and the message itself is kept on one line (control characters
and line separators escaped). :func:`name_problem` says what is wrong with a name that becomes a folder name (a
scenario's or an experiment's ``name``).
"""

from __future__ import annotations

import difflib
import reprlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2
"""Exit codes of every command: success; an unexpected failure (or runs lost, to run again); bad input."""

SHOWN_CHARS = 80
"""Longest piece of input (a value, a key, a file name) shown in a message, in characters."""

MAX_MESSAGE_CHARS = 2_000
"""Longest message of a :class:`ScenarioError` (a safety net: its parts are bounded already)."""

MAX_NAME_CHARS = 100
"""Longest name that becomes a folder name, in characters."""

MAX_NAME_BYTES = 200
"""Longest name that becomes a folder name, in UTF-8 bytes (file systems allow 255 per path component)."""

NAME_PUNCTUATION = frozenset(" _-.")
"""The characters besides Unicode letters, marks and digits a name may contain."""

_REPR = reprlib.Repr(maxlevel=2, maxtuple=4, maxlist=4, maxarray=4, maxdict=3, maxset=4, maxstring=SHOWN_CHARS)
_REPR.maxother = SHOWN_CHARS
_REPR.maxlong = 40


def shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` cut to ``limit`` characters, its middle replaced by ``...`` when longer (head and tail kept)."""
    if len(text) <= limit:
        return text
    head = (limit - 3) * 2 // 3
    return f"{text[:head]}...{text[len(text) - (limit - 3 - head) :]}"


def show(value: Any, limit: int = SHOWN_CHARS) -> str:
    """A bounded ``repr`` of an input value: nested containers and long strings elided, at most ``limit`` chars.

    Its cost does not grow with the size of ``value`` (a list of a billion items is shown as ``[1, 2, 3, 4, ...]``).
    """
    if isinstance(value, dict):
        return "a mapping" if not value else f"a mapping of {len(value)} keys"
    try:
        text = _REPR.repr(value)
    except Exception:  # a value whose repr fails: name its type
        text = f"<{type(value).__name__}>"
    return shorten(text, limit)


def one_line(text: str) -> str:
    """``text`` with control characters, surrogates and line separators escaped, so it prints as one line."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Zl", "Zp") or (cat == "Cf" and ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067"):
            out.append(ch.encode("unicode_escape", "backslashreplace").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


@dataclass
class ScenarioError(Exception):
    """Bad input: names the file, the field path and what is allowed; its text is one line."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{shorten(self.file, 2 * SHOWN_CHARS)}: " if self.file else ""
        field = f"{shorten(self.path, 2 * SHOWN_CHARS)}: " if self.path else ""
        return one_line(f"{where}{field}{shorten(self.message, MAX_MESSAGE_CHARS)}")


def unknown_message(key: str, allowed: Sequence[str], what: str = "key") -> str:
    """``unknown <what> '<key>'.`` with the nearest allowed name, if one is close, and the list of allowed names."""
    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.5) if len(key) <= 2 * SHOWN_CHARS else []
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"unknown {what} '{shorten(key)}'.{hint} Allowed: {', '.join(allowed)}"


def name_problem(name: str) -> str | None:
    """What is wrong with ``name`` as a folder name, or ``None`` when it is a safe one.

    A safe name has 1-100 characters and at most 200 UTF-8 bytes; it is made of Unicode letters, marks and digits
    (Chinese names are welcome), spaces, ``_``, ``-`` and ``.``; it starts with a letter or digit, does not end
    with a space or ``.`` and does not contain ``..``. So it holds no path separator, no NUL, and cannot climb out
    of ``results/``.
    """
    if not name:
        return "a name must not be empty"
    if len(name) > MAX_NAME_CHARS or len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        return f"a name has at most {MAX_NAME_CHARS} characters and {MAX_NAME_BYTES} bytes (a folder name)"
    bad = next((ch for ch in name if not _name_char(ch)), None)
    if bad is not None:
        return f"{bad!r} is not allowed in a name (a folder name): use letters, digits, spaces, '_', '-' and '.'"
    if not name[0].isalnum():
        return "a name starts with a letter or a digit"
    if ".." in name or name[-1] in ". ":
        return "a name must not contain '..' or end with '.' or a space"
    return None


def _name_char(ch: str) -> bool:
    return ch in NAME_PUNCTUATION or unicodedata.category(ch)[0] in "LMN"
