"""The scenario files the browser app may open: the shipped ones and those named on ``cogov viz``'s command line.

The browser chooses a scenario by its name in this catalog; it never sends a path, so the app cannot be made to
read any other file. ``cogov viz --scenario FILE`` passes extra files to the server process in the environment
variable :data:`ENV_SCENARIOS` (absolute paths separated by ``os.pathsep``), and ``--lang`` the language a new page
opens in in :data:`ENV_LANG` (:func:`page_lang`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cogov_sim
from cogov_sim.i18n import LANGS, Lang, lang_from_env
from cogov_sim.scenario import Scenario, load_scenario

ENV_SCENARIOS = "COGOV_VIZ_SCENARIOS"
"""Environment variable with the extra scenario files named on the command line."""

PREFERRED_DEFAULT = "baseline"
"""The shipped scenario opened first when the command line names none."""

ENV_LANG = "COGOV_VIZ_LANG"
"""Environment variable with the language a new page opens in (``cogov viz --lang``)."""


def page_lang(environ: dict[str, str] | None = None) -> Lang:
    """The language a new page opens in: :data:`ENV_LANG` if it names one, else the locale's (LC_ALL, LANG)."""
    env = os.environ if environ is None else environ
    value = env.get(ENV_LANG, "")
    return value if value in LANGS else lang_from_env(env)  # type: ignore[return-value]


def shipped_dir() -> Path | None:
    """The folder of the shipped scenario files, or None when it cannot be found.

    The files live in ``scenarios/`` at the top of the repository, next to the package folder; a copy inside the
    package folder (``cogov_sim/scenarios/``) is used if an installation ever ships them there.
    """
    pkg = Path(cogov_sim.__file__).resolve().parent
    for candidate in (pkg / "scenarios", pkg.parent / "scenarios"):
        if candidate.is_dir() and any(candidate.glob("*.yaml")):
            return candidate
    return None


@dataclass(frozen=True)
class Catalog:
    """Named scenario files, in the order the picker shows them.

    Attributes:
        entries: name -> absolute path. Shipped files are named by their stem; command-line files too, with a
            numeric suffix when a name is taken.
        default: the name opened first: the first command-line file, else ``baseline``, else the first shipped.
        extra: names of the files that came from the command line.
    """

    entries: dict[str, Path]
    default: str
    extra: tuple[str, ...] = ()

    @classmethod
    def build(cls, extra: Sequence[str | Path] = (), folder: Path | None = None) -> Catalog:
        """The shipped files (from ``folder``, default :func:`shipped_dir`) and the ``extra`` files.

        Raises:
            ValueError: when there is no scenario at all.
        """
        entries: dict[str, Path] = {}
        folder = shipped_dir() if folder is None else folder
        if folder is not None:
            for path in sorted(folder.glob("*.yaml")):
                entries[path.stem] = path.resolve()
        extra_names = []
        for item in extra:
            path = Path(item).resolve()
            if path in entries.values():
                extra_names.append(next(k for k, v in entries.items() if v == path))
                continue
            name, k = path.stem, 2
            while name in entries:
                name, k = f"{path.stem} ({k})", k + 1
            entries[name] = path
            extra_names.append(name)
        if not entries:
            raise ValueError("no scenario files: none shipped (scenarios/*.yaml) and none named on the command line")
        if extra_names:
            default = extra_names[0]
        elif PREFERRED_DEFAULT in entries:
            default = PREFERRED_DEFAULT
        else:
            default = next(iter(entries))
        return cls(entries, default, tuple(extra_names))

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Catalog:
        """The catalog of the running server: shipped files plus those in :data:`ENV_SCENARIOS`."""
        env = os.environ if environ is None else environ
        raw = env.get(ENV_SCENARIOS, "")
        return cls.build([p for p in raw.split(os.pathsep) if p])

    @property
    def names(self) -> list[str]:
        """Names in picker order."""
        return list(self.entries)

    def path(self, name: str) -> Path:
        """The file of a scenario name; KeyError for a name not in the catalog."""
        if name not in self.entries:
            raise KeyError(f"unknown scenario {name!r}; the app opens only: {', '.join(self.entries)}")
        return self.entries[name]

    def load(self, name: str, overrides: dict[str, Any] | None = None) -> Scenario:
        """Load and validate a catalogued scenario with ``path.to.key`` overrides (ScenarioError on bad input)."""
        return load_scenario(self.path(name), overrides or None)
