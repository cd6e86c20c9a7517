# label: clean CWE-117
import logging

from flask import Flask, request

app = Flask(__name__)
logger = logging.getLogger("audit")


def _clean(value: str) -> str:
    """Escape line breaks so one request cannot forge extra log records."""
    return value.replace("\r", "\\r").replace("\n", "\\n")


@app.route("/login", methods=["POST"])
def login():
    username = _clean(request.form["username"])
    logger.info("Login attempt for user %s", username)
    return "ok"
