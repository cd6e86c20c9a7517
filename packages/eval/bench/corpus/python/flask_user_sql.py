# label: vulnerable CWE-89
"""User lookup API over SQLite."""
import sqlite3

from flask import Flask, g, jsonify, request

app = Flask(__name__)
DB = "app.db"


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(DB)
    return g.db


@app.route("/users")
def users():
    name = request.args.get("name", "")
    cur = get_db().cursor()
    cur.execute("SELECT id, name, email FROM users WHERE name LIKE '%" + name + "%'")
    return jsonify(cur.fetchall())
