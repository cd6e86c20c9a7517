# label: vulnerable CWE-1333
"""Search endpoint that lets the client supply a regular expression."""
import re

from flask import Flask, jsonify, request

app = Flask(__name__)
DOCUMENTS = ["alpha report", "beta notes", "gamma summary"]


@app.route("/search")
def search():
    pattern = request.args.get("q", "")
    hits = [d for d in DOCUMENTS if re.search(pattern, d)]
    return jsonify(hits)
