"""The base of every model read from an input file, the share and localized-text types, and plausible ranges."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from cogov_sim.i18n import LANGS, Lang

Share = Annotated[float, Field(ge=0.0, le=1.0)]
"""A share or probability, 0-1."""


def plausible(lower: float, upper: float) -> dict[str, Any]:
    """The ``json_schema_extra`` of a field with a plausible range: what a sensitivity analysis should cover.

    The validity bounds (``ge``/``le``) say what the model accepts; the plausible range, within them, says which
    values the evidence or the assumption behind the default allows. The parameter table shows both, and the JSON
    Schema carries it as ``plausible``.
    """
    if not lower <= upper:
        raise ValueError(f"plausible range needs lower <= upper, got {lower} and {upper}")
    return {"plausible": [lower, upper]}


def plausible_range(field: Any) -> tuple[float, float] | None:
    """The plausible range of a pydantic field (declared with :func:`plausible`), or None."""
    extra = field.json_schema_extra
    if isinstance(extra, dict) and "plausible" in extra:
        lo, hi = extra["plausible"]  # type: ignore[misc]
        return float(lo), float(hi)
    return None


class Frozen(BaseModel):
    """Base of every model read from an input file (scenario, experiment, what-if): frozen, unknown keys refused.

    Defaults are validated too, a field with an alias (``set``) may also be given by its Python name, and every
    number is finite (NaN and infinity are refused at their field path, in lists and mappings too).
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, populate_by_name=True, allow_inf_nan=False
    )


Localized = str | dict[Lang, str]
"""A text a person reads, as written in a file: one text, or one per language (``{en: ..., zh: ...}``)."""


def in_lang(value: Localized, lang: str) -> str:
    """``value`` in ``lang``: a plain text as it is; of a text per language the one asked for, else the other."""
    if isinstance(value, str):
        return value
    return value.get(lang) or value.get("en") or value.get("zh") or ""  # type: ignore[call-overload]


def check_localized(value: Any) -> Any:
    """A :data:`Localized` text as written, or ValueError saying what is expected."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        what = f"got {type(value).__name__}"
    elif bad := [k for k in value if k not in LANGS]:
        what = f"unknown language {bad[0]!r}"
    elif not all(isinstance(v, str) for v in value.values()):
        what = "each language's text must be text"
    else:
        return value
    raise ValueError(f"give one text or one per language ({{en: ..., zh: ...}}): {what}")
