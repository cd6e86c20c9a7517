# label: vulnerable CWE-22
import os
import zipfile

from flask import Flask, request

app = Flask(__name__)


@app.route("/import", methods=["POST"])
def import_bundle():
    """Accept a zip of assets and unpack it next to the others."""
    upload = request.files["bundle"]
    with zipfile.ZipFile(upload.stream) as zf:
        for info in zf.infolist():
            out = os.path.join("assets", info.filename)
            os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
            with open(out, "wb") as fh:
                fh.write(zf.read(info))
    return "imported"
