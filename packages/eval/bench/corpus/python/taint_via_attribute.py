# label: vulnerable CWE-22
"""Export job that writes a report where the request asks."""
import json

from flask import Flask, request

app = Flask(__name__)


class ExportJob:
    def __init__(self, name: str, rows: list):
        self.name = name
        self.rows = rows

    def target(self) -> str:
        return "/srv/exports/" + self.name


@app.route("/export", methods=["POST"])
def export():
    job = ExportJob(request.json["name"], request.json.get("rows", []))
    with open(job.target(), "w") as fh:
        json.dump(job.rows, fh)
    return {"written": job.target()}
