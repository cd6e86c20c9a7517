# label: vulnerable CWE-614
from flask import Flask, make_response, request

app = Flask(__name__)


@app.route("/remember", methods=["POST"])
def remember():
    """Store the session token in a cookie."""
    resp = make_response({"ok": True})
    resp.set_cookie("session_token", request.form["token"], secure=False, httponly=False)
    return resp
