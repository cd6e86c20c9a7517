# label: clean CWE-89
import sqlite3

from flask import Flask, abort, jsonify, request

app = Flask(__name__)


@app.route("/products/by-ids")
def by_ids():
    """Products for a comma-separated list of integer ids, bound as parameters."""
    try:
        ids = [int(x) for x in request.args.get("ids", "").split(",") if x]
    except ValueError:
        abort(400)
    if not ids:
        return jsonify([])
    marks = ", ".join("?" for _ in ids)
    conn = sqlite3.connect("shop.db")
    rows = conn.execute(f"SELECT id, name FROM products WHERE id IN ({marks})", ids).fetchall()
    return jsonify(rows)
