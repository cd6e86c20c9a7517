# label: clean CWE-89
import sqlite3

SORTABLE = {"name", "created", "price"}


def list_products(conn: sqlite3.Connection, sort: str, category: str):
    """List products of a category, sorted by an allowed column."""
    if sort not in SORTABLE:
        sort = "name"
    query = f"SELECT name, price FROM products WHERE category = ? ORDER BY {sort}"
    return conn.execute(query, (category,)).fetchall()
