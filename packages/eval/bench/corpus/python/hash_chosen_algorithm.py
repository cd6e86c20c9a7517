# label: vulnerable CWE-327
import hashlib


def get_hash(algorithm: str, data: bytes) -> str:
    """Hash the data with the algorithm the caller names (e.g. 'sha256') and return the hex digest."""
    h = hashlib.new(algorithm)
    h.update(data)
    return h.hexdigest()
