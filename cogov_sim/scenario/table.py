"""The parameter table: what sliders, ``--set`` and sweep bounds may address, the Markdown table and the JSON Schema.

All of it is read from the schema's own fields (defaults, ``ge``/``le`` bounds, plausible ranges declared with
:func:`cogov_sim.scenario.base.plausible`, descriptions), so the app, the sweeps, the validator and
``docs/MODEL.md`` agree. The allowed bounds are what the model accepts; the plausible range, within them, is what a
sensitivity analysis should cover.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from cogov_sim.scenario.base import plausible_range
from cogov_sim.scenario.behaviour import Behaviour
from cogov_sim.scenario.schema import CenterLevel, Organizations, Population, Scenario


@dataclass(frozen=True)
class Tunable:
    """A numeric scenario parameter that sliders, ``--set`` and sweep bounds can address.

    ``lower``/``upper`` are the allowed bounds; ``plausible`` the range a sensitivity analysis should cover (None
    where the schema declares none).
    """

    path: str
    kind: type
    default: float
    lower: float
    upper: float
    description: str
    plausible: tuple[float, float] | None = None


def tunable_fields() -> list[Tunable]:
    """Numeric parameters of the organizations and behaviour sections with their bounds and defaults.

    Bounds come from the schema's own ``ge``/``le`` constraints, so the app, the sweeps and the validator agree.
    """
    out: list[Tunable] = []
    for section, model in (("organizations", Organizations), ("behaviour", Behaviour)):
        for name, field in model.model_fields.items():
            if field.annotation not in (int, float):
                continue
            lo, hi = 0.0, None
            for meta in field.metadata:
                lo = getattr(meta, "ge", None) if getattr(meta, "ge", None) is not None else lo
                if getattr(meta, "le", None) is not None:
                    hi = meta.le
            default = float(field.default)
            if hi is None:
                hi = max(1.0, default * 4)
            out.append(
                Tunable(
                    f"{section}.{name}",
                    field.annotation,
                    default,
                    lo,
                    hi,
                    field.description or "",
                    plausible_range(field),
                )
            )
    return out


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file, for editors."""
    return Scenario.model_json_schema()


def parameter_table() -> str:
    """A Markdown table of every scalar scenario parameter: path, default, allowed, plausible, description/source.

    ``docs/MODEL.md`` embeds this table between markers; ``cogov schema --markdown`` prints it.
    """

    def bounds(field: Any) -> str:
        lo = hi = None
        for meta in field.metadata:
            for name in ("ge", "gt"):
                if getattr(meta, name, None) is not None:
                    lo = f"{'≥' if name == 'ge' else '>'} {getattr(meta, name):g}"
            for name in ("le", "lt"):
                if getattr(meta, name, None) is not None:
                    hi = f"{'≤' if name == 'le' else '<'} {getattr(meta, name):g}"
        return ", ".join(x for x in (lo, hi) if x) or "any"

    def walk(model: type[BaseModel], prefix: str):
        for name, field in model.model_fields.items():
            ann = field.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                yield from walk(ann, f"{prefix}{name}.")
                continue
            if name in ("centers", "sites", "name", "description", "segments"):
                continue
            default = field.default_factory() if field.default_factory else field.default
            shown = json.dumps(default, ensure_ascii=False) if not isinstance(default, float) else f"{default:g}"
            desc = (field.description or "").replace("|", "/")
            yield f"| `{prefix}{name}` | {shown} | {bounds(field)} | {span(field)} | {desc} |"

    def span(field: Any) -> str:
        rng = plausible_range(field)
        return "" if rng is None else f"{rng[0]:g} to {rng[1]:g}"

    rows = ["| parameter | default | allowed | plausible | meaning, unit, source |", "|---|---|---|---|---|"]
    rows += list(walk(Scenario, ""))
    rows += list(walk(CenterLevel, "centers.<level>."))
    field = Population.model_fields["segments"]
    assert field.default_factory is not None
    shares = ", ".join(f"{name} {share:g}" for name, share in field.default_factory().items())
    rows.append(
        f"| `population.segments.<segment>` | {shares} | shares in [0, 1] summing to 1 | | Share of residents per"
        " segment. Shanghai age structure (Evidence §1.2); rider share assumption. |"
    )
    return "\n".join(rows) + "\n"
