# label: clean CWE-918
"""Fetch avatars only from the image hosts we trust."""
from urllib.parse import urlparse

import requests
from flask import Flask, abort, request, Response

app = Flask(__name__)
ALLOWED_HOSTS = {"images.example.com", "cdn.example.com"}


@app.route("/avatar")
def avatar():
    url = request.args.get("src", "")
    parsed = urlparse(url)
    if parsed.scheme != "https" or parsed.hostname not in ALLOWED_HOSTS:
        abort(400)
    resp = requests.get(parsed.geturl(), timeout=5, allow_redirects=False)
    return Response(resp.content, mimetype=resp.headers.get("Content-Type", "image/png"))
