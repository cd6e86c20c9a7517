# label: clean CWE-78
import re
import subprocess
import tempfile

from flask import Flask, abort, request

app = Flask(__name__)
REPO_RE = re.compile(r"^https://github\.com/[\w.-]+/[\w.-]+(\.git)?$")


@app.route("/clone", methods=["POST"])
def clone():
    """Clone a GitHub repository given by URL, checked and passed as one argument."""
    repo = request.json.get("repo", "")
    if not REPO_RE.match(repo):
        abort(400)
    dest = tempfile.mkdtemp(prefix="clone-")
    subprocess.run(["git", "clone", "--depth", "1", "--", repo, dest], check=True, timeout=120)
    return {"dest": dest}
