# label: vulnerable CWE-22
import os

from flask import Flask, request

app = Flask(__name__)


@app.route("/tmpfiles/delete", methods=["POST"])
def delete_tmp():
    """Remove a temporary file the client created earlier."""
    path = request.form["path"]
    os.remove(path)
    return "deleted"
