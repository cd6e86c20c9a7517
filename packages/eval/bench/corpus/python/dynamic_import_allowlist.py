# label: clean CWE-94
import importlib

from flask import Flask, abort, request

app = Flask(__name__)
FORMATTERS = {"plain": "app.formatters.plain", "markdown": "app.formatters.markdown"}


@app.route("/run")
def run():
    """Apply one of the known formatters."""
    name = request.args.get("formatter", "plain")
    if name not in FORMATTERS:
        abort(404)
    return importlib.import_module(FORMATTERS[name]).format(request.args.get("text", ""))
