# label: vulnerable CWE-1333
import re

from flask import Flask, request

app = Flask(__name__)
EMAIL = re.compile(r"^([a-zA-Z0-9_.+-]+)+@(([a-zA-Z0-9-])+\.)+[a-zA-Z]{2,}$")


@app.route("/subscribe", methods=["POST"])
def subscribe():
    """Validate the e-mail address and add it to the list."""
    email = request.form.get("email", "")
    if not EMAIL.match(email):
        return "invalid address", 400
    return "subscribed"
