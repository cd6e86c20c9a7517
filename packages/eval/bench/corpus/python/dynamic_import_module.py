# label: vulnerable CWE-94
import importlib

from flask import Flask, request

app = Flask(__name__)


@app.route("/run")
def run():
    """Load the formatter module the client names and apply it."""
    name = request.args.get("formatter", "plain")
    module = importlib.import_module(name)
    return module.format(request.args.get("text", ""))
