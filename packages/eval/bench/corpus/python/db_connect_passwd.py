# label: vulnerable CWE-798
import psycopg2

passwd = "Winter2024!"
key = "9f86d081884c7d659a2feaa0c55ad015"


def get_connection():
    """Open a connection to the reporting database."""
    return psycopg2.connect(host="db.internal", dbname="reports", user="report", password=passwd)
