"""Two languages, English and Chinese, for everything a person reads: plots, reports and the browser app.

The catalogue holds every word once, as ``(English, 中文)``: the model's words in :mod:`~cogov_sim.i18n.words`
(actor types, center levels, function zones, segments, slots, indicators, parameters, interventions) and the fixed
text of each output in :mod:`~cogov_sim.i18n.texts` (runs, sweeps), :mod:`~cogov_sim.i18n.whatif_texts` and
:mod:`~cogov_sim.i18n.app_texts`. Outputs ask for them by name:

- :func:`label` ``(name, lang, kind)``: a word's display name; with ``both=True`` Chinese keeps the English beside
  it (``党组织 Party``), for legends where a reader may want either;
- :func:`text` ``(key, lang, **fields)``: a fixed text, its ``{fields}`` filled in;
- :func:`meaning`: an indicator's meaning (English from :data:`cogov_sim.vocabulary.INDICATORS`);
- :func:`lang_from_env` and :func:`check_lang`: the language of the environment's locale (``LC_ALL``,
  ``LC_MESSAGES``, ``LANG`` starting with ``zh``: Chinese) and the check of a ``--lang`` value.

Machine-read outputs (CSV and Parquet columns, ``summary.json``, file names) keep the model's names in both
languages; only what is shown to a person is translated.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal, get_args

from cogov_sim.i18n.app_texts import APP
from cogov_sim.i18n.discover_texts import DISCOVER
from cogov_sim.i18n.texts import PLOTS, REPORTS
from cogov_sim.i18n.whatif_texts import WHATIF
from cogov_sim.i18n.words import (
    ACTORS,
    DAYS,
    FIELDS,
    FUNCTIONS,
    INDICATORS,
    INTERVENTIONS,
    LEVELS,
    MEANINGS_ZH,
    PARAMETERS,
    SEGMENTS,
    SLOTS,
    Kind,
)
from cogov_sim.vocabulary import INDICATORS as MEANINGS_EN

Lang = Literal["en", "zh"]
LANGS: tuple[str, ...] = get_args(Lang)
"""The languages offered, English first (the default)."""

LANG_NAMES: dict[str, str] = {"en": "English", "zh": "中文"}
"""Each language by its own name (the app's language picker)."""

LOCALE_VARIABLES: tuple[str, ...] = ("LC_ALL", "LC_MESSAGES", "LANG")
"""Environment variables read for the default language, the first one set deciding (POSIX order)."""

TEXTS: dict[str, tuple[str, str]] = {**PLOTS, **REPORTS, **WHATIF, **APP, **DISCOVER}
"""Every fixed text by key."""

_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "actor": ACTORS,
    "level": LEVELS,
    "function": FUNCTIONS,
    "segment": SEGMENTS,
    "slot": SLOTS,
    "day": DAYS,
    "indicator": INDICATORS,
}


def check_lang(value: str) -> Lang:
    """``value`` as a language, or ValueError whose message lists the languages offered."""
    if value in LANGS:
        return value  # type: ignore[return-value]
    raise ValueError(f"unknown language {value!r}: use {' or '.join(sorted(LANGS, reverse=True))}")


def lang_from_env(environ: Mapping[str, str] | None = None) -> Lang:
    """The language of the locale: ``zh`` when the first set of LC_ALL, LC_MESSAGES, LANG starts with ``zh``."""
    env = os.environ if environ is None else environ
    for name in LOCALE_VARIABLES:
        value = env.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def _pick(pair: tuple[str, str], lang: str, both: bool) -> str:
    en, zh = pair
    if lang != "zh":
        return en
    return f"{zh} {en}" if both and zh != en else zh


def label(name: str, lang: str = "en", kind: Kind = "indicator", both: bool = False) -> str:
    """The display name of one of the model's words.

    Args:
        name: the model's name (``party``, ``residential``, ``deliberation``, ``trust_mean``,
            ``behaviour.decay_per_km``, ``add_centers``, an intervention's field ``area_m2`` …).
        lang: ``en`` or ``zh``.
        kind: what the name is (``rider`` is a level and a segment); see :data:`~cogov_sim.i18n.words.Kind`.
        both: in Chinese, keep the English beside it (``党组织 Party``).

    A name the catalogue does not know is shown as it is (``tests/test_i18n.py`` keeps the catalogue complete).
    """
    if kind == "parameter":
        en = name.split(".", 1)[-1].replace("_", " ")
        return _pick((en, PARAMETERS.get(name, en)), lang, both)
    if kind == "intervention":
        return _pick((name, INTERVENTIONS.get(name, name)), lang, both)
    if kind == "field":
        en = name.replace("_", " ")
        return _pick((en, FIELDS.get(name, en)), lang, both)
    pair = _WORDS[kind].get(name)
    return name if pair is None else _pick(pair, lang, both)


def meaning(indicator: str, lang: str = "en") -> str:
    """What an indicator measures, in ``lang`` (empty for a name that is not an indicator)."""
    if lang == "zh" and indicator in MEANINGS_ZH:
        return MEANINGS_ZH[indicator]
    return MEANINGS_EN.get(indicator, "")


def text(key: str, lang: str = "en", **fields: object) -> str:
    """The fixed text ``key`` in ``lang`` with its ``{fields}`` filled in (KeyError for an unknown key)."""
    en, zh = TEXTS[key]
    template = zh if lang == "zh" else en
    return template.format(**fields) if fields else template


__all__ = [
    "LANGS",
    "LANG_NAMES",
    "LOCALE_VARIABLES",
    "TEXTS",
    "Kind",
    "Lang",
    "check_lang",
    "label",
    "lang_from_env",
    "meaning",
    "text",
]
