# label: vulnerable CWE-489
"""Small inventory API."""
from flask import Flask, jsonify

app = Flask(__name__)
ITEMS = {"apple": 3, "pear": 5}


@app.route("/items")
def items():
    return jsonify(ITEMS)


@app.route("/items/<name>")
def item(name):
    return jsonify({name: ITEMS.get(name, 0)})


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000, debug=True)
