# label: vulnerable CWE-79
"""Render a search results page from a static template."""
from flask import Flask, request

app = Flask(__name__)

TEMPLATE = """<html><body><p>Results for: {{query}}</p><ul>{{items}}</ul></body></html>"""


@app.route("/results")
def results():
    query = request.args.get("q", "")
    items = "".join(f"<li>{r}</li>" for r in lookup(query))
    return TEMPLATE.replace("{{query}}", query).replace("{{items}}", items)


def lookup(q):
    return [q.upper(), q.lower()]
