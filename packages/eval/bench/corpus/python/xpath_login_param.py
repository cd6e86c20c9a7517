# label: clean CWE-643
"""Authenticate against users kept in an XML file, with XPath variables."""
from lxml import etree

USERS = etree.parse("users.xml", etree.XMLParser(resolve_entities=False, no_network=True))


def authenticate(username: str, password_hash: str) -> bool:
    matches = USERS.xpath("/users/user[name=$name and hash=$hash]", name=username, hash=password_hash)
    return len(matches) > 0
