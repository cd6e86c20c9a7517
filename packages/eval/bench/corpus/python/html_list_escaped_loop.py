# label: clean CWE-79
from html import escape

from flask import Flask, request

app = Flask(__name__)


@app.route("/tags")
def tags():
    """Render the tags the client sent as an HTML list, each escaped first."""
    raw = request.args.getlist("tag")
    safe = [escape(t) for t in raw]
    items = "".join("<li>" + t + "</li>" for t in safe)
    return "<ul>" + items + "</ul>"
