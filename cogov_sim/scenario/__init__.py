"""Scenarios: the schema of a place, the input layer that reads and checks files, and the parameter table.

- :mod:`~cogov_sim.scenario.errors`: :class:`ScenarioError`, the one error of bad input (file, field path, what is
  allowed, on one line), :func:`unknown_message`, bounded display of input (:func:`show`, :func:`shorten`) and
  :func:`name_problem` (what a folder name may be).
- :mod:`~cogov_sim.scenario.base`: the :class:`Frozen` base of every input model and the :data:`Share` type.
- :mod:`~cogov_sim.scenario.schema`: the typed, frozen, validated models (:class:`Scenario` and its sections);
  :mod:`~cogov_sim.scenario.behaviour` holds its behaviour section.
- :mod:`~cogov_sim.scenario.inputs`: reading YAML within limits (size, aliases, duplicate keys, depth),
  validating with field paths, ``--set`` overrides, the memory estimate of a run; the experiment and what-if
  files use it too.
- :mod:`~cogov_sim.scenario.size`: the memory of a run estimated from its counts, and the refusal over the limit.
- :mod:`~cogov_sim.scenario.table`: the tunable parameters, the Markdown parameter table and the JSON Schema.

The words of the place (levels, functions, segments, slots and their ``Literal`` types) live in
:mod:`cogov_sim.vocabulary` and are re-exported here, with the public names of the modules above.
"""

from cogov_sim.scenario.base import Frozen, Share
from cogov_sim.scenario.behaviour import Behaviour
from cogov_sim.scenario.errors import (
    EXIT_BAD_INPUT,
    EXIT_FAIL,
    EXIT_OK,
    SHOWN_CHARS,
    ScenarioError,
    name_problem,
    one_line,
    shorten,
    show,
    unknown_message,
)
from cogov_sim.scenario.inputs import (
    MAX_FILE_BYTES,
    allowed_at,
    apply_overrides,
    check_keys,
    expect_mapping,
    format_error,
    get_path,
    load_scenario,
    load_yaml_text,
    parse_override,
    plain_copy,
    read_yaml,
    scenario_from_dict,
    validate_model,
)
from cogov_sim.scenario.schema import (
    MAX_AGENTS,
    Area,
    CenterLevel,
    Organizations,
    Population,
    Scenario,
    Site,
    Zones,
)
from cogov_sim.scenario.size import MAX_RUN_BYTES, check_size, estimated_bytes
from cogov_sim.scenario.table import Tunable, json_schema, parameter_table, tunable_fields
from cogov_sim.vocabulary import (
    DAY_KINDS,
    FUNCTIONS,
    LEVELS,
    MIXING_FUNCTIONS,
    SEGMENTS,
    SLOTS,
    DayKind,
    Function,
    Level,
    Segment,
    Slot,
)

__all__ = [
    "DAY_KINDS",
    "EXIT_BAD_INPUT",
    "EXIT_FAIL",
    "EXIT_OK",
    "FUNCTIONS",
    "LEVELS",
    "MAX_AGENTS",
    "MAX_FILE_BYTES",
    "MAX_RUN_BYTES",
    "MIXING_FUNCTIONS",
    "SEGMENTS",
    "SHOWN_CHARS",
    "SLOTS",
    "Area",
    "Behaviour",
    "CenterLevel",
    "DayKind",
    "Frozen",
    "Function",
    "Level",
    "Organizations",
    "Population",
    "Scenario",
    "ScenarioError",
    "Segment",
    "Share",
    "Site",
    "Slot",
    "Tunable",
    "Zones",
    "allowed_at",
    "apply_overrides",
    "check_keys",
    "check_size",
    "estimated_bytes",
    "expect_mapping",
    "format_error",
    "get_path",
    "json_schema",
    "load_scenario",
    "load_yaml_text",
    "name_problem",
    "one_line",
    "parameter_table",
    "parse_override",
    "plain_copy",
    "read_yaml",
    "scenario_from_dict",
    "shorten",
    "show",
    "tunable_fields",
    "unknown_message",
    "validate_model",
]
