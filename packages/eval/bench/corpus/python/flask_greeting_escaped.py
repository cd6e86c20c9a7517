# label: clean CWE-79
from flask import Flask, make_response, request
from markupsafe import escape

app = Flask(__name__)


@app.route("/hello")
def hello():
    """Greet the visitor by name, HTML-escaped."""
    name = escape(request.args.get("name", "world"))
    html = f"<html><body><h1>Hello, {name}!</h1></body></html>"
    return make_response(html)
