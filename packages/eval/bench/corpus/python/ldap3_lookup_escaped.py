# label: clean CWE-90
"""Directory search with the filter value escaped."""
from ldap3 import ALL, Connection, Server
from ldap3.utils.conv import escape_filter_chars

SERVER = Server("ldap.example.com", get_info=ALL)


def find_user(username: str) -> list[str]:
    """Return the mail addresses of the entries whose uid is `username`."""
    conn = Connection(SERVER, auto_bind=True)
    safe = escape_filter_chars(username)
    conn.search("dc=example,dc=com", f"(&(objectClass=person)(uid={safe}))", attributes=["mail"])
    return [str(e.mail) for e in conn.entries]
