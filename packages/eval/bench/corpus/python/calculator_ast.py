# label: clean CWE-95
"""Evaluate arithmetic expressions from users, allowing only numbers and operators."""
import ast

ALLOWED_NODES = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Mod, ast.Pow, ast.USub, ast.UAdd,
)


def evaluate_expression(expr: str) -> str:
    """Return the value of an arithmetic expression, or '' when it is not plain arithmetic."""
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        return ""
    for node in ast.walk(tree):
        if not isinstance(node, ALLOWED_NODES):
            return ""
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            return ""
    try:
        return str(eval(compile(tree, "<expr>", "eval"), {"__builtins__": {}}, {}))
    except Exception:
        return ""
