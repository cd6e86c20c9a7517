# label: clean CWE-79
import html

from flask import Flask, request

app = Flask(__name__)
TEMPLATE = "<html><body><p>Results for: {{query}}</p></body></html>"


@app.route("/results")
def results():
    """Show the query back to the user, escaped."""
    query = html.escape(request.args.get("q", ""))
    return TEMPLATE.replace("{{query}}", query)
