# label: vulnerable CWE-327
import hmac


def sign(key: bytes, message: bytes, digest: str = "md5") -> str:
    """Sign a message with HMAC using the digest the caller names."""
    return hmac.new(key, message, digest).hexdigest()
