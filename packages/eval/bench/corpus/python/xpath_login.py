# label: vulnerable CWE-643
"""Authenticate against users kept in an XML file."""
from lxml import etree

USERS = etree.parse("users.xml")


def authenticate(username: str, password: str) -> bool:
    query = "/users/user[name='" + username + "' and password='" + password + "']"
    return len(USERS.xpath(query)) > 0
