# label: clean CWE-22
import os

from flask import Flask, abort, request
from werkzeug.utils import secure_filename

app = Flask(__name__)
UPLOAD_DIR = "/var/www/uploads"
ALLOWED = {".png", ".jpg", ".pdf"}


@app.route("/upload", methods=["POST"])
def upload():
    """Save an uploaded file under a sanitised name with an allowed extension."""
    f = request.files["file"]
    name = secure_filename(f.filename or "")
    if not name or os.path.splitext(name)[1].lower() not in ALLOWED:
        abort(400)
    f.save(os.path.join(UPLOAD_DIR, name))
    return {"saved": name}, 201
