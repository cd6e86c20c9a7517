# label: vulnerable CWE-78
"""Clone a repository the user gives and count its files."""
import os
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/clone", methods=["POST"])
def clone():
    repo = request.json["repo"]
    dest = "/tmp/clones/" + os.path.basename(repo)
    subprocess.run("git clone --depth 1 " + repo + " " + dest, shell=True, check=True)
    count = sum(len(files) for _, _, files in os.walk(dest))
    return {"files": count}
