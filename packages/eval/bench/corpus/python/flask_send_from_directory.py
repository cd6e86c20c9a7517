# label: clean CWE-22
from flask import Flask, send_from_directory

app = Flask(__name__)


@app.route("/files/<path:name>")
def files(name):
    """Serve user-visible files; send_from_directory refuses paths that leave the folder."""
    return send_from_directory("/srv/public", name)
