# label: vulnerable CWE-22
"""File upload endpoint."""
import os

from flask import Flask, request

app = Flask(__name__)
UPLOAD_DIR = "/var/www/uploads"


@app.route("/upload", methods=["POST"])
def upload():
    f = request.files["file"]
    f.save(os.path.join(UPLOAD_DIR, f.filename))
    return {"saved": f.filename}, 201
