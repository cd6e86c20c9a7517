# label: clean CWE-89
import psycopg2
from fastapi import FastAPI
from psycopg2 import sql

app = FastAPI()
ORDERABLE = {"name", "created_at"}


@app.get("/users/search")
def search(name: str, order: str = "name"):
    """Users whose name starts with a prefix; identifiers composed with psycopg2.sql."""
    if order not in ORDERABLE:
        order = "name"
    query = sql.SQL("SELECT id, name FROM users WHERE name LIKE %s ORDER BY {}").format(sql.Identifier(order))
    with psycopg2.connect("dbname=app") as conn, conn.cursor() as cur:
        cur.execute(query, (name + "%",))
        return cur.fetchall()
