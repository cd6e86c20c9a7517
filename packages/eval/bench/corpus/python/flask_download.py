# label: vulnerable CWE-22
from flask import Flask, request, send_file

app = Flask(__name__)


@app.route("/download")
def download():
    """Send one of the generated reports."""
    name = request.args.get("file")
    return send_file("/srv/reports/" + name, as_attachment=True)
