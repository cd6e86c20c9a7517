# label: clean CWE-79
from flask import Flask, render_template, request

app = Flask(__name__)


@app.route("/search")
def search():
    """Show the query and the results with the autoescaping template."""
    q = request.args.get("q", "")
    results = [r for r in ["alpha", "beta", "gamma"] if q.lower() in r]
    return render_template("search.html", q=q, results=results)
