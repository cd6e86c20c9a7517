# label: vulnerable CWE-89
import psycopg2
from fastapi import FastAPI

app = FastAPI()


def connect():
    return psycopg2.connect("dbname=app")


@app.get("/users/search")
def search(name: str, order: str = "name"):
    """Users whose name starts with the given prefix."""
    where = f"name LIKE '{name}%'"
    query = f"SELECT id, name FROM users WHERE {where} ORDER BY {order}"
    with connect() as conn, conn.cursor() as cur:
        cur.execute(query)
        return cur.fetchall()
