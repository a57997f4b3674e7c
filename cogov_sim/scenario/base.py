"""The base of every model read from an input file, and the share type the schemas use."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Share = Annotated[float, Field(ge=0.0, le=1.0)]
"""A share or probability, 0-1."""


class Frozen(BaseModel):
    """Base of every model read from an input file (scenario, experiment, what-if): frozen, unknown keys refused.

    Defaults are validated too, a field with an alias (``set``) may also be given by its Python name, and every
    number is finite (NaN and infinity are refused at their field path, in lists and mappings too).
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, populate_by_name=True, allow_inf_nan=False
    )
