# label: vulnerable CWE-94
"""Run user-supplied transformation snippets over rows."""
from flask import Flask, request

app = Flask(__name__)


@app.route("/transform", methods=["POST"])
def transform():
    code = request.form["code"]
    rows = request.form.get("rows", "").splitlines()
    scope = {"rows": rows}
    exec(code, scope)
    return {"result": scope.get("result")}
