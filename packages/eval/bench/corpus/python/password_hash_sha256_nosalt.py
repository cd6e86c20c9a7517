# label: vulnerable CWE-916
import hashlib


def hash_passwords(passwords: list[str]) -> list[str]:
    """Hash a list of user passwords for storage."""
    return [hashlib.sha256(p.encode("utf-8")).hexdigest() for p in passwords]
