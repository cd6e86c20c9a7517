# label: vulnerable CWE-89
"""Print sales for a region from the local database."""
import sqlite3
import sys


def sales_for(region: str):
    conn = sqlite3.connect("sales.db")
    cur = conn.cursor()
    cur.execute("SELECT month, total FROM sales WHERE region = '%s' ORDER BY month" % region)
    rows = cur.fetchall()
    conn.close()
    return rows


if __name__ == "__main__":
    for month, total in sales_for(sys.argv[1]):
        print(f"{month}\t{total:.2f}")
