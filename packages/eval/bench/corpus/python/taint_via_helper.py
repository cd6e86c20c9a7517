# label: vulnerable CWE-78
import os

from flask import Flask, request

app = Flask(__name__)


def build_command(host: str) -> str:
    return "nslookup " + host


@app.route("/lookup")
def lookup():
    """DNS lookup for the host in the query string."""
    host = request.args.get("host", "localhost")
    stream = os.popen(build_command(host))
    return "<pre>" + stream.read() + "</pre>"
