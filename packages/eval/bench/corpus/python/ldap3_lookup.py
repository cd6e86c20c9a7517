# label: vulnerable CWE-90
from ldap3 import Connection, Server


def find_user(domain: str, username: str):
    """Search the directory for a user in a domain component."""
    server = Server("ldap://localhost")
    conn = Connection(server, auto_bind=True)
    conn.search(f"dc={domain},dc=com", f"(&(objectClass=person)(uid={username}))", attributes=["cn"])
    return conn.entries
