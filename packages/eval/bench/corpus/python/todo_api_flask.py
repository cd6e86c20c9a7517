# label: clean
"""A small to-do API with SQLite."""
import sqlite3

from flask import Flask, abort, g, jsonify, request

app = Flask(__name__)


def db():
    if "db" not in g:
        g.db = sqlite3.connect("todo.db")
        g.db.row_factory = sqlite3.Row
    return g.db


@app.teardown_appcontext
def close_db(_exc):
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


@app.get("/todos")
def list_todos():
    rows = db().execute("SELECT id, title, done FROM todos ORDER BY id").fetchall()
    return jsonify([dict(r) for r in rows])


@app.post("/todos")
def add_todo():
    title = (request.get_json(silent=True) or {}).get("title", "").strip()
    if not title or len(title) > 200:
        abort(400)
    cur = db().execute("INSERT INTO todos (title, done) VALUES (?, 0)", (title,))
    db().commit()
    return jsonify({"id": cur.lastrowid, "title": title, "done": False}), 201


@app.patch("/todos/<int:todo_id>")
def toggle(todo_id: int):
    db().execute("UPDATE todos SET done = NOT done WHERE id = ?", (todo_id,))
    db().commit()
    return jsonify({"id": todo_id})


if __name__ == "__main__":
    app.run()
