# label: vulnerable CWE-79
"""Greeting page."""
from flask import Flask, make_response, request

app = Flask(__name__)


@app.route("/hello")
def hello():
    name = request.args.get("name", "world")
    html = "<html><body><h1>Hello, " + name + "!</h1></body></html>"
    return make_response(html)
