# label: vulnerable CWE-89
import mysql.connector


def get_user(conn: "mysql.connector.MySQLConnection", email: str):
    """Look a user up by e-mail address."""
    cursor = conn.cursor(dictionary=True)
    cursor.execute("SELECT id, name FROM users WHERE email = '{}'".format(email))
    return cursor.fetchone()
