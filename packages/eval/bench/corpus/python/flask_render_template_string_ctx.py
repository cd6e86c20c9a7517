# label: clean CWE-1336
from flask import Flask, render_template_string, request

app = Flask(__name__)
CARD = "<div class='card'><p>{{ message }}</p></div>"


@app.route("/card")
def card():
    """Render a greeting card; the message is passed as a variable, never as template text."""
    return render_template_string(CARD, message=request.args.get("message", "Happy birthday!"))
