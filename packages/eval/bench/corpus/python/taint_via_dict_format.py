# label: vulnerable CWE-78
"""Convert uploaded videos with ffmpeg."""
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/convert", methods=["POST"])
def convert():
    opts = {
        "src": request.form["source"],
        "fmt": request.form.get("format", "mp4"),
    }
    cmd = "ffmpeg -y -i {src} /tmp/out.{fmt}".format(**opts)
    subprocess.run(cmd, shell=True, check=False)
    return {"status": "queued"}
