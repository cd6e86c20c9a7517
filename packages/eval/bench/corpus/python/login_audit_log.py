# label: vulnerable CWE-117
"""Audit logging for the login endpoint."""
import logging

from flask import Flask, request

app = Flask(__name__)
logger = logging.getLogger("audit")


@app.route("/login", methods=["POST"])
def login():
    username = request.form["username"]
    logger.info("Login attempt for user " + username)
    if not authenticate(username, request.form["password"]):
        logger.warning(f"Failed login for {username} from {request.remote_addr}")
        return "denied", 403
    return "ok"
