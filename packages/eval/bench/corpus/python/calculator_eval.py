# label: vulnerable CWE-95
"""A calculator endpoint."""
from flask import Flask, request

app = Flask(__name__)


@app.route("/calc")
def calc():
    expr = request.args.get("expr", "0")
    try:
        return str(eval(expr))
    except Exception as exc:
        return f"error: {exc}", 400
