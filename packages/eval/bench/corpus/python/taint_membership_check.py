# label: clean CWE-78
import subprocess

from flask import Flask, abort, request

app = Flask(__name__)
SERVICES = {"nginx", "postgresql", "redis"}


@app.route("/restart", methods=["POST"])
def restart():
    """Restart one of the known services."""
    name = request.form.get("service", "")
    if name not in SERVICES:
        abort(400)
    subprocess.run(f"systemctl restart {name}", shell=True, check=True)
    return {"restarted": name}
