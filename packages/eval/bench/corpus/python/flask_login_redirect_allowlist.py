# label: clean CWE-601
"""Login view that only redirects to pages of this site."""
from urllib.parse import urljoin, urlparse

from flask import Flask, redirect, render_template, request, session, url_for

from .auth import check_password

app = Flask(__name__)


def is_safe_url(target: str) -> bool:
    """Return True when the target stays on this host and uses http(s)."""
    host_url = urlparse(request.host_url)
    test_url = urlparse(urljoin(request.host_url, target))
    return test_url.scheme in ("http", "https") and host_url.netloc == test_url.netloc


@app.route("/login", methods=["GET", "POST"])
def login():
    """Authenticate, then return to the page the user asked for if it is ours."""
    if request.method == "GET":
        return render_template("login.html")
    username = request.form.get("username", "")
    if not check_password(username, request.form.get("password", "")):
        return render_template("login.html", error="Invalid credentials"), 401
    session["user"] = username
    next_url = request.args.get("next", "")
    if next_url and is_safe_url(next_url):
        return redirect(next_url)
    return redirect(url_for("index"))
