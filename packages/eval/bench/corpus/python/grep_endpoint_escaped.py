# label: clean CWE-1333
import re

from flask import Flask, jsonify, request

app = Flask(__name__)
DOCUMENTS = ["alpha report", "beta notes", "gamma summary"]


@app.route("/search")
def search():
    """Substring search; the client's text is escaped before it becomes a pattern."""
    needle = re.escape(request.args.get("q", ""))
    hits = [d for d in DOCUMENTS if re.search(needle, d, re.IGNORECASE)]
    return jsonify(hits)
