"""Safe arithmetic over indicator ids: derived indicators, named measures, validation rules.

A formula is parsed once (``Formula.parse``) with Python's ``ast`` and only these nodes are
allowed: numbers, names, ``+ - * /``, unary minus, parentheses, one comparison
(``< <= > >= == !=``) and the functions ``count_positive``, ``min``, ``max``. Nothing is ever
passed to ``eval``.

Missing values propagate: an arithmetic operation with a missing operand is missing, and a
division by zero is missing (N/A), never 0 or infinity.

>>> f = Formula.parse("townships_covered / townships * 100")
>>> f.evaluate({"townships_covered": 3, "townships": 4})
75.0
>>> f.evaluate({"townships_covered": 0, "townships": 0}) is None
True
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from .errors import FormulaError

__all__ = ["FUNCTIONS", "Formula"]

FUNCTIONS = ("count_positive", "min", "max")

_BINOPS: dict[type[ast.operator], str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/",
}
_CMPOPS: dict[type[ast.cmpop], str] = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
}
_CMP_FN: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}

Scalar = float | None


def _check(node: ast.AST, text: str, names: set[str]) -> None:
    if isinstance(node, ast.Expression):
        _check(node.body, text, names)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError(f"{text!r}: only numbers are allowed as constants")
    elif isinstance(node, ast.Name):
        names.add(node.id)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            raise FormulaError(f"{text!r}: only + - * / are allowed")
        _check(node.left, text, names)
        _check(node.right, text, names)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise FormulaError(f"{text!r}: only unary minus is allowed")
        _check(node.operand, text, names)
    elif isinstance(node, ast.Compare):
        if len(node.ops) != 1 or type(node.ops[0]) not in _CMPOPS:
            raise FormulaError(f"{text!r}: one comparison (< <= > >= == !=) at most")
        _check(node.left, text, names)
        _check(node.comparators[0], text, names)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
            raise FormulaError(f"{text!r}: unknown function (known: {', '.join(FUNCTIONS)})")
        if not node.args:
            raise FormulaError(f"{text!r}: {node.func.id}() needs arguments")
        for arg in node.args:
            _check(arg, text, names)
    else:
        raise FormulaError(f"{text!r}: {type(node).__name__} is not allowed in a formula")


@dataclass(frozen=True)
class Formula:
    """A parsed formula; ``names`` are the indicator ids and unit figures it reads."""

    text: str
    names: frozenset[str]
    _tree: ast.Expression = field(repr=False, compare=False)

    @classmethod
    def parse(cls, text: str) -> Formula:
        """Parse ``text``; raise ``FormulaError`` naming the text when it is not allowed."""
        try:
            tree = ast.parse(str(text).strip(), mode="eval")
        except SyntaxError as exc:
            raise FormulaError(f"{text!r} is not a formula ({exc.msg})") from None
        names: set[str] = set()
        _check(tree, str(text), names)
        return cls(str(text), frozenset(names - set(FUNCTIONS)), tree)

    @property
    def is_comparison(self) -> bool:
        """Tell whether the formula is a condition (``a >= b``) rather than a number."""
        return isinstance(self._tree.body, ast.Compare)

    @property
    def denominators(self) -> frozenset[str]:
        """Names that appear on the right of a division (for explaining N/A)."""
        out: set[str] = set()
        for node in ast.walk(self._tree):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
                out |= {n.id for n in ast.walk(node.right) if isinstance(n, ast.Name)}
        return frozenset(out)

    # -- scalar evaluation ---------------------------------------------------------------
    def evaluate(self, env: Mapping[str, Any]) -> Any:
        """Evaluate with numbers from ``env`` (missing or None → None); a condition gives a bool."""
        return self._eval(self._tree.body, env)

    def _eval(self, node: ast.AST, env: Mapping[str, Any]) -> Any:
        if isinstance(node, ast.Constant):
            return float(cast(float, node.value))
        if isinstance(node, ast.Name):
            v = env.get(node.id)
            if v is None or (isinstance(v, float) and math.isnan(v)):
                return None
            return float(v)
        if isinstance(node, ast.UnaryOp):
            v = self._eval(node.operand, env)
            return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
        if isinstance(node, ast.BinOp):
            a, b = self._eval(node.left, env), self._eval(node.right, env)
            if a is None or b is None:
                return None
            op = _BINOPS[type(node.op)]
            if op == "/":
                return None if b == 0 else a / b
            return a + b if op == "+" else a - b if op == "-" else a * b
        if isinstance(node, ast.Compare):
            a, b = self._eval(node.left, env), self._eval(node.comparators[0], env)
            if a is None or b is None:
                return None
            return bool(_CMP_FN[_CMPOPS[type(node.ops[0])]](a, b))
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)
            args = [self._eval(a, env) for a in node.args]
            present = [a for a in args if a is not None]
            if not present:
                return None
            if node.func.id == "count_positive":
                return float(sum(1 for a in present if a > 0))
            return float(min(present) if node.func.id == "min" else max(present))
        raise FormulaError(f"{self.text!r}: cannot evaluate {type(node).__name__}")

    # -- vectorised evaluation -----------------------------------------------------------
    def evaluate_frame(self, frame: pd.DataFrame) -> pd.Series:
        """Evaluate on every row of ``frame`` (columns named by ids); NaN where N/A."""
        result = self._vec(self._tree.body, frame)
        if not isinstance(result, pd.Series):
            result = pd.Series(result, index=frame.index, dtype="float64")
        return result

    def _vec(self, node: ast.AST, df: pd.DataFrame) -> Any:
        if isinstance(node, ast.Constant):
            return float(cast(float, node.value))
        if isinstance(node, ast.Name):
            if node.id in df.columns:
                return pd.to_numeric(df[node.id], errors="coerce").astype("float64")
            return pd.Series(np.nan, index=df.index, dtype="float64")
        if isinstance(node, ast.UnaryOp):
            v = self._vec(node.operand, df)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            a, b = self._vec(node.left, df), self._vec(node.right, df)
            op = _BINOPS[type(node.op)]
            if op == "/":
                bs = (b if isinstance(b, pd.Series)
                      else pd.Series(b, index=df.index, dtype="float64"))
                out = a / bs.where(bs != 0)
                return out
            return a + b if op == "+" else a - b if op == "-" else a * b
        if isinstance(node, ast.Compare):
            a, b = self._vec(node.left, df), self._vec(node.comparators[0], df)
            fn = _CMP_FN[_CMPOPS[type(node.ops[0])]]
            a = a if isinstance(a, pd.Series) else pd.Series(a, index=df.index, dtype="float64")
            b = b if isinstance(b, pd.Series) else pd.Series(b, index=df.index, dtype="float64")
            res = fn(a, b).astype("object")
            res[a.isna() | b.isna()] = None
            return res
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)
            cols = [self._vec(a, df) for a in node.args]
            cols = [c if isinstance(c, pd.Series) else pd.Series(c, index=df.index) for c in cols]
            block = pd.concat(cols, axis=1)
            all_missing = block.isna().all(axis=1)
            if node.func.id == "count_positive":
                out = (block > 0).sum(axis=1).astype("float64")
            elif node.func.id == "min":
                out = block.min(axis=1)
            else:
                out = block.max(axis=1)
            return cast(pd.Series, out.where(~all_missing))
        raise FormulaError(f"{self.text!r}: cannot evaluate {type(node).__name__}")

    def split_comparison(self) -> tuple[Formula, str, Formula]:
        """Split a condition ``left op right`` into its two sides and the operator."""
        body = self._tree.body
        if not isinstance(body, ast.Compare):
            raise FormulaError(f"{self.text!r} is not a comparison")
        left = ast.Expression(body.left)
        right = ast.Expression(body.comparators[0])
        return (
            Formula.parse(ast.unparse(left)),
            _CMPOPS[type(body.ops[0])],
            Formula.parse(ast.unparse(right)),
        )
