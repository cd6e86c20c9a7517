# label: vulnerable CWE-1336
from flask import Flask, render_template_string, request

app = Flask(__name__)


@app.route("/card")
def card():
    """Render a greeting card with the sender's message."""
    message = request.args.get("message", "Happy birthday!")
    template = "<div class='card'><p>" + message + "</p></div>"
    return render_template_string(template)
