# label: clean CWE-614
import secrets

from flask import Flask, make_response

app = Flask(__name__)


@app.route("/login", methods=["POST"])
def login():
    """Issue a session cookie that is HTTPS-only and hidden from scripts."""
    resp = make_response({"ok": True})
    resp.set_cookie("session", secrets.token_urlsafe(32), secure=True, httponly=True, samesite="Lax")
    return resp
