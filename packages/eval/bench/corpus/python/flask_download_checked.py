# label: clean CWE-22
import os

from flask import Flask, abort, request, send_file

app = Flask(__name__)
REPORTS = os.path.realpath("/srv/reports")


@app.route("/download")
def download():
    """Send a report, only if the resolved path stays inside the reports folder."""
    name = os.path.basename(request.args.get("file", ""))
    path = os.path.realpath(os.path.join(REPORTS, name))
    if not path.startswith(REPORTS + os.sep) or not os.path.isfile(path):
        abort(404)
    return send_file(path, as_attachment=True)
