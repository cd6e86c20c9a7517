# label: vulnerable CWE-113
from flask import Flask, make_response, request

app = Flask(__name__)


@app.route("/set-language")
def set_language():
    """Remember the visitor's language choice in a header and a cookie."""
    lang = request.args.get("lang", "en")
    resp = make_response("Language saved")
    resp.headers["Content-Language"] = lang
    resp.headers["X-Preferred-Language"] = "lang=" + lang
    return resp
