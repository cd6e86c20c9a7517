# label: vulnerable CWE-79
from flask import Flask, request

app = Flask(__name__)


@app.route("/comments")
def comments():
    """Render the comment the visitor just posted, then the list."""
    html = "<div class='comments'>"
    html += "<p class='new'>" + request.args.get("comment", "") + "</p>"
    html += "</div>"
    return html
