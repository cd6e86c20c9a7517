# label: vulnerable CWE-601
"""Login view for the dashboard application."""
from flask import Flask, redirect, render_template, request, session, url_for

from .auth import check_password

app = Flask(__name__)
app.secret_key = "change-me"  # replaced in production from the environment


@app.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form, and on success send the user back where they came from."""
    if request.method == "GET":
        return render_template("login.html")

    username = request.form.get("username", "")
    password = request.form.get("password", "")
    if not check_password(username, password):
        return render_template("login.html", error="Invalid credentials"), 401

    session["user"] = username
    next_url = request.args.get("next")
    if next_url:
        return redirect(next_url)
    return redirect(url_for("index"))


@app.route("/")
def index():
    return render_template("index.html", user=session.get("user"))
