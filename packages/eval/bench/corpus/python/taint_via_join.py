# label: vulnerable CWE-89
import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.route("/products/by-ids")
def by_ids():
    """Products for a comma-separated list of ids."""
    ids = request.args.get("ids", "").split(",")
    in_list = ", ".join(ids)
    conn = sqlite3.connect("shop.db")
    rows = conn.execute("SELECT id, name FROM products WHERE id IN (" + in_list + ")").fetchall()
    return jsonify(rows)
