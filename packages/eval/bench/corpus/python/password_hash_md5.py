# label: vulnerable CWE-328
import hashlib
import os


def hash_password(password: str) -> str:
    """Hash a password for storage in the users table."""
    return hashlib.md5(password.encode()).hexdigest()


def check_password(password: str, stored: str) -> bool:
    return hash_password(password) == stored


def new_api_token() -> str:
    return hashlib.sha1(os.urandom(16)).hexdigest()
