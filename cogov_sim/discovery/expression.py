"""The condition of ``cogov discover --where``: a small, safe expression over the columns of a results table.

The text is parsed by Python's own parser (:func:`ast.parse` in ``eval`` mode) and then *walked*, never evaluated:
only the node types below are accepted, so no attribute access, subscript, call of an arbitrary function, lambda
or comprehension can run. What it may contain:

- names: an indicator (its final value in each run, docs/MODEL.md §4), an input column of the results (a swept
  parameter, an uncertainty, ``place``, ``policy``); dotted names are scenario paths (``behaviour.visit_scale``);
- ``effect(x)``: the policy's paired effect on indicator ``x`` in the same future and replication (the run's value
  minus the no-policy arm's), so the rows are the policy runs; ``mid(x)``: the minimum important difference of
  ``x`` (``cogov_sim.experiments.effects.MIN_IMPORTANT``: an absolute amount, or a share of the no-policy arm's
  value); a bare ``mid`` is the MID of the one indicator whose effect the expression takes; ``abs(...)``;
- numbers and quoted text (``place == 'dense'``), ``+ - * /``, comparisons (``< <= > >= == !=``, chained), and
  ``and``, ``or``, ``not`` (also ``&``, ``|``, ``~``).

A name that is none of these raises :class:`~cogov_sim.scenario.ScenarioError` naming it and listing the allowed
names, so the CLI exits 2.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from cogov_sim.scenario import ScenarioError, shorten, unknown_message

WHERE = "--where"
"""The option the errors name."""

MAX_EXPRESSION_CHARS = 1_000
"""Longest expression accepted."""

FUNCTIONS: tuple[str, ...] = ("effect", "mid", "abs")
"""The functions an expression may call."""

_BINARY: dict[type[ast.operator], Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.BitAnd: np.logical_and,
    ast.BitOr: np.logical_or,
}
_COMPARE: dict[type[ast.cmpop], Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


@dataclass(frozen=True)
class Condition:
    """A parsed condition.

    Attributes:
        text: the expression as given.
        tree: its syntax tree (checked: only allowed nodes and names).
        names: the plain column names it reads.
        effects: the indicators whose paired effect it takes (``effect(x)``).
    """

    text: str
    tree: ast.Expression
    names: frozenset[str]
    effects: frozenset[str]

    def evaluate(self, columns: Mapping[str, np.ndarray], effects: Mapping[str, np.ndarray],
                 mids: Mapping[str, np.ndarray]) -> np.ndarray:  # fmt: skip
        """The condition per row, as booleans; a row with a missing value (NaN) is False."""
        value = _Evaluator(columns, effects, mids, self.effects).visit(self.tree.body)
        out = np.asarray(value)
        if out.dtype != bool:
            raise ScenarioError(WHERE, shorten(self.text), "the expression must be a condition (a comparison)")
        return out


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` of a chain of attribute accesses on a name, else ``None``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def parse_condition(text: str, allowed: Mapping[str, str], indicators: list[str], *, effects_ok: bool) -> Condition:
    """Parse and check ``text`` against the names a results table offers.

    Args:
        text: the expression.
        allowed: every name it may read (indicators and input columns) -> what it is (for the message).
        indicators: the indicators (``effect`` and ``mid`` take one).
        effects_ok: whether the results have a no-policy arm to take effects against (what-if, exploration).

    Raises:
        ScenarioError: naming ``--where``: a syntax error, a construct that is not allowed, an unknown name (with
            the allowed ones), ``effect`` on results without a no-policy arm.
    """
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ScenarioError(WHERE, "", f"the expression is longer than {MAX_EXPRESSION_CHARS} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise ScenarioError(WHERE, shorten(text), f"not an expression: {err.msg}") from None
    names: set[str] = set()
    effects: set[str] = set()
    bare_mid = False

    def bad(node: ast.AST, what: str) -> ScenarioError:
        return ScenarioError(WHERE, shorten(text), f"{what} is not allowed; use names, numbers, comparisons,"
                             f" and/or/not and {', '.join(f + '()' for f in FUNCTIONS)}")  # fmt: skip

    def unknown(name: str) -> ScenarioError:
        return ScenarioError(WHERE, shorten(text), unknown_message(name, list(allowed), "indicator or column"))

    def check(node: ast.AST) -> None:
        nonlocal bare_mid
        dotted = _dotted(node)
        if dotted is not None:
            if dotted == "mid":
                bare_mid = True
            elif dotted not in allowed:
                raise unknown(dotted)
            else:
                names.add(dotted)
            return
        if isinstance(node, ast.Call):
            fn = node.func.id if isinstance(node.func, ast.Name) else None
            if fn not in FUNCTIONS or node.keywords or len(node.args) != 1:
                raise bad(node, f"calling {ast.unparse(node.func)}(...) that way")
            if fn == "abs":
                check(node.args[0])
                return
            arg = _dotted(node.args[0])
            if arg not in indicators:
                shown = str(arg or ast.unparse(node.args[0]))
                message = unknown_message(shown, indicators, "indicator")
                raise ScenarioError(WHERE, shorten(text), f"{fn}() takes an indicator: {message}")
            if not effects_ok:
                raise ScenarioError(WHERE, shorten(text), f"{fn}() needs results with a no-policy arm"
                                    " (cogov whatif or cogov explore); these have none")  # fmt: skip
            effects.add(arg)
            return
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float | str):
                raise bad(node, f"the constant {node.value!r}")
            return
        if isinstance(node, ast.BoolOp | ast.Compare | ast.BinOp | ast.UnaryOp):
            if isinstance(node, ast.BinOp) and type(node.op) not in _BINARY:
                raise bad(node, f"the operator in {ast.unparse(node)}")
            if isinstance(node, ast.Compare) and any(type(op) not in _COMPARE for op in node.ops):
                raise bad(node, f"the comparison in {ast.unparse(node)}")
            for child in ast.iter_child_nodes(node):
                if not isinstance(child, ast.operator | ast.cmpop | ast.boolop | ast.unaryop):
                    check(child)
            return
        raise bad(node, type(node).__name__)

    check(tree.body)
    if bare_mid and len(effects) != 1:
        raise ScenarioError(WHERE, shorten(text), "a bare 'mid' needs exactly one effect(x) in the expression;"
                            " write mid(x) instead")  # fmt: skip
    return Condition(text, tree, frozenset(names), frozenset(effects))


class _Evaluator:
    """Walks a checked tree over arrays (one value per row)."""

    def __init__(self, columns: Mapping[str, np.ndarray], effects: Mapping[str, np.ndarray],
                 mids: Mapping[str, np.ndarray], effect_names: frozenset[str]) -> None:  # fmt: skip
        self.columns, self.effects, self.mids = columns, effects, mids
        self.only = next(iter(effect_names)) if len(effect_names) == 1 else None

    def visit(self, node: ast.AST) -> np.ndarray:
        dotted = _dotted(node)
        if dotted is not None:
            return np.asarray(self.mids[self.only] if dotted == "mid" and self.only else self.columns[dotted])
        if isinstance(node, ast.Constant):
            return np.asarray(node.value)
        if isinstance(node, ast.Call):
            fn = node.func.id  # type: ignore[attr-defined]
            if fn == "abs":
                return np.abs(self.visit(node.args[0]))
            arg = _dotted(node.args[0])
            return np.asarray(self.effects[arg] if fn == "effect" else self.mids[arg])  # type: ignore[index]
        if isinstance(node, ast.BoolOp):
            parts = [self._bool(v) for v in node.values]
            join = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            out = parts[0]
            for p in parts[1:]:
                out = join(out, p)
            return out
        if isinstance(node, ast.UnaryOp):
            v = self.visit(node.operand)
            if isinstance(node.op, ast.Not | ast.Invert):
                return np.logical_not(self._bool_value(v))
            return -v if isinstance(node.op, ast.USub) else +v
        if isinstance(node, ast.BinOp):
            op = _BINARY[type(node.op)]
            left, right = self.visit(node.left), self.visit(node.right)
            if op in (np.logical_and, np.logical_or):
                return op(self._bool_value(left), self._bool_value(right))
            with np.errstate(divide="ignore", invalid="ignore"):
                return op(left.astype(float), right.astype(float))
        assert isinstance(node, ast.Compare)
        out: np.ndarray | None = None
        left = self.visit(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.visit(right_node)
            with np.errstate(invalid="ignore"):
                part = np.asarray(_COMPARE[type(op)](left, right), dtype=bool)
            out = part if out is None else np.logical_and(out, part)
            left = right
        assert out is not None
        return out

    def _bool(self, node: ast.AST) -> np.ndarray:
        return self._bool_value(self.visit(node))

    @staticmethod
    def _bool_value(v: np.ndarray) -> np.ndarray:
        if v.dtype != bool:
            raise ScenarioError(WHERE, "", "and/or/not join conditions (comparisons), not numbers")
        return v
