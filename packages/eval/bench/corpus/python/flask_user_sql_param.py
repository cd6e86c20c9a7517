# label: clean CWE-89
import sqlite3

from flask import Flask, g, jsonify, request

app = Flask(__name__)


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect("app.db")
    return g.db


@app.route("/users")
def users():
    """Search users by name with a bound parameter."""
    name = request.args.get("name", "")
    cur = get_db().execute("SELECT id, name, email FROM users WHERE name LIKE ?", (f"%{name}%",))
    return jsonify(cur.fetchall())
