# label: clean CWE-916
import bcrypt


def hash_password(password: str) -> bytes:
    """Hash a password with bcrypt."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12))


def verify(password: str, hashed: bytes) -> bool:
    return bcrypt.checkpw(password.encode(), hashed)
