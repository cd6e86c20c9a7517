# label: vulnerable CWE-918
"""Link preview service: fetch a page and return its title."""
import re

import requests
from flask import Flask, jsonify, request

app = Flask(__name__)
TITLE_RE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def extract_title(html: str) -> str:
    match = TITLE_RE.search(html)
    return match.group(1).strip() if match else ""


@app.route("/preview")
def preview():
    url = request.args.get("url")
    if not url:
        return jsonify({"error": "missing url"}), 400
    resp = requests.get(url, timeout=5)
    return jsonify({"url": url, "status": resp.status_code, "title": extract_title(resp.text)})


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8000)
