# SPDX-License-Identifier: Apache-2.0
"""Read the localparams of rtl/eie_pkg.sv into Python, for the tests that check its twins.

A small evaluator for the subset the package uses: ``localparam int`` and
``localparam logic [msb:0]`` with SystemVerilog number literals, earlier names
and + - * / % << >> ( ). Anything else fails loudly.
"""

from __future__ import annotations

import ast
import operator
import re
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "rtl" / "eie_pkg.sv"

_DECL = re.compile(r"localparam\s+(int|logic\s*\[([^\]]*):\s*0\s*\])\s+(\w+)\s*=\s*([^;]+);")
_LITERAL = re.compile(r"(\d+)?'([hdbo])([0-9a-fA-F_]+)")
_BASES = {"h": 16, "d": 10, "b": 2, "o": 8}
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
        ast.Mod: operator.mod, ast.LShift: operator.lshift, ast.RShift: operator.rshift}


def _evaluate(expr: str, names: dict[str, int]) -> int:
    text = _LITERAL.sub(lambda m: str(int(m.group(3).replace("_", ""), _BASES[m.group(2)])), expr)
    text = text.replace("/", "//")

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.Name):
            return names[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        raise ValueError(f"eie_pkg.sv: cannot evaluate {expr!r}")

    return walk(ast.parse(text.strip(), mode="eval"))


def localparams(path: Path = PKG) -> dict[str, int]:
    """Every localparam of the package, by name, in declaration order."""
    text = re.sub(r"//[^\n]*", "", path.read_text())
    values: dict[str, int] = {}
    for match in _DECL.finditer(text):
        value = _evaluate(match.group(4), values)
        if match.group(2) is not None:  # logic [msb:0]: the value as its bits
            value &= (1 << (_evaluate(match.group(2), values) + 1)) - 1
        values[match.group(3)] = value
    return values
