"""The documentation's generated parts match the code."""

from __future__ import annotations

from cogov_sim.scenario import parameter_table
from cogov_sim.vocabulary import INDICATORS
from tests.conftest import ROOT

START, END = "<!-- parameter-table:start -->\n", "<!-- parameter-table:end -->"


def test_model_doc_parameter_table_is_current():
    text = (ROOT / "docs" / "MODEL.md").read_text(encoding="utf-8")
    embedded = text.split(START, 1)[1].split(END, 1)[0]
    assert embedded == parameter_table(), "run `make docs` to refresh docs/MODEL.md"


def test_readme_lists_every_indicator():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in INDICATORS if f"`{name}`" not in readme]
    assert missing == []
