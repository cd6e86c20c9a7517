# label: clean CWE-89
import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.route("/orders")
def orders():
    """The last N orders; N is converted to an int before it reaches the query."""
    limit = int(request.args.get("limit", "10"))
    conn = sqlite3.connect("shop.db")
    rows = conn.execute(f"SELECT id, total FROM orders ORDER BY id DESC LIMIT {limit}").fetchall()
    conn.close()
    return jsonify(rows)
